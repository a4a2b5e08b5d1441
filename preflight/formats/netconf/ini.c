/* SPDX-License-Identifier: MIT */
/* The INI line scanner of keyfiles and .network files, and the splice the netconf editors add lines
 * with (ini.h). */
#include "formats/netconf/ini.h"

#include <ctype.h>

void netconf_ini_free(struct netconf_ini *ini) {
        for (size_t i = 0; i < ini->n; i++) {
                free(ini->lines[i].section);
                free(ini->lines[i].key);
                free(ini->lines[i].value);
        }
        free(ini->lines);
        *ini = (struct netconf_ini){};
}

static int ini_classify(struct netconf_ini_line *l, const char *s, size_t n, const char *comment_chars,
                        const char *section, char **ret_error) {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i == n) {
                l->kind = NETCONF_INI_BLANK;
                return 0;
        }
        if (strchr(comment_chars, s[i])) {
                l->kind = NETCONF_INI_COMMENT;
                return 0;
        }
        if (s[n - 1] == '\\') {
                /* A continuation joins the next line into this value: editing around it could
                 * split a value, so such files are not touched. */
                set_error(ret_error, "line %u: continuation line (trailing backslash)", l->line);
                return -EBADMSG;
        }
        if (s[i] == '[') {
                const char *close = memchr(s + i, ']', n - i);
                if (!close || close == s + i + 1) {
                        set_error(ret_error, "line %u: malformed section header", l->line);
                        return -EBADMSG;
                }
                for (const char *p = close + 1; p < s + n; p++)
                        if (!isspace((unsigned char) *p)) {
                                set_error(ret_error, "line %u: text after the section header", l->line);
                                return -EBADMSG;
                        }
                l->kind = NETCONF_INI_SECTION;
                l->section = xstrndup(s + i + 1, close - s - i - 1);
                return 0;
        }
        const char *eq = memchr(s + i, '=', n - i);
        if (!eq || eq == s + i) {
                set_error(ret_error, "line %u: neither a key=value assignment, a section nor a comment",
                          l->line);
                return -EBADMSG;
        }
        if (!section) {
                set_error(ret_error, "line %u: assignment before the first section", l->line);
                return -EBADMSG;
        }
        l->kind = NETCONF_INI_KEY;
        l->key = xstrndup_strip(s + i, eq - s - i, WHITESPACE);
        l->value = xstrndup_strip(eq + 1, s + n - eq - 1, WHITESPACE);
        l->spaced = eq > s + i && isspace((unsigned char) eq[-1]);
        l->section = xstrdup(section);
        return 0;
}

int netconf_ini_parse(const char *text, size_t len, const char *comment_chars, struct netconf_ini *ret,
                      char **ret_error) {
        struct netconf_ini ini = { .eol = detect_eol(text, len) };
        const char *section = NULL;
        size_t cap = 0;

        int nul = refuse_nul(text, len, ret_error);
        if (nul < 0)
                return nul;
        for (size_t off = 0, content, end; text_line(text, len, off, &content, &end); off = end) {
                if (ini.n == cap) {
                        cap = cap ? cap * 2 : 32;
                        ini.lines = xrealloc(ini.lines, cap * sizeof(*ini.lines));
                }
                struct netconf_ini_line *l = &ini.lines[ini.n++];
                *l = (struct netconf_ini_line){ .line = ini.n, .start = off, .end = end };
                int r = ini_classify(l, text + off, content, comment_chars, section, ret_error);
                if (r < 0) {
                        netconf_ini_free(&ini);
                        return r;
                }
                if (l->kind == NETCONF_INI_SECTION)
                        section = l->section;
        }
        *ret = ini;
        return 0;
}

char *netconf_splice(const char *text, size_t len, size_t at, const char *insert, const char *eol,
                     size_t *ret_len) {
        struct buf b = {};
        buf_append(&b, text, at);
        if (at == len && len > 0 && text[len - 1] != '\n')
                buf_puts(&b, eol);
        buf_puts(&b, insert);
        buf_append(&b, text + at, len - at);
        *ret_len = b.len;
        return buf_steal(&b);
}
