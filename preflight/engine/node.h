/* SPDX-License-Identifier: MIT */
/* Facts about the node: live from the kernel, or with --root from the tree's
 * own files. NULL/0 mean unknown. The fixers plan from these and the files,
 * never from the running system itself. */
#pragma once

#include "basic/rootfs.h"
#include "engine/run-options.h"
#include "formats/cluster-networks.h"
#include "formats/version.h"
#include "system/listeners.h"
#include "system/rtnl.h"
#include "system/units.h"

/* A unit's state as systemd reports it (live). */
struct node_unit {
        char *name; /* "firewalld.service" */
        struct unit_state state;
};

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
        /* kubeadm's version ("1.30.2") and where it came from: the kubeadm verb's own
         * `kubeadm version -o short`, /var/lib/dpkg/status, or (live) `kubeadm version -o
         * short` from PATH. Unknown stays NULL. */
        char *kubeadm_version;
        struct kversion kubeadm;
        char *kubeadm_version_from;
        /* Live, with no other source: why the API server a kubeconfig names
         * gave no version ("https://HOST:PORT/version (kubelet.conf): ..."). */
        char *control_plane_note;
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

        /* The cluster's Service and Pod ranges and API server address (cluster_facts()): from the
         * kubeadm hook's arguments (--service-cidr, --pod-network-cidr,
         * --apiserver-advertise-address, join's endpoint), else --kubeadm-config, else the tree's
         * kube-apiserver and kube-controller-manager manifests; unknown stays empty. Where each
         * came from, for messages. */
        struct cluster_networks networks;
        char *service_subnets_from;
        char *pod_subnets_from;
        char *advertise_address_from;
        char *api_endpoint_from;
        /* Live only: the CPUs kubeprep may run on (sched_getaffinity(2), as Go's runtime.NumCPU
         * that kubeadm's NumCPU check uses) and the RAM in MB (sysinfo(2), as its Mem check);
         * 0 when unknown. */
        unsigned cpus;
        unsigned long long mem_mb;
        /* Live only: the listening TCP sockets on the ports kubeadm's preflight needs free (the API
         * server's, the kubelet's, the scheduler's, the controller manager's and etcd's), each with
         * the process holding it; a failed read is kept as for the swaps. */
        struct tcp_listeners listeners;
        int listeners_error;
        char *listeners_message;
        /* Live only: which of kubeadm's known CRI sockets (node_cri_sockets) have a process
         * listening, and which are socket files nobody listens on, as paths from that list. */
        struct strv cri_sockets_listening;
        struct strv cri_sockets_stale;
        int cri_sockets_error;
        /* What the firewall, hostname, time-sync and kernel-cgroups fixers plan from. Live from the
         * kernel and systemd, and only when the run plans a fixer that reads them; with --root only
         * the hostname, from the tree's /etc/hostname. A read that failed is kept as above, for the
         * fixer that needs the fact. */
        char *hostname;            /* NULL: unknown */
        const char *hostname_from; /* "the kernel's hostname", "/etc/hostname" */
        char *container;           /* the container manager systemd found ("systemd-nspawn"); NULL: none */
        struct strv cgroup_controllers;
        int cgroup_controllers_error;
        char *cgroup_controllers_message;
        char *kernel_cmdline;   /* /proc/cmdline; NULL unknown */
        int clock_synchronized; /* adjtimex(2): 1 or 0; <0 unknown (-errno, -ENOMEDIUM with --root) */
        /* The states of the units these fixers ask about (firewalld, the time services), those whose
         * unit file is installed. */
        struct node_unit *units;
        size_t n_units;
        int units_error;
        char *units_message;

        /* Gathered once the profile is known (node_facts_gather_name()): the name the node registers
         * with, and, live, whether it resolves as kubeadm's Hostname check asks. */
        char *node_name;            /* NULL: unknown (no hostname, no nodeName) */
        const char *node_name_from; /* "nodeName in the profile", or hostname_from */
        int node_name_resolves;     /* 1 or 0; <0 unknown (-ETIME; -ENOMEDIUM with --root) */
        char *node_name_message;
        struct strv node_name_addrs;
};

/* kubeadm's known CRI sockets, in its order (docs/kubernetes-facts.md 15.1): containerd's,
 * CRI-O's, cri-dockerd's; NULL-terminated. */
extern const char *const node_cri_sockets[];

/* Versions: --kubelet-version, else the tree's dpkg database (package
 * kubelet), else (live only) `kubelet --version`; --control-plane-version,
 * else the kube-apiserver static pod's image tag, else --kubeadm-config's
 * kubernetesVersion, else (live only) GET /version of the API server that
 * /etc/kubernetes/kubelet.conf (else bootstrap-kubelet.conf, else admin.conf)
 * names. Unknown stays NULL. Live, also the swaps, the route and
 * the links, each read once. Returns -EINVAL (with n->error) when an option
 * is unusable; every other fact is still gathered. */
int node_facts_gather(const struct root *root, const struct options *opts, struct node_facts *ret);
void node_facts_free(struct node_facts *n);
/* The node's name: the profile's node_name, else the hostname lowercased (as the kubelet does); live,
 * when the run plans the hostname fixer, whether it resolves (getaddrinfo, at most a few seconds). */
void node_facts_gather_name(const struct root *root, const struct options *opts, const char *node_name,
                            struct node_facts *n);
/* The state of a unit among n->units; NULL when it was not read (not installed, --root). */
const struct unit_state *node_unit_state(const struct node_facts *n, const char *unit);
/* Read the live state (swaps, route, links) again, for a run that waited
 * for the lock: the run before it may have turned swap off or added a
 * route. Nothing with --root. */
void node_facts_reread_live(const struct root *root, struct node_facts *n);

/* Version of an installed package in a dpkg status database ("1:1.22.2-00"
 * -> 1.22.2). 1 found, 0 not installed, -EINVAL when its version is none. */
int dpkg_package_version(const char *text, size_t len, const char *package, struct kversion *ret);
/* The version in `kubelet --version` output, "Kubernetes v1.22.2". */
int kubelet_version_output_parse(const char *out, struct kversion *ret);
/* The version in `kubeadm version -o short` output, one line "v1.30.2". */
int kubeadm_version_output_parse(const char *out, struct kversion *ret);
/* Run `KUBEADM version -o short` (a path, or a name looked up in PATH), killed after 2 s:
 * -ETIME then, -EINVAL when the answer is no version, -errno when it cannot run. */
int kubeadm_version_exec(const char *kubeadm, struct kversion *ret);

/* The machine named by an ELF header, e.g. "aarch64"; NULL when not ELF. */
const char *elf_machine_name(const unsigned char *hdr, size_t len);

/* Whether the tree has the program in /usr/bin, /usr/sbin or /usr/local/bin
 * (docker-ce installs dockerd in /usr/bin, Debian's docker.io in /usr/sbin). */
bool node_has_program(const struct root *root, const char *name);

/* Where a unit file is: the first of /etc/systemd/system, /run/systemd/system,
 * /usr/local/lib/systemd/system, /usr/lib/systemd/system and /lib/systemd/system (/lib before /usr/lib
 * on Debian, as its systemd looks) that has the name, a link too (an alias, a mask). 1 found
 * (*ret_path, may be NULL), 0 not installed. */
int node_unit_file(const struct root *root, const char *unit, char **ret_path);
