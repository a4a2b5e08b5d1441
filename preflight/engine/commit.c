/* SPDX-License-Identifier: MIT */
/* Commit a plan (see commit.h). Each file is checked against the bytes the
 * plan was computed from right before it is replaced, so an edit made by
 * someone else in between is never overwritten. */
#include "engine/commit.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "basic/name-index.h"

/* Create the one missing directory dir with the edit's parent mode and owner
 * (a user's ~/.kube, owned by the user), recorded in the backup manifest
 * before it exists (see prepare_backups) so that rolling back even a run
 * killed right after it removes it again. It was missing when the plan was
 * made; if it appeared since, someone else is at work there: -ESTALE. */
static int make_parent_dir(const struct root *root, struct file_edit *e, const char *dir, char **ret_error) {
        const char *name = strrchr(dir, '/') + 1;
        _cleanup_free_ char *up = xstrndup(dir, (size_t) (name - 1 - dir));
        _cleanup_close_ int ufd = root_openat(root, *up ? up : "/", O_RDONLY | O_DIRECTORY, 0, e->resolve);
        if (ufd < 0)
                return ufd;
        if (e->existed) {
                set_error(ret_error,
                          "cannot open the directory of %s: removed by someone else while kubeprep ran; "
                          "not written",
                          e->path);
                return -ESTALE;
        }
        int k = mkdir_atomic_at(ufd, name, e->parent_mode, e->parent_uid, e->parent_gid);
        if (k >= 0)
                e->parent_created = true;
        return k == -EEXIST ? -ESTALE : k;
}

