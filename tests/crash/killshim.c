/* SPDX-License-Identifier: MIT */
/* An LD_PRELOAD library for the crash-consistency test: it counts every call
 * that changes the file system (writes, fsyncs, renames, creates, removes,
 * chmod/chown) and SIGKILLs the process at the Nth one, before or after it
 * is carried out, so the test can stop kubeprep at every step of a commit.
 *
 *   KILLSHIM_AT=N              kill at the Nth call (unset or 0: never)
 *   KILLSHIM_WHEN=before|after kill before the call (default) or right after it
 *   KILLSHIM_LOG=FILE          append one line per counted call ("N name arg")
 *
 * Writes to fds 0-2 are not counted, so output never shifts the numbering. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* The shim defines both open and open64 (and so on): no header redirection. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static unsigned long calls;

static unsigned long kill_at(void) {
        const char *s = getenv("KILLSHIM_AT");
        return s ? strtoul(s, NULL, 10) : 0;
}

static int kill_after(void) {
        const char *s = getenv("KILLSHIM_WHEN");
        return s && strcmp(s, "after") == 0;
}

/* Log with the raw syscall: the log itself must not be counted. */
static void log_call(unsigned long n, const char *name, const char *arg) {
        const char *path = getenv("KILLSHIM_LOG");
        if (!path)
                return;
        int fd = (int) syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        char line[512];
        int len = snprintf(line, sizeof(line), "%lu %s %s\n", n, name, arg ? arg : "");
        if (len > (int) sizeof(line) - 1)
                len = (int) sizeof(line) - 1;
        (void) syscall(SYS_write, fd, line, (size_t) len);
        (void) syscall(SYS_close, fd);
}

/* Called before each counted call; returns whether to kill after it. */
static int before(const char *name, const char *arg) {
        unsigned long n = ++calls;
        log_call(n, name, arg);
        if (n != kill_at())
                return 0;
        if (kill_after())
                return 1;
        raise(SIGKILL);
        return 0;
}

static void after(int do_kill) {
        if (do_kill)
                raise(SIGKILL);
}

