/* SPDX-License-Identifier: MIT */
/* The backup manifest and the run lock (see backup.h; rollback is rollback.c).
 * The manifest is written atomically after the files it names are saved and
 * before any of them is changed, so a crash at any point leaves a manifest that
 * describes only saved files, and what the run is about to write to them. */
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
        *b = (struct backup){ .root = root, .run_id = xstrdup(run_id), .dfd = -EBADF };
}

void backup_done(struct backup *b) {
        free(b->run_id);
        free(b->dir);
        if (b->dfd >= 0)
                close(b->dfd);
        cJSON_Delete(b->manifest);
        strv_free(&b->saved);
        name_index_free(&b->index);
        free(b->settled);
        *b = (struct backup){ .dfd = -EBADF };
}

static int write_manifest(struct backup *b) {
        _cleanup_free_ char *json = cJSON_Print(b->manifest);
        if (!json)
                return -ENOMEM;
        _cleanup_free_ char *out = xasprintf("%s\n", json);
        return write_file_atomic_at(b->dfd, BACKUP_MANIFEST, out, strlen(out), 0600, (uid_t) -1, (gid_t) -1);
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
        if (k >= 0) {
                b->dfd = root_openat(b->root, dir, O_RDONLY | O_DIRECTORY, 0, 0);
                k = b->dfd < 0 ? b->dfd : 0;
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
 * the file holding any of the run's writes. Returns whether the list grew. */
static bool note_written(struct backup *b, const char *path, const struct file_edit *w) {
        size_t i;
        if (!name_index_get(&b->index, path, &i))
                return false;
        cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItem(b->manifest, "files"), (int) i), *it;
        cJSON *list = cJSON_GetObjectItem(entry, "written"), *record = written_record(w);
        if (!list) {
                cJSON_Delete(record);
                return false;
        }
        cJSON_ArrayForEach(it, list) if (cJSON_Compare(it, record, true)) {
                cJSON_Delete(record);
                return false;
        }
        cJSON_AddItemToArray(list, record);
        return true;
}

/* A saved copy in the run's new directory: no one else writes there and the manifest names it
 * only once it is complete, so no temp file and rename; fsync'ed, the directory later, once. */
static int save_copy(struct backup *b, const char *name, const char *data, size_t len) {
        _cleanup_close_ int fd =
                openat(b->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < len;) {
                ssize_t n = write(fd, data + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t) n;
        }
        return fsync(fd) < 0 ? -errno : 0;
}

int backup_add(struct backup *b, const struct file_edit *e, const struct file_edit *written,
               char **ret_error) {
        size_t seen;
        if (name_index_get(&b->index, e->path, &seen)) {
                b->unflushed |= note_written(b, e->path, written);
                return 0;
        }
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
                        _cleanup_free_ char *name = xasprintf("%zu", b->saved.n);
                        int k = save_copy(b, name, e->old_data, e->old_len);
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
        strv_push(&b->saved, xstrdup(e->path));
        (void) name_index_put(&b->index, b->saved.items[b->saved.n - 1], b->saved.n - 1);
        b->unflushed = true;
        return 0;
}

int backup_flush(struct backup *b, char **ret_error) {
        if (!b->unflushed)
                return 0;
        /* The saved copies' names are durable before a manifest names them. */
        int k = fsync(b->dfd) < 0 ? -errno : 0;
        if (k >= 0)
                k = write_manifest(b);
        if (k < 0) {
                set_error(ret_error, "cannot write backup manifest in %s: %s", b->dir, strerror(-k));
                return k;
        }
        b->unflushed = false;
        return 0;
}

int backup_save(struct backup *b, const struct file_edit *e, const struct file_edit *written,
                char **ret_error) {
        int k = backup_add(b, e, written, ret_error);
        return k < 0 ? k : backup_flush(b, ret_error);
}

void backup_settle(struct backup *b, const char *path, bool written, bool parent_created) {
        size_t i;
        if (!name_index_get(&b->index, path, &i))
                return;
        if (!b->settled) {
                b->settled = xmalloc((b->saved.n ? b->saved.n : 1) * sizeof(bool));
                memset(b->settled, 0, b->saved.n * sizeof(bool));
        }
        /* A directory the run made stays the run's to remove, even when its file was not written. */
        b->settled[i] = written || parent_created;
        cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItem(b->manifest, "files"), (int) i);
        if (!parent_created && cJSON_IsTrue(cJSON_GetObjectItem(entry, "parentCreated"))) {
                /* The directory appeared before the run got to it: not the run's to remove. */
                cJSON_DeleteItemFromObject(entry, "parentCreated");
                b->unflushed = true;
        }
}

/* Remove the run's directory: nothing was changed, so there is nothing to roll back. */
static int discard_run(struct backup *b) {
        int k = 0;
        if (unlinkat(b->dfd, BACKUP_MANIFEST, 0) < 0 && errno != ENOENT)
                k = -errno;
        /* <= : a copy that failed half-way may be there too. */
        for (size_t i = 0; i <= b->saved.n; i++) {
                _cleanup_free_ char *name = xasprintf("%zu", i);
                if (unlinkat(b->dfd, name, 0) < 0 && errno != ENOENT && k == 0)
                        k = -errno;
        }
        const char *base;
        _cleanup_close_ int pfd = k < 0 ? -EBADF : root_open_parent(b->root, b->dir, &base);
        if (k >= 0)
                k = pfd < 0 ? pfd : unlinkat(pfd, base, AT_REMOVEDIR) < 0 ? -errno : 0;
        return k;
}

int backup_finish(struct backup *b, char **ret_error) {
        if (!b->dir)
                return 0;
        size_t kept = 0;
        for (size_t i = 0; i < b->saved.n; i++)
                kept += b->settled && b->settled[i];
        if (kept == 0) {
                int k = discard_run(b);
                if (k < 0) {
                        set_error(ret_error, "cannot remove the unused backup directory %s: %s", b->dir,
                                  strerror(-k));
                        return k;
                }
                free(b->dir);
                b->dir = NULL;
                return 0;
        }
        if (kept < b->saved.n) {
                cJSON *files = cJSON_GetObjectItem(b->manifest, "files");
                /* From the end, so that the indexes of the entries before stay right. */
                for (size_t i = b->saved.n; i-- > 0;) {
                        if (b->settled[i])
                                continue;
                        const char *name = cJSON_GetStringValue(
                                cJSON_GetObjectItem(cJSON_GetArrayItem(files, (int) i), "backup"));
                        if (name)
                                (void) unlinkat(b->dfd, name, 0);
                        cJSON_DeleteItemFromArray(files, (int) i);
                }
                b->unflushed = true;
        }
        return backup_flush(b, ret_error);
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
