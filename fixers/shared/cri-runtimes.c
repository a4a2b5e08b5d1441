/* SPDX-License-Identifier: MIT */
/* The CRI runtimes kubeadm knows, and the kubelet's endpoint (see cri-runtimes.h). */
#include "fixers/shared/cri-runtimes.h"

#include "fixers/shared/kubelet-files.h"

/* kubeadm's order, cmd/kubeadm/app/util/runtime: defaultKnownCRISockets. */
const struct cri_runtime cri_runtimes[] = {
        { "containerd", "containerd", "/var/run/containerd/containerd.sock", "containerd.service", NULL },
        { "CRI-O", "crio", "/var/run/crio/crio.sock", "crio.service", NULL },
        { "cri-dockerd", "cri-dockerd", "/var/run/cri-dockerd.sock", "cri-docker.service",
          "cri-docker.socket" },
};
const size_t n_cri_runtimes = ELEMENTSOF(cri_runtimes);

#define KUBEADM_INSTANCE_CONFIG "/var/lib/kubelet/instance-config.yaml"

char *unit_file_path(const struct root *root, const char *name) {
        /* systemd's search path (systemd-analyze unit-paths); Debian's, split-usr, has /lib first,
         * and systemctl --root links to the path where it found the unit. */
        static const char *const dirs[] = { "/etc/systemd/system", "/run/systemd/system",
                                            "/usr/local/lib/systemd/system", "/lib/systemd/system",
                                            "/usr/lib/systemd/system" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);
                if (root_exists(root, p))
                        return TAKE_PTR(p);
        }
        return NULL;
}

char *cri_runtime_installed(const struct root *root, const struct cri_runtime *rt) {
        static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/usr/local/bin" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], rt->program);
                if (root_exists(root, p))
                        return TAKE_PTR(p);
        }
        char *unit = unit_file_path(root, rt->unit);
        return unit ? unit : rt->socket_unit ? unit_file_path(root, rt->socket_unit) : NULL;
}

/* An endpoint's socket path with /var/run spelled /run: the same directory on every systemd node. */
static char *socket_path(const char *endpoint) {
        const char *p = startswith(endpoint, "unix://");
        p = p ? p : endpoint;
        const char *rest = startswith(p, "/var/run/");
        return rest ? xasprintf("/run/%s", rest) : xstrdup(p);
}

const struct cri_runtime *cri_runtime_of_endpoint(const char *endpoint) {
        _cleanup_free_ char *want = socket_path(endpoint);
        for (size_t i = 0; i < n_cri_runtimes; i++) {
                _cleanup_free_ char *p = socket_path(cri_runtimes[i].socket);
                if (streq(p, want))
                        return &cri_runtimes[i];
        }
        return NULL;
}

static int yaml_endpoint(struct context *ctx, struct fixer_result *r, const char *path, char **ret) {
        static const char *const key[] = { "containerRuntimeEndpoint", NULL };
        int k = kubelet_yaml_get(ctx, r, path, key, ret);
        return k > 0 && **ret ? 1 : k < 0 ? k : 0;
}

int kubelet_cri_endpoint(struct context *ctx, struct fixer_result *r, char **ret_endpoint, char **ret_from) {
        struct flag_file *files = NULL;
        size_t n = 0;
        int k = 0;
        kubelet_flag_files(ctx, &files, &n);
        for (size_t i = 0; i < n && k >= 0; i++) {
                _cleanup_(flag_text_done) struct flag_text text = {};
                _cleanup_free_ char *value = NULL, *err = NULL;
                int g = flag_text_read(ctx, files[i].path, &text);
                if (g == -ENOENT)
                        continue;
                if (g < 0) {
                        k = result_refuse(r, g, "%s: cannot read: %s", files[i].path, read_strerror(g));
                        break;
                }
                g = flags_get(text.data, text.len, files[i].format, "container-runtime-endpoint", &value,
                              &err);
                if (g < 0)
                        k = result_refuse(r, g, "%s: %s", files[i].path, err);
                else if (g > 0 && *value) {
                        free(*ret_endpoint);
                        free(*ret_from);
                        *ret_endpoint = TAKE_PTR(value);
                        *ret_from = xstrdup(files[i].path);
                        k = 1;
                }
        }
        flag_files_free(files, n);
        if (k != 0)
                return k;
        static const char *const yamls[] = { KUBELET_CONFIG, KUBEADM_INSTANCE_CONFIG };
        for (size_t i = 0; i < ELEMENTSOF(yamls); i++) {
                _cleanup_free_ char *value = NULL;
                k = yaml_endpoint(ctx, r, yamls[i], &value);
                if (k < 0)
                        return k;
                if (k > 0) {
                        *ret_endpoint = TAKE_PTR(value);
                        *ret_from = xstrdup(yamls[i]);
                        return 1;
                }
        }
        return 0;
}
