/* SPDX-License-Identifier: MIT */
/* The profile's node values: node names as the API server takes them (IsDNS1123Subdomain), IPv4
 * addresses and networks, port ranges. */
#include <arpa/inet.h>

#include "basic/util.h"
#include "formats/node-spec.h"
#include "tap.h"

static void test_names(void) {
        static const char *const valid[] = { "node-1", "k8s-master01.example.com", "a", "1.2", "x--y" };
        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                tap_ok(!dns1123_subdomain_error(valid[i]), valid[i]);
        static const struct {
                const char *name, *why;
        } invalid[] = {
                { "k8s_master", "only lowercase letters, digits, '-' and '.' are allowed" },
                { "Node1", "each dot-separated part must start and end with a lowercase letter or digit" },
                { "node-", "each dot-separated part must start and end with a lowercase letter or digit" },
                { "a..b", "each dot-separated part must start and end with a lowercase letter or digit" },
                { "node.", "each dot-separated part must start and end with a lowercase letter or digit" },
                { "", "it is empty" },
        };
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                tap_streq(dns1123_subdomain_error(invalid[i].name), invalid[i].why, invalid[i].name);
        char longest[255];
        memset(longest, 'a', 254);
        longest[254] = 0;
        tap_streq(dns1123_subdomain_error(longest), "it is longer than 253 characters", "254 characters");
        longest[253] = 0;
        tap_ok(!dns1123_subdomain_error(longest),
               "253 characters, one label: Kubernetes checks no label length");
}

static uint32_t ip(const char *s) {
        struct in_addr a;
        inet_pton(AF_INET, s, &a);
        return a.s_addr;
}

static void test_networks(void) {
        uint32_t a;
        uint8_t p;
        tap_ok(ipv4_network_parse("192.0.2.10", &a, &p) == 0 && a == ip("192.0.2.10") && p == 32,
               "an address is a /32");
        tap_ok(ipv4_network_parse("10.1.0.0/16", &a, &p) == 0 && p == 16, "a network");
        static const char *const bad[] = {
                "10.1.0.0/33", "10.1.0.0/", "10.1.0.0/+8", "10.1.0", "eth0", "::1"
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                tap_ok(ipv4_network_parse(bad[i], &a, &p) == -EINVAL, bad[i]);
        tap_ok(ipv4_network_contains(ip("10.1.0.0"), 16, ip("10.1.200.3")) &&
                       !ipv4_network_contains(ip("10.1.0.0"), 16, ip("10.2.0.1")) &&
                       ipv4_network_contains(ip("0.0.0.0"), 0, ip("203.0.113.9")) &&
                       ipv4_network_contains(ip("192.0.2.10"), 32, ip("192.0.2.10")),
               "containment");
}

static void test_ports(void) {
        struct port_range r;
        char buf[PORT_RANGE_MAX];
        tap_ok(port_range_parse("6443/tcp", &r) == 0 && streq(port_range_format(&r, buf), "6443/tcp"),
               "6443/tcp");
        tap_ok(port_range_parse("30000-32767/tcp", &r) == 0 && r.first == 30000 && r.last == 32767 &&
                       streq(port_range_format(&r, buf), "30000-32767/tcp"),
               "a range");
        static const char *const bad[] = { "6443",   "6443/icmp", "0/tcp",  "65536/tcp", "2380-2379/tcp",
                                           "-1/tcp", "1-/tcp",    "+1/tcp", "1 /tcp",    "08472x/udp" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                tap_ok(port_range_parse(bad[i], &r) == -EINVAL, bad[i]);
}

int main(void) {
        test_names();
        test_networks();
        test_ports();
        return tap_done();
}
