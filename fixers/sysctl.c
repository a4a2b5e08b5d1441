/* SPDX-License-Identifier: MIT */
/* The `sysctl` fixer: pods need IP forwarding (IPv6 too on an IPv6 or dual-stack cluster), kube-proxy
 * and CNI need bridged traffic to pass iptables (br_netfilter's bridge-nf-call-*), and the kubelet
 * and pods watch many files (the inotify limits, minimums that a higher value set elsewhere
 * keeps); set live and persisted in files kubeprep owns. */
#include "basic/cidr.h"
#include "fixers/registry.h"
#include "formats/sysctl-conf.h"
#include "system/sysctl-live.h"

#define SYSCTL_CONF "/etc/sysctl.d/99-kubeprep.conf"
#define MODULES_CONF "/etc/modules-load.d/kubeprep.conf"

enum want_kind {
        WANT_EXACT,    /* the value, as written */
        WANT_AT_LEAST, /* a number at least this big; a bigger one is left as it is */
};

static const struct setting {
        const char *name;
        const char *want;
        enum want_kind kind;
        bool ipv6;           /* only on an IPv6 or dual-stack cluster */
        const char *kubeadm; /* the kubeadm preflight check that reads it live, or NULL */
} settings[] = {
        { "net.ipv4.ip_forward", "1", WANT_EXACT, false, "FileContent--proc-sys-net-ipv4-ip_forward" },
        { "net.bridge.bridge-nf-call-iptables", "1", WANT_EXACT, false, NULL },
        { "net.bridge.bridge-nf-call-ip6tables", "1", WANT_EXACT, false, NULL },
        /* The kernel forwards IPv6 only with all.forwarding; kubeadm reads default.forwarding. */
        { "net.ipv6.conf.all.forwarding", "1", WANT_EXACT, true, NULL },
        { "net.ipv6.conf.default.forwarding", "1", WANT_EXACT, true,
          "FileContent--proc-sys-net-ipv6-conf-default-forwarding" },
        /* kubespray's and kOps' values: the defaults (128, and 8192 or a share of RAM) run out with
         * many pods, and the kubelet then fails with "too many open files". */
        { "fs.inotify.max_user_instances", "8192", WANT_AT_LEAST, false, NULL },
        { "fs.inotify.max_user_watches", "524288", WANT_AT_LEAST, false, NULL },
};

/* The bridge settings exist only while br_netfilter is loaded. */
static bool is_bridge(const char *name) {
        return startswith(name, "net.bridge.") != NULL;
}

static bool is_number(const char *v, unsigned long long *ret) {
        char *end;
        if (!v || !*v || strspn(v, "0123456789") != strlen(v))
                return false;
        errno = 0;
        *ret = strtoull(v, &end, 10);
        return errno == 0;
}

/* Whether value satisfies the setting: equal, or for a minimum a number at least as big. */
static bool value_ok(const struct setting *s, const char *value) {
        if (s->kind == WANT_EXACT)
                return sysctl_value_equal(value, s->want);
        unsigned long long have, want;
        return is_number(value, &have) && is_number(s->want, &want) && have >= want;
}

/* An IPv6 Service or Pod range, an IPv6 API address, or (joining) an IPv6 API endpoint: the cluster
 * is IPv6 or dual-stack (kubeadm adds its IPv6 forwarding check on the same grounds). *ret_why
 * names it. */
static bool cluster_ipv6(const struct node_facts *n, char **ret_why) {
        const struct {
                const struct strv *v;
                const char *what, *from;
        } lists[] = {
                { &n->networks.service_subnets, "the Service range", n->service_subnets_from },
                { &n->networks.pod_subnets, "the Pod range", n->pod_subnets_from },
        };
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t i = 0; i < lists[l].v->n; i++) {
                        struct cidr c;
                        if (cidr_parse(lists[l].v->items[i], &c) >= 0 && c.family == AF_INET6) {
                                *ret_why = xasprintf("%s %s (%s)", lists[l].what, lists[l].v->items[i],
                                                     lists[l].from);
                                return true;
                        }
                }
        struct cidr c;
        if (n->networks.advertise_address && cidr_parse(n->networks.advertise_address, &c) >= 0 &&
            c.family == AF_INET6) {
                *ret_why = xasprintf("the API server's address %s (%s)", n->networks.advertise_address,
                                     n->advertise_address_from);
                return true;
        }
        _cleanup_free_ char *ep =
                n->networks.api_endpoint ? cluster_endpoint_address(n->networks.api_endpoint) : NULL;
        if (ep && cidr_parse(ep, &c) >= 0 && c.family == AF_INET6) {
                *ret_why = xasprintf("the API endpoint %s (%s)", n->networks.api_endpoint,
                                     n->api_endpoint_from);
                return true;
        }
        return false;
}

/* The settings this node needs. */
static bool wanted(const struct setting *s, bool ipv6) {
        return !s->ipv6 || ipv6;
}

