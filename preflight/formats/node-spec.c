/* SPDX-License-Identifier: MIT */
/* The profile's node values (see node-spec.h): node names, IPv4 networks, port ranges. */
#include "formats/node-spec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/util.h"

#define DNS1123_SUBDOMAIN_MAX 253

static bool is_alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *dns1123_subdomain_error(const char *name) {
        size_t n = strlen(name);
        if (n == 0)
                return "it is empty";
        if (n > DNS1123_SUBDOMAIN_MAX)
                return "it is longer than 253 characters";
        /* Label by label: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
        for (const char *l = name;;) {
                size_t len = strcspn(l, ".");
                if (len == 0 || !is_alnum_lower(l[0]) || !is_alnum_lower(l[len - 1]))
                        return "each dot-separated part must start and end with a lowercase letter or digit";
                for (size_t i = 0; i < len; i++)
                        if (!is_alnum_lower(l[i]) && l[i] != '-')
                                return "only lowercase letters, digits, '-' and '.' are allowed";
                if (!l[len])
                        return NULL;
                l += len + 1;
        }
}

int ipv4_network_parse(const char *s, uint32_t *ret_addr, uint8_t *ret_prefixlen) {
        const char *slash = strchr(s, '/');
        _cleanup_free_ char *addr = slash ? xstrndup(s, (size_t) (slash - s)) : xstrdup(s);
        struct in_addr a;
        if (inet_pton(AF_INET, addr, &a) != 1)
                return -EINVAL;
        unsigned long prefix = 32;
        if (slash) {
                char *end;
                errno = 0;
                prefix = strtoul(slash + 1, &end, 10);
                if (!slash[1] || *end || errno || prefix > 32 || slash[1] == '+' || slash[1] == '-')
                        return -EINVAL;
        }
        *ret_addr = a.s_addr;
        *ret_prefixlen = (uint8_t) prefix;
        return 0;
}

bool ipv4_network_contains(uint32_t net, uint8_t prefixlen, uint32_t addr) {
        if (prefixlen == 0)
                return true;
        uint32_t mask = htonl(prefixlen >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefixlen));
        return (net & mask) == (addr & mask);
}

/* A decimal port 1..65535, digits only. */
static int parse_port(const char *s, size_t n, unsigned *ret) {
        if (n == 0 || n > 5)
                return -EINVAL;
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = v;
        return 0;
}

int port_range_parse_parts(const char *port, const char *protocol, struct port_range *ret) {
        static const char *const protocols[] = { "tcp", "udp", "sctp", "dccp" };
        struct port_range p = {};
        bool known = false;
        for (size_t i = 0; i < ELEMENTSOF(protocols) && !known; i++)
                known = streq(protocol, protocols[i]);
        if (!known)
                return -EINVAL;
        const char *dash = strchr(port, '-');
        size_t n = strlen(port);
        if (parse_port(port, dash ? (size_t) (dash - port) : n, &p.first) < 0)
                return -EINVAL;
        p.last = p.first;
        if (dash && (parse_port(dash + 1, strlen(dash + 1), &p.last) < 0 || p.last < p.first))
                return -EINVAL;
        snprintf(p.protocol, sizeof(p.protocol), "%s", protocol);
        *ret = p;
        return 0;
}

int port_range_parse(const char *s, struct port_range *ret) {
        const char *slash = strchr(s, '/');
        if (!slash)
                return -EINVAL;
        _cleanup_free_ char *port = xstrndup(s, (size_t) (slash - s));
        return port_range_parse_parts(port, slash + 1, ret);
}

const char *port_range_format(const struct port_range *p, char buf[static PORT_RANGE_MAX]) {
        if (p->first == p->last)
                snprintf(buf, PORT_RANGE_MAX, "%u/%s", p->first, p->protocol);
        else
                snprintf(buf, PORT_RANGE_MAX, "%u-%u/%s", p->first, p->last, p->protocol);
        return buf;
}
