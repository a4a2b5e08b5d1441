/* SPDX-License-Identifier: MIT */
/* A cluster's networks as kubeadm's files say them: the Service and Pod ranges and the API
 * server's address, from a kubeadm configuration stream or from the control plane's static pod
 * manifests. For the checks that depend on them: IPv6 forwarding, proxies. */
#pragma once

#include <stddef.h>

#include "basic/util.h"

struct cluster_networks {
        struct strv service_subnets; /* "10.96.0.0/12", "fd00:10:96::/108"; split at commas */
        struct strv pod_subnets;
        char *advertise_address; /* the API server's own address on this node */
        char *api_endpoint;      /* host[:port] a joining node talks to */
};

/* A kubeadm configuration stream: ClusterConfiguration networking.serviceSubnet and podSubnet,
 * InitConfiguration localAPIEndpoint.advertiseAddress, JoinConfiguration
 * discovery.bootstrapToken.apiServerEndpoint. Only what is set is filled in (fields of ret already
 * set are kept). 0, or <0 when the YAML does not parse (*ret_error "line N: reason"). */
int kubeadm_config_networks(const char *text, size_t len, struct cluster_networks *ret, char **ret_error);

/* The value of --flag in a static pod's containers (command and args, "--flag=value" or "--flag"
 * "value"): 1 found (*ret_value), 0 not set, <0 when the YAML does not parse. */
int manifest_command_flag(const char *text, size_t len, const char *flag, char **ret_value,
                          char **ret_error);

/* The address of an endpoint "host:port", "[v6]:port" or a bare address (malloc'ed), NULL when
 * its host is no IP address (a DNS name). */
char *cluster_endpoint_address(const char *endpoint);

/* Append the comma-separated ranges of value to v, each trimmed; empty ones are skipped. */
void cluster_networks_add_list(struct strv *v, const char *value);

void cluster_networks_free(struct cluster_networks *n);
