/* SPDX-License-Identifier: MIT */
/* Fuzz target for the TOML editor (toml_get_value, toml_set_value, toml_string_array_remove).
 * Input: byte 0 picks the table, byte 1 the key, byte 2 the raw value and the operation; the rest
 * is the TOML text. Properties, each true for a correct editor:
 *  - refusal (<0): a "line N: reason" message, out-parameters untouched;
 *  - get 1: setting the raw text just read reports no change (0); removing a string from that raw
 *    value (when it is an array of strings) gives a raw value that set accepts, and removing the
 *    same string again finds nothing;
 *  - set 1: reading back gives exactly the raw value; setting again returns 0; and the edit is
 *    exactly one of: the key existed (get on the input found old raw text) and the output is the
 *    input with one occurrence of the old raw text, on the key's line, replaced by the new one
 *    (every other byte unchanged); or the key was absent and the output is the input with one
 *    range of bytes inserted, which holds the key and the value;
 *  - set succeeds only where get on the same input does not refuse;
 *  - the table exists wherever get finds a key in it, and refuses exactly where get refuses;
 *  - an array of strings has as many elements as its raw text has strings, fewer after a removal;
 *  - a file without a final newline still has none after set (an empty one gets one);
 *  - the toml_scanned_ forms, from one scan, answer and edit exactly as the others, and the scan
 *    a scanned set leaves answers as a scan of its new text;
 *  - no leak (ASan/LeakSanitizer). */
#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/toml-edit.h"

#define T(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const char *const *const tables[] = {
        T(NULL),
        T("plugins", "io.containerd.grpc.v1.cri"),
        T("plugins", "io.containerd.grpc.v1.cri", "containerd"),
        T("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "runc", "options"),
        T("plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "runc", "options"),
        T("plugins", "cri"),
        T("a"),
        T("a", "b.c"),
};
static const char *const keys[] = { "SystemdCgroup",
                                    "systemd_cgroup",
                                    "sandbox_image",
                                    "disabled_plugins",
                                    "version",
                                    "snapshotter",
                                    "k",
                                    "b" };
static const char *const raws[] = { "true",       "false", "\"systemd\"",          "'x'",
                                    "[\"cri\"]",  "2",     "{ a = 1, b = \"c\" }", "\"\"\"\nml\"\"\"",
                                    "1979-05-27", "-0.5",  "\"a\\\"b\"",           "[]" };
static const char *const removals[] = { "cri", "aufs", "", "x" };

static void check_refusal(int r, const char *err, const char *out, size_t out_len) {
        CHECK(err && strncmp(err, "line ", 5) == 0, "refused (%d) without a \"line N:\" message: %s", r,
              err ? err : "(null)");
        CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "refused but returned output");
}

