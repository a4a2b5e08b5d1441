/* SPDX-License-Identifier: MIT */
/* The backup manifest and the run lock (see backup.h; rollback is rollback.c).
 * The manifest is rewritten atomically after every saved file and before the
 * file is changed, so a crash at any point leaves a manifest that describes
 * only saved files, and what the run is about to write to them. */
#include "engine/backup.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>

#include "basic/sha256.h"
#include "basic/time-util.h"

char *run_id_new(void) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        char s[32];
        strftime(s, sizeof(s), "%Y%m%dT%H%M%S", &tm);
        return xasprintf("%s.%06ldZ", s, (long) tv.tv_usec);
}

void backup_init(struct backup *b, const struct root *root, const char *run_id) {
        *b = (struct backup){ .root = root, .run_id = xstrdup(run_id) };
}

void backup_done(struct backup *b) {
        free(b->run_id);
        free(b->dir);
        cJSON_Delete(b->manifest);
        strv_free(&b->saved);
        *b = (struct backup){};
}

static int write_manifest(struct backup *b) {
        _cleanup_free_ char *json = cJSON_Print(b->manifest);
        if (!json)
                return -ENOMEM;
        _cleanup_free_ char *p = xasprintf("%s/" BACKUP_MANIFEST, b->dir);
        _cleanup_free_ char *out = xasprintf("%s\n", json);
        return root_write_file_atomic(b->root, p, out, strlen(out), 0600, (uid_t) -1, (gid_t) -1);
}

static int backup_start(struct backup *b, char **ret_error) {
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", b->run_id);
        int k = root_mkdir_p(b->root, KUBEPREP_STATE_DIR, 0700);
        if (k >= 0)
                k = root_mkdir_p(b->root, KUBEPREP_BACKUP_DIR, 0700);
        if (k >= 0) {
                const char *base;
                _cleanup_close_ int pfd = root_open_parent(b->root, dir, &base);
                /* mkdirat, not mkdir -p: a run id is never reused. */
                k = pfd < 0 ? pfd : (mkdirat(pfd, base, 0700) < 0 ? -errno : 0);
        }
        if (k < 0) {
                set_error(ret_error, "cannot create backup directory %s: %s", dir, strerror(-k));
                return k;
        }
        b->manifest = cJSON_CreateObject();
        cJSON_AddStringToObject(b->manifest, "run", b->run_id);
        cJSON_AddItemToObject(b->manifest, "files", cJSON_CreateArray());
        b->dir = TAKE_PTR(dir);
        return 0;
}

/* What w writes, as the manifest records it: a link's target, or a file's size and
 * SHA-256 (rollback compares the file with it; the bytes themselves need not be kept). */
static cJSON *written_record(const struct file_edit *w) {
        cJSON *o = cJSON_CreateObject();
        if (w->kind == EDIT_SYMLINK) {
                cJSON_AddStringToObject(o, "target", w->new_data);
                return o;
        }
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        sha256_hex(w->new_data, w->new_len, hex);
        cJSON_AddNumberToObject(o, "size", (double) w->new_len);
        cJSON_AddStringToObject(o, "sha256", hex);
        return o;
}

/* A path the run saved already is written again (another edit of the same file): what it
 * writes joins the entry's "written" list before it is written, so that rollback accepts
 * the file holding any of the run's writes. */
static int note_written(struct backup *b, const char *path, const struct file_edit *w, char **ret_error) {
        cJSON *files = cJSON_GetObjectItem(b->manifest, "files"), *entry = NULL, *it;
        cJSON_ArrayForEach(it, files) if (streq_ptr(cJSON_GetStringValue(cJSON_GetObjectItem(it, "path")),
                                                    path)) entry = it;
        cJSON *list = cJSON_GetObjectItem(entry, "written"), *record = written_record(w);
        if (!list) {
                cJSON_Delete(record);
                return 0;
        }
        cJSON_ArrayForEach(it, list) if (cJSON_Compare(it, record, true)) {
                cJSON_Delete(record);
                return 0;
        }
        cJSON_AddItemToArray(list, record);
        int k = write_manifest(b);
        if (k < 0)
                set_error(ret_error, "cannot write backup manifest in %s: %s", b->dir, strerror(-k));
        return k;
}

int backup_save(struct backup *b, const struct file_edit *e, const struct file_edit *written,
                char **ret_error) {
        if (strv_contains(&b->saved, e->path))
                return note_written(b, e->path, written, ret_error);
        if (!b->dir) {
                int k = backup_start(b, ret_error);
                if (k < 0)
                        return k;
        }
        cJSON *files = cJSON_GetObjectItem(b->manifest, "files");
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "path", e->path);
        cJSON_AddBoolToObject(entry, "existed", e->existed);
        cJSON_AddBoolToObject(entry, "noSymlinks", (e->resolve & RESOLVE_NO_SYMLINKS) != 0);
        if (e->parent_created)
                cJSON_AddBoolToObject(entry, "parentCreated", true);
        if (e->existed) {
                cJSON_AddStringToObject(entry, "type", e->old_is_symlink ? "symlink" : "file");
                cJSON_AddNumberToObject(entry, "mode", e->mode);
                cJSON_AddNumberToObject(entry, "uid", e->uid);
                cJSON_AddNumberToObject(entry, "gid", e->gid);
                if (e->old_is_symlink)
                        cJSON_AddStringToObject(entry, "target", e->old_data);
                else {
                        _cleanup_free_ char *name = xasprintf("%d", cJSON_GetArraySize(files));
                        _cleanup_free_ char *p = xasprintf("%s/%s", b->dir, name);
                        int k = root_write_file_atomic(b->root, p, e->old_data, e->old_len, 0600, (uid_t) -1,
                                                       (gid_t) -1);
                        if (k < 0) {
                                cJSON_Delete(entry);
                                set_error(ret_error, "cannot save a backup of %s: %s", e->path,
                                          strerror(-k));
                                return k;
                        }
                        cJSON_AddStringToObject(entry, "backup", name);
                }
        }
        cJSON_AddItemToArray(cJSON_AddArrayToObject(entry, "written"), written_record(written));
        cJSON_AddItemToArray(files, entry);
        int k = write_manifest(b);
        if (k < 0) {
                set_error(ret_error, "cannot write backup manifest in %s: %s", b->dir, strerror(-k));
                return k;
        }
        strv_push(&b->saved, xstrdup(e->path));
        return 0;
}

