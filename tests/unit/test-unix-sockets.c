/* SPDX-License-Identifier: MIT */
/* Tests for preflight/system/unix-sockets.c: a socket path is listening only when the kernel's
 * table (here a file in /proc/net/unix's format) lists a listening socket at that path, its
 * directory resolved; a socket file nobody listens on is stale; no file is absent. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "basic/util.h"
#include "system/unix-sockets.h"
#include "tap.h"
#include "test-util.h"

static char *tmp;

/* A socket file at path, left behind by a socket that is closed again. */
static void make_socket_file(const char *path) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                tap_diag(path);
        if (fd >= 0)
                close(fd);
}

int main(void) {
        char templ[] = "/tmp/kubeprep-unix-sockets.XXXXXX";
        tmp = mkdtemp(templ);
        _cleanup_free_ char *run = xasprintf("%s/run", tmp), *varrun = xasprintf("%s/var-run", tmp);
        _cleanup_free_ char *a = xasprintf("%s/a.sock", run), *b = xasprintf("%s/b.sock", run);
        _cleanup_free_ char *via_link = xasprintf("%s/a.sock", varrun), *table = xasprintf("%s/unix", tmp);
        _cleanup_free_ char *regular = xasprintf("%s/regular", run),
                            *missing = xasprintf("%s/missing.sock", run);
        mkdir(run, 0755);
        if (symlink("run", varrun) < 0)
                tap_diag("symlink");
        make_socket_file(a);
        make_socket_file(b);
        write_file(regular, "x", 1);
        /* The kernel's format: a listening socket (flags 00010000) bound at a, one connected
         * socket that names b, an abstract one. */
        _cleanup_free_ char *text =
                xasprintf("Num       RefCount Protocol Flags    Type St Inode Path\n"
                          "0000000000000000: 00000002 00000000 00010000 0001 01 1001 %s\n"
                          "0000000000000000: 00000003 00000000 00000000 0001 03 1002 %s\n"
                          "0000000000000000: 00000002 00000000 00010000 0001 01 1003 @/abstract\n"
                          "0000000000000000: 00000003 00000000 00000000 0001 03 1004\n",
                          a, b);
        write_file(table, text, strlen(text));

        static const char *const names[] = { "absent", "stale", "listening" };
        const struct {
                const char *path, *name;
                enum unix_socket_state want;
        } cases[] = {
                { a, "a listening socket", UNIX_SOCKET_LISTENING },
                { via_link, "the same socket through a linked directory (/var/run -> /run)",
                  UNIX_SOCKET_LISTENING },
                { b, "a socket file only a connected socket names: stale", UNIX_SOCKET_STALE },
                { regular, "a regular file: absent", UNIX_SOCKET_ABSENT },
                { missing, "no file: absent", UNIX_SOCKET_ABSENT },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                enum unix_socket_state st = 99;
                int k = unix_socket_state_in(table, cases[i].path, &st);
                tap_ok(k == 0 && st == cases[i].want, cases[i].name);
                if (k == 0 && st != cases[i].want && st <= UNIX_SOCKET_LISTENING)
                        tap_diag(names[st]);
        }
        _cleanup_free_ char *no_table = xasprintf("%s/no-such-table", tmp);
        enum unix_socket_state st;
        tap_ok(unix_socket_state_in(no_table, a, &st) == -ENOENT, "an unreadable table is an error");
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmp);
        (void) !system(cmd);
        return tap_done();
}
