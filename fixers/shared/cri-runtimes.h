/* SPDX-License-Identifier: MIT */
/* The CRI runtimes kubeadm knows (docs/kubernetes-facts.md 15.1): where each listens, how it is
 * installed and which systemd units run it; and the endpoint the kubelet is told to use. Shared
 * by cri-endpoint and boot-units. */
#pragma once

#include "engine/fixer.h"

struct cri_runtime {
        const char *name;        /* "containerd", "CRI-O", "cri-dockerd" */
        const char *program;     /* its binary's name */
        const char *socket;      /* the path kubeadm looks for, one of node_cri_sockets */
        const char *unit;        /* the unit that runs it */
        const char *socket_unit; /* a socket unit that starts it, or NULL */
};

extern const struct cri_runtime cri_runtimes[];
extern const size_t n_cri_runtimes;

/* Where the runtime is installed in the tree: its program (/usr/bin, /usr/sbin, /usr/local/bin)
 * or else its unit file; NULL when neither is there. */
char *cri_runtime_installed(const struct root *root, const struct cri_runtime *rt);

/* The unit file systemd would load for name: the first in /etc/systemd/system,
 * /run/systemd/system, /usr/local/lib/systemd/system, /lib/systemd/system,
 * /usr/lib/systemd/system; NULL when none. */
char *unit_file_path(const struct root *root, const char *name);

/* The runtime a CRI endpoint ("unix:///run/crio/crio.sock", "/var/run/..."), or NULL. */
const struct cri_runtime *cri_runtime_of_endpoint(const char *endpoint);

/* The CRI endpoint the kubelet is configured with: --container-runtime-endpoint in its flag files
 * (the last one read wins), else containerRuntimeEndpoint in config.yaml or kubeadm's
 * instance-config.yaml. 1 with *ret_endpoint and *ret_from (the file), 0 when none,
 * <0 after result_refuse(). */
int kubelet_cri_endpoint(struct context *ctx, struct fixer_result *r, char **ret_endpoint, char **ret_from);
