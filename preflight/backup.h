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

/* Take the per-root lock (flock on the root directory; waits for another
 * run on the same root to finish). */
int lock_root(const struct root *root, int *ret_fd, char **ret_error);

/* Restore the files of run_id (NULL: the newest run not yet rolled back).
 * ret_paths lists the paths restored ("path (removed)" for created ones). */
int rollback_run(const struct root *root, const char *run_id, char **ret_run_id, struct strv *ret_paths,
                 char **ret_error);
