/* SPDX-License-Identifier: MIT */
/* The rooted file layer (see rootfs.h). There is deliberately no fallback for
 * kernels without openat2(): resolving paths by hand is where escapes happen. */
#include "basic/rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

#include "basic/util.h"

/* With RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename or mount anywhere on the
 * system raced with resolving a "..": it cannot prove the path stayed inside. Nothing is
 * wrong with the path, so try again (openat2(2) says so); a bounded number of times, so a
 * real attack that keeps racing still gets an error. */
#define OPENAT2_EAGAIN_RETRIES 64

static int sys_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve) {
        struct open_how how = {
                .flags = (unsigned long long) flags,
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = resolve,
        };
        for (unsigned attempt = 0;; attempt++) {
                long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if ((errno != EAGAIN && errno != EINTR) || attempt >= OPENAT2_EAGAIN_RETRIES)
                        return -errno;
        }
}

/* The host path behind an fd, from /proc/self/fd. */
static int fd_host_path(int fd, char **ret) {
        char proc[64], target[4096];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        *ret = xstrdup(target);
        return 0;
}

int root_open(const char *path, bool live, struct root **ret) {
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Probe openat2 once so an old kernel fails clearly at start. */
        int probe = sys_openat2(fd, ".", O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
        if (probe < 0) {
                close(fd);
                return probe == -ENOSYS ? -ENOSYS : probe;
        }
        close(probe);
        struct root *r = xmalloc(sizeof(*r));
        *r = (struct root){ .fd = fd, .live = live };
        int k = fd_host_path(fd, &r->path);
        if (k < 0)
                r->path = xstrdup(path);
        *ret = r;
        return 0;
}

void root_free(struct root *r) {
        if (!r)
                return;
        if (r->fd >= 0)
                close(r->fd);
        free(r->path);
        free(r);
}

static const char *relative(const char *path) {
        while (*path == '/')
                path++;
        return *path ? path : ".";
}

int root_openat(const struct root *r, const char *path, int flags, mode_t mode,
                unsigned long long extra_resolve) {
        return sys_openat2(r->fd, relative(path), flags | O_CLOEXEC, mode,
                           RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve);
}

/* Split "/a/b/c" into "/a/b" (malloc'ed) and "c". */
static char *dir_of(const char *path, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *ret_base = path;
                return xstrdup("/");
        }
        *ret_base = slash + 1;
        return slash == path ? xstrdup("/") : xstrndup(path, (size_t) (slash - path));
}

int root_open_parent(const struct root *r, const char *path, const char **ret_base) {
        const char *base;
        _cleanup_free_ char *dir = dir_of(path, &base);
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL;
        int fd = root_openat(r, dir, O_RDONLY | O_DIRECTORY, 0, 0);
        if (fd < 0)
                return fd;
        *ret_base = base;
        return fd;
}

/* Turn a host path under the root back into a node path. */
static int node_path_of(const struct root *r, const char *host, char **ret) {
        size_t l = strlen(r->path);
        if (streq(r->path, "/")) {
                *ret = xstrdup(host);
                return 0;
        }
        if (strncmp(host, r->path, l) != 0 || (host[l] != '/' && host[l] != 0))
                return -EXDEV; /* cannot happen with RESOLVE_IN_ROOT; be strict anyway */
        *ret = xstrdup(host[l] ? host + l : "/");
        return 0;
}

int root_resolve(const struct root *r, const char *path, char **ret_resolved) {
        _cleanup_close_ int fd = root_openat(r, path, O_PATH, 0, 0);
        if (fd == -ENOENT) {
                /* Not there (or a dangling link): resolve the directory, keep the name. */
                const char *base;
                _cleanup_free_ char *dir = dir_of(path, &base);
                _cleanup_free_ char *rdir = NULL;
                if (streq(dir, path))
                        return -ENOENT;
                int k = root_resolve(r, dir, &rdir);
                if (k < 0)
                        return k;
                *ret_resolved = xasprintf("%s/%s", streq(rdir, "/") ? "" : rdir, base);
                return 0;
        }
        if (fd < 0)
                return fd;
        _cleanup_free_ char *host = NULL;
        int k = fd_host_path(fd, &host);
        if (k < 0)
                return k;
        return node_path_of(r, host, ret_resolved);
}

int read_fd_whole(int fd, char **ret_data, size_t *ret_len, struct stat *ret_st) {
        return read_fd_whole_max(fd, READ_FILE_MAX, ret_data, ret_len, ret_st);
}

const char *read_strerror(int err) {
        _Static_assert(READ_FILE_MAX == (size_t) 64 << 20, "the message below names the cap");
        return err == -EFBIG ? "larger than 64 MiB" : strerror(-err);
}

