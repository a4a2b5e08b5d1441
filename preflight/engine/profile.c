/* SPDX-License-Identifier: MIT */
/* Loading profiles: libyaml's document loader gives nodes with line marks;
 * a small schema table checks every key and type before anything runs. */
#include "engine/profile.h"

#include <fcntl.h>
#include <yaml.h>

#include "basic/cidr.h"
#include "config.h"
#include "engine/datadir.h"
#include "formats/node-spec.h"
#include "formats/yaml-tree.h"

void profile_init_defaults(struct profile *p) {
        *p = (struct profile){
                .cgroup_driver = CGROUP_DRIVER_SYSTEMD,
                .swap = SWAP_DISABLE,
                .gateway = { .ensure = true, .address = xstrdup("auto"), .interface = xstrdup("auto") },
        };
}

static void kv_list_free(struct kv_list *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].key);
                free(l->items[i].value);
        }
        free(l->items);
        free(l->file);
        *l = (struct kv_list){};
}

/* Free what a profile holds, not the struct itself. */
void profile_clear(struct profile *p) {
        free(p->name);
        free(p->path);
        strv_free(&p->kubeconfig_users);
        kv_list_free(&p->eviction.hard);
        kv_list_free(&p->eviction.soft);
        kv_list_free(&p->eviction.soft_grace_period);
        kv_list_free(&p->eviction.minimum_reclaim);
        free(p->eviction.max_pod_grace_period);
        free(p->gateway.address);
        free(p->gateway.interface);
        strv_free(&p->dns.upstream);
        free(p->sandbox_image);
        free(p->node_name);
        free(p->node_ip);
        strv_free(&p->firewall.extra_ports);
        strv_free(&p->ntp.servers);
}

void profile_free(struct profile *p) {
        if (!p)
                return;
        profile_clear(p);
        free(p);
}

const char *cgroup_driver_to_string(enum cgroup_driver d) {
        return d == CGROUP_DRIVER_CGROUPFS ? "cgroupfs" : "systemd";
}

const char *node_role_to_string(enum node_role r) {
        return r == ROLE_CONTROL_PLANE ? "control-plane" : r == ROLE_WORKER ? "worker" : "auto";
}

const char *kv_list_get(const struct kv_list *l, const char *key) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].key, key))
                        return l->items[i].value;
        return NULL;
}

/* Parsing state for one file. */
struct loader {
        const char *path;
        yaml_document_t doc;
        struct profile *p;
        char **error;
};

/* Text of a file quoted in a message: at most EXCERPT_MAX bytes, escaped. A
 * file that is no profile at all (a planted `extends: /etc/shadow`) can still
 * parse as YAML, one key a line, and its lines must not end up in a report. */
#define EXCERPT_MAX 40

static char *excerpt(const char *s) {
        struct buf b = {};
        for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
                char e[8];
                if (*c == '\t')
                        strcpy(e, "\\t");
                else if (*c == '\\' || *c == '\'')
                        snprintf(e, sizeof(e), "\\%c", *c);
                else if (*c < 0x20 || *c >= 0x7f)
                        snprintf(e, sizeof(e), "\\x%02x", *c);
                else
                        snprintf(e, sizeof(e), "%c", *c);
                if (b.len + strlen(e) > EXCERPT_MAX) {
                        buf_puts(&b, "...");
                        break;
                }
                buf_puts(&b, e);
        }
        return buf_steal(&b);
}

static unsigned node_line(const yaml_node_t *n) {
        return (unsigned) n->start_mark.line + 1;
}

_printf_(3, 4) static int fail(struct loader *l, const yaml_node_t *n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(l->error, "%s:%u: %s", l->path, n ? node_line(n) : 0, what);
        return -EINVAL;
}

/* "unknown key 'KEY'" and the like, KEY quoted as an excerpt. */
static int fail_key(struct loader *l, const yaml_node_t *n, const char *what, const char *key) {
        _cleanup_free_ char *shown = excerpt(key);
        return fail(l, n, "%s '%s'", what, shown);
}

static const char *scalar(struct loader *l, yaml_node_t *n, const char *key) {
        if (n->type != YAML_SCALAR_NODE) {
                fail(l, n, "'%s' must be a single value", key);
                return NULL;
        }
        return (const char *) n->data.scalar.value;
}

