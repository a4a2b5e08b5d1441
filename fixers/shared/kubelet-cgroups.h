/* SPDX-License-Identifier: MIT */
/* What the kubelet needs for the node's cgroup version and for swap, by
 * kubelet version: decisions shared by the swap and cgroup-driver fixers. */
#pragma once

#include <stdbool.h>

#include "engine/fixer.h"
#include "formats/version.h"

/* The kubelet's version from the node facts; false when unknown. */
bool kubelet_version_known(const struct context *ctx, struct kversion *ret);

/* A kubelet of this version can run with swap on and give it to pods
 * (NodeSwap beta, 1.28). v NULL: unknown, assumed yes. */
bool kubelet_supports_swap(const struct kversion *v);

/* What `swap: allow` writes besides failSwapOn: false. */
struct swap_settings {
        const char *behavior; /* memorySwap.swapBehavior, NULL: leave unset */
        bool node_swap_gate;  /* featureGates.NodeSwap: true (beta, off by default in 1.28-1.29) */
};
/* v NULL: unknown version (taken as >= 1.30). cgroup_version 0: unknown,
 * taken as v2. LimitedSwap needs cgroup v2; NoSwap exists from 1.30. */
struct swap_settings kubelet_swap_settings(const struct kversion *v, int cgroup_version);

/* A kubelet >= 1.35 refuses a cgroup v1 node unless failCgroupV1: false. */
bool kubelet_refuses_cgroup_v1(const struct kversion *v, int cgroup_version);

/* failCgroupV1: false in config.yaml and the kubeadm patch when the kubelet
 * would refuse this cgroup v1 node, with a warning that v1 is deprecated.
 * 1 when config.yaml or the patch changes, 0 otherwise, <0 after result_refuse(). */
int plan_kubelet_cgroup_v1(struct context *ctx, struct fixer_result *r);
