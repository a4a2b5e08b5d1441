/* SPDX-License-Identifier: MIT */
/* A run's context: the options, the root, the node's facts and the profile, and the overlay of
 * what the run's fixers planned so far, through which a later fixer reads a file an earlier one
 * edits. Built by context_open(), handed to every fixer's plan. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "basic/name-index.h"
#include "basic/rootfs.h"
#include "engine/node.h"
#include "engine/profile.h"
#include "engine/run-options.h"

/* Planned bytes, held by every edit and overlay entry that plans them and freed with the last:
 * an edit and the overlay share one copy, and so do 10,000 users' copies of one admin.conf.
 * Never changed once made. */
struct blob {
        size_t n_ref;
        size_t len;
        char *data; /* and a NUL after the len bytes: in inline_data, or a buffer the blob took */
        char inline_data[];
};
struct blob *blob_new(const char *data, size_t len);
/* A blob of data (malloc'ed, NUL-terminated at len), which it frees: a fixer's new text or a file
 * just read becomes planned bytes without a copy. */
struct blob *blob_take(char *data, size_t len);
struct blob *blob_ref(struct blob *b);
void blob_unref(struct blob *b);

/* What earlier fixers of this run planned for a path, so a later fixer
 * editing the same file builds on their text. Its path is the one overlay_index holds. */
struct overlay_entry {
        struct blob *data;
        mode_t mode;
        uid_t uid;
        gid_t gid;
        bool exists;
};

struct context {
        const struct options *opts;
        struct root *root;
        struct profile *profile;
        struct node_facts node;
        struct overlay_entry *overlay;
        size_t n_overlay;
        struct name_index overlay_index; /* path -> overlay entry: a run may plan 10,000 files */
};

/* Open the root (opts->root or the live /), gather the node's facts and load
 * the profile (profile, or NULL for opts->profile; "auto" picks by arch).
 * On failure *ret_error says what (root, profile file and line). */
int context_open(const struct options *opts, const char *profile, struct context *ret, char **ret_error);
/* Free all of it: the overlay, the facts, the profile and the root. */
void context_close(struct context *ctx);
/* Forget what the run planned (the overlay), to plan again from the tree as it is now. */
void context_free(struct context *ctx);

/* Read a file as this run currently sees it (the tree plus earlier plans).
 * -ENOENT when absent. ret_st may be NULL. */
int ctx_read_file(struct context *ctx, const char *path, char **ret_data, size_t *ret_len,
                  struct stat *ret_st);
/* The same as a blob (a reference): a file earlier fixers planned is their bytes, not a copy. */
int ctx_read_blob(struct context *ctx, const char *path, struct blob **ret, struct stat *ret_st);

/* What the run planned for a resolved node path; NULL when nothing yet. */
struct overlay_entry *overlay_find(const struct context *ctx, const char *path);
/* What an entry plans, as ctx_read_blob() gives a file: -ENOENT for a planned removal, else 0 with a
 * reference to its bytes and its mode and owner in *ret_st (may be NULL). */
int overlay_read(const struct overlay_entry *o, struct blob **ret, struct stat *ret_st);
/* Record what an edit plans as its path's content, mode and owner (those it gives the file, see
 * struct file_edit). The entry shares the edit's bytes and borrows its path: a run's overlay is
 * forgotten (context_free) when its results are freed, before anything is planned again. */
struct file_edit;
void overlay_set(struct context *ctx, const struct file_edit *e);
