/* SPDX-License-Identifier: MIT */
/* Format-preserving editors that make a node's persistent network configuration carry an IPv4
 * default gateway: ifcfg, NetworkManager keyfiles, systemd-networkd, netplan, ifupdown. */
#pragma once

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "basic/util.h"

enum netconf_format {
        NETCONF_IFCFG,      /* /etc/sysconfig/network-scripts/ifcfg-* */
        NETCONF_KEYFILE,    /* /etc/NetworkManager/system-connections/ *.nmconnection, and others it loads */
        NETCONF_NETWORKD,   /* /etc/systemd/network/ *.network */
        NETCONF_NETPLAN,    /* /etc/netplan/ *.yaml */
        NETCONF_INTERFACES, /* /etc/network/interfaces (and interfaces.d/ *) */
};

/* Return values shared by every format:
 *  get: 1 found (*ret_gateway, malloc'ed, as written in the file), 0 none, <0 refused.
 *  set: 0 the file already configures `gateway`, 1 changed (*ret_text malloc'ed and NUL-terminated,
 *       *ret_len its length), <0 refused with "line N: reason" in *ret_error:
 *         -EEXIST        a different IPv4 default gateway is configured; never replaced
 *         -EADDRNOTAVAIL the interface takes its IPv4 address (and gateway) from DHCP
 *         -ENOTSUP       the configuration cannot carry a static default route as it stands (no
 *                        static IPv4 address, never-default, unmanaged, a bridge/bond port, ...)
 *         -ENOENT        no configuration for `iface` in the file
 *         -EINVAL        bad arguments: `gateway` not a dotted IPv4 address; iface NULL where the
 *                        file holds several interfaces
 *         -EBADMSG       a file that cannot be read completely and safely
 *  An existing gateway counts as "already there" whatever its on-link marking.
 *  Every edit keeps the rest of the file byte-identical and uses the file's line endings.
 *
 * Per format (onlink: what `onlink=true` writes):
 *  ifcfg      GATEWAY= (also reads GATEWAYn); appended after the last assignment with the quoting
 *             most of the file uses. BOOTPROTO=dhcp|bootp: -EADDRNOTAVAIL. DEFROUTE=no, no IPADDR:
 *             -ENOTSUP. onlink: not expressible in ifcfg, ignored.
 *  keyfile    [ipv4] gateway= (also reads addressN=ip/prefix,gw, addressesN=ip;prefix;gw; and
 *             routeN=0.0.0.0/0,gw); method=auto or no [ipv4]: -EADDRNOTAVAIL; never-default=true,
 *             method other than manual, no addressN: -ENOTSUP. onlink: writes
 *             routeN=0.0.0.0/0,gw with routeN_options=onlink=true instead of gateway=.
 *  networkd   [Network] Gateway= (also reads [Route] sections without a Destination= or with
 *             0.0.0.0/0); DHCP=yes|ipv4 (or legacy both/v4): -EADDRNOTAVAIL; Unmanaged=yes, Bridge=,
 *             Bond=, no IPv4 Address=: -ENOTSUP. onlink: appends a [Route] section with Gateway=
 *             and GatewayOnLink=yes instead.
 *  netplan    routes: - to: default / via: gw in the interface (also reads deprecated gateway4: and
 *             to: 0.0.0.0/0); dhcp4 true: -EADDRNOTAVAIL; no IPv4 in addresses: -ENOTSUP.
 *             onlink: the new route item gets `on-link: true`.
 *  interfaces `gateway` in the `iface IFACE inet static` stanza; inet dhcp: -EADDRNOTAVAIL; other
 *             methods: -ENOTSUP. onlink: ifupdown's `gateway` has no on-link option, ignored.
 *  iface NULL means the file's own interface; for netplan and interfaces it picks the only
 *  interface the file configures (not lo) and is -EINVAL when there are several. */
int netconf_get_gateway(enum netconf_format fmt, const char *text, size_t len, const char *iface,
                        char **ret_gateway, char **ret_error);
int netconf_set_gateway(enum netconf_format fmt, const char *text, size_t len, const char *iface,
                        const char *gateway, bool onlink, char **ret_text, size_t *ret_len,
                        char **ret_error);

/* One parse, many questions: netplan and interfaces files hold many interfaces, and the gateway
 * fixer asks about each, so it parses such a file once and asks the parsed form, which indexes
 * the interfaces by name. The answers are get's and set's above for the same text; text must
 * outlive the handle. Other formats hold one interface: the handle keeps the text, and each
 * question reads it. netconf_parse returns what get would for a file that does not parse.
 * netconf_parsed_set_gateway with ret_text NULL only answers (1: it would change the file),
 * without building the new text. */
