/* SPDX-License-Identifier: MIT */
/* The `kubeprep lint [--fix] FILE...` verb: read each manifest (or stdin),
 * report its findings as FILE:LINE, and with --fix replace it atomically. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lint/lint.h"

#include "basic/rootfs.h"
#include "basic/util.h"
#include "lint/host-network.h"

/* What lint reads: a regular file with the directory it is in (dfd, name: where --fix
 * replaces it), or stdin or a pipe (dfd -1: nothing to replace). */
struct input {
        int fd;
        int dfd;
        char *name;
        struct stat st;
};

static void input_done(struct input *in) {
        if (in->fd >= 0 && in->fd != STDIN_FILENO)
                close(in->fd);
        if (in->dfd >= 0)
                close(in->dfd);
        free(in->name);
}

/* The most symbolic links one path may go through, as the kernel allows. */
#define LINKS_MAX 40

/* Root runs lint on manifests in users' directories, where a user may swap a name for a
 * link at any moment. So a link is followed only where no one else can change it: in a
 * directory owned by root (or the caller) that no one else may write to, or that is
 * sticky (like /tmp) with the link root's (or the caller's). NULL when safe; else who
 * could change it. */
static char *link_changeable_by(int dfd, const char *name) {
        struct stat d, l;
        if (fstat(dfd, &d) < 0 || fstatat(dfd, name, &l, AT_SYMLINK_NOFOLLOW) < 0)
                return xstrdup("someone");
        uid_t me = geteuid();
        if (d.st_uid != 0 && d.st_uid != me)
                return xasprintf("uid %u", (unsigned) d.st_uid);
        if (!(d.st_mode & 0022))
                return NULL;
        if (d.st_mode & S_ISVTX)
                return l.st_uid == 0 || l.st_uid == me ? NULL : xasprintf("uid %u", (unsigned) l.st_uid);
        return d.st_mode & 0002 ? xstrdup("any user") : xasprintf("group %u", (unsigned) d.st_gid);
}

/* Open name in dfd for reading, as the type st (from an O_PATH open) said: a regular file,
 * or a FIFO (blocking reads, like stdin); never a device. It must still be st's inode. */
