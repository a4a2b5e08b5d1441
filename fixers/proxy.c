/* SPDX-License-Identifier: MIT */
/* The `proxy` check: an HTTPS_PROXY or HTTP_PROXY set for kubeadm or a container runtime must not
 * catch the node's own address or the cluster's Service and Pod ranges: kubeadm warns (HTTPProxy,
 * HTTPProxyCIDR), and the API server, kubelets and runtimes then reach pods and Services through
 * the proxy, or not at all. Check only: which proxy a site needs is the operator's to say. */
#include <arpa/inet.h>

#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"
#include "formats/proxy-env.h"

/* kubeadm's default networking.serviceSubnet. */
#define DEFAULT_SERVICE_SUBNET "10.96.0.0/12"

static const char *const unit_dirs[] = {
        "/etc/systemd/system",     "/run/systemd/system", "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system", "/lib/systemd/system",
};
static const char *const runtimes[] = { "containerd.service", "docker.service", "crio.service" };

/* An environment and the files it came from. */
struct source {
        char *name; /* "containerd.service", "/etc/environment", "kubeadm" */
        struct strv env;
        struct strv files;
};

static void source_done(struct source *s) {
        free(s->name);
        strv_free(&s->env);
        strv_free(&s->files);
}

/* Read one file into env with parse; listed in s->files when it set anything. */
static void read_env_file(struct context *ctx, struct source *s, const char *path, bool unit,
                          struct strv *env_files) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (ctx_read_file(ctx, path, &text, &len, NULL) < 0)
                return;
        struct strv before = {};
        for (size_t i = 0; i < s->env.n; i++)
                strv_push(&before, xstrdup(s->env.items[i]));
        size_t nfiles = env_files ? env_files->n : 0;
        if (unit)
                unit_environment_parse(text, len, &s->env, env_files);
        else
                env_file_parse(text, len, &s->env);
        bool changed = before.n != s->env.n || (env_files && env_files->n != nfiles);
        for (size_t i = 0; !changed && i < s->env.n; i++)
                changed = !streq(before.items[i], s->env.items[i]);
        if (changed)
                strv_push(&s->files, xstrdup(path));
        strv_free(&before);
}

/* A unit's environment as systemd builds it: the unit file (the first directory that has it), then
 * its drop-ins (NAME.d/FILE.conf) sorted by name (a name in an earlier directory hiding the same name in
 * later ones), Environment= in order, then the EnvironmentFile= files over them. */
static void unit_environment(struct context *ctx, const char *unit, struct source *s) {
        struct strv env_files = {}, dropins = {};
        for (size_t d = 0; d < ELEMENTSOF(unit_dirs); d++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", unit_dirs[d], unit);
                if (root_exists(ctx->root, p)) {
                        read_env_file(ctx, s, p, true, &env_files);
                        break;
                }
        }
        for (size_t d = 0; d < ELEMENTSOF(unit_dirs); d++) {
                _cleanup_free_ char *dir = xasprintf("%s/%s.d", unit_dirs[d], unit);
                struct strv names = {};
                if (root_list_dir(ctx->root, dir, &names) < 0)
                        continue;
                for (size_t i = 0; i < names.n; i++) {
                        if (!endswith(names.items[i], ".conf"))
                                continue;
                        bool hidden = false;
                        for (size_t j = 0; j < dropins.n && !hidden; j++)
                                hidden = streq(strrchr(dropins.items[j], '/') + 1, names.items[i]);
                        if (!hidden)
                                strv_push(&dropins, xasprintf("%s/%s", dir, names.items[i]));
                }
                strv_free(&names);
        }
        /* Sorted by file name across directories, as systemd applies them. */
        for (size_t i = 1; i < dropins.n; i++)
                for (size_t j = i;
                     j > 0 && strcmp(strrchr(dropins.items[j - 1], '/'), strrchr(dropins.items[j], '/')) > 0;
                     j--) {
                        char *t = dropins.items[j];
                        dropins.items[j] = dropins.items[j - 1];
                        dropins.items[j - 1] = t;
                }
        for (size_t i = 0; i < dropins.n; i++)
                read_env_file(ctx, s, dropins.items[i], true, &env_files);
        for (size_t i = 0; i < env_files.n; i++)
                read_env_file(ctx, s, env_files.items[i], false, NULL);
        strv_free(&env_files);
        strv_free(&dropins);
}

/* scheme://host:port of a proxy URL, without a user and password. */
static char *proxy_shown(const char *url) {
        const char *host = strstr(url, "://");
        host = host ? host + 3 : url;
        const char *at = strchr(host, '@'), *slash = strchr(host, '/');
        if (at && (!slash || at < slash))
                return xasprintf("%.*s%s", (int) (host - url), url, at + 1);
        return xstrdup(url);
}

struct target {
        char *what; /* "the node's address 192.0.2.20" */
        char *range;
        const char *check;
};

static void push_target(struct target **t, size_t *n, const char *check, const char *range, char *what) {
        struct cidr c;
        if (cidr_parse(range, &c) < 0) {
                free(what);
                return;
        }
        *t = xrealloc(*t, (*n + 1) * sizeof(**t));
        (*t)[(*n)++] = (struct target){ .what = what, .range = cidr_to_string(&c, true), .check = check };
}

/* What must bypass a proxy: the node's address (or the API endpoint a join talks to), and the
 * Service and Pod ranges. Unknown ones are said in details. */
