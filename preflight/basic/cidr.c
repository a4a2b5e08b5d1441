/* SPDX-License-Identifier: MIT */
/* CIDR ranges (cidr.h), with inet_pton(3) for the addresses. */
#include "basic/cidr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "basic/util.h"

static void clear_host_bits(struct cidr *c) {
        unsigned bytes = c->family == AF_INET ? 4 : 16;
        for (unsigned i = 0; i < bytes; i++) {
                unsigned first_bit = i * 8;
                if (first_bit >= c->prefix)
                        c->addr[i] = 0;
                else if (c->prefix - first_bit < 8)
                        c->addr[i] &= (unsigned char) (0xff << (8 - (c->prefix - first_bit)));
        }
}

int cidr_parse(const char *s, struct cidr *ret) {
        if (!s)
                return -EINVAL;
        _cleanup_free_ char *t = xstrndup_strip(s, strlen(s), WHITESPACE);
        char *slash = strchr(t, '/');
        if (slash)
                *slash = 0;
        struct cidr c = {};
        if (inet_pton(AF_INET, t, c.addr) == 1)
                c.family = AF_INET;
        else if (inet_pton(AF_INET6, t, c.addr) == 1)
                c.family = AF_INET6;
        else
                return -EINVAL;
        unsigned max = c.family == AF_INET ? 32 : 128;
        c.prefix = max;
        if (slash) {
                const char *p = slash + 1;
                /* Digits only, no sign or space, at most three of them: what Go accepts. */
                size_t n = strspn(p, "0123456789");
                if (n == 0 || n > 3 || p[n] || (n > 1 && p[0] == '0'))
                        return -EINVAL;
                unsigned v = (unsigned) atoi(p);
                if (v > max)
                        return -EINVAL;
                c.prefix = v;
        }
        clear_host_bits(&c);
        *ret = c;
        return 0;
}

bool cidr_contains(const struct cidr *outer, const struct cidr *inner) {
        if (outer->family != inner->family || outer->prefix > inner->prefix)
                return false;
        struct cidr in = *inner;
        in.prefix = outer->prefix;
        clear_host_bits(&in);
        return memcmp(in.addr, outer->addr, sizeof(in.addr)) == 0;
}

bool cidr_is_loopback(const struct cidr *c) {
        static const unsigned char v6_loopback[16] = { [15] = 1 };
        static const unsigned char v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
        if (c->family == AF_INET)
                return c->addr[0] == 127 && c->prefix >= 8;
        if (c->prefix == 128 && memcmp(c->addr, v6_loopback, 16) == 0)
                return true;
        return memcmp(c->addr, v4_mapped, 12) == 0 && c->addr[12] == 127 && c->prefix >= 104;
}

char *cidr_to_string(const struct cidr *c, bool bare) {
        char s[INET6_ADDRSTRLEN];
        if (!inet_ntop(c->family, c->addr, s, sizeof(s)))
                return xstrdup("?");
        unsigned max = c->family == AF_INET ? 32 : 128;
        if (bare && c->prefix == max)
                return xstrdup(s);
        return xasprintf("%s/%u", s, c->prefix);
}
