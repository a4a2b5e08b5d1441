/* SPDX-License-Identifier: MIT */
/* Asking a Kubernetes API server over HTTPS (libcurl, loaded when first
 * needed): TLS verified against the cluster's CA only, a client certificate
 * when there is one, a short overall timeout, and the proxy variables read as
 * curl reads them, deciding here which proxy is used so the report can say. */
#pragma once

#include <stddef.h>

struct apiserver_request {
        const char *url;    /* "https://192.0.2.1:6443/version" */
        const char *ca_pem; /* the CA to trust, and nothing else */
        size_t ca_len;
        const char *cert_pem, *key_pem; /* a client certificate and key, or NULL */
        size_t cert_len, key_len;
        unsigned timeout_ms; /* for the whole request */
};

/* GET the URL. 0 with the body (NUL-terminated) of a 200 answer; <0 with
 * *ret_error saying why ("cannot connect: ...", "the server's certificate is
 * not signed by the kubeconfig's CA (...)", "the server answered HTTP 403").
 * *ret_route is set either way when a proxy variable applies: "through PROXY
 * from HTTPS_PROXY" or "NO_PROXY: not through HTTPS_PROXY"; NULL otherwise. */
int apiserver_get(const struct apiserver_request *req, char **ret_body, size_t *ret_len, char **ret_route,
                  char **ret_error);

/* The proxy an https URL to host goes through, as curl decides from its
 * environment: https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY (the first set),
 * unless no_proxy or NO_PROXY ("*", names matching the host or a domain of it,
 * addresses and CIDR ranges) names the host. Returns the proxy (malloc'ed) or
 * NULL; *ret_var is the variable it came from, or the proxy variable that
 * NO_PROXY overrode (NULL when none is set), *ret_excluded whether it did. */
char *https_proxy_for(const char *host, const char **ret_var, int *ret_excluded);

/* The host of an https URL: "https://[::1]:6443/x" -> "::1". NULL when the
 * URL is not https:// or has no host. */
char *https_url_host(const char *url);
