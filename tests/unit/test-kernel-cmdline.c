/* SPDX-License-Identifier: MIT */
/* Kernel command lines: which parameters are in effect, and cmdline.txt's one line extended. */
#include "basic/util.h"
#include "formats/kernel-cmdline.h"
#include "tap.h"

static const char *const cgroups[] = { "cgroup_enable=memory", "cgroup_memory=1", "cgroup_enable=cpuset" };

static bool in_effect(const char *line, const char *param) {
        return cmdline_param_in_effect(line, strlen(line), param);
}

static void test_effect(void) {
        tap_ok(in_effect("ro cgroup_enable=memory", "cgroup_enable=memory"), "present");
        tap_ok(!in_effect("cgroup_enable=memory cgroup_disable=memory", "cgroup_enable=memory"),
               "a later cgroup_disable wins");
        tap_ok(in_effect("cgroup_disable=memory,cpuset cgroup_enable=cpuset,memory", "cgroup_enable=memory"),
               "lists: the later enable wins");
        tap_ok(!in_effect("cgroup_enable=memoryx", "cgroup_enable=memory"), "another controller's name");
        tap_ok(!in_effect("cgroup_memory=1 cgroup_memory=0", "cgroup_memory=1"), "the last KEY= wins");
        tap_ok(in_effect("cgroup_memory=0 cgroup_memory=1", "cgroup_memory=1"), "the last KEY= wins (set)");
        tap_ok(!in_effect("x=\"a cgroup_memory=1\"", "cgroup_memory=1"),
               "inside double quotes it is no word");
}

static void txt(const char *text, const char *want, const char *what) {
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        int k = cmdline_txt_add(text, strlen(text), cgroups, ELEMENTSOF(cgroups), &out, &len, &err);
        if (!want) {
                tap_ok(k == 0 && !out, what);
                return;
        }
        tap_ok(k == 1, what);
        tap_streq(out, want, what);
}

static void test_txt(void) {
        /* Raspberry Pi OS's /boot/firmware/cmdline.txt (its PARTUUID replaced). */
        txt("console=serial0,115200 console=tty1 root=PARTUUID=0a1b2c3d-02 rootfstype=ext4 fsck.repair=yes "
            "rootwait\n",
            "console=serial0,115200 console=tty1 root=PARTUUID=0a1b2c3d-02 rootfstype=ext4 fsck.repair=yes "
            "rootwait cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset\n",
            "Raspberry Pi OS: the three words at the end of the line");
        txt("root=/dev/mmcblk0p2 rootwait  ",
            "root=/dev/mmcblk0p2 rootwait cgroup_enable=memory cgroup_memory=1 "
            "cgroup_enable=cpuset  ",
            "no newline; trailing blanks stay after the new words");
        txt("a cgroup_memory=1\r\n", "a cgroup_memory=1 cgroup_enable=memory cgroup_enable=cpuset\r\n",
            "only those not in effect; CRLF kept");
        txt("a cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset\n", NULL,
            "all in effect: unchanged");
        txt("", "cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset", "an empty file");
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        tap_ok(cmdline_txt_add("a\nb\n", 4, cgroups, 3, &out, &len, &err) == -EBADMSG,
               "a second line is refused");
        tap_streq(err, "line 2: cmdline.txt must be a single line", "named");
        free(err);
        err = NULL;
        tap_ok(cmdline_txt_add("a\n\n  \n", 6, cgroups, 3, &out, &len, &err) == 1,
               "blank lines after it are no line");
}

int main(void) {
        test_effect();
        test_txt();
        return tap_done();
}
