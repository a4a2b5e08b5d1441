/* SPDX-License-Identifier: MIT */
/* Fuzz target for the YAML editor (yaml_get_scalar, yaml_set_scalar, yaml_remove_key).
 * Input: byte 0 picks the operation and the key path, byte 1 the value, byte 2 the document; the
 * rest is the YAML text. Properties, each true for a correct editor:
 *  - refusal (<0): a "line N: reason" message, out-parameters untouched (the file stays as it was);
 *  - get 1: setting the value just read does not report a change (0, or a refusal);
 *  - set 1: idempotent (the same set on the output returns 0); reading the path back gives exactly
 *    the value; the number of documents is unchanged (an empty text gains one); set only succeeds
 *    where get on the input does not refuse; and the edit is local: when the path was absent the
 *    output is the input with one range of bytes inserted, and that range names the last key;
 *    when the path held a scalar (get: line L), only lines from L on changed (not checked when the
 *    text has line breaks other than \n, which libyaml counts and we do not) and at most one
 *    output line differs, holding the value (its longest alphanumeric run; for "" a quoted
 *    empty string) or a key of the path;
 *  - set 0: reading the path gives exactly the value;
 *  - remove 1: a pure deletion of one contiguous byte range that contains the removed key; removing
 *    again returns 0 and the path reads as absent;
 *  - each operation gives on the tree of its path (ystream_parse_path()) what it gives on the whole
 *    tree: return value, text or value, line and message;
 *  - yaml_get_and_edit() gives what get and then set or remove give;
 *  - no leak (ASan/LeakSanitizer). */
#include <ctype.h>

#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/yaml-edit.h"

static const char *const path_cgroup[] = { "cgroupDriver", NULL };
static const char *const path_swap[] = { "failSwapOn", NULL };
static const char *const path_gate[] = { "featureGates", "CSIMigration", NULL };
static const char *const path_swapb[] = { "memorySwap", "swapBehavior", NULL };
static const char *const path_evict[] = { "evictionHard", "memory.available", NULL };
static const char *const path_deep[] = { "xkey", "ykey", "zkey", NULL };
static const char *const path_kind[] = { "kind", NULL };
static const char *const path_quoted[] = { "featureGates", "Kubelet Tracing", NULL };
static const char *const *const paths[] = { path_cgroup, path_swap, path_gate, path_swapb,
                                            path_evict,  path_deep, path_kind, path_quoted };

static const char *const values[] = { "systemd", "false", "LimitedSwap", "100Mi", "x: y", "it's",
                                      "10%",     "",      "#c",          "a\"b",  "null", "- item",
                                      "[x]",     "0x1F",  "two words",   "tab\tx" };

static void yfree(char *p) {
        if (p != SENTINEL)
                free(p);
}

/* The longest run of alphanumerics in s (what any quoting of s still shows verbatim). */
static char *longest_alnum_run(const char *s) {
        size_t best = 0, best_len = 0;
        for (size_t i = 0; s[i];) {
                size_t j = i;
                while (isalnum((unsigned char) s[j]))
                        j++;
                if (j - i > best_len)
                        best = i, best_len = j - i;
                i = j > i ? j : i + 1;
        }
        return xstrndup(s + best, best_len);
}

static bool line_mentions(const char *l, size_t n, const char *const *path, const char *run) {
        for (size_t i = 0; path[i]; i++)
                if (mem_contains(l, n, path[i]))
                        return true;
        if (*run)
                return mem_contains(l, n, run);
        return mem_contains(l, n, "\"\"") || mem_contains(l, n, "''");
}

static void check_refusal(int r, const char *err, const char *out, size_t out_len, const char *what) {
        CHECK(err && strncmp(err, "line ", 5) == 0, "%s refused (%d) without a \"line N:\" message: %s",
              what, r, err ? err : "(null)");
        CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "%s refused but returned output", what);
}

static void fuzz_get(const char *text, size_t len, unsigned doc, const char *const *path) {
        char *value = SENTINEL, *err = NULL;
        unsigned line = 0;
        int r = yaml_get_scalar(text, len, doc, path, &value, &line, &err);
        if (r < 0) {
                CHECK(err && value == SENTINEL, "get refused (%d) badly: %s", r, err ? err : "(null)");
        } else if (r == 0) {
                CHECK(!err && value == SENTINEL, "absent but value or message set");
        } else {
                CHECK(!err && value != SENTINEL && line >= 1, "found without value or line");
                char *out = SENTINEL, *err2 = NULL;
                size_t out_len = SENTINEL_LEN;
                int r2 = yaml_set_scalar(text, len, doc, path, value, &out, &out_len, &err2);
                CHECK(r2 != 1, "setting the value just read (\"%s\") changed the text", value);
                yfree(out);
                free(err2);
                free(value);
        }
        free(err);
}

