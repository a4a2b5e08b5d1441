/* SPDX-License-Identifier: MIT */
/* Backup manifest and rollback (see backup.h). The manifest is rewritten
 * atomically after every saved file and before the file is changed, so a
 * crash at any point leaves a manifest that describes only saved files. */
#include "backup.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>

#define MANIFEST "manifest.json"
#define ROLLED_BACK "rolled-back"

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
        *b = (struct backup){.root = root, .run_id = xstrdup(run_id)};
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
        _cleanup_free_ char *p = xasprintf("%s/" MANIFEST, b->dir);
        _cleanup_free_ char *out = xasprintf("%s\n", json);
        return root_write_file_atomic(b->root, p, out, strlen(out), 0600, (uid_t) -1, (gid_t) -1);
}

static int backup_start(struct backup *b, char **ret_error) {
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", b->run_id);
        int k = root_mkdir_p(b->root, KUBEPREP_BACKUP_DIR, 0700);
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

int backup_save(struct backup *b, const struct file_edit *e, char **ret_error) {
        if (strv_contains(&b->saved, e->path))
                return 0;
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
                                set_error(ret_error, "cannot save a backup of %s: %s", e->path, strerror(-k));
                                return k;
                        }
                        cJSON_AddStringToObject(entry, "backup", name);
                }
        }
        cJSON_AddItemToArray(files, entry);
        int k = write_manifest(b);
        if (k < 0) {
                set_error(ret_error, "cannot write backup manifest in %s: %s", b->dir, strerror(-k));
                return k;
        }
        strv_push(&b->saved, xstrdup(e->path));
        return 0;
}

/* The lock file as a path on this machine, for messages. */
static char *host_path(const struct root *root, const char *path) {
        return streq(root->path, "/") ? xstrdup(path) : xasprintf("%s%s", root->path, path);
}

static int open_lock_file(const struct root *root, const char *path, const char *shown, char **ret_error) {
        int k = root->live ? 0 : root_mkdir_p(root, KUBEPREP_STATE_DIR, 0700);
        _cleanup_close_ int fd =
                k < 0 ? k : root_openat(root, path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600, 0);
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
                set_error(ret_error, "refusing the lock file %s: mode %04o lets other users open (and lock) it",
                          shown, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        return TAKE_FD(fd);
}

pid_t proc_locks_holder(const char *text, dev_t dev, ino_t ino) {
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                char type[16], kind[16], access[16];
                long pid;
                unsigned maj, min;
                unsigned long long i;
                /* "1: FLOCK  ADVISORY  WRITE 2001 08:01:7864554 0 EOF"; a waiter's line
                 * ("1: -> FLOCK ...") does not parse and is skipped. */
                if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", type, kind, access, &pid, &maj, &min, &i) != 7)
                        continue;
                if (streq(type, "FLOCK") && pid > 0 && makedev(maj, min) == dev && i == (unsigned long long) ino)
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

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int lock_root(const struct root *root, unsigned timeout_sec, int *ret_fd, char **ret_error) {
        const char *path = root->live ? KUBEPREP_LIVE_LOCK : KUBEPREP_TREE_LOCK;
        _cleanup_free_ char *shown = host_path(root, path);
        _cleanup_close_ int fd = open_lock_file(root, path, shown, ret_error);
        if (fd < 0)
                return fd;
        /* Non-blocking tries, so that the wait is bounded and the holder can be named. */
        for (uint64_t deadline = now_ms() + (uint64_t) timeout_sec * 1000;;) {
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
                if (now_ms() >= deadline)
                        break;
                (void) nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        }
        _cleanup_free_ char *holder = lock_holder(fd);
        set_error(ret_error, "%s holds %s; gave up after %u s", holder, shown, timeout_sec);
        return -ETIMEDOUT;
}

static int compare_desc(const void *a, const void *b) {
        return strcmp(*(char *const *) b, *(char *const *) a);
}

/* The newest run directory without a rolled-back marker. */
static int find_last_run(const struct root *root, char **ret) {
        _cleanup_close_ int dfd = root_openat(root, KUBEPREP_BACKUP_DIR, O_RDONLY | O_DIRECTORY, 0, 0);
        if (dfd < 0)
                return dfd == -ENOENT ? -ESRCH : dfd;
        DIR *d = fdopendir(TAKE_FD(dfd));
        if (!d)
                return -errno;
        struct strv names = {};
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        strv_push(&names, xstrdup(de->d_name));
        closedir(d);
        if (names.n)
                qsort(names.items, names.n, sizeof(char *), compare_desc);
        int k = -ESRCH;
        for (size_t i = 0; i < names.n; i++) {
                _cleanup_free_ char *marker = xasprintf(KUBEPREP_BACKUP_DIR "/%s/" ROLLED_BACK, names.items[i]);
                _cleanup_free_ char *manifest = xasprintf(KUBEPREP_BACKUP_DIR "/%s/" MANIFEST, names.items[i]);
                if (root_exists(root, marker) || !root_exists(root, manifest))
                        continue;
                *ret = xstrdup(names.items[i]);
                k = 0;
                break;
        }
        strv_free(&names);
        return k;
}

/* Remove a file the run created, opening its directory with the run's
 * resolve rules (a link planted since in a user's home is not followed), and
 * the directory too when the run created it and it is empty again. */
static int remove_created(const struct root *root, const char *path, unsigned long long res, bool parent_created,
                          struct strv *paths) {
        _cleanup_free_ char *parent = xstrdup(path);
        char *slash = strrchr(parent, '/');
        *slash = 0;
        _cleanup_close_ int dfd = root_openat(root, *parent ? parent : "/", O_RDONLY | O_DIRECTORY, 0, res);
        if (dfd == -ENOENT)
                return 0;
        if (dfd < 0)
                return dfd;
        if (unlinkat(dfd, slash + 1, 0) < 0 && errno != ENOENT)
                return -errno;
        /* A run killed before its rename left its temp file; the file is not coming. */
        (void) remove_stale_temps(dfd, slash + 1);
        if (fsync(dfd) < 0)
                return -errno;
        strv_push(paths, xasprintf("%s (removed: the run created it)", path));
        char *up_slash = strrchr(parent, '/');
        if (!parent_created || !*parent || !up_slash)
                return 0;
        *up_slash = 0;
        _cleanup_close_ int ufd = root_openat(root, *parent ? parent : "/", O_RDONLY | O_DIRECTORY, 0, res);
        /* Only an empty directory goes: what was put there since the run stays. */
        if (ufd >= 0)
                (void) remove_stale_temps(ufd, up_slash + 1);
        if (ufd >= 0 && unlinkat(ufd, up_slash + 1, AT_REMOVEDIR) >= 0) {
                (void) fsync(ufd);
                *up_slash = '/';
                strv_push(paths, xasprintf("%s (removed: the run created it)", parent));
        }
        return 0;
}

static int restore_entry(const struct root *root, const char *dir, cJSON *entry, struct strv *paths,
                         char **ret_error) {
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "path"));
        if (!path || path[0] != '/') {
                set_error(ret_error, "%s/" MANIFEST ": an entry has no valid path", dir);
                return -EBADMSG;
        }
        int k;
        /* A file the run wrote with no-symlink rules (a user's home) is put back the same way. */
        unsigned long long res = cJSON_IsTrue(cJSON_GetObjectItem(entry, "noSymlinks")) ? RESOLVE_NO_SYMLINKS : 0;
        if (!cJSON_IsTrue(cJSON_GetObjectItem(entry, "existed"))) {
                k = remove_created(root, path, res, cJSON_IsTrue(cJSON_GetObjectItem(entry, "parentCreated")), paths);
                if (k < 0) {
                        set_error(ret_error, "cannot remove %s: %s", path, strerror(-k));
                        return k;
                }
                return 0;
        }
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "type"));
        if (type && streq(type, "symlink")) {
                const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "target"));
                k = target ? root_symlink_atomic(root, path, target) : -EBADMSG;
        } else {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "backup"));
                _cleanup_free_ char *bpath = name ? xasprintf("%s/%s", dir, name) : NULL;
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                k = bpath ? root_read_file(root, bpath, &data, &len, NULL) : -EBADMSG;
                if (k >= 0) {
                        mode_t mode = (mode_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "mode"));
                        uid_t uid = (uid_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "uid"));
                        gid_t gid = (gid_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "gid"));
                        const char *base;
                        _cleanup_free_ char *parent = xstrdup(path);
                        *strrchr(parent, '/') = 0;
                        _cleanup_close_ int dfd =
                                root_openat(root, *parent ? parent : "/", O_RDONLY | O_DIRECTORY, 0, res);
                        base = strrchr(path, '/') + 1;
                        k = dfd < 0 ? dfd : write_file_atomic_at(dfd, base, data, len, mode, uid, gid);
                }
        }
        if (k < 0) {
                set_error(ret_error, "cannot restore %s: %s", path, strerror(-k));
                return k;
        }
        strv_push(paths, xstrdup(path));
        return 0;
}

