/* SPDX-License-Identifier: MIT */
/* A unit file's [Install] section (see unit-install.h). */
#include "formats/unit-install.h"

void unit_install_done(struct unit_install *u) {
        strv_free(&u->wanted_by);
        strv_free(&u->required_by);
        strv_free(&u->upheld_by);
        strv_free(&u->alias);
}

static void assign(struct strv *list, const char *value) {
        if (!*value) {
                strv_free(list);
                return;
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

int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error) {
        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        struct unit_install u = {};
        bool in_install = false;
        for (size_t off = 0; off < len;) {
                unsigned line_no = line_of_offset(text, off);
                _cleanup_free_ char *raw = logical_line(text, len, &off);
                _cleanup_free_ char *line = xstrndup_strip(raw, strlen(raw), WHITESPACE);
                if (!*line || *line == '#' || *line == ';')
                        continue;
                if (*line == '[') {
                        size_t n = strlen(line);
                        if (line[n - 1] != ']') {
                                set_error(ret_error, "line %u: a section header without ']'", line_no);
                                unit_install_done(&u);
                                return -EBADMSG;
                        }
                        in_install = streq(line, "[Install]");
                        continue;
                }
                char *eq = strchr(line, '=');
                if (!in_install || !eq)
                        continue;
                *eq = 0;
                _cleanup_free_ char *key = xstrndup_strip(line, strlen(line), WHITESPACE);
                _cleanup_free_ char *value = xstrndup_strip(eq + 1, strlen(eq + 1), WHITESPACE);
                if (streq(key, "WantedBy"))
                        assign(&u.wanted_by, value);
                else if (streq(key, "RequiredBy"))
                        assign(&u.required_by, value);
                else if (streq(key, "UpheldBy"))
                        assign(&u.upheld_by, value);
                else if (streq(key, "Alias"))
                        assign(&u.alias, value);
        }
        *ret = u;
        return 0;
}
