/* SPDX-License-Identifier: MIT */
/* NetworkManager keyfiles (.nmconnection): read and add the [ipv4] default gateway. */
#include <ctype.h>
#include <strings.h>

#include "formats/netconf/ini.h"
#include "formats/netconf/netconf.h"

/* Names in /etc NetworkManager does not load (its nm_keyfile_utils_ignore_filename() without the
 * suffix requirement, which it keeps for /etc so that keyfiles from before 1.20 still load). */
static bool keyfile_name_ignored(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || name[0] == '.' || name[n - 1] == '~')
                return true;
        /* g_file_set_contents()'s temp files: a dot and exactly six letters or digits at the end. */
        const char *dot = strrchr(name, '.');
        if (dot && strlen(dot + 1) == 6) {
                bool alnum = true;
                for (const char *c = dot + 1; *c; c++)
                        alnum = alnum && isascii((unsigned char) *c) && isalnum((unsigned char) *c);
                if (alnum)
                        return true;
        }
        /* 802.1x certificates and keys, in any case, with something before the suffix. */
        return n > 4 && (strcasecmp(name + n - 4, ".pem") == 0 || strcasecmp(name + n - 4, ".der") == 0);
}

bool netconf_keyfile_loaded(const char *name, const struct stat *st) {
        /* NetworkManager refuses any other file as insecure. */
        return !keyfile_name_ignored(name) && S_ISREG(st->st_mode) && st->st_uid == 0 &&
               (st->st_mode & 0077) == 0;
}

static bool in_ipv4(const struct netconf_ini_line *l) {
        return l->kind == NETCONF_INI_KEY && streq(l->section, "ipv4");
}

/* "addressN", "addressesN", "routeN", "routesN" (N may be empty for the old plural forms). */
static bool numbered_key(const char *key, const char *base, unsigned *ret_n) {
        const char *p = startswith(key, base);
        if (!p)
                return false;
        /* The old plural keys: "addresses1", "routes1". */
        if (startswith(p, "es") && streq(base, "address"))
                p += 2;
        else if (*p == 's' && streq(base, "route"))
                p++;
        if (strspn(p, "0123456789") != strlen(p))
                return false;
        if (ret_n)
                *ret_n = (unsigned) strtoul(p, NULL, 10);
        return true;
}

/* The gateway inside an address or route value: "ip/prefix,gw[,...]" or the old
 * "ip;prefix;gw;" list form. NULL when the value has none. */
static char *value_gateway(const char *value) {
        const char *comma = strchr(value, ',');
        if (comma) {
                size_t n = strcspn(comma + 1, ",;");
                return n ? xstrndup(comma + 1, n) : NULL;
        }
        const char *semi = strchr(value, ';');
        if (semi && (semi = strchr(semi + 1, ';'))) {
                size_t n = strcspn(semi + 1, ";");
                return n ? xstrndup(semi + 1, n) : NULL;
        }
        return NULL;
}

/* NetworkManager's own precedence: gateway= wins, else the gateway of the first address that has
 * one; also a 0.0.0.0/0 route. *ret_line is the line it came from. */
static char *keyfile_find_gateway(const struct netconf_ini *ini, unsigned *ret_line) {
        for (size_t i = ini->n; i > 0; i--) {
                const struct netconf_ini_line *l = &ini->lines[i - 1];
                if (in_ipv4(l) && streq(l->key, "gateway") && l->value[0]) {
                        *ret_line = l->line;
                        return xstrdup(l->value);
                }
        }
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (!in_ipv4(l))
                        continue;
                bool is_route = numbered_key(l->key, "route", NULL);
                if (!is_route && !numbered_key(l->key, "address", NULL))
                        continue;
                if (is_route && !startswith(l->value, "0.0.0.0/0"))
                        continue;
                char *gw = value_gateway(l->value);
                if (gw) {
                        *ret_line = l->line;
                        return gw;
                }
        }
        return NULL;
}

static int keyfile_gateway(const struct netconf_ini *ini, char **ret, unsigned *ret_line, char **ret_error) {
        char *gw = keyfile_find_gateway(ini, ret_line);
        if (gw && !netconf_is_ipv4(gw)) {
                set_error(ret_error, "line %u: gateway %s is not an IPv4 address", *ret_line, gw);
                free(gw);
                return -EBADMSG;
        }
        *ret = gw;
        return !!gw;
}

