/* SPDX-License-Identifier: MIT */
/* Fuzz target for the fstab editor (fstab_comment_swap_entries). The whole input is the fstab text.
 * Properties, each true for a correct editor:
 *  - refusal (<0): a message is set and every out-parameter is untouched (the file stays as it was);
 *  - 0: nothing returned, no message;
 *  - >0 (n entries commented): the output has exactly the input's lines, each either unchanged or
 *    with one '#' put in front, n of them with '#', and is n bytes longer; n sources are reported;
 *  - idempotent: the output is accepted again and needs no change (a commented line is a comment);
 *  - no leak (ASan/LeakSanitizer). */
#include "fuzz-common.h"

#include "formats/fstab-edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[1];
        struct fuzz_input in = fuzz_split(data, size, 0, sel);
        char *out = SENTINEL, *err = NULL;
        size_t out_len = SENTINEL_LEN;
        struct strv entries = {};

        int r = fstab_comment_swap_entries(in.text, in.len, &out, &out_len, &entries, &err);
        if (r < 0) {
                CHECK(err && strncmp(err, "line ", 5) == 0, "refusal %d without a \"line N:\" message: %s",
                      r, err ? err : "(null)");
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN && entries.n == 0,
                      "a refusal returned output");
                goto done;
        }
        CHECK(!err, "message on success: %s", err);
        if (r == 0) {
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN && entries.n == 0,
                      "output without a change");
                goto done;
        }

        CHECK(out != SENTINEL && out_len == in.len + (size_t) r && out[out_len] == 0,
              "output length %zu for %zu + %d", out_len, in.len, r);
        CHECK(entries.n == (size_t) r, "%zu sources reported for %d entries", entries.n, r);

        /* Line by line: unchanged, or '#' + the input line. */
        struct lines a = split_lines(in.text, in.len), b = split_lines(out, out_len);
        CHECK(a.n == b.n, "line count changed %zu -> %zu", a.n, b.n);
        size_t hashed = 0;
        for (size_t i = 0; i < a.n; i++) {
                if (line_eq(&a, i, &b, i))
                        continue;
                CHECK(b.len[i] == a.len[i] + 1 && b.start[i][0] == '#' &&
                              memcmp(b.start[i] + 1, a.start[i], a.len[i]) == 0,
                      "line %zu changed other than by a leading '#'", i + 1);
                hashed++;
        }
        CHECK(hashed == (size_t) r, "%zu lines commented, %d reported", hashed, r);
        lines_free(&a);
        lines_free(&b);

        /* Idempotence: nothing left to comment, and nothing refused. */
        char *out2 = SENTINEL, *err2 = NULL;
        size_t out2_len = SENTINEL_LEN;
        int r2 = fstab_comment_swap_entries(out, out_len, &out2, &out2_len, NULL, &err2);
        CHECK(r2 == 0, "second pass returned %d (%s)", r2, err2 ? err2 : "");
        CHECK(out2 == SENTINEL && out2_len == SENTINEL_LEN, "second pass returned output");
        free(out);
done:
        free(err);
        strv_free(&entries);
        free(in.text);
        return 0;
}
