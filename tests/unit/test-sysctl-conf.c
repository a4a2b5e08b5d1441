/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's file order (names merged across directories, /etc hiding the vendor's file,
 * /etc/sysctl.conf last) and how a key's assignment is read from a sysctl.d text. */
#include <stdlib.h>

#include "formats/sysctl-conf.h"
#include "tap.h"

static void find(const char *text, const char *name, const char *want, unsigned want_line,
                 const char *what) {
        _cleanup_free_ char *value = NULL;
        unsigned line = 0;
        int k = sysctl_conf_find(text, strlen(text), name, &value, &line);
        if (!want)
                tap_ok(k == 0, what);
        else
                tap_ok(k == 1 && streq(value, want) && line == want_line, what);
}

static void test_find(void) {
        find("net.ipv4.ip_forward = 1\n", "net.ipv4.ip_forward", "1", 1, "plain key = value");
        find("# c\n; c\n\n  net.ipv4.ip_forward=0  \n", "net.ipv4.ip_forward", "0", 4,
             "comments (# and ;), blanks, spacing");
        find("net/ipv4/ip_forward = 0\n", "net.ipv4.ip_forward", "0", 1, "slash separators");
        find("-net.ipv4.ip_forward = 0", "net.ipv4.ip_forward", "0", 1,
             "a leading '-' and no final newline");
        find("net.ipv4.ip_forward=1\nnet.ipv4.ip_forward=0\n", "net.ipv4.ip_forward", "0", 2,
             "the last assignment wins");
        find("net.ipv4.*.x = 0\nnet.ipv4.ip_forwar* = 0\n", "net.ipv4.ip_forward", NULL, 0,
             "glob keys are not explicit settings");
        find("-net.ipv4.ip_forward\n", "net.ipv4.ip_forward", NULL, 0, "a glob exclusion is no assignment");
        find("net.ipv4.ip_forwarding = 0\n", "net.ipv4.ip_forward", NULL, 0,
             "another key with the same prefix");
        find("net.ipv4.conf.eth0/100.forwarding = 0\n", "net.ipv4.conf.eth0/100.forwarding", "0", 1,
             "a '/' inside a dotted component stays");
        find("net/ipv4/conf/eth0.100/forwarding = 0\n", "net.ipv4.conf.eth0/100.forwarding", "0", 1,
             "slash form with a dot in a component is the same key");
        find("net.ipv4.ip_forward = 1 2\r\n", "net.ipv4.ip_forward", "1 2", 1, "value trimmed, CRLF");
}

static int run(const char *cmd) {
        return system(cmd);
}

static void test_order(void) {
        char dir[] = "/tmp/kubeprep-sysctl-XXXXXX";
        if (!mkdtemp(dir)) {
                tap_skip("sysctl.d order", "mkdtemp failed");
                return;
        }
        _cleanup_free_ char *cmd = xasprintf(
                "cd %s && mkdir -p etc/sysctl.d run/sysctl.d usr/lib/sysctl.d usr/local/lib/sysctl.d && "
                "touch etc/sysctl.d/50-b.conf etc/sysctl.d/zz.txt usr/lib/sysctl.d/50-b.conf "
                "usr/lib/sysctl.d/10-a.conf "
                "run/sysctl.d/60-c.conf run/sysctl.d/10-a.conf usr/local/lib/sysctl.d/99-z.conf "
                "etc/sysctl.conf && "
                "ln -s usr/lib lib",
                dir);
        if (run(cmd) != 0) {
                tap_skip("sysctl.d order", "cannot build the tree");
                return;
        }
        struct root *r = NULL;
        struct strv files = {};
        if (root_open(dir, false, &r) < 0 ||
            sysctl_conf_files(r, "/etc/sysctl.d/99-kubeprep.conf", &files) < 0) {
                tap_ok(false, "sysctl_conf_files");
        } else {
                struct buf b = {};
                for (size_t i = 0; i < files.n; i++)
                        buf_printf(&b, "%s\n", files.items[i]);
                tap_streq(b.data,
                          "/run/sysctl.d/10-a.conf\n/etc/sysctl.d/50-b.conf\n/run/sysctl.d/60-c.conf\n"
                          "/etc/sysctl.d/99-kubeprep.conf\n/usr/local/lib/sysctl.d/99-z.conf\n/etc/"
                          "sysctl.conf\n",
                          "merged by name; /etc hides /usr/lib, /run hides /usr/lib; .conf only; the new "
                          "file in "
                          "place; /lib -> usr/lib not twice; /etc/sysctl.conf last");
                buf_free(&b);
        }
        strv_free(&files);
        /* Once written, the file is listed once, where it was. */
        _cleanup_free_ char *touch = xasprintf("touch %s/etc/sysctl.d/99-kubeprep.conf", dir);
        if (r && run(touch) == 0 && sysctl_conf_files(r, "/etc/sysctl.d/99-kubeprep.conf", &files) >= 0)
                tap_ok(files.n == 6 && streq(files.items[3], "/etc/sysctl.d/99-kubeprep.conf"),
                       "the file about to be written, existing, is listed once");
        else
                tap_ok(false, "sysctl_conf_files with the file present");
        strv_free(&files);
        root_free(r);
        _cleanup_free_ char *rm = xasprintf("rm -rf %s", dir);
        (void) run(rm);
}

int main(void) {
        test_find();
        test_order();
        return tap_done();
}
