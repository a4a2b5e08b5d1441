/* SPDX-License-Identifier: MIT */
/* Tests for preflight/system/swaps.c: /proc/swaps-format files read with libmount (a fixture in
 * the kernel's own format, see tests/fixtures/swaps/SOURCES), and what the swap fixer relies on:
 * escaped names decoded, no file means no swap, a line that is no swap area is refused. */
#include <stdlib.h>

#include "basic/util.h"
#include "system/swaps.h"
#include "tap.h"
#include "test-util.h"

static char *tmp;

static char *scratch_file(const char *name, const char *text) {
        char *path = xasprintf("%s/%s", tmp, name);
        if (write_file(path, text, strlen(text)) < 0)
                tap_diag(path);
        return path;
}

static void test_fixture(const char *root) {
        _cleanup_free_ char *path = xasprintf("%s/tests/fixtures/swaps/proc-swaps", root);
        _cleanup_free_ char *err = NULL;
        struct strv a = {};
        tap_ok(swaps_read(path, &a, &err) == 0 && a.n == 2, "the kernel's format parses: two areas");
        tap_ok(a.n == 2 && streq(a.items[0], "/dev/dm-1") && streq(a.items[1], "/swap file"),
               "names, with \\040 decoded");
        strv_free(&a);
}

static void test_no_swap(void) {
        _cleanup_free_ char *path =
                scratch_file("header-only", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
        _cleanup_free_ char *missing = xasprintf("%s/missing", tmp), *err = NULL;
        struct strv a = { .n = 99 };
        tap_ok(swaps_read(path, &a, &err) == 0 && a.n == 0 && !err, "the header alone: no swap");
        a = (struct strv){ .n = 99 };
        tap_ok(swaps_read(missing, &a, &err) == 0 && a.n == 0 && !err,
               "no file (a kernel without swap support): no swap");
}

static void test_refused(void) {
        _cleanup_free_ char *path = scratch_file("bad", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                                        "/dev/dm-1 partition 8388604 0 -2\n"
                                                        "/dev/dm-2\n");
        _cleanup_free_ char *err = NULL, *want = xasprintf("%s: cannot parse line 3", path);
        struct strv a = {};
        tap_ok(swaps_read(path, &a, &err) == -EBADMSG && a.n == 0, "a line that is no swap area: -EBADMSG");
        tap_streq(err, want, "the message names the file and the line");
}

static void test_live(void) {
        _cleanup_free_ char *err = NULL;
        struct strv a = {};
        tap_ok(swaps_read_active(&a, &err) == 0 && !err, "this machine's /proc/swaps reads");
        strv_free(&a);
}

int main(void) {
        const char *root = getenv("SOURCE_ROOT");
        char tmpl[] = "/tmp/kubeprep-swaps-XXXXXX";
        tmp = mkdtemp(tmpl);
        if (!tmp)
                return 1;
        test_fixture(root && *root ? root : ".");
        test_no_swap();
        test_refused();
        test_live();
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmp);
        if (system(cmd) != 0)
                tap_diag(cmd);
        return tap_done();
}
