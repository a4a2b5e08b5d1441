/* SPDX-License-Identifier: MIT */
/* Kubelet settings that depend on the cgroup version and swap (see
 * kubelet-cgroups.h; the facts are in docs/kubernetes-facts.md §7-9). */
#include "fixers/shared/kubelet-cgroups.h"

#include "fixers/shared/kubelet-files.h"

bool kubelet_version_known(const struct context *ctx, struct kversion *ret) {
        return ctx->node.kubelet_version && version_parse(ctx->node.kubelet_version, ret) == 0;
}

bool kubelet_supports_swap(const struct kversion *v) {
        return !v || version_at_least(v, 1, 28);
}

struct swap_settings kubelet_swap_settings(const struct kversion *v, int cgroup_version) {
        bool before_1_30 = v && !version_at_least(v, 1, 30);
        if (cgroup_version == 1)
                /* Pods get no swap on v1. NoSwap says so from 1.30; before,
                 * neither LimitedSwap nor UnlimitedSwap is right: leave it unset. */
                return (struct swap_settings){ .behavior = before_1_30 ? NULL : "NoSwap" };
        return (struct swap_settings){ .behavior = "LimitedSwap", .node_swap_gate = before_1_30 };
}

bool kubelet_refuses_cgroup_v1(const struct kversion *v, int cgroup_version) {
        return cgroup_version == 1 && v && version_at_least(v, 1, 35);
}

int plan_kubelet_cgroup_v1(struct context *ctx, struct fixer_result *r) {
        static const char *const path[] = { "failCgroupV1", NULL };
        struct kversion v;
        bool known = kubelet_version_known(ctx, &v);
        if (ctx->node.cgroup_version != 1)
                return 0;
        if (!known) {
                result_warn(
                        r,
                        "this node uses cgroup v1, which is deprecated: a kubelet 1.35 or newer refuses it "
                        "unless failCgroupV1: false (the kubelet version is unknown; give "
                        "--kubelet-version)");
                return 0;
        }
        if (!kubelet_refuses_cgroup_v1(&v, ctx->node.cgroup_version))
                return 0;
        result_warn(r,
                    "this node uses cgroup v1, which is deprecated: kubelet %s runs on it only with "
                    "failCgroupV1: false; move the node to cgroup v2",
                    ctx->node.kubelet_version);
        /* 1 when config.yaml changes (the patch alone is not the kubelet refusing). */
        return plan_kubelet_setting(ctx, r, path, "false", NULL);
}