static int parse_bool(struct loader *l, yaml_node_t *n, const char *key, bool *ret) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        if (streq(v, "true"))
                *ret = true;
        else if (streq(v, "false"))
                *ret = false;
        else
                return fail(l, n, "'%s' must be true or false", key);
        return 0;
}

static int parse_string(struct loader *l, yaml_node_t *n, const char *key, char **ret) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        if (!*v)
                return fail(l, n, "'%s' must not be empty", key);
        free(*ret);
        *ret = xstrdup(v);
        return 0;
}

/* Whole seconds as the kubelet's int32 flags take them ("60", "-1"). */
static int parse_seconds(struct loader *l, yaml_node_t *n, const char *key, char **ret) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        char *end;
        errno = 0;
        long long s = strtoll(v, &end, 10);
        if (!*v || *end || errno || s < -2147483648LL || s > 2147483647LL)
                return fail(l, n, "'%s' must be a whole number of seconds", key);
        return parse_string(l, n, key, ret);
}

static int parse_cgroup_driver(struct loader *l, yaml_node_t *n, const char *key) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        if (streq(v, "systemd"))
                l->p->cgroup_driver = CGROUP_DRIVER_SYSTEMD;
        else if (streq(v, "cgroupfs"))
                l->p->cgroup_driver = CGROUP_DRIVER_CGROUPFS;
        else
                return fail(l, n, "'%s' must be systemd or cgroupfs", key);
        return 0;
}

static int parse_swap(struct loader *l, yaml_node_t *n, const char *key) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        if (streq(v, "disable"))
                l->p->swap = SWAP_DISABLE;
        else if (streq(v, "allow"))
                l->p->swap = SWAP_ALLOW;
        else
                return fail(l, n, "'%s' must be disable or allow", key);
        return 0;
}

/* The kubelet knows six eviction signals: a longer map is wrong anyway, and
 * checking each key against the ones before it takes quadratic time. */
#define KV_MAP_MAX 64

/* A map of scalar to scalar replaces the inherited one as a whole, so a
 * derived profile can drop an entry. */
static int parse_kv_map(struct loader *l, yaml_node_t *n, const char *key, struct kv_list *out) {
        if (n->type != YAML_MAPPING_NODE)
                return fail(l, n, "'%s' must be a mapping", key);
        if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > KV_MAP_MAX)
                return fail(l, n, "'%s' has more than %d entries (the kubelet knows 6 eviction signals)",
                            key, KV_MAP_MAX);
        kv_list_free(out);
        out->file = xstrdup(l->path);
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(&l->doc, pr->key);
                yaml_node_t *v = yaml_document_get_node(&l->doc, pr->value);
                if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
                        return fail(l, k, "'%s' entries must be NAME: VALUE", key);
                const char *ks = (const char *) k->data.scalar.value;
                if (kv_list_get(out, ks))
                        return fail_key(l, k, "duplicate key", ks);
                out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
                out->items[out->n++] = (struct kv){
                        .key = xstrdup(ks),
                        .value = xstrdup((const char *) v->data.scalar.value),
                        .line = node_line(k),
                };
        }
        return 0;
}

static int parse_users(struct loader *l, yaml_node_t *n, const char *key) {
        if (n->type != YAML_SEQUENCE_NODE)
                return fail(l, n, "'%s' must be a list of user names", key);
        strv_free(&l->p->kubeconfig_users);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *v = yaml_document_get_node(&l->doc, *it);
                const char *s = scalar(l, v, key);
                if (!s)
                        return -EINVAL;
                if (!*s || strchr(s, '/'))
                        return fail(l, v, "'%s' holds an invalid user name", key);
                strv_push(&l->p->kubeconfig_users, xstrdup(s));
        }
        return 0;
}

/* dns.upstream: DNS servers by address, none on a loopback (the pods' own), at most three. */
static int parse_nameservers(struct loader *l, yaml_node_t *n, const char *key, struct strv *out) {
        if (n->type != YAML_SEQUENCE_NODE)
                return fail(l, n, "'%s' must be a list of IP addresses", key);
        if (n->data.sequence.items.top - n->data.sequence.items.start > PROFILE_DNS_UPSTREAM_MAX)
                return fail(l, n, "'%s' has more than %d servers (a resolv.conf holds %d)", key,
                            PROFILE_DNS_UPSTREAM_MAX, PROFILE_DNS_UPSTREAM_MAX);
        strv_free(out);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *v = yaml_document_get_node(&l->doc, *it);
                const char *s = scalar(l, v, key);
                struct cidr c;
                if (!s)
                        return -EINVAL;
                if (strchr(s, '/') || cidr_parse(s, &c) < 0)
                        return fail_key(l, v, "is not an IP address:", s);
                if (cidr_is_loopback(&c))
                        return fail_key(l, v, "is a loopback address, which in a pod is the pod itself:", s);
                strv_push(out, xstrdup(s));
        }
        return 0;
}

