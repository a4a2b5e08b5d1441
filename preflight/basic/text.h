/* SPDX-License-Identifier: MIT */
/* A text held in memory, read the way line-based editors read it: its lines, where an offset is,
 * what its lines end with, the NUL bytes they refuse and the blanks they strip. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* What isspace() takes in the C locale; glibc's other locales take no other single byte either. */
#define WHITESPACE " \t\n\v\f\r"

/* The line of text[0..len) that starts at off, as it stands: *ret_n its length without the "\n" (a
 * "\r" before it stays), *ret_end the offset after it. False, outputs untouched, at the end of text.
 * for (size_t off = 0, n, end; text_line_raw(text, len, off, &n, &end); off = end) */
static inline bool text_line_raw(const char *text, size_t len, size_t off, size_t *ret_n, size_t *ret_end) {
        if (off >= len)
                return false;
        const char *nl = memchr(text + off, '\n', len - off);
        *ret_n = (nl ? (size_t) (nl - text) : len) - off;
        *ret_end = nl ? (size_t) (nl - text) + 1 : len;
        return true;
}

/* The same without the line end's "\r": of a "\r\n", or the last byte of a text that ends in "\r"
 * without "\n" (as libmount reads fstab). A "\r" anywhere else is an ordinary byte.
 * for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) */
static inline bool text_line(const char *text, size_t len, size_t off, size_t *ret_n, size_t *ret_end) {
        if (!text_line_raw(text, len, off, ret_n, ret_end))
                return false;
        if (*ret_n > 0 && text[off + *ret_n - 1] == '\r')
                (*ret_n)--;
        return true;
}

/* How many lines text_line() finds: the newlines, and one more for a last line without one. */
size_t text_count_lines(const char *text, size_t len);

/* Count lines up to offset (1-based line of the byte at off). It reads the text from its start: for
 * the lines of many offsets of one text, a line_cursor. */
unsigned line_of_offset(const char *text, size_t off);

/* The line_of_offset() of offsets asked for in about the order a scanner reaches them: each call
 * counts only the newlines between the offset asked for before and this one (backwards too), so the
 * line numbers of a whole text cost one pass over it. Start with LINE_CURSOR(text). */
struct line_cursor {
        const char *text;
        size_t off;    /* the newlines before off are counted... */
        unsigned line; /* ...and off is on this line */
};
#define LINE_CURSOR(t) ((struct line_cursor){ .text = (t), .line = 1 })
unsigned line_cursor_at(struct line_cursor *c, size_t off);
/* Offset of the first byte of the line that holds the byte at off. */
size_t line_start_of(const char *text, size_t off);
/* Offset just past the newline that ends the line holding the byte at off, where the next line starts;
 * len when that line is the last and has no newline, or off is len. */
size_t line_end_of(const char *text, size_t len, size_t off);
/* 1-based column of the byte at off (bytes, not characters), to go with line_of_offset(). */
unsigned column_of_offset(const char *text, size_t off);

/* What the lines an editor adds end with: "\r\n" when the text's first line ends that way, else "\n".
 * text may be NULL when len is 0, here, in detect_eol_any() and in refuse_nul(). */
const char *detect_eol(const char *text, size_t len);
/* The rule of the flags and daemon.json editors: "\r\n" when any line ends that way, else "\n". */
const char *detect_eol_any(const char *text, size_t len);

/* Line-based editors refuse a text with a NUL byte: -EBADMSG, "line N: NUL byte" (N: the first). */
int refuse_nul(const char *text, size_t len, char **ret_error);

/* Narrow the span [*s, *s + *n) by the bytes of chars (WHITESPACE, say) at its start and its end. A
 * NUL byte is in no set. */
void span_strip(const char **s, size_t *n, const char *chars);
/* The length of s[0..n) without the bytes of chars at its end. */
size_t span_rstrip(const char *s, size_t n, const char *chars);
/* A copy of s[0..n) without the bytes of chars at its start and its end. */
char *xstrndup_strip(const char *s, size_t n, const char *chars);
