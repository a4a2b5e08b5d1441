/* SPDX-License-Identifier: MIT */
/* strv_join(): the lists messages name ("swap, eviction"), joined as they are written. */
#include "basic/util.h"
#include "tap.h"

static void test_join(void) {
        struct strv v = {};
        _cleanup_free_ char *none = strv_join(&v, ", ");
        tap_streq(none, "", "no items: an empty string, not NULL");

        strv_push(&v, xstrdup("alice"));
        _cleanup_free_ char *one = strv_join(&v, ", ");
        tap_streq(one, "alice", "one item: no separator");

        strv_push(&v, xstrdup("bob"));
        strv_push(&v, xstrdup("carol"));
        _cleanup_free_ char *three = strv_join(&v, ", ");
        tap_streq(three, "alice, bob, carol",
                  "three items: the separator between each two, none at the end");
        _cleanup_free_ char *semi = strv_join(&v, "; ");
        tap_streq(semi, "alice; bob; carol", "another separator");
        _cleanup_free_ char *bare = strv_join(&v, "");
        tap_streq(bare, "alicebobcarol", "an empty separator");
        tap_ok(v.n == 3 && streq(v.items[0], "alice") && !v.items[3], "the list is left as it was");
        strv_free(&v);

        /* Items as written, also when they hold the separator or nothing at all. */
        strv_push(&v, xstrdup("a, b"));
        strv_push(&v, xstrdup(""));
        strv_push(&v, xstrdup("c"));
        _cleanup_free_ char *odd = strv_join(&v, ", ");
        tap_streq(odd, "a, b, , c",
                  "items with the separator in them, and an empty one, are not quoted or dropped");
        strv_free(&v);
}

int main(void) {
        test_join();
        return tap_done();
}
