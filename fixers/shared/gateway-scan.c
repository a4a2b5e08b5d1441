/* SPDX-License-Identifier: MIT */
/* Find a tree's network configuration files and the interface each configures (netconf-scan.h). */
#include "fixers/shared/gateway-scan.h"

#include <ctype.h>
#include <fnmatch.h>

#include "basic/name-index.h"
#include "formats/netconf/ini.h"
#include "formats/yaml-tree.h"

#define IFCFG_DIR "/etc/sysconfig/network-scripts"
#define KEYFILE_DIR "/etc/NetworkManager/system-connections"
#define NETWORKD_DIR "/etc/systemd/network"
#define NETPLAN_DIR "/etc/netplan"
#define INTERFACES "/etc/network/interfaces"
#define INTERFACES_D "/etc/network/interfaces.d" /* Debian cloud images configure eth0 there */

/* Keep s (malloc'ed) for the entries to point to. */
static const char *keep(struct netconf_files *f, char *s) {
        strv_push(&f->strings, s);
        return s;
}

/* path and iface: kept strings. */
static void add(struct netconf_files *f, const char *path, enum netconf_format fmt, const char *iface) {
        f->items = xrealloc_grow(f->items, f->n, sizeof(*f->items));
        f->items[f->n++] = (struct netconf_file){ .path = path, .format = fmt, .iface = iface };
}

void netconf_files_free(struct netconf_files *f) {
        free(f->items);
        strv_free(&f->strings);
        *f = (struct netconf_files){};
}

/* ifcfg DEVICE=, unquoted; NULL when absent. */
static char *ifcfg_device(const char *text, size_t len) {
        char *dev = NULL;
        for (size_t off = 0, line_len, end; text_line_raw(text, len, off, &line_len, &end); off = end) {
                const char *p = text + off + strspn(text + off, " \t");
                const char *v = startswith(p, "DEVICE=");
                if (!v)
                        continue;
                size_t n = span_rstrip(v, strcspn(v, "\r\n"), WHITESPACE);
                if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
                        v++, n -= 2;
                free(dev);
                dev = n ? xstrndup(v, n) : NULL; /* the last assignment counts, as in a shell */
        }
        return dev;
}

/* network-scripts ignores editor and package-manager leftovers. */
static bool ifcfg_ignored(const char *name) {
        static const char *const suffixes[] = { "~", ".bak", ".orig", ".rpmnew", ".rpmorig", ".rpmsave" };
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (endswith(name, suffixes[i]))
                        return true;
        return streq(name, "ifcfg-lo");
}

/* The value of the last KEY= line in [section], or NULL. */
static const char *ini_value(const struct netconf_ini *ini, const char *section, const char *key) {
        const char *v = NULL;
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                if (l->kind == NETCONF_INI_KEY && streq_ptr(l->section, section) && streq(l->key, key))
                        v = l->value;
        }
        return v;
}

static int scan_ini(struct netconf_files *f, const char *path, const char *text, size_t len,
                    enum netconf_format fmt, char **ret_error) {
        struct netconf_ini ini;
        _cleanup_free_ char *err = NULL;
        int k = netconf_ini_parse(text, len, fmt == NETCONF_KEYFILE ? "#" : "#;", &ini, &err);
        if (k < 0) {
                set_error(ret_error, "%s: %s", path, err);
                return k;
        }
        const char *kept_path = keep(f, xstrdup(path));
        if (fmt == NETCONF_KEYFILE) {
                const char *name = ini_value(&ini, "connection", "interface-name");
                const char *type = ini_value(&ini, "connection", "type");
                if (!type || !streq(type, "loopback"))
                        add(f, kept_path, fmt, name && *name ? keep(f, xstrdup(name)) : NULL);
        } else {
                /* Every Name= in [Match] adds to the list; each word is a name or a glob. The words
                 * are cut in place in one kept copy of the value. */
                bool any = false;
                for (size_t i = 0; i < ini.n; i++) {
                        const struct netconf_ini_line *l = &ini.lines[i];
                        if (l->kind != NETCONF_INI_KEY || !streq_ptr(l->section, "Match") ||
                            !streq(l->key, "Name"))
                                continue;
                        char *words = (char *) keep(f, xstrdup(l->value));
                        for (char *p = words + strspn(words, " \t"); *p; p += strspn(p, " \t")) {
                                char *w = p;
                                p += strcspn(p, " \t");
                                if (*p)
                                        *p++ = 0;
                                if (!streq(w, "lo"))
                                        add(f, kept_path, fmt, w);
                                any = true;
                        }
                }
                if (!any)
                        add(f, kept_path, fmt, NULL);
        }
        netconf_ini_free(&ini);
        return 0;
}

