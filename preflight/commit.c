/* SPDX-License-Identifier: MIT */
/* Commit a plan (see commit.h). Each file is checked against the bytes the
 * plan was computed from right before it is replaced, so an edit made by
 * someone else in between is never overwritten. */
#include "commit.h"

#include <fcntl.h>
#include <sys/stat.h>

/* Create the one missing directory dir with the edit's parent mode and owner
 * (a user's ~/.kube, owned by the user). It was missing when the plan was
 * made; if it appeared since, someone else is at work there: -ESTALE. */
static int make_parent_dir(const struct root *root, struct file_edit *e, const char *dir) {
        const char *name = strrchr(dir, '/') + 1;
        _cleanup_free_ char *up = xstrndup(dir, (size_t) (name - 1 - dir));
        _cleanup_close_ int ufd = root_openat(root, *up ? up : "/", O_RDONLY | O_DIRECTORY, 0, e->resolve);
        if (ufd < 0)
                return ufd;
        if (mkdirat(ufd, name, 0700) < 0)
                return errno == EEXIST ? -ESTALE : -errno;
        e->parent_created = true;
        _cleanup_close_ int fd = openat(ufd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if ((e->parent_uid != (uid_t) -1 || e->parent_gid != (gid_t) -1) && fchown(fd, e->parent_uid, e->parent_gid) < 0)
                return -errno;
        if (fchmod(fd, e->parent_mode & 07777) < 0 || fsync(ufd) < 0)
                return -errno;
        return 0;
}

/* The directory of path, created when missing (see struct file_edit). */
static int open_parent_dir(const struct root *root, struct file_edit *e, const char **ret_base) {
        _cleanup_free_ char *parent = xstrdup(e->path);
        char *slash = strrchr(parent, '/');
        *slash = 0;
        const char *dir = *parent ? parent : "/";
        int fd = root_openat(root, dir, O_RDONLY | O_DIRECTORY, 0, e->resolve);
        if (fd == -ENOENT) {
                int k = e->parent_mode && *parent ? make_parent_dir(root, e, dir) : root_mkdir_p(root, dir, 0755);
                if (k < 0)
                        return k;
                fd = root_openat(root, dir, O_RDONLY | O_DIRECTORY, 0, e->resolve);
        }
        if (fd >= 0)
                *ret_base = strrchr(e->path, '/') + 1;
        return fd;
}

/* Is the file still what the plan was computed from? */
static int check_unchanged(int dfd, const char *base, const struct file_edit *e) {
        struct stat st;
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                return e->existed ? -ESTALE : 0;
        }
        if (!e->existed)
                return -ESTALE;
        if (S_ISLNK(st.st_mode)) {
                if (!e->old_is_symlink)
                        return -ESTALE;
                char target[4096];
                ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                return (size_t) n == e->old_len && memcmp(target, e->old_data, e->old_len) == 0 ? 0 : -ESTALE;
        }
        if (e->old_is_symlink)
                return -ESTALE;
        _cleanup_close_ int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_free_ char *data = NULL;
        size_t len;
        int k = read_fd_whole(fd, &data, &len, NULL);
        if (k < 0)
                return k;
        return len == e->old_len && memcmp(data, e->old_data, len) == 0 ? 0 : -ESTALE;
}

static int commit_edit(struct context *ctx, struct file_edit *e, struct backup *b, char **ret_error) {
        const char *base;
        _cleanup_close_ int dfd = open_parent_dir(ctx->root, e, &base);
        if (dfd < 0) {
                set_error(ret_error, "cannot open the directory of %s: %s", e->path,
                          dfd == -ESTALE ? "created by someone else while kubeprep ran; not written"
                          : dfd == -ELOOP ? "a symlink on the way, which this file may not follow"
                                          : strerror(-dfd));
                return dfd;
        }
        int k = check_unchanged(dfd, base, e);
        if (k < 0) {
                set_error(ret_error, "%s: %s", e->path,
                          k == -ESTALE ? "changed by someone else while kubeprep ran; not overwritten" : strerror(-k));
                return k;
        }
        k = backup_save(b, e, ret_error);
        if (k < 0)
                return k;
        if (e->kind == EDIT_SYMLINK)
                k = root_symlink_atomic(ctx->root, e->path, e->new_data);
        else
                k = e->set_attrs ? write_file_atomic_at(dfd, base, e->new_data, e->new_len, e->new_mode, e->new_uid,
                                                        e->new_gid)
                                 : write_file_atomic_at(dfd, base, e->new_data, e->new_len, e->mode, e->uid, e->gid);
        if (k == -EBUSY)
                set_error(ret_error,
                          "cannot replace %s: it is a mount point (kubeprep replaces files atomically by "
                          "rename); edit the file it is mounted from",
                          e->path);
        else if (k < 0)
                set_error(ret_error, "cannot write %s: %s", e->path, strerror(-k));
        return k;
}

bool commit_wanted(const struct fixer_result *r) {
        return r->status == STATUS_DRIFT || (r->status == STATUS_ERROR && r->partial && !plan_is_empty(r));
}

int commit_result(struct context *ctx, struct fixer_result *r, struct backup *b) {
        if (plan_is_empty(r))
                return 0; /* drift the fixer found no fix for (it needs the operator) stays drift */
        bool failed = false;
        for (size_t i = 0; i < r->n_edits; i++) {
                _cleanup_free_ char *err = NULL;
                int k = commit_edit(ctx, &r->edits[i], b, &err);
                if (k < 0 && !r->partial)
                        return result_fail(r, k, "%s", err);
                if (k < 0) {
                        /* Independent edits: one failing does not stop the others. */
                        result_fail(r, k, "%s", err);
                        failed = true;
                }
        }
        for (size_t i = 0; i < r->n_actions; i++) {
                struct live_action *a = &r->actions[i];
                if (!ctx->root->live || !a->run) {
                        a->status = ACTION_SKIPPED;
                        continue;
                }
                char *err = NULL;
                int k = a->run(a, &err);
                a->status = k < 0 ? ACTION_FAILED : ACTION_DONE;
                a->message = err;
                if (k < 0) {
                        failed = true;
                        result_fail(r, k, "%s %s failed: %s", a->action, a->target, err ? err : strerror(-k));
                }
        }
        if (failed)
                return -EIO;
        /* A partial result that refused something stays an error. */
        if (r->status != STATUS_ERROR)
                r->status = STATUS_CHANGED;
        return 0;
}
