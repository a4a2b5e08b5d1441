/* SPDX-License-Identifier: MIT */
/* The run lock: the holder's PID is found in /proc/locks text (holders only, by
 * device and inode), and lock_root() on a tree waits a bounded time for a holder,
 * then names it; a lock file others could open is refused. */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "basic/util.h"
#include "engine/backup.h"
#include "tap.h"

static void test_parse(void) {
        /* Real lines, as proc_locks(5) shows them; a waiter's "->" line names the waiter. */
        const char *text = "1: POSIX  ADVISORY  READ  5433 08:01:7864448 128 128\n"
                           "2: FLOCK  ADVISORY  WRITE 2001 08:01:7864554 0 EOF\n"
                           "2: -> FLOCK  ADVISORY  WRITE 2002 00:2f:32388 0 EOF\n"
                           "3: FLOCK  ADVISORY  WRITE 1568 00:2f:32388 0 EOF\n"
                           "4: POSIX  ADVISORY  WRITE 699 fd:00:32388 0 EOF\n"
                           "5: OFDLCK ADVISORY  WRITE -1 fd:00:8713209 128 191\n"
                           "6: FLOCK  ADVISORY  WRITE 4242 fd:01:8713209 0 EOF";
        tap_ok(proc_locks_holder(text, makedev(0x00, 0x2f), 32388) == 1568,
               "the holder of 00:2f:32388, not the waiter listed before it");
        tap_ok(proc_locks_holder(text, makedev(0x08, 0x01), 7864554) == 2001, "major and minor are hex");
        tap_ok(proc_locks_holder(text, makedev(0xfd, 0x01), 8713209) == 4242,
               "the last line, without a newline");
        tap_ok(proc_locks_holder(text, makedev(0xfd, 0x00), 32388) == 0, "a POSIX lock is not an flock");
        tap_ok(proc_locks_holder(text, makedev(0xfd, 0x00), 8713209) == 0, "nor an OFD lock (PID -1)");
        tap_ok(proc_locks_holder(text, makedev(0x08, 0x01), 7864448) == 0, "another inode: none");
        tap_ok(proc_locks_holder("", makedev(0, 1), 1) == 0, "empty /proc/locks: none");
}

static void test_wait(const char *tmp) {
        struct root *root = NULL;
        if (root_open(tmp, false, &root) < 0) {
                tap_ok(false, "open the scratch root");
                return;
        }
        int fd = -EBADF;
        _cleanup_free_ char *err = NULL;
        tap_ok(lock_root(root, 0, &fd, &err) == 0 && fd >= 0, "a free lock is taken at once");
        _cleanup_free_ char *lock = xasprintf("%s" KUBEPREP_TREE_LOCK, tmp);
        struct stat st;
        tap_ok(stat(lock, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600 &&
                       st.st_uid == geteuid(),
               "the lock file is created 0600, the caller's");

        /* A child takes it over: this process lets go, the child locks and waits. */
        int ready[2];
        if (pipe(ready) < 0)
                return;
        pid_t child = fork();
        if (child == 0) {
                int cfd = open(lock, O_RDONLY | O_CLOEXEC);
                close(fd);
                flock(cfd, LOCK_EX);
                (void) !write(ready[1], "x", 1);
                pause();
                _exit(0);
        }
        close(fd);
        char c;
        (void) !read(ready[0], &c, 1);
        fd = -EBADF;
        free(err);
        err = NULL;
        int k = lock_root(root, 1, &fd, &err);
        tap_ok(k == -ETIMEDOUT && fd < 0, "a held lock: -ETIMEDOUT after the timeout");
        _cleanup_free_ char *want =
                xasprintf("PID %d (test-lock) holds %s; gave up after 1 s", (int) child, lock);
        tap_streq(err, want, "the message names the holder's PID and the lock file");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        close(ready[0]);
        close(ready[1]);

        chmod(lock, 0640);
        free(err);
        err = NULL;
        k = lock_root(root, 0, &fd, &err);
        _cleanup_free_ char *mode =
                xasprintf("refusing the lock file %s: mode 0640 lets other users open (and lock) it", lock);
        tap_ok(k == -EPERM, "a lock file others may open: -EPERM");
        tap_streq(err, mode, "named, with its mode");
        root_free(root);
}

int main(void) {
        test_parse();
        char tmp[] = "/tmp/kubeprep-lock.XXXXXX";
        if (!mkdtemp(tmp))
                return 1;
        test_wait(tmp);
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmp);
        (void) !system(cmd);
        return tap_done();
}