int read_fd_to_end(int fd, size_t size_hint, size_t max, char **ret_data, size_t *ret_len) {
        struct buf b = {};
        /* Never presize past max: the loop refuses more anyway, also a file that grows meanwhile. */
        if (size_hint > max)
                size_hint = max;
        /* Room for the NUL and one more byte: the read() that finds the end must not double a
         * buffer that already holds the whole file. */
        b.cap = size_hint > 0 ? size_hint + 2 : 4096;
        b.data = xmalloc(b.cap);
        for (;;) {
                if (b.cap - b.len < 2) {
                        b.cap *= 2;
                        b.data = xrealloc(b.data, b.cap);
                }
                ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = -errno;
                        buf_free(&b);
                        return e;
                }
                if (n == 0)
                        break;
                b.len += (size_t) n;
                if (b.len > max) {
                        buf_free(&b);
                        return -EFBIG;
                }
        }
        b.data[b.len] = 0;
        *ret_len = b.len;
        *ret_data = b.data;
        return 0;
}

int read_fd_whole_max(int fd, size_t max, char **ret_data, size_t *ret_len, struct stat *ret_st) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        /* Before allocating anything: a sparse file costs nothing to make as large as it claims. */
        if ((unsigned long long) st.st_size > max)
                return -EFBIG;
        int k = read_fd_to_end(fd, st.st_size > 0 ? (size_t) st.st_size : 0, max, ret_data, ret_len);
        if (k >= 0 && ret_st)
                *ret_st = st;
        return k;
}

int root_read_file(const struct root *r, const char *path, char **ret_data, size_t *ret_len,
                   struct stat *ret_st) {
        /* O_NONBLOCK so a FIFO planted in the tree cannot hang us; read_fd_whole refuses it. */
        _cleanup_close_ int fd = root_openat(r, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, 0);
        if (fd < 0)
                return fd;
        oom_note_file(path);
        return read_fd_whole(fd, ret_data, ret_len, ret_st);
}

int root_lstat(const struct root *r, const char *path, struct stat *ret_st) {
        const char *base;
        _cleanup_close_ int dfd = root_open_parent(r, path, &base);
        if (dfd < 0)
                return dfd;
        if (fstatat(dfd, base, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

int root_stat(const struct root *r, const char *path, struct stat *ret_st) {
        _cleanup_close_ int fd = root_openat(r, path, O_PATH, 0, 0);
        if (fd < 0)
                return fd;
        if (fstat(fd, ret_st) < 0)
                return -errno;
        return 0;
}

bool root_exists(const struct root *r, const char *path) {
        struct stat st;
        return root_stat(r, path, &st) >= 0;
}

int root_readlink(const struct root *r, const char *path, char **ret_target) {
        const char *base;
        _cleanup_close_ int dfd = root_open_parent(r, path, &base);
        if (dfd < 0)
                return dfd;
        char target[4096];
        ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        *ret_target = xstrdup(target);
        return 0;
}

int write_all(int fd, const void *data, size_t len) {
        const char *p = data;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static char *temp_name_for(const char *name) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return xasprintf(".#%s.kubeprep-%d-%lx", name, (int) getpid(),
                         (unsigned long) (ts.tv_nsec ^ ts.tv_sec));
}

/* Is entry a temp file (or directory) for name that a run which no longer
 * exists left behind: ".#NAME.kubeprep-PID-HEX" with PID gone? A live PID,
 * even an unrelated process that reuses it, keeps its file. */
static bool is_stale_temp(const char *entry, const char *name) {
        static const char tag[] = ".kubeprep-";
        size_t l = strlen(name);
        if (!startswith(entry, ".#") || strncmp(entry + 2, name, l) != 0 || !startswith(entry + 2 + l, tag))
                return false;
        const char *p = entry + 2 + l + strlen(tag);
        char *end;
        errno = 0;
        long pid = strtol(p, &end, 10);
        if (end == p || *end != '-' || pid <= 0 || pid > INT_MAX || errno != 0 || !end[1] ||
            end[1 + strspn(end + 1, "0123456789abcdef")] != 0)
                return false;
        return pid != getpid() && kill((pid_t) pid, 0) < 0 && errno == ESRCH;
}

int remove_stale_temps(int dirfd, const char *name) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        int n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!is_stale_temp(de->d_name, name))
                        continue;
                /* A temp directory (mkdir_atomic_at) is empty: it is filled only after its rename. */
                if (unlinkat(dirfd, de->d_name, 0) >= 0 ||
                    (errno == EISDIR && unlinkat(dirfd, de->d_name, AT_REMOVEDIR) >= 0))
                        n++;
        }
        closedir(d);
        return n;
}

/* Is name in dirfd still the inode old describes (not followed if a link)? */
static int still_same(int dirfd, const char *name, const struct stat *old) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? -ESTALE : -errno;
        return st.st_dev == old->st_dev && st.st_ino == old->st_ino ? 0 : -ESTALE;
}

