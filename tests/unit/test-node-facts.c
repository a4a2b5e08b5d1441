/* SPDX-License-Identifier: MIT */
/* The live node facts (engine/node.c) and the plans made from them: active swap areas, the default
 * route and the links are read once by node_facts_gather(), never with --root, and the swap and
 * gateway fixers plan from the facts alone. Here the facts are set by hand on a scratch tree opened
 * as if it were the live system, so the plans can be checked without touching this machine. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "fixers/registry.h"
#include "system/rtnl.h"
#include "system/swaps.h"
#include "tap.h"
#include "test-util.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* 192.0.2.10 etc. in network order. */
static uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
        return htonl(a << 24 | b << 16 | c << 8 | d);
}

/* lo, eth0 192.0.2.10/24 (up), docker0 172.17.0.1/16 (up), eth1 198.51.100.5/24 (down). */
static struct rtnl_links sample_links(void) {
        static struct rtnl_link links[] = {
                { .ifindex = 1, .flags = IFF_UP | IFF_LOOPBACK, .name = "lo" },
                { .ifindex = 3, .flags = IFF_UP, .name = "docker0" },
                { .ifindex = 2, .flags = IFF_UP | IFF_LOWER_UP, .name = "eth0" },
                { .ifindex = 4, .flags = 0, .name = "eth1" },
        };
        static struct rtnl_address addrs[] = {
                { .ifindex = 3, .prefixlen = 16 },
                { .ifindex = 4, .prefixlen = 24 },
                { .ifindex = 2, .prefixlen = 24 },
                { .ifindex = 2, .prefixlen = 24 },
        };
        addrs[0].addr = ip(172, 17, 0, 1);
        addrs[1].addr = ip(198, 51, 100, 5);
        addrs[2].addr = ip(192, 0, 2, 10);
        addrs[3].addr = ip(192, 0, 2, 11);
        return (struct rtnl_links){ .links = links, .n_links = 4, .addrs = addrs, .n_addrs = 4 };
}

static void test_links_find(void) {
        struct rtnl_links l = sample_links();
        struct rtnl_iface_addr a = {};
        _cleanup_free_ char *err = NULL;
        tap_ok(rtnl_links_find(&l, NULL, &a, &err) == 1 && streq(a.ifname, "eth0") && a.ifindex == 2 &&
                       a.addr == ip(192, 0, 2, 10) && a.prefixlen == 24 && a.up && a.carrier,
               "no name: the first address of an up link that is neither loopback nor a container's");
        tap_ok(rtnl_links_find(&l, "eth1", &a, &err) == 1 && a.addr == ip(198, 51, 100, 5) && !a.up,
               "a name: its first address, up or not");
        tap_ok(rtnl_links_find(&l, "lo", &a, &err) == 0, "a link without a global address: 0");
        tap_ok(rtnl_links_find(&l, "nosuch0", &a, &err) == -ENODEV, "an unknown name: -ENODEV");
        tap_streq(err, "no network interface named 'nosuch0'", "its message");
        free(TAKE_PTR(err));
        tap_ok(rtnl_links_find(&l, "an-interface-name-too-long", &a, &err) == -EINVAL,
               "a name too long: -EINVAL");
        tap_streq(err, "invalid interface name 'an-interface-name-too-long'", "its message");
        free(TAKE_PTR(err));
        struct rtnl_links none = {};
        tap_ok(rtnl_links_find(&none, NULL, &a, &err) == 0, "no links: 0");
}

static char *tree;

struct facts {
        bool live;
        const char *const *swaps;
        int swaps_error, route_error, links_error;
        const char *message;
        bool route; /* a default route via 192.0.2.1 dev eth0 */
        const char *gateway_address, *gateway_interface;
};

