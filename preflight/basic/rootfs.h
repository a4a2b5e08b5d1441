/* SPDX-License-Identifier: MIT */
/* The rooted file layer: every file kubeprep reads or writes inside the node
 * tree goes through here. The root is opened once; every path is resolved with
 * openat2(RESOLVE_IN_ROOT), so a symlink can never lead out of the tree. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "basic/util.h"

struct root {
        int fd;     /* O_PATH|O_DIRECTORY fd of the root */
        char *path; /* as given, e.g. "/" or "/srv/image" */
        bool live;  /* no --root: the running system */
};

int root_open(const char *path, bool live, struct root **ret);
void root_free(struct root *r);

/* Open a node path (absolute inside the root, e.g. "/etc/fstab") relative to
 * the root, never escaping it. extra_resolve adds RESOLVE_* flags. */
int root_openat(const struct root *r, const char *path, int flags, mode_t mode,
                unsigned long long extra_resolve);

/* Open the directory of a node path; *ret_base points into path at the last
 * component. The directory must exist. */
int root_open_parent(const struct root *r, const char *path, const char **ret_base);

/* The node path a path resolves to (symlinks followed inside the root):
 * "/etc/fstab" -> "/etc/fstab.real". -ENOENT when the final component is a
 * dangling name is not an error: the name itself is returned. */
int root_resolve(const struct root *r, const char *path, char **ret_resolved);

/* No file kubeprep reads is larger: 64 MiB is far above any real node file, and a user
 * who runs `truncate -s 1T ~/.kube/config` must not make root's run allocate a terabyte. */
#define READ_FILE_MAX ((size_t) 64 << 20)

/* Read a regular file whole. -ENOENT when absent, -EISDIR/-EINVAL when not a
 * regular file (a FIFO or device is never read), -EFBIG when larger than
 * READ_FILE_MAX. ret_st may be NULL. */
int root_read_file(const struct root *r, const char *path, char **ret_data, size_t *ret_len,
                   struct stat *ret_st);

/* Same, from an already opened fd (used for files opened with stricter rules). */
int read_fd_whole(int fd, char **ret_data, size_t *ret_len, struct stat *ret_st);
/* Same, refusing (-EFBIG) more than max bytes, before reading much past them. */
int read_fd_whole_max(int fd, size_t max, char **ret_data, size_t *ret_len, struct stat *ret_st);
/* Read whatever fd is (a pipe too: no type check) to its end, NUL-terminated; size_hint
 * presizes the buffer (never beyond max); -EFBIG past max bytes. */
int read_fd_to_end(int fd, size_t size_hint, size_t max, char **ret_data, size_t *ret_len);
/* strerror(-err) for what the readers above return, but -EFBIG says "larger than 64 MiB"
 * (strerror's "File too large" does not say what the limit is). */
const char *read_strerror(int err);

/* lstat-like for a node path (does not follow the final symlink). */
int root_lstat(const struct root *r, const char *path, struct stat *ret_st);
int root_stat(const struct root *r, const char *path, struct stat *ret_st);
bool root_exists(const struct root *r, const char *path);

/* Read a symlink's target; -EINVAL when not a symlink. */
int root_readlink(const struct root *r, const char *path, char **ret_target);

/* Write a file atomically and durably at dirfd/name: temp file in the same
 * directory, fsync, fchmod/fchown, rename over, fsync the directory. */
int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t uid,
                         gid_t gid);
/* The same with what fill writes to the temp file's fd (0, or -errno), for content too large to
 * build in memory first: the backup manifest of 10,000 files. */
int write_file_atomic_fill_at(int dirfd, const char *name, int (*fill)(int fd, void *userdata),
                              void *userdata, mode_t mode, uid_t uid, gid_t gid);
/* All of data to fd, however many write() calls it takes: 0, or -errno. */
int write_all(int fd, const void *data, size_t len);
/* The same over the file old describes, keeping its mode and owner, only if name is still
 * that inode (st_dev, st_ino) right before the rename: -ESTALE, nothing replaced, if not. */
int write_file_atomic_over_at(int dirfd, const char *name, const void *data, size_t len,
                              const struct stat *old);
int root_write_file_atomic(const struct root *r, const char *path, const void *data, size_t len, mode_t mode,
                           uid_t uid, gid_t gid);

/* Remove what runs killed before their rename left in dirfd for name: the
 * temp files ".#NAME.kubeprep-PID-HEX" of PIDs that no longer exist. Every
 * atomic write and mkdir_atomic_at does this first. Returns how many. */
int remove_stale_temps(int dirfd, const char *name);

/* Create directory name in dirfd with its final mode and owner in one step
 * (a temp directory, renamed into place): a crash never leaves it half made.
 * -EEXIST when name exists. */
int mkdir_atomic_at(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid);

/* Replace path with a symlink to target, atomically (symlink to a temp name, rename). */
int root_symlink_atomic(const struct root *r, const char *path, const char *target);

/* Remove a file or symlink; 0 when it was already gone. */
int root_unlink(const struct root *r, const char *path);

/* mkdir -p inside the root: the directory path gets mode when it is made, missing parents 0755. */
int root_mkdir_p(const struct root *r, const char *path, mode_t mode);

/* The names in a directory (no . and ..), sorted. -ENOENT when absent. */
int root_list_dir(const struct root *r, const char *path, struct strv *ret_names);

/* fsync a directory by node path. */
int root_fsync_dir(const struct root *r, const char *path);
