/* SPDX-License-Identifier: MIT */
/* netplan YAML: read an interface's IPv4 default gateway (routes or deprecated gateway4) and add a
 * `- to: default / via:` route item, spliced into the original text with the file's indentation. */
#include "formats/netconf/netconf.h"

#include <strings.h>

#include "basic/name-index.h"
#include "formats/netconf/ini.h"
#include "formats/yaml-tree.h"

static const char *const device_types[] = {
        "ethernets", "bonds",         "bridges",           "vlans",     "wifis", "tunnels", "vrfs",
        "modems",    "dummy-devices", "virtual-ethernets", "nm-devices"
};

/* One device of the file: its key under a device type and its definition. */
struct netplan_device {
        const struct ynode *key, *def;
        unsigned twice_line; /* the line of a second device with this name (key or set-name), or 0 */
};

struct netplan {
        const char *text;
        size_t len;
        struct ystream stream;
        struct netplan_device *devices; /* in file order */
        size_t n_devices;
        struct name_index names;   /* key and set-name -> the first device named so */
        const struct ynode *iface; /* the interface's mapping (or null scalar) */
        const struct ynode *iface_key;
        const char *eol;
};

static void netplan_done(struct netplan *np) {
        name_index_free(&np->names);
        free(np->devices);
        ystream_free(&np->stream);
}

/* 0-based column of the byte at off: the indentation of a node that starts its line. */
static size_t column_of(const char *text, size_t off) {
        return off - line_start_of(text, off);
}

/* A key's value that must appear at most once and not through an alias. */
static int lookup(const char *text, const struct ynode *map, const char *key, const struct ynode **ret,
                  char **ret_error) {
        size_t count;
        const struct ynode *v =
                map && map->kind == YNODE_MAPPING ? ymapping_lookup(map, key, &count, NULL) : NULL;
        if (v && count > 1) {
                set_error(ret_error, "line %u: duplicate key '%s'", line_of_offset(text, v->start), key);
                return -EBADMSG;
        }
        if (v && v->kind == YNODE_ALIAS) {
                set_error(ret_error, "line %u: '%s' is an alias, not edited", v->line, key);
                return -EBADMSG;
        }
        *ret = v;
        return 0;
}

/* A name (a device's key or set-name) for the index; a second device of that name is noted. */
static void name_device(struct netplan *np, const char *name, size_t i) {
        size_t first;
        if (name_index_put(&np->names, name, i) || !name_index_get(&np->names, name, &first) || first == i)
                return;
        if (!np->devices[first].twice_line)
                np->devices[first].twice_line = np->devices[i].key->line;
}

/* Parse, and index the devices by name, so that asking about each interface of a file with
 * thousands costs a lookup, not a walk. np holds what was parsed even on failure: netplan_done()
 * it. */
static int netplan_parse(struct netplan *np, const char *text, size_t len, char **ret_error) {
        const struct ynode *network = NULL;
        int r;

        *np = (struct netplan){ .text = text, .len = len, .eol = detect_eol(text, len) };
        r = ytext_check_line_breaks(text, len, ret_error);
        if (r < 0)
                return r;
        r = ystream_parse(text, len, &np->stream, ret_error);
        if (r < 0)
                return r;
        if (np->stream.n_docs > 1) {
                set_error(ret_error, "line %u: more than one YAML document",
                          line_of_offset(text, np->stream.docs[1].start));
                return -EBADMSG;
        }
        const struct ynode *root = np->stream.n_docs ? np->stream.docs[0].root : NULL;
        r = lookup(text, root, "network", &network, ret_error);
        if (r < 0 || !network)
                return r;

        for (size_t t = 0; t < ELEMENTSOF(device_types); t++) {
                const struct ynode *devices;
                r = lookup(text, network, device_types[t], &devices, ret_error);
                if (r < 0)
                        return r;
                if (!devices || devices->kind != YNODE_MAPPING)
                        continue;
                np->devices = xrealloc(np->devices,
                                       (np->n_devices + devices->n_children / 2) * sizeof(*np->devices));
                for (size_t i = 0; i + 1 < devices->n_children; i += 2) {
                        const struct ynode *key = devices->children[i], *def = devices->children[i + 1];
                        if (key->kind != YNODE_SCALAR)
                                continue;
                        size_t d = np->n_devices++;
                        np->devices[d] = (struct netplan_device){ .key = key, .def = def };
                        const struct ynode *set_name = NULL;
                        if (def->kind == YNODE_MAPPING)
                                (void) lookup(text, def, "set-name", &set_name, NULL);
                        name_device(np, key->value, d);
                        if (set_name && set_name->kind == YNODE_SCALAR &&
                            !streq(set_name->value, key->value))
                                name_device(np, set_name->value, d);
                }
        }
        return 0;
}

