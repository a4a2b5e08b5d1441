/* SPDX-License-Identifier: MIT */
/* basic/text.h: lines and line numbers, line ends, NUL refusal and stripping, on the edge cases every
 * line-based editor meets (empty text, no final newline, CR alone, CRLF, NUL at either end). */
#include "basic/text.h"
#include "basic/util.h"
#include "tap.h"

/* The lines text_line() (or text_line_raw()) finds, each as "[content]" and "$" after one that ends
 * with a newline: "[a]$[b]" is "a\nb". A NUL byte shows as "<NUL>". */
static char *lines_of(const char *text, size_t len, bool raw) {
        struct buf b = {};
        for (size_t off = 0, n, end;
             raw ? text_line_raw(text, len, off, &n, &end) : text_line(text, len, off, &n, &end);
             off = end) {
                buf_putc(&b, '[');
                for (size_t i = off; i < off + n; i++)
                        if (text[i])
                                buf_putc(&b, text[i]);
                        else
                                buf_puts(&b, "<NUL>");
                buf_putc(&b, ']');
                if (end > off && text[end - 1] == '\n')
                        buf_putc(&b, '$');
        }
        return buf_steal(&b);
}

static void test_text_line(void) {
        static const struct {
                const char *name, *text;
                size_t len;
                const char *lines, *raw_lines;
        } cases[] = {
                { "empty text", "", 0, "", "" },
                { "one newline", "\n", 1, "[]$", "[]$" },
                { "no final newline", "a\nb", 3, "[a]$[b]", "[a]$[b]" },
                { "final newline", "a\nb\n", 4, "[a]$[b]$", "[a]$[b]$" },
                { "CRLF", "a\r\nb\r\n", 6, "[a]$[b]$", "[a\r]$[b\r]$" },
                { "CRLF, no final newline", "a\r\nb", 4, "[a]$[b]", "[a\r]$[b]" },
                { "CR alone inside a line", "a\rb\n", 4, "[a\rb]$", "[a\rb]$" },
                { "CR alone at the end", "a\r", 2, "[a]", "[a\r]" },
                { "CR alone as the text", "\r", 1, "[]", "[\r]" },
                { "two CRs before LF", "a\r\r\n", 4, "[a\r]$", "[a\r\r]$" },
                { "blank lines", "\n\r\n\n", 4, "[]$[]$[]$", "[]$[\r]$[]$" },
                { "NUL at the start", "\0a\n", 3, "[<NUL>a]$", "[<NUL>a]$" },
                { "NUL at the end", "a\n\0", 3, "[a]$[<NUL>]", "[a]$[<NUL>]" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *got = lines_of(cases[i].text, cases[i].len, false);
                _cleanup_free_ char *raw = lines_of(cases[i].text, cases[i].len, true);
                _cleanup_free_ char *name = xasprintf("text_line: %s", cases[i].name);
                _cleanup_free_ char *raw_name = xasprintf("text_line_raw: %s", cases[i].name);
                tap_streq(got, cases[i].lines, name);
                tap_streq(raw, cases[i].raw_lines, raw_name);
                _cleanup_free_ char *count_name = xasprintf("text_count_lines: %s", cases[i].name);
                size_t lines = 0;
                for (const char *p = cases[i].lines; (p = strchr(p, '[')); p++)
                        lines++;
                tap_ok(text_count_lines(cases[i].text, cases[i].len) == lines, count_name);
        }

        size_t n = 99, end = 99;
        tap_ok(!text_line("a\n", 2, 2, &n, &end) && n == 99 && end == 99,
               "text_line: false at the end, outputs untouched");
        tap_ok(text_line("a\r\nbc", 5, 3, &n, &end) && n == 2 && end == 5, "text_line: from an offset");
}

static void test_offsets(void) {
        const char *t = "ab\ncd\r\n\nx";
        tap_ok(line_of_offset(t, 0) == 1 && line_of_offset(t, 2) == 1,
               "line_of_offset: first line, its newline");
        tap_ok(line_of_offset(t, 3) == 2 && line_of_offset(t, 5) == 2,
               "line_of_offset: second line, its CR");
        tap_ok(line_of_offset(t, 8) == 4 && line_of_offset(t, 9) == 4,
               "line_of_offset: last line, and the end");
        tap_ok(line_of_offset("", 0) == 1, "line_of_offset: empty text is line 1");
        tap_ok(line_start_of(t, 0) == 0 && line_start_of(t, 1) == 0 && line_start_of(t, 2) == 0,
               "line_start_of: first line");
        tap_ok(line_start_of(t, 4) == 3 && line_start_of(t, 6) == 3 && line_start_of(t, 7) == 7,
               "line_start_of: after a newline, on a CR, on an empty line");
        tap_ok(line_start_of(t, 9) == 8, "line_start_of: the end of a text without a final newline");
        tap_ok(line_end_of(t, 9, 0) == 3 && line_end_of(t, 9, 2) == 3,
               "line_end_of: first line, its newline");
        tap_ok(line_end_of(t, 9, 3) == 7 && line_end_of(t, 9, 5) == 7, "line_end_of: a CRLF line, its CR");
        tap_ok(line_end_of(t, 9, 7) == 8, "line_end_of: an empty line");
        tap_ok(line_end_of(t, 9, 8) == 9 && line_end_of(t, 9, 9) == 9,
               "line_end_of: the last line without a newline, and the end");
        tap_ok(line_end_of("", 0, 0) == 0, "line_end_of: empty text");
        tap_ok(column_of_offset(t, 0) == 1 && column_of_offset(t, 4) == 2 && column_of_offset(t, 5) == 3,
               "column_of_offset: 1-based bytes");
        tap_ok(column_of_offset("\tx", 1) == 2, "column_of_offset: a tab is one byte");
}

/* The cursor answers as line_of_offset() does, whatever order the offsets come in. */
static void test_line_cursor(void) {
        const char *t = "ab\ncd\r\n\nx\n\n";
        size_t len = strlen(t);
        struct line_cursor c = LINE_CURSOR(t);
        bool forward = true, backward = true, jumps = true;
        for (size_t off = 0; off <= len; off++)
                forward = forward && line_cursor_at(&c, off) == line_of_offset(t, off);
        tap_ok(forward, "line_cursor_at: every offset, forward");
        for (size_t off = len + 1; off-- > 0;)
                backward = backward && line_cursor_at(&c, off) == line_of_offset(t, off);
        tap_ok(backward, "line_cursor_at: every offset, backward");
        static const size_t order[] = { 9, 0, 11, 3, 3, 8, 2, 12, 7, 1, 10 };
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                jumps = jumps && line_cursor_at(&c, order[i]) == line_of_offset(t, order[i]);
        tap_ok(jumps, "line_cursor_at: offsets in any order");
        struct line_cursor e = LINE_CURSOR("");
        tap_ok(line_cursor_at(&e, 0) == 1, "line_cursor_at: empty text is line 1");
}

static void test_detect_eol(void) {
        tap_streq(detect_eol("", 0), "\n", "detect_eol: empty text");
        tap_streq(detect_eol(NULL, 0), "\n", "detect_eol: no text at all");
        tap_streq(detect_eol("a", 1), "\n", "detect_eol: no newline");
        tap_streq(detect_eol("a\nb\r\n", 5), "\n", "detect_eol: the first line decides (LF)");
        tap_streq(detect_eol("a\r\nb\n", 5), "\r\n", "detect_eol: the first line decides (CRLF)");
        tap_streq(detect_eol("\r\n", 2), "\r\n", "detect_eol: an empty CRLF line");
        tap_streq(detect_eol("\n\r\n", 3), "\n", "detect_eol: an empty LF line first");
        tap_streq(detect_eol("a\r", 2), "\n", "detect_eol: CR alone is no line end");
        tap_streq(detect_eol("a\rb\n", 4), "\n", "detect_eol: CR alone inside the first line");
        tap_streq(detect_eol("\0\r\n", 3), "\r\n", "detect_eol: a NUL byte is an ordinary byte");

        tap_streq(detect_eol_any("", 0), "\n", "detect_eol_any: empty text");
        tap_streq(detect_eol_any(NULL, 0), "\n", "detect_eol_any: no text at all");
        tap_streq(detect_eol_any("a\nb\r\n", 5), "\r\n", "detect_eol_any: any line decides");
        tap_streq(detect_eol_any("a\nb\n", 4), "\n", "detect_eol_any: no CRLF line");
        tap_streq(detect_eol_any("a\r", 2), "\n", "detect_eol_any: CR alone at the end");
        tap_streq(detect_eol_any("a\rb\n\r", 5), "\n", "detect_eol_any: CR alone, and LF CR");
        tap_streq(detect_eol_any("\0\r\n", 3), "\r\n", "detect_eol_any: past a NUL byte");
}

static void test_refuse_nul(void) {
        static const struct {
                const char *name, *text;
                size_t len;
                int r;
                const char *error;
        } cases[] = {
                { "empty text", "", 0, 0, NULL },
                { "no NUL", "a\nb\r\n", 5, 0, NULL },
                { "NUL at the start", "\0a\n", 3, -EBADMSG, "line 1: NUL byte" },
                { "NUL at the end", "a\nb\n\0", 5, -EBADMSG, "line 3: NUL byte" },
                { "NUL at the end of a line", "a\nb\0\nc", 6, -EBADMSG, "line 2: NUL byte" },
                { "the first NUL counts", "a\0\n\0", 4, -EBADMSG, "line 1: NUL byte" },
                { "NUL after a CRLF line", "a\r\n\0", 4, -EBADMSG, "line 2: NUL byte" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL, *name = xasprintf("refuse_nul: %s", cases[i].name);
                int r = refuse_nul(cases[i].text, cases[i].len, &error);
                tap_ok(r == cases[i].r && streq_ptr(error, cases[i].error), name);
        }
        tap_ok(refuse_nul("\0", 1, NULL) == -EBADMSG, "refuse_nul: without an error message");
        tap_ok(refuse_nul(NULL, 0, NULL) == 0, "refuse_nul: no text at all");
        _cleanup_free_ char *first = xstrdup("earlier");
        tap_ok(refuse_nul("\0", 1, &first) == -EBADMSG && streq(first, "earlier"),
               "refuse_nul: an error already set stays");
}

static void test_strip(void) {
        const char *s = " \t a b\r\n\v\f";
        const char *p = s;
        size_t n = strlen(s);
        span_strip(&p, &n, WHITESPACE);
        tap_ok(p == s + 3 && n == 3, "span_strip: whitespace at both ends, not inside");
        p = "   ", n = 3;
        span_strip(&p, &n, WHITESPACE);
        tap_ok(n == 0, "span_strip: all whitespace leaves nothing");
        p = "", n = 0;
        span_strip(&p, &n, WHITESPACE);
        tap_ok(n == 0, "span_strip: empty span");
        p = "\0 x \0", n = 5;
        span_strip(&p, &n, WHITESPACE);
        tap_ok(n == 5, "span_strip: a NUL byte is not in any set");
        p = " x y ", n = 4;
        span_strip(&p, &n, " ");
        tap_ok(*p == 'x' && n == 3, "span_strip: only within the span");

        tap_ok(span_rstrip("a \t\r\n", 5, " \t\r\n") == 1, "span_rstrip: its set at the end");
        tap_ok(span_rstrip(" a", 2, " ") == 2, "span_rstrip: not at the start");
        tap_ok(span_rstrip("a\v", 2, " \t\r\n") == 2, "span_rstrip: only its set");
        tap_ok(span_rstrip("", 0, " ") == 0, "span_rstrip: empty span");

        _cleanup_free_ char *a = xstrndup_strip("  key = v  ", 6, WHITESPACE);
        tap_streq(a, "key", "xstrndup_strip: within n bytes");
        _cleanup_free_ char *b = xstrndup_strip("\t\r\n", 3, WHITESPACE);
        tap_streq(b, "", "xstrndup_strip: nothing left");
}

static void test_endswith(void) {
        tap_ok(endswith("eth0.nmconnection", ".nmconnection"), "endswith: a suffix");
        tap_ok(endswith(".network", ".network"), "endswith: the whole string");
        tap_ok(endswith("a", ""), "endswith: the empty suffix");
        tap_ok(!endswith("network", ".network"), "endswith: longer than the string");
        tap_ok(!endswith("a.yaml.bak", ".yaml"), "endswith: not at the end");
}

int main(void) {
        test_text_line();
        test_offsets();
        test_line_cursor();
        test_detect_eol();
        test_refuse_nul();
        test_strip();
        test_endswith();
        return tap_done();
}
