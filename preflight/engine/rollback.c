/* SPDX-License-Identifier: MIT */
/* `kubeprep rollback` (see backup.h). A manifest says which file to write with
 * which bytes, mode and owner, so it is believed only from a store no one but
 * the caller can have written, and only for files kubeprep manages. */
#include "engine/backup.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>

#include "basic/sha256.h"
#include "engine/managed-paths.h"
#include "formats/passwd.h"

void rollback_done(struct rollback *rb) {
        free(rb->run_id);
        strv_free(&rb->restored);
        strv_free(&rb->not_restored);
        strv_free(&rb->reasons);
        strv_free(&rb->notes);
        *rb = (struct rollback){};
}

/* Trust in a store entry: of its kind, the caller's, and no one else may write it. 0, or
 * -EPERM with *ret_why naming it and what is wrong. */
static int entry_trusted(const struct stat *st, bool dir, const char *shown, char **ret_why) {
        if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
                set_error(ret_why, "%s is not a %s", shown, dir ? "directory" : "regular file");
        else if (st->st_uid != geteuid())
                set_error(ret_why, "%s belongs to uid %u, not to uid %u", shown, (unsigned) st->st_uid,
                          (unsigned) geteuid());
        else if (st->st_mode & 0022)
                set_error(ret_why, "%s may be written by its group or others (mode %04o)", shown,
                          (unsigned) (st->st_mode & 07777));
        else
                return 0;
        return -EPERM;
}

/* Open a trusted store entry from pfd, an O_PATH|O_NOFOLLOW fd of it: a directory through
 * pfd itself, a file by name in dfd, which must still be pfd's inode. */
static int open_trusted(int pfd, int dfd, const char *name, bool dir, const char *shown, char **ret_why) {
        struct stat st, now;
        if (fstat(pfd, &st) < 0)
                return -errno;
        int k = entry_trusted(&st, dir, shown, ret_why);
        if (k < 0)
                return k;
        _cleanup_close_ int fd =
                dir ? openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    : openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &now) < 0)
                return -errno;
        return now.st_dev == st.st_dev && now.st_ino == st.st_ino ? TAKE_FD(fd) : -ESTALE;
}

static int open_trusted_at(int dfd, const char *name, bool dir, const char *shown, char **ret_why) {
        _cleanup_close_ int pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        return pfd < 0 ? -errno : open_trusted(pfd, dfd, name, dir, shown, ret_why);
}

/* The backups directory, if /var/lib/kubeprep and it are trusted. -ESRCH: none. */
static int open_store(const struct root *root, char **ret_error) {
        _cleanup_free_ char *why = NULL, *state = host_path(root, KUBEPREP_STATE_DIR);
        _cleanup_free_ char *backups = host_path(root, KUBEPREP_BACKUP_DIR);
        _cleanup_close_ int pfd = root_openat(root, KUBEPREP_STATE_DIR, O_PATH | O_NOFOLLOW, 0, 0);
        _cleanup_close_ int sfd = pfd < 0 ? pfd : open_trusted(pfd, -EBADF, NULL, true, state, &why);
        int fd = sfd < 0 ? sfd : open_trusted_at(sfd, "backups", true, backups, &why);
        if (fd == -ENOENT)
                return -ESRCH;
        if (fd == -EPERM)
                set_error(ret_error, "the backup store is not trusted: %s; nothing was restored", why);
        else if (fd < 0)
                set_error(ret_error, "cannot open %s: %s", backups, strerror(-fd));
        return fd;
}

/* A stream of dfd's directory, on a descriptor of its own: closedir() leaves dfd open. */
static int opendir_at(int dfd, DIR **ret) {
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (!d) {
                int e = -errno;
                if (fd >= 0)
                        close(fd);
                return e;
        }
        *ret = d;
        return 0;
}

static int compare_desc(const void *a, const void *b) {
        return strcmp(*(char *const *) b, *(char *const *) a);
}

