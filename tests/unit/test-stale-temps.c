/* SPDX-License-Identifier: MIT */
/* What a run killed mid-write leaves behind is cleaned up by the next write:
 * remove_stale_temps() takes exactly the temp files of dead runs for one
 * name, and mkdir_atomic_at() makes a directory whole or not at all. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "tap.h"
#include "test-util.h"

/* A PID that surely runs no process: a child that has exited and been reaped. */
static int dead_pid(void) {
        pid_t pid = fork();
        if (pid == 0)
                _exit(0);
        waitpid(pid, NULL, 0);
        return (int) pid;
}

static void touch(int dfd, const char *name) {
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
                (void) !write(fd, "half", 4);
                close(fd);
        }
}

/* The directory's names, sorted bytewise, one per line. */
static char *listing(const char *dir) {
        _cleanup_free_ char *cmd = xasprintf("LC_ALL=C ls -A1 %s", dir);
        char *names = run_capture(cmd);
        return names ? names : xstrdup("");
}

static void test_remove(const char *tmp, int dfd, int dead) {
        int me = (int) getpid();
        char *names[] = {
                xstrdup("fstab"),
                xasprintf(".#fstab.kubeprep-%d-1a2b3c", dead),  /* stale: goes */
                xasprintf(".#fstab.kubeprep-%d-ff", me),        /* this run's own: stays */
                xasprintf(".#fstab.kubeprep-%d-ab", 1),         /* a live process: stays */
                xasprintf(".#fstab.yaml.kubeprep-%d-ab", dead), /* another file's: stays */
                xasprintf(".#fstab.kubeprep-%d-xyz", dead),     /* not the temp pattern: stays */
                xasprintf(".#fstab.kubeprep-%d-", dead),        /* no suffix: stays */
                xasprintf(".#fstab.kubeprep-x%d-1", dead),      /* no PID: stays */
                xstrdup(".#fstab"),                             /* an editor's lock: stays */
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                touch(dfd, names[i]);
        tap_ok(remove_stale_temps(dfd, "fstab") == 1, "one stale temp file of fstab removed");
        /* Every name but the stale one, sorted as ls sorts in the C locale. */
        free(names[1]);
        names[1] = names[ELEMENTSOF(names) - 1];
        qsort(names, ELEMENTSOF(names) - 1, sizeof(char *), strcmp_ptr);
        struct buf want = {};
        for (size_t i = 0; i < ELEMENTSOF(names) - 1; i++) {
                buf_puts(&want, names[i]);
                buf_puts(&want, "\n");
                free(names[i]);
        }
        _cleanup_free_ char *got = listing(tmp);
        _cleanup_free_ char *want_s = buf_steal(&want);
        tap_streq(got, want_s, "exactly the dead run's temp file of that name went");
        tap_ok(remove_stale_temps(dfd, "fstab") == 0, "a second pass finds nothing");
}

static void test_write_cleans(const char *tmp, int dfd, int dead) {
        _cleanup_free_ char *stale = xasprintf(".#conf.kubeprep-%d-9", dead);
        touch(dfd, stale);
        tap_ok(write_file_atomic_at(dfd, "conf", "new\n", 4, 0644, (uid_t) -1, (gid_t) -1) == 0,
               "atomic write");
        _cleanup_free_ char *sl = xasprintf(".#link.kubeprep-%d-9", dead);
        tap_ok(symlinkat("/dev/null", dfd, sl) == 0, "a stale temp symlink planted");
        struct root *r = NULL;
        tap_ok(root_open(tmp, false, &r) == 0, "open the root");
        tap_ok(r && root_symlink_atomic(r, "/link", "/dev/null") == 0, "atomic symlink");
        root_free(r);
        _cleanup_free_ char *got = listing(tmp);
        tap_ok(faccessat(dfd, stale, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
               "the write removed the killed run's temp file");
        tap_ok(faccessat(dfd, sl, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
               "the symlink removed the killed run's temp link");
        tap_ok(strstr(got, "\nconf\n") && strstr(got, "\nlink\n"), "both written");
}

static void test_mkdir(int dfd, int dead) {
        _cleanup_free_ char *stale = xasprintf(".#.kube.kubeprep-%d-5", dead);
        tap_ok(mkdirat(dfd, stale, 0700) == 0, "a killed run's temp directory planted");
        uid_t uid = geteuid() == 0 ? 1000 : (uid_t) -1;
        tap_ok(mkdir_atomic_at(dfd, ".kube", 0750, uid, uid) == 0, "mkdir_atomic_at");
        struct stat st;
        tap_ok(fstatat(dfd, ".kube", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
                       (st.st_mode & 07777) == 0750,
               "a directory with its final mode");
        tap_ok(geteuid() != 0 || (st.st_uid == 1000 && st.st_gid == 1000), "and owner (as root)");
        tap_ok(faccessat(dfd, stale, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
               "the stale temp directory is gone");
        tap_ok(mkdir_atomic_at(dfd, ".kube", 0700, (uid_t) -1, (gid_t) -1) == -EEXIST,
               "an existing directory is -EEXIST, not replaced");
        tap_ok(fstatat(dfd, ".kube", &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & 07777) == 0750,
               "and keeps its mode");
}

int main(void) {
        char *tmp = strdup("/tmp/kp-stale-XXXXXX");
        if (!mkdtemp(tmp))
                return 1;
        int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int dead = dead_pid();
        test_remove(tmp, dfd, dead);
        test_write_cleans(tmp, dfd, dead);
        test_mkdir(dfd, dead);
        close(dfd);
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmp);
        if (system(cmd) != 0)
                tap_diag("cannot remove the scratch directory");
        free(tmp);
        return tap_done();
}