static int scan_netplan(struct netconf_files *f, const char *path, const char *text, size_t len,
                        char **ret_error) {
        static const char *const types[] = {
                "ethernets", "bonds",         "bridges",           "vlans",     "wifis", "tunnels", "vrfs",
                "modems",    "dummy-devices", "virtual-ethernets", "nm-devices"
        };
        struct ystream s;
        _cleanup_free_ char *err = NULL;
        int k = ystream_parse(text, len, &s, &err);
        if (k < 0) {
                set_error(ret_error, "%s: %s", path, err);
                return k;
        }
        const char *kept_path = keep(f, xstrdup(path));
        const struct ynode *root = s.n_docs ? s.docs[0].root : NULL;
        const struct ynode *net =
                root && root->kind == YNODE_MAPPING ? ymapping_lookup(root, "network", NULL, NULL) : NULL;
        for (size_t t = 0; net && net->kind == YNODE_MAPPING && t < ELEMENTSOF(types); t++) {
                const struct ynode *devs = ymapping_lookup(net, types[t], NULL, NULL);
                if (!devs || devs->kind != YNODE_MAPPING)
                        continue;
                for (size_t i = 0; i + 1 < devs->n_children; i += 2) {
                        const struct ynode *key = devs->children[i], *def = devs->children[i + 1];
                        if (key->kind != YNODE_SCALAR || streq(key->value, "lo"))
                                continue;
                        const struct ynode *set_name = def->kind == YNODE_MAPPING
                                                               ? ymapping_lookup(def, "set-name", NULL, NULL)
                                                               : NULL;
                        const char *name =
                                set_name && set_name->kind == YNODE_SCALAR ? set_name->value : key->value;
                        add(f, kept_path, NETCONF_NETPLAN, keep(f, xstrdup(name)));
                }
        }
        ystream_free(&s);
        return 0;
}

/* The interfaces of `iface NAME inet METHOD` stanzas other than loopback. */
static void scan_interfaces(struct netconf_files *f, const char *path, const char *text, size_t len) {
        const char *kept_path = keep(f, xstrdup(path));
        struct name_index seen = {}; /* the names added, for a file of thousands of stanzas */
        for (size_t off = 0, n, end; text_line_raw(text, len, off, &n, &end); off = end) {
                char name[64], family[16], method[32] = "";
                size_t blanks = strspn(text + off, " \t");
                if (blanks >= n || !startswith(text + off + blanks, "iface"))
                        continue;
                /* sscanf() takes the strlen() of what it reads: of the line, never of the rest of the file. */
                _cleanup_free_ char *line = xstrndup(text + off + blanks, n - blanks);
                if (sscanf(line, "iface %63s %15s %31s", name, family, method) < 2)
                        continue;
                if (!streq(family, "inet") || streq(method, "loopback") || streq(name, "lo") ||
                    name_index_get(&seen, name, NULL))
                        continue;
                const char *kept = keep(f, xstrdup(name));
                name_index_put(&seen, kept, 0);
                add(f, kept_path, NETCONF_INTERFACES, kept);
        }
        name_index_free(&seen);
}