/* The newest run directory with a manifest and without a rolled-back marker. */
static int find_last_run(int bfd, char **ret) {
        DIR *d;
        int k = opendir_at(bfd, &d);
        if (k < 0)
                return k;
        struct strv names = {};
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        strv_push(&names, xstrdup(de->d_name));
        closedir(d);
        if (names.n)
                qsort(names.items, names.n, sizeof(char *), compare_desc);
        k = -ESRCH;
        for (size_t i = 0; i < names.n && k < 0; i++) {
                _cleanup_free_ char *marker = xasprintf("%s/" BACKUP_ROLLED_BACK, names.items[i]);
                _cleanup_free_ char *manifest = xasprintf("%s/" BACKUP_MANIFEST, names.items[i]);
                struct stat st;
                if (fstatat(bfd, marker, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
                    fstatat(bfd, manifest, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                *ret = xstrdup(names.items[i]);
                k = 0;
        }
        strv_free(&names);
        return k;
}

/* Every file of the run is trusted (a saved file, the manifest, a temp file a killed run left). */
static int check_run_files(int rfd, const char *shown_dir, char **ret_why) {
        DIR *d;
        int k = opendir_at(rfd, &d);
        if (k < 0)
                return k;
        for (struct dirent *de; k >= 0 && (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                _cleanup_free_ char *shown = xasprintf("%s/%s", shown_dir, de->d_name);
                k = fstatat(rfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
                            ? -errno
                            : entry_trusted(&st, false, shown, ret_why);
        }
        closedir(d);
        return k;
}

/* A trusted file of the run, whole (at most READ_FILE_MAX). */
static int read_run_file(int rfd, const char *name, const char *shown_dir, char **ret_data,
                         size_t *ret_len) {
        _cleanup_free_ char *why = NULL, *shown = xasprintf("%s/%s", shown_dir, name);
        _cleanup_close_ int fd = open_trusted_at(rfd, name, false, shown, &why);
        if (fd < 0)
                return fd;
        return read_fd_whole_max(fd, READ_FILE_MAX, ret_data, ret_len, NULL);
}

/* "/etc/fstab", not "etc/fstab", "/etc//fstab", "/etc/./fstab" or "/etc/../fstab". */
static bool path_is_normal(const char *path) {
        if (path[0] != '/' || !path[1])
                return false;
        for (const char *p = path; *p;) {
                p++;
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
        }
        return true;
}

/* A saved file's name in the run: "0", "1", ... as backup_add() names them. */
static bool backup_name_valid(const char *name) {
        return name && *name && strspn(name, "0123456789") == strlen(name);
}

static bool number_in(cJSON *item, double max) {
        double v = cJSON_GetNumberValue(item);
        return cJSON_IsNumber(item) && v >= 0 && v <= max && v == (double) (uint64_t) v;
}

/* Every entry before anything is restored: a run that names one file it may not is not
 * believed at all. */
static int validate_entries(const struct root *root, cJSON *files, const char *id, char **ret_error) {
        struct user_db db = {};
        _cleanup_free_ char *derr = NULL;
        bool have_db = user_db_load(root, &db, &derr) >= 0; /* without it, no home is managed */
        int k = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, files) {
                const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(e, "path"));
                const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(e, "type"));
                bool existed = cJSON_IsTrue(cJSON_GetObjectItem(e, "existed"));
                bool link = type && streq(type, "symlink");
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "backup"));
                if (!path || !path_is_normal(path)) {
                        set_error(ret_error,
                                  "backup run %s: an entry of " BACKUP_MANIFEST " has no valid path; "
                                  "nothing was restored",
                                  id);
                        k = -EBADMSG;
                } else if (!managed_path(root, have_db ? &db : NULL, path)) {
                        /* Without the tree's users, no ~/.kube/config can be told from any file. */
                        set_error(ret_error,
                                  "backup run %s names %s, which is not a file kubeprep manages%s%s%s; "
                                  "nothing was restored",
                                  id, path, have_db ? "" : " (no user's home is: ", have_db ? "" : derr,
                                  have_db ? "" : ")");
                        k = -EPERM;
                } else if (existed && (!number_in(cJSON_GetObjectItem(e, "mode"), 07777) ||
                                       !number_in(cJSON_GetObjectItem(e, "uid"), UINT32_MAX - 1) ||
                                       !number_in(cJSON_GetObjectItem(e, "gid"), UINT32_MAX - 1) ||
                                       (link && !cJSON_GetStringValue(cJSON_GetObjectItem(e, "target"))))) {
                        set_error(ret_error,
                                  "backup run %s: the entry of %s has no valid mode, owner or target; "
                                  "nothing was restored",
                                  id, path);
                        k = -EBADMSG;
                } else if (existed && !link && !backup_name_valid(name)) {
                        set_error(ret_error,
                                  "backup run %s: the backup of %s is named '%s', not a file of the run; "
                                  "nothing was restored",
                                  id, path, strempty(name));
                        k = -EBADMSG;
                }
                if (k < 0)
                        break;
        }
        if (have_db)
                user_db_free(&db);
        return k;
}

