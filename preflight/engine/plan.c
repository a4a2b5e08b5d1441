/* SPDX-License-Identifier: MIT */
/* Building plans: file edits, live actions and restarts, each edit recorded
 * in the run's overlay (context.h); and the result helpers fixers use. */
#include <fcntl.h>
#include <sys/stat.h>

#include "engine/fixer.h"

/* The bytes a content edit writes: a reference to data, in place of any it had. */
static void edit_set_content(struct file_edit *e, struct blob *data) {
        blob_ref(data);
        blob_unref(e->new_blob);
        e->new_blob = data;
        e->new_data = data->data;
        e->new_len = data->len;
}

static struct file_edit *edit_new(struct fixer_result *r) {
        r->edits = xrealloc(r->edits, (r->n_edits + 1) * sizeof(*r->edits));
        struct file_edit *e = &r->edits[r->n_edits++];
        *e = (struct file_edit){ .uid = (uid_t) -1, .gid = (gid_t) -1 };
        return e;
}

/* A content edit: old state from st (NULL: the file does not exist yet, and
 * gets mode/uid/gid), taking ownership of path and old (may be NULL), and a reference to data. */
static struct file_edit *edit_content(struct fixer_result *r, char *path, const struct stat *st,
                                      struct blob *old, struct blob *data, mode_t mode, uid_t uid,
                                      gid_t gid) {
        struct file_edit *e = edit_new(r);
        e->path = path;
        e->kind = EDIT_CONTENT;
        e->existed = st != NULL;
        if (st && old) {
                e->old_blob = old;
                e->old_data = old->data;
                e->old_len = old->len;
        } else
                blob_unref(old);
        edit_set_content(e, data);
        e->mode = st ? (st->st_mode & 07777) : mode;
        e->uid = st ? st->st_uid : uid;
        e->gid = st ? st->st_gid : gid;
        return e;
}

/* plan_write_file() of content, a reference to which the edit and the overlay keep. */
static int plan_write_blob(struct context *ctx, struct fixer_result *r, const char *path,
                           struct blob *content, mode_t mode_if_new) {
        _cleanup_free_ char *resolved = NULL;
        int k = root_resolve(ctx->root, path, &resolved);
        if (k < 0)
                return k;
        struct blob *old = NULL;
        struct stat st = {};
        k = ctx_read_blob(ctx, resolved, &old, &st);
        if (k < 0 && k != -ENOENT)
                return k;
        bool existed = k >= 0;
        if (existed && old->len == content->len && memcmp(old->data, content->data, content->len) == 0) {
                blob_unref(old);
                return 0;
        }

        /* A second write by the same fixer extends its first edit: one diff per file. */
        struct file_edit *e = NULL;
        for (size_t i = 0; !e && i < r->n_edits; i++)
                if (r->edits[i].kind == EDIT_CONTENT && streq(r->edits[i].path, resolved))
                        e = &r->edits[i];
        if (e) {
                blob_unref(old);
                edit_set_content(e, content);
        } else
                e = edit_content(r, TAKE_PTR(resolved), existed ? &st : NULL, old, content, mode_if_new,
                                 (uid_t) -1, (gid_t) -1);
        overlay_set(ctx, e);
        return 1;
}

int plan_write_file(struct context *ctx, struct fixer_result *r, const char *path, const char *data,
                    size_t len, mode_t mode_if_new) {
        struct blob *content = blob_new(data, len);
        int k = plan_write_blob(ctx, r, path, content, mode_if_new);
        blob_unref(content);
        return k;
}

int plan_write_file_take(struct context *ctx, struct fixer_result *r, const char *path, char *data,
                         size_t len, mode_t mode_if_new) {
        struct blob *content = blob_take(data, len);
        int k = plan_write_blob(ctx, r, path, content, mode_if_new);
        blob_unref(content);
        return k;
}

