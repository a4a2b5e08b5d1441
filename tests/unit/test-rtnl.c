/* SPDX-License-Identifier: MIT */
/* Tests for preflight/rtnl.c and preflight/sysctl-live.c. The pure parts run anywhere; the live
 * route and ip_forward cases only run inside the throw-away namespace that
 * tests/integration/netns-rtnl.sh creates (it sets KP_TEST_NETNS and KP_TEST_IFNAME). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <sys/wait.h>

#include "basic/util.h"
#include "system/rtnl.h"
#include "system/sysctl-live.h"
#include "tap.h"
#include "test-util.h"

/* Test names must stay on one TAP line: show tabs and newlines as \t and \n. */
static char *escaped(const char *s) {
        struct buf b = {};

        buf_puts(&b, "");
        for (; *s; s++) {
                if (*s == '\n')
                        buf_puts(&b, "\\n");
                else if (*s == '\t')
                        buf_puts(&b, "\\t");
                else
                        buf_putc(&b, *s);
        }
        return buf_steal(&b);
}

static uint32_t ip(const char *s) {
        struct in_addr a;
        if (inet_pton(AF_INET, s, &a) != 1)
                abort();
        return a.s_addr;
}

static void test_in_subnet(void) {
        static const struct {
                const char *addr;
                uint8_t prefixlen;
                const char *gateway;
                bool want;
        } cases[] = {
                { "192.0.2.10", 24, "192.0.2.1", true },
                { "192.0.2.10", 24, "192.0.2.255", true },
                { "192.0.2.10", 24, "192.0.3.1", false },
                { "192.0.2.10", 24, "198.51.100.1", false },
                { "192.0.2.10", 25, "192.0.2.127", true },
                { "192.0.2.10", 25, "192.0.2.128", false },
                { "192.0.2.200", 25, "192.0.2.128", true },
                { "192.0.2.10", 32, "192.0.2.10", true },
                { "192.0.2.10", 32, "192.0.2.11", false },
                { "192.0.2.10", 40, "192.0.2.11", false }, /* clamped to /32 */
                { "192.0.2.10", 0, "198.51.100.1", true },
                { "192.0.2.10", 1, "127.0.0.1", false },
                { "192.0.2.10", 1, "128.0.0.1", true },
                { "198.51.100.7", 16, "198.51.0.1", true },
                { "198.51.100.7", 16, "198.52.0.1", false },
                { "198.51.100.7", 23, "198.51.101.1", true },
                { "198.51.100.7", 23, "198.51.102.1", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *name =
                        xasprintf("in_subnet %s/%u %s -> %s", cases[i].addr, cases[i].prefixlen,
                                  cases[i].gateway, cases[i].want ? "true" : "false");
                tap_ok(rtnl_in_subnet(ip(cases[i].addr), cases[i].prefixlen, ip(cases[i].gateway)) ==
                               cases[i].want,
                       name);
        }
}

static void test_sysctl_path(void) {
        static const struct {
                const char *name, *want; /* want NULL: -EINVAL */
        } cases[] = {
                { "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward" },
                { "net/ipv4/ip_forward", "/proc/sys/net/ipv4/ip_forward" },
                { "net.ipv4.conf.eth0/100.forwarding", "/proc/sys/net/ipv4/conf/eth0.100/forwarding" },
                { "net/ipv4/conf/eth0.100/forwarding", "/proc/sys/net/ipv4/conf/eth0.100/forwarding" },
                { "net.bridge.bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-iptables" },
                { "vm.overcommit_memory", "/proc/sys/vm/overcommit_memory" },
                { "kernel", "/proc/sys/kernel" },
                { "", NULL },
                { ".", NULL },
                { "net..ipv4", NULL },
                { "net.ipv4.", NULL },
                { ".net.ipv4", NULL },
                { "/net/ipv4", NULL },
                { "net/../../etc/passwd", NULL },
                { "net/./ipv4", NULL },
                { "net.ipv4.ip forward", NULL },
                { "net.ipv4.ip_forward\n", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *shown = escaped(cases[i].name);
                _cleanup_free_ char *path = NULL, *name = xasprintf("sysctl_path '%s'", shown);
                int r = sysctl_path(cases[i].name, &path);
                if (cases[i].want)
                        tap_ok(r == 0 && tap_streq(path, cases[i].want, name), name);
                else
                        tap_ok(r == -EINVAL && !path, name);
        }
}

static void test_sysctl_value_equal(void) {
        static const struct {
                const char *a, *b;
                bool want;
        } cases[] = {
                { "1", "1", true },
                { "1", "1\n", true },
                { " 1 ", "1", true },
                { "32768 60999", "32768\t60999", true },
                { "32768  60999", "32768\t60999\n", true },
                { "1", "0", false },
                { "1", "10", false },
                { "10", "1", false },
                { "32768 60999", "32768", false },
                { "32768", "32768 60999", false },
                { "", "", true },
                { "", "0", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *a = escaped(cases[i].a), *b = escaped(cases[i].b);
                _cleanup_free_ char *name = xasprintf("sysctl_value_equal '%s' '%s'", a, b);
                tap_ok(sysctl_value_equal(cases[i].a, cases[i].b) == cases[i].want, name);
        }
}

/* Reads that need no privileges and change nothing. */
static void test_sysctl_read(void) {
        _cleanup_free_ char *value = NULL, *error = NULL, *missing = NULL, *missing_error = NULL;
        _cleanup_free_ char *bad_error = NULL;

        tap_ok(sysctl_read("kernel.ostype", &value, &error) == 0, "sysctl_read kernel.ostype");
        tap_streq(value, "Linux", "kernel.ostype is trimmed 'Linux'");
        tap_ok(sysctl_read("net.ipv4.kp_no_such_setting", &missing, &missing_error) == -ENOENT && !missing,
               "sysctl_read of a missing name is -ENOENT");
        tap_streq(missing_error,
                  "sysctl net.ipv4.kp_no_such_setting does not exist (no "
                  "/proc/sys/net/ipv4/kp_no_such_setting)",
                  "missing sysctl message");
        tap_ok(sysctl_read("net/../../etc/hostname", &missing, &bad_error) == -EINVAL,
               "sysctl_read refuses '..'");
        tap_streq(bad_error, "invalid sysctl name 'net/../../etc/hostname'", "invalid name message");
}

/* A module this kernel really has: first from /proc/modules, else a /sys/module entry. */
static char *some_present_module(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/modules", "re");
        char name[256];

        if (f && fscanf(f, "%255s", name) == 1)
                return xstrdup(name);
        DIR *d = opendir("/sys/module");
        if (!d)
                return NULL;
        char *found = NULL;
        for (struct dirent *de; !found && (de = readdir(d));)
                if (de->d_name[0] != '.' && strchr(de->d_name, '_'))
                        found = xstrdup(de->d_name);
        closedir(d);
        return found;
}

static void test_module_loaded(void) {
        _cleanup_free_ char *module = some_present_module();

        tap_ok(!kernel_module_loaded("kp_no_such_module"), "kp_no_such_module is not loaded");
        tap_ok(!kernel_module_loaded("kp-no-such-module"), "kp-no-such-module is not loaded");
        tap_ok(!kernel_module_loaded(""), "empty module name is not loaded");
        tap_ok(!kernel_module_loaded(".."), "'..' is not a module");
        tap_ok(!kernel_module_loaded("../module"), "a path is not a module");
        if (!module) {
                tap_skip("a present module is reported loaded",
                         "no module listed in /proc/modules or /sys/module");
                return;
        }
        _cleanup_free_ char *name = xasprintf("present module %s is loaded", module);
        tap_ok(kernel_module_loaded(module), name);
        if (strchr(module, '_')) {
                _cleanup_free_ char *dashed = xstrdup(module), *dashed_name = NULL;
                for (char *p = dashed; *p; p++)
                        if (*p == '_')
                                *p = '-';
                dashed_name = xasprintf("dashed spelling %s is loaded too", dashed);
                tap_ok(kernel_module_loaded(dashed), dashed_name);
        }
}

/* Collapse whitespace runs to one space and trim: iproute2 versions differ in trailing blanks. */
static char *squeeze(const char *s) {
        struct buf b = {};

        buf_puts(&b, "");
        for (; s && *s; s++) {
                if (isspace((unsigned char) *s)) {
                        if (b.len > 0 && b.data[b.len - 1] != ' ')
                                buf_putc(&b, ' ');
                } else
                        buf_putc(&b, *s);
        }
        if (b.len > 0 && b.data[b.len - 1] == ' ')
                b.data[--b.len] = '\0';
        return buf_steal(&b);
}

static char *ip_route_show_default(void) {
        _cleanup_free_ char *out = run_capture("ip -4 route show default table main");
        return squeeze(out);
}

static int run(const char *command) {
        int status = system(command);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Drop the kernel's own words ("(kernel: ...)"), which change between kernel versions. */
static char *without_kernel_text(const char *message) {
        const char *k = message ? strstr(message, " (kernel: ") : NULL;
        return message ? xstrndup(message, k ? (size_t) (k - message) : strlen(message)) : NULL;
}

static void check_absent(const char *name) {
        struct rtnl_default_route route = { .present = true };
        _cleanup_free_ char *error = NULL, *shown = NULL;

        tap_ok(rtnl_get_default_route(&route, &error) == 0 && !route.present, name);
        shown = ip_route_show_default();
        tap_streq(shown, "", "ip route show default agrees: none");
}

static void check_present(const char *name, const char *gateway, int ifindex, const char *ifname,
                          uint32_t metric, bool onlink) {
        struct rtnl_default_route route = {};
        _cleanup_free_ char *error = NULL, *what = NULL;

        tap_ok(rtnl_get_default_route(&route, &error) == 0, name);
        what = xasprintf("%s: present", name);
        tap_ok(route.present, what);
        free(what);
        what = xasprintf("%s: gateway %s", name, gateway);
        tap_ok(route.gateway == ip(gateway), what);
        free(what);
        what = xasprintf("%s: ifindex", name);
        tap_ok(route.ifindex == ifindex, what);
        free(what);
        what = xasprintf("%s: ifname", name);
        tap_streq(route.ifname, ifname, what);
        free(what);
        what = xasprintf("%s: metric %u, onlink %d, unicast", name, metric, onlink);
        tap_ok(route.metric == metric && route.onlink == onlink && route.type == RTN_UNICAST, what);
}

static void test_routes(const char *ifname) {
        struct rtnl_iface_addr iface = {}, named = {}, lo = {};
        _cleanup_free_ char *error = NULL, *shown = NULL, *want = NULL, *got = NULL;
        int r;

        check_absent("fresh namespace: no default route");

        r = rtnl_find_interface(NULL, &iface, &error);
        tap_ok(r == 1, "find_interface(NULL) finds one");
        tap_streq(iface.ifname, ifname, "it is the veth");
        tap_ok(iface.addr == ip("192.0.2.10") && iface.prefixlen == 24, "with 192.0.2.10/24");
        tap_ok(iface.up && iface.ifindex == (int) if_nametoindex(ifname), "up, right ifindex");
        tap_ok(rtnl_find_interface(ifname, &named, &error) == 1 && named.ifindex == iface.ifindex &&
                       named.addr == iface.addr && named.prefixlen == 24,
               "find_interface(name) finds the same address");
        tap_ok(rtnl_find_interface("lo", &lo, &error) == 0, "lo has no global-scope address");
        tap_ok(rtnl_find_interface("kp-nonexistent", &lo, &error) == -ENODEV, "unknown name is -ENODEV");
        tap_streq(error, "no network interface named 'kp-nonexistent'", "unknown name message");
        free(TAKE_PTR(error));
        tap_ok(rtnl_in_subnet(iface.addr, iface.prefixlen, ip("192.0.2.1")) &&
                       !rtnl_in_subnet(iface.addr, iface.prefixlen, ip("198.51.100.1")),
               "192.0.2.1 is on the subnet, 198.51.100.1 is not");

        /* On-subnet gateway, no onlink needed. */
        r = rtnl_add_default_route(iface.ifindex, ip("192.0.2.1"), false, &error);
        tap_ok(r == 1, "add default via 192.0.2.1 returns 1");
        if (error)
                tap_diag(error);
        free(TAKE_PTR(error));
        check_present("after add", "192.0.2.1", iface.ifindex, ifname, 0, false);
        shown = ip_route_show_default();
        /* The host end of the veth stays down, hence "linkdown". */
        want = xasprintf("default via 192.0.2.1 dev %s proto static linkdown", ifname);
        tap_streq(shown, want, "ip route show default shows it");
        free(TAKE_PTR(shown));
        free(TAKE_PTR(want));

        /* A second add, same or other gateway, is refused and changes nothing. */
        r = rtnl_add_default_route(iface.ifindex, ip("192.0.2.1"), false, &error);
        tap_ok(r == -EEXIST, "adding again is -EEXIST");
        want = xasprintf("cannot add default route via 192.0.2.1 dev %s: the main table already has one "
                         "(via 192.0.2.1 dev %s), which is never replaced",
                         ifname, ifname);
        tap_streq(error, want, "adding again: message");
        free(TAKE_PTR(error));
        free(TAKE_PTR(want));
        tap_ok(rtnl_add_default_route(iface.ifindex, ip("192.0.2.254"), true, &error) == -EEXIST,
               "adding another gateway is -EEXIST too");
        free(TAKE_PTR(error));
        check_present("after refused adds", "192.0.2.1", iface.ifindex, ifname, 0, false);

        tap_ok(run("ip route del default") == 0, "ip route del default");
        check_absent("after delete: no default route");

        /* Off-subnet gateway with onlink. */
        r = rtnl_add_default_route(iface.ifindex, ip("198.51.100.1"), true, &error);
        tap_ok(r == 1, "add default via 198.51.100.1 onlink returns 1");
        if (error)
                tap_diag(error);
        free(TAKE_PTR(error));
        check_present("after onlink add", "198.51.100.1", iface.ifindex, ifname, 0, true);
        shown = ip_route_show_default();
        want = xasprintf("default via 198.51.100.1 dev %s proto static onlink linkdown", ifname);
        tap_streq(shown, want, "ip route show default shows it onlink");
        free(TAKE_PTR(shown));
        free(TAKE_PTR(want));
        tap_ok(run("ip route del default") == 0, "ip route del default");

        /* Off-subnet gateway without onlink: the kernel refuses; the message says what to do. */
        r = rtnl_add_default_route(iface.ifindex, ip("198.51.100.1"), false, &error);
        tap_ok(r == -ENETUNREACH, "off-subnet gateway without onlink is -ENETUNREACH");
        if (error)
                tap_diag(error);
        got = without_kernel_text(error);
        want = xasprintf(
                "cannot add default route via 198.51.100.1 dev %s: the gateway is not reachable on that "
                "interface; a gateway outside the interface's subnet needs the onlink flag",
                ifname);
        tap_streq(got, want, "off-subnet message");
        free(TAKE_PTR(error));
        free(TAKE_PTR(want));
        free(TAKE_PTR(got));
        check_absent("nothing added by the refused route");

        /* A device route: "default dev IF", no gateway. */
        tap_ok(rtnl_add_default_route(iface.ifindex, 0, false, &error) == 1, "add default dev IF returns 1");
        free(TAKE_PTR(error));
        shown = ip_route_show_default();
        want = xasprintf("default dev %s proto static scope link linkdown", ifname);
        tap_streq(shown, want, "ip route show default shows the device route");
        free(TAKE_PTR(shown));
        free(TAKE_PTR(want));
        tap_ok(run("ip route del default") == 0, "ip route del default");

        /* Several defaults: the lowest metric is the one reported, and the add still refuses. */
        want = xasprintf("ip route add default via 192.0.2.1 dev %s metric 200 && "
                         "ip route add default via 192.0.2.2 dev %s metric 100",
                         ifname, ifname);
        tap_ok(run(want) == 0, "ip route add two defaults (metric 200, 100)");
        free(TAKE_PTR(want));
        check_present("two defaults", "192.0.2.2", iface.ifindex, ifname, 100, false);
        tap_ok(rtnl_add_default_route(iface.ifindex, ip("192.0.2.3"), false, &error) == -EEXIST,
               "add with other-metric defaults present is -EEXIST");
        free(TAKE_PTR(error));
        tap_ok(run("ip route del default metric 100 && ip route del default metric 200") == 0,
               "delete both");
        check_absent("after deleting both");

        tap_ok(rtnl_add_default_route(999999, ip("192.0.2.1"), false, &error) == -ENODEV,
               "unknown ifindex is -ENODEV");
        tap_streq(error, "cannot add default route via 192.0.2.1 dev ?: no interface with index 999999",
                  "unknown ifindex message");
        free(TAKE_PTR(error));
        check_absent("nothing added for an unknown ifindex");
}

static char *read_proc_file(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[64];

        if (!f || !fgets(line, sizeof(line), f))
                return NULL;
        return xstrdup(line);
}

/* net.ipv4.ip_forward is per network namespace: safe to flip inside the test namespace only. */
static void test_ip_forward(void) {
        _cleanup_free_ char *value = NULL, *error = NULL, *raw = NULL;
        int r;

        r = sysctl_write("net.ipv4.ip_forward", "0", &error);
        tap_ok(r == 0 || r == 1, "ip_forward set to 0 to start with");
        tap_ok(sysctl_read("net.ipv4.ip_forward", &value, &error) == 0, "read ip_forward");
        tap_streq(value, "0", "ip_forward is 0");
        free(TAKE_PTR(value));

        tap_ok(sysctl_write("net.ipv4.ip_forward", "1", &error) == 1, "write 1 returns 1 (changed)");
        raw = read_proc_file("/proc/sys/net/ipv4/ip_forward");
        tap_streq(raw, "1\n", "/proc/sys/net/ipv4/ip_forward now reads 1");
        tap_ok(sysctl_read("net/ipv4/ip_forward", &value, &error) == 0, "read by path form");
        tap_streq(value, "1", "sysctl_read agrees: 1");
        free(TAKE_PTR(value));
        tap_ok(sysctl_write("net.ipv4.ip_forward", "1", &error) == 0, "write 1 again returns 0 (unchanged)");

        tap_ok(sysctl_write("net.ipv4.ip_forward", "bogus", &error) == -EINVAL, "kernel refuses 'bogus'");
        tap_streq(error, "the kernel refused value 'bogus' for sysctl net.ipv4.ip_forward",
                  "refusal message");
        free(TAKE_PTR(error));
        tap_ok(sysctl_write("net.ipv4.ip_forward", "1\n0", &error) == -EINVAL, "multi-line value refused");
        tap_streq(error, "invalid value for sysctl net.ipv4.ip_forward: must be one non-empty line",
                  "multi-line message");
        free(TAKE_PTR(error));
        tap_ok(sysctl_write("net.ipv4.kp_no_such_setting", "1", &error) == -ENOENT,
               "write to missing is -ENOENT");
        free(TAKE_PTR(error));
        free(TAKE_PTR(raw));
        raw = read_proc_file("/proc/sys/net/ipv4/ip_forward");
        tap_streq(raw, "1\n", "ip_forward still 1 after refused writes");
}

/* Whether we run inside the namespace the wrapper made for us: never touch a real node's routes. */
static bool in_test_namespace(const char **ret_ifname) {
        const char *netns = getenv("KP_TEST_NETNS"), *ifname = getenv("KP_TEST_IFNAME");
        _cleanup_free_ char *out = NULL, *current = NULL;

        if (!netns || !*netns || !ifname || !*ifname)
                return false;
        out = run_capture("ip netns identify");
        current = squeeze(out);
        if (!streq(current, netns))
                return false;
        *ret_ifname = ifname;
        return true;
}

int main(void) {
        const char *ifname = NULL;

        test_in_subnet();
        test_sysctl_path();
        test_sysctl_value_equal();
        test_sysctl_read();
        test_module_loaded();

        if (in_test_namespace(&ifname)) {
                test_routes(ifname);
                test_ip_forward();
        } else
                tap_skip("live route and ip_forward tests",
                         "not inside the test namespace (run via tests/integration/netns-rtnl.sh)");
        return tap_done();
}