/* What a path holds now, read with the run's resolve rules and never through a final link. */
struct current {
        enum { CURRENT_ABSENT, CURRENT_FILE, CURRENT_LINK, CURRENT_OTHER } kind;
        char *data; /* a file's bytes, a link's target */
        size_t len;
};

static int read_current(const struct root *root, const char *path, unsigned long long res,
                        struct current *ret) {
        *ret = (struct current){};
        _cleanup_free_ char *parent = xstrndup(path, (size_t) (strrchr(path, '/') - path));
        const char *base = strrchr(path, '/') + 1;
        _cleanup_close_ int dfd = root_openat(root, *parent ? parent : "/", O_RDONLY | O_DIRECTORY, 0, res);
        if (dfd == -ENOENT)
                return 0;
        if (dfd < 0)
                return dfd;
        struct stat st;
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                *ret = (struct current){ CURRENT_LINK, xstrndup(target, (size_t) n), (size_t) n };
                return 0;
        }
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size > READ_FILE_MAX) {
                ret->kind = CURRENT_OTHER;
                return 0;
        }
        _cleanup_close_ int fd =
                openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ret->kind = CURRENT_FILE;
        int k = read_fd_whole_max(fd, READ_FILE_MAX, &ret->data, &ret->len, NULL);
        if (k == -EFBIG || k == -EINVAL)
                ret->kind = CURRENT_OTHER;
        return k == -EFBIG || k == -EINVAL ? 0 : k;
}

static bool holds_bytes(const struct current *cur, const char *data, size_t len) {
        return cur->kind == CURRENT_FILE && cur->len == len && memcmp(cur->data, data, len) == 0;
}

/* Does cur hold one of the things the run wrote there (entry "written")? */
static bool holds_written(const struct current *cur, cJSON *written) {
        cJSON *w;
        cJSON_ArrayForEach(w, written) {
                const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(w, "target"));
                const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(w, "sha256"));
                cJSON *size = cJSON_GetObjectItem(w, "size");
                if (target && cur->kind == CURRENT_LINK && streq(cur->data, target))
                        return true;
                if (!hash || cur->kind != CURRENT_FILE || !cJSON_IsNumber(size) ||
                    cJSON_GetNumberValue(size) != (double) cur->len)
                        continue;
                char hex[2 * SHA256_DIGEST_SIZE + 1];
                sha256_hex(cur->data, cur->len, hex);
                if (streq(hex, hash))
                        return true;
        }
        return false;
}

/* Remove a file the run created, opening its directory with the run's
 * resolve rules (a link planted since in a user's home is not followed), and
 * the directory too when the run created it and it is empty again. */
