/* SPDX-License-Identifier: MIT */
/* Listening Unix sockets (see unix-sockets.h). A /proc/net/unix line is
 *   Num: RefCount Protocol Flags Type St Inode [Path]
 * with Flags in hex: __SO_ACCEPTCON (0x10000) for a listening socket; an abstract one's path
 * starts with '@'. */
#include "system/unix-sockets.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/rootfs.h"
#include "basic/util.h"

#define SO_ACCEPTCON_FLAG 0x10000UL
/* /proc/net/unix of a busy host is long, but not this long. */
#define UNIX_TABLE_MAX (16u << 20)

/* The path with its directory resolved; NULL when the directory does not resolve. */
static char *canonical(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return NULL;
        _cleanup_free_ char *dir = xstrndup(path, slash == path ? 1 : (size_t) (slash - path));
        char real[PATH_MAX];
        if (!realpath(dir, real))
                return NULL;
        return xasprintf("%s/%s", streq(real, "/") ? "" : real, slash + 1);
}

/* Is a socket with this canonical path listening, as the table's lines say? */
static bool table_lists(const char *text, size_t len, const char *want) {
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup(text + off, n);
                char *fields[8] = {};
                size_t nf = 0;
                for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok && nf < ELEMENTSOF(fields);
                     tok = strtok_r(NULL, " \t", &save))
                        fields[nf++] = tok;
                if (nf < 8 || fields[7][0] != '/')
                        continue;
                char *e;
                unsigned long flags = strtoul(fields[3], &e, 16);
                if (*e || !(flags & SO_ACCEPTCON_FLAG))
                        continue;
                _cleanup_free_ char *listed = canonical(fields[7]);
                if (listed && streq(listed, want))
                        return true;
        }
        return false;
}

int unix_socket_state_in(const char *table, const char *path, enum unix_socket_state *ret) {
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                *ret = UNIX_SOCKET_ABSENT;
                return 0;
        }
        _cleanup_close_ int fd = open(table, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_free_ char *text = NULL, *want = canonical(path);
        size_t len = 0;
        int k = read_fd_to_end(fd, 65536, UNIX_TABLE_MAX, &text, &len);
        if (k < 0)
                return k;
        *ret = want && table_lists(text, len, want) ? UNIX_SOCKET_LISTENING : UNIX_SOCKET_STALE;
        return 0;
}

int unix_socket_state(const char *path, enum unix_socket_state *ret) {
        return unix_socket_state_in("/proc/net/unix", path, ret);
}
