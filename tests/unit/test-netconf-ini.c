/* SPDX-License-Identifier: MIT */
/* formats/netconf/ini.h: the INI line scanner of keyfiles and .network files, and the splice the
 * netconf editors add lines with, on empty text, no final newline, CR alone, CRLF and NUL bytes. */
#include "basic/util.h"
#include "formats/netconf/ini.h"
#include "tap.h"

/* The parsed lines as "KIND(line,start,end)[section]key=value" joined with " | ": S section,
 * K key (with "~" for "Key = value"), C comment, B blank. */
static char *describe(const struct netconf_ini *ini) {
        static const char kinds[] = { [NETCONF_INI_BLANK] = 'B',
                                      [NETCONF_INI_COMMENT] = 'C',
                                      [NETCONF_INI_SECTION] = 'S',
                                      [NETCONF_INI_KEY] = 'K' };
        struct buf b = {};
        for (size_t i = 0; i < ini->n; i++) {
                const struct netconf_ini_line *l = &ini->lines[i];
                buf_printf(&b, "%s%c(%u,%zu,%zu)", i ? " | " : "", kinds[l->kind], l->line, l->start,
                           l->end);
                if (l->section)
                        buf_printf(&b, "[%s]", l->section);
                if (l->kind == NETCONF_INI_KEY)
                        buf_printf(&b, "%s%s=%s", l->key, l->spaced ? "~" : "", l->value);
        }
        return buf_steal(&b);
}

static void test_parse(void) {
        static const struct {
                const char *name, *text;
                size_t len;
                const char *comment_chars;
                int r;
                const char *want; /* describe(), or the error */
                const char *eol;
        } cases[] = {
                { "empty text", "", 0, "#;", 0, "", "\n" },
                { "no final newline", "[Match]\nName=eth0", 17, "#;", 0,
                  "S(1,0,8)[Match] | K(2,8,17)[Match]Name=eth0", "\n" },
                { "CRLF", "[Network]\r\nAddress = 10.0.0.2/24\r\n\r\n", 36, "#;", 0,
                  "S(1,0,11)[Network] | K(2,11,34)[Network]Address~=10.0.0.2/24 | B(3,34,36)", "\r\n" },
                { "CR alone stays in a value", "[A]\nK=a\rb\n", 10, "#", 0,
                  "S(1,0,4)[A] | K(2,4,10)[A]K=a\rb", "\n" },
                { "CR alone as a line is blank", "[A]\n\r\n", 6, "#", 0, "S(1,0,4)[A] | B(2,4,6)", "\n" },
                { "comments and blanks", "# c\n\n[A]\n ; d\n", 14, "#;", 0,
                  "C(1,0,4) | B(2,4,5) | S(3,5,9)[A] | C(4,9,14)", "\n" },
                { "';' is no comment in a keyfile", "[A]\n;d\n", 7, "#", -EBADMSG,
                  "line 2: neither a key=value assignment, a section nor a comment", NULL },
                { "NUL at the start", "\0[A]\n", 5, "#;", -EBADMSG, "line 1: NUL byte", NULL },
                { "NUL at the end", "[A]\nK=v\n\0", 9, "#;", -EBADMSG, "line 3: NUL byte", NULL },
                { "key before a section", "K=v\n", 4, "#;", -EBADMSG,
                  "line 1: assignment before the first section", NULL },
                { "continuation line", "[A]\nK=a \\\nb\n", 12, "#;", -EBADMSG,
                  "line 2: continuation line (trailing backslash)", NULL },
                { "malformed header", "[]\n", 3, "#;", -EBADMSG, "line 1: malformed section header", NULL },
                { "text after the header", "[A] x\n", 6, "#;", -EBADMSG,
                  "line 1: text after the section header", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct netconf_ini ini = {};
                _cleanup_free_ char *error = NULL, *got = NULL,
                                    *name = xasprintf("parse: %s", cases[i].name);
                int r = netconf_ini_parse(cases[i].text, cases[i].len, cases[i].comment_chars, &ini, &error);
                if (!tap_ok(r == cases[i].r, name))
                        printf("# returned %d (%s)\n", r, strempty(error));
                if (r >= 0) {
                        got = describe(&ini);
                        tap_streq(got, cases[i].want, "  its lines");
                        tap_streq(ini.eol, cases[i].eol, "  its line end");
                } else
                        tap_streq(error, cases[i].want, "  the error");
                netconf_ini_free(&ini);
        }
}

static void test_splice(void) {
        static const struct {
                const char *name, *text;
                size_t at;
                const char *insert, *eol, *want;
        } cases[] = {
                { "empty text", "", 0, "X\n", "\n", "X\n" },
                { "at the start", "a\nb\n", 0, "X\n", "\n", "X\na\nb\n" },
                { "between lines", "a\nb\n", 2, "X\n", "\n", "a\nX\nb\n" },
                { "at the end", "a\n", 2, "X\n", "\n", "a\nX\n" },
                { "at the end, no final newline", "a", 1, "X\n", "\n", "a\nX\n" },
                { "at the end, CRLF, no final newline", "a\r\nb", 4, "X\r\n", "\r\n", "a\r\nb\r\nX\r\n" },
                { "at the end after a CR alone", "a\r", 2, "X\n", "\n", "a\r\nX\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *name = xasprintf("splice: %s", cases[i].name);
                size_t len = 0;
                _cleanup_free_ char *got = netconf_splice(cases[i].text, strlen(cases[i].text), cases[i].at,
                                                          cases[i].insert, cases[i].eol, &len);
                tap_streq(got, cases[i].want, name);
                tap_ok(len == strlen(cases[i].want), "  its length");
        }
}

int main(void) {
        test_parse();
        test_splice();
        return tap_done();
}
