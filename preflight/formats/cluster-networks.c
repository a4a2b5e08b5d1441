/* SPDX-License-Identifier: MIT */
/* Reading a cluster's networks out of kubeadm configurations and static pods
 * (cluster-networks.h), over the node tree of yaml-tree.h. */
#include "formats/cluster-networks.h"

#include "basic/cidr.h"
#include "formats/yaml-tree.h"

static const struct ynode *lookup(const struct ynode *map, const char *key) {
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        return ymapping_lookup(map, key, NULL, NULL);
}

static const char *scalar(const struct ynode *n) {
        return n && n->kind == YNODE_SCALAR && n->value_len > 0 ? n->value : NULL;
}

void cluster_networks_add_list(struct strv *v, const char *value) {
        for (const char *p = value; *p;) {
                size_t n = strcspn(p, ",");
                _cleanup_free_ char *item = xstrndup_strip(p, n, WHITESPACE);
                if (*item && !strv_contains(v, item))
                        strv_push(v, TAKE_PTR(item));
                p += n + (p[n] == ',');
        }
}

static void set_once(char **field, const char *value) {
        if (!*field && value)
                *field = xstrdup(value);
}

/* from's items, when to has none. */
static void take_list(struct strv *to, struct strv *from) {
        if (to->n > 0)
                return;
        strv_free(to);
        *to = *from;
        *from = (struct strv){};
}

static int networks_of_document(_unused_ size_t index, const struct ydoc *doc, void *userdata,
                                _unused_ char **ret_error) {
        struct cluster_networks *got = userdata;
        const struct ynode *root = doc->root;
        const char *kind = scalar(lookup(root, "kind"));
        if (!kind)
                return 0;
        if (streq(kind, "ClusterConfiguration")) {
                const struct ynode *net = lookup(root, "networking");
                const char *svc = scalar(lookup(net, "serviceSubnet"));
                const char *pod = scalar(lookup(net, "podSubnet"));
                if (svc && got->service_subnets.n == 0)
                        cluster_networks_add_list(&got->service_subnets, svc);
                if (pod && got->pod_subnets.n == 0)
                        cluster_networks_add_list(&got->pod_subnets, pod);
        } else if (streq(kind, "InitConfiguration"))
                set_once(&got->advertise_address,
                         scalar(lookup(lookup(root, "localAPIEndpoint"), "advertiseAddress")));
        else if (streq(kind, "JoinConfiguration"))
                set_once(&got->api_endpoint,
                         scalar(lookup(lookup(lookup(root, "discovery"), "bootstrapToken"),
                                       "apiServerEndpoint")));
        return 0;
}

int kubeadm_config_networks(const char *text, size_t len, struct cluster_networks *ret, char **ret_error) {
        /* A document's tree at a time: a stream of 10,000 documents is not one tree. What it finds is
         * ret's only when the whole stream parses. */
        struct cluster_networks got = {};
        int k = ystream_parse_each(text, len, networks_of_document, &got, NULL, ret_error);
        if (k < 0) {
                cluster_networks_free(&got);
                return k;
        }
        take_list(&ret->service_subnets, &got.service_subnets);
        take_list(&ret->pod_subnets, &got.pod_subnets);
        set_once(&ret->advertise_address, got.advertise_address);
        set_once(&ret->api_endpoint, got.api_endpoint);
        cluster_networks_free(&got);
        return 0;
}

/* --flag's value in one container's command or args list. */
static const char *list_flag(const struct ynode *list, const char *flag) {
        if (!list || list->kind != YNODE_SEQUENCE)
                return NULL;
        size_t fl = strlen(flag);
        for (size_t i = 0; i < list->n_children; i++) {
                const char *item = scalar(list->children[i]);
                if (!item || strncmp(item, flag, fl) != 0)
                        continue;
                if (item[fl] == '=')
                        return item + fl + 1;
                if (item[fl] == 0 && i + 1 < list->n_children)
                        return scalar(list->children[i + 1]);
        }
        return NULL;
}

int manifest_command_flag(const char *text, size_t len, const char *flag, char **ret_value,
                          char **ret_error) {
        struct ystream s = {};
        int k = ystream_parse(text, len, &s, ret_error);
        if (k < 0)
                return k;
        const char *found = NULL;
        for (size_t d = 0; d < s.n_docs && !found; d++) {
                const struct ynode *containers = lookup(lookup(s.docs[d].root, "spec"), "containers");
                if (!containers || containers->kind != YNODE_SEQUENCE)
                        continue;
                for (size_t i = 0; i < containers->n_children && !found; i++) {
                        found = list_flag(lookup(containers->children[i], "command"), flag);
                        if (!found)
                                found = list_flag(lookup(containers->children[i], "args"), flag);
                }
        }
        if (found)
                *ret_value = xstrdup(found);
        ystream_free(&s);
        return found ? 1 : 0;
}

char *cluster_endpoint_address(const char *ep) {
        _cleanup_free_ char *h = NULL;
        const char *colon = strchr(ep, ':');
        if (ep[0] == '[')
                h = xstrndup(ep + 1, strcspn(ep + 1, "]"));
        else if (colon && colon == strrchr(ep, ':')) /* one colon: IPv4 or a name, and a port */
                h = xstrndup(ep, (size_t) (colon - ep));
        else
                h = xstrdup(ep);
        struct cidr c;
        return !strchr(h, '/') && cidr_parse(h, &c) >= 0 ? TAKE_PTR(h) : NULL;
}

void cluster_networks_free(struct cluster_networks *n) {
        strv_free(&n->service_subnets);
        strv_free(&n->pod_subnets);
        free(n->advertise_address);
        free(n->api_endpoint);
        *n = (struct cluster_networks){};
}
