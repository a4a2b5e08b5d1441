/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the whole program: cleanup attributes, string
 * predicates and a growable byte buffer; with them the text helpers of
 * basic/text.h, which most callers need too. Errors are negative errno values. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/text.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
/* FUNCp(), for _cleanup_(FUNCp) on a TYPE * variable: FUNC(p) unless p is NULL.
 * One line per type instead of a hand-written helper each time. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type **p) {  \
                if (*p)                         \
                        func(*p);               \
        }                                       \
        struct __useless_struct_to_allow_trailing_semicolon__

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE, fclose);
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                         \
        ({                                  \
                __typeof__(p) _take_ = (p); \
                (p) = NULL;                 \
                _take_;                     \
        })
#define TAKE_FD(fd)                   \
        ({                            \
                int _take_fd_ = (fd); \
                (fd) = -EBADF;        \
                _take_fd_;            \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}
static inline bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}
static inline const char *strempty(const char *s) {
        return s ? s : "";
}

/* Allocation failure is not something a node tool can recover from in a
 * meaningful way; these abort with a message instead of spreading NULL
 * checks through every caller. oom() is that abort, for what a library
 * allocates. */
_noreturn_ void oom(void);
/* The file a run read last, which oom() names ("kubeprep: out of memory; the last file read was
 * /var/lib/kubelet/config.yaml"): memory runs out parsing what was read, and the readers set it.
 * Kept in a fixed buffer, since there is no memory to format a message when it is needed. */
void oom_note_file(const char *path);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
/* Room for element n of an array of n elements grown only by this: twice the room whenever n is 0 or a
 * power of two, so n pushes copy O(n) bytes in all, where growing by one each time can copy O(n²). */
void *xrealloc_grow(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);

/* A growable byte buffer; data is always NUL-terminated. */
struct buf {
        char *data;
        size_t len;
        size_t cap;
};
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
char *buf_steal(struct buf *b); /* returns data (never NULL), resets b */
void buf_free(struct buf *b);
/* Hand out an editor's result b, built from text[0..len): 0 (b freed) when it is the same bytes, else 1
 * with *ret_text (b's data) and *ret_len set; either may be NULL. b is reset either way. */
int buf_finish_edit(struct buf *b, const char *text, size_t len, char **ret_text, size_t *ret_len);

/* A NULL-terminated list of owned strings. */
struct strv {
        char **items;
        size_t n;
};
void strv_push(struct strv *v, char *owned);
bool strv_contains(const struct strv *v, const char *s);
/* qsort() of an array of strings (char *), bytewise. */
int strcmp_ptr(const void *a, const void *b);
void strv_free(struct strv *v);
/* The items with sep between each two, as a new string: "" for none. */
char *strv_join(const struct strv *v, const char *sep);

/* Set *ret_error to a formatted message (replacing nothing if already set). */
void set_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