int rollback_run(const struct root *root, const char *run_id, char **ret_run_id, struct strv *ret_paths,
                 char **ret_error) {
        _cleanup_free_ char *id = NULL;
        if (run_id) {
                if (strchr(run_id, '/') || run_id[0] == '.') {
                        set_error(ret_error, "invalid run id '%s'", run_id);
                        return -EINVAL;
                }
                id = xstrdup(run_id);
        } else {
                int k = find_last_run(root, &id);
                if (k < 0) {
                        set_error(ret_error, "no run to roll back: %s holds no backup of a run that changed something",
                                  KUBEPREP_BACKUP_DIR);
                        return k;
                }
        }
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", id);
        _cleanup_free_ char *mpath = xasprintf("%s/" MANIFEST, dir);
        _cleanup_free_ char *marker = xasprintf("%s/" ROLLED_BACK, dir);
        if (root_exists(root, marker)) {
                set_error(ret_error, "run %s was already rolled back", id);
                return -EALREADY;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = root_read_file(root, mpath, &text, &len, NULL);
        if (k < 0) {
                set_error(ret_error, "cannot read %s: %s", mpath, k == -ENOENT ? "no such run" : strerror(-k));
                return k;
        }
        cJSON *m = cJSON_ParseWithLength(text, len);
        cJSON *files = cJSON_GetObjectItem(m, "files");
        if (!cJSON_IsArray(files)) {
                cJSON_Delete(m);
                set_error(ret_error, "%s: not a kubeprep backup manifest", mpath);
                return -EBADMSG;
        }
        k = 0;
        /* Reverse order: the last change is undone first. */
        for (int i = cJSON_GetArraySize(files) - 1; i >= 0 && k >= 0; i--)
                k = restore_entry(root, dir, cJSON_GetArrayItem(files, i), ret_paths, ret_error);
        cJSON_Delete(m);
        if (k < 0)
                return k;
        k = root_write_file_atomic(root, marker, "", 0, 0600, (uid_t) -1, (gid_t) -1);
        if (k < 0) {
                set_error(ret_error, "restored, but cannot mark %s as rolled back: %s", dir, strerror(-k));
                return k;
        }
        *ret_run_id = TAKE_PTR(id);
        return 0;
}
