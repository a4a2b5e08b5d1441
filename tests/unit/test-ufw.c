/* SPDX-License-Identifier: MIT */
/* ufw's files: ENABLED=yes, and whether user.rules' tuples allow a port range in. */
#include "basic/util.h"
#include "formats/ufw.h"
#include "tap.h"

static bool allows(const char *rules, const char *port) {
        struct port_range p;
        return port_range_parse(port, &p) >= 0 && ufw_rules_allow(rules, strlen(rules), &p);
}

static void test_rules(void) {
        /* What `ufw allow 6443/tcp`, `ufw allow 30000:31000/tcp`, `ufw allow from 10.0.0.0/8 to any port
         * 10250 proto tcp`, `ufw allow in on eth0 to any port 8472 proto udp` and `ufw deny 2379` write. */
        static const char rules[] =
                "*filter\n:ufw-user-input - [0:0]\n### RULES ###\n\n"
                "### tuple ### allow tcp 6443 0.0.0.0/0 any 0.0.0.0/0 in\n"
                "-A ufw-user-input -p tcp --dport 6443 -j ACCEPT\n\n"
                "### tuple ### allow tcp 30000:31000 0.0.0.0/0 any 0.0.0.0/0 in\n"
                "### tuple ### allow tcp 10250 0.0.0.0/0 any 10.0.0.0/8 in\n"
                "### tuple ### allow udp 8472 0.0.0.0/0 any 0.0.0.0/0 in_eth0\n"
                "### tuple ### deny any 2379 0.0.0.0/0 any 0.0.0.0/0 in\n"
                "### tuple ### allow any 80,443,8000:8080 0.0.0.0/0 any 0.0.0.0/0 in\n"
                "### tuple ### allow tcp 9000 0.0.0.0/0 any 0.0.0.0/0 out\n"
                "### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 OpenSSH - in comment=6b\n"
                "### END RULES ###\n";
        tap_ok(allows(rules, "6443/tcp"), "a port");
        tap_ok(!allows(rules, "6443/udp"), "another protocol");
        tap_ok(allows(rules, "30500-31000/tcp") && !allows(rules, "30000-32767/tcp"),
               "a range, covered or not");
        tap_ok(allows(rules, "10250/tcp"), "from a source network");
        tap_ok(allows(rules, "8472/udp"), "on an interface");
        tap_ok(!allows(rules, "2379/tcp"), "deny is no allow");
        tap_ok(allows(rules, "443/tcp") && allows(rules, "8000-8080/udp") && !allows(rules, "8081/tcp"),
               "a list, proto any");
        tap_ok(!allows(rules, "9000/tcp"), "outgoing is no incoming");
        tap_ok(allows(rules, "22/tcp"), "an application rule with a comment");
}

static bool enabled(const char *conf) {
        return ufw_conf_enabled(conf, strlen(conf));
}

static void test_conf(void) {
        tap_ok(enabled("# ENABLED=no\nENABLED=yes\n"), "ENABLED=yes");
        tap_ok(!enabled("ENABLED=yes\nENABLED=no\n"), "the last one wins");
        tap_ok(enabled("ENABLED=\"yes\"\n"), "quoted");
}

int main(void) {
        test_rules();
        test_conf();
        return tap_done();
}
