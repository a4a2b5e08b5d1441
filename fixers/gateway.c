/* SPDX-License-Identifier: MIT */
/* The `gateway` fixer: kubeadm and the kubelet take the node IP from the default route's interface
 * ("no default routes found" otherwise), so one must exist now and after a reboot. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "fixers/registry.h"
#include "fixers/shared/gateway-scan.h"
#include "system/rtnl.h"

/* Asks an editor whether a file could take a gateway when the fixer has none to write yet. */
#define PROBE_GATEWAY "192.0.2.1"

struct gw {
        struct context *ctx;
        struct fixer_result *r;
        struct netconf_files files;
        const struct netconf_file *file; /* the file that configures the chosen interface */
        char *iface;                     /* the chosen interface, NULL when none */
        struct rtnl_default_route route; /* live only */
        struct rtnl_iface_addr addr;     /* live only; addr.ifindex 0 when unknown */
        char *want;                      /* the gateway to add and persist, NULL when unknown */
        const char *want_from;           /* where want came from, for details */
        char *persisted;                 /* the gateway the file already has */
        struct strv ok, found, problems; /* message parts: fine, fixable, needs the operator */
        /* The file classify() read last, parsed once: the entries of a file with many interfaces
         * come one after another, and each is asked about without reading it again. */
        struct {
                const char *path;
                char *text;
                struct netconf_parsed *parsed;
                int k; /* <0: why it could not be read or parsed, with error */
                char *error;
                bool have_answer; /* for a file of one interface: classify()'s answer */
                int answer;
                char *answer_gw, *answer_error;
        } last;
};

static void gw_forget(struct gw *g) {
        free(g->last.text);
        netconf_parsed_free(g->last.parsed);
        free(g->last.error);
        free(g->last.answer_gw);
        free(g->last.answer_error);
        g->last = (typeof(g->last)){};
}

static void gw_free(struct gw *g) {
        gw_forget(g);
        netconf_files_free(&g->files);
        free(g->iface);
        free(g->want);
        free(g->persisted);
        strv_free(&g->ok);
        strv_free(&g->found);
        strv_free(&g->problems);
}

#define PART(v, ...) strv_push(&(v), xasprintf(__VA_ARGS__))

static char *ipv4_string(uint32_t a) {
        char s[INET_ADDRSTRLEN];
        return xstrdup(inet_ntop(AF_INET, &a, s, sizeof(s)));
}

/* netplan and interfaces files hold several interfaces: name the entry's one. */
static const char *iface_arg(const struct netconf_file *f) {
        return f->format == NETCONF_NETPLAN || f->format == NETCONF_INTERFACES ? f->iface : NULL;
}

static int do_route_add(const struct live_action *a, char **ret_error) {
        char gw[INET_ADDRSTRLEN], dev[IFNAMSIZ];
        struct in_addr in;
        if (sscanf(a->target, "default via %15s dev %15s", gw, dev) != 2 || inet_pton(AF_INET, gw, &in) != 1)
                return -EINVAL;
        unsigned idx = if_nametoindex(dev);
        if (idx == 0) {
                set_error(ret_error, "interface %s: %s", dev, strerror(errno));
                return -ENODEV;
        }
        int k = rtnl_add_default_route((int) idx, in.s_addr, strstr(a->target, " onlink") != NULL,
                                       ret_error);
        if (k == -EEXIST) { /* one appeared since the plan: the node has its default route; keep it */
                free(*ret_error);
                *ret_error = xstrdup("a default route appeared meanwhile and was kept");
                return 0;
        }
        return k < 0 ? k : 0;
}

/* Read and parse f's file, unless it is the one read last. */
static void read_parsed(struct gw *g, const struct netconf_file *f) {
        if (g->last.path && streq(g->last.path, f->path))
                return;
        gw_forget(g);
        g->last.path = f->path;
        size_t len;
        int k = ctx_read_file(g->ctx, f->path, &g->last.text, &len, NULL);
        if (k < 0) {
                g->last.error = xasprintf("cannot read: %s", read_strerror(k));
                g->last.k = k;
                return;
        }
        g->last.k = netconf_parse(f->format, g->last.text, len, &g->last.parsed, &g->last.error);
}

