/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's file order and the assignment of one key in a sysctl.d file (sysctl-conf.h). */
#include "formats/sysctl-conf.h"

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

/* Whether a file of this name was already taken from an earlier (higher priority) directory. */
static bool have_name(const struct strv *v, const char *name) {
        for (size_t i = 0; i < v->n; i++)
                if (streq(base_name(v->items[i]), name))
                        return true;
        return false;
}

int sysctl_conf_files(const struct root *root, const char *extra, struct strv *ret) {
        struct strv files = {};
        for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs); d++) {
                if (extra && startswith(extra, sysctl_dirs[d]) && extra[strlen(sysctl_dirs[d])] == '/' &&
                    !have_name(&files, base_name(extra)))
                        strv_push(&files, xstrdup(extra));
                struct strv names = {};
                int k = root_list_dir(root, sysctl_dirs[d], &names);
                if (k == -ENOENT || k == -ENOTDIR)
                        continue;
                if (k < 0) {
                        strv_free(&files);
                        return k;
                }
                for (size_t i = 0; i < names.n; i++)
                        if (is_conf(names.items[i]) && !have_name(&files, names.items[i]))
                                strv_push(&files, xasprintf("%s/%s", sysctl_dirs[d], names.items[i]));
                strv_free(&names);
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
