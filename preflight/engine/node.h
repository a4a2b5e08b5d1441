/* SPDX-License-Identifier: MIT */
/* Facts about the node: live from the kernel, or with --root from the tree's
 * own files. NULL/0 mean unknown. The fixers plan from these and the files,
 * never from the running system itself. */
#pragma once

#include "basic/rootfs.h"
#include "engine/run-options.h"
#include "formats/version.h"
#include "system/rtnl.h"

struct node_facts {
        char *arch;                  /* "x86_64", "aarch64", ... */
        char *init;                  /* "systemd", or the name of another init */
        int cgroup_version;          /* 1, 2, 0 unknown */
        char *kubelet_version;       /* "1.22.2" */
        char *control_plane_version; /* "1.22.17" */
        /* The same versions parsed; valid when the string above is set. */
        struct kversion kubelet;
        struct kversion control_plane;
        /* Where each came from ("--kubelet-version", "/var/lib/dpkg/status",
         * "kubelet --version", "/etc/kubernetes/manifests/kube-apiserver.yaml",
         * "--kubeadm-config FILE"), for messages. */
        char *kubelet_version_from;
        char *control_plane_version_from;
        /* Why a version source was passed over (a malformed manifest, an image
         * tag that is no version), for the fixers that then skip. */
        struct strv version_notes;
        /* A bad --kubelet-version, --control-plane-version or --kubeadm-config
         * (gather returns -EINVAL): a usage error. */
        char *error;

        /* The running system's state the swap and gateway fixers plan from,
         * live only (with --root none of it is read). A read that failed is
         * kept as its negative errno and message (else 0 and NULL): the
         * fixer that needs the fact reports that as its own failure. */
        struct strv swaps; /* active swap areas, /proc/swaps */
        int swaps_error;
        char *swaps_message;
        struct rtnl_default_route route; /* the main table's IPv4 default route */
        int route_error;
        char *route_message;
        struct rtnl_links links; /* links and their global IPv4 addresses */
        int links_error;
        char *links_message;

        /* Live only: which of kubeadm's known CRI sockets (node_cri_sockets) have a process
         * listening, and which are socket files nobody listens on, as paths from that list. */
        struct strv cri_sockets_listening;
        struct strv cri_sockets_stale;
        int cri_sockets_error;
};

/* kubeadm's known CRI sockets, in its order (docs/kubernetes-facts.md 15.1): containerd's,
 * CRI-O's, cri-dockerd's; NULL-terminated. */
extern const char *const node_cri_sockets[];

/* Versions: --kubelet-version, else the tree's dpkg database (package
 * kubelet), else (live only) `kubelet --version`; --control-plane-version,
 * else the kube-apiserver static pod's image tag, else --kubeadm-config's
 * kubernetesVersion. Unknown stays NULL. Live, also the swaps, the route and
 * the links, each read once. Returns -EINVAL (with n->error) when an option
 * is unusable; every other fact is still gathered. */
int node_facts_gather(const struct root *root, const struct options *opts, struct node_facts *ret);
void node_facts_free(struct node_facts *n);
/* Read the live state (swaps, route, links) again, for a run that waited
 * for the lock: the run before it may have turned swap off or added a
 * route. Nothing with --root. */
void node_facts_reread_live(const struct root *root, struct node_facts *n);

/* Version of an installed package in a dpkg status database ("1:1.22.2-00"
 * -> 1.22.2). 1 found, 0 not installed, -EINVAL when its version is none. */
int dpkg_package_version(const char *text, size_t len, const char *package, struct kversion *ret);
/* The version in `kubelet --version` output, "Kubernetes v1.22.2". */
int kubelet_version_output_parse(const char *out, struct kversion *ret);

/* The machine named by an ELF header, e.g. "aarch64"; NULL when not ELF. */
const char *elf_machine_name(const unsigned char *hdr, size_t len);

/* Whether the tree has the program in /usr/bin, /usr/sbin or /usr/local/bin
 * (docker-ce installs dockerd in /usr/bin, Debian's docker.io in /usr/sbin). */
bool node_has_program(const struct root *root, const char *name);