static int write_atomic(int dirfd, const char *name, int (*fill)(int fd, void *userdata), void *userdata,
                        mode_t mode, uid_t uid, gid_t gid, const struct stat *old) {
        /* A run killed mid-write left its temp file; this write makes it moot. */
        (void) remove_stale_temps(dirfd, name);
        _cleanup_free_ char *tmp = temp_name_for(name);
        _cleanup_close_ int fd =
                openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        int k = fill(fd, userdata);
        if (k >= 0 && (uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0)
                k = -errno;
        /* fchmod after fchown: chown clears set-id bits. */
        if (k >= 0 && fchmod(fd, mode & 07777) < 0)
                k = -errno;
        if (k >= 0 && fsync(fd) < 0)
                k = -errno;
        if (k >= 0 && old)
                k = still_same(dirfd, name, old);
        if (k >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                k = -errno;
        if (k < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return k;
        }
        if (fsync(dirfd) < 0)
                return -errno;
        return 0;
}

struct bytes {
        const void *data;
        size_t len;
};

static int fill_bytes(int fd, void *userdata) {
        const struct bytes *b = userdata;
        return write_all(fd, b->data, b->len);
}

int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t uid,
                         gid_t gid) {
        return write_atomic(dirfd, name, fill_bytes, &(struct bytes){ data, len }, mode, uid, gid, NULL);
}

int write_file_atomic_fill_at(int dirfd, const char *name, int (*fill)(int fd, void *userdata),
                              void *userdata, mode_t mode, uid_t uid, gid_t gid) {
        return write_atomic(dirfd, name, fill, userdata, mode, uid, gid, NULL);
}

int write_file_atomic_over_at(int dirfd, const char *name, const void *data, size_t len,
                              const struct stat *old) {
        return write_atomic(dirfd, name, fill_bytes, &(struct bytes){ data, len }, old->st_mode, old->st_uid,
                            old->st_gid, old);
}

int root_write_file_atomic(const struct root *r, const char *path, const void *data, size_t len, mode_t mode,
                           uid_t uid, gid_t gid) {
        const char *base;
        _cleanup_close_ int dfd = root_open_parent(r, path, &base);
        if (dfd < 0)
                return dfd;
        return write_file_atomic_at(dfd, base, data, len, mode, uid, gid);
}

int root_symlink_atomic(const struct root *r, const char *path, const char *target) {
        const char *base;
        _cleanup_close_ int dfd = root_open_parent(r, path, &base);
        if (dfd < 0)
                return dfd;
        (void) remove_stale_temps(dfd, base);
        _cleanup_free_ char *tmp = temp_name_for(base);
        if (symlinkat(target, dfd, tmp) < 0)
                return -errno;
        if (renameat(dfd, tmp, dfd, base) < 0) {
                int e = -errno;
                (void) unlinkat(dfd, tmp, 0);
                return e;
        }
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int mkdir_atomic_at(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid) {
        (void) remove_stale_temps(dirfd, name);
        _cleanup_free_ char *tmp = temp_name_for(name);
        if (mkdirat(dirfd, tmp, 0700) < 0)
                return -errno;
        int k = 0;
        _cleanup_close_ int fd = openat(dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                k = -errno;
        if (k >= 0 && (uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0)
                k = -errno;
        if (k >= 0 && fchmod(fd, mode & 07777) < 0)
                k = -errno;
        /* NOREPLACE: rename would silently replace an empty directory someone else made. */
        if (k >= 0 && renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) < 0)
                k = -errno;
        if (k < 0) {
                (void) unlinkat(dirfd, tmp, AT_REMOVEDIR);
                return k;
        }
        return fsync(dirfd) < 0 ? -errno : 0;
}

int root_unlink(const struct root *r, const char *path) {
        const char *base;
        _cleanup_close_ int dfd = root_open_parent(r, path, &base);
        if (dfd == -ENOENT)
                return 0;
        if (dfd < 0)
                return dfd;
        if (unlinkat(dfd, base, 0) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fsync(dfd) < 0)
                return -errno;
        return 1;
}

int root_mkdir_p(const struct root *r, const char *path, mode_t mode) {
        if (!path[0] || streq(path, "/"))
                return 0;
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char saved = *s;
                *s = 0;
                const char *base;
                _cleanup_close_ int dfd = root_open_parent(r, p, &base);
                if (dfd < 0)
                        return dfd;
                /* Parents as `install -d` makes them; only the directory asked for gets mode. */
                if (mkdirat(dfd, base, saved ? 0755 : mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = saved;
                if (!saved)
                        break;
        }
        return 0;
}

int root_fsync_dir(const struct root *r, const char *path) {
        _cleanup_close_ int fd = root_openat(r, path, O_RDONLY | O_DIRECTORY, 0, 0);
        if (fd < 0)
                return fd;
        return fsync(fd) < 0 ? -errno : 0;
}

int root_list_dir(const struct root *r, const char *path, struct strv *ret_names) {
        int fd = root_openat(r, path, O_RDONLY | O_DIRECTORY, 0, 0);
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        struct strv names = {};
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        strv_push(&names, xstrdup(de->d_name));
        closedir(d);
        if (names.n)
                qsort(names.items, names.n, sizeof(char *), strcmp_ptr);
        *ret_names = names;
        return 0;
}