static int scan_one(struct context *ctx, struct netconf_files *f, const char *path, enum netconf_format fmt,
                    char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        struct stat st;
        int k = ctx_read_file(ctx, path, &text, &len, &st);
        if (k == -ENOENT || k == -EISDIR ||
            k == -EINVAL) /* gone, or not a regular file: not configuration */
                return 0;
        if (k < 0) {
                set_error(ret_error, "%s: cannot read: %s", path, read_strerror(k));
                return k;
        }
        /* A keyfile without the suffix (kept by upgrades) counts when NetworkManager loads it, not a
         * README or a backup beside it; a .nmconnection file counts whatever its owner and mode. */
        const char *base = strrchr(path, '/') + 1;
        bool suffixed = endswith(base, ".nmconnection") && !streq(base, ".nmconnection");
        if (fmt == NETCONF_KEYFILE && !suffixed && !netconf_keyfile_loaded(base, &st))
                return 0;
        _cleanup_free_ char *why = NULL;
        k = refuse_nul(text, len, &why);
        if (k < 0) {
                set_error(ret_error, "%s: %s", path, why);
                return k;
        }
        switch (fmt) {
        case NETCONF_IFCFG: {
                char *dev = ifcfg_device(text, len);
                add(f, keep(f, xstrdup(path)), fmt,
                    keep(f, dev ?: xstrdup(strrchr(path, '/') + strlen("/ifcfg-"))));
                return 0;
        }
        case NETCONF_KEYFILE:
        case NETCONF_NETWORKD:
                return scan_ini(f, path, text, len, fmt, ret_error);
        case NETCONF_NETPLAN:
                return scan_netplan(f, path, text, len, ret_error);
        case NETCONF_INTERFACES:
                scan_interfaces(f, path, text, len);
                return 0;
        }
        return 0;
}

static int scan_dir(struct context *ctx, struct netconf_files *f, const char *dir, const char *prefix,
                    const char *suffix, enum netconf_format fmt, char **ret_error) {
        struct strv names = {};
        int k = root_list_dir(ctx->root, dir, &names);
        if (k == -ENOENT || k == -ENOTDIR)
                return 0;
        if (k < 0) {
                set_error(ret_error, "%s: cannot list: %s", dir, strerror(-k));
                return k;
        }
        for (size_t i = 0; i < names.n && k >= 0; i++) {
                const char *n = names.items[i];
                if (n[0] == '.' || !startswith(n, prefix) || !endswith(n, suffix) ||
                    strlen(n) <= strlen(prefix) + strlen(suffix))
                        continue;
                if ((fmt == NETCONF_IFCFG && ifcfg_ignored(n)) ||
                    (fmt == NETCONF_INTERFACES &&
                     strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                             strlen(n)))
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, n);
                k = scan_one(ctx, f, path, fmt, ret_error);
        }
        strv_free(&names);
        return k < 0 ? k : 0;
}

int netconf_scan(struct context *ctx, struct netconf_files *ret, char **ret_error) {
        struct netconf_files f = {};
        int k = scan_dir(ctx, &f, NETPLAN_DIR, "", ".yaml", NETCONF_NETPLAN, ret_error);
        if (k >= 0)
                k = scan_dir(ctx, &f, KEYFILE_DIR, "", "", NETCONF_KEYFILE,
                             ret_error); /* scan_one() decides */
        if (k >= 0)
                k = scan_dir(ctx, &f, IFCFG_DIR, "ifcfg-", "", NETCONF_IFCFG, ret_error);
        if (k >= 0)
                k = scan_dir(ctx, &f, NETWORKD_DIR, "", ".network", NETCONF_NETWORKD, ret_error);
        if (k >= 0)
                k = scan_one(ctx, &f, INTERFACES, NETCONF_INTERFACES, ret_error);
        if (k >= 0)
                k = scan_dir(ctx, &f, INTERFACES_D, "", "", NETCONF_INTERFACES, ret_error);
        if (k < 0) {
                netconf_files_free(&f);
                return k;
        }
        *ret = f;
        return 0;
}

bool netconf_file_matches(const struct netconf_file *f, const char *iface) {
        if (!f->iface || !iface)
                return false;
        if (f->format == NETCONF_NETWORKD)
                return fnmatch(f->iface, iface, 0) == 0;
        return streq(f->iface, iface);
}

const char *netconf_format_to_string(enum netconf_format fmt) {
        switch (fmt) {
        case NETCONF_IFCFG:
                return "network-scripts ifcfg";
        case NETCONF_KEYFILE:
                return "NetworkManager keyfile";
        case NETCONF_NETWORKD:
                return "systemd-networkd";
        case NETCONF_NETPLAN:
                return "netplan";
        case NETCONF_INTERFACES:
                return "ifupdown";
        }
        return "unknown";
}
