/* SPDX-License-Identifier: MIT */
/* The kubelet's configuration files (see kubelet-files.h). */
#include "kubelet-files.h"

#include "yaml-edit.h"

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
                return result_refuse(r, k, "%s: cannot read: %s", f->path, read_strerror(k));
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
        k = plan_write_file_restart(ctx, r, f->path, out, out_len, "kubelet.service");
        if (k < 0)
                return k;
        result_detail(r, "%s: --%s=%s (was %s)", f->path, flag, value, old);
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

static const char patch_header[] =
        "# Written by kubeprep: KubeletConfiguration settings for kubeadm to keep.\n"
        "# Use: kubeadm init|join --patches " KUBEPREP_PATCHES_DIR "\n"
        "apiVersion: kubelet.config.k8s.io/v1beta1\n"
        "kind: KubeletConfiguration\n";

/* Edit one YAML file with set (value) or remove (value NULL). Returns 1 when
 * planned, 0 when already so; *ret_old gets the old value. A missing file is
 * created from `initial` (or skipped when initial is NULL). */
static int edit_yaml(struct context *ctx, struct fixer_result *r, const char *file, const char *initial,
                     const char *const *path, const char *value, char **ret_old) {
        _cleanup_free_ char *text = NULL, *out = NULL, *err = NULL, *old = NULL;
        size_t len, out_len;
        int k = ctx_read_file(ctx, file, &text, &len, NULL);
        if (k == -ENOENT) {
                if (!initial || !value)
                        return 0;
                text = xstrdup(initial);
                len = strlen(initial);
        } else if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", file, read_strerror(k));
        k = yaml_get_scalar(text, len, 0, path, &old, NULL, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", file, err);
        if (value)
                k = yaml_set_scalar(text, len, 0, path, value, &out, &out_len, &err);
        else
                k = yaml_remove_key(text, len, 0, path, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", file, err);
        if (ret_old)
                *ret_old = TAKE_PTR(old);
        if (k == 0)
                return 0;
        k = plan_write_file(ctx, r, file, out, out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", file, strerror(-k));
        return 1;
}

/* A kubelet is or will be there: its config, its binary, or a known version
 * (the package database, or --kubelet-version). */
static bool kubelet_present(struct context *ctx) {
        return root_exists(ctx->root, KUBELET_CONFIG) || node_has_program(ctx->root, "kubelet") ||
               ctx->node.kubelet_version;
}

static char *dotted(const char *const *path) {
        struct buf b = {};
        for (size_t i = 0; path[i]; i++)
                buf_printf(&b, "%s%s", i ? "." : "", path[i]);
        return buf_steal(&b);
}

int plan_kubelet_setting(struct context *ctx, struct fixer_result *r, const char *const *path, const char *value,
                         char **ret_old) {
        _cleanup_free_ char *old = NULL, *name = dotted(path);
        int changed = edit_yaml(ctx, r, KUBELET_CONFIG, NULL, path, value, &old);
        if (changed > 0) {
                result_detail(r, "%s: %s: %s (was %s)", KUBELET_CONFIG, name, value, old ? old : "unset");
                plan_restart(r, "kubelet.service");
        }
        /* The patch is for kubeadm to keep the setting; a node without a kubelet needs none. */
        int k = kubelet_present(ctx) ? edit_yaml(ctx, r, KUBELET_CONFIG_PATCH, patch_header, path, value, NULL) : 0;
        if (k > 0)
                result_detail(r, "%s: %s: %s (kubeadm init/join --patches %s keeps it)", KUBELET_CONFIG_PATCH, name,
                              value, KUBEPREP_PATCHES_DIR);
        if (changed < 0 || k < 0)
                return changed < 0 ? changed : k;
        if (ret_old)
                *ret_old = TAKE_PTR(old);
        return changed;
}

int plan_kubelet_setting_remove(struct context *ctx, struct fixer_result *r, const char *const *path) {
        _cleanup_free_ char *old = NULL, *name = dotted(path);
        int changed = edit_yaml(ctx, r, KUBELET_CONFIG, NULL, path, NULL, &old);
        if (changed > 0) {
                result_detail(r, "%s: remove %s (was %s)", KUBELET_CONFIG, name, strempty(old));
                plan_restart(r, "kubelet.service");
        }
        int k = edit_yaml(ctx, r, KUBELET_CONFIG_PATCH, NULL, path, NULL, NULL);
        if (k > 0)
                result_detail(r, "%s: remove %s", KUBELET_CONFIG_PATCH, name);
        if (changed < 0 || k < 0)
                return changed < 0 ? changed : k;
        return changed;
}
