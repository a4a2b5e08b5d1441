/* SPDX-License-Identifier: MIT */
/* The persistent sysctl configuration of a tree, in the order systemd-sysctl and `sysctl --system`
 * apply it, so a fixer can tell which file's setting wins at boot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "basic/rootfs.h"
#include "basic/util.h"

/* The files applied at boot, first to last (node paths): every *.conf of /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and /lib/sysctl.d merged and sorted by
 * file name, where a name in an earlier directory hides the same name in later ones (so /etc
 * overrides the vendor's file); then /etc/sysctl.conf, which `sysctl --system` applies last.
 * extra (may be NULL) is a node path in one of those directories to include as if it existed
 * (a file about to be written). */
int sysctl_conf_files(const struct root *root, const char *extra, struct strv *ret);

/* The last assignment of name (dotted, "net.ipv4.ip_forward") in a sysctl.d text: 1 found with
 * *ret_value (malloc'ed, trimmed) and *ret_line, 0 none. Both separators ('.' and '/') are
 * understood, a leading '-' is ignored, and glob keys are skipped (systemd-sysctl lets an
 * explicit key win over any glob). */
int sysctl_conf_find(const char *text, size_t len, const char *name, char **ret_value, unsigned *ret_line);
