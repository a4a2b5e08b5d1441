/* SPDX-License-Identifier: MIT */
/* Fuzz target for the unified diff renderer (diff_unified). Input: bytes 0-1 say where the rest
 * splits into the old and the new text, byte 2 whether old/new are NULL (a created or removed
 * file; NULL reads as empty). Properties, each true for a correct renderer:
 *  - the result is "" exactly when the texts are equal;
 *  - texts without NUL bytes (the result is a C string, so a NUL cannot be shown):
 *    when they differ, the result starts with the "--- a/PATH\t" (or /dev/null) and "+++ b/PATH\t" (or /dev/null)
 *    headers, and applying its hunks to the old text, the way patch does, reproduces the new text
 *    byte for byte: every ' ' and '-' line is the old text's line at that place, the "@@ -A,B +C,D @@"
 *    ranges agree with where each hunk starts and how many lines it has, a line lacks its newline
 *    exactly when "\ No newline at end of file" follows it, and hunks come in order with at most 3
 *    lines of context around changes;
 *  - no leak (ASan/LeakSanitizer). */
#include <inttypes.h>

#include "fuzz-common.h"

#include "basic/diff.h"
#include "basic/util.h"

/* Lines with their newline ("a\n", and a last "b" without). */
struct text_lines {
        const char **s;
        size_t *n;
        size_t count;
};

static struct text_lines split_keep(const char *t, size_t len) {
        struct text_lines l = { malloc((len + 1) * sizeof(char *)), malloc((len + 1) * sizeof(size_t)), 0 };
        if (!l.s || !l.n)
                abort();
        for (size_t i = 0; i < len;) {
                const char *nl = memchr(t + i, '\n', len - i);
                size_t e = nl ? (size_t) (nl - t) + 1 : len;
                l.s[l.count] = t + i;
                l.n[l.count++] = e - i;
                i = e;
        }
        return l;
}

/* Parse "N" or "N,M" at *p; count defaults to 1. */
static bool parse_range(const char **p, long *start, long *count) {
        char *end;
        *start = strtol(*p, &end, 10);
        if (end == *p)
                return false;
        *count = 1;
        if (*end == ',') {
                const char *q = end + 1;
                *count = strtol(q, &end, 10);
                if (end == q)
                        return false;
        }
        *p = end;
        return true;
}

static void check_apply(const char *diff, const char *old, size_t old_len, const char *new, size_t new_len,
                        bool old_null, bool new_null) {
        const char *p = diff;
        const char *h1 = old_null ? "--- /dev/null\t\n" : "--- a/etc/x y\t\n";
        const char *h2 = new_null ? "+++ /dev/null\t\n" : "+++ b/etc/x y\t\n";
        CHECK(startswith(p, h1), "bad first header");
        p += strlen(h1);
        CHECK(startswith(p, h2), "bad second header");
        p += strlen(h2);

        struct text_lines o = split_keep(old, old_len);
        struct buf result = {};
        size_t used = 0; /* old lines consumed */
        long out_lines = 0;
        int hunks = 0;
        while (*p) {
                long a, b, c, d;
                CHECK(startswith(p, "@@ -"), "hunk %d: no @@ header", hunks);
                p += 4;
                CHECK(parse_range(&p, &a, &b) && startswith(p, " +"), "hunk %d: bad old range", hunks);
                p += 2;
                CHECK(parse_range(&p, &c, &d) && startswith(p, " @@\n"), "hunk %d: bad new range", hunks);
                p += 4;
                long old_at = b == 0 ? a : a - 1, new_at = d == 0 ? c : c - 1;
                CHECK(old_at >= (long) used && old_at <= (long) o.count,
                      "hunk %d starts at old line %ld, %zu used", hunks, old_at, used);
                CHECK(hunks == 0 || old_at - (long) used > 0, "hunk %d touches the one before", hunks);
                /* lines between hunks are copied */
                for (; (long) used < old_at; used++, out_lines++)
                        buf_append(&result, o.s[used], o.n[used]);
                CHECK(new_at == out_lines, "hunk %d: new range starts at %ld, the result has %ld lines",
                      hunks, new_at, out_lines);
                long seen_old = 0, seen_new = 0, lead = 0, trail = 0;
                bool changed = false;
                while (*p && *p != '@') {
                        char kind = *p++;
                        const char *nl = strchr(p, '\n');
                        CHECK(nl, "hunk %d: unterminated line", hunks);
                        size_t n = (size_t) (nl - p) + 1;
                        if (startswith(nl + 1, "\\ No newline at end of file\n")) {
                                n--; /* the line has no newline */
                                nl += strlen("\\ No newline at end of file\n");
                        }
                        CHECK(kind == ' ' || kind == '-' || kind == '+', "hunk %d: line kind '%c'", hunks,
                              kind);
                        if (kind != '+') {
                                CHECK(used < o.count && o.n[used] == n && memcmp(o.s[used], p, n) == 0,
                                      "hunk %d: line %zu is not the old text's", hunks, used + 1);
                                used++;
                                seen_old++;
                        }
                        if (kind != '-') {
                                buf_append(&result, p, n);
                                out_lines++;
                                seen_new++;
                        }
                        if (kind == ' ')
                                changed ? trail++ : lead++;
                        else
                                changed = true, trail = 0;
                        p = nl + 1;
                }
                CHECK(seen_old == b && seen_new == d, "hunk %d: ranges say %ld/%ld lines, it has %ld/%ld",
                      hunks, b, d, seen_old, seen_new);
                CHECK(changed && lead <= 3 && trail <= 3, "hunk %d: %ld/%ld context lines", hunks, lead,
                      trail);
                hunks++;
        }
        CHECK(hunks > 0, "a diff without hunks");
        for (; used < o.count; used++)
                buf_append(&result, o.s[used], o.n[used]);
        CHECK(result.len == new_len && (new_len == 0 || memcmp(result.data, new, new_len) == 0),
              "patching the old text does not give the new one");
        buf_free(&result);
        free(o.s);
        free(o.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[3];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        size_t split = ((size_t) sel[0] << 8 | sel[1]) % (in.len + 1);
        bool old_null = (sel[2] & 1) && split == 0, new_null = (sel[2] & 2) && split == in.len;
        const char *old = old_null ? NULL : in.text, *new = new_null ? NULL : in.text + split;

        char *d = diff_unified("/etc/x y", old, split, new, in.len - split);
        bool equal = split == in.len - split && memcmp(in.text, in.text + split, split) == 0;
        CHECK(d && (*d == 0) == equal, "diff %s for %s texts", *d ? "not empty" : "empty",
              equal ? "equal" : "different");
        /* The result is a C string: a text holding a NUL cannot be rendered in full. */
        if (!equal && !memchr(in.text, 0, in.len))
                check_apply(d, in.text, split, in.text + split, in.len - split, old_null, new_null);
        free(d);
        free(in.text);
        return 0;
}