static int answer(const struct gw *g, char **ret_gw, char **ret_error) {
        if (g->last.answer_gw && ret_gw)
                *ret_gw = xstrdup(g->last.answer_gw);
        if (g->last.answer_error)
                set_error(ret_error, "%s", g->last.answer_error);
        return g->last.answer;
}

/* What a file says about a gateway: 1 has one (*ret_gw), 0 static without one, -EADDRNOTAVAIL
 * DHCP, -ENOTSUP cannot carry one, other <0 refused. */
static int classify(struct gw *g, const struct netconf_file *f, char **ret_gw, char **ret_error) {
        read_parsed(g, f);
        if (g->last.k < 0) {
                set_error(ret_error, "%s", g->last.error);
                return g->last.k;
        }
        /* A file of one interface (a .network file matching many names) answers the same for all. */
        if (!iface_arg(f) && g->last.have_answer)
                return answer(g, ret_gw, ret_error);
        _cleanup_free_ char *gw = NULL, *err = NULL;
        int k = netconf_parsed_get_gateway(g->last.parsed, iface_arg(f), &gw, &err);
        if (k == 0) {
                k = netconf_parsed_set_gateway(g->last.parsed, iface_arg(f), PROBE_GATEWAY, false, NULL,
                                               NULL, &err);
                k = k < 0 ? k : 0;
        }
        if (!iface_arg(f)) {
                g->last.have_answer = true;
                g->last.answer = k;
                g->last.answer_gw = gw ? xstrdup(gw) : NULL;
                g->last.answer_error = err ? xstrdup(err) : NULL;
        }
        if (ret_gw && k == 1)
                *ret_gw = TAKE_PTR(gw);
        if (err)
                set_error(ret_error, "%s", err);
        return k;
}

/* A message names at most this many interfaces: a .network file whose Name= lists thousands would
 * otherwise be a line of thousands. */
#define NAMES_SHOWN 10

/* "a, b, c" of names' first NAMES_SHOWN distinct ones, "and N more" counting the other distinct
 * ones; names is sorted on the way (a hash set of 100,000 names would cost more than the file). */
static char *list_names(const char **names, size_t n, const char *const *shown, size_t n_shown) {
        struct buf b = {};
        for (size_t i = 0; i < n_shown; i++)
                buf_printf(&b, "%s%s", i ? ", " : "", shown[i]);
        qsort(names, n, sizeof(*names), strcmp_ptr);
        size_t distinct = 0;
        for (size_t i = 0; i < n; i++)
                distinct += i == 0 || !streq(names[i], names[i - 1]);
        if (distinct > n_shown)
                buf_printf(&b, " and %zu more", distinct - n_shown);
        return buf_steal(&b);
}