/* The directory of path, created when missing (see struct file_edit). */
static int open_parent_dir(const struct root *root, struct file_edit *e, const char **ret_base,
                           char **ret_error) {
        _cleanup_free_ char *parent = xstrdup(e->path);
        char *slash = strrchr(parent, '/');
        *slash = 0;
        const char *dir = *parent ? parent : "/";
        int fd = root_openat(root, dir, O_RDONLY | O_DIRECTORY, 0, e->resolve);
        if (fd == -ENOENT) {
                int k = e->parent_mode && *parent ? make_parent_dir(root, e, dir, ret_error)
                                                  : root_mkdir_p(root, dir, 0755);
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
                return (size_t) n == e->old_len && memcmp(target, e->old_data, e->old_len) == 0 ? 0
                                                                                                : -ESTALE;
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

/* Write the edit `last` made to a file, checked against and backed up as
 * `first` found it: first == last but for a file several fixers edit (see
 * commit_results). */
static int commit_edit(struct context *ctx, struct file_edit *first, const struct file_edit *last,
                       char **ret_error) {
        const char *base;
        _cleanup_free_ char *err = NULL;
        _cleanup_close_ int dfd = open_parent_dir(ctx->root, first, &base, &err);
        if (dfd < 0) {
                if (err)
                        set_error(ret_error, "%s", err);
                else
                        set_error(ret_error, "cannot open the directory of %s: %s", first->path,
                                  dfd == -ESTALE  ? "created by someone else while kubeprep ran; not written"
                                  : dfd == -ELOOP ? "a symlink on the way, which this file may not follow"
                                                  : strerror(-dfd));
                return dfd;
        }
        int k = check_unchanged(dfd, base, first);
        if (k < 0) {
                set_error(ret_error, "%s: %s", first->path,
                          k == -ESTALE ? "changed by someone else while kubeprep ran; not overwritten"
                                       : strerror(-k));
                return k;
        }
        if (last->kind == EDIT_SYMLINK)
                k = root_symlink_atomic(ctx->root, last->path, last->new_data);
        else
                k = last->set_attrs ? write_file_atomic_at(dfd, base, last->new_data, last->new_len,
                                                           last->new_mode, last->new_uid, last->new_gid)
                                    : write_file_atomic_at(dfd, base, last->new_data, last->new_len,
                                                           last->mode, last->uid, last->gid);
        if (k == -EBUSY)
                set_error(ret_error,
                          "cannot replace %s: it is a mount point (kubeprep replaces files atomically by "
                          "rename); edit the file it is mounted from",
                          last->path);
        else if (k < 0)
                set_error(ret_error, "cannot write %s: %s", last->path, strerror(-k));
        return k;
}

bool commit_wanted(const struct fixer_result *r) {
        return r->status == STATUS_DRIFT || (r->status == STATUS_ERROR && r->partial && !plan_is_empty(r));
}

/* One edit of a result being committed, in commit order. Several fixers may
 * edit one file (config.yaml: cgroup-driver, then csi-migration), each from
 * the bytes the one before planned; writing every step would leave a crash
 * a file that is neither old nor new. So such a chain of edits is written
 * once, at its last edit, checked against and backed up as its first edit
 * found the file. */
struct step {
        struct fixer_result *r;
        struct file_edit *e;
        uint32_t prev, next; /* the edit of the same file this one builds on / that builds on it; NONE */
        uint32_t path_first; /* the first step of the same path */
        uint32_t entry;      /* of a path's first step: the path's backup entry; NONE until it is saved */
        bool reached;        /* its result got this far (a failed result stops at its first failure) */
};
#define NONE UINT32_MAX

/* Was later planned from the bytes e leaves? */
static bool continues(const struct file_edit *e, const struct file_edit *later) {
        return streq(e->path, later->path) && e->kind == EDIT_CONTENT && later->kind == EDIT_CONTENT &&
               later->existed && !later->old_is_symlink && e->resolve == later->resolve &&
               later->old_len == e->new_len && memcmp(later->old_data, e->new_data, e->new_len) == 0;
}

/* Link each edit to the next edit of its path by another result, if planned from its bytes.
 * The edits of one path are found through an index, not by comparing every pair: a run that
 * writes 10,000 users' kubeconfigs has 10,000 paths. */
static void link_chains(struct step *steps, size_t n) {
        struct name_index paths = {};
        _cleanup_free_ size_t *same = xmalloc((n ? n : 1) * sizeof(size_t)); /* next of this path */
        _cleanup_free_ size_t *last = xmalloc((n ? n : 1) * sizeof(size_t)); /* per first step */
        for (size_t i = 0; i < n; i++) {
                size_t first;
                same[i] = NONE;
                if (name_index_put(&paths, steps[i].e->path, i)) {
                        last[i] = i;
                        steps[i].path_first = (uint32_t) i;
                        continue;
                }
                (void) name_index_get(&paths, steps[i].e->path, &first);
                same[last[first]] = i;
                last[first] = i;
                steps[i].path_first = (uint32_t) first;
        }
        name_index_free(&paths);
        for (size_t i = 0; i < n; i++)
                for (size_t j = same[i]; j != NONE; j = same[j]) {
                        if (steps[j].r == steps[i].r)
                                continue;
                        if (continues(steps[i].e, steps[j].e) && steps[j].prev == NONE) {
                                steps[i].next = (uint32_t) j;
                                steps[j].prev = (uint32_t) i;
                        }
                        break;
                }
}

static size_t chain_first(const struct step *steps, size_t i) {
        while (steps[i].prev != NONE)
                i = steps[i].prev;
        return i;
}

/* Save every file the commit may write, and write the manifest once, before anything is changed.
 * A user's missing ~/.kube is recorded as made by the run (parentCreated) before it is made. */
static int prepare_backups(struct context *ctx, struct step *steps, size_t n, struct backup *b,
                           char **ret_error) {
        for (size_t i = 0; i < n; i++) {
                if (steps[i].next != NONE || plan_is_empty(steps[i].r))
                        continue;
                struct file_edit *first = steps[chain_first(steps, i)].e;
                if (first->parent_mode && !first->existed) {
                        _cleanup_free_ char *dir =
                                xstrndup(first->path, strrchr(first->path, '/') - first->path);
                        _cleanup_close_ int fd =
                                *dir ? root_openat(ctx->root, dir, O_RDONLY | O_DIRECTORY, 0, first->resolve)
                                     : -EBADF;
                        first->parent_created = *dir && fd == -ENOENT;
                }
                /* A path several chains write (edits not planned from one another's bytes) is
                 * saved once, as the first of them found it. */
                struct step *p = &steps[steps[i].path_first];
                int k = 0;
                if (p->entry == NONE)
                        k = backup_add(b, first, steps[i].e, ret_error);
                else
                        backup_add_written(b, p->entry, steps[i].e);
                first->parent_created = false; /* until make_parent_dir() does make it */
                if (k < 0)
                        return k;
                if (p->entry == NONE)
                        p->entry = (uint32_t) k;
        }
        return backup_flush(b, ret_error);
}

/* Write step i's file: at once, or with the chain it ends. */
static int commit_step(struct context *ctx, struct step *steps, size_t i, char **ret_error) {
        size_t first = i;
        while (steps[first].prev != NONE)
                first = steps[first].prev;
        int k = 0;
        for (size_t j = first; j != i; j = steps[j].next)
                if (!steps[j].reached) {
                        set_error(ret_error, "%s: not written: the %s fix it builds on failed",
                                  steps[i].e->path, steps[j].r->fixer->name);
                        k = -ESTALE;
                }
        if (k == 0)
                k = commit_edit(ctx, steps[first].e, steps[i].e, ret_error);
        if (k == 0) /* every edit of the chain is in the file now */
                for (size_t j = first;; j = steps[j].next) {
                        steps[j].e->written = true;
                        if (j == i)
                                break;
                }
        if (k < 0)
                for (size_t j = first; j != i; j = steps[j].next)
                        if (steps[j].reached)
                                result_fail(steps[j].r, k, "%s", *ret_error);
        return k;
}

static int commit_result(struct context *ctx, struct fixer_result *r, struct step *steps, size_t s0) {
        bool failed = false;
        for (size_t i = 0; i < r->n_edits; i++) {
                steps[s0 + i].reached = true;
                if (steps[s0 + i].next != NONE)
                        continue; /* a later fixer's edit of the same file writes this one too */
                _cleanup_free_ char *err = NULL;
                int k = commit_step(ctx, steps, s0 + i, &err);
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
                        result_fail(r, k, "%s %s failed: %s", a->action, a->target,
                                    err ? err : strerror(-k));
                }
        }
        if (failed)
                return -EIO;
        /* A partial result that refused something stays an error. */
        if (r->status != STATUS_ERROR)
                r->status = STATUS_CHANGED;
        return 0;
}

void commit_results(struct context *ctx, struct fixer_result *results, size_t n, struct backup *b) {
        size_t n_steps = 0;
        for (size_t i = 0; i < n; i++)
                if (commit_wanted(&results[i]))
                        n_steps += results[i].n_edits;
        struct step *steps = xmalloc((n_steps ? n_steps : 1) * sizeof(*steps));
        n_steps = 0;
        for (size_t i = 0; i < n; i++)
                if (commit_wanted(&results[i]))
                        for (size_t j = 0; j < results[i].n_edits; j++)
                                steps[n_steps++] = (struct step){
                                        .r = &results[i],
                                        .e = &results[i].edits[j],
                                        .prev = NONE,
                                        .next = NONE,
                                        .entry = NONE,
                                };
        link_chains(steps, n_steps);
        _cleanup_free_ char *err = NULL;
        int k = prepare_backups(ctx, steps, n_steps, b, &err);
        size_t s0 = 0;
        for (size_t i = 0; i < n; i++) {
                if (!commit_wanted(&results[i]))
                        continue;
                struct fixer_result *r = &results[i];
                size_t n_edits = r->n_edits;
                /* drift the fixer found no fix for (it needs the operator) stays drift */
                if (!plan_is_empty(r) && k < 0 && n_edits > 0)
                        (void) result_fail(r, k, "%s",
                                           err); /* nothing could be backed up: nothing written */
                else if (!plan_is_empty(r))
                        (void) commit_result(ctx, r, steps, s0);
                s0 += n_edits;
        }
        for (size_t i = 0; k >= 0 && i < n_steps; i++) {
                uint32_t entry = steps[steps[i].path_first].entry;
                if (steps[i].next == NONE && entry != NONE) {
                        const struct file_edit *first = steps[chain_first(steps, i)].e;
                        backup_settle(b, entry, steps[i].e->written, first->parent_created);
                }
        }
        _cleanup_free_ char *ferr = NULL;
        if (backup_finish(b, &ferr) < 0)
                fprintf(stderr, "kubeprep: %s\n", ferr);
        free(steps);
}
