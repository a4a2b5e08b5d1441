/* SPDX-License-Identifier: MIT */
/* systemd-networkd .network files: read and add the IPv4 default gateway. */
#include "formats/netconf/netconf.h"

#include "formats/netconf/ini.h"

static bool is_section(const struct netconf_ini_line *l, const char *name) {
        return l->section && streq(l->section, name);
}

/* systemd's boolean words. */
static bool networkd_true(const char *v) {
        return streq(v, "yes") || streq(v, "true") || streq(v, "on") || streq(v, "1") || streq(v, "y") ||
               streq(v, "t");
}

/* Whether a [Route] section (lines [from, to)) is an IPv4 default route; its gateway in *ret_gw. */
static bool route_is_default4(const struct netconf_ini *ini, size_t from, size_t to, const char **ret_gw,
                              unsigned *ret_line) {
        const char *gw = NULL, *dest = NULL;
        unsigned line = 0;
        for (size_t i = from; i < to; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind != NETCONF_INI_KEY)
                        continue;
                if (streq(l->key, "Gateway"))
                        gw = l->value, line = l->line;
                else if (streq(l->key, "Destination"))
                        dest = l->value;
        }
        if (!gw || !netconf_is_ipv4(gw))
                return false;
        if (dest && !streq(dest, "0.0.0.0/0") && !streq(dest, "0.0.0.0"))
                return false;
        *ret_gw = gw;
        *ret_line = line;
        return true;
}

/* The first IPv4 default gateway: [Network] Gateway= or a default [Route], and the line it is on.
 * Values like _dhcp4 and IPv6 gateways are not IPv4 gateways and are skipped. */
static const char *networkd_find_gateway(const struct netconf_ini *ini, unsigned *ret_line) {
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind == NETCONF_INI_KEY && is_section(l, "Network") && streq(l->key, "Gateway") &&
                    netconf_is_ipv4(l->value)) {
                        *ret_line = l->line;
                        return l->value;
                }
                if (l->kind == NETCONF_INI_SECTION && streq(l->section, "Route")) {
                        size_t j = i + 1;
                        while (j < ini->n && ini->lines[j].kind != NETCONF_INI_SECTION)
                                j++;
                        const char *gw;
                        if (route_is_default4(ini, i + 1, j, &gw, ret_line))
                                return gw;
                }
        }
        return NULL;
}

int netconf_networkd_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error) {
        _cleanup_(netconf_ini_free) struct netconf_ini ini = {};
        int r = netconf_ini_parse(text, len, "#;", &ini, ret_error);
        if (r < 0)
                return r;
        unsigned line;
        const char *gw = networkd_find_gateway(&ini, &line);
        if (gw && ret_gateway)
                *ret_gateway = xstrdup(gw);
        return gw ? 1 : 0;
}

/* Why this file cannot take a static IPv4 default gateway, or 0 when it can. */
static int networkd_check_static(const struct netconf_ini *ini, char **ret_error) {
        bool have_address = false;
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind != NETCONF_INI_KEY)
                        continue;
                if (is_section(l, "Link") && streq(l->key, "Unmanaged") && networkd_true(l->value)) {
                        set_error(ret_error, "line %u: Unmanaged=%s: networkd does not configure this link",
                                  l->line, l->value);
                        return -ENOTSUP;
                }
                if (!is_section(l, "Network") && !is_section(l, "Address"))
                        continue;
                if (is_section(l, "Network") &&
                    (streq(l->key, "Bridge") || streq(l->key, "Bond") || streq(l->key, "VRF"))) {
                        set_error(ret_error,
                                  "line %u: %s=%s: the link is a port of another device, its address and "
                                  "routes live there",
                                  l->line, l->key, l->value);
                        return -ENOTSUP;
                }
                if (is_section(l, "Network") && streq(l->key, "DHCP") &&
                    (networkd_true(l->value) || streq(l->value, "ipv4") || streq(l->value, "both") ||
                     streq(l->value, "v4"))) {
                        set_error(ret_error,
                                  "line %u: DHCP=%s: the interface gets its IPv4 gateway from DHCP", l->line,
                                  l->value);
                        return -EADDRNOTAVAIL;
                }
                if (streq(l->key, "Address") && strchr(l->value, '.') && !strchr(l->value, ':'))
                        have_address = true;
        }
        if (!have_address) {
                set_error(ret_error, "line %u: no static IPv4 Address= for the gateway to be reached from",
                          ini->n ? ini->lines[ini->n - 1].line : 1);
                return -ENOTSUP;
        }
        return 0;
}

/* The line after which a new key of the last [Network] section goes: its last assignment, so
 * comments and blank lines that end the section stay where they are. */
static const struct netconf_ini_line *last_network_key(const struct netconf_ini *ini) {
        const struct netconf_ini_line *last = NULL;
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind == NETCONF_INI_SECTION && streq(l->section, "Network"))
                        last = l;
                else if (l->kind == NETCONF_INI_KEY && is_section(l, "Network") && last)
                        last = l;
        }
        return last;
}

int netconf_networkd_set_gateway(const char *text, size_t len, const char *gateway, bool onlink,
                                 char **ret_text, size_t *ret_len, char **ret_error) {
        _cleanup_free_ char *insert = NULL;
        _cleanup_(netconf_ini_free) struct netconf_ini ini = {};
        int r;

        r = netconf_check_gateway(gateway, ret_error);
        if (r < 0)
                return r;
        r = netconf_ini_parse(text, len, "#;", &ini, ret_error);
        if (r < 0)
                return r;

        unsigned line;
        const char *existing = networkd_find_gateway(&ini, &line);
        if (existing)
                return netconf_keep_gateway(existing, line, gateway, ret_error);
        r = networkd_check_static(&ini, ret_error);
        if (r < 0)
                return r;

        /* Follow the file's "Key = value" spacing where it uses it. */
        bool spaced = false;
        for (size_t i = 0; i < ini.n; i++)
                if (ini.lines[i].kind == NETCONF_INI_KEY) {
                        spaced = ini.lines[i].spaced;
                        break;
                }
        const char *eq = spaced ? " = " : "=";
        const struct netconf_ini_line *after = onlink ? NULL : last_network_key(&ini);
        size_t at;
        if (after) {
                insert = xasprintf("Gateway%s%s%s", eq, gateway, ini.eol);
                at = after->end;
        } else {
                /* A new section at the end, set off by a blank line unless the file ends with one. */
                bool blank_before =
                        len > 0 && !(ini.n > 0 && ini.lines[ini.n - 1].kind == NETCONF_INI_BLANK);
                if (onlink)
                        insert = xasprintf("%s[Route]%sGateway%s%s%sGatewayOnLink%syes%s",
                                           blank_before ? ini.eol : "", ini.eol, eq, gateway, ini.eol, eq,
                                           ini.eol);
                else
                        insert = xasprintf("%s[Network]%sGateway%s%s%s", blank_before ? ini.eol : "",
                                           ini.eol, eq, gateway, ini.eol);
                at = len;
        }
        if (ret_text) /* NULL: only the answer is asked for */
                *ret_text = netconf_splice(text, len, at, insert, ini.eol, ret_len);
        return 1;
}
