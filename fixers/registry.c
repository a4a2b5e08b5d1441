/* SPDX-License-Identifier: MIT */
/* The fixers, in the order they run: a plain array, one entry per file in
 * fixers/. Order matters where two fixers edit one file. */
#include "fixers/registry.h"
#include "engine/fixer.h"

const struct fixer *const fixers[] = {
        &fixer_swap,
        &fixer_cgroup_driver,
        /* After cgroup-driver (which may create or migrate config.toml), before kubelet-flags:
         * it carries --pod-infra-container-image into the runtime before that flag is removed. */
        &fixer_sandbox_image,
        &fixer_kubeconfig,
        &fixer_eviction,
        &fixer_csi_migration,
        &fixer_gateway,
        &fixer_kubelet_flags,
        &fixer_sysctl,
        &fixer_disk_pressure,
        /* The kubelet's DNS, then the checks kubeadm's preflight makes. */
        &fixer_dns,
        &fixer_resources,
        &fixer_ports,
        &fixer_leftovers,
        &fixer_programs,
        &fixer_proxy,
        /* After cgroup-driver: it reads containerd's CRI plugin as that fixer plans it. */
        &fixer_cri_endpoint,
        &fixer_boot_units,
        /* What kubeadm needs of the node around the kubelet: the firewall, its name, its clock, the
         * kernel's cgroups, the kubelet's address. */
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
