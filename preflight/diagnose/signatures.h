/* SPDX-License-Identifier: MIT */
/* The signature database (profiles/signatures.yaml): known kubelet failures,
 * each a POSIX extended regex over a log message, the fixer that repairs it
 * and a one-line explanation. */
#pragma once

#include <regex.h>
#include <stdbool.h>

#include "basic/util.h"

struct signature {
        char *id;
        struct strv patterns; /* as written; any one matching is a hit */
        regex_t *regexes;     /* compiled, case-insensitive */
        char *fixer;          /* the fixer that repairs it */
        char *profile;        /* NULL: the node's; else the profile the fix needs */
        char *args;           /* NULL, or extra arguments for the fix ("--user NAME") */
        bool cross_check;     /* the fixer sees this problem in the files: ask it */
        char *explanation;
        unsigned line; /* where the entry starts in the file */
};

struct signature_db {
        char *path;
        struct signature *items;
        size_t n;
};

/* Parse a database; path is for messages only. Errors are "PATH:LINE: reason"
 * (unknown or missing keys, wrong types, duplicate ids, bad regexes). */
int signature_db_parse(const char *path, const char *text, size_t len, struct signature_db *ret,
                       char **ret_error);

/* Load the shipped profiles/signatures.yaml from the data dirs (see datadir.h). */
int signature_db_load(struct signature_db *ret, char **ret_error);

void signature_db_free(struct signature_db *db);

/* The index of the first signature (in file order) that matches message, or
 * -ENOENT. A message counts for one problem only, so the more specific
 * signature goes first in the file. */
int signature_db_match(const struct signature_db *db, const char *message);
