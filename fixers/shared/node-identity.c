/* SPDX-License-Identifier: MIT */
/* The node's role and address (see node-identity.h). */
#include "fixers/shared/node-identity.h"

#include <arpa/inet.h>

#include "fixers/shared/kubeadm-preflight.h"
#include "formats/node-spec.h"

enum node_role node_role(const struct context *ctx, const char **ret_why) {
        const char *why;
        enum node_role role = ROLE_WORKER;
        if (ctx->profile->role != ROLE_AUTO) {
                why = "role in the profile";
                role = ctx->profile->role;
        } else
                switch (kubeadm_next_step(ctx)) {
                case KUBEADM_STEP_INIT:
                        why = "role auto, kubeprep kubeadm -- init";
                        role = ROLE_CONTROL_PLANE;
                        break;
                case KUBEADM_STEP_JOIN_CONTROL_PLANE:
                        why = "role auto, kubeprep kubeadm -- join --control-plane";
                        role = ROLE_CONTROL_PLANE;
                        break;
                case KUBEADM_STEP_JOIN:
                        why = "role auto, kubeprep kubeadm -- join"; /* whatever an old run left */
                        break;
                case KUBEADM_STEP_NONE:
                case KUBEADM_STEP_RESET:
                default:
                        if (root_exists(ctx->root, APISERVER_MANIFEST_PATH)) {
                                why = "role auto, " APISERVER_MANIFEST_PATH;
                                role = ROLE_CONTROL_PLANE;
                        } else
                                why = "role auto, no " APISERVER_MANIFEST_PATH;
                        break;
                }
        if (ret_why)
                *ret_why = why;
        return role;
}

static const struct rtnl_link *link_of(const struct rtnl_links *l, int ifindex) {
        for (size_t i = 0; i < l->n_links; i++)
                if (l->links[i].ifindex == ifindex)
                        return &l->links[i];
        return NULL;
}

int node_addresses(const struct node_facts *n, const char *spec, struct node_address **ret, size_t *ret_n,
                   char **ret_error) {
        if (n->links_error < 0) {
                set_error(ret_error, "%s", n->links_message);
                return n->links_error;
        }
        uint32_t net = 0;
        uint8_t prefix = 0;
        bool network = spec && ipv4_network_parse(spec, &net, &prefix) >= 0;
        bool exact = network && !strchr(spec, '/');
        struct node_address *v = NULL;
        size_t m = 0;
        for (size_t i = 0; i < n->links.n_addrs; i++) {
                const struct rtnl_address *a = &n->links.addrs[i];
                const struct rtnl_link *link = link_of(&n->links, a->ifindex);
                if (!link)
                        continue;
                bool candidate = (link->flags & IFF_UP) && !(link->flags & IFF_LOOPBACK) &&
                                 !rtnl_is_runtime_link(link->name);
                bool take = !spec     ? candidate
                            : exact   ? a->addr == net
                            : network ? candidate && ipv4_network_contains(net, prefix, a->addr)
                                      : streq(link->name, spec);
                if (!take)
                        continue;
                v = xrealloc(v, (m + 1) * sizeof(*v));
                v[m] = (struct node_address){ .addr = a->addr };
                memcpy(v[m].ifname, link->name, IFNAMSIZ);
                m++;
        }
        *ret = v;
        *ret_n = m;
        return 0;
}

char *node_addresses_format(const struct node_address *a, size_t n) {
        struct buf b = {};
        buf_puts(&b, "");
        for (size_t i = 0; i < n; i++) {
                char text[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &a[i].addr, text, sizeof(text));
                buf_printf(&b, "%s%s (%s)", i ? ", " : "", text, a[i].ifname);
        }
        return buf_steal(&b);
}

int node_ip_address(struct context *ctx, char **ret_addr, char **ret_label, char **ret_problem) {
        const char *spec = ctx->profile->node_ip;
        uint32_t net;
        uint8_t prefix;
        bool address = spec && !strchr(spec, '/') && ipv4_network_parse(spec, &net, &prefix) >= 0;
        if (!spec || (!ctx->root->live && !address))
                return 0;
        if (!ctx->root->live) {
                *ret_addr = xstrdup(spec);
                *ret_label = xasprintf("nodeIP is %s", spec);
                return 1;
        }
        _cleanup_free_ struct node_address *a = NULL;
        size_t n = 0;
        int k = node_addresses(&ctx->node, spec, &a, &n, ret_problem);
        if (k < 0)
                return k;
        if (n != 1) {
                _cleanup_free_ struct node_address *all = NULL;
                size_t n_all = 0;
                (void) node_addresses(&ctx->node, NULL, &all, &n_all, NULL);
                _cleanup_free_ char *listed = node_addresses_format(n ? a : all, n ? n : n_all);
                if (n == 0)
                        set_error(ret_problem, "no address of this node is in nodeIP %s (it has %s)", spec,
                                  n_all ? listed : "none");
                else
                        set_error(ret_problem, "%zu addresses match nodeIP %s: %s: give one address", n,
                                  spec, listed);
                return n == 0 ? -ENXIO : -ENOTUNIQ;
        }
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a[0].addr, text, sizeof(text));
        *ret_addr = xstrdup(text);
        *ret_label = address ? xasprintf("nodeIP is %s", text)
                             : xasprintf("nodeIP %s is %s (%s)", spec, text, a[0].ifname);
        return 1;
}
