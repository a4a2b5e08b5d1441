/* SPDX-License-Identifier: MIT */
/* `kubeprep lint`: hostNetwork pods resolve with the node's resolv.conf unless
 * dnsPolicy is ClusterFirstWithHostNet; report (and --fix) the ones that lack it. */
#include "lint/host-network.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "formats/yaml-edit.h"
#include "formats/yaml-tree.h"

#define MAX_PATH_DEPTH 8

/* Where each workload kind keeps its pod spec and the pod's metadata. */
struct workload {
        const char *kind;
        const char *const *spec_path;
        const char *const *pod_metadata_path;
};

static const char *const pod_spec[] = { "spec", NULL };
static const char *const pod_meta[] = { "metadata", NULL };
static const char *const template_spec[] = { "spec", "template", "spec", NULL };
static const char *const template_meta[] = { "spec", "template", "metadata", NULL };
static const char *const cronjob_spec[] = { "spec", "jobTemplate", "spec", "template", "spec", NULL };
static const char *const cronjob_meta[] = { "spec", "jobTemplate", "spec", "template", "metadata", NULL };

static const struct workload workloads[] = {
        { "Pod", pod_spec, pod_meta },
        { "Deployment", template_spec, template_meta },
        { "DaemonSet", template_spec, template_meta },
        { "StatefulSet", template_spec, template_meta },
        { "ReplicaSet", template_spec, template_meta },
        { "Job", template_spec, template_meta },
        { "CronJob", cronjob_spec, cronjob_meta },
};

/* Components cluster DNS depends on: they must resolve with the node's
 * resolver, or a fresh cluster waits on itself. The control plane and its
 * VIP/load balancer (kube-vip, haproxy, keepalived), kube-proxy (it programs
 * the route to the DNS service) and the CNI agents (no pod gets an address,
 * CoreDNS included, before they run). Matched by image name, any registry,
 * tag or -ARCH suffix. */
