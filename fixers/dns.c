/* SPDX-License-Identifier: MIT */
/* The `dns` fixer: the kubelet hands pods with dnsPolicy Default (CoreDNS among them) the resolver
 * file in its resolvConf. A nameserver there on the node's loopback (systemd-resolved's stub
 * 127.0.0.53, dnsmasq, unbound) is the pod's own loopback in the pod, so CoreDNS forwards to itself
 * and its loop plugin stops it ("Loop ... detected for zone"). The fix points resolvConf at a file
 * with real upstream servers: systemd-resolved's own list, else one kubeprep writes from the
 * profile's dns.upstream. /etc/resolv.conf itself is never edited. */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/resolv-conf.h"
#include "formats/yaml-edit.h"

#define DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"
#define RESOLVED_STUB "/run/systemd/resolve/stub-resolv.conf"
#define KUBEPREP_RESOLV_CONF "/etc/kubeprep/resolv.conf"

static const char *const resolv_conf_key[] = { "resolvConf", NULL };

/* The kubelet's resolvConf and where it is set: the last flag file with --resolv-conf (flags win
 * over the config file), else config.yaml, else (before kubeadm wrote config.yaml) the kubeadm
 * patch, else the kubelet's default. Returns 0, or <0 after result_refuse(). */
static int kubelet_resolv_conf(struct context *ctx, struct fixer_result *r, char **ret, char **ret_from) {
        struct flag_file *files = NULL;
        size_t n = 0;
        _cleanup_free_ char *value = NULL, *from = NULL;
        kubelet_flag_files(ctx, &files, &n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(flag_text_done) struct flag_text text = {};
                _cleanup_free_ char *v = NULL, *err = NULL;
                if (flag_text_read(ctx, files[i].path, &text) < 0)
                        continue;
                int k = flags_get(text.data, text.len, files[i].format, "resolv-conf", &v, &err);
                if (k < 0) {
                        int e = result_refuse(r, k, "%s: %s", files[i].path, err);
                        flag_files_free(files, n);
                        return e;
                }
                if (k > 0) {
                        free(value);
                        free(from);
                        value = TAKE_PTR(v);
                        from = xasprintf("--resolv-conf in %s", files[i].path);
                }
        }
        static const char *const configs[] = { KUBELET_CONFIG, KUBELET_CONFIG_PATCH };
        for (size_t i = 0; !value && i < ELEMENTSOF(configs); i++) {
                _cleanup_free_ char *text = NULL, *err = NULL;
                size_t len;
                int k = ctx_read_file(ctx, configs[i], &text, &len, NULL);
                if (k == -ENOENT)
                        continue;
                if (k >= 0)
                        k = yaml_get_scalar(text, len, 0, resolv_conf_key, &value, NULL, &err);
                if (k < 0) {
                        flag_files_free(files, n);
                        return result_refuse(r, k, "%s: %s; the file was not changed", configs[i],
                                             err ? err : read_strerror(k));
                }
                if (value)
                        from = xstrdup(configs[i]);
                if (streq(configs[i], KUBELET_CONFIG))
                        break; /* kubeadm wrote it: the patch is only for the next kubeadm run */
        }
        *ret_from = from ? TAKE_PTR(from) : xstrdup("the kubelet's default");
        flag_files_free(files, n);
        *ret = value ? TAKE_PTR(value) : xstrdup(DEFAULT_RESOLV_CONF);
        return 0;
}

/* A resolver file as the kubelet will read it. 1 read, 0 not there (*ret empty). A link to
 * systemd-resolved's stub that the tree cannot show (its /run is empty) is the stub. */
static int read_resolver(struct context *ctx, const char *path, struct resolv_conf *ret) {
        _cleanup_free_ char *text = NULL, *resolved = NULL;
        size_t len;
        *ret = (struct resolv_conf){};
        int k = ctx_read_file(ctx, path, &text, &len, NULL);
        if (k >= 0) {
                resolv_conf_parse(text, len, ret);
                return 1;
        }
        /* An image's /run is empty: resolve as far as it goes, else take the link's own words. */
        _cleanup_free_ char *target = NULL;
        bool stub = (root_resolve(ctx->root, path, &resolved) >= 0 && streq(resolved, RESOLVED_STUB)) ||
                    (root_readlink(ctx->root, path, &target) >= 0 && endswith(target, RESOLVED_STUB + 1) &&
                     (target[0] == '/' || startswith(target, "../")));
        if (stub) {
                strv_push(&ret->nameservers, xstrdup("127.0.0.53"));
                strv_push(&ret->loopback, xstrdup("127.0.0.53"));
                return 1;
        }
        return 0;
}

/* The file the kubelet should read instead: systemd-resolved's upstream list when it has one,
 * else kubeprep's own from dns.upstream. NULL when neither exists (*ret_write stays NULL). */
static const char *choose_target(struct context *ctx, char **ret_write) {
        struct resolv_conf up = {};
        bool resolved =
                read_resolver(ctx, RESOLVED_UPSTREAM, &up) > 0 && up.nameservers.n > 0 && up.loopback.n == 0;
        resolv_conf_free(&up);
        if (resolved)
                return RESOLVED_UPSTREAM;
        if (ctx->profile->dns.upstream.n == 0)
                return NULL;
        /* The node's search domains stay the pods' search domains. */
        struct resolv_conf node = {};
        read_resolver(ctx, DEFAULT_RESOLV_CONF, &node);
        *ret_write = resolv_conf_build(&ctx->profile->dns.upstream, node.search);
        resolv_conf_free(&node);
        return KUBEPREP_RESOLV_CONF;
}

