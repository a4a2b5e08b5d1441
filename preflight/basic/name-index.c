/* SPDX-License-Identifier: MIT */
/* Open addressing with linear probing, kept at most half full (see name-index.h). */
#include "basic/name-index.h"

#include <stdint.h>

#include "basic/util.h"

static uint64_t hash_name(const char *s) {
        uint64_t h = 14695981039346656037ULL; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static struct name_slot *find_slot(struct name_slot *slots, size_t cap, const char *name) {
        size_t i = (size_t) hash_name(name) & (cap - 1);
        while (slots[i].name && !streq(slots[i].name, name))
                i = (i + 1) & (cap - 1);
        return &slots[i];
}

static void grow(struct name_index *ix) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        struct name_slot *slots = xmalloc(cap * sizeof(*slots));
        memset(slots, 0, cap * sizeof(*slots));
        for (size_t i = 0; i < ix->cap; i++)
                if (ix->slots[i].name)
                        *find_slot(slots, cap, ix->slots[i].name) = ix->slots[i];
        free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
}

bool name_index_put(struct name_index *ix, const char *name, size_t idx) {
        if ((ix->n + 1) * 2 > ix->cap)
                grow(ix);
        struct name_slot *s = find_slot(ix->slots, ix->cap, name);
        if (s->name)
                return false;
        *s = (struct name_slot){ .name = name, .idx = idx };
        ix->n++;
        return true;
}

bool name_index_get(const struct name_index *ix, const char *name, size_t *ret_idx) {
        if (!ix->cap)
                return false;
        const struct name_slot *s = find_slot(ix->slots, ix->cap, name);
        if (!s->name)
                return false;
        *ret_idx = s->idx;
        return true;
}

void name_index_free(struct name_index *ix) {
        free(ix->slots);
        *ix = (struct name_index){};
}
