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
        for (size_t i = 0; i < b->n_entries; i++)
                free(b->entries[i].more);
        free(b->entries);
        *b = (struct backup){ .dfd = -EBADF };
}

/* The SHA-256 of the bytes a manifest records last, which 10,000 users' copies of one
 * admin.conf share: hashed once. */
struct digest_memo {
        const char *data;
        size_t len;
        char hex[2 * SHA256_DIGEST_SIZE + 1];
};

/* What w writes, as the manifest records it: a link's target, or a file's size and
 * SHA-256 (rollback compares the file with it; the bytes themselves need not be kept). */
static cJSON *written_record(const struct file_edit *w, struct digest_memo *m) {
        cJSON *o = cJSON_CreateObject();
        if (w->kind == EDIT_SYMLINK) {
                cJSON_AddStringToObject(o, "target", w->new_data);
                return o;
        }
        if (m->data != w->new_data || m->len != w->new_len) {
                sha256_hex(w->new_data, w->new_len, m->hex);
                m->data = w->new_data;
                m->len = w->new_len;
        }
        cJSON_AddNumberToObject(o, "size", (double) w->new_len);
        cJSON_AddStringToObject(o, "sha256", m->hex);
        return o;
}

/* Entry i as the manifest says it, its keys in the order they always had. */
static cJSON *entry_json(const struct backup_entry *x, size_t i, struct digest_memo *m) {
        const struct file_edit *e = x->saved;
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "path", e->path);
        cJSON_AddBoolToObject(entry, "existed", e->existed);
        cJSON_AddBoolToObject(entry, "noSymlinks", (e->resolve & RESOLVE_NO_SYMLINKS) != 0);
        if (x->parent_created)
                cJSON_AddBoolToObject(entry, "parentCreated", true);
        if (e->existed) {
                cJSON_AddStringToObject(entry, "type", e->old_is_symlink ? "symlink" : "file");
                cJSON_AddNumberToObject(entry, "mode", e->mode);
                cJSON_AddNumberToObject(entry, "uid", e->uid);
                cJSON_AddNumberToObject(entry, "gid", e->gid);
                if (e->old_is_symlink)
                        cJSON_AddStringToObject(entry, "target", e->old_data);
                else {
                        _cleanup_free_ char *name = xasprintf("%zu", i);
                        cJSON_AddStringToObject(entry, "backup", name);
                }
        }
        cJSON *list = cJSON_AddArrayToObject(entry, "written");
        cJSON_AddItemToArray(list, written_record(x->written, m));
        for (size_t j = 0; j < x->n_more; j++)
                cJSON_AddItemToArray(list, written_record(x->more[j], m));
        return entry;
}

/* The text of one entry, as cJSON_Print() of the whole manifest had it: two levels deeper. */
static int append_entry(struct buf *out, const struct backup_entry *x, size_t i, struct digest_memo *m) {
        cJSON *o = entry_json(x, i, m);
        _cleanup_free_ char *text = cJSON_Print(o);
        cJSON_Delete(o);
        if (!text)
                return -ENOMEM;
        /* Strings are escaped: every newline is one of the layout's. */
        for (const char *p = text, *nl; *p; p = nl + 1) {
                nl = strchrnul(p, '\n');
                buf_append(out, p, (size_t) (nl - p));
                if (!*nl)
                        break;
                buf_puts(out, "\n\t\t");
        }
        return 0;
}

/* Write out what is buffered once there is enough of it (all of it: final). */
static int drain(int fd, struct buf *out, bool final) {
        if (!final && out->len < 64 * 1024)
                return 0;
        int k = write_all(fd, out->data, out->len);
        out->len = 0;
        return k;
}

/* The manifest, an entry at a time: its text is as large as the entries. */
static int fill_manifest(int fd, void *userdata) {
        const struct backup *b = userdata;
        cJSON *id = cJSON_CreateString(b->run_id);
        _cleanup_free_ char *run = cJSON_PrintUnformatted(id);
        cJSON_Delete(id);
        if (!run)
                return -ENOMEM;
        struct buf out = {};
        struct digest_memo m = {};
        buf_printf(&out, "{\n\t\"run\":\t%s,\n\t\"files\":\t[", run);
        int k = 0;
        bool first = true;
        for (size_t i = 0; k >= 0 && i < b->n_entries; i++) {
                if (b->entries[i].dropped)
                        continue;
                if (!first)
                        buf_puts(&out, ", ");
                first = false;
                k = append_entry(&out, &b->entries[i], i, &m);
                if (k >= 0)
                        k = drain(fd, &out, false);
        }
        if (k >= 0) {
                buf_puts(&out, "]\n}\n");
                k = drain(fd, &out, true);
        }
        buf_free(&out);
        return k;
}

