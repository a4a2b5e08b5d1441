/* SPDX-License-Identifier: MIT */
/* A hash index from a name to a position in an array, so that lookups in
 * tables read from files (/etc/passwd with 10,000 users) stay linear. The
 * index borrows the name strings: they must outlive it and not move. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct name_index {
        /* 16 bytes: an index of 100,000 names is among the largest things a run holds. */
        struct name_slot {
                const char *name; /* NULL: empty */
                uint32_t idx;     /* a position in an array read from a file: READ_FILE_MAX keeps it small */
                uint32_t hash;    /* of name: growing does not hash again, probing compares it first */
        } * slots;
        size_t cap; /* a power of two, or 0 */
        size_t n;
};

/* Add name -> idx; an existing name keeps its first idx (returns false). get: ret_idx may be NULL. */
bool name_index_put(struct name_index *ix, const char *name, size_t idx);
bool name_index_get(const struct name_index *ix, const char *name, size_t *ret_idx);
void name_index_free(struct name_index *ix);

/* The same with the name's hash given: a name built a piece at a time (a path) is hashed as it grows,
 * name_index_hash_more(name_index_hash(a, n), b, m) being the hash of a and b together. */
#define NAME_INDEX_HASH_INIT ((size_t) 14695981039346656037ULL)
size_t name_index_hash_more(size_t hash, const char *s, size_t n);
static inline size_t name_index_hash(const char *s, size_t n) {
        return name_index_hash_more(NAME_INDEX_HASH_INIT, s, n);
}
bool name_index_put_hashed(struct name_index *ix, const char *name, size_t hash, size_t idx);
bool name_index_get_hashed(const struct name_index *ix, const char *name, size_t hash, size_t *ret_idx);