static void fuzz_get(const char *text, size_t len, const char *const *table, const char *key,
                     const char *removal) {
        char *raw = SENTINEL, *err = NULL;
        unsigned line = 0;
        int r = toml_get_value(text, len, table, key, &raw, &line, &err);
        char *exists_err = NULL;
        int e = toml_table_exists(text, len, table, &exists_err);
        /* get refuses what table_exists refuses; besides, a key that names a table is no value. */
        bool key_is_table = r < 0 && err && strstr(err, "is a table, not a value");
        CHECK(((e < 0) == (r < 0) || (e == 1 && key_is_table)) && (e < 0) == !!exists_err &&
                      (r <= 0 || e == 1),
              "get returned %d but the table exists %d (%s)", r, e, exists_err ? exists_err : "");
        free(exists_err);
        if (r <= 0) {
                CHECK(raw == SENTINEL && (r < 0) == !!err, "get %d: bad out-parameters", r);
                free(err);
                return;
        }
        CHECK(!err && raw != SENTINEL && line >= 1, "found without raw value or line");

        char *out = SENTINEL;
        size_t out_len = SENTINEL_LEN;
        int r2 = toml_set_value(text, len, table, key, raw, &out, &out_len, &err);
        CHECK(r2 == 0 && out == SENTINEL, "setting the raw value just read (%s) returned %d (%s)", raw, r2,
              err ? err : "");

        char *removed = SENTINEL;
        int r3 = toml_string_array_remove(raw, removal, &removed, &err);
        if (r3 < 0)
                CHECK(removed == SENTINEL && err, "array removal refused badly");
        else if (r3 == 0)
                CHECK(removed == SENTINEL, "array removal without a change returned output");
        else {
                size_t n_raw = SIZE_MAX, n_removed = SIZE_MAX;
                CHECK(toml_string_array_length(raw, &n_raw, NULL) == 0 &&
                              toml_string_array_length(removed, &n_removed, NULL) == 0 && n_removed < n_raw,
                      "removing \"%s\" from %s (%zu strings) left %s (%zu strings)", removal, raw, n_raw,
                      removed, n_removed);
                char *again = SENTINEL;
                int r4 = toml_string_array_remove(removed, removal, &again, NULL);
                CHECK(r4 == 0 && again == SENTINEL, "removing \"%s\" again from %s returned %d", removal,
                      removed, r4);
                free(err);
                err = NULL;
                int r5 = toml_set_value(text, len, table, key, removed, &out, &out_len, &err);
                CHECK(r5 == 1, "set refuses the array left by removal: %s (%s)", removed, err ? err : "");
                free(out);
                free(removed);
        }
        free(err);
        free(raw);
}

/* out == text[0, o) + new + text[o + strlen(old), len) for some o; the replaced bytes must cover
 * what differs, so only offsets between the end of the common suffix and the prefix qualify. */
static bool is_replacement(const char *text, size_t len, const char *out, size_t out_len, const char *old,
                           const char *new, size_t *ret_o) {
        size_t ol = strlen(old), nl = strlen(new), p, s;
        if (out_len + ol != len + nl)
                return false;
        common_affixes(text, len, out, out_len, &p, &s);
        for (size_t o = len - s > ol ? len - s - ol : 0; o <= p && o + ol <= len; o++)
                if (memcmp(text + o, old, ol) == 0 && memcmp(out + o, new, nl) == 0 &&
                    memcmp(text + o + ol, out + o + nl, len - o - ol) == 0) {
                        *ret_o = o;
                        return true;
                }
        return false;
}

static void fuzz_set(const char *text, size_t len, const char *const *table, const char *key,
                     const char *value) {
        char *out = SENTINEL, *err = NULL;
        size_t out_len = SENTINEL_LEN;
        int r = toml_set_value(text, len, table, key, value, &out, &out_len, &err);
        if (r < 0) {
                check_refusal(r, err, out, out_len);
                free(err);
                return;
        }
        CHECK(!err, "message on success: %s", err);
        char *old = NULL;
        unsigned old_line = 0;
        int g0 = toml_get_value(text, len, table, key, &old, &old_line, NULL);
        CHECK(g0 >= 0, "set succeeded (%d) where get refuses (%d)", r, g0);
        if (r == 0) {
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "output without a change");
                CHECK(g0 == 1 && streq(old, value), "unchanged but the key reads %s",
                      old ? old : "(absent)");
                free(old);
                return;
        }
        CHECK(out != SENTINEL && out[out_len] == 0 && out_len == strlen(out), "bad output text");
        CHECK(out_len > 0 && (out[out_len - 1] == '\n') == (len == 0 || text[len - 1] == '\n'),
              "the final newline was %s", len == 0 || text[len - 1] == '\n' ? "dropped" : "added");

        char *got = NULL;
        int g = toml_get_value(out, out_len, table, key, &got, NULL, &err);
        CHECK(g == 1 && streq(got, value), "after set the key reads %d %s (%s), not %s", g, got ? got : "",
              err ? err : "", value);
        free(got);

        char *out2 = SENTINEL;
        size_t out2_len = SENTINEL_LEN;
        int r2 = toml_set_value(out, out_len, table, key, value, &out2, &out2_len, &err);
        CHECK(r2 == 0 && out2 == SENTINEL, "second set returned %d (%s)", r2, err ? err : "");

        if (g0 == 1) {
                size_t o;
                CHECK(is_replacement(text, len, out, out_len, old, value, &o),
                      "the existing value %s was not replaced in place by %s", old, value);
                CHECK(line_of_offset(text, o) == old_line, "replaced on line %u, the key is on line %u",
                      line_of_offset(text, o), old_line);
        } else {
                size_t p, s;
                common_affixes(text, len, out, out_len, &p, &s);
                CHECK(p + s == len, "adding a key changed existing bytes");
                size_t kl = strlen(key) + strlen(value), from = p > kl ? p - kl : 0;
                size_t to = out_len - s + kl < out_len ? out_len - s + kl : out_len;
                CHECK(mem_contains(out + from, to - from, key) && mem_contains(out + from, to - from, value),
                      "the inserted bytes lack the key or the value");
        }
        free(old);
        free(out);
        free(err);
}