static int write_manifest(struct backup *b) {
        return write_file_atomic_fill_at(b->dfd, BACKUP_MANIFEST, fill_manifest, b, 0600, (uid_t) -1,
                                         (gid_t) -1);
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
        b->dir = TAKE_PTR(dir);
        return 0;
}

/* Do a and b write the same: the same link target, or the same bytes? */
static bool same_write(const struct file_edit *a, const struct file_edit *b) {
        if ((a->kind == EDIT_SYMLINK) != (b->kind == EDIT_SYMLINK))
                return false;
        if (a->kind == EDIT_SYMLINK)
                return streq(a->new_data, b->new_data);
        return a->new_len == b->new_len && memcmp(a->new_data, b->new_data, a->new_len) == 0;
}

/* What it writes joins the entry's "written" list before it is written, so that rollback accepts
 * the file holding any of the run's writes. */
void backup_add_written(struct backup *b, size_t entry, const struct file_edit *w) {
        struct backup_entry *x = &b->entries[entry];
        if (same_write(x->written, w))
                return;
        for (size_t j = 0; j < x->n_more; j++)
                if (same_write(x->more[j], w))
                        return;
        x->more = xrealloc(x->more, (x->n_more + 1) * sizeof(*x->more));
        x->more[x->n_more++] = w;
        b->unflushed = true;
}

/* A saved copy in the run's new directory: no one else writes there and the manifest names it
 * only once it is complete, so no temp file and rename; fsync'ed, the directory later, once. */
static int save_copy(struct backup *b, size_t i, const char *data, size_t len) {
        _cleanup_free_ char *name = xasprintf("%zu", i);
        _cleanup_close_ int fd =
                openat(b->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int k = write_all(fd, data, len);
        if (k < 0)
                return k;
        return fsync(fd) < 0 ? -errno : 0;
}

int backup_add(struct backup *b, const struct file_edit *e, const struct file_edit *written,
               char **ret_error) {
        if (!b->dir) {
                int k = backup_start(b, ret_error);
                if (k < 0)
                        return k;
        }
        if (e->existed && !e->old_is_symlink) {
                int k = save_copy(b, b->n_entries, e->old_data, e->old_len);
                if (k < 0) {
                        set_error(ret_error, "cannot save a backup of %s: %s", e->path, strerror(-k));
                        return k;
                }
        }
        b->entries = xrealloc_grow(b->entries, b->n_entries, sizeof(*b->entries));
        b->entries[b->n_entries++] = (struct backup_entry){
                .saved = e,
                .written = written,
                .parent_created = e->parent_created,
        };
        b->unflushed = true;
        return (int) (b->n_entries - 1);
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

void backup_settle(struct backup *b, size_t entry, bool written, bool parent_created) {
        struct backup_entry *x = &b->entries[entry];
        /* A directory the run made stays the run's to remove, even when its file was not written. */
        x->settled = written || parent_created;
        if (!parent_created && x->parent_created) {
                /* The directory appeared before the run got to it: not the run's to remove. */
                x->parent_created = false;
                b->unflushed = true;
        }
}

/* Remove the run's directory: nothing was changed, so there is nothing to roll back. */
static int discard_run(struct backup *b) {
        int k = 0;
        if (unlinkat(b->dfd, BACKUP_MANIFEST, 0) < 0 && errno != ENOENT)
                k = -errno;
        /* <= : a copy that failed half-way may be there too. */
        for (size_t i = 0; i <= b->n_entries; i++) {
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
        for (size_t i = 0; i < b->n_entries; i++)
                kept += b->entries[i].settled;
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
        for (size_t i = 0; kept < b->n_entries && i < b->n_entries; i++) {
                struct backup_entry *x = &b->entries[i];
                if (x->settled || x->dropped)
                        continue;
                if (x->saved->existed && !x->saved->old_is_symlink) {
                        _cleanup_free_ char *name = xasprintf("%zu", i);
                        (void) unlinkat(b->dfd, name, 0);
                }
                x->dropped = true;
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