static int open_read_at(int dfd, const char *name, int nofollow, const struct stat *st) {
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
                return -EINVAL;
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | nofollow);
        if (fd < 0)
                return -errno;
        struct stat now;
        if (fstat(fd, &now) < 0)
                return -errno;
        if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
                return -ESTALE;
        if (S_ISFIFO(now.st_mode) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* "a/b" + "c" -> "a/b/c": the path as walked, for messages. */
static void walked_push(struct buf *w, const char *comp) {
        if (w->len > 0 && w->data[w->len - 1] != '/')
                buf_putc(w, '/');
        buf_puts(w, comp);
}

/* Drop the last component: the link just met, whose target is walked next. */
static void walked_pop(struct buf *w) {
        char *slash = w->len ? strrchr(w->data, '/') : NULL;
        w->len = slash ? (size_t) (slash - w->data) + (slash == w->data) : 0;
        w->data[w->len] = 0;
}

/* Follow the link comp in *dfd: check it may be followed, then make *todo its target
 * followed by rest. A link to a pipe (/dev/stdin, /dev/fd/N) ends the walk: 1 and
 * *ret_fd when it was the last component. */
static int follow_link(int *dfd, const char *comp, const char *rest, bool last, char **todo,
                       struct buf *walked, unsigned *links, int *ret_fd, char **ret_error) {
        _cleanup_free_ char *who = link_changeable_by(*dfd, comp);
        if (who) {
                set_error(ret_error,
                          "%s is a symbolic link in a directory that %s can change; it is not followed",
                          walked->data, who);
                return -EPERM;
        }
        if (++*links > LINKS_MAX)
                return -ELOOP;
        if (last) {
                _cleanup_close_ int pfd = openat(*dfd, comp, O_PATH | O_CLOEXEC);
                struct stat st;
                if (pfd >= 0 && fstat(pfd, &st) >= 0 && S_ISFIFO(st.st_mode)) {
                        int fd = open_read_at(*dfd, comp, 0, &st);
                        if (fd < 0)
                                return fd;
                        *ret_fd = fd;
                        return 1;
                }
        }
        char target[PATH_MAX];
        ssize_t n = readlinkat(*dfd, comp, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        walked_pop(walked);
        if (target[0] == '/') {
                int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return -errno;
                close(*dfd);
                *dfd = root;
                walked->len = 0;
                buf_putc(walked, '/');
        }
        char *next = xasprintf("%s%s", target, rest);
        free(*todo);
        *todo = next;
        return 0;
}

/* Open path one directory at a time from "/" or ".", each component with O_NOFOLLOW and
 * relative to the directory before it (as systemd's chase() does), so that what is read
 * and later replaced is in the one directory opened, whatever is renamed meanwhile. */
static int open_path(const char *path, struct input *ret, char **ret_error) {
        _cleanup_close_ int dfd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        _cleanup_free_ char *todo = xstrdup(path);
        _cleanup_(buf_free) struct buf walked = {};
        buf_puts(&walked, path[0] == '/' ? "/" : "");
        unsigned links = 0;
        for (size_t off = 0;;) {
                off += strspn(todo + off, "/");
                size_t n = strcspn(todo + off, "/");
                if (n == 0)
                        return -EISDIR;
                _cleanup_free_ char *comp = xstrndup(todo + off, n);
                off += n;
                bool last = todo[off] == 0;
                walked_push(&walked, comp);
                if (last && (streq(comp, ".") || streq(comp, "..")))
                        return -EISDIR;
                _cleanup_close_ int fd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0)
                        return -errno;
                if (S_ISDIR(st.st_mode) && !last) {
                        close(dfd);
                        dfd = TAKE_FD(fd);
                        continue;
                }
                if (!S_ISLNK(st.st_mode)) {
                        if (!last)
                                return -ENOTDIR;
                        int rfd = open_read_at(dfd, comp, O_NOFOLLOW, &st);
                        if (rfd < 0)
                                return rfd;
                        *ret = (struct input){ .fd = rfd, .dfd = TAKE_FD(dfd), .name = TAKE_PTR(comp) };
                        return fstat(ret->fd, &ret->st) < 0 ? -errno : 0;
                }
                int pipe_fd = -EBADF;
                int k = follow_link(&dfd, comp, todo + off, last, &todo, &walked, &links, &pipe_fd,
                                    ret_error);
                if (k < 0)
                        return k;
                if (k > 0) {
                        *ret = (struct input){ .fd = pipe_fd, .dfd = -EBADF };
                        return fstat(ret->fd, &ret->st) < 0 ? -errno : 0;
                }
                off = 0;
        }
}

/* Read a file, or stdin, or a pipe (`lint <(helm template ...)`); never a device. */
static int read_input(const char *path, struct input *in, char **ret_data, size_t *ret_len,
                      char **ret_error) {
        *in = (struct input){ .fd = STDIN_FILENO, .dfd = -EBADF };
        int k = streq(path, "-") ? 0 : open_path(path, in, ret_error);
        if (k < 0)
                return k;
        if (in->fd == STDIN_FILENO && fstat(in->fd, &in->st) < 0)
                return -errno;
        if (S_ISDIR(in->st.st_mode))
                return -EISDIR;
        if (!S_ISREG(in->st.st_mode) && !S_ISFIFO(in->st.st_mode) && !S_ISSOCK(in->st.st_mode))
                return -EINVAL;
        /* Refused before the first byte: a sparse 1 TiB file must not cost memory. */
        if (S_ISREG(in->st.st_mode) && (uint64_t) in->st.st_size > READ_FILE_MAX)
                return -EFBIG;
        oom_note_file(streq(path, "-") ? "standard input" : path);
        return read_fd_to_end(in->fd, S_ISREG(in->st.st_mode) ? (size_t) in->st.st_size : 0, READ_FILE_MAX,
                              ret_data, ret_len);
}

/* Replace the file that was read, in the directory it was read from, keeping its mode and
 * owner; -ESTALE when its name no longer is that file. No backup: lint edits a user's
 * manifests, not the node. */
static int replace_file(const struct input *in, const char *data, size_t len) {
        if (in->dfd < 0 || !S_ISREG(in->st.st_mode))
                return -EINVAL;
        /* The walk kept an O_PATH fd; writing needs a real one (fsync). */
        _cleanup_close_ int dfd = openat(in->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return write_file_atomic_over_at(dfd, in->name, data, len, &in->st);
}

static void print_items(FILE *out, const char *name, const struct lint_result *res, bool fixed) {
        for (size_t i = 0; i < res->n; i++) {
                const struct lint_item *it = &res->items[i];
                if (fixed && it->verdict == LINT_FINDING && !it->in_list) {
                        fprintf(out, "%s:%u: %s: set dnsPolicy: " WANTED_POLICY " (was %s)\n", name,
                                it->line, it->object, it->dns_policy ?: "unset");
                        continue;
                }
                _cleanup_free_ char *msg = lint_item_describe(it);
                fprintf(out, "%s:%u: %s%s\n", name, it->line, msg,
                        fixed && it->verdict == LINT_FINDING ? " (an item of a List: --fix cannot edit it)"
                                                             : "");
        }
}

static size_t count_findings(const struct lint_result *res) {
        size_t n = 0;
        for (size_t i = 0; i < res->n; i++)
                n += res->items[i].verdict == LINT_FINDING;
        return n;
}

/* One file: the exit code it deserves. */
static int lint_one(const char *path, bool fix) {
        bool from_stdin = streq(path, "-");
        const char *name = from_stdin ? "<stdin>" : path;
        /* With --fix, stdin's fixed manifest owns stdout. */
        FILE *out = fix && from_stdin ? stderr : stdout;
        const char *unchanged = fix && !from_stdin ? "; the file was not changed" : "";
        _cleanup_free_ char *text = NULL, *err = NULL, *fixed = NULL;
        size_t len = 0, fixed_len = 0, unfixable = 0;
        _cleanup_(input_done) struct input in = { .fd = -EBADF, .dfd = -EBADF };
        struct lint_result res = {};

        int r = read_input(path, &in, &text, &len, &err);
        if (r < 0 && err) {
                fprintf(stderr, "%s: refused: %s%s\n", name, err, unchanged);
                return 2;
        }
        if (r < 0) {
                if (r == -EFBIG)
                        fprintf(stderr, "%s: cannot read: larger than %zu MiB%s\n", name,
                                READ_FILE_MAX >> 20, unchanged);
                else
                        fprintf(stderr, "%s: cannot read: %s\n", name, strerror(-r));
                return 2;
        }
        r = lint_manifest(text, len, &res, &err);
        if (r < 0) {
                fprintf(stderr, "%s: %s%s\n", name, err ?: strerror(-r), unchanged);
                return 2;
        }
        if (!fix) {
                print_items(out, name, &res, false);
                r = count_findings(&res) > 0 ? 1 : 0;
                lint_result_free(&res);
                return r;
        }

        r = lint_fix_manifest(text, len, &res, &fixed, &fixed_len, &unfixable, &err);
        if (r < 0) {
                fprintf(stderr, "%s: %s%s\n", name, err ?: strerror(-r), unchanged);
                lint_result_free(&res);
                return 2;
        }
        if (from_stdin)
                fwrite(fixed ? fixed : text, 1, fixed ? fixed_len : len, stdout);
        else if (fixed) {
                r = replace_file(&in, fixed, fixed_len);
                if (r == -ESTALE)
                        fprintf(stderr, "%s: changed while kubeprep ran; not written\n", name);
                else if (r < 0)
                        fprintf(stderr, "%s: cannot write: %s%s\n", name, strerror(-r), unchanged);
                if (r < 0) {
                        lint_result_free(&res);
                        return 2;
                }
        }
        print_items(out, name, &res, true);
        lint_result_free(&res);
        return unfixable > 0 ? 1 : 0;
}

int run_lint(const struct options *opts) {
        int worst = 0;
        for (size_t i = 0; i < opts->n_files; i++) {
                int r = lint_one(opts->files[i], opts->fix);
                if (r > worst)
                        worst = r;
        }
        fflush(stdout);
        return worst;
}
