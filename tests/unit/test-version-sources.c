/* SPDX-License-Identifier: MIT */
/* Where versions are read from: static pod manifests (every file of the
 * corpus), image tags, dpkg status databases, `kubelet --version` output and
 * kubeadm configs. */
#include <dirent.h>

#include "basic/util.h"
#include "engine/node.h"
#include "formats/manifest.h"
#include "tap.h"
#include "test-util.h"

/* The control plane version a manifest gives: "1.22.17", or NULL. */
static char *manifest_version(const char *text, size_t len, int *ret_rc) {
        _cleanup_free_ char *image = NULL, *tag = NULL, *err = NULL;
        *ret_rc = manifest_apiserver_image(text, len, &image, &err);
        struct kversion v;
        if (*ret_rc <= 0 || !(tag = image_tag(image)) || version_parse(tag, &v) < 0)
                return NULL;
        return version_to_string(&v);
}

static const struct {
        const char *prefix;
        const char *version; /* NULL: no version */
        int rc;              /* manifest_apiserver_image() */
} corpus[] = {
        { "01-", "1.22.17", 1 }, { "02-", "1.8.1", 1 }, { "03-", "1.14", 1 }, { "04-", "1.30.0", 1 },
        { "05-", NULL, 0 },      { "06-", NULL, 0 },    { "07-", NULL, 0 },   { "08-", "1.16.2", 1 },
        { "09-", "1.25.3", 1 },  { "10-", NULL, 1 }, /* hyperkube-amd64:__RELEASE__ */
        { "11-", NULL, 0 },      { "12-", NULL, 0 },
};

static void test_corpus(void) {
        const char *dir = getenv("CORPUS_DIR");
        _cleanup_free_ char *path = dir ? xasprintf("%s/static-pod", dir) : NULL;
        DIR *d = path ? opendir(path) : NULL;
        if (!d) {
                tap_skip("static-pod corpus", "CORPUS_DIR/static-pod not found");
                return;
        }
        size_t seen = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                size_t i;
                for (i = 0; i < ELEMENTSOF(corpus); i++)
                        if (startswith(de->d_name, corpus[i].prefix))
                                break;
                _cleanup_free_ char *name = xasprintf("corpus %s", de->d_name);
                if (!tap_ok(i < ELEMENTSOF(corpus), name)) /* a new corpus file needs a row here */
                        continue;
                seen++;
                _cleanup_free_ char *file = xasprintf("%s/%s", path, de->d_name);
                size_t len = 0;
                _cleanup_free_ char *text = read_file_or_null(file, &len);
                int rc;
                _cleanup_free_ char *got = manifest_version(text, len, &rc);
                tap_ok(rc == corpus[i].rc, name);
                if (corpus[i].version)
                        tap_streq(got, corpus[i].version, name);
                else
                        tap_ok(!got, name);
        }
        closedir(d);
        tap_ok(seen == ELEMENTSOF(corpus), "every static-pod corpus file was read");
}

