/* SPDX-License-Identifier: MIT */
/* One declaration per fixer file. */
#pragma once

#include "engine/fixer.h"

extern const struct fixer fixer_swap;
extern const struct fixer fixer_cgroup_driver;
extern const struct fixer fixer_kubeconfig;
extern const struct fixer fixer_eviction;
extern const struct fixer fixer_csi_migration;
extern const struct fixer fixer_kubelet_flags;
extern const struct fixer fixer_gateway;
extern const struct fixer fixer_sysctl;
extern const struct fixer fixer_disk_pressure;
extern const struct fixer fixer_dns;
extern const struct fixer fixer_resources;
extern const struct fixer fixer_ports;
extern const struct fixer fixer_leftovers;
extern const struct fixer fixer_programs;
extern const struct fixer fixer_proxy;
extern const struct fixer fixer_sandbox_image;
extern const struct fixer fixer_cri_endpoint;
extern const struct fixer fixer_boot_units;
extern const struct fixer fixer_firewall;
extern const struct fixer fixer_hostname;
extern const struct fixer fixer_time_sync;
extern const struct fixer fixer_kernel_cgroups;
extern const struct fixer fixer_node_ip;
