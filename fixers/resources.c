/* SPDX-License-Identifier: MIT */
/* The `resources` check: a control plane needs at least 2 CPUs and 1700 MB of RAM, or kubeadm init
 * (and join --control-plane) stops at its NumCPU and Mem checks. Check only, live only: the
 * figures are the running machine's, never an image tree's. */
#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"
#include "fixers/shared/node-identity.h"

/* kubeadm's ControlPlaneNumCPU and ControlPlaneMem (cmd/kubeadm/app/constants). */
#define MIN_CPUS 2
#define MIN_MEM_MB 1700

static int resources_plan(struct context *ctx, struct fixer_result *r) {
        if (!ctx->root->live) {
                result_skip(r, "live only: this machine's CPUs and memory are not the tree's");
                return 0;
        }
        const char *role;
        if (node_role(ctx, &role) != ROLE_CONTROL_PLANE) {
                result_message(r,
                               "a worker (%s); kubeadm checks CPUs and memory on a control plane only (%u "
                               "CPUs, %llu MB)",
                               role, ctx->node.cpus, ctx->node.mem_mb);
                return 0;
        }
        const char *command = kubeadm_command_for(ctx);
        const struct node_facts *n = &ctx->node;
        result_detail(r, "the checks of %s (%s)", command, role);
        if (n->cpus > 0 && n->cpus < MIN_CPUS)
                kubeadm_finding(r, FINDING_ERROR, "NumCPU",
                                "the number of available CPUs %u is less than the required %d", n->cpus,
                                MIN_CPUS);
        if (n->mem_mb > 0 && n->mem_mb < MIN_MEM_MB)
                kubeadm_finding(r, FINDING_ERROR, "Mem",
                                "the system RAM (%llu MB) is less than the minimum %d MB", n->mem_mb,
                                MIN_MEM_MB);
        if (r->status == STATUS_DRIFT)
                result_message(
                        r,
                        "%s would stop: a control plane needs at least %d CPUs and %d MB of RAM; this "
                        "machine has %u CPUs and %llu MB",
                        command, MIN_CPUS, MIN_MEM_MB, n->cpus, n->mem_mb);
        else
                result_message(r, "%u CPUs and %llu MB of RAM, at least the %d CPUs and %d MB %s needs",
                               n->cpus, n->mem_mb, MIN_CPUS, MIN_MEM_MB, command);
        return 0;
}

const struct fixer fixer_resources = {
        .name = "resources",
        .description =
                "check only, live: a control plane has at least 2 CPUs and 1700 MB of RAM (NumCPU, Mem)",
        .plan = resources_plan,
};