/* --root with interface auto: the interface of the single file with a static IPv4 address. */
static int pick_static(struct gw *g) {
        const struct netconf_file *only = NULL, *dhcp = NULL;
        _cleanup_free_ const char **names = NULL; /* of every static entry, the entries' own strings */
        size_t n_names = 0, n_shown = 0;
        const char *shown[NAMES_SHOWN]; /* the first distinct ones */
        for (size_t i = 0; i < g->files.n; i++) {
                const struct netconf_file *f = &g->files.items[i];
                _cleanup_free_ char *gw = NULL, *err = NULL;
                int k = classify(g, f, &gw, &err);
                if (k == -EADDRNOTAVAIL && !dhcp)
                        dhcp = f;
                else if (k == -EBADMSG || k == -EIO)
                        return result_refuse(g->r, k, "%s: %s; the file was not changed", f->path, err);
                if (k < 0)
                        continue;
                const char *name = f->iface ? f->iface : f->path;
                names = xrealloc_grow(names, n_names, sizeof(*names));
                names[n_names++] = name;
                bool seen = false;
                for (size_t j = 0; j < n_shown && !seen; j++)
                        seen = streq(shown[j], name);
                if (!seen && n_shown < NAMES_SHOWN)
                        shown[n_shown++] = name;
                if (!only)
                        only = f;
        }
        if (n_shown == 1) {
                g->file = only;
                g->iface = only->iface ? xstrdup(only->iface) : NULL;
        } else if (n_shown > 1) {
                _cleanup_free_ char *listed = list_names(names, n_names, shown, n_shown);
                PART(g->problems,
                     "several interfaces have a static IPv4 address (%s); set gateway.interface in the "
                     "profile",
                     listed);
        } else if (dhcp)
                PART(g->ok, "%s uses DHCP, which provides the gateway (%s)",
                     dhcp->iface ? dhcp->iface : "the interface", dhcp->path);
        else if (g->files.n == 0)
                PART(g->problems,
                     "no network configuration kubeprep recognises (network-scripts ifcfg, NetworkManager "
                     "keyfiles, systemd-networkd, netplan, /etc/network/interfaces), so a default route "
                     "would not survive a reboot");
        else
                PART(g->problems, "no interface has a static IPv4 address in the network configuration; set "
                                  "gateway.interface in the profile");
        return 0;
}

/* An interface among the node's links (facts, read once), as rtnl_find_interface() would find it
 * now; a failed read of the links fails each lookup the way that read failed. */
static int find_interface(const struct gw *g, const char *name, struct rtnl_iface_addr *ret,
                          char **ret_error) {
        const struct node_facts *n = &g->ctx->node;
        int k = name ? rtnl_check_ifname(name, ret_error) : 0;
        if (k < 0)
                return k;
        if (n->links_error < 0) {
                set_error(ret_error, "%s", n->links_message);
                return n->links_error;
        }
        return rtnl_links_find(&n->links, name, ret, ret_error);
}

/* Live, no default route: the first interface that the persistent configuration names and
 * that is up with a global IPv4 address; a route through it survives a reboot. */
static bool pick_configured_live(struct gw *g) {
        for (size_t i = 0; i < g->files.n; i++) {
                const char *name = g->files.items[i].iface;
                struct rtnl_iface_addr a;
                _cleanup_free_ char *err = NULL;
                if (!name || strpbrk(name, "*?[") || find_interface(g, name, &a, &err) <= 0 || !a.up)
                        continue;
                g->iface = xstrdup(a.ifname);
                return true;
        }
        return false;
}

/* Decide the interface and the file that configures it. */
static int choose_interface(struct gw *g) {
        const char *want_if = g->ctx->profile->gateway.interface;
        _cleanup_free_ char *err = NULL;
        if (!streq(want_if, "auto"))
                g->iface = xstrdup(want_if);
        else if (!g->ctx->root->live)
                return pick_static(g);
        else if (g->route.present && g->route.ifname[0])
                g->iface = xstrdup(g->route.ifname); /* the one kubeadm will use */
        else if (!pick_configured_live(g)) {
                struct rtnl_iface_addr a;
                int k = find_interface(g, NULL, &a, &err);
                if (k < 0)
                        return result_fail(g->r, k, "%s", err);
                if (k == 0) {
                        PART(g->problems,
                             "no interface is up with a global IPv4 address; set gateway.interface");
                        return 0;
                }
                g->iface = xstrdup(a.ifname);
        }
        for (size_t i = 0; i < g->files.n && !g->file; i++)
                if (netconf_file_matches(&g->files.items[i], g->iface))
                        g->file = &g->files.items[i];
        if (!g->file)
                PART(g->problems,
                     g->files.n ? "no network configuration file configures %s, so a default route would "
                                  "not survive a reboot"
                                : "no network configuration kubeprep recognises for %s (network-scripts "
                                  "ifcfg, NetworkManager keyfiles, systemd-networkd, netplan, "
                                  "/etc/network/interfaces), so a default route would not survive a reboot",
                     g->iface);
        return 0;
}

