/* SPDX-License-Identifier: MIT */
/* Reading a unit file's [Install] section (see unit-install.h), after systemd's
 * config_parse(): lines joined at a trailing backslash, "[Section]" headers, "Key=Value"
 * with blanks around both trimmed. */
#include "formats/unit-install.h"

void unit_install_free(struct unit_install *u) {
        strv_free(&u->wanted_by);
        strv_free(&u->required_by);
        strv_free(&u->alias);
        strv_free(&u->also);
}

bool unit_install_empty(const struct unit_install *u) {
        return u->wanted_by.n == 0 && u->required_by.n == 0 && u->alias.n == 0 && u->also.n == 0;
}

static char *trim(char *s) {
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                s[--n] = 0;
        return s;
}

static int add_words(struct strv *list, const char *value, unsigned line, char **ret_error) {
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
        _cleanup_free_ char *copy = xstrdup(value);
        for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                if (!strv_contains(list, w))
                        strv_push(list, xstrdup(w));
        return 0;
}

int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error) {
        struct unit_install u = {};
        struct buf logical = {};
        bool install = false;
        unsigned line = 0, first = 0;
        int r = 0;

        for (size_t off = 0, n, end; r >= 0 && text_line(text, len, off, &n, &end); off = end) {
                line++;
                if (logical.len == 0)
                        first = line;
                buf_append(&logical, text + off, n);
                if (logical.len > 0 && logical.data[logical.len - 1] == '\\') {
                        logical.data[logical.len - 1] = ' '; /* systemd joins with a blank */
                        continue;
                }
                buf_putc(&logical, 0);
                char *l = trim(logical.data);
                if (*l == '[')
                        install = streq(l, "[Install]");
                else if (install && *l && *l != '#' && *l != ';') {
                        char *eq = strchr(l, '=');
                        if (!eq) {
                                set_error(ret_error, "line %u: not Key=Value: %s", first, l);
                                r = -EBADMSG;
                                break;
                        }
                        *eq = 0;
                        const char *key = trim(l), *value = trim(eq + 1);
                        struct strv *list = streq(key, "WantedBy")     ? &u.wanted_by
                                            : streq(key, "RequiredBy") ? &u.required_by
                                            : streq(key, "Alias")      ? &u.alias
                                            : streq(key, "Also")       ? &u.also
                                                                       : NULL;
                        if (list)
                                r = add_words(list, value, first, ret_error);
                }
                logical.len = 0;
        }
        buf_free(&logical);
        if (r < 0) {
                unit_install_free(&u);
                return r;
        }
        *ret = u;
        return 0;
}
