/* SPDX-License-Identifier: MIT */
/* Reading the kubelet's log for `diagnose`: sd-journal for journals, line by
 * line for text. A tree's journal is opened through the rooted layer, so no
 * link in the tree can make kubeprep read the host's journal instead. */
#include "diagnose/kubelet-log.h"

#include <dirent.h>
#include <fcntl.h>

#include "basic/time-util.h"
#include "diagnose/log-time.h"
#include "system/libsystemd.h"

#define KUBELET_UNIT "kubelet.service"
#define ROOT_JOURNAL_DIR "/var/log/journal"

void log_summary_free(struct log_summary *s) {
        free(s->description);
        *s = (struct log_summary){};
}

static bool is_journal_file_name(const char *name) {
        size_t n = strlen(name);
        return (n > 8 && streq(name + n - 8, ".journal")) || (n > 9 && streq(name + n - 9, ".journal~"));
}

/* The subdirectories sd-journal descends into: one per machine id. */
static bool is_machine_id_dir_name(const char *name) {
        sd_id128_t id;
        return sym_sd_id128_from_string(name, &id) >= 0;
}

/* Count the journal files sd-journal would open under dirfd (and its machine
 * id subdirectories). refuse_links: a link among them is an error, since
 * sd-journal would follow it, out of the tree if it pointed there. */
static int scan_journal_dir(int dirfd, const char *where, bool refuse_links, unsigned depth,
                            unsigned *ret_count, char **ret_error) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int k = -errno;
                close(fd);
                return k;
        }
        int k = 0;
        struct dirent *de;
        while (k >= 0 && (de = readdir(d))) {
                bool journal = is_journal_file_name(de->d_name);
                bool subdir = depth == 0 && is_machine_id_dir_name(de->d_name);
                if (!journal && !subdir)
                        continue;
                struct stat st;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* gone meanwhile */
                if (S_ISLNK(st.st_mode) && refuse_links) {
                        set_error(ret_error,
                                  "%s/%s is a symbolic link; kubeprep does not follow links in a tree's "
                                  "journal",
                                  where, de->d_name);
                        k = -ELOOP;
                } else if (journal && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
                        (*ret_count)++;
                else if (subdir && S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub =
                                openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        _cleanup_free_ char *subwhere = xasprintf("%s/%s", where, de->d_name);
                        if (sub >= 0)
                                k = scan_journal_dir(sub, subwhere, refuse_links, depth + 1, ret_count,
                                                     ret_error);
                }
        }
        closedir(d);
        return k;
}

/* Open the journal the source names. *ret_fd keeps a directory open for as
 * long as the journal is (sd-journal does not take it over). */
