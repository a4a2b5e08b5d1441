/* SPDX-License-Identifier: MIT */
/* The `kubeprep lint [--fix] FILE...` verb: read each manifest (or stdin),
 * report its findings as FILE:LINE, and with --fix replace it atomically. */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lint.h"
#include "rootfs.h"
#include "util.h"

/* Read a file, or stdin, or a pipe (`lint <(helm template ...)`); never a device. */
static int read_input(const char *path, char **ret_data, size_t *ret_len, struct stat *ret_st) {
        _cleanup_close_ int fd = -EBADF;
        int in = STDIN_FILENO;
        if (!streq(path, "-")) {
                fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                in = fd;
        }
        struct stat st;
        if (fstat(in, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
                return -EINVAL;
        int k = read_fd_to_end(in, S_ISREG(st.st_mode) ? (size_t) st.st_size : 0, SIZE_MAX, ret_data, ret_len);
        if (k < 0)
                return k;
        *ret_st = st;
        return 0;
}

/* Replace the file the path names (through symlinks) atomically, keeping its
 * mode and owner. No backup: lint edits a user's manifests, not the node. */
static int replace_file(const char *path, const struct stat *st, const char *data, size_t len) {
        _cleanup_free_ char *real = realpath(path, NULL);
        if (!real)
                return -errno;
        _cleanup_free_ char *dir_copy = xstrdup(real), *base_copy = xstrdup(real);
        _cleanup_close_ int dfd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return write_file_atomic_at(dfd, basename(base_copy), data, len, st->st_mode, st->st_uid, st->st_gid);
}

static void print_items(FILE *out, const char *name, const struct lint_result *res, bool fixed) {
        for (size_t i = 0; i < res->n; i++) {
                const struct lint_item *it = &res->items[i];
                if (fixed && it->verdict == LINT_FINDING && !it->in_list) {
                        fprintf(out, "%s:%u: %s: set dnsPolicy: " WANTED_POLICY " (was %s)\n", name, it->line,
                                it->object, it->dns_policy ?: "unset");
                        continue;
                }
                _cleanup_free_ char *msg = lint_item_describe(it);
                fprintf(out, "%s:%u: %s%s\n", name, it->line, msg,
                        fixed && it->verdict == LINT_FINDING ? " (an item of a List: --fix cannot edit it)" : "");
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
        struct stat st = {}; /* set by read_input() on success */
        struct lint_result res = {};

        int r = read_input(path, &text, &len, &st);
        if (r < 0) {
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
                if (!S_ISREG(st.st_mode))
                        r = -EINVAL;
                else
                        r = replace_file(path, &st, fixed, fixed_len);
                if (r < 0) {
                        fprintf(stderr, "%s: cannot write: %s%s\n", name, strerror(-r), unchanged);
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
