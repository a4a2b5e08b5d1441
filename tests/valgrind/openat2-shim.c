/* SPDX-License-Identifier: MIT */
/* Test-only LD_PRELOAD for tests/integration/valgrind.sh: valgrind before 3.20
 * does not know openat2(2) and answers ENOSYS, and kubeprep has no fallback on
 * purpose. This emulates the RESOLVE_IN_ROOT lookups kubeprep makes, one
 * component at a time (racy, so never for anything but these tests), and hands
 * every other syscall(2) to libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_PATH 4096
#define MAX_LINKS 40

/* Pop the first component of *rest into name; 0 when there is none left. */
static int next_component(char **rest, char *name) {
        char *p = *rest;
        while (*p == '/')
                p++;
        if (!*p)
                return 0;
        size_t n = strcspn(p, "/");
        if (n >= 256)
                return -ENAMETOOLONG;
        memcpy(name, p, n);
        name[n] = 0;
        *rest = p + n;
        return 1;
}

static long emulate_openat2(int dirfd, const char *path, const struct open_how *how, size_t size) {
        if (size < sizeof(*how) || !(how->resolve & RESOLVE_IN_ROOT))
                return -ENOSYS;
        /* todo: the path still to walk; done: the resolved path relative to dirfd. */
        char todo[MAX_PATH], done[MAX_PATH] = "", name[256];
        if (strlen(path) >= sizeof(todo))
                return -ENAMETOOLONG;
        strcpy(todo, path);
        char *rest = todo;
        bool nofollow = how->flags & O_NOFOLLOW;
        int links = 0, k;
        while ((k = next_component(&rest, name)) > 0) {
                bool last = strspn(rest, "/") == strlen(rest);
                if (!strcmp(name, "."))
                        continue;
                if (!strcmp(name, "..")) { /* clamped at the root */
                        char *slash = strrchr(done, '/');
                        *(slash ? slash : done) = 0;
                        continue;
                }
                char cand[MAX_PATH];
                if ((size_t) snprintf(cand, sizeof(cand), "%s%s%s", done, *done ? "/" : "", name) >=
                    sizeof(cand))
                        return -ENAMETOOLONG;
                struct stat st;
                if (fstatat(dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode) ||
                    (last && nofollow)) {
                        strcpy(done, cand); /* absent, or not a link: openat() says what it is */
                        continue;
                }
                if ((how->resolve & RESOLVE_NO_SYMLINKS) || ++links > MAX_LINKS)
                        return -ELOOP;
                char target[MAX_PATH], joined[MAX_PATH];
                ssize_t n = readlinkat(dirfd, cand, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                target[n] = 0;
                if ((size_t) snprintf(joined, sizeof(joined), "%s%s", target, rest) >= sizeof(joined))
                        return -ENAMETOOLONG;
                strcpy(todo, joined);
                rest = todo;
                if (target[0] == '/')
                        done[0] = 0;
        }
        if (k < 0)
                return k;
        int fd = openat(dirfd, *done ? done : ".", (int) how->flags, (mode_t) how->mode);
        return fd < 0 ? -errno : fd;
}

long syscall(long nr, ...) {
        va_list ap;
        va_start(ap, nr);
        long a[6];
        for (int i = 0; i < 6; i++)
                a[i] = va_arg(ap, long);
        va_end(ap);
        if (nr == SYS_openat2) {
                long r = emulate_openat2((int) a[0], (const char *) a[1], (const struct open_how *) a[2],
                                         (size_t) a[3]);
                if (r < 0) {
                        errno = (int) -r;
                        return -1;
                }
                return r;
        }
        static long (*real)(long, ...);
        if (!real)
                real = (long (*)(long, ...)) dlsym(RTLD_NEXT, "syscall");
        return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
