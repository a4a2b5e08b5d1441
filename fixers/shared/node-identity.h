/* SPDX-License-Identifier: MIT */
/* Who the node is, for the preflight fixers: its role in the cluster (the firewall's ports) and the
 * address the profile's nodeIP gives it (the kubelet's --node-ip, the hostname's /etc/hosts line). */
#pragma once

#include <net/if.h>
#include <stdint.h>

#include "engine/fixer.h"

/* The profile's role, or for auto: a control plane when this run prepares `kubeadm init` or `kubeadm
 * join --control-plane` (the kubeadm verb), a worker when it prepares `kubeadm join`, else a control
 * plane when the tree has /etc/kubernetes/manifests/kube-apiserver.yaml. *ret_why (may be NULL) says
 * how it was decided: "role in the profile", "role auto, kubeprep kubeadm -- init", ... */
enum node_role node_role(const struct context *ctx, const char **ret_why);

struct node_address {
        uint32_t addr; /* network order */
        char ifname[IFNAMSIZ];
};

/* Live: the node's global IPv4 addresses nodeIP (spec) selects: NULL, those a kubelet could take (links
 * that are up and no container runtime's); a network, those of them inside it; an interface name, its
 * addresses, up or not; an address, itself when some link has it. 0, or <0 with *ret_error when the
 * links could not be read. */
int node_addresses(const struct node_facts *n, const char *spec, struct node_address **ret, size_t *ret_n,
                   char **ret_error);
/* "192.0.2.10 (eth0), 198.51.100.7 (eth1)" */
char *node_addresses_format(const struct node_address *a, size_t n);

/* The one address the profile's nodeIP gives: 1 with *ret_addr ("192.0.2.10") and *ret_label, how it
 * was found ("nodeIP is 192.0.2.10", "nodeIP 192.0.2.0/24 is 192.0.2.10 (eth0)"); 0 when nodeIP is unset, or is a network or interface with --root (the tree's
 * addresses are not known); <0 with *ret_problem: -ENXIO none matches, -ENOTUNIQ several do, else the
 * links could not be read. */
int node_ip_address(struct context *ctx, char **ret_addr, char **ret_label, char **ret_problem);
