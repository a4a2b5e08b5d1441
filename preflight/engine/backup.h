/* SPDX-License-Identifier: MIT */
/* Backups and rollback: before kubeprep first changes a path in a run, the
 * old state is saved under /var/lib/kubeprep/backups/RUN-ID/ (inside the
 * root) with a manifest; `kubeprep rollback` puts it back byte for byte. */
#pragma once

#include "basic/rootfs.h"
#include "basic/util.h"
#include "engine/fixer.h"

#define KUBEPREP_STATE_DIR "/var/lib/kubeprep"
#define KUBEPREP_BACKUP_DIR KUBEPREP_STATE_DIR "/backups"
/* In a run's directory, beside the saved files "0", "1", ... */
#define BACKUP_MANIFEST "manifest.json"
#define BACKUP_ROLLED_BACK "rolled-back"

/* One file of the manifest. It points to the commit's edits, which outlive the backup, and is
 * made into JSON only as the manifest is written: 10,000 users' entries as cJSON objects, and the
 * manifest's text, took 10 MB. */
struct backup_entry {
        const struct file_edit *saved;   /* the file as the run found it: the first edit of it */
        const struct file_edit *written; /* what the run writes there */
        const struct file_edit **more;   /* what it writes there again (another edit of the file) */
        uint32_t n_more;
        bool parent_created; /* the run makes the file's directory (parentCreated) */
        bool settled;        /* backup_settle(): written, or its directory made */
        bool dropped;        /* backup_finish(): left out of the manifest */
};

struct backup {
        const struct root *root;
        char *run_id;
        char *dir;                    /* node path of this run's backup dir; NULL until the first save */
        int dfd;                      /* that directory, open while the run saves; -1 */
        struct backup_entry *entries; /* the saved copy of entry i, if any, is the file "i" */
        size_t n_entries;
        bool unflushed; /* the manifest on disk is not what the entries say */
};

/* A node path as a path on this machine, for messages: "/srv/image/var/lib/kubeprep". */
char *host_path(const struct root *root, const char *path);

/* A new run id: UTC time to the microsecond, so ids sort by time. */
char *run_id_new(void);

void backup_init(struct backup *b, const struct root *root, const char *run_id);
/* A commit of many files saves them in few steps, keeping what a crash may leave the same:
 * backup_add() saves each file's old state (fsync'ed, but not yet the directory or the manifest),
 * then backup_flush() makes the directory and the manifest, which names every file the commit
 * may change and what it writes there, durable before any of them is changed. Rewriting the
 * manifest after every file cost O(files) each, quadratic, and two more fsyncs a file.
 *
 * backup_add() saves the state e found at e->path and records what written (e itself, or the
 * last edit of a chain) is about to write there. The caller adds each path once (commit knows
 * which edits share one) and gets the entry's index, for backup_add_written() and
 * backup_settle(); or <0. The backup keeps pointers to e and written: they stay as they are
 * until backup_done(). */
int backup_add(struct backup *b, const struct file_edit *e, const struct file_edit *written,
               char **ret_error);
/* The entry's file is written again, by another edit of it: rollback accepts the file holding
 * either. */
void backup_add_written(struct backup *b, size_t entry, const struct file_edit *written);
int backup_flush(struct backup *b, char **ret_error);
/* After the commit: whether the entry's file was written, and whether its directory was created
 * by the run (parentCreated). backup_finish() then drops the entries of files that were not
 * written and whose directory the run did not make (with their saved copies), or the whole run
 * when nothing is left (also after a failed backup_add/flush), in one more manifest write, so
 * that the manifest again names only what the run changed. */
void backup_settle(struct backup *b, size_t entry, bool written, bool parent_created);
int backup_finish(struct backup *b, char **ret_error);
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

/* What a rollback did. */
struct rollback {
        char *run_id;
        struct strv restored;     /* "PATH", or "PATH (removed: the run created it)" */
        struct strv not_restored; /* the paths left as they are... */
        struct strv reasons;      /* ...and why, one each: "changed since run ID: not restored" */
        struct strv notes;        /* "PATH: the saved mode 6755 has setuid/setgid bits; restored as 0755" */
};

/* Roll back run_id (NULL: the newest run not yet rolled back). The store, the run's
 * directory and every file in it must be the caller's and writable by no one else; every
 * path the manifest names must be one kubeprep manages (managed-paths.h). Otherwise, or
 * when the run cannot be found or its manifest is malformed, <0 and nothing is restored.
 * Then each file is put back (setuid/setgid bits never) only while it holds what the run
 * wrote, or still what it saved; one that changed since, or cannot be written, is listed in
 * not_restored and the others are restored all the same. The run is marked rolled back
 * only when nothing is left, so that a second rollback can try those again. */
int rollback_run(const struct root *root, const char *run_id, struct rollback *ret, char **ret_error);
void rollback_done(struct rollback *rb);
