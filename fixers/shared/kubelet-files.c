/* SPDX-License-Identifier: MIT */
/* The kubelet's configuration files (see kubelet-files.h). */
#include "fixers/shared/kubelet-files.h"

#include "formats/yaml-edit.h"

/* Each entry from the CHANGELOG of the release that removed it (its pull request after the '#'). */
static const struct removed_flag removed_flags[] = {
        { "require-kubeconfig", 1, 10, "removed in 1.10: --kubeconfig alone says where the API server is",
          "CHANGELOG-1.10.md #58367" },
        { "init-config-dir", 1, 10, "removed in 1.10: use --config", "CHANGELOG-1.10.md #57624" },
        { "cadvisor-port", 1, 12,
          "removed in 1.12 with the kubelet's cAdvisor web UI; run cAdvisor as a DaemonSet",
          "CHANGELOG-1.12.md #65707" },
        { "docker-disable-shared-pid", 1, 12,
          "removed in 1.12: a pod shares its PID namespace with shareProcessNamespace",
          "CHANGELOG-1.12.md #66506" },
        { "allow-privileged", 1, 15, "removed in 1.15: admission control decides about privileged pods",
          "CHANGELOG-1.15.md #77820" },
        { "host-network-sources", 1, 15, "removed in 1.15 with --allow-privileged",
          "CHANGELOG-1.15.md #77820" },
        { "host-pid-sources", 1, 15, "removed in 1.15 with --allow-privileged", "CHANGELOG-1.15.md #77820" },
        { "host-ipc-sources", 1, 15, "removed in 1.15 with --allow-privileged", "CHANGELOG-1.15.md #77820" },
        { "containerized", 1, 16, "removed in 1.16: the kubelet runs on the host",
          "CHANGELOG-1.16.md #80043" },
        { "network-plugin", 1, 24,
          "removed in 1.24 with dockershim; CNI is configured in the container runtime",
          "CHANGELOG-1.24.md #97252" },
        { "cni-conf-dir", 1, 24,
          "removed in 1.24 with dockershim; CNI is configured in the container runtime",
          "CHANGELOG-1.24.md #97252" },
        { "cni-bin-dir", 1, 24,
          "removed in 1.24 with dockershim; CNI is configured in the container runtime",
          "CHANGELOG-1.24.md #97252" },
        { "cni-cache-dir", 1, 24,
          "removed in 1.24 with dockershim; CNI is configured in the container runtime",
          "CHANGELOG-1.24.md #97252" },
        { "network-plugin-mtu", 1, 24, "removed in 1.24 with dockershim", "CHANGELOG-1.24.md #97252" },
        { "docker-endpoint", 1, 24, "removed in 1.24 with dockershim; use --container-runtime-endpoint",
          "CHANGELOG-1.24.md #97252" },
        { "image-pull-progress-deadline", 1, 24, "removed in 1.24 with dockershim",
          "CHANGELOG-1.24.md #97252" },
        { "experimental-dockershim-root-directory", 1, 24, "removed in 1.24 with dockershim",
          "CHANGELOG-1.24.md #97252" },
        { "experimental-check-node-capabilities-before-mount", 1, 24,
          "removed in 1.24: CSI drivers took its place", "CHANGELOG-1.24.md #104732" },
        { "dynamic-config-dir", 1, 24,
          "removed in 1.24 with dynamic kubelet configuration; use the config file",
          "CHANGELOG-1.24.md #106932" },
        { "log-dir", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "log-file", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "log-file-max-size", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "logtostderr", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "alsologtostderr", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "one-output", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "stderrthreshold", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "skip-log-headers", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "add-dir-header", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "skip-headers", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "log-backtrace-at", 1, 26, "removed in 1.26 with klog's flags (only -v and --vmodule remain)",
          "CHANGELOG-1.26.md #112120" },
        { "container-runtime", 1, 27, "removed in 1.27: every runtime is a remote CRI runtime",
          "CHANGELOG-1.27.md #114017" },
        { "master-service-namespace", 1, 27, "removed in 1.27: it had no effect",
          "CHANGELOG-1.27.md #116015" },
        { "keep-terminated-pod-volumes", 1, 31, "removed in 1.31", "CHANGELOG-1.31.md #122082" },
        { "cloud-config", 1, 34, "removed in 1.34: the cloud provider runs outside the kubelet",
          "CHANGELOG-1.34.md #130161" },
        { "register-schedulable", 1, 34, "removed in 1.34: use --register-with-taints",
          "CHANGELOG-1.34.md #122384" },
        { "pod-infra-container-image", 1, 35,
          "removed in 1.35: the sandbox (pause) image is the container runtime's setting",
          "CHANGELOG-1.35.md #133779" },
};

const struct removed_flag *kubelet_removed_flags(size_t *ret_n) {
        *ret_n = ELEMENTSOF(removed_flags);
        return removed_flags;
}

const struct removed_flag *kubelet_flag_removed(const char *flag, const struct kversion *v) {
        while (*flag == '-')
                flag++;
        for (size_t i = 0; i < ELEMENTSOF(removed_flags); i++) {
                const char *a = flag, *b = removed_flags[i].flag;
                while (*a && (*a == *b || (*a == '_' && *b == '-')))
                        a++, b++;
                if (!*a && !*b && version_at_least(v, removed_flags[i].major, removed_flags[i].minor))
                        return &removed_flags[i];
        }
        return NULL;
}

int flag_text_read(struct context *ctx, const char *path, struct flag_text *t) {
        *t = (struct flag_text){};
        int k = ctx_read_blob(ctx, path, &t->read, NULL);
        if (k < 0)
                return k;
        t->data = t->read->data;
        t->len = t->read->len;
        return 0;
}