static int remove_created(const struct root *root, const char *path, unsigned long long res,
                          bool parent_created, struct strv *paths) {
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

/* Put back the saved file: never with setuid/setgid bits, which no file kubeprep manages
 * has, so a manifest that asks for them is not believed in that. */
static int write_back(const struct root *root, const char *path, unsigned long long res, cJSON *entry,
                      const char *data, size_t len, struct rollback *rb) {
        mode_t mode = (mode_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "mode"));
        uid_t uid = (uid_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "uid"));
        gid_t gid = (gid_t) cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "gid"));
        if (mode & 06000) {
                strv_push(&rb->notes,
                          xasprintf("%s: the saved mode %o has setuid/setgid bits; restored as %04o", path,
                                    (unsigned) mode, (unsigned) (mode & ~06000)));
                mode &= ~06000;
        }
        _cleanup_free_ char *parent = xstrndup(path, (size_t) (strrchr(path, '/') - path));
        _cleanup_close_ int dfd = root_openat(root, *parent ? parent : "/", O_RDONLY | O_DIRECTORY, 0, res);
        return dfd < 0 ? dfd : write_file_atomic_at(dfd, strrchr(path, '/') + 1, data, len, mode, uid, gid);
}

static void not_restored(struct rollback *rb, const char *path, char *reason) {
        strv_push(&rb->not_restored, xstrdup(path));
        strv_push(&rb->reasons, reason);
}

/* One entry: restored (rb->restored), or left as it is (rb->not_restored). */
static void restore_entry(const struct root *root, int rfd, const char *shown_dir, cJSON *entry,
                          struct rollback *rb) {
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "path"));
        bool existed = cJSON_IsTrue(cJSON_GetObjectItem(entry, "existed"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "type"));
        bool link = type && streq(type, "symlink");
        const char *verb = existed ? "restore" : "remove";
        /* A file the run wrote with no-symlink rules (a user's home) is put back the same way. */
        unsigned long long res =
                cJSON_IsTrue(cJSON_GetObjectItem(entry, "noSymlinks")) ? RESOLVE_NO_SYMLINKS : 0;
        _cleanup_free_ char *saved = NULL;
        size_t saved_len = 0;
        int k = 0;
        if (existed && !link)
                k = read_run_file(rfd, cJSON_GetStringValue(cJSON_GetObjectItem(entry, "backup")), shown_dir,
                                  &saved, &saved_len);
        struct current cur = {};
        if (k >= 0)
                k = read_current(root, path, res, &cur);
        if (k < 0) {
                not_restored(rb, path, xasprintf("cannot %s: %s", verb, strerror(-k)));
                free(cur.data);
                return;
        }
        /* What the run wrote, or still what it found (a run killed before its write, or a
         * rollback that got this far before): anything else is someone else's change. */
        cJSON *written = cJSON_GetObjectItem(entry, "written");
        const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "target"));
        /* A manifest of an older kubeprep records no "written": restored as it always was. */
        bool ours = !written || holds_written(&cur, written) ||
                    (!existed ? cur.kind == CURRENT_ABSENT
                     : link   ? cur.kind == CURRENT_LINK && streq(cur.data, target)
                              : holds_bytes(&cur, saved, saved_len));
        free(cur.data);
        if (!ours) {
                not_restored(rb, path,
                             xasprintf("changed since run %s: not %s", rb->run_id,
                                       existed ? "restored" : "removed"));
                return;
        }
        if (!existed)
                k = remove_created(root, path, res,
                                   cJSON_IsTrue(cJSON_GetObjectItem(entry, "parentCreated")), &rb->restored);
        else if (link)
                k = root_symlink_atomic(root, path, target);
        else
                k = write_back(root, path, res, entry, saved, saved_len, rb);
        if (k < 0)
                not_restored(rb, path, xasprintf("cannot %s: %s", verb, strerror(-k)));
        else if (existed)
                strv_push(&rb->restored, xstrdup(path));
}