/* Plan one fixer on the scratch tree with these facts; the tree is live when f->live. */
static void plan_with(const struct fixer *fixer, const struct facts *f, struct fixer_result *r) {
        struct options opts = { .command = CMD_CHECK, .profile = "default" };
        struct context ctx = { .opts = &opts };
        struct profile p;
        profile_init_defaults(&p);
        if (f->gateway_address) {
                free(p.gateway.address);
                p.gateway.address = xstrdup(f->gateway_address);
        }
        if (f->gateway_interface) {
                free(p.gateway.interface);
                p.gateway.interface = xstrdup(f->gateway_interface);
        }
        ctx.profile = &p;
        root_open(tree, f->live, &ctx.root);
        for (size_t i = 0; f->swaps && f->swaps[i]; i++)
                strv_push(&ctx.node.swaps, xstrdup(f->swaps[i]));
        ctx.node.swaps_error = f->swaps_error;
        ctx.node.route_error = f->route_error;
        ctx.node.links_error = f->links_error;
        if (f->swaps_error)
                ctx.node.swaps_message = xstrdup(f->message);
        if (f->route_error)
                ctx.node.route_message = xstrdup(f->message);
        if (f->links_error)
                ctx.node.links_message = xstrdup(f->message);
        if (f->route)
                ctx.node.route = (struct rtnl_default_route){ .present = true,
                                                              .gateway = ip(192, 0, 2, 1),
                                                              .ifindex = 2,
                                                              .ifname = "eth0",
                                                              .type = RTN_UNICAST };
        /* A copy: node_facts_free() frees the facts' own. */
        struct rtnl_links l = sample_links();
        ctx.node.links.links = xmalloc(l.n_links * sizeof(*l.links));
        memcpy(ctx.node.links.links, l.links, l.n_links * sizeof(*l.links));
        ctx.node.links.n_links = l.n_links;
        ctx.node.links.addrs = xmalloc(l.n_addrs * sizeof(*l.addrs));
        memcpy(ctx.node.links.addrs, l.addrs, l.n_addrs * sizeof(*l.addrs));
        ctx.node.links.n_addrs = l.n_addrs;
        *r = (struct fixer_result){ .fixer = fixer };
        fixer->plan(&ctx, r);
        node_facts_free(&ctx.node);
        context_free(&ctx);
        root_free(ctx.root);
        profile_clear(&p);
}

static const char *action(const struct fixer_result *r, size_t i) {
        return i < r->n_actions ? r->actions[i].target : NULL;
}

static void test_swap_plan(void) {
        static const char *const two[] = { "/dev/dm-1", "/swap file", NULL };
        struct fixer_result r;
        plan_with(&fixer_swap, &(struct facts){ .live = true, .swaps = two }, &r);
        tap_ok(r.n_actions == 2 && streq(r.actions[0].action, "swapoff") &&
                       streq(action(&r, 0), "/dev/dm-1") && streq(action(&r, 1), "/swap file"),
               "swap: a swapoff for each active area of the facts");
        tap_streq(r.message, "2 active swap areas", "swap: the message counts them");
        fixer_result_free(&r);

        plan_with(&fixer_swap, &(struct facts){ .live = true }, &r);
        tap_ok(r.n_actions == 0 && r.status == STATUS_OK, "swap: no active area, nothing to do");
        tap_streq(r.message, "swap is off", "swap: says swap is off");
        fixer_result_free(&r);

        plan_with(&fixer_swap, &(struct facts){ .live = false, .swaps = two }, &r);
        tap_ok(r.n_actions == 0, "swap: --root ignores live areas (the tree's swap is not this machine's)");
        fixer_result_free(&r);
}

static void test_gateway_plan(void) {
        struct fixer_result r;
        plan_with(&fixer_gateway, &(struct facts){ .live = true, .gateway_address = "192.0.2.1" }, &r);
        tap_ok(r.n_actions == 1 && streq(r.actions[0].action, "route add") &&
                       streq(action(&r, 0), "default via 192.0.2.1 dev eth0"),
               "gateway: no route in the facts, a route through the configured interface that is up");
        tap_streq(r.message, "no default route; /etc/systemd/network/10-eth0.network has no gateway",
                  "gateway: the message");
        fixer_result_free(&r);

        plan_with(&fixer_gateway, &(struct facts){ .live = true, .route = true }, &r);
        tap_ok(r.n_actions == 0, "gateway: a default route in the facts, none added");
        tap_streq(r.message, "/etc/systemd/network/10-eth0.network has no gateway",
                  "gateway: the route is kept, the file lacks its gateway");
        tap_ok(r.n_edits == 1 && strstr(r.edits[0].new_data, "Gateway=192.0.2.1\n"),
               "gateway: the facts' route gives the gateway to persist");
        fixer_result_free(&r);

        plan_with(&fixer_gateway,
                  &(struct facts){
                          .live = true, .gateway_address = "192.0.2.1", .gateway_interface = "nosuch0" },
                  &r);
        tap_ok(r.n_actions == 0 && r.message &&
                       strstr(r.message, "interface nosuch0 does not exist; check "
                                         "gateway.interface"),
               "gateway: an interface not among the links does not exist");
        fixer_result_free(&r);
}

#define NO_RTNL "Operation not permitted"

