/* SPDX-License-Identifier: MIT */
/* Live kernel settings: reading and writing /proc/sys values by sysctl name, and whether a
 * kernel module (br_netfilter, overlay) is present. Only for a live node, never a --root. */
#pragma once

#include <stdbool.h>

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward". As in sysctl(8) and systemd, a name
 * whose first separator is '/' is already a path, and in a dotted name a '/' stands for a '.'
 * inside one component ("net.ipv4.conf.eth0/100.forwarding" -> .../eth0.100/forwarding).
 * Returns 0, or -EINVAL for an empty name, an empty component, "." or "..". */
int sysctl_path(const char *name, char **ret_path);

/* The value with surrounding whitespace trimmed ("1", "32768\t60999"). Returns 0, -ENOENT if there
 * is no such sysctl (its module may not be loaded), other <0; *ret_error is set on failure. */
int sysctl_read(const char *name, char **ret_value, char **ret_error);

/* Whether two sysctl values mean the same, ignoring how whitespace is spread ("1 2" == "1\t2\n"). */
bool sysctl_value_equal(const char *a, const char *b);

/* Write value unless the current one already equals it. Returns 0 already set, 1 written, <0 with
 * *ret_error (-EINVAL when the kernel refuses the value, -ENOENT for no such sysctl, -EROFS/-EACCES
 * for a read-only /proc/sys as in most containers). */
int sysctl_write(const char *name, const char *value, char **ret_error);

/* Whether kubeprep may write the sysctl here: false when /proc/sys is mounted read-only, as in most
 * containers, where the host's value is the one that counts. */
bool sysctl_writable(const char *name);

/* Whether a module is loaded or built in: listed in /proc/modules, or /sys/module/NAME exists
 * (built-ins with parameters only show there). '-' and '_' are the same in module names. */
bool kernel_module_loaded(const char *name);