static void fuzz_set(const char *text, size_t len, unsigned doc, const char *const *path,
                     const char *value) {
        char *out = SENTINEL, *err = NULL;
        size_t out_len = SENTINEL_LEN;
        int r = yaml_set_scalar(text, len, doc, path, value, &out, &out_len, &err);
        if (r < 0) {
                check_refusal(r, err, out, out_len, "set");
                free(err);
                return;
        }
        CHECK(!err, "message on success: %s", err);
        const char *t = r ? out : text;
        size_t tl = r ? out_len : len;
        if (r == 0)
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "output without a change");
        else
                CHECK(out != SENTINEL && out[out_len] == 0 && out_len == strlen(out), "bad output text");

        /* reading back */
        char *got = NULL, *err2 = NULL;
        int g = yaml_get_scalar(t, tl, doc, path, &got, NULL, &err2);
        CHECK(g == 1 && streq(got, value), "after set (%d) the path reads %d \"%s\" (%s), not \"%s\"", r, g,
              got ? got : "", err2 ? err2 : "", value);
        free(got);
        free(err2);
        if (r == 0)
                return;

        /* idempotent */
        char *out2 = SENTINEL, *err3 = NULL;
        size_t out2_len = SENTINEL_LEN;
        int r2 = yaml_set_scalar(out, out_len, doc, path, value, &out2, &out2_len, &err3);
        CHECK(r2 == 0 && out2 == SENTINEL, "second set returned %d (%s)", r2, err3 ? err3 : "");
        free(err3);

        /* documents */
        int d1 = yaml_count_documents(text, len, NULL), d2 = yaml_count_documents(out, out_len, NULL);
        CHECK(d2 == (d1 == 0 ? 1 : d1), "documents %d -> %d", d1, d2);

        /* only the entry changed */
        char *old = NULL;
        unsigned old_line = 0;
        int g0 = yaml_get_scalar(text, len, doc, path, &old, &old_line, NULL);
        CHECK(g0 >= 0, "set succeeded where get refuses (%d)", g0);
        if (g0 == 0) {
                size_t p, s, k = 0;
                common_affixes(text, len, out, out_len, &p, &s);
                CHECK(p + s == len, "adding a key changed existing bytes");
                while (path[k + 1])
                        k++;
                size_t kl = strlen(path[k]), from = p > kl ? p - kl : 0;
                size_t to = out_len - s + kl < out_len ? out_len - s + kl : out_len;
                CHECK(mem_contains(out + from, to - from, path[k]), "the inserted bytes lack the key %s",
                      path[k]);
        } else {
                _cleanup_free_ char *run = longest_alnum_run(value);
                struct lines a = split_lines(text, len), b = split_lines(out, out_len);
                size_t p, s;
                common_line_affixes(&a, &b, &p, &s);
                /* libyaml also counts \r, NEL, LS and PS as line breaks; split_lines() does not */
                bool other_breaks = memchr(text, '\r', len) || mem_contains(text, len, "\xc2\x85") ||
                                    mem_contains(text, len, "\xe2\x80\xa8") ||
                                    mem_contains(text, len, "\xe2\x80\xa9");
                CHECK(other_breaks || p + 1 >= old_line,
                      "line %zu changed, the value (\"%s\") is on line %u", p + 1, old, old_line);
                CHECK(b.n - s - p <= 1, "%zu lines changed for one scalar", b.n - s - p);
                for (size_t i = p; i < b.n - s; i++)
                        CHECK(line_mentions(b.start[i], b.len[i], path, run),
                              "changed line %zu shows neither key nor value", i + 1);
                lines_free(&a);
                lines_free(&b);
        }
        free(old);
        free(out);
}

static void fuzz_remove(const char *text, size_t len, unsigned doc, const char *const *path) {
        char *out = SENTINEL, *err = NULL;
        size_t out_len = SENTINEL_LEN;
        int r = yaml_remove_key(text, len, doc, path, &out, &out_len, &err);
        if (r < 0) {
                check_refusal(r, err, out, out_len, "remove");
                free(err);
                return;
        }
        CHECK(!err, "message on success: %s", err);
        if (r == 0) {
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "output without a change");
                return;
        }
        CHECK(out != SENTINEL && out[out_len] == 0 && out_len < len, "bad output text");

        size_t p, s;
        common_affixes(text, len, out, out_len, &p, &s);
        CHECK(p + s == out_len, "removal is not a pure deletion");
        size_t k = 0;
        while (path[k + 1])
                k++;
        /* The deleted range, widened by the key's length on both sides: the affixes may have eaten
         * equal bytes at its ends ("b: 1\nb2: 1" loses "b2: 1\n" or "2: 1\nb"). */
        size_t kl = strlen(path[k]), from = p > kl ? p - kl : 0,
               to = len - s + kl < len ? len - s + kl : len;
        CHECK(mem_contains(text + from, to - from, path[k]), "the deleted bytes do not hold the key %s",
              path[k]);

        char *out2 = SENTINEL, *err2 = NULL;
        size_t out2_len = SENTINEL_LEN;
        int r2 = yaml_remove_key(out, out_len, doc, path, &out2, &out2_len, &err2);
        CHECK(r2 == 0, "second remove returned %d (%s)", r2, err2 ? err2 : "");
        free(err2);
        int g = yaml_get_scalar(out, out_len, doc, path, NULL, NULL, NULL);
        CHECK(g == 0, "removed path still reads %d", g);
        free(out);
}