static const char *const bootstrap_images[] = {
        "kube-apiserver", "kube-controller-manager",
        "kube-scheduler", "etcd",
        "kube-vip",       "haproxy",
        "keepalived",     "kube-proxy",
        "calico/node",    "cilium",
        "flannel",
};
/* kubeadm's static pods: their names and `component` labels. */
static const char *const control_plane[] = { "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                                             "etcd" };

/* ---- reading the tree: refuse what would make the answer a guess ---- */

static bool is_null(const struct ynode *n) {
        return n->kind == YNODE_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE &&
               (n->value_len == 0 || streq(n->value, "null") || streq(n->value, "~"));
}

/* map[key]: 1 found, 0 absent, <0 refused (merge key, duplicate, alias). */
static int map_get(const struct ynode *map, const char *key, const struct ynode **ret, char **ret_error) {
        for (size_t i = 0; i + 1 < map->n_children; i += 2) {
                const struct ynode *k = map->children[i];
                if (k->kind == YNODE_SCALAR && k->style == YAML_PLAIN_SCALAR_STYLE &&
                    streq(k->value, "<<")) {
                        set_error(ret_error,
                                  "line %u: merge key (<<) in a pod spec's path, refusing to guess",
                                  k->line);
                        return -EBADMSG;
                }
        }
        size_t count, pair;
        const struct ynode *v = ymapping_lookup(map, key, &count, &pair);
        if (count > 1) {
                set_error(ret_error, "line %u: duplicate key %s", map->children[2 * pair]->line, key);
                return -EBADMSG;
        }
        if (!v)
                return 0;
        if (v->kind == YNODE_ALIAS) {
                set_error(ret_error, "line %u: %s is an alias (*%s), refusing to guess", v->line, key,
                          v->value);
                return -EBADMSG;
        }
        *ret = v;
        return 1;
}

/* The mapping at path: 1 found, 0 absent (or null), <0 refused. */
static int walk(const struct ynode *node, const char *const *path, const struct ynode **ret,
                char **ret_error) {
        for (size_t i = 0; path[i]; i++) {
                const struct ynode *next = NULL;
                int r = map_get(node, path[i], &next, ret_error);
                if (r <= 0)
                        return r;
                if (is_null(next))
                        return 0;
                if (next->kind != YNODE_MAPPING) {
                        set_error(ret_error, "line %u: %s is %s, not a mapping", next->line, path[i],
                                  next->kind == YNODE_SEQUENCE ? "a sequence" : "a scalar");
                        return -EBADMSG;
                }
                node = next;
        }
        *ret = node;
        return 1;
}

/* A scalar field of the pod spec: 1 found, 0 absent/null, <0 refused. */
static int spec_scalar(const struct ynode *spec, const char *key, const struct ynode **ret,
                       char **ret_error) {
        const struct ynode *v = NULL;
        int r = map_get(spec, key, &v, ret_error);
        if (r <= 0)
                return r;
        if (v->kind != YNODE_SCALAR) {
                set_error(ret_error, "line %u: %s is not a scalar", v->line, key);
                return -EBADMSG;
        }
        if (is_null(v))
                return 0;
        *ret = v;
        return 1;
}

/* Best-effort lookups for names and labels: never refuse, just miss. */
static const char *loose_scalar(const struct ynode *map, const char *key) {
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        const struct ynode *v = ymapping_lookup(map, key, NULL, NULL);
        return v && v->kind == YNODE_SCALAR ? v->value : NULL;
}
static const struct ynode *loose_mapping(const struct ynode *map, const char *key) {
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        const struct ynode *v = ymapping_lookup(map, key, NULL, NULL);
        return v && v->kind == YNODE_MAPPING ? v : NULL;
}

/* Kubernetes reads manifests as YAML 1.1, where these plain scalars are true. */
static bool yaml11_true(const struct ynode *v) {
        static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
                                           "y",    "Y",    "on",   "On",  "ON" };
        if (v->style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (streq(v->value, yes[i]))
                        return true;
        return false;
}

/* ---- bootstrap pods ---- */

/* Does image (registry/path/name:tag@digest) name the component `name`? */
static bool image_is(const char *image, const char *name) {
        static const char *const arch[] = { "-amd64", "-arm64", "-arm", "-ppc64le", "-s390x" };
        _cleanup_free_ char *repo = xstrndup(image, strcspn(image, "@"));
        char *slash = strrchr(repo, '/');
        char *colon = strrchr(slash ? slash : repo, ':');
        if (colon)
                *colon = 0;
        for (size_t i = 0; i < ELEMENTSOF(arch); i++)
                if (endswith(repo, arch[i])) {
                        repo[strlen(repo) - strlen(arch[i])] = 0;
                        break;
                }
        size_t rl = strlen(repo), nl = strlen(name);
        return rl >= nl && streq(repo + rl - nl, name) && (rl == nl || repo[rl - nl - 1] == '/');
}

static const char *bootstrap_image(const struct ynode *spec) {
        static const char *const lists[] = { "containers", "initContainers" };
        for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
                const struct ynode *seq = ymapping_lookup(spec, lists[l], NULL, NULL);
                if (!seq || seq->kind != YNODE_SEQUENCE)
                        continue;
                for (size_t i = 0; i < seq->n_children; i++) {
                        const char *image = loose_scalar(seq->children[i], "image");
                        for (size_t b = 0; image && b < ELEMENTSOF(bootstrap_images); b++)
                                if (image_is(image, bootstrap_images[b]))
                                        return bootstrap_images[b];
                }
        }
        return NULL;
}

static const char *control_plane_name(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(control_plane); i++)
                if (streq(s, control_plane[i]))
                        return control_plane[i];
        return NULL;
}

