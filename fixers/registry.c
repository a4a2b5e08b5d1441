/* SPDX-License-Identifier: MIT */
/* The fixers, in the order they run: a plain array, one entry per file in
 * fixers/. Order matters where two fixers edit one file. */
#include "fixers/registry.h"
#include "engine/fixer.h"

const struct fixer *const fixers[] = {
        &fixer_swap,
        &fixer_cgroup_driver,
        &fixer_kubeconfig,
        &fixer_eviction,
        &fixer_csi_migration,
        &fixer_gateway,
        &fixer_kubelet_flags,
        &fixer_sysctl,
        &fixer_disk_pressure,
        /* issue 16's preflight items */
        &fixer_firewall,
        &fixer_hostname,
        &fixer_time_sync,
        &fixer_kernel_cgroups,
        &fixer_node_ip,
};
const size_t n_fixers = ELEMENTSOF(fixers);

const struct fixer *fixer_find(const char *name) {
        for (size_t i = 0; i < n_fixers; i++)
                if (streq(fixers[i]->name, name))
                        return fixers[i];
        return NULL;
}