static int select_device(struct netplan *np, const struct netplan_device *d, char **ret_error) {
        if (d->def->kind == YNODE_ALIAS) {
                set_error(ret_error, "line %u: interface %s is an alias, not edited", d->def->line,
                          d->key->value);
                return -EBADMSG;
        }
        np->iface = d->def;
        np->iface_key = d->key;
        return 0;
}

/* Find the interface (the only one when iface is NULL) in a parsed file: 0 with np->iface NULL
 * when the file does not configure it. */
static int netplan_select(struct netplan *np, const char *iface, char **ret_error) {
        np->iface = np->iface_key = NULL;
        if (iface) {
                size_t i;
                if (!name_index_get(&np->names, iface, &i))
                        return 0;
                int r = select_device(np, &np->devices[i], ret_error);
                if (r < 0)
                        return r;
                if (np->devices[i].twice_line) {
                        set_error(ret_error, "line %u: interface %s is defined twice",
                                  np->devices[i].twice_line, iface);
                        return -EBADMSG;
                }
                return 0;
        }
        for (size_t i = 0; i < np->n_devices; i++) {
                if (np->iface) {
                        set_error(ret_error,
                                  "line %u: the file configures several interfaces (%s, %s); name one",
                                  np->devices[i].key->line, np->iface_key->value, np->devices[i].key->value);
                        return -EINVAL;
                }
                int r = select_device(np, &np->devices[i], ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_default_destination(const char *to) {
        return streq(to, "default") || streq(to, "0.0.0.0/0");
}

/* The interface's IPv4 default gateway: a `to: default` route's via, else gateway4. *ret_node is
 * the scalar holding it. */
static int netplan_find_gateway(const struct netplan *np, const struct ynode **ret_node, char **ret_error) {
        const struct ynode *routes, *gateway4, *found = NULL;
        int r;

        *ret_node = NULL;
        if (!np->iface || np->iface->kind != YNODE_MAPPING)
                return 0;
        r = lookup(np->text, np->iface, "routes", &routes, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; routes && routes->kind == YNODE_SEQUENCE && i < routes->n_children && !found;
             i++) {
                const struct ynode *to, *via;
                if (lookup(np->text, routes->children[i], "to", &to, ret_error) < 0 ||
                    lookup(np->text, routes->children[i], "via", &via, ret_error) < 0)
                        return -EBADMSG;
                if (to && via && to->kind == YNODE_SCALAR && via->kind == YNODE_SCALAR &&
                    is_default_destination(to->value) && !strchr(via->value, ':'))
                        found = via;
        }
        if (!found) {
                r = lookup(np->text, np->iface, "gateway4", &gateway4, ret_error);
                if (r < 0)
                        return r;
                if (gateway4 && gateway4->kind == YNODE_SCALAR && gateway4->value_len > 0)
                        found = gateway4;
        }
        if (found && !netconf_is_ipv4(found->value)) {
                set_error(ret_error, "line %u: gateway %s is not an IPv4 address", found->line,
                          found->value);
                return -EBADMSG;
        }
        *ret_node = found;
        return !!found;
}

static int netplan_get(struct netplan *np, const char *iface, char **ret_gateway, char **ret_error) {
        const struct ynode *gw;
        int r = netplan_select(np, iface, ret_error);
        if (r >= 0)
                r = netplan_find_gateway(np, &gw, ret_error);
        if (r > 0 && ret_gateway)
                *ret_gateway = xstrdup(gw->value);
        return r;
}

int netconf_netplan_get_gateway(const char *text, size_t len, const char *iface, char **ret_gateway,
                                char **ret_error) {
        _cleanup_(netplan_done) struct netplan np = {};
        int r = netplan_parse(&np, text, len, ret_error);
        return r < 0 ? r : netplan_get(&np, iface, ret_gateway, ret_error);
}

static bool yaml_true(const struct ynode *n) {
        static const char *const words[] = { "true", "yes", "on", "y" };
        if (!n || n->kind != YNODE_SCALAR)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (strcasecmp(n->value, words[i]) == 0)
                        return true;
        return false;
}

static bool is_ipv4_prefix(const char *s) {
        size_t n = strcspn(s, "/");
        _cleanup_free_ char *a = xstrndup(s, n);
        return netconf_is_ipv4(a);
}

static int netplan_check_static(const struct netplan *np, const char *iface, char **ret_error) {
        const struct ynode *dhcp4, *addresses;
        int r;

        r = lookup(np->text, np->iface, "dhcp4", &dhcp4, ret_error);
        if (r < 0)
                return r;
        if (yaml_true(dhcp4)) {
                set_error(ret_error, "line %u: dhcp4: %s: the interface gets its gateway from DHCP",
                          dhcp4->line, dhcp4->value);
                return -EADDRNOTAVAIL;
        }
        r = lookup(np->text, np->iface, "addresses", &addresses, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; addresses && addresses->kind == YNODE_SEQUENCE && i < addresses->n_children;
             i++) {
                const struct ynode *a = addresses->children[i];
                /* An address with options is a one-key mapping: "- 10.0.0.2/24: {label: x}". */
                if (a->kind == YNODE_MAPPING && a->n_children == 2)
                        a = a->children[0];
                if (a->kind == YNODE_SCALAR && is_ipv4_prefix(a->value))
                        return 0;
        }
        set_error(ret_error, "line %u: interface %s has no static IPv4 address", np->iface_key->line, iface);
        return -ENOTSUP;
}

/* How far a block sequence's dashes sit right of their key, as the file does it elsewhere
 * (netplan files use both "key:\n- a" and "key:\n  - a"); -1 when the file has none. */
static int sequence_offset(const char *text, const struct ynode *n) {
        if (n->kind != YNODE_MAPPING)
                return -1;
        for (size_t i = 0; i + 1 < n->n_children; i += 2) {
                const struct ynode *k = n->children[i], *v = n->children[i + 1];
                if (v->kind == YNODE_SEQUENCE && !v->flow && v->n_children > 0 && text[v->start] == '-')
                        return (int) column_of(text, v->start) - (int) column_of(text, k->start);
                int r = sequence_offset(text, v);
                if (r >= 0)
                        return r;
        }
        return -1;
}

/* The new route item's lines, its dash at column dash_col. */
static void put_route_item(struct buf *b, size_t dash_col, const char *gateway, bool onlink,
                           const char *eol) {
        buf_printf(b, "%*s- to: default%s", (int) dash_col, "", eol);
        buf_printf(b, "%*svia: %s%s", (int) dash_col + 2, "", gateway, eol);
        if (onlink)
                buf_printf(b, "%*son-link: true%s", (int) dash_col + 2, "", eol);
}

static int netplan_insert_route(const struct netplan *np, const char *gateway, bool onlink, char **ret_text,
                                size_t *ret_len, char **ret_error) {
        const struct ynode *routes;
        struct buf insert = {};
        size_t at;
        int r = lookup(np->text, np->iface, "routes", &routes, ret_error);
        if (r < 0)
                return r;

        if (np->iface->kind != YNODE_MAPPING || np->iface->flow || np->iface->n_children == 0) {
                set_error(ret_error, "line %u: the interface is not a block mapping, not edited",
                          np->iface->line);
                return -EBADMSG;
        }
        if (routes) {
                if (routes->kind != YNODE_SEQUENCE || routes->flow || routes->n_children == 0 ||
                    np->text[routes->start] != '-') {
                        set_error(ret_error, "line %u: routes is not a block sequence, not edited",
                                  routes->line);
                        return -EBADMSG;
                }
                if (!ret_text)
                        return 1;
                put_route_item(&insert, column_of(np->text, routes->start), gateway, onlink, np->eol);
                at = line_end_of(np->text, np->len, ynode_content_end(routes));
        } else {
                if (!ret_text)
                        return 1;
                size_t key_col = column_of(np->text, np->iface->children[0]->start);
                int offset = sequence_offset(np->text, np->stream.docs[0].root);
                if (offset < 0) /* none in the file: indent by the file's own mapping step */
                        offset = (int) (key_col - column_of(np->text, np->iface_key->start));
                buf_printf(&insert, "%*sroutes:%s", (int) key_col, "", np->eol);
                put_route_item(&insert, key_col + offset, gateway, onlink, np->eol);
                at = line_end_of(np->text, np->len, ynode_content_end(np->iface));
        }
        *ret_text = netconf_splice(np->text, np->len, at, insert.data, np->eol, ret_len);
        buf_free(&insert);
        return 1;
}

static int netplan_set(struct netplan *np, const char *iface, const char *gateway, bool onlink,
                       char **ret_text, size_t *ret_len, char **ret_error) {
        const struct ynode *gw;
        int r = netconf_check_gateway(gateway, ret_error);
        if (r < 0)
                return r;
        r = netplan_select(np, iface, ret_error);
        if (r < 0)
                return r;
        if (!np->iface) {
                set_error(ret_error, "line 1: no interface %s in the file", iface ? iface : "at all");
                return -ENOENT;
        }
        r = netplan_find_gateway(np, &gw, ret_error);
        if (r < 0)
                return r;
        if (r > 0)
                return netconf_keep_gateway(gw->value, gw->line, gateway, ret_error);
        r = netplan_check_static(np, np->iface_key->value, ret_error);
        if (r < 0)
                return r;
        return netplan_insert_route(np, gateway, onlink, ret_text, ret_len, ret_error);
}

int netconf_netplan_set_gateway(const char *text, size_t len, const char *iface, const char *gateway,
                                bool onlink, char **ret_text, size_t *ret_len, char **ret_error) {
        _cleanup_(netplan_done) struct netplan np = {};
        int r = netconf_check_gateway(gateway, ret_error);
        if (r >= 0)
                r = netplan_parse(&np, text, len, ret_error);
        return r < 0 ? r : netplan_set(&np, iface, gateway, onlink, ret_text, ret_len, ret_error);
}

/* ---- one parse, many questions (netconf.h) ---- */

int netconf_netplan_parse(const char *text, size_t len, void **ret, char **ret_error) {
        struct netplan *np = xmalloc(sizeof(*np));
        int r = netplan_parse(np, text, len, ret_error);
        if (r < 0) {
                netplan_done(np);
                free(np);
                return r;
        }
        *ret = np;
        return 0;
}

void netconf_netplan_parsed_free(void *p) {
        if (p)
                netplan_done(p);
        free(p);
}

int netconf_netplan_parsed_get_gateway(void *p, const char *iface, char **ret_gateway, char **ret_error) {
        return netplan_get(p, iface, ret_gateway, ret_error);
}

int netconf_netplan_parsed_set_gateway(void *p, const char *iface, const char *gateway, bool onlink,
                                       char **ret_text, size_t *ret_len, char **ret_error) {
        return netplan_set(p, iface, gateway, onlink, ret_text, ret_len, ret_error);
}
