/* SPDX-License-Identifier: MIT */
/* The fixer interface. A fixer is a pure function from (node, profile) to a
 * plan: file edits, live actions and units to restart. It never writes or
 * calls the system itself, so check, apply --dry-run and apply share one
 * code path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "engine/context.h"

enum fixer_status {
        STATUS_OK,
        STATUS_DRIFT,
        STATUS_CHANGED,
        STATUS_ERROR,
        STATUS_SKIPPED,
        _STATUS_MAX,
};

enum edit_kind {
        EDIT_CONTENT, /* write new_data as the file's content */
        EDIT_SYMLINK, /* make path a symlink to new_data */
};

struct file_edit {
        char *path; /* node path after resolving symlinks inside the root */
        enum edit_kind kind;
        bool existed;
        bool old_is_symlink;
        char *old_data; /* old content (old_blob's bytes), or old symlink target (its own) */
        size_t old_len;
        struct blob *old_blob; /* a content edit's: shared with the overlay or the file read */
        char *new_data;        /* a content edit's: new_blob's bytes */
        size_t new_len;
        struct blob *new_blob; /* shared with the overlay, and with other edits of the same bytes */
        mode_t mode;           /* kept from the old file; chosen for a new one */
        uid_t uid;
        gid_t gid;
        unsigned long long resolve; /* extra RESOLVE_* flags to open it with */
        /* plan_write_file_attrs(): commit gives the file exactly these, also
         * when it existed (mode/uid/gid above stay the old file's, for the backup). */
        bool set_attrs;
        mode_t new_mode;
        uid_t new_uid;
        gid_t new_gid;
        /* How commit creates a missing parent directory: with parent_mode and
         * this owner when parent_mode is not 0 (only that one directory; its
         * own parent must exist), else root-owned 0755 with any missing
         * ancestors. */
        mode_t parent_mode;
        uid_t parent_uid;
        gid_t parent_gid;
        bool parent_created; /* set by commit; rollback removes the directory again if it is empty */
        bool secret;         /* a credential: reports never show its content */
        bool written;        /* set by commit once the new content or link is in place */
};

enum action_status {
        ACTION_PLANNED,
        ACTION_DONE,
        ACTION_FAILED,
        ACTION_SKIPPED,
};

struct live_action {
        char *action; /* "swapoff" */
        char *target; /* "/swapfile" */
        int (*run)(const struct live_action *a, char **ret_error);
        enum action_status status;
        char *message;
};

struct fixer_result {
        const struct fixer *fixer;
        enum fixer_status status;
        int exit_code; /* 0, 1 (could not fix), 2 (refused) */
        char *message;
        struct strv details;  /* shown indented under the status line */
        struct strv warnings; /* shown with -v and in JSON, also on ok */
        struct file_edit *edits;
        size_t n_edits;
        struct live_action *actions;
        size_t n_actions;
        struct strv restarts; /* units whose configuration this plan changes */
        /* The kubeadm preflight checks this result's findings would fail, named as kubeadm prints
         * them and --ignore-preflight-errors takes them ("Port-10250"). */
        struct strv kubeadm_checks;
        /* The edits do not depend on one another (one user's file, another
         * user's): apply commits them even when something else in this result
         * was refused, and the result stays an error. */
        bool partial;
        /* Details kept as the fixer's own records and made into text only when shown: one a user
         * for 10,000 users held 1.5 MB of lines until the report. The i-th of them is
         * later_detail(r, i), in its place among details (see result_detail_later()); later_data
         * is the fixer's, freed by later_data_free with the result. */
        size_t n_later;
        uint32_t *later_at; /* the i-th goes before details.items[later_at[i]] */
        char *(*later_detail)(const struct fixer_result *r, size_t i);
        void *later_data;
        void (*later_data_free)(void *data);
};

struct fixer {
        const char *name;
        const char *description;
        /* Fill r: edits/actions/restarts, message, details. Returns <0 after
         * result_refuse()/result_fail(); 0 otherwise. */
        int (*plan)(struct context *ctx, struct fixer_result *r);
};