/* A setting's last assignment in some of the files applied at boot. */
struct persisted {
        char *value;      /* NULL: none */
        const char *path; /* into files */
        unsigned line;
};

/* What the files applied at boot other than ours say of each setting, each file read once (a
 * sysctl.d of 100,000 files is read once, not once per setting): the last assignment in any of
 * them, and the last in a file applied after ours, which undoes ours at boot. */
struct persisted_settings {
        struct persisted others[ELEMENTSOF(settings)], after[ELEMENTSOF(settings)];
};

static void persisted_set(struct persisted *p, const char *value, const char *path, unsigned line) {
        free(p->value);
        *p = (struct persisted){ .value = xstrdup(value), .path = path, .line = line };
}

static void read_persisted(struct context *ctx, const struct strv *files, bool ipv6,
                           struct persisted_settings *ret) {
        *ret = (struct persisted_settings){};
        bool after_ours = false;
        for (size_t i = 0; i < files->n; i++) {
                if (streq(files->items[i], SYSCTL_CONF)) {
                        after_ours = true;
                        continue;
                }
                _cleanup_free_ char *text = NULL;
                size_t len;
                if (ctx_read_file(ctx, files->items[i], &text, &len, NULL) < 0)
                        continue; /* masked (-> /dev/null), gone, unreadable: applies nothing */
                for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                        _cleanup_free_ char *value = NULL;
                        unsigned line;
                        if (!wanted(&settings[s], ipv6) ||
                            sysctl_conf_find(text, len, settings[s].name, &value, &line) <= 0)
                                continue;
                        persisted_set(&ret->others[s], value, files->items[i], line);
                        if (after_ours)
                                persisted_set(&ret->after[s], value, files->items[i], line);
                }
        }
}

static void persisted_settings_free(struct persisted_settings *p) {
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                free(p->others[s].value);
                free(p->after[s].value);
        }
}

/* kubeprep's file: every setting the node needs, but a minimum another file already meets (a value
 * an administrator raised must not be lowered by this later file). */
static char *sysctl_conf_text(const struct persisted_settings *p, bool ipv6) {
        struct buf b = {};
        buf_puts(
                &b,
                "# Written by kubeprep (the sysctl fixer), which rewrites it: put other settings in a file "
                "of "
                "your own.\n"
                "# Kubernetes needs IP forwarding, and bridged pod traffic seen by iptables (br_netfilter,\n"
                "# loaded at boot by " MODULES_CONF ").\n");
        bool said = false;
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                if (!wanted(&settings[s], ipv6))
                        continue;
                if (settings[s].kind == WANT_AT_LEAST) {
                        const char *v = p->others[s].value;
                        if (v && value_ok(&settings[s], v))
                                continue;
                        if (!said)
                                buf_puts(&b, "# Minimum inotify limits for the kubelet and pods; where "
                                             "another file "
                                             "sets more, kubeprep\n# leaves the line out, so that value "
                                             "stays.\n");
                        said = true;
                }
                buf_printf(&b, "%s = %s\n", settings[s].name, settings[s].want);
        }
        return buf_steal(&b);
}

static const char modules_conf_text[] =
        "# Written by kubeprep (the sysctl fixer), which rewrites it: list other modules in a file of your "
        "own.\n"
        "# overlay for the container runtimes' overlayfs snapshotter, br_netfilter for\n"
        "# net.bridge.bridge-nf-call-iptables (" SYSCTL_CONF ").\n"
        "overlay\n"
        "br_netfilter\n";

static int do_sysctl(const struct live_action *a, char **ret_error) {
        _cleanup_free_ char *name = xstrdup(a->target);
        char *eq = strchr(name, '=');
        if (!eq)
                return -EINVAL;
        *eq = 0;
        int k = sysctl_write(name, eq + 1, ret_error);
        return k < 0 ? k : 0;
}

static int plan_owned_file(struct context *ctx, struct fixer_result *r, const char *path, const char *text,
                           struct strv *found) {
        int k = plan_write_file(ctx, r, path, text, strlen(text), 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", path, read_strerror(k));
        if (k > 0) {
                bool existed = r->edits[r->n_edits - 1].existed;
                result_detail(r, "%s: %s", path, existed ? "rewrite with kubeprep's settings" : "create");
                strv_push(found, xasprintf("%s %s", path, existed ? "differs" : "missing"));
        }
        return k;
}

/* Settings in files that systemd-sysctl applies after ours, which would undo them at boot. Our file
 * sets every setting that another file does not already meet, so a setting ends differently only
 * where a later file changes it. */
static void check_overrides(const struct persisted_settings *p, bool ipv6, struct strv *problems) {
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                const struct persisted *a = &p->after[s];
                if (wanted(&settings[s], ipv6) && a->value && !value_ok(&settings[s], a->value))
                        strv_push(problems,
                                  xasprintf("%s:%u sets %s = %s and is applied after %s at boot", a->path,
                                            a->line, settings[s].name, a->value, SYSCTL_CONF));
        }
}