char *host_path(const struct root *root, const char *path) {
        return streq(root->path, "/") ? xstrdup(path) : xasprintf("%s%s", root->path, path);
}

static int open_lock_file(const struct root *root, const char *path, const char *shown, char **ret_error) {
        int k = root->live ? 0 : root_mkdir_p(root, KUBEPREP_STATE_DIR, 0700);
        _cleanup_close_ int fd =
                k < 0 ? k
                      : root_openat(root, path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
                                    0600, 0);
        if (fd < 0) {
                set_error(ret_error, "cannot open the lock file %s: %s", shown, strerror(-fd));
                return fd;
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
                set_error(ret_error, "cannot open the lock file %s: %s", shown, strerror(errno));
                return -errno;
        }
        if (!S_ISREG(st.st_mode)) {
                set_error(ret_error, "refusing the lock file %s: not a regular file", shown);
                return -EINVAL;
        }
        if (st.st_uid != geteuid()) {
                set_error(ret_error, "refusing the lock file %s: it belongs to uid %u, not to uid %u", shown,
                          (unsigned) st.st_uid, (unsigned) geteuid());
                return -EPERM;
        }
        if (st.st_mode & 0077) {
                set_error(ret_error,
                          "refusing the lock file %s: mode %04o lets other users open (and lock) it", shown,
                          (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        return TAKE_FD(fd);
}

pid_t proc_locks_holder(const char *text, dev_t dev, ino_t ino) {
        for (const char *line = text; line && *line;
             line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                char type[16], kind[16], access[16];
                long pid;
                unsigned maj, min;
                unsigned long long i;
                /* "1: FLOCK  ADVISORY  WRITE 2001 08:01:7864554 0 EOF"; a waiter's line
                 * ("1: -> FLOCK ...") does not parse and is skipped. */
                if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", type, kind, access, &pid, &maj, &min,
                           &i) != 7)
                        continue;
                if (streq(type, "FLOCK") && pid > 0 && makedev(maj, min) == dev &&
                    i == (unsigned long long) ino)
                        return (pid_t) pid;
        }
        return 0;
}

/* "another kubeprep run (PID 123)", "PID 123 (flock)", or "another process". */
static char *lock_holder(int fd) {
        struct stat st;
        _cleanup_free_ char *text = NULL, *comm = NULL;
        size_t len;
        _cleanup_close_ int lfd = open("/proc/locks", O_RDONLY | O_CLOEXEC);
        pid_t pid = 0;
        if (fstat(fd, &st) >= 0 && lfd >= 0 && read_fd_to_end(lfd, 0, READ_FILE_MAX, &text, &len) >= 0)
                pid = proc_locks_holder(text, st.st_dev, st.st_ino);
        if (pid <= 0)
                return xstrdup("another process");
        _cleanup_free_ char *cpath = xasprintf("/proc/%d/comm", (int) pid);
        _cleanup_close_ int cfd = open(cpath, O_RDONLY | O_CLOEXEC);
        if (cfd >= 0 && read_fd_to_end(cfd, 0, 64, &comm, &len) >= 0 && len > 0 && comm[len - 1] == '\n')
                comm[len - 1] = 0;
        if (comm && streq(comm, "kubeprep"))
                return xasprintf("another kubeprep run (PID %d)", (int) pid);
        return comm && *comm ? xasprintf("PID %d (%s)", (int) pid, comm) : xasprintf("PID %d", (int) pid);
}

int lock_root(const struct root *root, unsigned timeout_sec, int *ret_fd, char **ret_error) {
        const char *path = root->live ? KUBEPREP_LIVE_LOCK : KUBEPREP_TREE_LOCK;
        _cleanup_free_ char *shown = host_path(root, path);
        _cleanup_close_ int fd = open_lock_file(root, path, shown, ret_error);
        if (fd < 0)
                return fd;
        /* Non-blocking tries, so that the wait is bounded and the holder can be named. */
        for (uint64_t deadline = now_usec(CLOCK_MONOTONIC) + (uint64_t) timeout_sec * USEC_PER_SEC;;) {
                if (flock(fd, LOCK_EX | LOCK_NB) >= 0) {
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
                if (errno == EINTR)
                        continue;
                if (errno != EWOULDBLOCK) {
                        set_error(ret_error, "cannot lock %s: %s", shown, strerror(errno));
                        return -errno;
                }
                if (now_usec(CLOCK_MONOTONIC) >= deadline)
                        break;
                (void) nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        _cleanup_free_ char *holder = lock_holder(fd);
        set_error(ret_error, "%s holds %s; gave up after %u s", holder, shown, timeout_sec);
        return -ETIMEDOUT;
}
