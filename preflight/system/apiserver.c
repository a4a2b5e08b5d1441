/* SPDX-License-Identifier: MIT */
/* HTTPS requests to an API server (see apiserver.h). libcurl is loaded with
 * dlopen() here, by the one live request that needs it: most runs (every
 * check --root) never do, and linking it would make each of them load
 * libcurl's TLS stack and a dozen other libraries at start. */
#include "system/apiserver.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <strings.h>

#include "basic/util.h"

#define LIBCURL "libcurl.so.4"
/* /version answers a few hundred bytes; anything much larger is not that. */
#define BODY_MAX ((size_t) 64 << 10)

struct curl_api {
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
        CURLcode (*easy_perform)(CURL *);
        CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
        void (*easy_cleanup)(CURL *);
        const char *(*easy_strerror)(CURLcode);
};

/* The library stays loaded: unloading OpenSSL under a running process is not safe. */
static int curl_load(struct curl_api *api, char **ret_error) {
        void *dl = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                set_error(ret_error, "cannot load %s (Debian: libcurl4, RHEL: libcurl): %s", LIBCURL,
                          dlerror());
                return -ENOENT;
        }
        static const char *const names[] = {
                "curl_easy_init",    "curl_easy_setopt",  "curl_easy_perform",
                "curl_easy_getinfo", "curl_easy_cleanup", "curl_easy_strerror"
        };
        void *syms[ELEMENTSOF(names)];
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!(syms[i] = dlsym(dl, names[i]))) {
                        set_error(ret_error, "%s has no %s", LIBCURL, names[i]);
                        return -ENOENT;
                }
        /* POSIX lets a void * from dlsym() become a function pointer. */
        memcpy(&api->easy_init, &syms[0], sizeof(void *));
        memcpy(&api->easy_setopt, &syms[1], sizeof(void *));
        memcpy(&api->easy_perform, &syms[2], sizeof(void *));
        memcpy(&api->easy_getinfo, &syms[3], sizeof(void *));
        memcpy(&api->easy_cleanup, &syms[4], sizeof(void *));
        memcpy(&api->easy_strerror, &syms[5], sizeof(void *));
        return 0;
}

char *https_url_host(const char *url) {
        const char *p = startswith(url, "https://");
        if (!p)
                return NULL;
        size_t auth = strcspn(p, "/?#");
        const char *at = memrchr(p, '@', auth); /* user info is not the host */
        if (at) {
                auth -= (size_t) (at + 1 - p);
                p = at + 1;
        }
        size_t n;
        if (*p == '[') {
                const char *close = memchr(p, ']', auth);
                if (!close)
                        return NULL;
                p++;
                n = (size_t) (close - p);
        } else
                n = strcspn(p, ":/?#");
        return n ? xstrndup(p, n) : NULL;
}

/* addr/bits of one family, both in network order. */
static bool cidr_match(int family, const char *host, const char *net, unsigned bits) {
        unsigned char a[16], b[16];
        size_t size = family == AF_INET ? 4 : 16;
        if (inet_pton(family, host, a) != 1 || inet_pton(family, net, b) != 1 || bits > size * 8)
                return false;
        size_t whole = bits / 8;
        if (memcmp(a, b, whole) != 0)
                return false;
        unsigned rest = bits % 8;
        return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* One NO_PROXY entry against the host, as curl compares them: addresses (a
 * CIDR range for an address host), else a name and its subdomains. */
static bool noproxy_entry_matches(const char *host, const char *entry) {
        unsigned char buf[16];
        int family = inet_pton(AF_INET, host, buf) == 1    ? AF_INET
                     : inet_pton(AF_INET6, host, buf) == 1 ? AF_INET6
                                                           : 0;
        if (family) {
                const char *slash = strchr(entry, '/');
                if (!slash)
                        return strcasecmp(host, entry) == 0;
                char *end;
                unsigned long bits = strtoul(slash + 1, &end, 10);
                _cleanup_free_ char *net = xstrndup(entry, (size_t) (slash - entry));
                return *end == 0 && end != slash + 1 && cidr_match(family, host, net, (unsigned) bits);
        }
        while (*entry == '.')
                entry++;
        size_t hl = strlen(host), el = strlen(entry);
        if (hl > 0 && host[hl - 1] == '.')
                hl--;
        if (el > 0 && entry[el - 1] == '.')
                el--;
        if (el == 0 || el > hl)
                return false;
        if (strncasecmp(host + hl - el, entry, el) != 0)
                return false;
        return hl == el || host[hl - el - 1] == '.';
}

static bool noproxy_matches(const char *host, const char *list) {
        if (streq(list, "*"))
                return true;
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;
        for (char *e = strtok_r(copy, ", \t", &save); e; e = strtok_r(NULL, ", \t", &save))
                if (streq(e, "*") || noproxy_entry_matches(host, e))
                        return true;
        return false;
}

static const char *env_first(const char *const *names, const char **ret_name) {
        for (size_t i = 0; names[i]; i++) {
                const char *v = getenv(names[i]);
                if (v && *v) {
                        *ret_name = names[i];
                        return v;
                }
        }
        return NULL;
}

char *https_proxy_for(const char *host, const char **ret_var, int *ret_excluded) {
        /* curl reads the lowercase name first, the uppercase one only when it is unset. */
        static const char *const proxy_vars[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                                  NULL };
        static const char *const noproxy_vars[] = { "no_proxy", "NO_PROXY", NULL };
        const char *var = NULL, *noproxy_var = NULL;
        const char *proxy = env_first(proxy_vars, &var);
        const char *noproxy = env_first(noproxy_vars, &noproxy_var);
        *ret_var = proxy ? var : NULL;
        *ret_excluded = proxy && noproxy && noproxy_matches(host, noproxy);
        return proxy && !*ret_excluded ? xstrdup(proxy) : NULL;
}

/* A proxy URL for messages: without the user name and password it may carry. */
static char *proxy_shown(const char *proxy) {
        const char *scheme = strstr(proxy, "://");
        const char *auth = scheme ? scheme + 3 : proxy;
        const char *at = strchr(auth, '@');
        if (!at || at > auth + strcspn(auth, "/"))
                return xstrdup(proxy);
        return xasprintf("%.*s%s", (int) (auth - proxy), proxy, at + 1);
}

struct body {
        struct buf buf;
        bool too_big;
};

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        struct body *b = userdata;
        size_t len = size * n;
        if (b->buf.len + len > BODY_MAX) {
                b->too_big = true;
                return 0; /* curl stops with CURLE_WRITE_ERROR */
        }
        buf_append(&b->buf, data, len);
        return len;
}

