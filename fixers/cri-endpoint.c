/* SPDX-License-Identifier: MIT */
/* The `cri-endpoint` fixer, check only: kubeadm stops with "found multiple CRI endpoints on the
 * host" when more than one of its known sockets answers and it was not told which to use, and a
 * kubelet without dockershim (1.24 and later) on a node whose only runtime is docker has no CRI
 * at all unless cri-dockerd is there. Which runtime to keep is the operator's choice: kubeprep
 * never stops one; it names them and the exact option that picks one. */
#include "fixers/registry.h"
#include "fixers/shared/containerd-config.h"
#include "fixers/shared/cri-runtimes.h"

#define CRI_DOCKERD_RUN_SOCKET "/run/cri-dockerd.sock"

static char *endpoint_of(const struct cri_runtime *rt) {
        return xasprintf("unix://%s", rt->socket);
}

/* The runtimes whose socket kubeadm would find: live, those listening; with --root, those
 * installed in the tree (their units start them at boot). A detail says why for each. */
static void find_endpoints(struct context *ctx, struct fixer_result *r, const struct cri_runtime **found,
                           size_t *n_found) {
        *n_found = 0;
        for (size_t i = 0; i < n_cri_runtimes; i++) {
                const struct cri_runtime *rt = &cri_runtimes[i];
                _cleanup_free_ char *endpoint = endpoint_of(rt);
                if (ctx->root->live) {
                        if (strv_contains(&ctx->node.cri_sockets_listening, rt->socket)) {
                                result_detail(r, "%s (%s): listening", endpoint, rt->name);
                                found[(*n_found)++] = rt;
                        } else if (strv_contains(&ctx->node.cri_sockets_stale, rt->socket))
                                result_detail(r, "%s: a socket, but nothing listens on it", endpoint);
                        continue;
                }
                _cleanup_free_ char *where = cri_runtime_installed(ctx->root, rt);
                if (!where)
                        continue;
                result_detail(r, "%s installed (%s): its socket %s", rt->name, where, endpoint);
                found[(*n_found)++] = rt;
        }
}

/* containerd is there but cannot serve the CRI: its effective config (as this run plans it,
 * cgroup-driver having run before) still disables the plugin. */
static int containerd_cri_disabled(struct context *ctx, struct fixer_result *r) {
        _cleanup_(containerd_config_free) struct containerd_config c = {};
        int k = containerd_config_load(ctx, r, &c);
        for (size_t i = 0; k > 0 && i < c.n_files; i++) {
                _cleanup_free_ char *raw = NULL;
                unsigned line = 0;
                int d = containerd_disabled_without_cri(r, &c.files[i], &raw, &line);
                if (d != 0)
                        return d;
        }
        return k < 0 ? k : 0;
}

/* docker without any CRI runtime, next to a kubelet that lost dockershim in 1.24. 1 when so
 * (reported), 0 otherwise, <0 after result_refuse(). */
static int check_docker_only(struct context *ctx, struct fixer_result *r) {
        const struct kversion *v = &ctx->node.kubelet;
        if (!ctx->node.kubelet_version || !version_at_least(v, 1, 24) ||
            !node_has_program(ctx->root, "dockerd"))
                return 0;
        bool containerd = false;
        for (size_t i = 0; i < n_cri_runtimes; i++) {
                _cleanup_free_ char *where = cri_runtime_installed(ctx->root, &cri_runtimes[i]);
                if (!where)
                        continue;
                if (!streq(cri_runtimes[i].program, "containerd"))
                        return 0;
                containerd = true;
        }
        if (root_exists(ctx->root, CRI_DOCKERD_RUN_SOCKET))
                return 0;
        int k = containerd ? containerd_cri_disabled(ctx, r) : 1;
        if (k <= 0)
                return k;
        result_message(
                r,
                "docker is the only container runtime%s, and kubelet %s has no dockershim (removed in "
                "1.24): it needs cri-dockerd, but %s and the cri-docker unit are missing",
                containerd ? " (containerd's CRI plugin is disabled)" : "", ctx->node.kubelet_version,
                CRI_DOCKERD_RUN_SOCKET);
        result_detail(r, "install cri-dockerd (Mirantis/cri-dockerd) with its cri-docker.service and "
                         "cri-docker.socket, or move the node to containerd or CRI-O");
        return 1;
}

static void drift(struct fixer_result *r) {
        r->status = STATUS_DRIFT;
        r->exit_code = 1;
}

static int cri_endpoint_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (ctx->root->live && n->cri_sockets_error < 0)
                return result_fail(r, n->cri_sockets_error, "cannot read /proc/net/unix: %s",
                                   strerror(-n->cri_sockets_error));
        int k = check_docker_only(ctx, r);
        if (k < 0)
                return k;
        if (k > 0) {
                drift(r);
                return 0;
        }

        const struct cri_runtime *found[8];
        size_t n_found;
        find_endpoints(ctx, r, found, &n_found);
        struct strv names = {};
        for (size_t i = 0; i < n_found; i++) {
                _cleanup_free_ char *endpoint = endpoint_of(found[i]);
                strv_push(&names, xasprintf("%s (%s)", endpoint, found[i]->name));
        }
        _cleanup_free_ char *list = strv_join(&names, ", ");
        strv_free(&names);
        if (n_found == 0) {
                result_message(r, "no CRI runtime kubeadm knows (containerd, CRI-O, cri-dockerd) %s",
                               ctx->root->live ? "is listening" : "is installed");
                return 0;
        }
        if (n_found == 1) {
                result_message(r, "one CRI endpoint: %s", list);
                return 0;
        }

        _cleanup_free_ char *chosen = NULL, *from = NULL;
        if ((k = kubelet_cri_endpoint(ctx, r, &chosen, &from)) < 0)
                return k;
        const struct cri_runtime *rt = k > 0 ? cri_runtime_of_endpoint(chosen) : NULL;
        if (rt) {
                result_message(r, "the kubelet uses %s (%s, %s) of %zu CRI endpoints", chosen, rt->name,
                               from, n_found);
                return 0;
        }
        drift(r);
        result_message(
                r,
                "%zu CRI endpoints: %s; kubeadm stops with \"found multiple CRI endpoints on the host\" "
                "unless told which one: kubeadm init|join --cri-socket ENDPOINT, or "
                "nodeRegistration.criSocket in its configuration",
                n_found, list);
        for (size_t i = 0; i < n_found; i++) {
                _cleanup_free_ char *endpoint = endpoint_of(found[i]);
                result_detail(r, "%s: kubeadm init|join --cri-socket %s", found[i]->name, endpoint);
        }
        if (k > 0)
                result_warn(r, "%s: the kubelet's endpoint %s is none of these", from, chosen);
        return 0;
}

const struct fixer fixer_cri_endpoint = {
        .name = "cri-endpoint",
        .description = "check only: one CRI endpoint for kubeadm (or the kubelet told which), and "
                       "cri-dockerd where docker is the only runtime",
        .plan = cri_endpoint_plan,
};
