/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's file order and the assignment of one key in a sysctl.d file (sysctl-conf.h). */
#include "formats/sysctl-conf.h"

#include "basic/name-index.h"

static const char *const sysctl_dirs[] = {
        "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d",
};

static bool is_conf(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

static const char *base_name(const char *path) {
        return strrchr(path, '/') + 1;
}

static int compare_base(const void *a, const void *b) {
        return strcmp(base_name(*(char *const *) a), base_name(*(char *const *) b));
}

/* Take path unless a file of its name came from an earlier (higher priority) directory; names
 * indexes the base names taken, so that /etc/sysctl.d with 100,000 files is no quadratic scan. */
static void take(struct strv *files, struct name_index *names, char *path) {
        if (name_index_put(names, base_name(path), files->n))
                strv_push(files, path);
        else
                free(path);
}

int sysctl_conf_files(const struct root *root, const char *extra, struct strv *ret) {
        struct strv files = {};
        struct name_index names = {};
        int k = 0;
        for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs) && k >= 0; d++) {
                if (extra && startswith(extra, sysctl_dirs[d]) && extra[strlen(sysctl_dirs[d])] == '/')
                        take(&files, &names, xstrdup(extra));
                struct strv list = {};
                k = root_list_dir(root, sysctl_dirs[d], &list);
                if (k == -ENOENT || k == -ENOTDIR) {
                        k = 0;
                        continue;
                }
                for (size_t i = 0; k >= 0 && i < list.n; i++)
                        if (is_conf(list.items[i]))
                                take(&files, &names, xasprintf("%s/%s", sysctl_dirs[d], list.items[i]));
                strv_free(&list);
        }
        name_index_free(&names);
        if (k < 0) {
                strv_free(&files);
                return k;
        }
        if (files.n)
                qsort(files.items, files.n, sizeof(char *), compare_base);
        if (root_exists(root, "/etc/sysctl.conf"))
                strv_push(&files, xstrdup("/etc/sysctl.conf"));
        *ret = files;
        return 0;
}

/* A key as written, in the dotted form: if its first separator is '/', '/' and '.' swap roles. */
static char *normalize_key(const char *k, size_t n) {
        char *s = xstrndup(k, n);
        size_t first = strcspn(s, "./");
        if (s[first] == '/')
                for (char *p = s; *p; p++)
                        *p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
        return s;
}

int sysctl_conf_find(const char *text, size_t len, const char *name, char **ret_value, unsigned *ret_line) {
        _cleanup_free_ char *value = NULL;
        unsigned line = 0, found_line = 0;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *s = text + off;
                line++;
                span_strip(&s, &n, WHITESPACE);
                if (n == 0 || s[0] == '#' || s[0] == ';')
                        continue;
                const char *eq = memchr(s, '=', n);
                if (!eq) /* "-key.glob" excludes a key from globs; no assignment */
                        continue;
                const char *k = s, *v = eq + 1;
                size_t kn = (size_t) (eq - s), vn = n - kn - 1;
                if (kn > 0 && k[0] == '-')
                        k++, kn--;
                span_strip(&k, &kn, WHITESPACE);
                span_strip(&v, &vn, WHITESPACE);
                if (memchr(k, '*', kn) || memchr(k, '?', kn) || memchr(k, '[', kn))
                        continue;
                _cleanup_free_ char *key = normalize_key(k, kn);
                if (!streq(key, name))
                        continue;
                free(value);
                value = xstrndup(v, vn);
                found_line = line;
        }
        if (!value)
                return 0;
        *ret_value = TAKE_PTR(value);
        *ret_line = found_line;
        return 1;
}
