/* SPDX-License-Identifier: MIT */
/* The `kubelet-flags` fixer: a flag the installed kubelet no longer accepts
 * stops it ("failed to parse kubelet flag: unknown flag"), so such flags are
 * removed from every file the kubelet reads flags from. */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-files.h"

/* Remove every flag this kubelet rejects from one file. Returns 1 when the
 * file changes, 0 when clean, <0 after result_refuse(). */
static int clean_file(struct context *ctx, struct fixer_result *r, const struct flag_file *f,
                      struct strv *found) {
        _cleanup_(flag_text_done) struct flag_text text = {};
        size_t len, n_removed;
        const struct removed_flag *removed = kubelet_removed_flags(&n_removed);
        int k = flag_text_read(ctx, f->path, &text);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", f->path, read_strerror(k));
        /* One scan says which of the flags the file may hold, where a flags_remove() each would parse
         * it up to a hundred times; again after each removal, which changed the text. */
        _cleanup_free_ const char **names = xmalloc((n_removed + 1) * sizeof(*names));
        _cleanup_free_ bool *maybe = xmalloc(n_removed + 1);
        for (size_t i = 0; i < n_removed; i++)
                names[i] = removed[i].flag;
        flags_may_mention(text.data, text.len, names, n_removed, maybe);
        bool changed = false;
        for (size_t i = 0; i < n_removed; i++) {
                const struct removed_flag *rf = &removed[i];
                if (!version_at_least(&ctx->node.kubelet, rf->major, rf->minor) || !maybe[i])
                        continue;
                _cleanup_free_ char *out = NULL, *err = NULL;
                size_t out_len;
                k = flags_remove(text.data, text.len, f->format, rf->flag, &out, &out_len, &err);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
                if (k == 0)
                        continue;
                flag_text_replace(&text, TAKE_PTR(out), out_len);
                changed = true;
                flags_may_mention(text.data, text.len, names, n_removed, maybe);
                result_detail(r, "%s: remove --%s (%s)", f->path, rf->flag, rf->why);
                _cleanup_free_ char *name = xasprintf("--%s", rf->flag);
                if (!strv_contains(found, name))
                        strv_push(found, TAKE_PTR(name));
        }
        if (!changed)
                return 0;
        char *data = flag_text_steal(&text, &len);
        return plan_write_file_restart_take(ctx, r, f->path, data, len, "kubelet.service");
}

/* Nothing to remove: say what was checked, and where. */
static void message_clean(struct fixer_result *r, const struct node_facts *n, const struct strv *checked) {
        size_t n_removed, n_known = 0;
        const struct removed_flag *removed = kubelet_removed_flags(&n_removed);
        for (size_t i = 0; i < n_removed; i++)
                n_known += version_at_least(&n->kubelet, removed[i].major, removed[i].minor);
        if (n_known == 0) {
                result_message(r, "kubelet %s predates every flag removal kubeprep knows (from %u.%u)",
                               n->kubelet_version, removed[0].major, removed[0].minor);
                return;
        }
        _cleanup_free_ char *where = strv_join(checked, ", ");
        result_message(r, "no flag removed up to kubelet %s is set (%zu checked%s%s)", n->kubelet_version,
                       n_known, checked->n ? " in " : "; no kubelet flag file in the tree", where);
}

static int kubelet_flags_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (n->error)
                return result_refuse(r, -EINVAL, "%s", n->error);
        if (!n->kubelet_version) {
                for (size_t i = 0; i < n->version_notes.n; i++)
                        result_warn(r, "%s", n->version_notes.items[i]);
                result_skip(r, "kubelet version unknown: pass --kubelet-version");
                return 0;
        }
        struct flag_file *files = NULL;
        size_t n_files = 0;
        kubelet_flag_files(ctx, &files, &n_files);
        struct strv found = {}, checked = {};
        int failed = 0;
        for (size_t i = 0; i < n_files; i++) {
                int k = clean_file(ctx, r, &files[i], &found);
                strv_push(&checked, xstrdup(files[i].path));
                if (k < 0)
                        failed = k; /* keep going: report every file */
        }
        flag_files_free(files, n_files);
        if (found.n) {
                _cleanup_free_ char *flags = strv_join(&found, ", ");
                if (r->status == STATUS_ERROR) /* keep the refusal as the message */
                        result_detail(r, "kubelet %s no longer accepts %s", n->kubelet_version, flags);
                else
                        result_message(r, "kubelet %s no longer accepts %s", n->kubelet_version, flags);
        } else if (!failed)
                message_clean(r, n, &checked);
        strv_free(&found);
        strv_free(&checked);
        return failed;
}

const struct fixer fixer_kubelet_flags = {
        .name = "kubelet-flags",
        .description =
                "no kubelet flag the installed kubelet no longer accepts (e.g. --network-plugin on >= 1.24)",
        .plan = kubelet_flags_plan,
};
