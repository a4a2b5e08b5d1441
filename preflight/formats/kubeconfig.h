/* SPDX-License-Identifier: MIT */
/* What a kubeconfig says about reaching its cluster: the API server of the
 * current context's cluster, the CA to verify it with, and the user's client
 * certificate. */
#pragma once

#include <stddef.h>

struct kubeconfig_target {
        char *server; /* "https://192.0.2.1:6443" */
        /* Each credential is either inline (decoded from the *-data key, with
         * its length) or a file the kubeconfig names; both NULL when absent. */
        char *ca_data, *ca_file;
        size_t ca_len;
        char *cert_data, *cert_file;
        size_t cert_len;
        char *key_data, *key_file;
        size_t key_len;
};

/* The current context's cluster and user (the only context when there is no
 * current-context). 0 on success; -EBADMSG with *ret_error ("line N: ...",
 * "current-context x names no context") when the YAML does not parse or does
 * not say which server. A missing user is no error: no client certificate. */
int kubeconfig_target_parse(const char *text, size_t len, struct kubeconfig_target *ret, char **ret_error);
void kubeconfig_target_free(struct kubeconfig_target *t);

/* Decode standard base64 (padding optional, line breaks and spaces skipped).
 * -EINVAL on any other character. */
int base64_decode(const char *s, size_t len, char **ret, size_t *ret_len);
