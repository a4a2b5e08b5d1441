/* SPDX-License-Identifier: MIT */
/* The values a profile gives about the node itself, checked once and read the same everywhere: a node
 * name (RFC 1123 subdomain), an IPv4 address or network, a port range with its protocol. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Kubernetes' IsDNS1123Subdomain, which every Node name must pass: at most 253 bytes of lowercase
 * letters, digits, '-' and '.', each dot-separated label starting and ending with a letter or digit.
 * NULL when valid, else why not (a static string). */
const char *dns1123_subdomain_error(const char *name);

/* An IPv4 address ("192.0.2.10", as 192.0.2.10/32) or network ("192.0.2.0/24"). The address is in
 * network order, as written (host bits are kept). 0, or -EINVAL when s is neither. */
int ipv4_network_parse(const char *s, uint32_t *ret_addr, uint8_t *ret_prefixlen);
/* Whether addr (network order) lies in net/prefixlen. */
bool ipv4_network_contains(uint32_t net, uint8_t prefixlen, uint32_t addr);

/* A port or range and its protocol, as firewalld writes them: "6443/tcp", "30000-32767/tcp". */
struct port_range {
        unsigned first, last; /* 1..65535, first <= last */
        char protocol[8];     /* "tcp", "udp", "sctp" or "dccp" */
};
/* "PORT/PROTO" or "FIRST-LAST/PROTO". 0, or -EINVAL. */
int port_range_parse(const char *s, struct port_range *ret);
/* firewalld's port attribute and a protocol, the two halves of a <port> element. */
int port_range_parse_parts(const char *port, const char *protocol, struct port_range *ret);
/* "6443/tcp", "2379-2380/tcp" into buf (at least PORT_RANGE_MAX bytes). */
#define PORT_RANGE_MAX 24
const char *port_range_format(const struct port_range *p, char buf[static PORT_RANGE_MAX]);