/* Why this pod is a bootstrap component, or NULL when it is a workload. */
static const char *bootstrap_reason(const struct ynode *obj, const struct workload *w,
                                    const struct ynode *spec) {
        const char *why = bootstrap_image(spec);
        if (why)
                return why;
        const struct ynode *meta = NULL;
        _cleanup_free_ char *ignored = NULL;
        if (walk(obj, w->pod_metadata_path, &meta, &ignored) <= 0)
                meta = NULL;
        const struct ynode *labels = loose_mapping(meta, "labels");
        why = control_plane_name(loose_scalar(labels, "component"));
        if (why)
                return why;
        if (streq_ptr(loose_scalar(labels, "tier"), "control-plane"))
                return "control-plane";
        if (streq_ptr(loose_scalar(labels, "k8s-app"), "kube-proxy"))
                return "kube-proxy";
        /* A static pod without kubeadm's labels still has its name. */
        if (streq(w->kind, "Pod"))
                return control_plane_name(loose_scalar(meta, "name"));
        return NULL;
}

/* ---- linting ---- */

static char *describe_object(const char *kind, const struct ynode *obj) {
        const struct ynode *meta = loose_mapping(obj, "metadata");
        const char *name = loose_scalar(meta, "name"), *ns = loose_scalar(meta, "namespace");
        if (!name || !*name)
                return xasprintf("%s (unnamed)", kind);
        if (ns && *ns)
                return xasprintf("%s %s/%s", kind, ns, name);
        return xasprintf("%s %s", kind, name);
}

static void push_item(struct lint_result *res, const struct lint_item *it) {
        res->items = xrealloc(res->items, (res->n + 1) * sizeof(*res->items));
        res->items[res->n++] = *it;
}

