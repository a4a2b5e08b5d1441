/* SPDX-License-Identifier: MIT */
/* The rooted file layer: confinement, atomic writes that keep mode and
 * owner, and refusal of non-regular files. */
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "tap.h"

static char *tmp;

/* Run a shell command; every %s in it stands for the scratch root. */
static void sh(const char *tmpl, const char *arg) {
        struct buf b = {};
        for (const char *p = tmpl; *p; p++) {
                if (p[0] == '%' && p[1] == 's') {
                        buf_puts(&b, arg);
                        p++;
                } else
                        buf_putc(&b, *p);
        }
        _cleanup_free_ char *cmd = buf_steal(&b);
        if (system(cmd) != 0)
                tap_diag(cmd);
}

static void test_confinement(struct root *r) {
        sh("mkdir -p %s/etc %s/outside && echo inside > %s/etc/target", tmp);
        sh("ln -s /etc/target %s/etc/abs && ln -s ../../../../../../../../etc/target %s/etc/rel", tmp);
        char *data = NULL, *res = NULL;
        size_t len;
        tap_ok(root_read_file(r, "/etc/abs", &data, &len, NULL) == 0 && streq(data, "inside\n"),
               "an absolute link resolves inside the root");
        free(data);
        tap_ok(root_read_file(r, "/etc/rel", &data, &len, NULL) == 0 && streq(data, "inside\n"),
               "a relative link with .. is clamped at the root");
        free(data);
        tap_ok(root_resolve(r, "/etc/abs", &res) == 0 && streq(res, "/etc/target"),
               "resolve gives the node path");
        free(res);
        tap_ok(root_resolve(r, "/etc/missing", &res) == 0 && streq(res, "/etc/missing"),
               "a missing file resolves to its own name");
        free(res);
        tap_ok(root_read_file(r, "/etc/missing", &data, &len, NULL) == -ENOENT, "missing is -ENOENT");
        tap_ok(root_read_file(r, "/etc", &data, &len, NULL) == -EISDIR, "a directory is not read");
        sh("mkfifo %s/etc/fifo", tmp);
        tap_ok(root_read_file(r, "/etc/fifo", &data, &len, NULL) == -EINVAL,
               "a FIFO is refused without blocking");
}

static void test_atomic_write(struct root *r) {
        sh("printf old > %s/etc/file && chmod 640 %s/etc/file && chown 65534:65534 %s/etc/file", tmp);
        tap_ok(root_write_file_atomic(r, "/etc/file", "new\n", 4, 0640, 65534, 65534) == 0, "atomic write");
        struct stat st;
        char *data = NULL;
        size_t len;
        tap_ok(root_read_file(r, "/etc/file", &data, &len, &st) == 0 && streq(data, "new\n"), "new content");
        free(data);
        tap_ok((st.st_mode & 07777) == 0640, "mode kept");
        tap_ok(geteuid() != 0 || (st.st_uid == 65534 && st.st_gid == 65534), "owner kept (as root)");
        _cleanup_free_ char *cmd = xasprintf("test -z \"$(ls -A %s/etc | grep '^\\.#')\"", tmp);
        tap_ok(system(cmd) == 0, "no temporary file left");
        tap_ok(root_symlink_atomic(r, "/etc/link", "/dev/null") == 0, "symlink");
        char *t = NULL;
        tap_ok(root_readlink(r, "/etc/link", &t) == 0 && streq(t, "/dev/null"), "symlink target");
        free(t);
        tap_ok(root_unlink(r, "/etc/link") == 1 && root_unlink(r, "/etc/link") == 0,
               "unlink, then already gone");
        tap_ok(root_mkdir_p(r, "/a/b/c", 0755) == 0 && root_exists(r, "/a/b/c"), "mkdir -p");
        /* A missing /var in an image tree must not become a directory only root can enter. */
        mode_t old_umask = umask(022);
        struct stat sv = {}, sk = {};
        tap_ok(root_mkdir_p(r, "/v/lib/kubeprep", 0700) == 0 && root_stat(r, "/v", &sv) == 0 &&
                       root_stat(r, "/v/lib/kubeprep", &sk) == 0 && (sv.st_mode & 07777) == 0755 &&
                       (sk.st_mode & 07777) == 0700,
               "mkdir -p: missing parents 0755, the directory itself the mode asked");
        umask(old_umask);
        _cleanup_close_ int fd = root_openat(r, "/etc/file", O_RDONLY, 0, 0);
        char *d = NULL;
        size_t dlen = 0;
        tap_ok(fd >= 0 && read_fd_whole_max(fd, 3, &d, &dlen, NULL) == -EFBIG && !d,
               "more than max bytes: -EFBIG");
        tap_ok(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && read_fd_whole_max(fd, 4, &d, &dlen, NULL) == 0 &&
                       dlen == 4,
               "exactly max bytes are read");
        free(d);
}

