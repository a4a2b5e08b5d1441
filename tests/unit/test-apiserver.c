/* SPDX-License-Identifier: MIT */
/* Asking the API server for its version, without a server: which proxy curl's environment
 * variables pick for the URL (system/apiserver.c), and which server, CA and client
 * certificate a kubeconfig names (formats/kubeconfig.c). The request itself is tested live in
 * tests/integration/kubeadm-skew-live.sh. */
#include <stdlib.h>

#include "formats/kubeconfig.h"
#include "system/apiserver.h"
#include "tap.h"
#include "test-util.h"

static void test_url_host(void) {
        static const struct {
                const char *url, *host;
        } cases[] = {
                { "https://192.0.2.1:6443/version", "192.0.2.1" },
                { "https://api.example.com/version", "api.example.com" },
                { "https://[fd00::1]:6443/version", "fd00::1" },
                { "https://admin@192.0.2.1:6443", "192.0.2.1" },
                { "http://192.0.2.1:6443/version", NULL },
                { "https://", NULL },
                { "https://[fd00::1:6443", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *host = https_url_host(cases[i].url);
                tap_ok(cases[i].host ? streq_ptr(host, cases[i].host) : !host, cases[i].url);
        }
}

static void clear_proxy_env(void) {
        static const char *const vars[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                            "no_proxy",    "NO_PROXY",    "http_proxy" };
        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                unsetenv(vars[i]);
}

/* One case: the environment (NAME=VALUE pairs), the host, and what curl would do. */
struct proxy_case {
        const char *env[4];
        const char *host;
        const char *proxy; /* NULL: direct */
        const char *var;   /* the proxy variable that applied or was overridden */
        int excluded;
};

static void test_proxy(void) {
        static const struct proxy_case cases[] = {
                { { NULL }, "192.0.2.1", NULL, NULL, 0 },
                { { "HTTPS_PROXY=http://p:3128" }, "192.0.2.1", "http://p:3128", "HTTPS_PROXY", 0 },
                { { "https_proxy=http://lower:1", "HTTPS_PROXY=http://upper:1" },
                  "h",
                  "http://lower:1",
                  "https_proxy",
                  0 },
                { { "http_proxy=http://plain:1" }, "h", NULL, NULL, 0 }, /* not for https URLs */
                { { "ALL_PROXY=socks5://all:1080" }, "h", "socks5://all:1080", "ALL_PROXY", 0 },
                { { "HTTPS_PROXY=", "ALL_PROXY=http://all:1" }, "h", "http://all:1", "ALL_PROXY", 0 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=*" }, "192.0.2.1", NULL, "HTTPS_PROXY", 1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=localhost, 192.0.2.0/24" },
                  "192.0.2.1",
                  NULL,
                  "HTTPS_PROXY",
                  1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=192.0.2.0/24" },
                  "192.0.3.1",
                  "http://p:1",
                  "HTTPS_PROXY",
                  0 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=192.0.2.1" }, "192.0.2.1", NULL, "HTTPS_PROXY", 1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=192.0.2.10" },
                  "192.0.2.1",
                  "http://p:1",
                  "HTTPS_PROXY",
                  0 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=fd00::/8" }, "fd00::1", NULL, "HTTPS_PROXY", 1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=example.com" },
                  "api.example.com",
                  NULL,
                  "HTTPS_PROXY",
                  1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=.example.com" },
                  "example.com",
                  NULL,
                  "HTTPS_PROXY",
                  1 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=example.com" },
                  "notexample.com",
                  "http://p:1",
                  "HTTPS_PROXY",
                  0 },
                { { "HTTPS_PROXY=http://p:1", "NO_PROXY=EXAMPLE.com" },
                  "api.example.COM.",
                  NULL,
                  "HTTPS_PROXY",
                  1 },
                { { "HTTPS_PROXY=http://p:1", "no_proxy=other", "NO_PROXY=h" },
                  "h",
                  "http://p:1",
                  "HTTPS_PROXY",
                  0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct proxy_case *c = &cases[i];
                clear_proxy_env();
                struct buf name = {};
                for (size_t j = 0; j < ELEMENTSOF(c->env) && c->env[j]; j++) {
                        _cleanup_free_ char *kv = xstrdup(c->env[j]);
                        char *eq = strchr(kv, '=');
                        *eq = 0;
                        setenv(kv, eq + 1, 1);
                        buf_printf(&name, "%s ", c->env[j]);
                }
                buf_printf(&name, "-> %s", c->host);
                const char *var = NULL;
                int excluded = -1;
                _cleanup_free_ char *proxy = https_proxy_for(c->host, &var, &excluded);
                tap_ok((c->proxy ? streq_ptr(proxy, c->proxy) : !proxy) && streq_ptr(var, c->var) &&
                               excluded == c->excluded,
                       name.data);
                buf_free(&name);
        }
        clear_proxy_env();
}

