/* SPDX-License-Identifier: MIT */
/* Proxy settings in the environments that reach kubeadm and the container runtimes: KEY=VALUE files
 * (/etc/environment, systemd's EnvironmentFile=), the Environment= lines of systemd units, and
 * NO_PROXY as Go's net/http reads it (golang.org/x/net/http/httpproxy), which kubeadm, containerd
 * and dockerd all use. An environment is a strv of "KEY=VALUE", a later key replacing an earlier. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "basic/cidr.h"
#include "basic/util.h"

/* Set key to value (value NULL: remove it). */
void env_set(struct strv *env, const char *key, const char *value);
/* key's value, NULL when unset. */
const char *env_get(const struct strv *env, const char *key);

/* The KEY=VALUE lines of an environment file as systemd's EnvironmentFile= and pam_env read
 * /etc/environment: blank lines and lines starting with '#' or ';' skipped, an "export " prefix
 * allowed, a value in single or double quotes unquoted. Lines that assign nothing are skipped. */
void env_file_parse(const char *text, size_t len, struct strv *env);

/* The [Service] section's Environment= and EnvironmentFile= lines of a unit file or drop-in, in
 * order: each Environment= assignment (words in double or single quotes, as systemd splits them)
 * is applied to env, an empty Environment= clears env; each EnvironmentFile= path (a leading '-'
 * dropped) is appended to files, whose settings systemd applies after all Environment= lines. */
void unit_environment_parse(const char *text, size_t len, struct strv *env, struct strv *files);

/* The proxy Go's http.ProxyFromEnvironment uses for https URLs: HTTPS_PROXY, else https_proxy; and,
 * as a container runtime also pulls over plain http, HTTP_PROXY, else http_proxy. NULL when none
 * is set; *ret_var names the variable. */
const char *env_proxy(const struct strv *env, const char **ret_var);
/* NO_PROXY, else no_proxy (Go's order); NULL when neither is set. */
const char *env_no_proxy(const struct strv *env);

/* Whether Go bypasses the proxy for every address of range with this NO_PROXY: an entry "*", or an
 * entry that is an address or CIDR containing the whole range. Host names never match an address. */
bool no_proxy_covers(const char *no_proxy, const struct cidr *range);