/* What went wrong, in the operator's words; curl's own message in parentheses. */
static char *describe_failure(const struct curl_api *api, CURLcode c, const char *detail, bool too_big,
                              const char *host) {
        static const struct {
                CURLcode code;
                const char *what;
        } failures[] = {
                { CURLE_OPERATION_TIMEDOUT, "no answer in time" },
                { CURLE_COULDNT_CONNECT, "cannot connect" },
                { CURLE_COULDNT_RESOLVE_HOST, "cannot resolve the name" },
                { CURLE_COULDNT_RESOLVE_PROXY, "cannot resolve the proxy's name" },
                { CURLE_SSL_CONNECT_ERROR, "the TLS handshake failed" },
                { CURLE_SSL_CERTPROBLEM, "the kubeconfig's client certificate is not usable" },
        };
        const char *d = detail && *detail ? detail : api->easy_strerror(c);
        if (c == CURLE_PEER_FAILED_VERIFICATION) {
                if (strstr(d, "subject name") || strstr(d, "does not match"))
                        return xasprintf("the server's certificate is not for %s (%s)", host, d);
                return xasprintf("the server's certificate is not signed by the kubeconfig's CA (%s)", d);
        }
        if (c == CURLE_WRITE_ERROR && too_big)
                return xasprintf("the answer is larger than %zu KiB, not a version", BODY_MAX >> 10);
        for (size_t i = 0; i < ELEMENTSOF(failures); i++)
                if (failures[i].code == c)
                        return xasprintf("%s (%s)", failures[i].what, d);
        return xstrdup(d);
}

/* The settings every request gets: HTTPS only, no redirects, the cluster CA and nothing else. */
static void set_options(const struct curl_api *api, CURL *h, const struct apiserver_request *req,
                        const char *proxy, struct body *body, char *errbuf) {
        struct curl_blob ca = { .data = (void *) req->ca_pem, .len = req->ca_len, .flags = CURL_BLOB_COPY };
        api->easy_setopt(h, CURLOPT_URL, req->url);
        (void) api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https"); /* libcurl 7.85 and later */
        api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        api->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) req->timeout_ms);
        api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) req->timeout_ms);
        api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        api->easy_setopt(h, CURLOPT_NETRC, (long) CURL_NETRC_IGNORED);
        api->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        api->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        api->easy_setopt(h, CURLOPT_CAPATH, (char *) NULL); /* not the system's CAs: the cluster's */
        api->easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
        if (req->cert_pem && req->key_pem) {
                struct curl_blob cert = { .data = (void *) req->cert_pem,
                                          .len = req->cert_len,
                                          .flags = CURL_BLOB_COPY };
                struct curl_blob key = { .data = (void *) req->key_pem,
                                         .len = req->key_len,
                                         .flags = CURL_BLOB_COPY };
                api->easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
                api->easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
                api->easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
                api->easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        }
        /* kubeprep decided (https_proxy_for); "" keeps curl from deciding again. */
        api->easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
        api->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        api->easy_setopt(h, CURLOPT_WRITEDATA, body);
        api->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

int apiserver_get(const struct apiserver_request *req, char **ret_body, size_t *ret_len, char **ret_route,
                  char **ret_error) {
        *ret_route = NULL;
        _cleanup_free_ char *host = https_url_host(req->url);
        if (!host) {
                set_error(ret_error, "%s is not an https:// URL", req->url);
                return -EINVAL;
        }
        const char *var;
        int excluded;
        _cleanup_free_ char *proxy = https_proxy_for(host, &var, &excluded);
        if (proxy) {
                _cleanup_free_ char *shown = proxy_shown(proxy);
                *ret_route = xasprintf("through %s from %s", shown, var);
        } else if (excluded)
                *ret_route = xasprintf("NO_PROXY: not through %s", var);

        struct curl_api api;
        int k = curl_load(&api, ret_error);
        if (k < 0)
                return k;
        CURL *h = api.easy_init();
        if (!h) {
                set_error(ret_error, "%s", "curl_easy_init() failed");
                return -ENOMEM;
        }
        struct body body = {};
        char errbuf[CURL_ERROR_SIZE] = "";
        set_options(&api, h, req, proxy, &body, errbuf);
        CURLcode c = api.easy_perform(h);
        long status = 0;
        if (c == CURLE_OK)
                api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        api.easy_cleanup(h);
        if (c != CURLE_OK || status != 200) {
                _cleanup_free_ char *why = c != CURLE_OK
                                                   ? describe_failure(&api, c, errbuf, body.too_big, host)
                                                   : xasprintf("the server answered HTTP %ld", status);
                set_error(ret_error, "%s", why);
                buf_free(&body.buf);
                return c == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
        }
        *ret_len = body.buf.len;
        *ret_body = buf_steal(&body.buf);
        return 0;
}
