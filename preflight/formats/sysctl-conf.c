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

/* The *.conf names of one directory, sorted (root_list_dir() sorts), with extra's name among them
 * when extra is in it. */
static int list_confs(const struct root *root, const char *dir, const char *extra, struct strv *ret) {
        struct strv list = {};
        int k = root_list_dir(root, dir, &list);
        if (k < 0 && k != -ENOENT && k != -ENOTDIR)
                return k;
        size_t n = 0;
        for (size_t i = 0; i < list.n; i++)
                if (is_conf(list.items[i]))
                        list.items[n++] = list.items[i];
                else
                        free(list.items[i]);
        list.n = n;
        const char *e = extra ? startswith(extra, dir) : NULL;
        if (e && e[0] == '/' && !strchr(e + 1, '/')) {
                size_t at = 0;
                while (at < list.n && strcmp(list.items[at], e + 1) < 0)
                        at++;
                if (at == list.n || !streq(list.items[at], e + 1)) {
                        strv_push(&list, NULL); /* room */
                        memmove(list.items + at + 1, list.items + at, (list.n - 1 - at) * sizeof(char *));
                        list.items[at] = xstrdup(e + 1);
                }
        }
        if (list.n)
                list.items[list.n] = NULL;
        *ret = list;
        return 0;
}

int sysctl_conf_files(const struct root *root, const char *extra, struct strv *ret) {
        /* Each directory's names are sorted: merging them takes the smallest name next, from the
         * earliest directory that has it, and skips it in the others; /etc/sysctl.d with 100,000
         * files costs no index of names. */
        struct strv lists[ELEMENTSOF(sysctl_dirs)] = {};
        size_t at[ELEMENTSOF(sysctl_dirs)] = {};
        int k = 0;
        for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs) && k >= 0; d++)
                k = list_confs(root, sysctl_dirs[d], extra, &lists[d]);
        struct strv files = {};
        while (k >= 0) {
                const char *next = NULL;
                size_t from = 0;
                for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs); d++)
                        if (at[d] < lists[d].n && (!next || strcmp(lists[d].items[at[d]], next) < 0)) {
                                next = lists[d].items[at[d]];
                                from = d;
                        }
                if (!next)
                        break;
                strv_push(&files, xasprintf("%s/%s", sysctl_dirs[from], next));
                for (size_t d = from + 1; d < ELEMENTSOF(sysctl_dirs); d++)
                        if (at[d] < lists[d].n && streq(lists[d].items[at[d]], next))
                                at[d]++;
                at[from]++;
        }
        for (size_t d = 0; d < ELEMENTSOF(sysctl_dirs); d++)
                strv_free(&lists[d]);
        if (k < 0) {
                strv_free(&files);
                return k;
        }
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