static int parse_role(struct loader *l, yaml_node_t *n, const char *key) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        if (streq(v, "auto"))
                l->p->role = ROLE_AUTO;
        else if (streq(v, "control-plane"))
                l->p->role = ROLE_CONTROL_PLANE;
        else if (streq(v, "worker"))
                l->p->role = ROLE_WORKER;
        else
                return fail(l, n, "'%s' must be auto, control-plane or worker", key);
        return 0;
}

/* The kubelet lowercases the hostname; a name given here is used as written, so it must already be
 * what the API server accepts. */
static int parse_node_name(struct loader *l, yaml_node_t *n, const char *key) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        const char *why = dns1123_subdomain_error(v);
        if (why) {
                _cleanup_free_ char *shown = excerpt(v);
                return fail(l, n, "'%s' '%s' is not a valid node name (an RFC 1123 subdomain): %s", key,
                            shown, why);
        }
        return parse_string(l, n, key, &l->p->node_name);
}

/* Digits and dots (or a '/') are an address or a network; anything else names an interface. */
static int parse_node_ip(struct loader *l, yaml_node_t *n, const char *key) {
        const char *v = scalar(l, n, key);
        if (!v)
                return -EINVAL;
        uint32_t addr;
        uint8_t prefix;
        if (strchr(v, ':'))
                return fail(l, n, "'%s': only IPv4 addresses and networks are supported", key);
        bool numeric = v[strspn(v, "0123456789.")] == 0 || strchr(v, '/');
        if (numeric && ipv4_network_parse(v, &addr, &prefix) < 0)
                return fail(l, n,
                            "'%s' must be an IPv4 address, a network (192.0.2.0/24) or an interface name",
                            key);
        if (!numeric &&
            (strlen(v) >= 16 || v[strcspn(v, WHITESPACE "/")] || streq(v, ".") || streq(v, "..")))
                return fail(l, n, "'%s' names no valid interface", key);
        return parse_string(l, n, key, &l->p->node_ip);
}

/* A list of scalars, each checked by ok(); replaces the inherited list whole. */
static int parse_list(struct loader *l, yaml_node_t *n, const char *key, struct strv *out,
                      bool (*ok)(const char *), const char *what) {
        if (n->type != YAML_SEQUENCE_NODE)
                return fail(l, n, "'%s' must be a list", key);
        strv_free(out);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *v = yaml_document_get_node(&l->doc, *it);
                const char *s = scalar(l, v, key);
                if (!s)
                        return -EINVAL;
                if (!ok(s)) {
                        _cleanup_free_ char *shown = excerpt(s);
                        return fail(l, v, "'%s': '%s' is not %s", key, shown, what);
                }
                strv_push(out, xstrdup(s));
        }
        return 0;
}

static bool port_ok(const char *s) {
        struct port_range p;
        return port_range_parse(s, &p) >= 0;
}

/* A host name or an address, as it goes into timesyncd's NTP= or a chrony server line. */
static bool server_ok(const char *s) {
        size_t n = strlen(s);
        return n > 0 && n <= 253 && s[0] != '-' &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:_") == n;
}

enum field_kind {
        F_SECTION,
        F_CGROUP_DRIVER,
        F_SWAP,
        F_USERS,
        F_KV,
        F_STRING,
        F_SECONDS,
        F_BOOL,
        F_EXTENDS,
        F_NAMESERVERS,
        F_ROLE,
        F_NODE_NAME,
        F_NODE_IP,
        F_PORTS,
        F_SERVERS,
};

struct field {
        const char *path; /* dotted key path */
        enum field_kind kind;
        size_t offset; /* into struct profile, for F_KV/F_STRING/F_BOOL */
};

