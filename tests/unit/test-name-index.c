/* SPDX-License-Identifier: MIT */
/* The name index: first entry wins, lookups survive growth, misses miss. */
#include "basic/name-index.h"
#include "basic/util.h"
#include "tap.h"

int main(void) {
        struct name_index ix = {};
        size_t i = 99;
        tap_ok(!name_index_get(&ix, "root", &i) && i == 99, "an empty index finds nothing");
        tap_ok(name_index_put(&ix, "root", 0), "put root");
        tap_ok(!name_index_put(&ix, "root", 7), "a second root is refused");
        tap_ok(name_index_get(&ix, "root", &i) && i == 0, "and the first one stays");

        enum { N = 10000 };
        static char names[N][16];
        bool all = true;
        for (size_t k = 0; k < N; k++) {
                snprintf(names[k], sizeof(names[k]), "user%zu", k);
                all &= name_index_put(&ix, names[k], k + 1);
        }
        tap_ok(all, "10,000 distinct names go in");
        bool found = true;
        for (size_t k = 0; k < N; k++)
                found &= name_index_get(&ix, names[k], &i) && i == k + 1;
        tap_ok(found, "each is found at its own index after the table grew");
        tap_ok(!name_index_get(&ix, "user10000", &i) && !name_index_get(&ix, "", &i), "misses miss");
        tap_ok(ix.n == N + 1 && ix.n * 2 <= ix.cap, "the table stays at most half full");
        name_index_free(&ix);

        /* A path hashed a segment at a time, as the TOML scanner builds it, is the whole path's hash. */
        const char *whole = "plugins\037cri";
        size_t h = name_index_hash_more(name_index_hash("plugins", 7), "\037cri", 4);
        tap_ok(h == name_index_hash(whole, strlen(whole)), "a hash extended is the hash of the whole");
        tap_ok(name_index_hash("", 0) == NAME_INDEX_HASH_INIT,
               "the empty name's hash is where hashing starts");
        tap_ok(name_index_put_hashed(&ix, whole, h, 3) && name_index_get(&ix, whole, &i) && i == 3,
               "put with the hash given, found by the name");
        tap_ok(!name_index_put(&ix, whole, 4) && name_index_get_hashed(&ix, whole, h, &i) && i == 3,
               "put by the name is refused, found with the hash given");
        name_index_free(&ix);
        return tap_done();
}