struct netconf_parsed;
int netconf_parse(enum netconf_format fmt, const char *text, size_t len, struct netconf_parsed **ret,
                  char **ret_error);
int netconf_parsed_get_gateway(struct netconf_parsed *p, const char *iface, char **ret_gateway,
                               char **ret_error);
int netconf_parsed_set_gateway(struct netconf_parsed *p, const char *iface, const char *gateway, bool onlink,
                               char **ret_text, size_t *ret_len, char **ret_error);
void netconf_parsed_free(struct netconf_parsed *p);

/* Whether NetworkManager's keyfile plugin loads the file `name` of /etc/NetworkManager/system-connections,
 * whose stat (symlinks followed) is st. Like NetworkManager, any name but hidden ones, "~" backups,
 * a dot and six letters or digits at the end (its own temp files, .rpmnew, .nmmeta) and .pem or .der;
 * a regular file owned by root that group and others cannot access. */
bool netconf_keyfile_loaded(const char *name, const struct stat *st);

/* Guess a format from a node path; -EINVAL when unknown. */
int netconf_format_from_path(const char *path, enum netconf_format *ret);

/* ---- Per-format entry points (same contract as above) ---- */
int netconf_ifcfg_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error);
int netconf_ifcfg_set_gateway(const char *text, size_t len, const char *gateway, bool onlink,
                              char **ret_text, size_t *ret_len, char **ret_error);
int netconf_keyfile_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error);
int netconf_keyfile_set_gateway(const char *text, size_t len, const char *gateway, bool onlink,
                                char **ret_text, size_t *ret_len, char **ret_error);
int netconf_networkd_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error);
int netconf_networkd_set_gateway(const char *text, size_t len, const char *gateway, bool onlink,
                                 char **ret_text, size_t *ret_len, char **ret_error);
int netconf_netplan_get_gateway(const char *text, size_t len, const char *iface, char **ret_gateway,
                                char **ret_error);
int netconf_netplan_set_gateway(const char *text, size_t len, const char *iface, const char *gateway,
                                bool onlink, char **ret_text, size_t *ret_len, char **ret_error);
int netconf_interfaces_get_gateway(const char *text, size_t len, const char *iface, char **ret_gateway,
                                   char **ret_error);
int netconf_interfaces_set_gateway(const char *text, size_t len, const char *iface, const char *gateway,
                                   bool onlink, char **ret_text, size_t *ret_len, char **ret_error);

/* The parsed forms behind netconf_parse() (void *: each format's own struct). */
int netconf_netplan_parse(const char *text, size_t len, void **ret, char **ret_error);
int netconf_netplan_parsed_get_gateway(void *p, const char *iface, char **ret_gateway, char **ret_error);
int netconf_netplan_parsed_set_gateway(void *p, const char *iface, const char *gateway, bool onlink,
                                       char **ret_text, size_t *ret_len, char **ret_error);
void netconf_netplan_parsed_free(void *p);
int netconf_interfaces_parse(const char *text, size_t len, void **ret, char **ret_error);
int netconf_interfaces_parsed_get_gateway(void *p, const char *iface, char **ret_gateway, char **ret_error);
int netconf_interfaces_parsed_set_gateway(void *p, const char *iface, const char *gateway, bool onlink,
                                          char **ret_text, size_t *ret_len, char **ret_error);
void netconf_interfaces_parsed_free(void *p);

/* ---- Helpers shared by the format files ---- */

/* set's first check: 0, or -EINVAL when gateway is not a dotted IPv4 address. */
int netconf_check_gateway(const char *gateway, char **ret_error);
/* set's answer for a file whose default gateway is already `existing` (on line `line`): 0 when it is
 * `gateway`, else -EEXIST, as a different gateway is never replaced. */
int netconf_keep_gateway(const char *existing, unsigned line, const char *gateway, char **ret_error);

static inline bool netconf_is_ipv4(const char *s) {
        struct in_addr a;
        return s && inet_pton(AF_INET, s, &a) == 1;
}

static inline bool netconf_ipv4_equal(const char *a, const char *b) {
        struct in_addr x, y;
        return inet_pton(AF_INET, a, &x) == 1 && inet_pton(AF_INET, b, &y) == 1 && x.s_addr == y.s_addr;
}