/* One operation: what it returns, its text or value, line and message. */
struct outcome {
        int r;
        char *out, *err;
        size_t out_len;
        unsigned line;
};

static struct outcome run_op(unsigned op, const char *text, size_t len, unsigned doc,
                             const char *const *path, const char *value, bool whole_tree) {
        struct outcome o = {};
        yaml_edit_whole_tree = whole_tree;
        if (op == 0) {
                o.r = yaml_get_scalar(text, len, doc, path, &o.out, &o.line, &o.err);
                o.out_len = o.out ? strlen(o.out) : 0;
        } else if (op == 1)
                o.r = yaml_set_scalar(text, len, doc, path, value, &o.out, &o.out_len, &o.err);
        else
                o.r = yaml_remove_key(text, len, doc, path, &o.out, &o.out_len, &o.err);
        yaml_edit_whole_tree = false;
        return o;
}

static void fuzz_same_as_whole_tree(unsigned op, const char *text, size_t len, unsigned doc,
                                    const char *const *path, const char *value) {
        struct outcome a = run_op(op, text, len, doc, path, value, false);
        struct outcome b = run_op(op, text, len, doc, path, value, true);
        CHECK(a.r == b.r && a.line == b.line && streq_ptr(a.err, b.err),
              "op %u: the path's tree gives %d line %u (%s), the whole tree %d line %u (%s)", op, a.r,
              a.line, a.err ? a.err : "", b.r, b.line, b.err ? b.err : "");
        CHECK(a.out_len == b.out_len && (a.out_len == 0 || memcmp(a.out, b.out, a.out_len) == 0),
              "op %u: the path's tree gives another text than the whole tree", op);
        free(a.out), free(a.err), free(b.out), free(b.err);
}

static void fuzz_get_and_edit(unsigned op, const char *text, size_t len, unsigned doc,
                              const char *const *path, const char *value) {
        struct outcome get = run_op(0, text, len, doc, path, value, false);
        struct outcome edit =
                get.r < 0 ? (struct outcome){ .r = get.r } : run_op(op, text, len, doc, path, value, false);
        char *old = SENTINEL, *out = SENTINEL, *err = NULL;
        size_t out_len = SENTINEL_LEN;
        int r = yaml_get_and_edit(text, len, doc, path, op == 1 ? value : NULL, &old, &out, &out_len, &err);
        CHECK(r == edit.r && streq_ptr(err, get.r < 0 ? get.err : edit.err),
              "get_and_edit gives %d (%s), get then edit %d (%s)", r, err ? err : "", edit.r,
              get.r < 0  ? get.err
              : edit.err ? edit.err
                         : "");
        if (r > 0)
                CHECK(out_len == edit.out_len && memcmp(out, edit.out, out_len) == 0,
                      "get_and_edit gives another text than get then edit");
        else
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "get_and_edit returned a text with %d", r);
        if (r >= 0)
                CHECK(streq_ptr(old, get.out), "get_and_edit found %s, get %s", old ? old : "(none)",
                      get.out ? get.out : "(none)");
        else
                CHECK(old == SENTINEL, "get_and_edit refused but returned the old value");
        if (r >= 0)
                free(old);
        yfree(out);
        free(err), free(get.out), free(get.err), free(edit.out), free(edit.err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[3];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        const char *const *path = paths[sel[0] % ELEMENTSOF(paths)];
        const char *value = values[sel[1] % ELEMENTSOF(values)];
        unsigned doc = sel[2] % 3;

        fuzz_same_as_whole_tree((sel[0] / ELEMENTSOF(paths)) % 3, in.text, in.len, doc, path, value);
        if ((sel[0] / ELEMENTSOF(paths)) % 3 > 0)
                fuzz_get_and_edit((sel[0] / ELEMENTSOF(paths)) % 3, in.text, in.len, doc, path, value);
        switch ((sel[0] / ELEMENTSOF(paths)) % 3) {
        case 0:
                fuzz_get(in.text, in.len, doc, path);
                break;
        case 1:
                fuzz_set(in.text, in.len, doc, path, value);
                break;
        default:
                fuzz_remove(in.text, in.len, doc, path);
                break;
        }
        free(in.text);
        return 0;
}
