/* SPDX-License-Identifier: MIT */
/* Reading a kubeconfig's current cluster and user (see kubeconfig.h), over the
 * node tree of yaml-tree.h. */
#include "formats/kubeconfig.h"

#include "basic/util.h"
#include "formats/yaml-tree.h"

static const struct ynode *lookup(const struct ynode *map, const char *key) {
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        return ymapping_lookup(map, key, NULL, NULL);
}

static const char *scalar(const struct ynode *n) {
        return n && n->kind == YNODE_SCALAR && n->value[0] ? n->value : NULL;
}

/* The item of a named list (clusters, contexts, users) called name, NULL when none. */
static const struct ynode *named(const struct ynode *root, const char *list, const char *name) {
        const struct ynode *seq = lookup(root, list);
        for (size_t i = 0; seq && seq->kind == YNODE_SEQUENCE && i < seq->n_children; i++) {
                const char *n = scalar(lookup(seq->children[i], "name"));
                if (n && streq(n, name))
                        return seq->children[i];
        }
        return NULL;
}

static size_t list_length(const struct ynode *root, const char *list) {
        const struct ynode *seq = lookup(root, list);
        return seq && seq->kind == YNODE_SEQUENCE ? seq->n_children : 0;
}

static int b64_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int base64_decode(const char *s, size_t len, char **ret, size_t *ret_len) {
        _cleanup_free_ char *out = xmalloc(len / 4 * 3 + 4);
        size_t n = 0, pad = 0;
        unsigned acc = 0, bits = 0;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
                        continue;
                if (c == '=') {
                        pad++;
                        continue;
                }
                int v = b64_value(c);
                if (v < 0 || pad > 0) /* nothing but padding after padding */
                        return -EINVAL;
                acc = (acc << 6) | (unsigned) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (char) (acc >> bits & 0xff);
                }
        }
        if (pad > 2 || bits >= 6)
                return -EINVAL;
        out[n] = 0;
        *ret = TAKE_PTR(out);
        *ret_len = n;
        return 0;
}

/* One credential: KEY-data decoded, or KEY as a file name. */
static int credential(const struct ynode *map, const char *key, char **ret_data, size_t *ret_len,
                      char **ret_file, char **ret_error) {
        _cleanup_free_ char *data_key = xasprintf("%s-data", key);
        const struct ynode *d = lookup(map, data_key);
        const char *v = scalar(d);
        if (v) {
                if (base64_decode(v, strlen(v), ret_data, ret_len) < 0) {
                        set_error(ret_error, "line %u: %s is not base64", d->line, data_key);
                        return -EBADMSG;
                }
                return 0;
        }
        const char *f = scalar(lookup(map, key));
        if (f)
                *ret_file = xstrdup(f);
        return 0;
}

/* The cluster and user names the kubeconfig means: its current context's, or
 * the only context's, or (no contexts at all) the only cluster. */
static int pick(const struct ynode *root, const struct ynode **ret_cluster, const struct ynode **ret_user,
                char **ret_error) {
        const char *current = scalar(lookup(root, "current-context"));
        const struct ynode *ctx = NULL;
        if (current) {
                ctx = named(root, "contexts", current);
                if (!ctx) {
                        set_error(ret_error, "current-context %s names no context", current);
                        return -EBADMSG;
                }
        } else if (list_length(root, "contexts") == 1)
                ctx = lookup(root, "contexts")->children[0];
        else if (list_length(root, "contexts") == 0 && list_length(root, "clusters") == 1) {
                *ret_cluster = lookup(root, "clusters")->children[0];
                *ret_user = list_length(root, "users") == 1 ? lookup(root, "users")->children[0] : NULL;
                return 0;
        } else {
                set_error(ret_error, "no current-context says which of its %zu contexts to use",
                          list_length(root, "contexts"));
                return -EBADMSG;
        }
        const char *cluster = scalar(lookup(lookup(ctx, "context"), "cluster"));
        const char *user = scalar(lookup(lookup(ctx, "context"), "user"));
        *ret_cluster = cluster ? named(root, "clusters", cluster) : NULL;
        if (!*ret_cluster) {
                set_error(ret_error, "the context's cluster %s is not in clusters", strempty(cluster));
                return -EBADMSG;
        }
        *ret_user = user ? named(root, "users", user) : NULL;
        return 0;
}

int kubeconfig_target_parse(const char *text, size_t len, struct kubeconfig_target *ret, char **ret_error) {
        struct ystream s = {};
        int k = ystream_parse(text, len, &s, ret_error);
        if (k < 0)
                return k;
        struct kubeconfig_target t = {};
        const struct ynode *cluster = NULL, *user = NULL;
        const struct ynode *root = s.n_docs ? s.docs[0].root : NULL;
        k = pick(root, &cluster, &user, ret_error);
        const struct ynode *c = lookup(cluster, "cluster"), *u = lookup(user, "user");
        if (k >= 0 && !scalar(lookup(c, "server"))) {
                set_error(ret_error, "%s", "the cluster has no server");
                k = -EBADMSG;
        }
        if (k >= 0) {
                t.server = xstrdup(scalar(lookup(c, "server")));
                k = credential(c, "certificate-authority", &t.ca_data, &t.ca_len, &t.ca_file, ret_error);
        }
        if (k >= 0 && u)
                k = credential(u, "client-certificate", &t.cert_data, &t.cert_len, &t.cert_file, ret_error);
        if (k >= 0 && u)
                k = credential(u, "client-key", &t.key_data, &t.key_len, &t.key_file, ret_error);
        ystream_free(&s);
        if (k < 0) {
                kubeconfig_target_free(&t);
                return k;
        }
        *ret = t;
        return 0;
}

void kubeconfig_target_free(struct kubeconfig_target *t) {
        free(t->server);
        free(t->ca_data);
        free(t->ca_file);
        free(t->cert_data);
        free(t->cert_file);
        free(t->key_data);
        free(t->key_file);
        *t = (struct kubeconfig_target){};
}
