/* SPDX-License-Identifier: MIT */
/* The entry points of netconf.h that are no one format's: the dispatch to a format's editor, the
 * format a node path is in, and the checks every format's set begins with. */
#include "formats/netconf/netconf.h"

int netconf_check_gateway(const char *gateway, char **ret_error) {
        if (netconf_is_ipv4(gateway))
                return 0;
        set_error(ret_error, "'%s' is not an IPv4 address", strempty(gateway));
        return -EINVAL;
}

int netconf_keep_gateway(const char *existing, unsigned line, const char *gateway, char **ret_error) {
        if (netconf_ipv4_equal(existing, gateway))
                return 0;
        set_error(ret_error, "line %u: the default gateway is already %s, not replacing it with %s", line,
                  existing, gateway);
        return -EEXIST;
}

int netconf_get_gateway(enum netconf_format fmt, const char *text, size_t len, const char *iface,
                        char **ret_gateway, char **ret_error) {
        if (!text && len > 0)
                return -EINVAL;
        text = text ? text : "";
        switch (fmt) {
        case NETCONF_IFCFG:
                return netconf_ifcfg_get_gateway(text, len, ret_gateway, ret_error);
        case NETCONF_KEYFILE:
                return netconf_keyfile_get_gateway(text, len, ret_gateway, ret_error);
        case NETCONF_NETWORKD:
                return netconf_networkd_get_gateway(text, len, ret_gateway, ret_error);
        case NETCONF_NETPLAN:
                return netconf_netplan_get_gateway(text, len, iface, ret_gateway, ret_error);
        case NETCONF_INTERFACES:
                return netconf_interfaces_get_gateway(text, len, iface, ret_gateway, ret_error);
        }
        return -EINVAL;
}

int netconf_set_gateway(enum netconf_format fmt, const char *text, size_t len, const char *iface,
                        const char *gateway, bool onlink, char **ret_text, size_t *ret_len,
                        char **ret_error) {
        if (!text && len > 0)
                return -EINVAL;
        text = text ? text : "";
        switch (fmt) {
        case NETCONF_IFCFG:
                return netconf_ifcfg_set_gateway(text, len, gateway, onlink, ret_text, ret_len, ret_error);
        case NETCONF_KEYFILE:
                return netconf_keyfile_set_gateway(text, len, gateway, onlink, ret_text, ret_len, ret_error);
        case NETCONF_NETWORKD:
                return netconf_networkd_set_gateway(text, len, gateway, onlink, ret_text, ret_len,
                                                    ret_error);
        case NETCONF_NETPLAN:
                return netconf_netplan_set_gateway(text, len, iface, gateway, onlink, ret_text, ret_len,
                                                   ret_error);
        case NETCONF_INTERFACES:
                return netconf_interfaces_set_gateway(text, len, iface, gateway, onlink, ret_text, ret_len,
                                                      ret_error);
        }
        return -EINVAL;
}

int netconf_format_from_path(const char *path, enum netconf_format *ret) {
        if (!path)
                return -EINVAL;
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        enum netconf_format fmt;

        if (startswith(base, "ifcfg-") && base[6] && !streq(base, "ifcfg-lo"))
                fmt = NETCONF_IFCFG;
        else if (strstr(path, "/NetworkManager/system-connections/") || endswith(base, ".nmconnection"))
                fmt = NETCONF_KEYFILE;
        else if (endswith(base, ".network") && base[0] != '.')
                fmt = NETCONF_NETWORKD;
        else if (strstr(path, "/netplan/") && (endswith(base, ".yaml") || endswith(base, ".yml")))
                fmt = NETCONF_NETPLAN;
        else if (endswith(path, "/etc/network/interfaces") || streq(path, "interfaces") ||
                 strstr(path, "/etc/network/interfaces.d/"))
                fmt = NETCONF_INTERFACES;
        else
                return -EINVAL;
        *ret = fmt;
        return 0;
}

struct netconf_parsed {
        enum netconf_format format;
        const char *text;
        size_t len;
        void *doc; /* netplan's or interfaces' parsed form; NULL for the other formats */
};

int netconf_parse(enum netconf_format fmt, const char *text, size_t len, struct netconf_parsed **ret,
                  char **ret_error) {
        if (!text && len > 0)
                return -EINVAL;
        struct netconf_parsed p = { .format = fmt, .text = text ? text : "", .len = len };
        int r = fmt == NETCONF_NETPLAN      ? netconf_netplan_parse(p.text, len, &p.doc, ret_error)
                : fmt == NETCONF_INTERFACES ? netconf_interfaces_parse(p.text, len, &p.doc, ret_error)
                                            : 0;
        if (r < 0)
                return r;
        *ret = xmalloc(sizeof(p));
        **ret = p;
        return 0;
}

int netconf_parsed_get_gateway(struct netconf_parsed *p, const char *iface, char **ret_gateway,
                               char **ret_error) {
        if (p->format == NETCONF_NETPLAN)
                return netconf_netplan_parsed_get_gateway(p->doc, iface, ret_gateway, ret_error);
        if (p->format == NETCONF_INTERFACES)
                return netconf_interfaces_parsed_get_gateway(p->doc, iface, ret_gateway, ret_error);
        return netconf_get_gateway(p->format, p->text, p->len, iface, ret_gateway, ret_error);
}

int netconf_parsed_set_gateway(struct netconf_parsed *p, const char *iface, const char *gateway, bool onlink,
                               char **ret_text, size_t *ret_len, char **ret_error) {
        if (p->format == NETCONF_NETPLAN)
                return netconf_netplan_parsed_set_gateway(p->doc, iface, gateway, onlink, ret_text, ret_len,
                                                          ret_error);
        if (p->format == NETCONF_INTERFACES)
                return netconf_interfaces_parsed_set_gateway(p->doc, iface, gateway, onlink, ret_text,
                                                             ret_len, ret_error);
        /* One interface, one question per file; with ret_text NULL the editors make no new text. */
        return netconf_set_gateway(p->format, p->text, p->len, iface, gateway, onlink, ret_text, ret_len,
                                   ret_error);
}

void netconf_parsed_free(struct netconf_parsed *p) {
        if (!p)
                return;
        if (p->format == NETCONF_NETPLAN)
                netconf_netplan_parsed_free(p->doc);
        else if (p->format == NETCONF_INTERFACES)
                netconf_interfaces_parsed_free(p->doc);
        free(p);
}