static int lint_object(const struct ynode *obj, unsigned doc, bool in_list, struct lint_result *res,
                       char **ret_error) {
        const char *kind = loose_scalar(obj, "kind");
        if (!kind)
                return 0;
        const struct ynode *items = ymapping_lookup(obj, "items", NULL, NULL);
        if (!in_list && endswith(kind, "List") && items && items->kind == YNODE_SEQUENCE) {
                for (size_t i = 0; i < items->n_children; i++) {
                        if (items->children[i]->kind != YNODE_MAPPING)
                                continue;
                        int r = lint_object(items->children[i], doc, true, res, ret_error);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        const struct workload *w = NULL;
        for (size_t i = 0; i < ELEMENTSOF(workloads); i++)
                if (streq(kind, workloads[i].kind))
                        w = &workloads[i];
        if (!w)
                return 0;

        const struct ynode *spec = NULL, *host_network = NULL, *policy = NULL;
        int r = walk(obj, w->spec_path, &spec, ret_error);
        if (r <= 0)
                return r;
        r = spec_scalar(spec, "hostNetwork", &host_network, ret_error);
        if (r <= 0)
                return r;
        if (!yaml11_true(host_network))
                return 0;
        r = spec_scalar(spec, "dnsPolicy", &policy, ret_error);
        if (r < 0)
                return r;
        /* None comes with its own dnsConfig: a deliberate choice, not the node's resolv.conf. */
        if (policy && streq(policy->value, "None"))
                return 0;

        bool cluster_dns = policy && streq(policy->value, WANTED_POLICY);
        const char *why = bootstrap_reason(obj, w, spec);
        if (cluster_dns && !why)
                return 0;
        push_item(res, &(struct lint_item){
                               .verdict = !why          ? LINT_FINDING
                                          : cluster_dns ? LINT_BOOTSTRAP_CLUSTER
                                                        : LINT_BOOTSTRAP,
                               .line = policy ? policy->line : host_network->line,
                               .doc = doc,
                               .in_list = in_list,
                               .object = describe_object(kind, obj),
                               .dns_policy = policy ? xstrdup(policy->value) : NULL,
                               .bootstrap_reason = why,
                               .spec_path = w->spec_path,
                       });
        return 0;
}

void lint_result_free(struct lint_result *res) {
        for (size_t i = 0; i < res->n; i++) {
                free(res->items[i].object);
                free(res->items[i].dns_policy);
        }
        free(res->items);
        *res = (struct lint_result){};
}

static int lint_document(size_t index, const struct ydoc *doc, void *userdata, char **ret_error) {
        const struct ynode *root = doc->root;
        if (!root || root->kind != YNODE_MAPPING)
                return 0;
        return lint_object(root, (unsigned) index, false, userdata, ret_error);
}

int lint_manifest(const char *text, size_t len, struct lint_result *ret, char **ret_error) {
        struct lint_result res = {};
        /* A document at a time: a stream of thousands costs the memory of its largest. */
        int r = ystream_parse_each(text, len, lint_document, &res, NULL, ret_error);
        if (r < 0) {
                lint_result_free(&res);
                return r;
        }
        *ret = res;
        return 0;
}

char *lint_item_describe(const struct lint_item *it) {
        switch (it->verdict) {
        case LINT_FINDING:
                if (!it->dns_policy)
                        return xasprintf("%s: hostNetwork: true without dnsPolicy: " WANTED_POLICY
                                         "; the pod resolves with the node's resolv.conf and cannot find "
                                         "cluster services",
                                         it->object);
                return xasprintf(
                        "%s: hostNetwork: true with dnsPolicy: %s, not " WANTED_POLICY
                        "; the pod resolves with the node's resolv.conf and cannot find cluster services",
                        it->object, it->dns_policy);
        case LINT_BOOTSTRAP:
                return xasprintf(
                        "note: %s is a bootstrap pod (%s): it keeps the node's resolver, since cluster DNS "
                        "needs it running first; not changed by --fix",
                        it->object, it->bootstrap_reason);
        case LINT_BOOTSTRAP_CLUSTER:
                return xasprintf("warning: %s is a bootstrap pod (%s) with dnsPolicy: " WANTED_POLICY
                                 ": it cannot resolve names until cluster DNS runs, which needs it first; "
                                 "not changed by --fix",
                                 it->object, it->bootstrap_reason);
        }
        return xstrdup("?");
}

/* ---- fixing ---- */

int lint_fix_manifest(const char *text, size_t len, const struct lint_result *res, char **ret_text,
                      size_t *ret_len, size_t *ret_unfixable, char **ret_error) {
        /* Every path is spec_path + dnsPolicy: one array of MAX_PATH_DEPTH per finding. */
        _cleanup_free_ const char **paths = xmalloc((res->n ? res->n : 1) * MAX_PATH_DEPTH * sizeof(char *));
        _cleanup_free_ struct yaml_set *sets = xmalloc((res->n ? res->n : 1) * sizeof(*sets));
        size_t n_sets = 0, unfixable = 0;

        for (size_t i = 0; i < res->n; i++) {
                const struct lint_item *it = &res->items[i];
                if (it->verdict != LINT_FINDING)
                        continue;
                /* yaml_set_scalar addresses mappings only; a List item sits in a sequence. */
                if (it->in_list) {
                        unfixable++;
                        continue;
                }
                const char **path = paths + n_sets * MAX_PATH_DEPTH;
                size_t n = 0;
                while (it->spec_path[n] && n + 2 < MAX_PATH_DEPTH) {
                        path[n] = it->spec_path[n];
                        n++;
                }
                path[n++] = "dnsPolicy";
                path[n] = NULL;
                sets[n_sets++] = (struct yaml_set){ .doc = it->doc, .path = path, .value = WANTED_POLICY };
        }
        /* All findings from one parse of the stream: a stream of thousands is not parsed again for
         * each. */
        int r = yaml_set_scalars(text, len, sets, n_sets, ret_text, ret_len, ret_error);
        if (r >= 0 && ret_unfixable)
                *ret_unfixable = unfixable;
        return r;
}
