/* SPDX-License-Identifier: MIT */
/* /etc/hosts as glibc reads it, and the line the hostname fixer adds. */
#include "basic/util.h"
#include "formats/etc-hosts.h"
#include "tap.h"

/* Debian 12's /etc/hosts as the installer writes it for "node-1" in "example.com". */
#define DEBIAN                                                           \
        "127.0.0.1\tlocalhost\n127.0.1.1\tnode-1.example.com\tnode-1\n"  \
        "\n# The following lines are desirable for IPv6 capable hosts\n" \
        "::1     localhost ip6-localhost ip6-loopback\n"

static void lookup(const char *text, const char *name, const char *want, const char *what) {
        _cleanup_free_ char *addr = NULL;
        int k = hosts_lookup(text, strlen(text), name, &addr);
        if (want)
                tap_ok(k == 1 && streq(addr, want), what);
        else
                tap_ok(k == 0 && !addr, what);
}

static void test_lookup(void) {
        lookup(DEBIAN, "node-1", "127.0.1.1", "an alias");
        lookup(DEBIAN, "NODE-1.Example.COM", "127.0.1.1", "the canonical name, case ignored");
        lookup(DEBIAN, "127.0.1.1", NULL, "an address is no name");
        lookup(DEBIAN, "node", NULL, "a prefix is no name");
        lookup("# 10.0.0.1 node-1\n10.0.0.2 a # node-1\n", "node-1", NULL, "names in comments do not count");
        lookup("10.0.0.1 node-2\r\n10.0.0.2\tx\tnode-1\r\n", "node-1", "10.0.0.2", "CRLF, tabs");
        lookup("10.0.0.1 node-1\n10.0.0.2 node-1\n", "node-1", "10.0.0.1", "the first line wins");
}

static void add(const char *text, const char *want, const char *what) {
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        int k = hosts_add(text, strlen(text), "127.0.1.1", "node-2", &out, &len, &err);
        tap_ok(k == 1, what);
        tap_streq(out, want, what);
}

static void test_add(void) {
        add(DEBIAN, DEBIAN "127.0.1.1\tnode-2\n", "appended as a line of its own");
        add("127.0.0.1 localhost", "127.0.0.1 localhost\n127.0.1.1\tnode-2", "no final newline: still none");
        add("127.0.0.1 localhost\r\n", "127.0.0.1 localhost\r\n127.0.1.1\tnode-2\r\n", "CRLF");
        add("", "127.0.1.1\tnode-2\n", "an empty file");
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        tap_ok(hosts_add("a\0b\n", 4, "127.0.1.1", "n", &out, &len, &err) == -EBADMSG,
               "a NUL byte is refused");
}

int main(void) {
        test_lookup();
        test_add();
        return tap_done();
}
