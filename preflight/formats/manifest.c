/* SPDX-License-Identifier: MIT */
/* Reading versions out of static pod manifests and kubeadm configs (see
 * manifest.h), over the node tree of yaml-tree.h. */
#include "formats/manifest.h"

#include "basic/util.h"
#include "formats/yaml-edit.h"
#include "formats/yaml-tree.h"

static const struct ynode *lookup(const struct ynode *map, const char *key) {
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        return ymapping_lookup(map, key, NULL, NULL);
}

static const char *scalar(const struct ynode *n) {
        return n && n->kind == YNODE_SCALAR ? n->value : NULL;
}

/* "registry.k8s.io/kube-apiserver-amd64:v1.8.1" -> is the repository's last
 * path component `name` or `name-ARCH`? */
static bool image_is(const char *image, const char *name) {
        size_t end = strcspn(image, "@");
        const char *slash = memrchr(image, '/', end);
        const char *base = slash ? slash + 1 : image;
        const char *colon = memchr(base, ':', (size_t) (image + end - base));
        size_t blen = colon ? (size_t) (colon - base) : (size_t) (image + end - base);
        size_t nlen = strlen(name);
        return blen >= nlen && strncmp(base, name, nlen) == 0 && (blen == nlen || base[nlen] == '-');
}

char *image_tag(const char *image) {
        size_t end = strcspn(image, "@"); /* a digest is not a tag */
        const char *slash = memrchr(image, '/', end);
        const char *base = slash ? slash + 1 : image; /* a registry's ":port" is before the last '/' */
        const char *colon = memchr(base, ':', (size_t) (image + end - base));
        if (!colon || colon + 1 == image + end)
                return NULL;
        return xstrndup(colon + 1, (size_t) (image + end - colon - 1));
}

static const char *pod_apiserver_image(const struct ynode *root) {
        const struct ynode *containers = lookup(lookup(root, "spec"), "containers");
        if (!containers || containers->kind != YNODE_SEQUENCE)
                return NULL;
        static const char *const names[] = { "kube-apiserver", "hyperkube" };
        for (size_t n = 0; n < ELEMENTSOF(names); n++)
                for (size_t i = 0; i < containers->n_children; i++) {
                        const char *image = scalar(lookup(containers->children[i], "image"));
                        if (image && image_is(image, names[n]))
                                return image;
                }
        /* A mirror may rename the image; the container's name still says what it runs. */
        for (size_t i = 0; i < containers->n_children; i++) {
                const char *name = scalar(lookup(containers->children[i], "name"));
                if (name && streq(name, "kube-apiserver"))
                        return scalar(lookup(containers->children[i], "image"));
        }
        return NULL;
}

int manifest_apiserver_image(const char *text, size_t len, char **ret_image, char **ret_error) {
        struct ystream s = {};
        int k = ystream_parse(text, len, &s, ret_error);
        if (k < 0)
                return k;
        const char *image = NULL;
        for (size_t d = 0; d < s.n_docs && !image; d++)
                image = pod_apiserver_image(s.docs[d].root);
        if (image)
                *ret_image = xstrdup(image);
        ystream_free(&s);
        return image ? 1 : 0;
}

int kubeadm_config_kubernetes_version(const char *text, size_t len, char **ret_version, unsigned *ret_line,
                                      char **ret_error) {
        static const char *const kind_path[] = { "kind", NULL };
        static const char *const kinds[] = { "ClusterConfiguration", "MasterConfiguration", NULL };
        static const char *const version_path[] = { "kubernetesVersion", NULL };
        unsigned d;
        int k = yaml_find_document(text, len, kind_path, kinds, &d, ret_error);
        if (k <= 0)
                return k;
        return yaml_get_scalar(text, len, d, version_path, ret_version, ret_line, ret_error);
}

int kubeadm_config_patches_dir(const char *text, size_t len, const char *kind, const char *section,
                               char **ret_dir, char **ret_error) {
        struct ystream s = {};
        int k = ystream_parse(text, len, &s, ret_error);
        if (k < 0)
                return k;
        const char *dir = NULL;
        for (size_t d = 0; d < s.n_docs; d++) {
                const struct ynode *root = s.docs[d].root;
                const char *doc_kind = scalar(lookup(root, "kind"));
                if (!doc_kind || !streq(doc_kind, kind))
                        continue;
                const struct ynode *parent = section ? lookup(root, section) : root;
                dir = scalar(lookup(lookup(parent, "patches"), "directory"));
                if (dir && !*dir)
                        dir = NULL;
                break;
        }
        if (dir)
                *ret_dir = xstrdup(dir);
        ystream_free(&s);
        return dir ? 1 : 0;
}
