/* SPDX-License-Identifier: MIT */
/* IPv4 and IPv6 addresses and CIDR ranges: parsing, containment and printing, for the checks that
 * compare a cluster's ranges with NO_PROXY and a resolver's addresses with loopback. */
#pragma once

#include <stdbool.h>

struct cidr {
        int family;             /* AF_INET or AF_INET6 */
        unsigned char addr[16]; /* network order; IPv4 in the first 4 bytes; host bits cleared */
        unsigned prefix;        /* 0..32 or 0..128 */
};

/* "10.96.0.0/12", "fd00:10:96::/108", or a bare address (a /32 or /128), surrounding whitespace
 * allowed. As Go's net.ParseCIDR, host bits may be set and are cleared ("10.96.0.1/12" is
 * 10.96.0.0/12). 0, or -EINVAL for anything else (a zone, a host name, a prefix out of range). */
int cidr_parse(const char *s, struct cidr *ret);

/* Whether every address of inner lies in outer: same family, outer's prefix no longer than inner's,
 * and the same first outer->prefix bits. */
bool cidr_contains(const struct cidr *outer, const struct cidr *inner);

/* 127.0.0.0/8, ::1 and the IPv4-mapped ::ffff:127.0.0.0/104: addresses that mean "this host" in
 * whichever network namespace uses them. */
bool cidr_is_loopback(const struct cidr *c);

/* The canonical text, "10.96.0.0/12" ("/32" and "/128" left out when bare is true). malloc'ed. */
char *cidr_to_string(const struct cidr *c, bool bare);