#define OFF(m) offsetof(struct profile, m)
static const struct field schema[] = {
        { "extends", F_EXTENDS, 0 },
        { "cgroupDriver", F_CGROUP_DRIVER, 0 },
        { "swap", F_SWAP, 0 },
        { "kubeconfig", F_SECTION, 0 },
        { "kubeconfig.users", F_USERS, 0 },
        { "eviction", F_SECTION, 0 },
        { "eviction.hard", F_KV, OFF(eviction.hard) },
        { "eviction.soft", F_KV, OFF(eviction.soft) },
        { "eviction.softGracePeriod", F_KV, OFF(eviction.soft_grace_period) },
        { "eviction.minimumReclaim", F_KV, OFF(eviction.minimum_reclaim) },
        { "eviction.maxPodGracePeriod", F_SECONDS, OFF(eviction.max_pod_grace_period) },
        { "gateway", F_SECTION, 0 },
        { "gateway.ensure", F_BOOL, OFF(gateway.ensure) },
        { "gateway.address", F_STRING, OFF(gateway.address) },
        { "gateway.interface", F_STRING, OFF(gateway.interface) },
        { "dns", F_SECTION, 0 },
        { "dns.upstream", F_NAMESERVERS, OFF(dns.upstream) },
        { "sandboxImage", F_STRING, OFF(sandbox_image) },
        { "role", F_ROLE, 0 },
        { "nodeName", F_NODE_NAME, 0 },
        { "nodeIP", F_NODE_IP, 0 },
        { "firewall", F_SECTION, 0 },
        { "firewall.extraPorts", F_PORTS, OFF(firewall.extra_ports) },
        { "ntp", F_SECTION, 0 },
        { "ntp.servers", F_SERVERS, OFF(ntp.servers) },
};

static int parse_mapping(struct loader *l, yaml_node_t *map, const char *prefix, char **ret_extends);

static int parse_field(struct loader *l, const struct field *f, yaml_node_t *v, char **ret_extends) {
        char *base = (char *) l->p;
        switch (f->kind) {
        case F_SECTION:
                if (v->type != YAML_MAPPING_NODE)
                        return fail(l, v, "'%s' must be a mapping", f->path);
                return parse_mapping(l, v, f->path, ret_extends);
        case F_EXTENDS:
                return parse_string(l, v, f->path, ret_extends);
        case F_CGROUP_DRIVER:
                return parse_cgroup_driver(l, v, f->path);
        case F_SWAP:
                return parse_swap(l, v, f->path);
        case F_USERS:
                return parse_users(l, v, f->path);
        case F_KV:
                return parse_kv_map(l, v, f->path, (struct kv_list *) (base + f->offset));
        case F_STRING:
                return parse_string(l, v, f->path, (char **) (base + f->offset));
        case F_SECONDS:
                return parse_seconds(l, v, f->path, (char **) (base + f->offset));
        case F_BOOL:
                return parse_bool(l, v, f->path, (bool *) (base + f->offset));
        case F_NAMESERVERS:
                return parse_nameservers(l, v, f->path, (struct strv *) (base + f->offset));
        case F_ROLE:
                return parse_role(l, v, f->path);
        case F_NODE_NAME:
                return parse_node_name(l, v, f->path);
        case F_NODE_IP:
                return parse_node_ip(l, v, f->path);
        case F_PORTS:
                return parse_list(l, v, f->path, (struct strv *) (base + f->offset), port_ok,
                                  "a port or range with its protocol (8472/udp, 30000-32767/tcp)");
        case F_SERVERS:
                return parse_list(l, v, f->path, (struct strv *) (base + f->offset), server_ok,
                                  "an NTP server's name or address");
        }
        return -EINVAL;
}

