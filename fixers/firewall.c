/* SPDX-License-Identifier: MIT */
/* The `firewall` fixer: a node whose firewall drops the ports of its role cannot join, or joins and
 * never becomes Ready. firewalld's zone (the node's interface's, else the default) gets the missing
 * ports as <port> lines in /etc/firewalld/zones/ZONE.xml, then a reload; an enabled ufw gets the
 * `ufw allow` commands reported. A firewall is never turned off. */
#include <sys/stat.h>

#include "fixers/registry.h"
#include "fixers/shared/node-identity.h"
#include "fixers/shared/unit-files.h"
#include "formats/firewalld.h"
#include "formats/ufw.h"
#include "system/firewalld.h"

#define FIREWALLD_CONF "/etc/firewalld/firewalld.conf"
#define ETC_ZONES "/etc/firewalld/zones"
#define VENDOR_ZONES "/usr/lib/firewalld/zones"
#define UFW_CONF "/etc/ufw/ufw.conf"
#define UFW_RULES "/etc/ufw/user.rules"
/* firewalld's own default when firewalld.conf names none. */
#define FALLBACK_ZONE "public"
/* A service includes others (kube-control-plane includes kube-apiserver, ...); no deeper than this. */
#define INCLUDE_DEPTH_MAX 8

/* docs/kubernetes-facts.md: the inbound ports of each role (Kubernetes' "Ports and Protocols"). */
static const struct port_range control_plane_ports[] = {
        { 6443, 6443, "tcp" },   { 2379, 2380, "tcp" },   { 10250, 10250, "tcp" },
        { 10257, 10257, "tcp" }, { 10259, 10259, "tcp" },
};
static const struct port_range worker_ports[] = { { 10250, 10250, "tcp" }, { 30000, 32767, "tcp" } };

struct ports {
        struct port_range *items;
        size_t n;
};

static void ports_add(struct ports *p, const struct port_range *r) {
        p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
        p->items[p->n++] = *r;
}

/* The role's ports, then the profile's extraPorts (checked when the profile loaded). */
static void wanted_ports(struct context *ctx, enum node_role role, struct ports *ret) {
        const struct port_range *base = role == ROLE_CONTROL_PLANE ? control_plane_ports : worker_ports;
        size_t n = role == ROLE_CONTROL_PLANE ? ELEMENTSOF(control_plane_ports) : ELEMENTSOF(worker_ports);
        for (size_t i = 0; i < n; i++)
                ports_add(ret, &base[i]);
        for (size_t i = 0; i < ctx->profile->firewall.extra_ports.n; i++) {
                struct port_range r;
                if (port_range_parse(ctx->profile->firewall.extra_ports.items[i], &r) >= 0)
                        ports_add(ret, &r);
        }
}

/* Whether the union of have covers every port of want. */
static bool covered(const struct ports *have, const struct port_range *want) {
        for (unsigned p = want->first; p <= want->last;) {
                unsigned next = p;
                for (size_t i = 0; i < have->n; i++) {
                        const struct port_range *h = &have->items[i];
                        if (streq(h->protocol, want->protocol) && h->first <= p && h->last >= p &&
                            h->last + 1 > next)
                                next = h->last + 1;
                }
                if (next == p)
                        return false;
                p = next;
        }
        return true;
}

static char *ports_join(const struct ports *p, const char *sep, bool ufw) {
        struct buf b = {};
        buf_puts(&b, "");
        for (size_t i = 0; i < p->n; i++) {
                char s[PORT_RANGE_MAX];
                port_range_format(&p->items[i], s);
                if (ufw && strchr(s, '-')) /* ufw writes a range as FIRST:LAST */
                        *strchr(s, '-') = ':';
                buf_printf(&b, "%s%s", i ? sep : "", s);
        }
        return buf_steal(&b);
}

static const char *role_name(enum node_role role) {
        return role == ROLE_CONTROL_PLANE ? "control plane" : "worker";
}

/* A service's ports, its includes' too: /etc/firewalld/services first, then the vendor's. A service
 * kubeprep cannot read adds nothing (and a warning); the zone is what it edits. */
