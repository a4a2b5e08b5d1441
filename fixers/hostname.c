/* SPDX-License-Identifier: MIT */
/* The `hostname` fixer: kubeadm's Hostname check. The node registers under its name (the hostname
 * lowercased, or the profile's nodeName), which must be an RFC 1123 subdomain and must resolve; a
 * name that does not gets a line in /etc/hosts. An invalid hostname is left to the operator: kubeprep
 * never renames a host. */
#include "fixers/registry.h"
#include "fixers/shared/node-identity.h"
#include "formats/etc-hosts.h"
#include "formats/node-spec.h"

#define HOSTS "/etc/hosts"
/* Debian's convention for the host's own name when it has no fixed address (netcfg, hostname(1)). */
#define OWN_NAME_ADDRESS "127.0.1.1"

/* A valid name close to an invalid one, for the advice: other characters become '-', a label's
 * leading and trailing '-' go. NULL when nothing usable is left. */
static char *suggest_name(const char *name) {
        struct buf b = {};
        for (const char *l = name; *l;) {
                size_t n = strcspn(l, ".");
                struct buf label = {};
                for (size_t i = 0; i < n; i++) {
                        char c = l[i];
                        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                        if (ok || (label.len && label.data[label.len - 1] != '-'))
                                buf_putc(&label, ok ? c : '-');
                }
                while (label.len && label.data[label.len - 1] == '-')
                        label.data[--label.len] = 0;
                if (label.len)
                        buf_printf(&b, "%s%s", b.len ? "." : "", label.data);
                buf_free(&label);
                l += n + (l[n] == '.');
        }
        char *s = buf_steal(&b);
        if (!*s || dns1123_subdomain_error(s))
                return (free(s), NULL);
        return s;
}

static int invalid_name(struct fixer_result *r, const char *name, const char *from, const char *why) {
        _cleanup_free_ char *better = suggest_name(name);
        result_message(r, "the node name %s (%s%s) is not a valid RFC 1123 subdomain: %s", name, from,
                       streq(from, "nodeName in the profile") ? "" : ", lowercased", why);
        if (better)
                result_detail(
                        r,
                        "run kubeadm init/join with --node-name=%s and set nodeName: %s in the profile "
                        "(kubeprep never renames the host)",
                        better, better);
        else
                result_detail(r,
                              "run kubeadm init/join with a valid --node-name and set it as nodeName in the "
                              "profile (kubeprep never renames the host)");
        r->status = STATUS_DRIFT;
        r->exit_code = 1;
        return 0;
}

/* Does the name resolve: live, as getaddrinfo answered; with --root, from the tree's /etc/hosts.
 * Yes: *ret_addr; no: *ret_why. */
static bool resolves(struct context *ctx, const char *name, const char *hosts, size_t len, char **ret_addr,
                     char **ret_why) {
        const struct node_facts *n = &ctx->node;
        if (ctx->root->live && n->node_name_resolves > 0) {
                *ret_addr = strv_join(&n->node_name_addrs, ", ");
                return true;
        }
        if (ctx->root->live) {
                /* A lookup that timed out or failed is no answer either: the line makes one. */
                *ret_why = n->node_name_resolves < 0 && n->node_name_message
                                   ? xasprintf("does not resolve (%s)", n->node_name_message)
                                   : xstrdup("does not resolve");
                return false;
        }
        if (hosts && hosts_lookup(hosts, len, name, ret_addr) > 0)
                return true;
        *ret_why = xstrdup("is not in " HOSTS);
        return false;
}

static int hostname_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        const char *name = n->node_name, *from = n->node_name_from;
        if (!name) {
                result_skip(r, "%s",
                            ctx->root->live ? "the hostname is unknown: set nodeName in the profile"
                                            : "the tree has no /etc/hostname: set nodeName in the profile");
                return 0;
        }
        const char *why = dns1123_subdomain_error(name);
        if (why)
                return invalid_name(r, name, from, why);

        _cleanup_free_ char *hosts = NULL, *addr = NULL, *missing = NULL;
        size_t len = 0;
        int k = ctx_read_file(ctx, HOSTS, &hosts, &len, NULL);
        if (k < 0 && k != -ENOENT)
                return result_refuse(r, k, "%s: cannot read: %s", HOSTS, read_strerror(k));
        if (resolves(ctx, name, hosts, len, &addr, &missing)) {
                if (ctx->root->live)
                        result_message(r, "%s (%s) resolves to %s", name, from, addr);
                else
                        result_message(r, "%s (%s) is in %s (%s)", name, from, HOSTS, addr);
                return 0;
        }

        /* The node's own address when the profile gives one; else Debian's loopback convention. */
        _cleanup_free_ char *node_ip = NULL, *label = NULL, *problem = NULL, *out = NULL, *err = NULL;
        const char *line_addr =
                node_ip_address(ctx, &node_ip, &label, &problem) > 0 ? node_ip : OWN_NAME_ADDRESS;
        size_t out_len;
        k = hosts_add(hosts ? hosts : "", hosts ? len : 0, line_addr, name, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", HOSTS, err);
        k = plan_write_file(ctx, r, HOSTS, out, out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", HOSTS, read_strerror(k));
        result_message(r, "%s (%s) %s", name, from, missing);
        result_detail(r, "%s: add %s %s", HOSTS, line_addr, name);
        return 0;
}

const struct fixer fixer_hostname = {
        .name = "hostname",
        .description = "the node name is a valid RFC 1123 subdomain and resolves (a line in /etc/hosts)",
        .plan = hostname_plan,
};