/* The fixers, in the order they run. */
extern const struct fixer *const fixers[];
extern const size_t n_fixers;
const struct fixer *fixer_find(const char *name);

/* Helpers for fixers (plan.c). */

/* Plan new content for a file (created with mode/uid/gid when absent; an
 * existing file keeps its own). No-op when the content is already right. */
int plan_write_file(struct context *ctx, struct fixer_result *r, const char *path, const char *data,
                    size_t len, mode_t mode_if_new);
/* The same, taking data (malloc'ed, NUL-terminated at len; freed in any case) instead of copying it:
 * a fixer's new text of a large file becomes the planned bytes (docs/performance.md, section 4). */
int plan_write_file_take(struct context *ctx, struct fixer_result *r, const char *path, char *data,
                         size_t len, mode_t mode_if_new);
/* Exact content, mode and owner for a file, existing or not: a wrong mode or
 * owner alone is drift too. The edit holds a reference to data, not a copy (one admin.conf
 * for every user's copy of it). The old state is read with O_NOFOLLOW and the
 * extra RESOLVE_* flags, so with RESOLVE_NO_SYMLINKS path must be a resolved
 * node path (root_resolve). Returns 1 when planned, 0 when already right,
 * <0 on error (-ELOOP: a symlink on the way). */
struct file_attrs {
        mode_t mode;
        uid_t uid;
        gid_t gid;
        unsigned long long resolve;
        mode_t parent_mode; /* see struct file_edit */
        uid_t parent_uid;
        gid_t parent_gid;
        bool secret;
};
int plan_write_file_attrs(struct context *ctx, struct fixer_result *r, const char *path, struct blob *data,
                          const struct file_attrs *a);
int plan_symlink(struct context *ctx, struct fixer_result *r, const char *path, const char *target);
void plan_action(struct fixer_result *r, const char *action, const char *target,
                 int (*run)(const struct live_action *a, char **ret_error));
void plan_restart(struct fixer_result *r, const char *unit);
/* plan_write_file() (0644 when new), then a restart of the unit that reads the file. Returns 1 when
 * planned, 0 when the file already holds data, or <0 after result_refuse() with "PATH: reason". */
int plan_write_file_restart(struct context *ctx, struct fixer_result *r, const char *path, const char *data,
                            size_t len, const char *unit);
int plan_write_file_restart_take(struct context *ctx, struct fixer_result *r, const char *path, char *data,
                                 size_t len, const char *unit);
bool plan_is_empty(const struct fixer_result *r);

void result_detail(struct fixer_result *r, const char *fmt, ...) _printf_(2, 3);
/* A detail made when shown, by r->later_detail(r, i) for the i-th of them (the fixer sets
 * later_detail and keeps what it needs in later_data): it goes after the details added so far. */
void result_detail_later(struct fixer_result *r);
/* Each detail of r in order, later ones made as they come. */
void result_each_detail(const struct fixer_result *r, void (*emit)(const char *detail, void *userdata),
                        void *userdata);
void result_warn(struct fixer_result *r, const char *fmt, ...) _printf_(2, 3);
void result_message(struct fixer_result *r, const char *fmt, ...) _printf_(2, 3);
void result_skip(struct fixer_result *r, const char *fmt, ...) _printf_(2, 3);
/* Record a kubeadm preflight check a finding fails (once per name). */
void result_kubeadm_check(struct fixer_result *r, const char *check);
/* A file kubeprep will not edit (malformed, unsafe): status error, exit 2. */
int result_refuse(struct fixer_result *r, int err, const char *fmt, ...) _printf_(3, 4);
/* A fix that failed to take (write error, failed restart): error, exit 1. */
int result_fail(struct fixer_result *r, int err, const char *fmt, ...) _printf_(3, 4);

void fixer_result_free(struct fixer_result *r);
const char *fixer_status_to_string(enum fixer_status s);
const char *action_status_to_string(enum action_status s);