/* The gateway to use: the profile's, the persistent configuration's, or the live route's. */
static void choose_address(struct gw *g) {
        const char *p = g->ctx->profile->gateway.address;
        if (!streq(p, "auto")) {
                g->want = xstrdup(p);
                g->want_from = "the profile";
        } else if (g->persisted) {
                g->want = xstrdup(g->persisted);
                g->want_from = g->file->path;
        } else if (g->route.present && g->route.gateway && g->iface && streq(g->route.ifname, g->iface)) {
                g->want = ipv4_string(g->route.gateway);
                g->want_from = "the live default route";
        }
}

static bool onlink(const struct gw *g) {
        struct in_addr in;
        return g->want && g->addr.ifindex > 0 && inet_pton(AF_INET, g->want, &in) == 1 &&
               !rtnl_in_subnet(g->addr.addr, g->addr.prefixlen, in.s_addr);
}

static void plan_live(struct gw *g) {
        if (g->route.present) {
                _cleanup_free_ char *via = g->route.gateway ? ipv4_string(g->route.gateway) : NULL;
                PART(g->ok, "default route %s%s dev %s", via ? "via " : "", strempty(via),
                     g->route.ifname[0] ? g->route.ifname : "(none)");
                if (g->route.type != RTN_UNICAST)
                        result_warn(g->r, "the main table's default route is not a unicast route (type %u)",
                                    g->route.type);
                if (via && g->want && !netconf_ipv4_equal(via, g->want))
                        result_warn(g->r,
                                    "the live default route via %s is kept (kubeprep never replaces one), "
                                    "not %s",
                                    via, g->want);
                return;
        }
        PART(g->found, "no default route");
        if (!g->iface)
                return;
        if (g->addr.ifindex == 0)
                return; /* why is already among the problems */
        if (!g->want) {
                PART(g->problems,
                     "no default route, and no gateway address in %s's configuration; set gateway.address "
                     "in the profile",
                     g->iface);
                return;
        }
        _cleanup_free_ char *target =
                xasprintf("default via %s dev %s%s", g->want, g->iface, onlink(g) ? " onlink" : "");
        plan_action(g->r, "route add", target, do_route_add);
}

static int plan_persistent(struct gw *g) {
        const struct netconf_file *f = g->file;
        const char *name = g->iface ? g->iface : f->path;
        if (g->persisted) {
                if (netconf_ipv4_equal(g->persisted, g->want))
                        PART(g->ok, "%s keeps gateway %s", f->path, g->persisted);
                else
                        PART(g->problems,
                             "%s already has the default gateway %s, not %s from %s; kubeprep never "
                             "replaces one: change gateway.address or the file",
                             f->path, g->persisted, g->want, g->want_from);
                return 0;
        }
        /* The text classify() parsed is done with, and the edit reads its own: a large file is held
         * once at a time. */
        gw_forget(g);
        _cleanup_free_ char *text = NULL, *out = NULL, *err = NULL;
        size_t len = 0, out_len;
        int k = ctx_read_file(g->ctx, f->path, &text, &len, NULL);
        if (k < 0)
                return result_refuse(g->r, k, "%s: cannot read: %s", f->path, read_strerror(k));
        k = netconf_set_gateway(f->format, text, len, iface_arg(f), g->want ? g->want : PROBE_GATEWAY,
                                onlink(g), &out, &out_len, &err);
        free(TAKE_PTR(text));
        if (k == -EADDRNOTAVAIL) {
                PART(g->ok, "%s uses DHCP, which provides the gateway (%s)", name, f->path);
                result_detail(g->r, "%s: %s", f->path, err);
                return 0;
        }
        if (k == -ENOTSUP || k == -EEXIST || k == -ENOENT) {
                PART(g->problems, "%s: %s; a default route there cannot be kept", f->path, err);
                return 0;
        }
        if (k < 0)
                return result_refuse(g->r, k, "%s: %s; the file was not changed", f->path, err);
        if (!g->want) {
                PART(g->problems, "%s configures %s without a gateway%s; set gateway.address in the profile",
                     f->path, name, g->ctx->root->live ? ", and no default route gives one" : "");
                return 0;
        }
        if (k == 0)
                return 0;
        k = plan_write_file_take(g->ctx, g->r, f->path, TAKE_PTR(out), out_len, 0644);
        if (k < 0)
                return result_refuse(g->r, k, "%s: %s", f->path, strerror(-k));
        PART(g->found, "%s has no gateway", f->path);
        result_detail(g->r, "%s (%s): gateway %s for %s%s", f->path, netconf_format_to_string(f->format),
                      g->want, name, onlink(g) ? ", on-link" : "");
        return 0;
}