static void targets(struct context *ctx, struct fixer_result *r, struct target **ret, size_t *ret_n) {
        const struct node_facts *n = &ctx->node;
        struct target *t = NULL;
        size_t nt = 0;
        _cleanup_free_ char *endpoint =
                n->networks.api_endpoint ? cluster_endpoint_address(n->networks.api_endpoint) : NULL;
        if (n->networks.advertise_address)
                push_target(&t, &nt, "HTTPProxy", n->networks.advertise_address,
                            xasprintf("the API server's address %s (%s)", n->networks.advertise_address,
                                      n->advertise_address_from));
        if (endpoint)
                push_target(&t, &nt, "HTTPProxy", endpoint, xasprintf("the API endpoint %s", endpoint));
        if (!n->networks.advertise_address && !endpoint && ctx->root->live && n->links_error == 0) {
                struct rtnl_iface_addr a;
                _cleanup_free_ char *err = NULL;
                char s[INET_ADDRSTRLEN];
                if (rtnl_links_find(&n->links, NULL, &a, &err) > 0 &&
                    inet_ntop(AF_INET, &a.addr, s, sizeof(s)))
                        push_target(&t, &nt, "HTTPProxy", s,
                                    xasprintf("the node's address %s (%s)", s, a.ifname));
        }
        if (nt == 0)
                result_detail(r, "the node's address is unknown: pass --kubeadm-config to check it");
        const struct strv *svc = &n->networks.service_subnets;
        for (size_t i = 0; i < svc->n; i++)
                push_target(&t, &nt, "HTTPProxyCIDR", svc->items[i],
                            xasprintf("the Service range %s (%s)", svc->items[i], n->service_subnets_from));
        if (svc->n == 0)
                push_target(&t, &nt, "HTTPProxyCIDR", DEFAULT_SERVICE_SUBNET,
                            xasprintf("the Service range %s (kubeadm's default)", DEFAULT_SERVICE_SUBNET));
        const struct strv *pod = &n->networks.pod_subnets;
        for (size_t i = 0; i < pod->n; i++)
                push_target(&t, &nt, "HTTPProxyCIDR", pod->items[i],
                            xasprintf("the Pod range %s (%s)", pod->items[i], n->pod_subnets_from));
        if (pod->n == 0)
                result_detail(r, "the Pod range is unknown: pass --kubeadm-config to check it");
        *ret = t;
        *ret_n = nt;
}

/* 1 when the source uses a proxy that catches a target (findings made), else 0. */
static int check_source(struct fixer_result *r, const struct source *s, const struct target *t, size_t nt) {
        const char *var = NULL;
        const char *proxy = env_proxy(&s->env, &var);
        if (!proxy)
                return 0;
        const char *no_proxy = env_no_proxy(&s->env);
        _cleanup_free_ char *shown = proxy_shown(proxy), *files = strv_join(&s->files, ", ");
        int bad = 0;
        for (size_t i = 0; i < nt; i++) {
                struct cidr c;
                if (cidr_parse(t[i].range, &c) < 0 || no_proxy_covers(no_proxy, &c))
                        continue;
                kubeadm_finding(r, FINDING_WARNING_DRIFT, t[i].check,
                                "%s%s%s%s reaches %s through %s=%s: add %s to its NO_PROXY", s->name,
                                s->files.n ? " (" : "", files, s->files.n ? ")" : "", t[i].what, var, shown,
                                t[i].range);
                bad = 1;
        }
        return bad;
}

static int proxy_plan(struct context *ctx, struct fixer_result *r) {
        struct source sources[2 + ELEMENTSOF(runtimes)] = {};
        size_t ns = 0;
        if (ctx->root->live) {
                /* kubeadm runs with this environment: under the hook, or from the same shell. */
                extern char **environ;
                sources[ns].name = xstrdup("kubeadm (this environment)");
                for (char **e = environ; e && *e; e++)
                        if (strchr(*e, '='))
                                strv_push(&sources[ns].env, xstrdup(*e));
                ns++;
        }
        sources[ns].name = xstrdup("/etc/environment");
        read_env_file(ctx, &sources[ns], "/etc/environment", false, NULL);
        strv_free(&sources[ns].files); /* the name says it */
        ns++;
        for (size_t i = 0; i < ELEMENTSOF(runtimes); i++) {
                sources[ns].name = xstrdup(runtimes[i]);
                unit_environment(ctx, runtimes[i], &sources[ns++]);
        }

        struct target *t = NULL;
        size_t nt = 0;
        bool have_targets = false;
        struct strv with_proxy = {}, bad = {};
        for (size_t i = 0; i < ns; i++) {
                const char *var;
                if (!env_proxy(&sources[i].env, &var))
                        continue;
                if (!have_targets)
                        targets(ctx, r, &t, &nt);
                have_targets = true;
                strv_push(&with_proxy, xstrdup(sources[i].name));
                if (check_source(r, &sources[i], t, nt))
                        strv_push(&bad, xstrdup(sources[i].name));
        }
        _cleanup_free_ char *b = strv_join(&bad, ", "), *w = strv_join(&with_proxy, ", ");
        if (bad.n)
                result_message(r, "%s send%s the node's or the cluster's own traffic through a proxy", b,
                               bad.n == 1 ? "s" : "");
        else if (with_proxy.n)
                result_message(r,
                               "the proxy of %s leaves the node's address and the cluster's ranges alone "
                               "(NO_PROXY)",
                               w);
        else
                result_message(r, "no proxy is set for kubeadm or the container runtimes");
        strv_free(&with_proxy);
        strv_free(&bad);
        for (size_t i = 0; i < nt; i++) {
                free(t[i].what);
                free(t[i].range);
        }
        free(t);
        for (size_t i = 0; i < ns; i++)
                source_done(&sources[i]);
        return 0;
}

const struct fixer fixer_proxy = {
        .name = "proxy",
        .description =
                "check only: a proxy set for kubeadm or a container runtime leaves the node's address and "
                "the Service and Pod ranges alone (HTTPProxy, HTTPProxyCIDR)",
        .plan = proxy_plan,
};