void flag_text_replace(struct flag_text *t, char *owned_data, size_t len) {
        flag_text_done(t);
        t->edited = owned_data;
        t->data = owned_data;
        t->len = len;
}

char *flag_text_steal(struct flag_text *t, size_t *ret_len) {
        char *p = TAKE_PTR(t->edited);
        *ret_len = t->len;
        flag_text_done(t);
        return p;
}

void flag_text_done(struct flag_text *t) {
        if (t->read)
                blob_unref(t->read);
        free(t->edited);
        *t = (struct flag_text){};
}

static void push(struct flag_file **v, size_t *n, const char *path, enum flags_format fmt, const char *var) {
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = (struct flag_file){ .path = xstrdup(path), .format = fmt, .var = var };
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

const char *kubelet_defaults_file(struct context *ctx) {
        if (root_exists(ctx->root, "/etc/redhat-release"))
                return KUBELET_DEFAULTS_RPM;
        if (root_exists(ctx->root, "/etc/debian_version") || root_exists(ctx->root, "/var/lib/dpkg"))
                return KUBELET_DEFAULTS_DEB;
        if (root_exists(ctx->root, "/var/lib/rpm"))
                return KUBELET_DEFAULTS_RPM;
        /* Neither family's marker: a defaults file that exists tells. */
        if (root_exists(ctx->root, KUBELET_DEFAULTS_DEB))
                return KUBELET_DEFAULTS_DEB;
        if (root_exists(ctx->root, KUBELET_DEFAULTS_RPM))
                return KUBELET_DEFAULTS_RPM;
        return NULL;
}

int kubelet_yaml_get(struct context *ctx, struct fixer_result *r, const char *file, const char *const *path,
                     char **ret) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len;
        int k = ctx_read_file(ctx, file, &text, &len, NULL);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", file, read_strerror(k));
        k = yaml_get_scalar(text, len, 0, path, ret, NULL, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", file, err);
        return k;
}

static int set_in_file(struct context *ctx, struct fixer_result *r, const struct flag_file *f,
                       const char *flag, const char *value) {
        _cleanup_(flag_text_done) struct flag_text text = {};
        _cleanup_free_ char *old = NULL, *out = NULL, *err = NULL;
        size_t out_len;
        int k = flag_text_read(ctx, f->path, &text);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", f->path, read_strerror(k));
        k = flags_get(text.data, text.len, f->format, flag, &old, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        if (k == 0 || streq(old, value))
                return 0;
        k = flags_set(text.data, text.len, f->format, f->var, flag, value, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        if (k == 0)
                return 0;
        flag_text_done(&text);
        k = plan_write_file_restart_take(ctx, r, f->path, TAKE_PTR(out), out_len, "kubelet.service");
        if (k < 0)
                return k;
        result_detail(r, "%s: --%s=%s (was %s)", f->path, flag, value, old);
        return 1;
}

int plan_kubelet_flag_where_set(struct context *ctx, struct fixer_result *r, const char *flag,
                                const char *value) {
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
        k = yaml_get_and_edit(text, len, 0, path, value, &old, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", file, err);
        if (ret_old)
                *ret_old = TAKE_PTR(old);
        if (k == 0)
                return 0;
        /* plan_write_file_take() reads the file again and takes out: the text read here is not
         * needed any more, and a large config.yaml need not be held once more meanwhile
         * (docs/performance.md, section 4). */
        free(TAKE_PTR(text));
        k = plan_write_file_take(ctx, r, file, TAKE_PTR(out), out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", file, strerror(-k));
        return 1;
}

/* A kubelet is or will be there, and kubeadm may generate its config.yaml: the
 * kubelet's config, binary or known version (the package database, or
 * --kubelet-version), kubeadm's binary or version, or the kubeadm verb about to
 * run kubeadm. Then the patch is written whether or not config.yaml exists yet. */
static bool kubelet_present(struct context *ctx) {
        return root_exists(ctx->root, KUBELET_CONFIG) || node_has_program(ctx->root, "kubelet") ||
               ctx->node.kubelet_version || node_has_program(ctx->root, "kubeadm") ||
               ctx->node.kubeadm_version || ctx->opts->for_kubeadm;
}

static char *dotted(const char *const *path) {
        struct buf b = {};
        for (size_t i = 0; path[i]; i++)
                buf_printf(&b, "%s%s", i ? "." : "", path[i]);
        return buf_steal(&b);
}

int plan_kubelet_setting(struct context *ctx, struct fixer_result *r, const char *const *path,
                         const char *value, char **ret_old) {
        _cleanup_free_ char *old = NULL, *name = dotted(path);
        int changed = edit_yaml(ctx, r, KUBELET_CONFIG, NULL, path, value, &old);
        if (changed > 0) {
                result_detail(r, "%s: %s: %s (was %s)", KUBELET_CONFIG, name, value, old ? old : "unset");
                plan_restart(r, "kubelet.service");
        }
        /* The patch is for kubeadm to keep the setting; a node without a kubelet or kubeadm needs none. */
        int k = kubelet_present(ctx)
                        ? edit_yaml(ctx, r, KUBELET_CONFIG_PATCH, patch_header, path, value, NULL)
                        : 0;
        if (k > 0)
                result_detail(r, "%s: %s: %s (kubeadm 1.25 and later keep it with --patches %s)",
                              KUBELET_CONFIG_PATCH, name, value, KUBEPREP_PATCHES_DIR);
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