static int parse_mapping(struct loader *l, yaml_node_t *map, const char *prefix, char **ret_extends) {
        for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(&l->doc, pr->key);
                yaml_node_t *v = yaml_document_get_node(&l->doc, pr->value);
                if (k->type != YAML_SCALAR_NODE)
                        return fail(l, k, "%s", "keys must be plain names");
                _cleanup_free_ char *path =
                        prefix ? xasprintf("%s.%s", prefix, (const char *) k->data.scalar.value)
                               : xstrdup((const char *) k->data.scalar.value);
                /* Duplicate keys: libyaml keeps both; the second would silently win. */
                for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr; q++) {
                        yaml_node_t *qk = yaml_document_get_node(&l->doc, q->key);
                        if (qk->type == YAML_SCALAR_NODE &&
                            streq((const char *) qk->data.scalar.value, (const char *) k->data.scalar.value))
                                return fail_key(l, k, "duplicate key", path);
                }
                const struct field *f = NULL;
                for (size_t i = 0; i < ELEMENTSOF(schema); i++)
                        if (streq(schema[i].path, path))
                                f = &schema[i];
                if (!f || (f->kind == F_EXTENDS && prefix))
                        return fail_key(l, k, "unknown key", path);
                int r = parse_field(l, f, v, ret_extends);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Refuse a document nested deeper than the other YAML reader allows, before
 * libyaml's loader sees it: on deep flow nesting it takes quadratic time (120 KB
 * of brackets, 17 s). A syntax error is left to the loader to report. */
static int check_depth(const char *path, const char *text, size_t len, char **ret_error) {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
        int r = 0;
        for (unsigned depth = 0;;) {
                yaml_event_t e;
                if (!yaml_parser_parse(&parser, &e))
                        break;
                yaml_event_type_t type = e.type;
                size_t line = e.start_mark.line + 1;
                yaml_event_delete(&e);
                if (type == YAML_STREAM_END_EVENT)
                        break;
                if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT)
                        depth--;
                else if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
                        if (depth >= YTREE_MAX_DEPTH) {
                                set_error(ret_error, "%s:%zu: nesting deeper than %d levels", path, line,
                                          YTREE_MAX_DEPTH);
                                r = -EINVAL;
                                break;
                        }
                        depth++;
                }
        }
        yaml_parser_delete(&parser);
        return r;
}

int profile_parse_text(const char *path, const char *text, size_t len, struct profile *p, char **ret_extends,
                       char **ret_error) {
        yaml_parser_t parser;
        struct loader l = { .path = path, .p = p, .error = ret_error };
        int r = check_depth(path, text, len, ret_error);
        if (r < 0)
                return r;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
        if (!yaml_parser_load(&parser, &l.doc)) {
                set_error(ret_error, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "not valid YAML");
                yaml_parser_delete(&parser);
                return -EINVAL;
        }
        yaml_parser_delete(&parser);
        yaml_node_t *root = yaml_document_get_root_node(&l.doc);
        if (!root)
                r = 0; /* an empty profile changes nothing */
        else if (root->type != YAML_MAPPING_NODE)
                r = fail(&l, root, "%s", "a profile must be a mapping of keys");
        else
                r = parse_mapping(&l, root, NULL, ret_extends);
        yaml_document_delete(&l.doc);
        return r;
}

static bool is_path(const char *s) {
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 5 && streq(s + n - 5, ".yaml")) || (n > 4 && streq(s + n - 4, ".yml"));
}

/* A node path as messages show it: under --root, the host path of the file. */
static char *tree_file_name(const struct root *root, const char *node) {
        return root->live || streq(root->path, "/") ? xstrdup(node) : xasprintf("%s%s", root->path, node);
}

/* Profiles by name: the node's own /etc/kubeprep/profiles first (inside
 * --root), then $KUBEPREP_DATA_DIR, the installed data dir and, for a
 * build tree, the source tree's profiles/. Returns 1 when found in /etc, with
 * *ret_node its path inside the root. */
static int find_profile(const struct root *root, const char *name, bool skip_etc, char **ret_path,
                        char **ret_node, char **ret_text, size_t *ret_len) {
        _cleanup_free_ char *etc = xasprintf("/etc/kubeprep/profiles/%s.yaml", name);
        if (!skip_etc && root_read_file(root, etc, ret_text, ret_len, NULL) >= 0) {
                *ret_path = tree_file_name(root, etc);
                *ret_node = TAKE_PTR(etc);
                return 1;
        }
        _cleanup_free_ char *rel = xasprintf("profiles/%s.yaml", name);
        return data_file_read(rel, ret_path, ret_text, ret_len);
}

/* The file that names a profile in `extends`. A file of the tree (found in its
 * /etc/kubeprep/profiles, or extended by such a file) is the tree's: its
 * `extends` reaches shipped profiles by name and the tree's own files, never a
 * host file, and what it says is quoted only as an excerpt. The operator's own
 * file (--profile PATH) and the shipped ones may name host paths. */
struct includer {
        const char *file; /* its name in messages */
        const char *node; /* a file of the tree: its path inside the root; NULL: a host file */
};