static bool kubelet_present(struct context *ctx) {
        return root_exists(ctx->root, KUBELET_CONFIG) || node_has_program(ctx->root, "kubelet") ||
               ctx->node.kubelet_version;
}

static int plan_target(struct context *ctx, struct fixer_result *r, const char *target, const char *text) {
        if (text) {
                int k = plan_write_file(ctx, r, target, text, strlen(text), 0644);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s", target, read_strerror(k));
                _cleanup_free_ char *servers = strv_join(&ctx->profile->dns.upstream, ", ");
                if (k > 0)
                        result_detail(r, "%s: nameserver %s (the profile's dns.upstream)", target, servers);
        }
        int k = plan_kubelet_setting(ctx, r, resolv_conf_key, target, NULL);
        if (k >= 0)
                k = plan_kubelet_flag_where_set(ctx, r, "resolv-conf", target);
        return k < 0 ? k : 0;
}

/* A kubelet already pointed away from a loopback /etc/resolv.conf (by an earlier run, or one killed
 * before its last write) keeps that in the kubeadm patch too: kubeadm init and join rewrite
 * config.yaml, and would bring the loop back. */
static int keep_in_patch(struct context *ctx, struct fixer_result *r, const char *path) {
        if (streq(path, DEFAULT_RESOLV_CONF))
                return 0;
        struct resolv_conf node = {};
        read_resolver(ctx, DEFAULT_RESOLV_CONF, &node);
        bool loop = node.loopback.n > 0;
        resolv_conf_free(&node);
        if (!loop)
                return 0;
        int k = plan_kubelet_setting(ctx, r, resolv_conf_key, path, NULL);
        return k < 0 ? k : 0;
}

static int dns_plan(struct context *ctx, struct fixer_result *r) {
        if (!kubelet_present(ctx)) {
                result_skip(r, "no kubelet installed: nothing reads a resolvConf");
                return 0;
        }
        _cleanup_free_ char *path = NULL, *from = NULL;
        int k = kubelet_resolv_conf(ctx, r, &path, &from);
        if (k < 0)
                return k;
        if (!*path) {
                result_message(r, "resolvConf is empty (%s): pods get no resolver from the node", from);
                return 0;
        }
        /* kubeprep's own file follows the profile's list once it is the kubelet's. */
        _cleanup_free_ char *ours = NULL;
        if (streq(path, KUBEPREP_RESOLV_CONF) && ctx->profile->dns.upstream.n > 0) {
                struct resolv_conf node = {};
                read_resolver(ctx, DEFAULT_RESOLV_CONF, &node);
                ours = resolv_conf_build(&ctx->profile->dns.upstream, node.search);
                resolv_conf_free(&node);
                k = plan_write_file(ctx, r, KUBEPREP_RESOLV_CONF, ours, strlen(ours), 0644);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s", KUBEPREP_RESOLV_CONF, read_strerror(k));
                if (k > 0)
                        result_detail(r, "%s: rewrite with the profile's dns.upstream",
                                      KUBEPREP_RESOLV_CONF);
        }
        struct resolv_conf rc = {};
        if (read_resolver(ctx, path, &rc) == 0) {
                result_message(r, "%s, the kubelet's resolvConf (%s), does not exist%s", path, from,
                               ctx->root->live ? "" : " in the tree");
                return 0;
        }
        _cleanup_free_ char *loopback = strv_join(&rc.loopback, ", ");
        if (rc.loopback.n == 0) {
                _cleanup_free_ char *servers = strv_join(&rc.nameservers, ", ");
                result_message(
                        r, "%s, the kubelet's resolvConf (%s), names no resolver on the node's loopback: %s",
                        path, from, rc.nameservers.n ? servers : "no nameserver at all");
                resolv_conf_free(&rc);
                return keep_in_patch(ctx, r, path);
        }

        _cleanup_free_ char *text = NULL;
        const char *target = choose_target(ctx, &text);
        if (!target || streq(target, path)) {
                /* A real upstream the file also lists is a fine dns.upstream. */
                struct strv other = {};
                for (size_t i = 0; i < rc.nameservers.n; i++)
                        if (!strv_contains(&rc.loopback, rc.nameservers.items[i]))
                                strv_push(&other, xstrdup(rc.nameservers.items[i]));
                _cleanup_free_ char *hint = strv_join(&other, ", ");
                result_message(r,
                               "%s, the kubelet's resolvConf (%s), names %s on the node's loopback: CoreDNS "
                               "would forward to itself; set dns.upstream in the profile to the DNS servers "
                               "pods may use%s%s",
                               path, from, loopback, other.n ? ", e.g. " : "", hint);
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                strv_free(&other);
                resolv_conf_free(&rc);
                return 0;
        }
        k = plan_target(ctx, r, target, text);
        resolv_conf_free(&rc);
        if (k < 0)
                return k;
        result_message(r,
                       "%s, the kubelet's resolvConf (%s), names %s on the node's loopback: CoreDNS would "
                       "forward to itself; resolvConf: %s (%s)",
                       path, from, loopback, target,
                       streq(target, RESOLVED_UPSTREAM) ? "systemd-resolved's upstream servers"
                                                        : "the profile's dns.upstream");
        return 0;
}

const struct fixer fixer_dns = {
        .name = "dns",
        .description =
                "the kubelet's resolvConf names no resolver on the node's loopback (CoreDNS would forward "
                "to itself)",
        .plan = dns_plan,
};