static int open_journal(const struct log_source *src, sd_journal **ret, int *ret_fd, char **ret_where,
                        char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_(sym_sd_journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *where = NULL;
        int k;
        if (src->kind == LOG_SOURCE_LIVE) {
                k = sym_sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
                if (k < 0) {
                        set_error(ret_error, "cannot open the journal: %s", strerror(-k));
                        return k;
                }
                if (sym_sd_journal_has_runtime_files(j) <= 0 &&
                    sym_sd_journal_has_persistent_files(j) <= 0) {
                        if (geteuid() == 0)
                                set_error(ret_error,
                                          "this system keeps no journal (nothing in /var/log/journal or "
                                          "/run/log/journal); pass --log FILE or --journal-dir DIR");
                        else
                                set_error(ret_error,
                                          "no journal files could be read (run as root or as a member of "
                                          "the systemd-journal group, or pass --log FILE)");
                        return -EACCES;
                }
                *ret = TAKE_PTR(j);
                *ret_where = NULL;
                *ret_fd = -EBADF;
                return 0;
        }
        if (src->kind == LOG_SOURCE_ROOT) {
                where = xasprintf("%s%s", streq(src->root->path, "/") ? "" : src->root->path,
                                  ROOT_JOURNAL_DIR);
                fd = root_openat(src->root, ROOT_JOURNAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0);
        } else {
                where = xstrdup(src->path);
                fd = open(src->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        fd = -errno;
        }
        if (fd < 0) {
                k = fd;
                set_error(ret_error, "cannot open the journal directory %s: %s%s", where, strerror(-k),
                          k == -ENOENT && src->kind == LOG_SOURCE_ROOT
                                  ? " (the tree keeps no persistent journal)"
                                  : "");
                return k;
        }
        unsigned n_files = 0;
        k = scan_journal_dir(fd, where, src->kind == LOG_SOURCE_ROOT, 0, &n_files, ret_error);
        if (k < 0) {
                set_error(ret_error, "cannot read the journal directory %s: %s", where, strerror(-k));
                return k;
        }
        if (n_files == 0) {
                set_error(ret_error, "%s holds no journal files", where);
                return -ENOENT;
        }
        k = sym_sd_journal_open_directory_fd(&j, fd, 0);
        if (k < 0) {
                set_error(ret_error, "cannot open the journal in %s: %s", where, strerror(-k));
                return k;
        }
        *ret = TAKE_PTR(j);
        *ret_fd = TAKE_FD(fd);
        *ret_where = TAKE_PTR(where);
        return 0;
}

/* The boot to read when no --since widens it: the running one live, else the
 * newest recorded. Returns 0 when the journal is empty. */
static int pick_boot(const struct log_source *src, sd_journal *j, sd_id128_t *ret) {
        if (src->kind == LOG_SOURCE_LIVE) {
                int k = sym_sd_id128_get_boot(ret);
                return k < 0 ? k : 1;
        }
        int k = sym_sd_journal_seek_tail(j);
        if (k >= 0)
                k = sym_sd_journal_previous(j);
        if (k <= 0)
                return k;
        uint64_t mono;
        k = sym_sd_journal_get_monotonic_usec(j, &mono, ret);
        return k < 0 ? k : 1;
}

static int read_journal(const struct log_source *src, log_entry_fn fn, void *userdata,
                        struct log_summary *ret, char **ret_error) {
        /* dirfd first: cleanups run in reverse, and the journal must be closed before its directory. */
        _cleanup_close_ int dirfd = -EBADF;
        _cleanup_(sym_sd_journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *where = NULL, *boot_text = NULL;
        int k = dlopen_libsystemd(ret_error);
        if (k < 0)
                return k;
        k = open_journal(src, &j, &dirfd, &where, ret_error);
        if (k < 0)
                return k;

        sd_id128_t boot = SD_ID128_NULL;
        bool have_boot = false;
        if (!src->has_since) {
                k = pick_boot(src, j, &boot);
                if (k < 0) {
                        set_error(ret_error, "cannot find the boot to read: %s", strerror(-k));
                        return k;
                }
                have_boot = k > 0;
        }
        k = sym_sd_journal_add_match(j, "_SYSTEMD_UNIT=" KUBELET_UNIT, 0);
        if (k >= 0 && have_boot) {
                char match[64];
                snprintf(match, sizeof(match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
                k = sym_sd_journal_add_match(j, match, 0);
        }
        if (k >= 0)
                k = src->has_since ? sym_sd_journal_seek_realtime_usec(j, src->since_usec)
                                   : sym_sd_journal_seek_head(j);
        if (k < 0) {
                set_error(ret_error, "cannot read the journal: %s", strerror(-k));
                return k;
        }

        unsigned n = 0;
        for (;;) {
                k = sym_sd_journal_next(j);
                if (k < 0) {
                        set_error(ret_error, "cannot read the journal%s%s: %s", where ? " in " : "",
                                  strempty(where), strerror(-k));
                        return k;
                }
                if (k == 0)
                        break;
                uint64_t usec = 0;
                const void *data;
                size_t len;
                if (sym_sd_journal_get_realtime_usec(j, &usec) < 0 ||
                    (src->has_since && usec < src->since_usec))
                        continue;
                if (sym_sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len < 8)
                        continue;
                _cleanup_free_ char *message = xstrndup((const char *) data + 8, len - 8);
                n++;
                struct log_entry e = { .message = message, .realtime_usec = usec };
                k = fn(&e, userdata);
                if (k < 0)
                        return k;
        }

        if (src->has_since) {
                _cleanup_free_ char *since = format_timestamp(src->since_usec, false);
                boot_text = xasprintf("since %s", since);
        } else if (src->kind == LOG_SOURCE_LIVE)
                boot_text = xstrdup("this boot");
        else if (have_boot)
                boot_text = xasprintf("boot " SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
        else
                boot_text = xstrdup("no entries");
        ret->description = where ? xasprintf("the kubelet's journal in %s, %s", where, boot_text)
                                 : xasprintf("the kubelet's journal, %s", boot_text);
        ret->n_entries = n;
        return 0;
}

/* One line of f without its '\n', NUL-terminated in *line (grown as needed, never past
 * LOG_LINE_MAX + 1 bytes): the rest of a longer line is read and dropped. -1 at the end. */
static ssize_t read_line(FILE *f, char **line, size_t *cap) {
        size_t n = 0;
        bool any = false;
        for (int c; (c = getc_unlocked(f)) != EOF;) {
                any = true;
                if (c == '\n')
                        break;
                if (n >= LOG_LINE_MAX)
                        continue;
                if (n + 1 >= *cap) {
                        *cap = *cap ? 2 * *cap : 256;
                        *line = xrealloc(*line, *cap);
                }
                (*line)[n++] = (char) c;
        }
        if (!any)
                return -1;
        if (!*line)
                *line = xmalloc(*cap = 256);
        (*line)[n] = 0;
        return (ssize_t) n;
}

static int read_text(const struct log_source *src, log_entry_fn fn, void *userdata, struct log_summary *ret,
                     char **ret_error) {
        bool is_stdin = streq(src->path, "-");
        _cleanup_fclose_ FILE *owned = is_stdin ? NULL : fopen(src->path, "re");
        FILE *f = is_stdin ? stdin : owned;
        oom_note_file(is_stdin ? "standard input" : src->path);
        if (!f) {
                int k = -errno;
                set_error(ret_error, "cannot read %s: %s", src->path, strerror(-k));
                return k;
        }
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        unsigned lineno = 0, n = 0;
        while ((len = read_line(f, &line, &cap)) >= 0) {
                lineno++;
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = 0;
                if (len == 0)
                        continue;
                size_t slen = log_line_stamp_len(line);
                _cleanup_free_ char *stamp = slen ? xstrndup(line, slen) : NULL;
                n++;
                struct log_entry e = { .message = line, .line = lineno, .stamp = stamp };
                int k = fn(&e, userdata);
                if (k < 0)
                        return k;
        }
        if (ferror(f)) {
                set_error(ret_error, "cannot read %s: %s", is_stdin ? "standard input" : src->path,
                          strerror(errno));
                return -EIO;
        }
        ret->description = is_stdin ? xstrdup("standard input") : xstrdup(src->path);
        ret->n_entries = n;
        return 0;
}

int kubelet_log_read(const struct log_source *src, log_entry_fn fn, void *userdata, struct log_summary *ret,
                     char **ret_error) {
        struct log_summary s = {};
        int k = src->kind == LOG_SOURCE_TEXT ? read_text(src, fn, userdata, &s, ret_error)
                                             : read_journal(src, fn, userdata, &s, ret_error);
        if (k < 0) {
                log_summary_free(&s);
                return k;
        }
        *ret = s;
        return 0;
}
