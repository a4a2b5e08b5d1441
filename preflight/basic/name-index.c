/* SPDX-License-Identifier: MIT */
/* Open addressing with linear probing, kept at most half full (see name-index.h). */
#include "basic/name-index.h"

#include <assert.h>
#include <stdint.h>

#include "basic/util.h"

size_t name_index_hash_more(size_t hash, const char *s, size_t n) {
        uint64_t h = hash; /* FNV-1a, which a longer name continues */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
        return (size_t) h;
}

/* The slot of name (hash h), or the empty slot where it would go; name NULL: the first empty one. */
static struct name_slot *find_slot(struct name_slot *slots, size_t cap, const char *name, uint32_t h) {
        size_t i = h & (cap - 1);
        while (slots[i].name && !(name && slots[i].hash == h && streq(slots[i].name, name)))
                i = (i + 1) & (cap - 1);
        return &slots[i];
}

static void grow(struct name_index *ix) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        struct name_slot *slots = xmalloc(cap * sizeof(*slots));
        memset(slots, 0, cap * sizeof(*slots));
        /* The names are distinct: each goes to the first empty slot of its probe. */
        for (size_t i = 0; i < ix->cap; i++)
                if (ix->slots[i].name)
                        *find_slot(slots, cap, NULL, ix->slots[i].hash) = ix->slots[i];
        free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
}

bool name_index_put_hashed(struct name_index *ix, const char *name, size_t hash, size_t idx) {
        assert(idx <= UINT32_MAX);
        if ((ix->n + 1) * 2 > ix->cap)
                grow(ix);
        struct name_slot *s = find_slot(ix->slots, ix->cap, name, hash);
        if (s->name)
                return false;
        *s = (struct name_slot){ .name = name, .idx = (uint32_t) idx, .hash = (uint32_t) hash };
        ix->n++;
        return true;
}

bool name_index_put(struct name_index *ix, const char *name, size_t idx) {
        return name_index_put_hashed(ix, name, name_index_hash(name, strlen(name)), idx);
}

bool name_index_get(const struct name_index *ix, const char *name, size_t *ret_idx) {
        return name_index_get_hashed(ix, name, name_index_hash(name, strlen(name)), ret_idx);
}

bool name_index_get_hashed(const struct name_index *ix, const char *name, size_t hash, size_t *ret_idx) {
        if (!ix->cap)
                return false;
        const struct name_slot *s = find_slot(ix->slots, ix->cap, name, hash);
        if (!s->name)
                return false;
        if (ret_idx)
                *ret_idx = s->idx;
        return true;
}

void name_index_free(struct name_index *ix) {
        free(ix->slots);
        *ix = (struct name_index){};
}
