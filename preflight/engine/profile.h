/* SPDX-License-Identifier: MIT */
/* Profiles: the desired state, loaded from YAML (profiles/NAME.yaml), with
 * `extends:` inheritance and strict validation (unknown keys and wrong types
 * are errors naming file, line and key). */
#pragma once

#include <stdbool.h>

#include "basic/rootfs.h"
#include "basic/util.h"

enum cgroup_driver {
        CGROUP_DRIVER_SYSTEMD,
        CGROUP_DRIVER_CGROUPFS,
};

enum swap_policy {
        SWAP_DISABLE,
        SWAP_ALLOW,
};

/* The node's part in the cluster: auto decides from the kubeadm hook's verb and the node's files. */
enum node_role {
        ROLE_AUTO,
        ROLE_CONTROL_PLANE,
        ROLE_WORKER,
};

/* An ordered map of string to string, as written in the profile
 * (eviction thresholds: signal -> quantity). */
struct kv {
        char *key;
        char *value;
        unsigned line;
};
struct kv_list {
        struct kv *items;
        size_t n;
        char *file; /* the profile file that set the map (a map replaces an inherited one whole) */
};

struct profile {
        char *name; /* the profile's name, e.g. "default" */
        char *path; /* the file it was read from (the most derived one) */
        enum cgroup_driver cgroup_driver;
        enum swap_policy swap;
        struct strv kubeconfig_users;
        struct {
                struct kv_list hard;
                struct kv_list soft;
                struct kv_list soft_grace_period;
                struct kv_list minimum_reclaim;
                char *max_pod_grace_period; /* NULL: not set */
        } eviction;
        struct {
                bool ensure;
                char *address;   /* "auto" or an IPv4 address */
                char *interface; /* "auto" or a name */
        } gateway;
        struct {
                /* IPv4/IPv6 addresses of DNS servers pods may forward to, for a node whose own
                 * resolver sits on its loopback; at most PROFILE_DNS_UPSTREAM_MAX */
                struct strv upstream;
        } dns;
        /* The container runtime's sandbox (pause) image; NULL: no opinion. */
        char *sandbox_image;
        /* The node itself, for the firewall, hostname, time-sync and node-ip fixers. */
        enum node_role role;
        char *node_name; /* NULL: the hostname, lowercased; else a valid RFC 1123 subdomain */
        char *node_ip;   /* NULL: unset; an IPv4 address or network, or an interface name */
        struct {
                struct strv extra_ports; /* "8472/udp", "30000-32767/tcp", checked */
        } firewall;
        struct {
                struct strv servers; /* host names or addresses; empty: the service's own */
        } ntp;
};

/* The nameservers glibc reads from a resolv.conf (MAXNS), and the kubelet hands a pod. */
#define PROFILE_DNS_UPSTREAM_MAX 3

/* Load by name ("default", "aarch64") from the profile directories, or by
 * path (contains a '/' or ends in .yaml). On failure *ret_error says which
 * file, line and key. */
int profile_load(const struct root *root, const char *name_or_path, struct profile **ret, char **ret_error);

/* Parse one profile text on top of an already filled profile (used for
 * `extends`, and by the tests). path is for messages only. */
int profile_parse_text(const char *path, const char *text, size_t len, struct profile *p, char **ret_extends,
                       char **ret_error);

void profile_init_defaults(struct profile *p);
void profile_free(struct profile *p);
/* Free what a profile holds (for one on the stack). */
void profile_clear(struct profile *p);

const char *cgroup_driver_to_string(enum cgroup_driver d);
const char *node_role_to_string(enum node_role r);
const char *kv_list_get(const struct kv_list *l, const char *key);