static void service_ports(struct context *ctx, struct fixer_result *r, const char *name, unsigned depth,
                          struct strv *seen, struct ports *out) {
        if (depth > INCLUDE_DEPTH_MAX || !firewalld_name_valid(name) || strv_contains(seen, name))
                return;
        strv_push(seen, xstrdup(name));
        _cleanup_free_ char *etc = xasprintf("/etc/firewalld/services/%s.xml", name),
                            *vendor = xasprintf("/usr/lib/firewalld/services/%s.xml", name);
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len;
        const char *path = etc;
        int k = ctx_read_file(ctx, etc, &text, &len, NULL);
        if (k == -ENOENT) {
                path = vendor;
                k = ctx_read_file(ctx, vendor, &text, &len, NULL);
        }
        if (k < 0) {
                result_warn(r, "firewalld service %s: %s: %s", name, path, read_strerror(k));
                return;
        }
        struct fw_doc d;
        struct port_range *ports = NULL;
        size_t n = 0;
        if (fw_doc_parse(text, len, &d, &err) < 0) {
                result_warn(r, "firewalld service %s: %s: %s", name, path, err);
                return;
        }
        if (fw_doc_ports(&d, &ports, &n, &err) < 0)
                result_warn(r, "firewalld service %s: %s: %s", name, path, err);
        for (size_t i = 0; i < n; i++)
                ports_add(out, &ports[i]);
        free(ports);
        for (size_t i = 0; i < d.n_children; i++) {
                const char *inc =
                        streq(d.children[i].name, "include") ? fw_attr_get(&d.children[i], "service") : NULL;
                if (inc)
                        service_ports(ctx, r, inc, depth + 1, seen, out);
        }
        fw_doc_done(&d);
}

/* The interface the node's traffic comes in on: the profile's nodeIP when it names one, else (live) the
 * default route's. NULL when unknown. */
static const char *node_interface(struct context *ctx) {
        const char *spec = ctx->profile->node_ip;
        if (spec && !strchr(spec, '/') && spec[strspn(spec, "0123456789.")] != 0)
                return spec;
        if (ctx->root->live && ctx->node.route.present && ctx->node.route.ifname[0])
                return ctx->node.route.ifname;
        return NULL;
}

/* The zone of /etc/firewalld/zones that binds iface with <interface name="IF"/>; NULL for none. */
static char *interface_zone(struct context *ctx, const char *iface) {
        struct strv names = {};
        char *zone = NULL;
        if (!iface || root_list_dir(ctx->root, ETC_ZONES, &names) < 0)
                return NULL;
        for (size_t i = 0; i < names.n && !zone; i++) {
                size_t l = strlen(names.items[i]);
                if (l <= 4 || !streq(names.items[i] + l - 4, ".xml"))
                        continue;
                _cleanup_free_ char *path = xasprintf(ETC_ZONES "/%s", names.items[i]), *text = NULL,
                                    *err = NULL;
                size_t len;
                struct fw_doc d;
                if (ctx_read_file(ctx, path, &text, &len, NULL) < 0 || fw_doc_parse(text, len, &d, &err) < 0)
                        continue; /* a zone it cannot read is refused if it is the one to edit */
                for (size_t c = 0; c < d.n_children && !zone; c++)
                        if (streq(d.children[c].name, "interface") &&
                            streq_ptr(fw_attr_get(&d.children[c], "name"), iface))
                                zone = xstrndup(names.items[i], l - 4);
                fw_doc_done(&d);
        }
        strv_free(&names);
        return zone;
}

static int do_reload(const struct live_action *a _unused_, char **ret_error) {
        return firewalld_reload(ret_error);
}

/* Is firewalld on: live, active or enabled per systemd; with --root, enabled by its [Install] links.
 * *ret_active: running now (a reload is needed). <0 after result_refuse()/result_fail(). */
