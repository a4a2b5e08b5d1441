/* SPDX-License-Identifier: MIT */
/* Backups and rollback: before kubeprep first changes a path in a run, the
 * old state is saved under /var/lib/kubeprep/backups/RUN-ID/ (inside the
 * root) with a manifest; `kubeprep rollback` puts it back byte for byte. */
#pragma once

#include "fixer.h"
#include "rootfs.h"
#include "util.h"

#define KUBEPREP_STATE_DIR "/var/lib/kubeprep"
#define KUBEPREP_BACKUP_DIR KUBEPREP_STATE_DIR "/backups"

struct backup {
        const struct root *root;
        char *run_id;
        char *dir;    /* node path of this run's backup dir; NULL until the first save */
        void *manifest; /* cJSON object */
        struct strv saved;
};

/* A new run id: UTC time to the microsecond, so ids sort by time. */
char *run_id_new(void);

void backup_init(struct backup *b, const struct root *root, const char *run_id);
/* Save the current state of e->path unless this run saved it already. */
int backup_save(struct backup *b, const struct file_edit *e, char **ret_error);
void backup_done(struct backup *b);

/* The lock that keeps runs on one root apart: live /run/kubeprep.lock, with --root the
 * store's own lock file in the tree. A file only its owner (root) may open, so no user can
 * hold it and stall every run, as an flock on "/" allowed. */
#define KUBEPREP_LIVE_LOCK "/run/kubeprep.lock"
#define KUBEPREP_TREE_LOCK KUBEPREP_STATE_DIR "/lock"

/* Take the lock, created 0600 when missing (a link, another type, another owner or a mode
 * that lets others open it is refused). Waits up to timeout_sec for another run to finish,
 * then -ETIMEDOUT with *ret_error naming the holder's PID from /proc/locks. */
int lock_root(const struct root *root, unsigned timeout_sec, int *ret_fd, char **ret_error);

/* The PID that holds an flock on inode ino of device dev, in /proc/locks text; 0 when none
 * is listed (another PID namespace, or it let go). */
pid_t proc_locks_holder(const char *text, dev_t dev, ino_t ino);

/* Restore the files of run_id (NULL: the newest run not yet rolled back).
 * ret_paths lists the paths restored ("path (removed)" for created ones). */
int rollback_run(const struct root *root, const char *run_id, char **ret_run_id, struct strv *ret_paths,
                 char **ret_error);
