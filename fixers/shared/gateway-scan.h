/* SPDX-License-Identifier: MIT */
/* Which files of a tree configure its network, per stack (ifcfg, NetworkManager keyfiles,
 * systemd-networkd, netplan, ifupdown's /etc/network/interfaces and interfaces.d/), and which
 * interface each one configures. */
#pragma once

#include "engine/fixer.h"
#include "formats/netconf/netconf.h"

/* An entry's strings belong to its struct netconf_files: a .network file whose Name= lists 100,000
 * interfaces is 100,000 entries, which share one copy of the path and of the names. */
struct netconf_file {
        const char *path; /* node path, e.g. /etc/sysconfig/network-scripts/ifcfg-eth0 */
        enum netconf_format format;
        /* The interface the file (or, for netplan and interfaces, this entry of it) configures:
         * ifcfg DEVICE= or the file name's suffix, keyfile interface-name=, one name of networkd's
         * [Match] Name= (possibly a glob), the netplan key (its set-name: if any), the iface stanza.
         * NULL when the file does not name one (a keyfile bound to no device). */
        const char *iface;
};

struct netconf_files {
        struct netconf_file *
                items; /* in the stacks' order of preference: netplan, keyfile, ifcfg, networkd, interfaces */
        size_t n;
        struct strv strings; /* what the entries point to */
};

/* Scan the tree. A file whose interface cannot be read (malformed YAML, a keyfile GLib would
 * reject) is refused: <0 with "PATH: line N: reason" in *ret_error. */
int netconf_scan(struct context *ctx, struct netconf_files *ret, char **ret_error);
void netconf_files_free(struct netconf_files *f);

/* Whether entry f configures iface (networkd Name= globs match with fnmatch). */
bool netconf_file_matches(const struct netconf_file *f, const char *iface);

/* "netplan", "NetworkManager keyfile", ... for messages. */
const char *netconf_format_to_string(enum netconf_format fmt);