int netconf_keyfile_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error) {
        _cleanup_(netconf_ini_free) struct netconf_ini ini = {};
        _cleanup_free_ char *gw = NULL;
        unsigned line;
        int r = netconf_ini_parse(text, len, "#", &ini, ret_error);
        if (r < 0)
                return r;
        r = keyfile_gateway(&ini, &gw, &line, ret_error);
        if (r > 0 && ret_gateway)
                *ret_gateway = TAKE_PTR(gw);
        return r;
}

static const struct netconf_ini_line *find_key(const struct netconf_ini *ini, const char *section,
                                               const char *key) {
        const struct netconf_ini_line *found = NULL;
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind == NETCONF_INI_KEY && streq(l->section, section) && streq(l->key, key))
                        found = l; /* the last one wins, as in GLib */
        }
        return found;
}

static int keyfile_check_static(const struct netconf_ini *ini, char **ret_error) {
        const char *port_keys[] = { "master", "controller", "slave-type", "port-type" };
        for (size_t i = 0; i < ELEMENTSOF(port_keys); i++) {
                const struct netconf_ini_line *l = find_key(ini, "connection", port_keys[i]);
                if (l && l->value[0]) {
                        set_error(ret_error,
                                  "line %u: %s=%s: the connection is a port of another device, its address "
                                  "and routes live there",
                                  l->line, l->key, l->value);
                        return -ENOTSUP;
                }
        }
        const struct netconf_ini_line *method = find_key(ini, "ipv4", "method");
        if (!method || streq(method->value, "auto")) {
                set_error(ret_error, "line %u: %s: the connection gets its IPv4 gateway from DHCP",
                          method ? method->line : 1, method ? "method=auto" : "no [ipv4] method (auto)");
                return -EADDRNOTAVAIL;
        }
        if (!streq(method->value, "manual")) {
                set_error(ret_error, "line %u: method=%s: no static IPv4 addressing", method->line,
                          method->value);
                return -ENOTSUP;
        }
        const struct netconf_ini_line *l = find_key(ini, "ipv4", "never-default");
        if (l && (streq(l->value, "true") || streq(l->value, "1") || streq(l->value, "yes"))) {
                set_error(ret_error,
                          "line %u: never-default=%s: the connection must not carry the default route",
                          l->line, l->value);
                return -ENOTSUP;
        }
        for (size_t i = 0; i < ini->n; i++)
                if (in_ipv4(&ini->lines[i]) && numbered_key(ini->lines[i].key, "address", NULL))
                        return 0;
        set_error(ret_error, "line %u: method=manual without an addressN=", method->line);
        return -ENOTSUP;
}

int netconf_keyfile_set_gateway(const char *text, size_t len, const char *gateway, bool onlink,
                                char **ret_text, size_t *ret_len, char **ret_error) {
        _cleanup_(netconf_ini_free) struct netconf_ini ini = {};
        _cleanup_free_ char *existing = NULL, *insert = NULL;
        unsigned line;
        int r;

        r = netconf_check_gateway(gateway, ret_error);
        if (r < 0)
                return r;
        r = netconf_ini_parse(text, len, "#", &ini, ret_error);
        if (r < 0)
                return r;
        r = keyfile_gateway(&ini, &existing, &line, ret_error);
        if (r < 0)
                return r;
        if (r > 0)
                return netconf_keep_gateway(existing, line, gateway, ret_error);
        r = keyfile_check_static(&ini, ret_error);
        if (r < 0)
                return r;

        /* check_static found an [ipv4] method=manual and address, so the section exists. */
        const struct netconf_ini_line *last = NULL;
        unsigned max_route = 0, n;
        for (size_t i = 0; i < ini.n; i++) {
                const struct netconf_ini_line *l = &ini.lines[i];
                if (in_ipv4(l))
                        last = l;
                if (in_ipv4(l) && numbered_key(l->key, "route", &n) && n > max_route)
                        max_route = n;
        }
        const char *eq = last->spaced ? " = " : "=";
        if (onlink)
                /* gateway= has no on-link flag; a default route entry has. */
                insert = xasprintf("route%u%s0.0.0.0/0,%s%sroute%u_options%sonlink=true%s", max_route + 1,
                                   eq, gateway, ini.eol, max_route + 1, eq, ini.eol);
        else
                insert = xasprintf("gateway%s%s%s", eq, gateway, ini.eol);
        if (ret_text) /* NULL: only the answer is asked for */
                *ret_text = netconf_splice(text, len, last->end, insert, ini.eol, ret_len);
        return 1;
}