static void test_base64(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        size_t n;
        tap_ok(base64_decode("aGVsbG8=", 8, &a, &n) == 0 && n == 5 && streq(a, "hello"), "base64: padded");
        tap_ok(base64_decode("aGVs\nbG8", 8, &b, &n) == 0 && n == 5 && streq(b, "hello"),
               "base64: unpadded, a line break inside");
        tap_ok(base64_decode("aGVsbG8*", 8, &c, &n) == -EINVAL, "base64: a character outside the alphabet");
        tap_ok(base64_decode("aGVsb", 5, &c, &n) == -EINVAL, "base64: one character too many");
        tap_ok(base64_decode("aG=Vs", 5, &c, &n) == -EINVAL, "base64: data after padding");
}

#define KUBELET_CONF                                                                \
        "apiVersion: v1\n"                                                          \
        "clusters:\n"                                                               \
        "- cluster:\n"                                                              \
        "    certificate-authority-data: Q0EtUEVN\n"                                \
        "    server: https://192.0.2.1:6443\n"                                      \
        "  name: default-cluster\n"                                                 \
        "- cluster:\n"                                                              \
        "    server: https://other:6443\n"                                          \
        "  name: other\n"                                                           \
        "contexts:\n"                                                               \
        "- context:\n"                                                              \
        "    cluster: default-cluster\n"                                            \
        "    namespace: default\n"                                                  \
        "    user: default-auth\n"                                                  \
        "  name: default-context\n"                                                 \
        "current-context: default-context\n"                                        \
        "kind: Config\n"                                                            \
        "preferences: {}\n"                                                         \
        "users:\n"                                                                  \
        "- name: default-auth\n"                                                    \
        "  user:\n"                                                                 \
        "    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n" \
        "    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n"

static void test_kubeconfig(void) {
        struct kubeconfig_target t = {};
        _cleanup_free_ char *err = NULL;
        /* What kubeadm writes after the kubelet's TLS bootstrap. */
        tap_ok(kubeconfig_target_parse(KUBELET_CONF, strlen(KUBELET_CONF), &t, &err) == 0 &&
                       streq_ptr(t.server, "https://192.0.2.1:6443") && t.ca_len == 6 &&
                       streq_ptr(t.ca_data, "CA-PEM") && !t.ca_file && !t.cert_data &&
                       streq_ptr(t.cert_file, "/var/lib/kubelet/pki/kubelet-client-current.pem") &&
                       streq_ptr(t.key_file, t.cert_file),
               "kubelet.conf: the current context's server, inline CA, client certificate files");
        kubeconfig_target_free(&t);

        static const struct {
                const char *text, *server, *error;
        } cases[] = {
                { "clusters:\n- name: c\n  cluster: {server: 'https://a:6443', certificate-authority: "
                  "ca.crt}\n"
                  "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
                  "https://a:6443", NULL },
                { "clusters:\n- name: c\n  cluster: {server: 'https://b:6443'}\n", "https://b:6443", NULL },
                { "clusters:\n- name: c\n  cluster: {server: 'https://b:6443'}\ncurrent-context: nosuch\n",
                  NULL, "current-context nosuch names no context" },
                { "clusters:\n- name: c\n  cluster: {server: x}\ncontexts:\n- name: a\n  context: {cluster: "
                  "c}\n"
                  "- name: b\n  context: {cluster: c}\n",
                  NULL, "no current-context says which of its 2 contexts to use" },
                { "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\n",
                  NULL, "the cluster has no server" },
                { "clusters:\n- name: c\n  cluster: {server: s, certificate-authority-data: '!!'}\n", NULL,
                  "line 3: certificate-authority-data is not base64" },
                { "contexts:\n- name: x\n  context: {cluster: gone}\n", NULL,
                  "the context's cluster gone is not in clusters" },
                { "clusters: [\n", NULL, "line 2" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *e = NULL,
                                    *name = xasprintf("kubeconfig %zu: %s", i,
                                                      cases[i].server ? cases[i].server : cases[i].error);
                int k = kubeconfig_target_parse(cases[i].text, strlen(cases[i].text), &t, &e);
                if (cases[i].server)
                        tap_ok(k == 0 && streq_ptr(t.server, cases[i].server), name);
                else
                        tap_ok(k == -EBADMSG && e && startswith(e, cases[i].error), name);
                if (k == 0 && i == 0)
                        tap_ok(streq_ptr(t.ca_file, "ca.crt") && !t.ca_data && !t.cert_file,
                               "kubeconfig 0: a CA file, and a user that is not in users");
                kubeconfig_target_free(&t);
        }
}

int main(void) {
        test_url_host();
        test_proxy();
        test_base64();
        test_kubeconfig();
        return tap_done();
}