/* The run's id, given or the newest left, and its directory, trusted. */
static int open_run(const struct root *root, int bfd, const char *run_id, char **ret_id, char **ret_error) {
        _cleanup_free_ char *id = NULL, *why = NULL;
        if (run_id && (strchr(run_id, '/') || run_id[0] == '.' || !run_id[0])) {
                set_error(ret_error, "invalid run id '%s'", run_id);
                return -EINVAL;
        }
        int k = run_id ? 0 : find_last_run(bfd, &id);
        if (k < 0) {
                set_error(ret_error,
                          "no run to roll back: %s holds no backup of a run that changed something",
                          KUBEPREP_BACKUP_DIR);
                return k;
        }
        if (run_id)
                id = xstrdup(run_id);
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", id), *shown = host_path(root, dir);
        int fd = open_trusted_at(bfd, id, true, shown, &why);
        if (fd == -ENOENT)
                set_error(ret_error, "cannot read %s/" BACKUP_MANIFEST ": no such run", dir);
        else if (fd == -EPERM)
                set_error(ret_error, "backup run %s is not trusted: %s; nothing was restored", id, why);
        else if (fd < 0)
                set_error(ret_error, "cannot open %s: %s", shown, strerror(-fd));
        if (fd >= 0)
                *ret_id = TAKE_PTR(id);
        return fd;
}

/* The run's manifest, after every file of the run was found trusted. */
static int load_manifest(const struct root *root, int rfd, const char *id, cJSON **ret, char **ret_error) {
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", id), *shown = host_path(root, dir);
        _cleanup_free_ char *why = NULL, *text = NULL;
        struct stat st;
        if (fstatat(rfd, BACKUP_ROLLED_BACK, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                set_error(ret_error, "run %s was already rolled back", id);
                return -EALREADY;
        }
        int k = check_run_files(rfd, shown, &why);
        if (k == -EPERM)
                set_error(ret_error, "backup run %s is not trusted: %s; nothing was restored", id, why);
        size_t len = 0;
        if (k >= 0)
                k = read_run_file(rfd, BACKUP_MANIFEST, shown, &text, &len);
        if (k < 0) {
                set_error(ret_error, "cannot read %s/" BACKUP_MANIFEST ": %s", dir,
                          k == -ENOENT ? "no such run" : strerror(-k));
                return k;
        }
        cJSON *m = cJSON_ParseWithLength(text, len);
        if (!cJSON_IsArray(cJSON_GetObjectItem(m, "files"))) {
                cJSON_Delete(m);
                set_error(ret_error, "%s/" BACKUP_MANIFEST ": not a kubeprep backup manifest", dir);
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

int rollback_run(const struct root *root, const char *run_id, struct rollback *ret, char **ret_error) {
        *ret = (struct rollback){};
        _cleanup_close_ int bfd = open_store(root, ret_error);
        if (bfd == -ESRCH)
                set_error(ret_error,
                          "no run to roll back: %s holds no backup of a run that changed something",
                          KUBEPREP_BACKUP_DIR);
        if (bfd < 0)
                return bfd;
        _cleanup_close_ int rfd = open_run(root, bfd, run_id, &ret->run_id, ret_error);
        if (rfd < 0)
                return rfd;
        cJSON *m = NULL;
        int k = load_manifest(root, rfd, ret->run_id, &m, ret_error);
        cJSON *files = cJSON_GetObjectItem(m, "files");
        if (k >= 0)
                k = validate_entries(root, files, ret->run_id, ret_error);
        _cleanup_free_ char *dir = xasprintf(KUBEPREP_BACKUP_DIR "/%s", ret->run_id),
                            *shown = host_path(root, dir);
        /* Reverse order: the last change is undone first. */
        for (int i = cJSON_GetArraySize(files) - 1; k >= 0 && i >= 0; i--)
                restore_entry(root, rfd, shown, cJSON_GetArrayItem(files, i), ret);
        cJSON_Delete(m);
        if (k < 0 || ret->not_restored.n)
                return k;
        k = write_file_atomic_at(rfd, BACKUP_ROLLED_BACK, "", 0, 0600, (uid_t) -1, (gid_t) -1);
        if (k < 0)
                set_error(ret_error, "restored, but cannot mark %s as rolled back: %s", dir, strerror(-k));
        return k;
}
