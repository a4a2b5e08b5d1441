/* SPDX-License-Identifier: MIT */
/* A unit file's [Install] section (see unit-install.h), after systemd's config_parse(). */
#include "formats/unit-install.h"

void unit_install_free(struct unit_install *u) {
        strv_free(&u->wanted_by);
        strv_free(&u->required_by);
        strv_free(&u->upheld_by);
        strv_free(&u->alias);
        strv_free(&u->also);
}

bool unit_install_empty(const struct unit_install *u) {
        return u->wanted_by.n == 0 && u->required_by.n == 0 && u->upheld_by.n == 0 && u->alias.n == 0 &&
               u->also.n == 0;
}

static int assign(struct strv *list, const char *value, unsigned line, char **ret_error) {
        if (strpbrk(value, "\"'%\\")) {
                set_error(ret_error,
                          "line %u: quotes, escapes or specifiers in '%s', which kubeprep does not expand",
                          line, value);
                return -EBADMSG;
        }
        if (!*value) {
                strv_free(list);
                return 0;
        }
        for (const char *p = value; *p;) {
                p += strspn(p, WHITESPACE);
                size_t n = strcspn(p, WHITESPACE);
                if (n == 0)
                        break;
                _cleanup_free_ char *word = xstrndup(p, n);
                if (!strv_contains(list, word))
                        strv_push(list, TAKE_PTR(word));
                p += n;
        }
        return 0;
}

/* One logical line: the line at off joined with its continuations (a trailing backslash becomes a
 * blank; comment lines inside are skipped, as systemd does). */
static char *logical_line(const char *text, size_t len, size_t *off) {
        struct buf b = {};
        for (size_t n, end; text_line(text, len, *off, &n, &end);) {
                const char *line = text + *off;
                *off = end;
                size_t s = strspn(line, " \t");
                if (b.len && s < n && (line[s] == '#' || line[s] == ';'))
                        continue;
                size_t l = span_rstrip(line, n, WHITESPACE);
                if (l > 0 && line[l - 1] == '\\') {
                        buf_append(&b, line, l - 1);
                        buf_putc(&b, ' ');
                        continue;
                }
                buf_append(&b, line, n);
                break;
        }
        return buf_steal(&b);
}

static struct strv *install_list(struct unit_install *u, const char *key) {
        return streq(key, "WantedBy")     ? &u->wanted_by
               : streq(key, "RequiredBy") ? &u->required_by
               : streq(key, "UpheldBy")   ? &u->upheld_by
               : streq(key, "Alias")      ? &u->alias
               : streq(key, "Also")       ? &u->also
                                          : NULL;
}

int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error) {
        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        _cleanup_(unit_install_free) struct unit_install u = {};
        bool in_install = false;
        for (size_t off = 0; off < len;) {
                unsigned line_no = line_of_offset(text, off);
                _cleanup_free_ char *raw = logical_line(text, len, &off);
                _cleanup_free_ char *line = xstrndup_strip(raw, strlen(raw), WHITESPACE);
                if (!*line || *line == '#' || *line == ';')
                        continue;
                if (*line == '[') {
                        if (line[strlen(line) - 1] != ']') {
                                set_error(ret_error, "line %u: a section header without ']'", line_no);
                                return -EBADMSG;
                        }
                        in_install = streq(line, "[Install]");
                        continue;
                }
                char *eq = strchr(line, '=');
                if (!in_install || !eq)
                        continue; /* systemd: "Missing '=', ignoring line." */
                *eq = 0;
                _cleanup_free_ char *key = xstrndup_strip(line, strlen(line), WHITESPACE);
                _cleanup_free_ char *value = xstrndup_strip(eq + 1, strlen(eq + 1), WHITESPACE);
                struct strv *list = install_list(&u, key);
                if (list && (k = assign(list, value, line_no, ret_error)) < 0)
                        return k;
        }
        *ret = u;
        u = (struct unit_install){};
        return 0;
}