/* Read the file an `extends: PATH` of a tree file names, inside the root: an
 * absolute path from the root, a relative one from the includer's directory. */
static int read_tree_extends(const struct root *root, const struct includer *from, const char *name,
                             const char *shown, char **ret_node, char **ret_path, char **ret_text,
                             size_t *ret_len, char **ret_error) {
        const char *slash = strrchr(from->node, '/');
        _cleanup_free_ char *node =
                name[0] == '/' ? xstrdup(name)
                               : xasprintf("%.*s/%s", (int) (slash - from->node), from->node, name);
        int k = root_read_file(root, node, ret_text, ret_len, NULL);
        if (k < 0 && root->live)
                set_error(ret_error, "%s: 'extends: %s': %s", from->file, shown, read_strerror(k));
        else if (k < 0)
                set_error(ret_error, "%s: 'extends: %s' is read inside the tree %s, never on the host: %s",
                          from->file, shown, root->path, read_strerror(k));
        if (k < 0)
                return k;
        *ret_path = tree_file_name(root, node);
        *ret_node = TAKE_PTR(node);
        return 0;
}

/* from: the file whose `extends` names this one; NULL for the command line.
 * skip_etc: an /etc/kubeprep/profiles/NAME.yaml that says `extends: NAME`
 * means the shipped NAME, not itself. */
static int load_one(const struct root *root, const char *name_or_path, const struct includer *from,
                    struct profile *p, unsigned depth, bool skip_etc, char **ret_error) {
        _cleanup_free_ char *shown = from && from->node ? excerpt(name_or_path) : xstrdup(name_or_path);
        if (depth > 8) {
                set_error(ret_error, "profile '%s': 'extends' nests too deep (a loop?)", shown);
                return -ELOOP;
        }
        _cleanup_free_ char *path = NULL, *node = NULL, *text = NULL, *extends = NULL;
        size_t len = 0;
        int k;
        bool in_etc = false;
        if (is_path(name_or_path) && from && from->node) {
                k = read_tree_extends(root, from, name_or_path, shown, &node, &path, &text, &len, ret_error);
                if (k < 0)
                        return k;
        } else if (is_path(name_or_path)) {
                k = read_host_file(name_or_path, &text, &len);
                if (k < 0) {
                        set_error(ret_error, "cannot read profile %s: %s", shown, read_strerror(k));
                        return k;
                }
                path = xstrdup(name_or_path);
        } else {
                k = find_profile(root, name_or_path, skip_etc, &path, &node, &text, &len);
                in_etc = k > 0;
                if (k < 0) {
                        set_error(
                                ret_error,
                                "profile '%s' not found (looked in /etc/kubeprep/profiles and %s/profiles)",
                                shown, KUBEPREP_DATA_DIR);
                        return k;
                }
        }
        /* Parse once to learn `extends`, load the base, then apply this file over it. */
        struct profile scratch;
        profile_init_defaults(&scratch);
        k = profile_parse_text(path, text, len, &scratch, &extends, ret_error);
        profile_clear(&scratch);
        if (k < 0)
                return k;
        if (extends) {
                const struct includer here = { .file = path, .node = node };
                k = load_one(root, extends, &here, p, depth + 1, in_etc && streq(extends, name_or_path),
                             ret_error);
                if (k < 0)
                        return k;
        }
        _cleanup_free_ char *ignored = NULL;
        k = profile_parse_text(path, text, len, p, &ignored, ret_error);
        if (k < 0)
                return k;
        free(p->path);
        p->path = TAKE_PTR(path);
        return 0;
}

int profile_load(const struct root *root, const char *name_or_path, struct profile **ret, char **ret_error) {
        struct profile *p = xmalloc(sizeof(*p));
        profile_init_defaults(p);
        int k = load_one(root, name_or_path, NULL, p, 0, false, ret_error);
        if (k < 0) {
                profile_free(p);
                return k;
        }
        if (is_path(name_or_path)) {
                const char *slash = strrchr(name_or_path, '/');
                const char *base = slash ? slash + 1 : name_or_path;
                const char *dot = strrchr(base, '.');
                p->name = dot ? xstrndup(base, (size_t) (dot - base)) : xstrdup(base);
        } else
                p->name = xstrdup(name_or_path);
        *ret = p;
        return 0;
}
