/* SPDX-License-Identifier: MIT */
/* A TOML file a fixer reads and edits (containerd's config.toml and imports, CRI-O's crio.conf and
 * drop-ins) as this run sees it: its text with the fixer's edits, scanned once for every question
 * asked of it. Questions and edits that refuse name the file. */
#pragma once

#include "engine/fixer.h"

struct toml_doc;

struct toml_file {
        char *path;       /* absolute, as the runtime names it */
        char *importer;   /* containerd: the file whose imports name it; NULL otherwise */
        const char *text; /* as this run sees it, with the caller's edits: read's bytes or edited */
        size_t len;
        /* the bytes as read until an edit: a file an earlier fixer planned is shared with its plan,
         * not copied (NULL for a text given by toml_file_init()) */
        struct blob *read;
        char *edited; /* the text once edited, or given by toml_file_init() */
        bool changed; /* edited by the caller */
        /* text scanned once for every question asked of it (NULL when it does not scan: each
         * question then scans it again and refuses it with the reason) */
        struct toml_doc *scan;
};

/* A file of path, importer and text (all taken), scanned: 0, or <0 with the reason the text does
 * not scan in *ret_error (may be NULL); the file is made either way. */
int toml_file_init(struct toml_file *f, char *path, char *importer, char *text, size_t len,
                   char **ret_error);
/* The same with the text as read by ctx_read_blob(), whose reference it takes. */
int toml_file_init_blob(struct toml_file *f, char *path, char *importer, struct blob *read,
                        char **ret_error);
void toml_file_done(struct toml_file *f);

/* toml_get_value() and toml_table_exists() of the file's text, from its scan. */
int toml_file_lookup(const struct toml_file *f, const char *const *table, const char *key, char **ret_raw,
                     unsigned *ret_line, char **ret_error);
int toml_file_has_table(const struct toml_file *f, const char *const *table, char **ret_error);

/* The same, refusing with the file's name: <0 after result_refuse(). */
int toml_file_get(struct fixer_result *r, const struct toml_file *f, const char *const *table,
                  const char *key, char **ret_raw, unsigned *ret_line);
int toml_file_table_exists(struct fixer_result *r, const struct toml_file *f, const char *const *table);

/* toml_set_value() of the file: its text (and scan) become the new ones and it is changed when
 * the value differed (1); 0 when it was already set; <0 after result_refuse(). */
int toml_file_set(struct fixer_result *r, struct toml_file *f, const char *const *table, const char *key,
                  const char *raw_value);

/* Plan the write of every changed file, each with a restart of unit. 1 when something was planned,
 * 0 when nothing changed, <0 after result_refuse(). The plan takes the changed texts and the scans
 * are dropped: only toml_file_done() may follow. */
int toml_files_write(struct context *ctx, struct fixer_result *r, struct toml_file *files, size_t n,
                     const char *unit);
