/* SPDX-License-Identifier: MIT */
/* The `eviction` fixer: the profile's eviction thresholds as kubelet flags,
 * merged into the flag files that are already there (every other flag, its
 * order and quoting stay). */
#include "engine/profile-eviction.h"
#include "fixers/registry.h"
#include "fixers/shared/kubelet-files.h"

/* Where a flag set nowhere yet goes: kubeadm-flags.env once kubeadm has
 * written it; before that (a fresh node) the distribution's kubelet defaults
 * file, which 10-kubeadm.conf reads after it and kubeadm never rewrites. */
static const char *target_file(struct context *ctx, const char **ret_var) {
        *ret_var = "KUBELET_KUBEADM_ARGS";
        if (root_exists(ctx->root, KUBEADM_FLAGS_ENV))
                return KUBEADM_FLAGS_ENV;
        *ret_var = "KUBELET_EXTRA_ARGS";
        return kubelet_defaults_file(ctx);
}

/* Which flags some kubelet flag file already sets (found[i]). <0 refused. */
static int scan_files(struct context *ctx, struct fixer_result *r, const struct flag_file *files,
                      size_t n_files, const struct eviction_flag *flags, size_t n, bool *found) {
        int refused = 0;
        for (size_t f = 0; f < n_files; f++) {
                _cleanup_(flag_text_done) struct flag_text text = {};
                int k = flag_text_read(ctx, files[f].path, &text);
                if (k == -ENOENT)
                        continue;
                if (k < 0) {
                        refused =
                                result_refuse(r, k, "%s: cannot read: %s", files[f].path, read_strerror(k));
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *old = NULL, *err = NULL;
                        k = flags_get(text.data, text.len, files[f].format, flags[i].name, &old, &err);
                        if (k < 0) {
                                /* Report every file; one message per file is enough. */
                                refused = result_refuse(r, k, "%s: %s; the file was not changed",
                                                        files[f].path, err);
                                break;
                        }
                        found[i] |= k > 0;
                }
        }
        return refused;
}

/* One file: every flag it sets gets its new value in place; when add_var is
 * given (the target file), the flags no file sets are added to that
 * variable. A missing target is created. 1 changed, 0 not, <0 refused. */
static int edit_file(struct context *ctx, struct fixer_result *r, const char *path, enum flags_format format,
                     const char *var, const struct eviction_flag *flags, size_t n, const bool *found,
                     bool add) {
        _cleanup_(flag_text_done) struct flag_text text = {};
        size_t len = 0;
        int k = flag_text_read(ctx, path, &text);
        if (k == -ENOENT && !add)
                return 0;
        if (k == -ENOENT)
                flag_text_replace(&text, xstrdup(""), 0);
        else if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", path, read_strerror(k));
        bool changed = false;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *old = NULL, *out = NULL, *err = NULL;
                size_t out_len;
                k = flags_get(text.data, text.len, format, flags[i].name, &old, &err);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
                if (k > 0 ? eviction_flag_values_equal(old, flags[i].value) : !add || found[i])
                        continue;
                k = flags_set(text.data, text.len, format, var, flags[i].name, flags[i].value, &out,
                              &out_len, &err);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
                if (k == 0)
                        continue;
                flag_text_replace(&text, TAKE_PTR(out), out_len);
                changed = true;
                if (old)
                        result_detail(r, "%s: --%s=%s (was %s)", path, flags[i].name, flags[i].value, old);
                else
                        result_detail(r, "%s: add --%s=%s to %s", path, flags[i].name, flags[i].value, var);
        }
        if (!changed)
                return 0;
        char *data = flag_text_steal(&text, &len);
        return plan_write_file_restart_take(ctx, r, path, data, len, "kubelet.service");
}

static int eviction_plan(struct context *ctx, struct fixer_result *r) {
        struct strv warnings = {};
        eviction_warnings(ctx->profile, &warnings);
        for (size_t i = 0; i < warnings.n; i++)
                result_warn(r, "%s", warnings.items[i]);
        strv_free(&warnings);

        struct eviction_flag flags[EVICTION_FLAGS_MAX];
        size_t n = eviction_flags(ctx->profile, flags);
        if (n == 0) {
                /* An empty map means "no opinion": a flag the files set stays. */
                result_message(r, "the profile sets no eviction thresholds");
                return 0;
        }
        bool found[EVICTION_FLAGS_MAX] = {};
        struct flag_file *files = NULL;
        size_t n_files = 0;
        kubelet_flag_files(ctx, &files, &n_files);
        int refused = scan_files(ctx, r, files, n_files, flags, n, found);
        size_t missing = 0;
        for (size_t i = 0; i < n; i++)
                missing += !found[i];
        const char *var, *target = target_file(ctx, &var);
        int changed = 0;
        bool target_seen = false;
        for (size_t i = 0; refused == 0 && i < n_files; i++) {
                bool is_target = target && streq(files[i].path, target);
                target_seen |= is_target;
                int k = edit_file(ctx, r, files[i].path, files[i].format, files[i].var, flags, n, found,
                                  is_target);
                if (k < 0)
                        refused = k;
                else
                        changed += k;
        }
        flag_files_free(files, n_files);
        if (refused == 0 && missing > 0 && !target)
                result_skip(r,
                            "no %s, and the tree is neither deb nor rpm: no kubelet flag file to put the "
                            "eviction flags in",
                            KUBEADM_FLAGS_ENV);
        else if (refused == 0 && missing > 0 && !target_seen) {
                int k = edit_file(ctx, r, target, FLAGS_ENV_FILE, var, flags, n, found, true);
                if (k < 0)
                        refused = k;
                else
                        changed += k;
        }
        eviction_flags_free(flags, n);
        if (refused < 0)
                return refused;
        if (r->status == STATUS_SKIPPED)
                return 0;
        if (changed)
                result_message(r, "the kubelet flags %s the profile's eviction thresholds",
                               missing ? "lack" : "differ from");
        else
                result_message(r, "the kubelet flags hold the profile's eviction thresholds");
        return 0;
}

const struct fixer fixer_eviction = {
        .name = "eviction",
        .description = "the profile's eviction thresholds are in the kubelet flags (kubeadm-flags.env)",
        .plan = eviction_plan,
};