/* The scanned forms against the plain ones, on one input. */
static void fuzz_scanned(const char *text, size_t len, const char *const *table, const char *key,
                         const char *value) {
        struct toml_doc *doc = NULL;
        char *scan_err = NULL;
        char *plain_err = NULL;
        int e = toml_table_exists(text, len, table, &plain_err);
        if (toml_scanned_new(text, len, &doc, &scan_err) < 0) {
                CHECK(e < 0 && plain_err && scan_err && streq(plain_err, scan_err),
                      "the scan refuses (%s) where toml_table_exists() says %d (%s)", scan_err, e,
                      plain_err ? plain_err : "");
                free(scan_err);
                free(plain_err);
                return;
        }
        free(plain_err);
        char *a = NULL, *b = NULL;
        unsigned la = 0, lb = 0;
        int ga = toml_get_value(text, len, table, key, &a, &la, NULL);
        int gb = toml_scanned_get_value(doc, text, table, key, &b, &lb, NULL);
        CHECK(ga == gb && streq_ptr(a, b) && la == lb, "get %d %s, scanned get %d %s", ga, a ? a : "", gb,
              b ? b : "");
        CHECK(toml_scanned_table_exists(doc, text, table, NULL) == e, "table exists differs when scanned");
        free(a);
        free(b);

        char *out = NULL, *out2 = NULL, *err = NULL, *err2 = NULL;
        size_t out_len = 0, out2_len = 0;
        int r = toml_set_value(text, len, table, key, value, &out, &out_len, &err);
        int r2 = toml_scanned_set_value(doc, text, len, table, key, value, &out2, &out2_len, &err2);
        CHECK(r == r2 && streq_ptr(out, out2) && out_len == out2_len && streq_ptr(err, err2),
              "set %d, scanned set %d", r, r2);
        const char *now = r2 > 0 ? out2 : text;
        size_t now_len = r2 > 0 ? out2_len : len;
        a = b = NULL;
        ga = toml_get_value(now, now_len, table, key, &a, &la, NULL);
        gb = toml_scanned_get_value(doc, now, table, key, &b, &lb, NULL);
        CHECK(ga == gb && streq_ptr(a, b) && la == lb,
              "after a scanned set its scan reads %d %s, the text %d %s", gb, b ? b : "", ga, a ? a : "");
        free(a);
        free(b);
        free(out);
        free(out2);
        free(err);
        free(err2);
        toml_scanned_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[3];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        const char *const *table = tables[sel[0] % ELEMENTSOF(tables)];
        const char *key = keys[sel[1] % ELEMENTSOF(keys)];

        if (sel[2] & 0x80)
                fuzz_get(in.text, in.len, table, key, removals[sel[2] % ELEMENTSOF(removals)]);
        else
                fuzz_set(in.text, in.len, table, key, raws[sel[2] % ELEMENTSOF(raws)]);
        fuzz_scanned(in.text, in.len, table, key, raws[sel[2] % ELEMENTSOF(raws)]);
        free(in.text);
        return 0;
}
