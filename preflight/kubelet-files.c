/* SPDX-License-Identifier: MIT */
/* The kubelet's configuration files (see kubelet-files.h). */
#include "kubelet-files.h"

static void push(struct flag_file **v, size_t *n, const char *path, enum flags_format fmt, const char *var) {
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = (struct flag_file){.path = xstrdup(path), .format = fmt, .var = var};
}

int kubelet_flag_files(struct context *ctx, struct flag_file **ret, size_t *ret_n) {
        static const char *const dropin_dirs[] = {
                "/usr/lib/systemd/system/kubelet.service.d",
                "/lib/systemd/system/kubelet.service.d",
                "/etc/systemd/system/kubelet.service.d",
        };
        struct flag_file *v = NULL;
        size_t n = 0;
        if (root_exists(ctx->root, KUBEADM_FLAGS_ENV))
                push(&v, &n, KUBEADM_FLAGS_ENV, FLAGS_ENV_FILE, "KUBELET_KUBEADM_ARGS");
        if (root_exists(ctx->root, KUBELET_DEFAULTS_DEB))
                push(&v, &n, KUBELET_DEFAULTS_DEB, FLAGS_ENV_FILE, "KUBELET_EXTRA_ARGS");
        if (root_exists(ctx->root, KUBELET_DEFAULTS_RPM))
                push(&v, &n, KUBELET_DEFAULTS_RPM, FLAGS_ENV_FILE, "KUBELET_EXTRA_ARGS");
        struct strv seen = {}; /* /lib is often a link to /usr/lib: read each dir once */
        for (size_t i = 0; i < ELEMENTSOF(dropin_dirs); i++) {
                _cleanup_free_ char *real = NULL;
                struct strv names = {};
                if (root_resolve(ctx->root, dropin_dirs[i], &real) < 0 || strv_contains(&seen, real) ||
                    root_list_dir(ctx->root, dropin_dirs[i], &names) < 0)
                        continue;
                strv_push(&seen, TAKE_PTR(real));
                for (size_t j = 0; j < names.n; j++) {
                        size_t l = strlen(names.items[j]);
                        if (l > 5 && streq(names.items[j] + l - 5, ".conf")) {
                                _cleanup_free_ char *p = xasprintf("%s/%s", dropin_dirs[i], names.items[j]);
                                push(&v, &n, p, FLAGS_SYSTEMD_DROPIN, NULL);
                        }
                }
                strv_free(&names);
        }
        strv_free(&seen);
        *ret = v;
        *ret_n = n;
        return 0;
}

void flag_files_free(struct flag_file *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(f[i].path);
        free(f);
}

static int set_in_file(struct context *ctx, struct fixer_result *r, const struct flag_file *f, const char *flag,
                       const char *value) {
        _cleanup_free_ char *text = NULL, *old = NULL, *out = NULL, *err = NULL;
        size_t len, out_len;
        int k = ctx_read_file(ctx, f->path, &text, &len, NULL);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", f->path, strerror(-k));
        k = flags_get(text, len, f->format, flag, &old, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        if (k == 0 || streq(old, value))
                return 0;
        k = flags_set(text, len, f->format, f->var, flag, value, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        if (k == 0)
                return 0;
        k = plan_write_file(ctx, r, f->path, out, out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", f->path, strerror(-k));
        result_detail(r, "%s: --%s=%s (was %s)", f->path, flag, value, old);
        plan_restart(r, "kubelet.service");
        return 1;
}

int plan_kubelet_flag_where_set(struct context *ctx, struct fixer_result *r, const char *flag, const char *value) {
        struct flag_file *files = NULL;
        size_t n = 0;
        kubelet_flag_files(ctx, &files, &n);
        int changed = 0, failed = 0;
        for (size_t i = 0; i < n; i++) {
                int k = set_in_file(ctx, r, &files[i], flag, value);
                if (k < 0)
                        failed = k; /* keep going: report every file */
                else
                        changed += k;
        }
        flag_files_free(files, n);
        return failed < 0 ? failed : changed;
}
