/* SPDX-License-Identifier: MIT */
/* Does a host name resolve, as kubeadm's Hostname check asks (net.LookupHost): getaddrinfo(3)
 * through the node's NSS (/etc/hosts, DNS, ...), given at most a few seconds, since a boot-time run
 * must not hang on an unreachable DNS server. */
#pragma once

#include "basic/util.h"

/* 1 resolved (*ret_addrs the addresses, may be NULL), 0 the name does not resolve, <0 on another
 * error with *ret_error (-ETIME: no answer within timeout_ms). */
int resolve_host(const char *name, unsigned timeout_ms, struct strv *ret_addrs, char **ret_error);