int plan_write_file_attrs(struct context *ctx, struct fixer_result *r, const char *path, struct blob *data,
                          const struct file_attrs *a) {
        struct blob *old = NULL;
        struct stat st = {};
        int k;
        struct overlay_entry *o = overlay_find(ctx, path);
        if (o)
                k = overlay_read(o, &old, &st);
        else {
                _cleanup_close_ int fd = root_openat(
                        ctx->root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0, a->resolve);
                char *text = NULL;
                size_t len = 0;
                k = fd < 0 ? fd : read_fd_whole(fd, &text, &len, &st);
                if (k >= 0)
                        old = blob_take(text, len);
        }
        if (k < 0 && k != -ENOENT)
                return k;
        bool existed = k >= 0;
        if (existed && old->len == data->len && memcmp(old->data, data->data, data->len) == 0 &&
            (st.st_mode & 07777) == a->mode && st.st_uid == a->uid && st.st_gid == a->gid) {
                blob_unref(old);
                return 0;
        }

        struct file_edit *e =
                edit_content(r, xstrdup(path), existed ? &st : NULL, old, data, a->mode, a->uid, a->gid);
        e->resolve = a->resolve;
        e->set_attrs = true;
        e->new_mode = a->mode;
        e->new_uid = a->uid;
        e->new_gid = a->gid;
        e->parent_mode = a->parent_mode;
        e->parent_uid = a->parent_uid;
        e->parent_gid = a->parent_gid;
        e->secret = a->secret;
        overlay_set(ctx, e);
        return 1;
}

int plan_symlink(struct context *ctx, struct fixer_result *r, const char *path, const char *target) {
        struct stat st;
        _cleanup_free_ char *old_target = NULL;
        int k = root_lstat(ctx->root, path, &st);
        if (k < 0 && k != -ENOENT)
                return k;
        bool existed = k >= 0;
        if (existed && S_ISLNK(st.st_mode)) {
                k = root_readlink(ctx->root, path, &old_target);
                if (k < 0)
                        return k;
                if (streq(old_target, target))
                        return 0;
        }
        _cleanup_free_ char *old = NULL;
        size_t old_len = 0;
        if (existed && S_ISREG(st.st_mode)) {
                k = root_read_file(ctx->root, path, &old, &old_len, NULL);
                if (k < 0)
                        return k;
        } else if (existed && !S_ISLNK(st.st_mode))
                return -EEXIST; /* a directory or device where a link should be: not ours to replace */

        struct file_edit *e = edit_new(r);
        e->path = xstrdup(path);
        e->kind = EDIT_SYMLINK;
        e->existed = existed;
        e->old_is_symlink = old_target != NULL;
        if (old_target) {
                e->old_len = strlen(old_target);
                e->old_data = TAKE_PTR(old_target);
        } else {
                e->old_len = old_len;
                e->old_data = TAKE_PTR(old);
        }
        e->new_data = xstrdup(target);
        e->new_len = strlen(target);
        e->mode = existed ? (st.st_mode & 07777) : 0644;
        if (existed) {
                e->uid = st.st_uid;
                e->gid = st.st_gid;
        }
        return 1;
}

void plan_action(struct fixer_result *r, const char *action, const char *target,
                 int (*run)(const struct live_action *a, char **ret_error)) {
        r->actions = xrealloc(r->actions, (r->n_actions + 1) * sizeof(*r->actions));
        r->actions[r->n_actions++] = (struct live_action){
                .action = xstrdup(action),
                .target = xstrdup(target),
                .run = run,
                .status = ACTION_PLANNED,
        };
}

void plan_restart(struct fixer_result *r, const char *unit) {
        if (!strv_contains(&r->restarts, unit))
                strv_push(&r->restarts, xstrdup(unit));
}

/* plan_write_file_restart()'s end: k is what planning the write returned. */
static int restart_if_planned(struct fixer_result *r, const char *path, int k, const char *unit) {
        if (k < 0)
                return result_refuse(r, k, "%s: %s", path, read_strerror(k));
        if (k > 0) /* no restart for a file that already holds these bytes */
                plan_restart(r, unit);
        return k;
}

int plan_write_file_restart(struct context *ctx, struct fixer_result *r, const char *path, const char *data,
                            size_t len, const char *unit) {
        return restart_if_planned(r, path, plan_write_file(ctx, r, path, data, len, 0644), unit);
}

int plan_write_file_restart_take(struct context *ctx, struct fixer_result *r, const char *path, char *data,
                                 size_t len, const char *unit) {
        return restart_if_planned(r, path, plan_write_file_take(ctx, r, path, data, len, 0644), unit);
}

