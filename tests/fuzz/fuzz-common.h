/* SPDX-License-Identifier: MIT */
/* Helpers shared by the fuzz targets: input splitting, a fatal CHECK() (an abort is a finding for
 * libFuzzer and a failed test for the replay driver) and the line/byte comparisons the properties use. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that does not hold is a bug in the code under test: say which and abort. */
#define CHECK(cond, ...)                                                                              \
        do {                                                                                          \
                if (!(cond)) {                                                                        \
                        fprintf(stderr, "%s:%d: property violated: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                                 \
                        fputc('\n', stderr);                                                          \
                        abort();                                                                      \
                }                                                                                     \
        } while (0)

/* A value an out-parameter is preset to, so "untouched" can be checked. */
#define SENTINEL ((char *) (uintptr_t) 0x5e5e5e50)
#define SENTINEL_LEN ((size_t) 0x5e5e5e51)

/* The input after the selector bytes, copied into an exactly sized heap block (not NUL-terminated:
 * the editors take (text, len), and ASan then catches any read past len). */
struct fuzz_input {
        const uint8_t *sel; /* selector bytes, n_sel of them (zero-filled when the input is shorter) */
        char *text;
        size_t len;
};

static inline struct fuzz_input fuzz_split(const uint8_t *data, size_t size, size_t n_sel,
                                           uint8_t *sel_buf) {
        struct fuzz_input in = { .sel = sel_buf };
        size_t k = size < n_sel ? size : n_sel;
        memset(sel_buf, 0, n_sel);
        memcpy(sel_buf, data, k);
        in.len = size - k;
        in.text = malloc(in.len ? in.len : 1);
        if (!in.text)
                abort();
        memcpy(in.text, data + k, in.len);
        return in;
}

static inline bool mem_contains(const char *h, size_t hn, const char *needle) {
        size_t nn = strlen(needle);
        if (nn == 0)
                return true;
        for (size_t i = 0; i + nn <= hn; i++)
                if (memcmp(h + i, needle, nn) == 0)
                        return true;
        return false;
}

/* Maximal common prefix and (non-overlapping) common suffix of a and b. The "middle" of a is
 * [*ret_prefix, alen - *ret_suffix), likewise for b: all that differs lies there. */
static inline void common_affixes(const char *a, size_t alen, const char *b, size_t blen, size_t *ret_prefix,
                                  size_t *ret_suffix) {
        size_t p = 0, s = 0, min = alen < blen ? alen : blen;
        while (p < min && a[p] == b[p])
                p++;
        while (s < min - p && a[alen - 1 - s] == b[blen - 1 - s])
                s++;
        *ret_prefix = p;
        *ret_suffix = s;
}

/* Lines are split on '\n' (the '\n' not included; a final newline does not start another line), so
 * "a: 1" and "a: 1\n" both have the one line "a: 1". */
struct lines {
        const char **start;
        size_t *len;
        size_t n;
};

static inline struct lines split_lines(const char *t, size_t n) {
        struct lines l = { 0 };
        size_t cap = 1;
        for (size_t i = 0; i < n; i++)
                cap += t[i] == '\n';
        l.start = malloc(cap * sizeof(*l.start));
        l.len = malloc(cap * sizeof(*l.len));
        if (!l.start || !l.len)
                abort();
        for (size_t i = 0; i < n;) {
                const char *nl = memchr(t + i, '\n', n - i);
                size_t e = nl ? (size_t) (nl - t) : n;
                l.start[l.n] = t + i;
                l.len[l.n++] = e - i;
                i = e + 1;
        }
        return l;
}

static inline void lines_free(struct lines *l) {
        free(l->start);
        free(l->len);
}

static inline bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j) {
        return a->len[i] == b->len[j] && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

/* Line-level common prefix/suffix: lines [p, a.n - s) of a and [p, b.n - s) of b are the changed ones. */
static inline void common_line_affixes(const struct lines *a, const struct lines *b, size_t *ret_p,
                                       size_t *ret_s) {
        size_t p = 0, s = 0, min = a->n < b->n ? a->n : b->n;
        while (p < min && line_eq(a, p, b, p))
                p++;
        while (s < min - p && line_eq(a, a->n - 1 - s, b, b->n - 1 - s))
                s++;
        *ret_p = p;
        *ret_s = s;
}

/* Print a byte string for a failure message (truncated, escaped). */
static inline void fuzz_dump(const char *what, const char *t, size_t n) {
        fprintf(stderr, "--- %s (%zu bytes):\n", what, n);
        for (size_t i = 0; i < n && i < 4000; i++) {
                unsigned char c = (unsigned char) t[i];
                if (c == '\n' || (c >= 0x20 && c < 0x7f && c != '\\'))
                        fputc(c, stderr);
                else
                        fprintf(stderr, "\\x%02x", c);
        }
        fputs("\n---\n", stderr);
}

/* The lines a minimal line diff (diff_unified, itself fuzzed by fuzz-diff) removes from a and adds
 * in b: unlike a common prefix/suffix, unchanged lines between two edits are not counted, nor is a
 * last line that only gained its newline ("\n" or "\r\n"). The lists are unordered. */
#include "basic/diff.h"

struct line_changes {
        char *diff;
        struct lines removed, added; /* pointing into diff */
};

static inline void lines_push(struct lines *l, const char *s, size_t n, size_t cap) {
        if (l->n == cap)
                abort();
        l->start[l->n] = s;
        l->len[l->n++] = n;
}

static inline struct line_changes changed_lines(const char *a, size_t alen, const char *b, size_t blen) {
        struct line_changes c = { .diff = diff_unified("x", a, alen, b, blen) };
        struct lines all = split_lines(c.diff, strlen(c.diff));
        size_t cap = all.n + 1;
        c.removed = (struct lines){ malloc(cap * sizeof(char *)), malloc(cap * sizeof(size_t)), 0 };
        c.added = (struct lines){ malloc(cap * sizeof(char *)), malloc(cap * sizeof(size_t)), 0 };
        if (!c.removed.start || !c.removed.len || !c.added.start || !c.added.len)
                abort();
        const char *unterminated = NULL; /* the old last line, when it lacked its newline */
        size_t unterminated_len = 0;
        for (size_t i = 2; i < all.n; i++) { /* after the "---" and "+++" headers */
                if (all.len[i] > 0 && all.start[i][0] == '-') {
                        lines_push(&c.removed, all.start[i] + 1, all.len[i] - 1, cap);
                        if (i + 1 < all.n && all.len[i + 1] > 0 && all.start[i + 1][0] == '\\')
                                unterminated = all.start[i] + 1, unterminated_len = all.len[i] - 1;
                } else if (all.len[i] > 0 && all.start[i][0] == '+')
                        lines_push(&c.added, all.start[i] + 1, all.len[i] - 1, cap);
        }
        /* A last line that only gained its line end (text appended after it) did not change. */
        for (size_t i = 0; unterminated && i < c.added.n; i++)
                if ((c.added.len[i] == unterminated_len || (c.added.len[i] == unterminated_len + 1 &&
                                                            c.added.start[i][unterminated_len] == '\r')) &&
                    memcmp(c.added.start[i], unterminated, unterminated_len) == 0) {
                        for (size_t j = 0; j < c.removed.n; j++)
                                if (c.removed.start[j] == unterminated) {
                                        c.removed.start[j] = c.removed.start[--c.removed.n];
                                        c.removed.len[j] = c.removed.len[c.removed.n];
                                }
                        c.added.start[i] = c.added.start[--c.added.n];
                        c.added.len[i] = c.added.len[c.added.n];
                        break;
                }
        lines_free(&all);
        return c;
}

static inline void line_changes_free(struct line_changes *c) {
        free(c->diff);
        lines_free(&c->removed);
        lines_free(&c->added);
}
