/* SPDX-License-Identifier: MIT */
/* The running kernel's state the preflight fixers plan from: its clock's synchronisation, the
 * cgroup controllers it enables, its command line, and whether this is a container. */
#pragma once

#include <stddef.h>

#include "basic/util.h"

/* adjtimex(2) in read-only mode, as timedatectl's "System clock synchronized": 1 when the clock is
 * synchronised (STA_UNSYNC clear and the state not TIME_ERROR), 0 when not, <0 -errno. */
int kernel_clock_synchronized(void);

/* The controllers of the cgroup hierarchy: cgroup v1, the enabled ones of /proc/cgroups; v2,
 * /sys/fs/cgroup/cgroup.controllers (the root of this cgroup namespace: in a container, what its
 * manager delegates). 0, or <0 with *ret_error naming the file. */
int kernel_cgroup_controllers(int cgroup_version, struct strv *ret, char **ret_error);
/* /proc/cgroups: "#subsys_name hierarchy num_cgroups enabled" lines; the names enabled != 0. */
void proc_cgroups_parse(const char *text, size_t len, struct strv *ret);
/* cgroup.controllers: names separated by blanks. */
void cgroup_controllers_parse(const char *text, size_t len, struct strv *ret);

/* /proc/cmdline without its newline. 0, or <0 with *ret_error. */
int kernel_cmdline(char **ret, char **ret_error);

/* The container manager systemd found when it booted (/run/systemd/container: "systemd-nspawn",
 * "docker", "lxc"), or NULL outside a container or without systemd. */
char *container_manager(void);