bool plan_is_empty(const struct fixer_result *r) {
        return r->n_edits == 0 && r->n_actions == 0;
}

#define VFORMAT(fmt, out)                  \
        do {                               \
                va_list ap;                \
                va_start(ap, fmt);         \
                out = xvasprintf(fmt, ap); \
                va_end(ap);                \
        } while (0)

void result_detail(struct fixer_result *r, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        strv_push(&r->details, s);
}

void result_detail_later(struct fixer_result *r) {
        r->later_at = xrealloc_grow(r->later_at, r->n_later, sizeof(*r->later_at));
        r->later_at[r->n_later++] = (uint32_t) r->details.n;
}

void result_each_detail(const struct fixer_result *r, void (*emit)(const char *detail, void *userdata),
                        void *userdata) {
        size_t j = 0;
        for (size_t i = 0; i <= r->details.n; i++) {
                for (; j < r->n_later && r->later_at[j] == i; j++) {
                        _cleanup_free_ char *d = r->later_detail(r, j);
                        emit(d, userdata);
                }
                if (i < r->details.n)
                        emit(r->details.items[i], userdata);
        }
}

void result_warn(struct fixer_result *r, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        strv_push(&r->warnings, s);
}

void result_message(struct fixer_result *r, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        free(r->message);
        r->message = s;
}

void result_skip(struct fixer_result *r, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        free(r->message);
        r->message = s;
        r->status = STATUS_SKIPPED;
}

void result_kubeadm_check(struct fixer_result *r, const char *check) {
        if (!strv_contains(&r->kubeadm_checks, check))
                strv_push(&r->kubeadm_checks, xstrdup(check));
}

/* Mark r as error with exit code at least exit_code. The first error is the
 * message; later ones become details, so none is lost. */
static void result_error(struct fixer_result *r, int exit_code, char *msg) {
        if (r->status == STATUS_ERROR && r->message)
                strv_push(&r->details, msg);
        else {
                free(r->message);
                r->message = msg;
        }
        r->status = STATUS_ERROR;
        if (r->exit_code < exit_code)
                r->exit_code = exit_code;
}

int result_refuse(struct fixer_result *r, int err, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        result_error(r, 2, s);
        return err < 0 ? err : -EBADMSG;
}

int result_fail(struct fixer_result *r, int err, const char *fmt, ...) {
        char *s;
        VFORMAT(fmt, s);
        result_error(r, 1, s);
        return err < 0 ? err : -EIO;
}

void fixer_result_free(struct fixer_result *r) {
        free(r->message);
        strv_free(&r->details);
        strv_free(&r->warnings);
        for (size_t i = 0; i < r->n_edits; i++) {
                free(r->edits[i].path);
                if (r->edits[i].old_blob)
                        blob_unref(r->edits[i].old_blob);
                else
                        free(r->edits[i].old_data);
                /* A content edit's bytes are its blob's; a link's target its own. */
                if (r->edits[i].new_blob)
                        blob_unref(r->edits[i].new_blob);
                else
                        free(r->edits[i].new_data);
        }
        free(r->edits);
        for (size_t i = 0; i < r->n_actions; i++) {
                free(r->actions[i].action);
                free(r->actions[i].target);
                free(r->actions[i].message);
        }
        free(r->actions);
        strv_free(&r->restarts);
        strv_free(&r->kubeadm_checks);
        free(r->later_at);
        if (r->later_data_free)
                r->later_data_free(r->later_data);
        *r = (struct fixer_result){};
}

const char *fixer_status_to_string(enum fixer_status s) {
        static const char *const names[_STATUS_MAX] = {
                [STATUS_OK] = "ok",       [STATUS_DRIFT] = "drift",     [STATUS_CHANGED] = "changed",
                [STATUS_ERROR] = "error", [STATUS_SKIPPED] = "skipped",
        };
        return s < _STATUS_MAX ? names[s] : "unknown";
}

const char *action_status_to_string(enum action_status s) {
        switch (s) {
        case ACTION_PLANNED:
                return "planned";
        case ACTION_DONE:
                return "done";
        case ACTION_FAILED:
                return "failed";
        case ACTION_SKIPPED:
                return "skipped";
        }
        return "unknown";
}
