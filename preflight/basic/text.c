/* SPDX-License-Identifier: MIT */
/* Line numbers, line ends, NUL refusal and stripping for the texts the editors read (text.h). */
#include "basic/text.h"

#include "basic/util.h"

size_t text_count_lines(const char *text, size_t len) {
        size_t lines = 0;
        for (size_t off = 0, n, end; text_line_raw(text, len, off, &n, &end); off = end)
                lines++;
        return lines;
}

unsigned line_of_offset(const char *text, size_t off) {
        unsigned line = 1;
        for (size_t i = 0; i < off; i++)
                if (text[i] == '\n')
                        line++;
        return line;
}

unsigned line_cursor_at(struct line_cursor *c, size_t off) {
        while (c->off < off) {
                const char *nl = memchr(c->text + c->off, '\n', off - c->off);
                if (!nl) {
                        c->off = off;
                        break;
                }
                c->line++;
                c->off = (size_t) (nl - c->text) + 1;
        }
        while (c->off > off) {
                const char *nl = memrchr(c->text + off, '\n', c->off - off);
                if (!nl) {
                        c->off = off;
                        break;
                }
                c->line--;
                c->off = (size_t) (nl - c->text);
        }
        return c->line;
}

size_t line_start_of(const char *text, size_t off) {
        while (off > 0 && text[off - 1] != '\n')
                off--;
        return off;
}

size_t line_end_of(const char *text, size_t len, size_t off) {
        size_t n, end;
        return text_line_raw(text, len, off, &n, &end) ? end : len;
}

unsigned column_of_offset(const char *text, size_t off) {
        return (unsigned) (off - line_start_of(text, off) + 1);
}

const char *detect_eol(const char *text, size_t len) {
        const char *nl = len > 0 ? memchr(text, '\n', len) : NULL;
        return nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
}

const char *detect_eol_any(const char *text, size_t len) {
        return len > 0 && memmem(text, len, "\r\n", 2) ? "\r\n" : "\n";
}

int refuse_nul(const char *text, size_t len, char **ret_error) {
        const char *nul = len > 0 ? memchr(text, 0, len) : NULL;
        if (!nul)
                return 0;
        set_error(ret_error, "line %u: NUL byte", line_of_offset(text, (size_t) (nul - text)));
        return -EBADMSG;
}

/* strchr() would find the NUL that ends chars. */
static bool in_set(char c, const char *chars) {
        return c != 0 && strchr(chars, c);
}

void span_strip(const char **s, size_t *n, const char *chars) {
        while (*n > 0 && in_set(**s, chars))
                (*s)++, (*n)--;
        *n = span_rstrip(*s, *n, chars);
}

size_t span_rstrip(const char *s, size_t n, const char *chars) {
        while (n > 0 && in_set(s[n - 1], chars))
                n--;
        return n;
}

char *xstrndup_strip(const char *s, size_t n, const char *chars) {
        span_strip(&s, &n, chars);
        return xstrndup(s, n);
}