static void set_message(struct gw *g) {
        struct fixer_result *r = g->r;
        const struct strv *v = g->problems.n ? &g->problems : g->found.n ? &g->found : &g->ok;
        struct buf m = {};
        for (size_t i = 0; i < v->n; i++)
                buf_printf(&m, "%s%s", i ? "; " : "", v->items[i]);
        if (m.len)
                r->message = buf_steal(&m);
        if (g->problems.n) { /* drift only the operator can settle */
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                for (size_t i = 0; i < g->found.n; i++)
                        result_detail(r, "%s", g->found.items[i]);
                for (size_t i = 0; i < g->ok.n; i++)
                        result_detail(r, "%s", g->ok.items[i]);
        }
}

static int gateway_plan(struct context *ctx, struct fixer_result *r) {
        const struct profile *p = ctx->profile;
        if (!p->gateway.ensure) {
                result_message(r, "not managed (gateway.ensure: false)");
                return 0;
        }
        if (!streq(p->gateway.address, "auto") && !netconf_is_ipv4(p->gateway.address))
                return result_refuse(r, -EINVAL,
                                     "%s: gateway.address '%s' is neither auto nor an IPv4 address", p->path,
                                     p->gateway.address);

        _cleanup_(gw_free) struct gw g = { .ctx = ctx, .r = r };
        _cleanup_free_ char *err = NULL;
        int k = netconf_scan(ctx, &g.files, &err);
        if (k < 0)
                return result_refuse(r, k, "%s; the file was not changed", err);
        if (ctx->root->live) {
                if (ctx->node.route_error < 0)
                        return result_fail(r, ctx->node.route_error, "cannot read the routing table: %s",
                                           ctx->node.route_message);
                g.route = ctx->node.route;
        }
        k = choose_interface(&g);
        if (k < 0)
                return k;
        if (ctx->root->live && g.iface) {
                k = find_interface(&g, g.iface, &g.addr, &err);
                if (k == -ENODEV)
                        PART(g.problems, "interface %s does not exist; check gateway.interface", g.iface);
                else if (k < 0)
                        return result_fail(r, k, "%s", err);
                else if (k == 0)
                        PART(g.problems, "%s has no IPv4 address", g.iface);
                else if (!g.addr.up && !g.route.present)
                        PART(g.problems, "%s is down; bring it up first", g.iface);
                if (k <= 0 || (!g.addr.up && !g.route.present))
                        g.addr.ifindex = 0;
        }
        if (g.file) {
                _cleanup_free_ char *cerr = NULL;
                k = classify(&g, g.file, &g.persisted, &cerr);
                if (k < 0 && k != -EADDRNOTAVAIL && k != -ENOTSUP && k != -ENOENT)
                        return result_refuse(r, k, "%s: %s; the file was not changed", g.file->path, cerr);
        }
        choose_address(&g);
        if (ctx->root->live)
                plan_live(&g);
        if (g.file && plan_persistent(&g) < 0)
                return -EBADMSG;
        set_message(&g);
        return 0;
}

const struct fixer fixer_gateway = {
        .name = "gateway",
        .description =
                "an IPv4 default route exists (live) and the network configuration keeps one across reboots",
        .plan = gateway_plan,
};