/* Failed live reads: the fixer fails as it failed on its own read, with that read's message. */
static void test_failed_reads(void) {
        static const struct {
                const struct fixer *fixer;
                struct facts facts;
                int exit_code;
                const char *message, *name;
        } cases[] = {
                { &fixer_swap,
                  { .live = true,
                    .swaps_error = -EACCES,
                    .message = "cannot read /proc/swaps: Permission denied" },
                  2,
                  "cannot read /proc/swaps: Permission denied",
                  "swap: /proc/swaps unreadable is a refusal (exit 2), with the read's own message" },
                { &fixer_gateway,
                  { .live = true,
                    .route_error = -EPERM,
                    .message = "cannot open rtnetlink socket: " NO_RTNL },
                  1,
                  "cannot read the routing table: cannot open rtnetlink socket: " NO_RTNL,
                  "gateway: an unreadable routing table fails (exit 1), with the read's own message" },
                { &fixer_gateway,
                  { .live = true,
                    .links_error = -EPERM,
                    .message = "cannot read network interfaces: " NO_RTNL },
                  1,
                  "cannot read network interfaces: " NO_RTNL,
                  "gateway: unreadable links fail (exit 1), with the read's own message" },
                { &fixer_gateway,
                  { .live = true,
                    .links_error = -EPERM,
                    .message = "cannot read network interfaces: " NO_RTNL,
                    .gateway_interface = "an-interface-name-too-long" },
                  1,
                  "invalid interface name 'an-interface-name-too-long'",
                  "gateway: an invalid gateway.interface is said first, as before any read" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct fixer_result r;
                plan_with(cases[i].fixer, &cases[i].facts, &r);
                if (!tap_ok(r.status == STATUS_ERROR && r.exit_code == cases[i].exit_code &&
                                    r.n_actions == 0 && streq_ptr(r.message, cases[i].message),
                            cases[i].name))
                        tap_diag(strempty(r.message));
                fixer_result_free(&r);
        }
}

static void test_gather(const struct root *tree_root, const struct root *live_root) {
        struct options opts = { .command = CMD_CHECK, .profile = "default" };
        struct node_facts n;
        node_facts_gather(tree_root, &opts, &n);
        tap_ok(n.swaps.n == 0 && n.swaps_error == 0 && !n.swaps_message && !n.route.present &&
                       n.route_error == 0 && n.links.n_links == 0 && n.links_error == 0,
               "--root: nothing of this machine is read");
        node_facts_free(&n);

        node_facts_gather(live_root, &opts, &n);
        struct strv swaps = {};
        _cleanup_free_ char *err = NULL;
        int k = swaps_read_active(&swaps, &err);
        bool same = k == n.swaps_error && swaps.n == n.swaps.n;
        for (size_t i = 0; same && i < swaps.n; i++)
                same = streq(swaps.items[i], n.swaps.items[i]);
        tap_ok(same, "live: the active swap areas, as /proc/swaps lists them");
        strv_free(&swaps);
        bool lo = false;
        for (size_t i = 0; i < n.links.n_links; i++)
                lo = lo || streq(n.links.links[i].name, "lo");
        tap_ok(n.links_error == 0 && lo, "live: the links, lo among them");
        tap_ok(n.route_error == 0, "live: the routing table was read");
        tap_ok(n.hostname && n.clock_synchronized >= 0 &&
                       (n.cgroup_controllers.n > 0 || n.cgroup_controllers_error < 0),
               "live: the hostname, the clock and the cgroup controllers");
        node_facts_free(&n);

        /* The kubelet's ExecStartPre run plans only the kubelet's fixers: no clock, no controllers,
         * no unit states, no name lookup. */
        struct options kubelet_side = { .command = CMD_APPLY, .profile = "default" };
        strv_push(&kubelet_side.only, xstrdup("swap"));
        node_facts_gather(live_root, &kubelet_side, &n);
        node_facts_gather_name(live_root, &kubelet_side, NULL, &n);
        tap_ok(n.hostname && n.clock_synchronized == -ENODATA && n.cgroup_controllers.n == 0 &&
                       n.cgroup_controllers_error == 0 && n.n_units == 0 && n.node_name &&
                       n.node_name_resolves == -ENOMEDIUM,
               "live, --only swap: the preflight fixers' facts are not gathered");
        node_facts_free(&n);
        strv_free(&kubelet_side.only);
}

int main(void) {
        char tmpl[] = "/tmp/kubeprep-node-facts-XXXXXX";
        tree = mkdtemp(tmpl);
        if (!tree)
                return 1;
        _cleanup_free_ char *mk =
                xasprintf("mkdir -p %s/etc/systemd/network && : > %s/etc/fstab && "
                          "printf '[Match]\\nName=eth0\\n\\n[Network]\\nAddress=192.0.2.10/24\\n' "
                          "> %s/etc/systemd/network/10-eth0.network",
                          tree, tree, tree);
        if (system(mk) != 0)
                return 1;
        test_links_find();
        test_swap_plan();
        test_gateway_plan();
        test_failed_reads();
        struct root *tree_root = NULL, *live_root = NULL;
        if (root_open(tree, false, &tree_root) < 0 || root_open("/", true, &live_root) < 0)
                return 1;
        test_gather(tree_root, live_root);
        root_free(tree_root);
        root_free(live_root);
        _cleanup_free_ char *rm = xasprintf("rm -rf %s", tree);
        if (system(rm) != 0)
                tap_diag(rm);
        return tap_done();
}