static int firewalld_on(struct context *ctx, struct fixer_result *r, bool *ret_on, bool *ret_active) {
        *ret_on = *ret_active = false;
        if (ctx->root->live) {
                if (ctx->node.units_error < 0)
                        return result_fail(r, ctx->node.units_error,
                                           "cannot tell whether firewalld runs: %s",
                                           ctx->node.units_message);
                const struct unit_state *s = node_unit_state(&ctx->node, "firewalld.service");
                if (!s)
                        return 0;
                *ret_active = streq(s->active_state, "active") || streq(s->active_state, "activating") ||
                              streq(s->active_state, "reloading");
                *ret_on = *ret_active || streq(s->unit_file_state, "enabled") ||
                          streq(s->unit_file_state, "enabled-runtime") || streq(s->unit_file_state, "alias");
                return 0;
        }
        struct unit_file u;
        int k = unit_file_load(ctx, r, "firewalld.service", &u);
        if (k <= 0)
                return k;
        *ret_on = !u.masked && unit_file_enabled(ctx, "firewalld.service", &u);
        unit_file_done(&u);
        return 0;
}

/* The zone to edit and why: the interface's, else firewalld.conf's DefaultZone. */
static int pick_zone(struct context *ctx, struct fixer_result *r, char **ret_zone, char **ret_why) {
        const char *iface = node_interface(ctx);
        char *zone = interface_zone(ctx, iface);
        if (zone) {
                *ret_zone = zone;
                *ret_why = xasprintf("bound to %s", iface);
                return 0;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = ctx_read_file(ctx, FIREWALLD_CONF, &text, &len, NULL);
        if (k < 0 && k != -ENOENT)
                return result_refuse(r, k, "%s: cannot read: %s", FIREWALLD_CONF, read_strerror(k));
        if (k < 0 || firewalld_conf_get(text, len, "DefaultZone", &zone) <= 0 || !*zone) {
                free(zone);
                zone = xstrdup(FALLBACK_ZONE);
        }
        if (!firewalld_name_valid(zone)) {
                k = result_refuse(r, -EINVAL, "%s: DefaultZone=%s names no zone file", FIREWALLD_CONF, zone);
                free(zone);
                return k;
        }
        *ret_zone = zone;
        *ret_why = xstrdup("DefaultZone in " FIREWALLD_CONF);
        return 0;
}

static int plan_firewalld(struct context *ctx, struct fixer_result *r, enum node_role role,
                          const struct ports *want, bool active) {
        _cleanup_free_ char *zone = NULL, *why = NULL, *text = NULL, *err = NULL;
        int k = pick_zone(ctx, r, &zone, &why);
        if (k < 0)
                return k;
        _cleanup_free_ char *etc = xasprintf(ETC_ZONES "/%s.xml", zone),
                            *vendor = xasprintf(VENDOR_ZONES "/%s.xml", zone);
        const char *source = etc;
        size_t len;
        k = ctx_read_file(ctx, etc, &text, &len, NULL);
        if (k == -ENOENT) {
                source = vendor;
                k = ctx_read_file(ctx, vendor, &text, &len, NULL);
        }
        if (k == -ENOENT)
                return result_refuse(r, k, "zone %s (%s): neither %s nor %s exists", zone, why, etc, vendor);
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", source, read_strerror(k));
        struct fw_doc d;
        k = fw_doc_parse(text, len, &d, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", source, err);
        _cleanup_free_ char *shown = strstr(why, "bound") ? xasprintf("%s (%s)", zone, why) : xstrdup(zone);
        if (streq_ptr(fw_attr_get(&d.root, "target"), "ACCEPT")) {
                fw_doc_done(&d);
                result_message(r, "firewalld zone %s accepts all traffic (target ACCEPT)", shown);
                return 0;
        }
        struct ports have = {}, missing = {};
        struct strv seen = {};
        k = fw_doc_ports(&d, &have.items, &have.n, &err);
        for (size_t i = 0; k >= 0 && i < d.n_children; i++) {
                const char *s =
                        streq(d.children[i].name, "service") ? fw_attr_get(&d.children[i], "name") : NULL;
                if (s)
                        service_ports(ctx, r, s, 0, &seen, &have);
        }
        fw_doc_done(&d);
        strv_free(&seen);
        if (k < 0) {
                free(have.items);
                return result_refuse(r, k, "%s: %s; the file was not changed", source, err);
        }
        for (size_t i = 0; i < want->n; i++)
                if (!covered(&have, &want->items[i]))
                        ports_add(&missing, &want->items[i]);
        free(have.items);
        _cleanup_free_ char *wanted = ports_join(want, ", ", false),
                            *lacking = ports_join(&missing, ", ", false);
        if (missing.n == 0) {
                result_message(r, "firewalld zone %s allows the %s's ports (%s)", shown, role_name(role),
                               wanted);
                return 0;
        }
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        k = fw_doc_add_ports(text, len, missing.items, missing.n, &out, &out_len, &err);
        free(missing.items);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", source, err);
        k = plan_write_file(ctx, r, etc, out, out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", etc, read_strerror(k));
        result_message(r, "firewalld zone %s lacks %s for a %s", shown, lacking, role_name(role));
        if (source == vendor)
                result_detail(r, "%s: add %s (a copy of %s)", etc, lacking, vendor);
        else
                result_detail(r, "%s: add %s", etc, lacking);
        if (active)
                plan_action(r, "reload", "firewalld", do_reload);
        return 0;
}

/* ufw keeps its rules its own way: the operator runs the commands. */
static int check_ufw(struct context *ctx, struct fixer_result *r, enum node_role role,
                     const struct ports *want, bool *ret_on) {
        _cleanup_free_ char *conf = NULL, *rules = NULL;
        size_t len, rules_len = 0;
        *ret_on = false;
        int k = ctx_read_file(ctx, UFW_CONF, &conf, &len, NULL);
        if (k == -ENOENT || (k >= 0 && !ufw_conf_enabled(conf, len)))
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", UFW_CONF, read_strerror(k));
        *ret_on = true;
        k = ctx_read_file(ctx, UFW_RULES, &rules, &rules_len, NULL);
        if (k < 0 && k != -ENOENT)
                return result_refuse(r, k, "%s: cannot read: %s", UFW_RULES, read_strerror(k));
        struct ports missing = {};
        for (size_t i = 0; i < want->n; i++)
                if (!rules || !ufw_rules_allow(rules, rules_len, &want->items[i]))
                        ports_add(&missing, &want->items[i]);
        _cleanup_free_ char *lacking = ports_join(&missing, ", ", false),
                            *wanted = ports_join(want, ", ", false);
        if (missing.n == 0) {
                result_message(r, "ufw allows the %s's ports (%s)", role_name(role), wanted);
                return 0;
        }
        _cleanup_free_ char *commands = ports_join(&missing, "\n", true);
        for (char *line = commands, *nl; line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl = 0;
                result_detail(r, "run: ufw allow %s", line);
        }
        free(missing.items);
        result_message(r, "ufw is enabled and does not allow %s for a %s", lacking, role_name(role));
        r->status = STATUS_DRIFT;
        r->exit_code = 1;
        return 0;
}

static int firewall_plan(struct context *ctx, struct fixer_result *r) {
        const char *why;
        enum node_role role = node_role(ctx, &why);
        struct ports want = {};
        wanted_ports(ctx, role, &want);
        bool on, active, ufw_on;
        int k = firewalld_on(ctx, r, &on, &active);
        if (k >= 0 && on)
                k = plan_firewalld(ctx, r, role, &want, active);
        _cleanup_free_ char *firewalld_message = TAKE_PTR(r->message);
        if (k >= 0)
                k = check_ufw(ctx, r, role, &want, &ufw_on);
        free(want.items);
        if (k < 0) {
                if (!r->message)
                        r->message = TAKE_PTR(firewalld_message);
                return k;
        }
        result_detail(r, "%s: %s", role_name(role), why);
        if (on && ufw_on) {
                _cleanup_free_ char *ufw_message = TAKE_PTR(r->message);
                result_message(r, "%s; %s", firewalld_message, ufw_message);
        } else if (on)
                r->message = TAKE_PTR(firewalld_message);
        else if (!ufw_on)
                result_message(r, "neither firewalld nor ufw is enabled");
        return 0;
}

const struct fixer fixer_firewall = {
        .name = "firewall",
        .description = "firewalld's zone (or ufw) lets in the ports of the node's role and the profile's "
                       "firewall.extraPorts",
        .plan = firewall_plan,
};
