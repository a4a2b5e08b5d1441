/* SPDX-License-Identifier: MIT */
/* IPv4 and IPv6 ranges (basic/cidr.c): what parses (as Go's net.ParseCIDR and ParseIP), host bits
 * cleared, containment across prefixes and families, loopback, and the canonical text. */
#include <sys/socket.h>

#include "basic/cidr.h"
#include "basic/util.h"
#include "tap.h"

static void parses(const char *s, const char *want, const char *name) {
        struct cidr c;
        int k = cidr_parse(s, &c);
        _cleanup_free_ char *got = k < 0 ? NULL : cidr_to_string(&c, false);
        if (!want)
                tap_ok(k == -EINVAL, name);
        else
                tap_streq(got, want, name);
}

static bool contains(const char *outer, const char *inner) {
        struct cidr o, i;
        return cidr_parse(outer, &o) >= 0 && cidr_parse(inner, &i) >= 0 && cidr_contains(&o, &i);
}

static bool loopback(const char *s) {
        struct cidr c;
        return cidr_parse(s, &c) >= 0 && cidr_is_loopback(&c);
}

int main(void) {
        parses("10.96.0.0/12", "10.96.0.0/12", "an IPv4 range");
        parses("10.96.0.1/12", "10.96.0.0/12", "host bits are cleared, as Go does");
        parses(" 192.0.2.20 ", "192.0.2.20/32", "a bare address is a /32, blanks trimmed");
        parses("fd00:10:96::/112", "fd00:10:96::/112", "an IPv6 range");
        parses("2001:db8::1:2/64", "2001:db8::/64", "IPv6 host bits cleared");
        parses("::1", "::1/128", "a bare IPv6 address is a /128");
        parses("0.0.0.0/0", "0.0.0.0/0", "the whole IPv4 space");
        parses("10.0.0.0/33", NULL, "a prefix beyond 32 for IPv4");
        parses("fd00::/129", NULL, "a prefix beyond 128 for IPv6");
        parses("10.0.0.0/", NULL, "an empty prefix");
        parses("10.0.0.0/+8", NULL, "a signed prefix");
        parses("10.0.0.0/08", NULL, "a prefix with a leading zero (Go refuses it)");
        parses("10.0.0/8", NULL, "three octets");
        parses("fe80::1%eth0", NULL, "a zone");
        parses("proxy.example", NULL, "a host name");
        parses("", NULL, "nothing");

        tap_ok(contains("10.0.0.0/8", "10.96.0.0/12"), "10.0.0.0/8 holds 10.96.0.0/12");
        tap_ok(contains("10.96.0.0/12", "10.96.0.0/12"), "a range holds itself");
        tap_ok(!contains("10.96.0.0/12", "10.0.0.0/8"), "a smaller range does not hold a larger one");
        tap_ok(!contains("10.96.0.0/16", "10.96.0.0/12"), "10.96.0.0/16 is only part of 10.96.0.0/12");
        tap_ok(contains("192.0.2.0/24", "192.0.2.20"), "an address in a range");
        tap_ok(!contains("192.0.2.0/25", "192.0.2.200"), "an address outside a range");
        tap_ok(contains("0.0.0.0/0", "203.0.113.9"), "/0 holds every IPv4 address");
        tap_ok(!contains("0.0.0.0/0", "fd00::1"), "an IPv4 range never holds an IPv6 address");
        tap_ok(contains("fd00:10::/32", "fd00:10:96::/112"), "IPv6 containment");
        tap_ok(!contains("fd00:11::/32", "fd00:10:96::/112"), "IPv6 outside");
        tap_ok(contains("10.96.0.0/13", "10.103.255.255"), "the last address of a /13");
        tap_ok(!contains("10.96.0.0/13", "10.104.0.0"), "one past it");

        tap_ok(loopback("127.0.0.53"), "127.0.0.53 is loopback");
        tap_ok(loopback("127.255.0.1"), "all of 127.0.0.0/8");
        tap_ok(loopback("::1"), "::1 is loopback");
        tap_ok(loopback("::ffff:127.0.0.1"), "IPv4-mapped 127.0.0.1 is loopback");
        tap_ok(!loopback("128.0.0.1") && !loopback("::2") && !loopback("10.0.0.1"), "others are not");

        struct cidr c;
        cidr_parse("192.0.2.20", &c);
        _cleanup_free_ char *bare = cidr_to_string(&c, true);
        tap_streq(bare, "192.0.2.20", "bare: an address without /32");
        return tap_done();
}