/* Every reader stops at READ_FILE_MAX: a user's sparse 1 TiB file must not make
 * root's run allocate its size (out of memory), and one byte past the cap is refused. */
static void test_size_cap(struct root *r) {
        sh("mkdir -p %s/big && truncate -s 1T %s/big/sparse && truncate -s 67108865 %s/big/over", tmp);
        char *data = NULL;
        size_t len = 0;
        tap_ok(root_read_file(r, "/big/sparse", &data, &len, NULL) == -EFBIG && !data,
               "a sparse 1 TiB file is refused with -EFBIG, nothing allocated");
        tap_ok(root_read_file(r, "/big/over", &data, &len, NULL) == -EFBIG && !data,
               "a file one byte over 64 MiB is refused");
        _cleanup_close_ int fd = root_openat(r, "/big/sparse", O_RDONLY, 0, 0);
        tap_ok(fd >= 0 && read_fd_whole(fd, &data, &len, NULL) == -EFBIG && !data,
               "read_fd_whole refuses it too");
        tap_ok(READ_FILE_MAX == (size_t) 64 << 20, "the cap is 64 MiB, as README.md says");
        sh("rm -r %s/big", tmp);
}

/* A file is read into a buffer of its size: the read() that finds the end once doubled a buffer
 * already holding the whole file, which a large file's run then carried (issue 18's memory bound). */
static void test_read_size(struct root *r) {
        sh("mkdir -p %s/sized && head -c 1000000 /dev/zero | tr '\\0' x >%s/sized/file", tmp);
        char *data = NULL;
        size_t len = 0;
        tap_ok(root_read_file(r, "/sized/file", &data, &len, NULL) == 0 && len == 1000000,
               "a 1,000,000-byte file is read whole");
        tap_ok(data && malloc_usable_size(data) < 1100000, "its buffer is not twice its size");
        free(data);
        sh("rm -r %s/sized", tmp);
}

/* openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a rename anywhere races with resolving "..";
 * the layer retries. Found as a flaky refusal while other tests renamed files in parallel. */
static void test_rename_race(struct root *r) {
        sh("mkdir -p %s/race/a %s/etc && echo x > %s/etc/target", tmp);
        pid_t pid = fork();
        if (pid == 0) {
                /* Rename back and forth for a while: every rename bumps the kernel's rename seqcount. */
                char a[4096], b[4096];
                snprintf(a, sizeof(a), "%s/race/x", tmp);
                snprintf(b, sizeof(b), "%s/race/y", tmp);
                close(open(a, O_CREAT | O_WRONLY, 0600));
                for (int i = 0; i < 400000; i++)
                        if (rename(i % 2 ? b : a, i % 2 ? a : b) < 0)
                                break;
                _exit(0);
        }
        unsigned failures = 0, last = 0;
        for (int i = 0; i < 200000; i++) {
                char *data = NULL;
                size_t len;
                int k = root_read_file(r, "/race/a/../../etc/../etc/target", &data, &len, NULL);
                if (k < 0)
                        failures++, last = (unsigned) -k;
                free(data);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        if (failures)
                printf("# %u failures, last errno %u\n", failures, last);
        tap_ok(failures == 0, "paths with .. resolve while renames race (EAGAIN is retried)");
}

int main(void) {
        tmp = strdup("/tmp/kp-rootfs-XXXXXX");
        if (!mkdtemp(tmp))
                return 1;
        struct root *r = NULL;
        tap_ok(root_open(tmp, false, &r) == 0, "open the root");
        test_confinement(r);
        test_atomic_write(r);
        test_size_cap(r);
        test_read_size(r);
        test_rename_race(r);
        root_free(r);
        sh("rm -rf %s", tmp);
        free(tmp);
        return tap_done();
}