#define REAL(ret, name, ...)                    \
        static ret (*real_##name)(__VA_ARGS__); \
        if (!real_##name)                       \
        real_##name = (ret(*)(__VA_ARGS__)) dlsym(RTLD_NEXT, #name)

/* A counted call: `name` with `arg` for the log, then `call`, then maybe die. */
#define COUNTED(type, name, arg, call)      \
        do {                                \
                int k_ = before(name, arg); \
                type r_ = call;             \
                int e_ = errno;             \
                after(k_);                  \
                errno = e_;                 \
                return r_;                  \
        } while (0)

static int is_std(int fd) {
        return fd >= 0 && fd <= 2;
}

ssize_t write(int fd, const void *buf, size_t n) {
        REAL(ssize_t, write, int, const void *, size_t);
        if (is_std(fd))
                return real_write(fd, buf, n);
        COUNTED(ssize_t, "write", NULL, real_write(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
        REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
        if (is_std(fd))
                return real_pwrite(fd, buf, n, off);
        COUNTED(ssize_t, "pwrite", NULL, real_pwrite(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
        REAL(ssize_t, pwrite64, int, const void *, size_t, off_t);
        if (is_std(fd))
                return real_pwrite64(fd, buf, n, off);
        COUNTED(ssize_t, "pwrite64", NULL, real_pwrite64(fd, buf, n, off));
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
        REAL(ssize_t, writev, int, const struct iovec *, int);
        if (is_std(fd))
                return real_writev(fd, iov, cnt);
        COUNTED(ssize_t, "writev", NULL, real_writev(fd, iov, cnt));
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
        REAL(ssize_t, pwritev, int, const struct iovec *, int, off_t);
        COUNTED(ssize_t, "pwritev", NULL, real_pwritev(fd, iov, cnt, off));
}

int fsync(int fd) {
        REAL(int, fsync, int);
        COUNTED(int, "fsync", NULL, real_fsync(fd));
}

int fdatasync(int fd) {
        REAL(int, fdatasync, int);
        COUNTED(int, "fdatasync", NULL, real_fdatasync(fd));
}

int ftruncate(int fd, off_t len) {
        REAL(int, ftruncate, int, off_t);
        COUNTED(int, "ftruncate", NULL, real_ftruncate(fd, len));
}

int fchmod(int fd, mode_t mode) {
        REAL(int, fchmod, int, mode_t);
        COUNTED(int, "fchmod", NULL, real_fchmod(fd, mode));
}

int fchown(int fd, uid_t uid, gid_t gid) {
        REAL(int, fchown, int, uid_t, gid_t);
        COUNTED(int, "fchown", NULL, real_fchown(fd, uid, gid));
}

int fchmodat(int dfd, const char *path, mode_t mode, int flags) {
        REAL(int, fchmodat, int, const char *, mode_t, int);
        COUNTED(int, "fchmodat", path, real_fchmodat(dfd, path, mode, flags));
}

int fchownat(int dfd, const char *path, uid_t uid, gid_t gid, int flags) {
        REAL(int, fchownat, int, const char *, uid_t, gid_t, int);
        COUNTED(int, "fchownat", path, real_fchownat(dfd, path, uid, gid, flags));
}

int rename(const char *from, const char *to) {
        REAL(int, rename, const char *, const char *);
        COUNTED(int, "rename", to, real_rename(from, to));
}

int renameat(int fd1, const char *from, int fd2, const char *to) {
        REAL(int, renameat, int, const char *, int, const char *);
        COUNTED(int, "renameat", to, real_renameat(fd1, from, fd2, to));
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags) {
        REAL(int, renameat2, int, const char *, int, const char *, unsigned);
        COUNTED(int, "renameat2", to, real_renameat2(fd1, from, fd2, to, flags));
}

int link(const char *from, const char *to) {
        REAL(int, link, const char *, const char *);
        COUNTED(int, "link", to, real_link(from, to));
}

int linkat(int fd1, const char *from, int fd2, const char *to, int flags) {
        REAL(int, linkat, int, const char *, int, const char *, int);
        COUNTED(int, "linkat", to, real_linkat(fd1, from, fd2, to, flags));
}

int symlink(const char *target, const char *path) {
        REAL(int, symlink, const char *, const char *);
        COUNTED(int, "symlink", path, real_symlink(target, path));
}

int symlinkat(const char *target, int dfd, const char *path) {
        REAL(int, symlinkat, const char *, int, const char *);
        COUNTED(int, "symlinkat", path, real_symlinkat(target, dfd, path));
}

int unlink(const char *path) {
        REAL(int, unlink, const char *);
        COUNTED(int, "unlink", path, real_unlink(path));
}

int unlinkat(int dfd, const char *path, int flags) {
        REAL(int, unlinkat, int, const char *, int);
        COUNTED(int, "unlinkat", path, real_unlinkat(dfd, path, flags));
}

int rmdir(const char *path) {
        REAL(int, rmdir, const char *);
        COUNTED(int, "rmdir", path, real_rmdir(path));
}

int mkdir(const char *path, mode_t mode) {
        REAL(int, mkdir, const char *, mode_t);
        COUNTED(int, "mkdir", path, real_mkdir(path, mode));
}

int mkdirat(int dfd, const char *path, mode_t mode) {
        REAL(int, mkdirat, int, const char *, mode_t);
        COUNTED(int, "mkdirat", path, real_mkdirat(dfd, path, mode));
}

/* O_TMPFILE includes O_DIRECTORY: test all its bits. */
static int creates(int flags) {
        return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* Opening with O_CREAT creates a file (kubeprep's temp files): a step too.
 * Programs built with _FILE_OFFSET_BITS=64 call the *64 names. */
#define OPEN_AT(fn)                                                                 \
        int fn(int dfd, const char *path, int flags, ...) {                         \
                REAL(int, fn, int, const char *, int, ...);                         \
                mode_t mode = 0;                                                    \
                if (creates(flags)) {                                               \
                        va_list ap;                                                 \
                        va_start(ap, flags);                                        \
                        mode = (mode_t) va_arg(ap, int);                            \
                        va_end(ap);                                                 \
                        COUNTED(int, #fn, path, real_##fn(dfd, path, flags, mode)); \
                }                                                                   \
                return real_##fn(dfd, path, flags, mode);                           \
        }
#define OPEN(fn)                                                               \
        int fn(const char *path, int flags, ...) {                             \
                REAL(int, fn, const char *, int, ...);                         \
                mode_t mode = 0;                                               \
                if (creates(flags)) {                                          \
                        va_list ap;                                            \
                        va_start(ap, flags);                                   \
                        mode = (mode_t) va_arg(ap, int);                       \
                        va_end(ap);                                            \
                        COUNTED(int, #fn, path, real_##fn(path, flags, mode)); \
                }                                                              \
                return real_##fn(path, flags, mode);                           \
        }
OPEN_AT(openat)
OPEN_AT(openat64)
OPEN(open)
OPEN(open64)
