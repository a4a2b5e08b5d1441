/* SPDX-License-Identifier: MIT */
/* A run's context (see context.h): opening and closing it, and the overlay of
 * planned file contents that lets several fixers edit one file in one run. */
#include "engine/context.h"

#include "engine/fixer.h"
#include "engine/profile-eviction.h"

struct blob *blob_new(const char *data, size_t len) {
        if (len > SIZE_MAX - sizeof(struct blob) - 1)
                oom();
        struct blob *b = xmalloc(sizeof(struct blob) + len + 1);
        b->n_ref = 1;
        b->len = len;
        b->data = b->inline_data;
        memcpy(b->data, data, len);
        b->data[len] = 0;
        return b;
}

struct blob *blob_take(char *data, size_t len) {
        struct blob *b = xmalloc(sizeof(struct blob));
        *b = (struct blob){ .n_ref = 1, .len = len, .data = data };
        return b;
}

struct blob *blob_ref(struct blob *b) {
        b->n_ref++;
        return b;
}

void blob_unref(struct blob *b) {
        if (!b || --b->n_ref > 0)
                return;
        if (b->data != b->inline_data)
                free(b->data);
        free(b);
}

static const char *auto_profile(const struct node_facts *n) {
        return n->arch && streq(n->arch, "aarch64") ? "aarch64" : "default";
}

int context_open(const struct options *opts, const char *profile, struct context *ret, char **ret_error) {
        struct context ctx = { .opts = opts };
        const char *path = opts->root ? opts->root : "/";
        int k = root_open(path, !opts->root, &ctx.root);
        if (k < 0) {
                set_error(ret_error, "cannot open root %s: %s", path, strerror(-k));
                return k;
        }
        node_facts_gather(ctx.root, opts, &ctx.node);

        if (!profile)
                profile = opts->profile;
        const char *pname = streq(profile, "auto") ? auto_profile(&ctx.node) : profile;
        /* An invalid eviction entry is a profile error, found before any fixer runs. */
        _cleanup_free_ char *perr = NULL;
        k = profile_load(ctx.root, pname, &ctx.profile, &perr);
        if (k >= 0)
                k = eviction_validate(ctx.profile, &perr);
        if (k < 0) {
                set_error(ret_error, "%s", perr ? perr : "cannot load the profile");
                context_close(&ctx);
                return k;
        }
        node_facts_gather_name(ctx.root, opts, ctx.profile->node_name, &ctx.node);
        *ret = ctx;
        return 0;
}

void context_close(struct context *ctx) {
        profile_free(ctx->profile);
        node_facts_free(&ctx->node);
        context_free(ctx);
        root_free(ctx->root);
        *ctx = (struct context){};
}

void context_free(struct context *ctx) {
        for (size_t i = 0; i < ctx->n_overlay; i++)
                blob_unref(ctx->overlay[i].data);
        free(ctx->overlay);
        ctx->overlay = NULL;
        ctx->n_overlay = 0;
        name_index_free(&ctx->overlay_index);
}

struct overlay_entry *overlay_find(const struct context *ctx, const char *path) {
        size_t i;
        return name_index_get(&ctx->overlay_index, path, &i) ? &ctx->overlay[i] : NULL;
}

int overlay_read(const struct overlay_entry *o, struct blob **ret, struct stat *ret_st) {
        if (!o->exists)
                return -ENOENT;
        *ret = blob_ref(o->data);
        if (ret_st)
                *ret_st = (struct stat){ .st_mode = S_IFREG | o->mode, .st_uid = o->uid, .st_gid = o->gid };
        return 0;
}

int ctx_read_blob(struct context *ctx, const char *path, struct blob **ret, struct stat *ret_st) {
        char *data;
        size_t len;
        /* Nothing planned yet (a check of a node that complies plans nothing): the file as it is, without
         * first resolving its path to look it up, which cost three syscalls a read. */
        if (ctx->n_overlay == 0) {
                int k = root_read_file(ctx->root, path, &data, &len, ret_st);
                if (k >= 0)
                        *ret = blob_take(data, len);
                return k;
        }
        _cleanup_free_ char *resolved = NULL;
        int k = root_resolve(ctx->root, path, &resolved);
        if (k < 0)
                return k;
        const struct overlay_entry *o = overlay_find(ctx, resolved);
        if (o)
                return overlay_read(o, ret, ret_st);
        k = root_read_file(ctx->root, resolved, &data, &len, ret_st);
        if (k >= 0)
                *ret = blob_take(data, len);
        return k;
}

int ctx_read_file(struct context *ctx, const char *path, char **ret_data, size_t *ret_len,
                  struct stat *ret_st) {
        struct blob *b;
        int k = ctx_read_blob(ctx, path, &b, ret_st);
        if (k < 0)
                return k;
        /* A file read is its blob's buffer, handed over; planned bytes are copied. */
        if (b->n_ref == 1 && b->data != b->inline_data) {
                *ret_data = b->data;
                b->data = b->inline_data;
        } else
                *ret_data = xstrndup(b->data, b->len);
        *ret_len = b->len;
        blob_unref(b);
        return 0;
}

void overlay_set(struct context *ctx, const struct file_edit *e) {
        struct overlay_entry *o = overlay_find(ctx, e->path);
        if (!o) {
                ctx->overlay = xrealloc(ctx->overlay, (ctx->n_overlay + 1) * sizeof(*o));
                o = &ctx->overlay[ctx->n_overlay++];
                *o = (struct overlay_entry){};
                (void) name_index_put(&ctx->overlay_index, e->path, ctx->n_overlay - 1);
        }
        blob_ref(e->new_blob);
        blob_unref(o->data);
        o->exists = true;
        o->data = e->new_blob;
        o->mode = e->set_attrs ? e->new_mode : e->mode;
        o->uid = e->set_attrs ? e->new_uid : e->uid;
        o->gid = e->set_attrs ? e->new_gid : e->gid;
}
