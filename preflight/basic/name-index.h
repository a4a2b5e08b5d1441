/* SPDX-License-Identifier: MIT */
/* A hash index from a name to a position in an array, so that lookups in
 * tables read from files (/etc/passwd with 10,000 users) stay linear. The
 * index borrows the name strings: they must outlive it and not move. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct name_index {
        struct name_slot {
                const char *name; /* NULL: empty */
                size_t idx;
        } * slots;
        size_t cap; /* a power of two, or 0 */
        size_t n;
};

/* Add name -> idx; an existing name keeps its first idx (returns false). */
bool name_index_put(struct name_index *ix, const char *name, size_t idx);
bool name_index_get(const struct name_index *ix, const char *name, size_t *ret_idx);
void name_index_free(struct name_index *ix);