/* Plan a live write for each setting that differs. The net.bridge settings exist while br_netfilter
 * is loaded (built in or a module), in every network namespace. Returns <0 after result_fail(). */
static int plan_live(struct context *ctx, struct fixer_result *r, bool ipv6, struct strv *found) {
        if (!ctx->root->live)
                return 0;
        bool told = false, ipv6_on = false;
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                const struct setting *st = &settings[s];
                if (!wanted(st, ipv6))
                        continue;
                _cleanup_free_ char *value = NULL, *err = NULL;
                int k = sysctl_read(st->name, &value, &err);
                if (k == -ENOENT && is_bridge(st->name)) {
                        if (!told)
                                result_detail(r,
                                              "br_netfilter is not loaded%s: the net.bridge settings apply "
                                              "when it "
                                              "loads at boot (%s)",
                                              kernel_module_loaded("br_netfilter")
                                                      ? " in this network namespace"
                                                      : "",
                                              MODULES_CONF);
                        told = true;
                        continue;
                }
                if (k == -ENOENT && st->ipv6)
                        return result_fail(r, k,
                                           "%s: IPv6 is disabled in this kernel, and the cluster is IPv6 or "
                                           "dual-stack",
                                           err);
                if (k < 0)
                        return result_fail(r, k, "%s", err ? err : strerror(-k));
                if (value_ok(st, value))
                        continue;
                if (st->kind == WANT_AT_LEAST && !sysctl_writable(st->name)) {
                        /* Not per network namespace: in a container it is the host's to set. */
                        result_warn(
                                r,
                                "%s is %s, below %s, and /proc/sys is read-only here: raise it on the host",
                                st->name, value, st->want);
                        continue;
                }
                _cleanup_free_ char *target = xasprintf("%s=%s", st->name, st->want);
                plan_action(r, "sysctl", target, do_sysctl);
                strv_push(found, xasprintf("%s is %s", st->name, value));
                if (st->kubeadm)
                        result_kubeadm_check(r, st->kubeadm);
                ipv6_on = ipv6_on || st->ipv6;
        }
        if (ipv6_on)
                result_warn(
                        r, "with IPv6 forwarding on, the kernel ignores router advertisements on interfaces "
                           "with accept_ra = 1: a node that takes its IPv6 default route from them needs "
                           "net.ipv6.conf.IFACE.accept_ra = 2");
        return 0;
}

static int sysctl_plan(struct context *ctx, struct fixer_result *r) {
        struct strv found = {}, problems = {}, files = {};
        _cleanup_free_ char *why_ipv6 = NULL, *text = NULL;
        bool ipv6 = cluster_ipv6(&ctx->node, &why_ipv6);
        if (ipv6)
                result_detail(r, "IPv6 forwarding too: the cluster is IPv6 or dual-stack (%s)", why_ipv6);
        int k = sysctl_conf_files(ctx->root, SYSCTL_CONF, &files);
        if (k < 0)
                return result_refuse(r, k, "cannot list the sysctl.d directories: %s", strerror(-k));
        struct persisted_settings persisted;
        read_persisted(ctx, &files, ipv6, &persisted);
        text = sysctl_conf_text(&persisted, ipv6);
        k = plan_live(ctx, r, ipv6, &found);
        if (k >= 0)
                k = plan_owned_file(ctx, r, SYSCTL_CONF, text, &found);
        if (k >= 0)
                k = plan_owned_file(ctx, r, MODULES_CONF, modules_conf_text, &found);
        if (k >= 0)
                check_overrides(&persisted, ipv6, &problems);
        persisted_settings_free(&persisted);
        strv_free(&files);
        if (k < 0) {
                strv_free(&found);
                strv_free(&problems);
                return k;
        }

        _cleanup_free_ char *overrides = strv_join(&problems, "; "), *findings = strv_join(&found, ", ");
        if (problems.n) {
                /* kubeprep does not edit other packages' files: the operator decides. */
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                result_detail(r,
                              "remove or change %s: applied after kubeprep's file, %s its setting at boot",
                              problems.n == 1 ? "that line" : "those lines",
                              problems.n == 1 ? "it undoes" : "they undo");
        }
        if (problems.n || found.n)
                result_message(r, "%s%s%s", overrides, problems.n && found.n ? "; " : "", findings);
        else
                result_message(
                        r,
                        "net.ipv4.ip_forward%s and the bridge netfilter settings are 1 and the inotify "
                        "limits at least 8192 and 524288%s",
                        ipv6 ? ", IPv6 forwarding" : "",
                        ctx->root->live ? ", live and persisted" : " in the tree's configuration");
        strv_free(&found);
        strv_free(&problems);
        return 0;
}

const struct fixer fixer_sysctl = {
        .name = "sysctl",
        .description =
                "net.ipv4.ip_forward=1 (IPv6 forwarding on IPv6 clusters), the bridge netfilter settings "
                "and the inotify minimums, live and persisted",
        .plan = sysctl_plan,
};
