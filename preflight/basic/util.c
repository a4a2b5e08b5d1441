/* SPDX-License-Identifier: MIT */
/* Allocation wrappers, the byte buffer and string lists from util.h. */
#include "basic/util.h"

#include <stdint.h>

static char oom_file[512];

void oom_note_file(const char *path) {
        size_t n = strlen(path);
        if (n >= sizeof(oom_file)) /* the end of a long path says more than its start */
                path += n - (sizeof(oom_file) - 1);
        memcpy(oom_file, path, strlen(path) + 1);
}

void oom(void) {
        /* fputs on unbuffered stderr allocates nothing. */
        fputs("kubeprep: out of memory", stderr);
        if (oom_file[0]) {
                fputs("; the last file read was ", stderr);
                fputs(oom_file, stderr);
        }
        fputs("\n", stderr);
        abort();
}

void *xmalloc(size_t n) {
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n) {
        p = realloc(p, n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc_grow(void *p, size_t n, size_t size) {
        if (n != 0 && (n & (n - 1)) != 0)
                return p;
        if (n > SIZE_MAX / 2 / size)
                oom();
        return xrealloc(p, (n ? 2 * n : 1) * size);
}

char *xstrdup(const char *s) {
        return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n) {
        char *p = xmalloc(n + 1);
        memcpy(p, s, n);
        p[n] = 0;
        return p;
}

char *xvasprintf(const char *fmt, va_list ap) {
        char *p;
        if (vasprintf(&p, fmt, ap) < 0)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *p = xvasprintf(fmt, ap);
        va_end(ap);
        return p;
}

static void buf_reserve(struct buf *b, size_t extra) {
        if (b->len + extra + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + extra + 1)
                cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
}

void buf_append(struct buf *b, const char *s, size_t n) {
        buf_reserve(b, n);
        if (n)
                memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s) {
        buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c) {
        buf_append(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = xvasprintf(fmt, ap);
        va_end(ap);
        buf_puts(b, s);
}

char *buf_steal(struct buf *b) {
        if (!b->data)
                buf_reserve(b, 0), b->data[0] = 0;
        char *p = b->data;
        *b = (struct buf){};
        return p;
}

void buf_free(struct buf *b) {
        free(b->data);
        *b = (struct buf){};
}

int buf_finish_edit(struct buf *b, const char *text, size_t len, char **ret_text, size_t *ret_len) {
        if (b->len == len && memcmp(b->data, text, len) == 0) {
                buf_free(b);
                return 0;
        }
        if (ret_len)
                *ret_len = b->len;
        if (ret_text)
                *ret_text = buf_steal(b);
        buf_free(b);
        return 1;
}

void strv_push(struct strv *v, char *owned) {
        v->items = xrealloc_grow(v->items, v->n + 1, sizeof(char *)); /* room for the item and the NULL */
        v->items[v->n++] = owned;
        v->items[v->n] = NULL;
}

int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

bool strv_contains(const struct strv *v, const char *s) {
        for (size_t i = 0; i < v->n; i++)
                if (streq(v->items[i], s))
                        return true;
        return false;
}

void strv_free(struct strv *v) {
        for (size_t i = 0; i < v->n; i++)
                free(v->items[i]);
        free(v->items);
        *v = (struct strv){};
}

char *strv_join(const struct strv *v, const char *sep) {
        struct buf b = {};
        for (size_t i = 0; i < v->n; i++) {
                if (i > 0)
                        buf_puts(&b, sep);
                buf_puts(&b, v->items[i]);
        }
        return buf_steal(&b);
}

void set_error(char **ret_error, const char *fmt, ...) {
        if (!ret_error || *ret_error)
                return;
        va_list ap;
        va_start(ap, fmt);
        *ret_error = xvasprintf(fmt, ap);
        va_end(ap);
}