static void test_manifests(void) {
        int rc;
        /* The apiserver is the second container; the first is a sidecar with a version-like tag. */
        static const char sidecar[] =
                "kind: Pod\nspec:\n  containers:\n"
                "  - {name: shipper, image: 'fluent/fluent-bit:2.1.8'}\n"
                "  - name: kube-apiserver\n    image: k8s.gcr.io/kube-apiserver-arm64:v1.20.4\n";
        _cleanup_free_ char *a = manifest_version(sidecar, strlen(sidecar), &rc);
        tap_streq(a, "1.20.4", "the kube-apiserver container, not the first one");
        /* A mirror that renamed the image: the container's name says what it is. */
        static const char mirror[] = "spec:\n  containers:\n  - name: kube-apiserver\n"
                                     "    image: mirror.local:5000/k8s/apiserver:v1.27.3\n";
        _cleanup_free_ char *b = manifest_version(mirror, strlen(mirror), &rc);
        tap_streq(b, "1.27.3", "a renamed image in the container named kube-apiserver");
        static const char digest[] =
                "spec:\n  containers:\n  - image: registry.k8s.io/kube-apiserver@sha256:0123abcd\n";
        _cleanup_free_ char *c = manifest_version(digest, strlen(digest), &rc);
        tap_ok(rc == 1 && !c, "a digest without a tag is no version");
        static const char bad[] = "spec:\n  containers:\n  - image: [unclosed\n";
        _cleanup_free_ char *image = NULL, *err = NULL;
        tap_ok(manifest_apiserver_image(bad, strlen(bad), &image, &err) < 0 && err &&
                       startswith(err, "line "),
               "malformed YAML is refused with its line");
        static const char empty[] = "# nothing here\n";
        tap_ok(manifest_apiserver_image(empty, strlen(empty), &image, &err) == 0,
               "an empty manifest has no image");

        static const struct {
                const char *image, *tag;
        } tags[] = {
                { "registry.k8s.io/kube-apiserver:v1.22.17", "v1.22.17" },
                { "localhost:5000/kube-apiserver:v1.2.3@sha256:ab", "v1.2.3" },
                { "localhost:5000/kube-apiserver", NULL },
                { "kube-apiserver@sha256:abcd", NULL },
                { "zhoujing/kube-apiserver:1.14", "1.14" },
                { "nginx", NULL },
                { "nginx:", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(tags); i++) {
                _cleanup_free_ char *t = image_tag(tags[i].image),
                                    *name = xasprintf("image_tag %s", tags[i].image);
                if (tags[i].tag)
                        tap_streq(t, tags[i].tag, name);
                else
                        tap_ok(!t, name);
        }
}

static void test_dpkg(void) {
        static const char status[] =
                "Package: bash\nStatus: install ok installed\nVersion: 5.1-2\nDescription: shell\n"
                " Package: kubelet\n Version: 9.9.9\n\n"
                "Package: kubelet-tools\nStatus: install ok installed\nVersion: 8.8.8\n\n"
                "Package: kubectl\nStatus: deinstall ok config-files\nVersion: 1.20.1-00\n\n"
                "Package: kubelet\nStatus: hold ok installed\nArchitecture: amd64\nVersion: 1:1.22.2-00\n";
        struct kversion v = {};
        int rc = dpkg_package_version(status, strlen(status), "kubelet", &v);
        _cleanup_free_ char *s = rc > 0 ? version_to_string(&v) : NULL;
        tap_ok(rc == 1, "dpkg: kubelet found past continuation lines and look-alikes");
        tap_streq(s, "1.22.2", "dpkg: the epoch and Debian revision are dropped");
        tap_ok(dpkg_package_version(status, strlen(status), "kubectl", &v) == 0,
               "dpkg: a removed package is not installed");
        tap_ok(dpkg_package_version(status, strlen(status), "kubeadm", &v) == 0, "dpkg: an absent package");

        static const char crlf[] =
                "Package: kubelet\r\nStatus: install ok installed\r\nVersion: 1.28.1-1.1\r\n\r\n"
                "Package: other\r\nStatus: install ok installed\r\nVersion: 1\r\n";
        rc = dpkg_package_version(crlf, strlen(crlf), "kubelet", &v);
        _cleanup_free_ char *t = rc > 0 ? version_to_string(&v) : NULL;
        tap_streq(t, "1.28.1", "dpkg: CRLF lines and the new pkgs.k8s.io revision");

        static const char nonl[] = "Package: kubelet\nStatus: install ok installed\nVersion: 1.30.0-1.1";
        rc = dpkg_package_version(nonl, strlen(nonl), "kubelet", &v);
        tap_ok(rc == 1 && v.minor == 30, "dpkg: no final newline");
        static const char odd[] = "Package: kubelet\nStatus: install ok installed\nVersion: git-snapshot\n";
        tap_ok(dpkg_package_version(odd, strlen(odd), "kubelet", &v) == -EINVAL,
               "dpkg: a version that is none");
        tap_ok(dpkg_package_version("", 0, "kubelet", &v) == 0, "dpkg: an empty database");
}

static void test_kubelet_output(void) {
        struct kversion v;
        tap_ok(kubelet_version_output_parse("Kubernetes v1.22.2\n", &v) == 0 && v.minor == 22 &&
                       v.patch == 2,
               "kubelet --version: Kubernetes v1.22.2");
        tap_ok(kubelet_version_output_parse("Kubernetes v1.30.0-rc.1+k3s1\n", &v) == 0 && v.minor == 30,
               "kubelet --version: a pre-release");
        tap_ok(kubelet_version_output_parse("kubelet: command not found\n", &v) < 0,
               "kubelet --version: garbage");
        tap_ok(kubelet_version_output_parse("Kubernetes \n", &v) < 0, "kubelet --version: no version");
}

static void test_kubeadm_output(void) {
        struct kversion v;
        tap_ok(kubeadm_version_output_parse("v1.30.2\n", &v) == 0 && v.minor == 30 && v.patch == 2,
               "kubeadm version -o short: v1.30.2");
        tap_ok(kubeadm_version_output_parse("v1.16.0", &v) == 0 && v.minor == 16,
               "kubeadm: no final newline");
        tap_ok(kubeadm_version_output_parse("kubeadm version: &version.Info{Major:\"1\"}\n", &v) < 0,
               "kubeadm: the long format is not the short answer");
        tap_ok(kubeadm_version_output_parse("v1.30.2\nv1.29.0\n", &v) < 0, "kubeadm: two lines");
        tap_ok(kubeadm_version_output_parse("\n", &v) < 0, "kubeadm: an empty answer");
}

/* The patch directory a kubeadm config names for init, join and upgrade. */
static void test_kubeadm_config_patches(void) {
        static const char text[] =
                "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"
                "patches:\n  directory: /srv/init-patches\n---\n"
                "kind: JoinConfiguration\npatches: {directory: /srv/join-patches}\n---\n"
                "kind: UpgradeConfiguration\napply:\n  patches:\n    directory: /srv/apply\n"
                "node:\n  patches:\n    directory: ''\n";
        static const struct {
                const char *kind, *section, *dir;
        } cases[] = {
                { "InitConfiguration", NULL, "/srv/init-patches" },
                { "JoinConfiguration", NULL, "/srv/join-patches" },
                { "UpgradeConfiguration", "apply", "/srv/apply" },
                { "UpgradeConfiguration", "node", NULL },
                { "ResetConfiguration", NULL, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *dir = NULL, *err = NULL;
                _cleanup_free_ char *name =
                        xasprintf("patches.directory of %s%s%s", cases[i].kind, cases[i].section ? " " : "",
                                  strempty(cases[i].section));
                int rc = kubeadm_config_patches_dir(text, strlen(text), cases[i].kind, cases[i].section,
                                                    &dir, &err);
                if (cases[i].dir)
                        tap_ok(rc == 1 && streq_ptr(dir, cases[i].dir), name);
                else
                        tap_ok(rc == 0 && !dir, name);
        }
        _cleanup_free_ char *dir = NULL, *err = NULL;
        tap_ok(kubeadm_config_patches_dir("kind: [\n", 8, "InitConfiguration", NULL, &dir, &err) < 0 && err,
               "patches.directory: a config that does not parse is refused with a reason");
}

static void test_kubeadm_config(void) {
        static const struct {
                const char *text;
                int rc;
                const char *version;
        } cases[] = {
                { "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n---\n"
                  "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: "
                  "v1.25.0\n",
                  1, "v1.25.0" },
                { "kind: JoinConfiguration\n---\nkind: KubeletConfiguration\nkubernetesVersion: v9.9.9\n", 0,
                  NULL },
                { "apiVersion: kubeadm.k8s.io/v1alpha2\nkind: MasterConfiguration\nkubernetesVersion: "
                  "v1.11.3\n",
                  1, "v1.11.3" },
                { "kind: ClusterConfiguration\nclusterName: x\n", 0, NULL },
                { "kind: ClusterConfiguration\nkubernetesVersion: stable-1.22\n", 1, "stable-1.22" },
                { "kind: ClusterConfiguration\n  kubernetesVersion: [\n", -EBADMSG, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *v = NULL, *err = NULL, *name = xasprintf("kubeadm config %zu", i);
                unsigned line = 0;
                int rc = kubeadm_config_kubernetes_version(cases[i].text, strlen(cases[i].text), &v, &line,
                                                           &err);
                tap_ok(cases[i].rc < 0 ? rc < 0 && err : rc == cases[i].rc, name);
                if (cases[i].version)
                        tap_streq(v, cases[i].version, name);
        }
        /* One parse for all documents (issue 17), refusing as a yaml_get_scalar() per document did: the
         * documents before the match are read, the ones after it are not. */
        static const struct {
                const char *name, *text;
                int rc;
                const char *want; /* the version, or the error */
        } exact[] = {
                { "a sequence before the match",
                  "- a\n---\nkind: ClusterConfiguration\nkubernetesVersion: v1.2.3\n", -EBADMSG,
                  "line 1: (document root) is a sequence, not a mapping" },
                { "a duplicate kind before the match", "kind: A\nkind: B\n---\nkind: ClusterConfiguration\n",
                  -EBADMSG, "line 2: duplicate key kind" },
                { "an anchored kind before the match", "kind: &k A\n---\nkind: ClusterConfiguration\n",
                  -EBADMSG, "line 1: kind has an anchor (&k), an edit would change its aliases too" },
                { "a bad document after the match is not read",
                  "kind: ClusterConfiguration\nkubernetesVersion: v1.2.3\n---\n- a\n", 1, "v1.2.3" },
                { "an empty document, then the match",
                  "---\n---\nkind: MasterConfiguration\nkubernetesVersion: v1.9.0\n", 1, "v1.9.0" },
                { "the second match is not read",
                  "kind: ClusterConfiguration\n---\nkind: ClusterConfiguration\nkubernetesVersion: v1.2.3\n",
                  0, NULL },
                { "no document at all", "# only a comment\r", 0, NULL },
                { "a lone CR in a stream of documents", "kind: A\rx: 1\n---\nkind: ClusterConfiguration\n",
                  -EBADMSG, NULL },
                { "a parse error anywhere", "kind: ClusterConfiguration\nkubernetesVersion: v1\n---\n[\n",
                  -EBADMSG, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(exact); i++) {
                _cleanup_free_ char *v = NULL, *err = NULL;
                unsigned line = 0;
                int rc = kubeadm_config_kubernetes_version(exact[i].text, strlen(exact[i].text), &v, &line,
                                                           &err);
                _cleanup_free_ char *name =
                        xasprintf("kubeadm config: %s: returns %d", exact[i].name, exact[i].rc);
                tap_ok(rc == exact[i].rc && (rc >= 0 || err), name);
                if (exact[i].want)
                        tap_streq(rc > 0 ? v : err, exact[i].want, exact[i].name);
        }

        const char *dir = getenv("CORPUS_DIR");
        static const struct {
                const char *file, *version;
        } files[] = {
                { "kubelet-config/03-patricklaux_kube-install-kubeadm-init.yaml", "1.34.1" },
                { "kubelet-config/16-iamyegor_install-k8s-on-debian-script.yaml", "1.30.0" },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = dir ? xasprintf("%s/%s", dir, files[i].file) : NULL, *v = NULL,
                                    *err = NULL;
                size_t len = 0;
                _cleanup_free_ char *text = path ? read_file_or_null(path, &len) : NULL;
                if (!text) {
                        tap_skip(files[i].file, "corpus not found");
                        continue;
                }
                unsigned line = 0;
                int rc = kubeadm_config_kubernetes_version(text, len, &v, &line, &err);
                tap_ok(rc == 1, files[i].file);
                tap_streq(v, files[i].version, files[i].file);
        }
}

int main(void) {
        test_corpus();
        test_manifests();
        test_dpkg();
        test_kubelet_output();
        test_kubeadm_output();
        test_kubeadm_config();
        test_kubeadm_config_patches();
        return tap_done();
}
