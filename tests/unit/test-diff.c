/* SPDX-License-Identifier: MIT */
/* Tests for diff_unified(): exact output for hand-picked edits, minimality
 * and applicability (`patch -p1`) on seeded random texts, and a 100,000-line
 * file with one changed line. */
#include <stdint.h>
#include <sys/stat.h>

#include "basic/diff.h"
#include "basic/util.h"
#include "tap.h"
#include "test-util.h"

struct diff_case {
        const char *name, *path, *old, *new, *want;
};

/* Each case has a single minimal edit script, so the expected output is what
 * GNU diff 3.8 prints, with a/ and b/ paths in the header lines and nothing
 * after the tab that ends each name (where GNU diff puts the timestamp). */
static const struct diff_case cases[] = {
        { "insert at start", "/etc/test.conf", "b\nc\nd\n", "a\nb\nc\nd\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,3 +1,4 @@\n"
          "+a\n"
          " b\n"
          " c\n"
          " d\n" },
        { "insert in middle", "/etc/test.conf", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
          "1\n2\n3\n4\n5\nnew\n6\n7\n8\n9\n10\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -3,6 +3,7 @@\n"
          " 3\n"
          " 4\n"
          " 5\n"
          "+new\n"
          " 6\n"
          " 7\n"
          " 8\n" },
        { "insert at end", "/etc/test.conf", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
          "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -8,3 +8,4 @@\n"
          " 8\n"
          " 9\n"
          " 10\n"
          "+11\n" },
        { "delete lines", "/etc/test.conf", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n7\n8\n9\n10\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -2,8 +2,6 @@\n"
          " 2\n"
          " 3\n"
          " 4\n"
          "-5\n"
          "-6\n"
          " 7\n"
          " 8\n"
          " 9\n" },
        { "change one line", "/etc/test.conf", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
          "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -2,7 +2,7 @@\n"
          " 2\n"
          " 3\n"
          " 4\n"
          "-5\n"
          "+five\n"
          " 6\n"
          " 7\n"
          " 8\n" },
        { "change in one-line file", "/etc/test.conf", "x\n", "y\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1 +1 @@\n"
          "-x\n"
          "+y\n" },
        { "two hunks far apart", "/etc/test.conf",
          "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
          "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\nEIGHTEEN\n19\n20\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,5 +1,5 @@\n"
          " 1\n"
          "-2\n"
          "+TWO\n"
          " 3\n"
          " 4\n"
          " 5\n"
          "@@ -15,6 +15,6 @@\n"
          " 15\n"
          " 16\n"
          " 17\n"
          "-18\n"
          "+EIGHTEEN\n"
          " 19\n"
          " 20\n" },
        { "gap of 6 merges hunks", "/etc/test.conf",
          "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
          "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n10\n11\nTWELVE\n13\n14\n15\n16\n17\n18\n19\n20\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -2,14 +2,14 @@\n"
          " 2\n"
          " 3\n"
          " 4\n"
          "-5\n"
          "+FIVE\n"
          " 6\n"
          " 7\n"
          " 8\n"
          " 9\n"
          " 10\n"
          " 11\n"
          "-12\n"
          "+TWELVE\n"
          " 13\n"
          " 14\n"
          " 15\n" },
        { "gap of 7 splits hunks", "/etc/test.conf",
          "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
          "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n10\n11\n12\nTHIRTEEN\n14\n15\n16\n17\n18\n19\n20\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -2,7 +2,7 @@\n"
          " 2\n"
          " 3\n"
          " 4\n"
          "-5\n"
          "+FIVE\n"
          " 6\n"
          " 7\n"
          " 8\n"
          "@@ -10,7 +10,7 @@\n"
          " 10\n"
          " 11\n"
          " 12\n"
          "-13\n"
          "+THIRTEEN\n"
          " 14\n"
          " 15\n"
          " 16\n" },
        { "old lacks final newline", "/etc/test.conf", "a\nb\nc", "a\nb\nc\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,3 +1,3 @@\n"
          " a\n"
          " b\n"
          "-c\n"
          "\\ No newline at end of file\n"
          "+c\n" },
        { "new lacks final newline", "/etc/test.conf", "a\nb\nc\n", "a\nb\nc",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,3 +1,3 @@\n"
          " a\n"
          " b\n"
          "-c\n"
          "+c\n"
          "\\ No newline at end of file\n" },
        { "both lack final newline", "/etc/test.conf", "a\nb\nc", "a\nb\nC",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,3 +1,3 @@\n"
          " a\n"
          " b\n"
          "-c\n"
          "\\ No newline at end of file\n"
          "+C\n"
          "\\ No newline at end of file\n" },
        { "unterminated last line as context", "/etc/test.conf", "a\nb\nc\nd", "A\nb\nc\nd",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,4 +1,4 @@\n"
          "-a\n"
          "+A\n"
          " b\n"
          " c\n"
          " d\n"
          "\\ No newline at end of file\n" },
        { "empty old text", "/etc/test.conf", "", "a\nb\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -0,0 +1,2 @@\n"
          "+a\n"
          "+b\n" },
        { "change first line", "/etc/test.conf", "1\n2\n3\n4\n5\n6\n", "one\n2\n3\n4\n5\n6\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,4 +1,4 @@\n"
          "-1\n"
          "+one\n"
          " 2\n"
          " 3\n"
          " 4\n" },
        { "delete last line", "/etc/test.conf", "1\n2\n3\n4\n5\n", "1\n2\n3\n4\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -2,4 +2,3 @@\n"
          " 2\n"
          " 3\n"
          " 4\n"
          "-5\n" },
        { "append to one-line file", "/etc/test.conf", "a\n", "a\nb\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1 +1,2 @@\n"
          " a\n"
          "+b\n" },
        { "append after unterminated last line", "/etc/test.conf", "a\nb", "a\nb\nc\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,2 +1,3 @@\n"
          " a\n"
          "-b\n"
          "\\ No newline at end of file\n"
          "+b\n"
          "+c\n" },
        { "crlf lines", "/etc/test.conf", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,3 +1,3 @@\n"
          " a\r\n"
          "-b\r\n"
          "+B\r\n"
          " c\r\n" },
        { "delete everything", "/etc/test.conf", "a\nb\n", "",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,2 +0,0 @@\n"
          "-a\n"
          "-b\n" },
        { "multiple changes in one hunk", "/etc/test.conf", "a\nb\nc\nd\ne\n", "a\nB\nc\ne\nf\n",
          "--- a/etc/test.conf\t\n"
          "+++ b/etc/test.conf\t\n"
          "@@ -1,5 +1,5 @@\n"
          " a\n"
          "-b\n"
          "+B\n"
          " c\n"
          "-d\n"
          " e\n"
          "+f\n" },
        { "created file (NULL old)", "/etc/modules-load.d/k8s.conf", NULL, "overlay\nbr_netfilter\n",
          "--- /dev/null\t\n"
          "+++ b/etc/modules-load.d/k8s.conf\t\n"
          "@@ -0,0 +1,2 @@\n"
          "+overlay\n"
          "+br_netfilter\n" },
        { "removed file (NULL new)", "/etc/k8s.conf", "a\nb", NULL,
          "--- a/etc/k8s.conf\t\n"
          "+++ /dev/null\t\n"
          "@@ -1,2 +0,0 @@\n"
          "-a\n"
          "-b\n"
          "\\ No newline at end of file\n" },
        /* patch reads a name up to a tab: without one, a space would end it. */
        { "path with a space", "/etc/NetworkManager/system-connections/Wired connection 1.nmconnection",
          "a\n", "b\n",
          "--- a/etc/NetworkManager/system-connections/Wired connection 1.nmconnection\t\n"
          "+++ b/etc/NetworkManager/system-connections/Wired connection 1.nmconnection\t\n"
          "@@ -1 +1 @@\n"
          "-a\n"
          "+b\n" },
        /* A name with control characters is C-quoted, as GNU diff does and
         * patch reads: no raw newline or escape sequence in a header. */
        { "path with control characters", "/etc/netplan/x\033[2J\n[swap] ok \"q\" \\.yaml", "a\n", "b\n",
          "--- \"a/etc/netplan/x\\033[2J\\n[swap] ok \\\"q\\\" \\\\.yaml\"\t\n"
          "+++ \"b/etc/netplan/x\\033[2J\\n[swap] ok \\\"q\\\" \\\\.yaml\"\t\n"
          "@@ -1 +1 @@\n"
          "-a\n"
          "+b\n" },
        { "path without leading slash", "etc/fstab", "a\n", "b\n",
          "--- a/etc/fstab\t\n"
          "+++ b/etc/fstab\t\n"
          "@@ -1 +1 @@\n"
          "-a\n"
          "+b\n" },
        { "identical texts", "/etc/fstab", "a\nb\n", "a\nb\n", "" },
        { "identical without final newline", "/etc/fstab", "a\nb", "a\nb", "" },
        { "both empty", "/etc/fstab", "", "", "" },
        { "NULL versus empty", "/etc/fstab", NULL, "", "" },
        { "both NULL", "/etc/fstab", NULL, NULL, "" },
};

static size_t len_or_zero(const char *s) {
        return s ? strlen(s) : 0;
}

static void test_table(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct diff_case *c = &cases[i];
                _cleanup_free_ char *got =
                        diff_unified(c->path, c->old, len_or_zero(c->old), c->new, len_or_zero(c->new));
                tap_streq(got, c->want, c->name);
        }
}

static void test_nul_bytes(void) {
        /* NULs are ordinary bytes; the returned C string holds them, so
         * check it piece by piece between them. */
        const char old[] = "a\0b\nsame\n", new[] = "a\0c\nsame\n";
        _cleanup_free_ char *got = diff_unified("/x", old, sizeof(old) - 1, new, sizeof(new) - 1);
        bool same_bytes = got && streq(got, "--- a/x\t\n+++ b/x\t\n@@ -1,2 +1,2 @@\n-a");
        /* The rest follows each NUL: "b\n+a", then "c\n same\n". */
        const char *rest = same_bytes ? got + strlen(got) + 1 : NULL;
        same_bytes = same_bytes && streq(rest, "b\n+a") && streq(rest + strlen(rest) + 1, "c\n same\n");
        tap_ok(same_bytes, "NUL bytes are treated as text");
        _cleanup_free_ char *same = diff_unified("/x", old, sizeof(old) - 1, old, sizeof(old) - 1);
        tap_streq(same, "", "NUL bytes: identical texts give no diff");
}

static void test_large_file(void) {
        /* Prefix and suffix trimming keep this linear; no timing assertion. */
        struct buf old = {}, new = {}, want = {};
        for (int i = 1; i <= 100000; i++) {
                buf_printf(&old, "line %d\n", i);
                buf_printf(&new, i == 50000 ? "changed\n" : "line %d\n", i);
        }
        buf_puts(&want, "--- a/big\t\n+++ b/big\t\n@@ -49997,7 +49997,7 @@\n");
        buf_puts(&want, " line 49997\n line 49998\n line 49999\n-line 50000\n+changed\n");
        buf_puts(&want, " line 50001\n line 50002\n line 50003\n");
        _cleanup_free_ char *got = diff_unified("/big", old.data, old.len, new.data, new.len);
        tap_streq(got, want.data, "100,000 lines with one changed line");
        buf_free(&old);
        buf_free(&new);
        buf_free(&want);
}

/* xorshift64*: a fixed seed keeps the random cases the same on every run. */
static uint64_t next_random(uint64_t *state) {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        return *state * 2685821657736338717ULL;
}

static unsigned pick(uint64_t *state, unsigned n) {
        return (unsigned) (next_random(state) % n);
}

/* Few distinct lines give many equally long alignments to choose from, which
 * is where a matcher can go wrong; "u%u" lines are rare ones. */
static void random_line(uint64_t *state, struct buf *out) {
        static const char *const alphabet[] = { "a", "b", "c", "d", "", "a\r", "x y" };
        if (pick(state, 100) < 15)
                buf_printf(out, "u%u\n", pick(state, 30));
        else
                buf_printf(out, "%s\n", alphabet[pick(state, ELEMENTSOF(alphabet))]);
}

struct text {
        struct buf lines[200];
        unsigned n;
};

static void text_random(uint64_t *state, struct text *t, unsigned n) {
        t->n = n;
        for (unsigned i = 0; i < n; i++) {
                t->lines[i] = (struct buf){};
                random_line(state, &t->lines[i]);
        }
}

static void text_free(struct text *t) {
        for (unsigned i = 0; i < t->n; i++)
                buf_free(&t->lines[i]);
        t->n = 0;
}

/* Derive new from old with a few inserts, deletes and changes. */
static void text_mutate(uint64_t *state, const struct text *old, struct text *new) {
        new->n = 0;
        for (unsigned i = 0; i < old->n; i++) {
                new->lines[new->n] = (struct buf){};
                buf_puts(&new->lines[new->n++], old->lines[i].data);
        }
        for (unsigned edits = 1 + pick(state, 4); edits > 0; edits--) {
                unsigned at = pick(state, new->n + 1), op = pick(state, 3);
                if (op == 0 && new->n + 3 < ELEMENTSOF(new->lines)) {
                        unsigned count = 1 + pick(state, 3);
                        memmove(&new->lines[at + count], &new->lines[at],
                                (new->n - at) * sizeof(struct buf));
                        for (unsigned k = 0; k < count; k++) {
                                new->lines[at + k] = (struct buf){};
                                random_line(state, &new->lines[at + k]);
                        }
                        new->n += count;
                } else if (op == 1 && at < new->n) {
                        unsigned count = 1 + pick(state, 3);
                        if (count > new->n - at)
                                count = new->n - at;
                        for (unsigned k = 0; k < count; k++)
                                buf_free(&new->lines[at + k]);
                        memmove(&new->lines[at], &new->lines[at + count],
                                (new->n - at - count) * sizeof(struct buf));
                        new->n -= count;
                } else if (new->n > 0) {
                        at = at < new->n ? at : new->n - 1;
                        buf_free(&new->lines[at]);
                        random_line(state, &new->lines[at]);
                }
        }
}

/* Join lines, dropping the final newline one time in five. */
static char *text_join(uint64_t *state, const struct text *t, size_t *ret_len) {
        struct buf b = {};
        for (unsigned i = 0; i < t->n; i++)
                buf_puts(&b, t->lines[i].data);
        if (b.len > 0 && pick(state, 5) == 0)
                b.data[--b.len] = 0;
        *ret_len = b.len;
        return buf_steal(&b);
}

/* Split text into lines the way a diff sees them: each keeps its '\n', and
 * an unterminated last line is a line of its own. */
static size_t split_lines(const char *text, size_t len, const char ***ret_starts, size_t **ret_lens) {
        const char **starts = xmalloc((len + 1) * sizeof(char *));
        size_t *lens = xmalloc((len + 1) * sizeof(size_t)), count = 0;
        for (size_t i = 0; i < len; count++) {
                const char *nl = memchr(text + i, '\n', len - i);
                size_t end = nl ? (size_t) (nl - text) + 1 : len;
                starts[count] = text + i;
                lens[count] = end - i;
                i = end;
        }
        *ret_starts = starts;
        *ret_lens = lens;
        return count;
}

/* Longest common subsequence of the lines, by dynamic programming: an oracle
 * that shares nothing with the matcher. A minimal script deletes exactly
 * old_lines - lcs lines and inserts new_lines - lcs. */
static void minimal_edit_counts(const char *old, size_t old_len, const char *new, size_t new_len,
                                unsigned *ret_deleted, unsigned *ret_inserted) {
        _cleanup_free_ const char **old_starts = NULL, **new_starts = NULL;
        _cleanup_free_ size_t *old_lens = NULL, *new_lens = NULL;
        size_t n = split_lines(old, old_len, &old_starts, &old_lens);
        size_t m = split_lines(new, new_len, &new_starts, &new_lens);
        _cleanup_free_ unsigned *previous = xmalloc((m + 1) * sizeof(unsigned));
        _cleanup_free_ unsigned *current = xmalloc((m + 1) * sizeof(unsigned));
        memset(previous, 0, (m + 1) * sizeof(unsigned));
        for (size_t i = 1; i <= n; i++) {
                current[0] = 0;
                for (size_t j = 1; j <= m; j++) {
                        bool same = old_lens[i - 1] == new_lens[j - 1] &&
                                    memcmp(old_starts[i - 1], new_starts[j - 1], old_lens[i - 1]) == 0;
                        unsigned best = previous[j] > current[j - 1] ? previous[j] : current[j - 1];
                        current[j] = same ? previous[j - 1] + 1 : best;
                }
                memcpy(previous, current, (m + 1) * sizeof(unsigned));
        }
        *ret_deleted = (unsigned) n - previous[m];
        *ret_inserted = (unsigned) m - previous[m];
}

/* Count the '-' and '+' lines of a diff, below its two header lines. */
static void count_edits(const char *diff, unsigned *ret_deleted, unsigned *ret_inserted) {
        unsigned deleted = 0, inserted = 0, line = 0;
        for (const char *p = diff; *p; line++) {
                if (line >= 2 && *p == '-')
                        deleted++;
                if (line >= 2 && *p == '+')
                        inserted++;
                const char *nl = strchr(p, '\n');
                p = nl ? nl + 1 : p + strlen(p);
        }
        *ret_deleted = deleted;
        *ret_inserted = inserted;
}

static bool have_gnu_tools(void) {
        _cleanup_free_ char *d = run_capture("diff --version 2>/dev/null");
        _cleanup_free_ char *p = run_capture("patch --version 2>/dev/null");
        return d && strstr(d, "GNU diffutils") && p && strstr(p, "GNU patch");
}

/* Files in a scratch directory for running GNU diff and patch. */
struct scratch {
        char dir[64];
        char *old_path, *new_path, *work_dir, *work_file, *patch_path;
};

static bool scratch_open(struct scratch *s) {
        *s = (struct scratch){ .dir = "/tmp/kubeprep-test-diff.XXXXXX" };
        if (!mkdtemp(s->dir))
                return false;
        s->old_path = xasprintf("%s/old", s->dir);
        s->new_path = xasprintf("%s/new", s->dir);
        s->work_dir = xasprintf("%s/work", s->dir);
        s->work_file = xasprintf("%s/work/f", s->dir);
        s->patch_path = xasprintf("%s/f.patch", s->dir);
        return mkdir(s->work_dir, 0755) == 0;
}

static void scratch_close(struct scratch *s) {
        char *paths[] = { s->old_path, s->new_path, s->work_file, s->patch_path };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (paths[i])
                        unlink(paths[i]);
        if (s->work_dir)
                rmdir(s->work_dir);
        if (s->dir[0] == '/') /* mkdtemp() succeeded */
                rmdir(s->dir);
        free(s->old_path);
        free(s->new_path);
        free(s->work_dir);
        free(s->work_file);
        free(s->patch_path);
}

/* Does `patch -p1` turn old into new with this diff (of path "/f")? */
static bool patch_applies(const struct scratch *s, const char *old, size_t old_len, const char *diff,
                          const char *new, size_t new_len) {
        if (streq(diff, ""))
                return old_len == new_len && memcmp(old, new, old_len) == 0;
        _cleanup_free_ char *cmd =
                xasprintf("patch -s -f -p1 -d %s -i %s >/dev/null 2>&1", s->work_dir, s->patch_path);
        size_t result_len = 0;
        _cleanup_free_ char *result = NULL;
        if (write_file(s->work_file, old, old_len) == 0 &&
            write_file(s->patch_path, diff, strlen(diff)) == 0 && system(cmd) == 0)
                result = read_file_or_null(s->work_file, &result_len);
        return result && result_len == new_len && memcmp(result, new, new_len) == 0;
}

/* Do `diff --minimal -u` and our diff delete and insert as many lines? */
static bool edit_counts_match_gnu(const struct scratch *s, const char *old, size_t old_len, const char *diff,
                                  const char *new, size_t new_len) {
        _cleanup_free_ char *cmd = xasprintf("diff --minimal -u %s %s", s->old_path, s->new_path);
        _cleanup_free_ char *gnu = NULL;
        if (write_file(s->old_path, old, old_len) == 0 && write_file(s->new_path, new, new_len) == 0)
                gnu = run_capture(cmd);
        if (!gnu)
                return false;
        unsigned deleted, inserted, gnu_deleted, gnu_inserted;
        count_edits(diff, &deleted, &inserted);
        count_edits(gnu, &gnu_deleted, &gnu_inserted);
        return deleted == gnu_deleted && inserted == gnu_inserted;
}

static bool edit_counts_minimal(const char *old, size_t old_len, const char *diff, const char *new,
                                size_t new_len) {
        unsigned deleted, inserted, want_deleted, want_inserted;
        count_edits(diff, &deleted, &inserted);
        minimal_edit_counts(old, old_len, new, new_len, &want_deleted, &want_inserted);
        return deleted == want_deleted && inserted == want_inserted;
}

/* A few hundred seeded random pairs, small enough for the quadratic oracle:
 * the script must be minimal and must apply. */
static void test_random_pairs(void) {
        bool gnu = have_gnu_tools();
        struct scratch s = {};
        if (gnu && !scratch_open(&s)) {
                tap_ok(false, "create scratch directory");
                scratch_close(&s);
                return;
        }
        static const unsigned sizes[] = { 3, 8, 15, 40, 120, 190 };
        unsigned not_minimal = 0, gnu_mismatches = 0, patch_failures = 0, runs = 400;
        uint64_t state = 0x6b75626570726570ULL;

        for (unsigned run = 0; run < runs; run++) {
                struct text old_text, new_text;
                unsigned size = sizes[pick(&state, ELEMENTSOF(sizes))];
                text_random(&state, &old_text, pick(&state, size + 1));
                if (pick(&state, 10) < 7)
                        text_mutate(&state, &old_text, &new_text);
                else
                        text_random(&state, &new_text, pick(&state, size + 1));
                size_t old_len, new_len;
                _cleanup_free_ char *old = text_join(&state, &old_text, &old_len);
                _cleanup_free_ char *new = text_join(&state, &new_text, &new_len);
                text_free(&old_text);
                text_free(&new_text);

                _cleanup_free_ char *got = diff_unified("/f", old, old_len, new, new_len);
                if (!edit_counts_minimal(old, old_len, got, new, new_len) && not_minimal++ == 0)
                        printf("# not minimal on run %u; old:\n%s\n# new:\n%s\n# diff:\n%s\n", run, old, new,
                               got);
                if (!gnu)
                        continue;
                if (!edit_counts_match_gnu(&s, old, old_len, got, new, new_len) && gnu_mismatches++ == 0)
                        printf("# edit counts differ from diff --minimal on run %u\n", run);
                if (!patch_applies(&s, old, old_len, got, new, new_len) && patch_failures++ == 0)
                        printf("# patch failed on run %u; old:\n%s\n# new:\n%s\n# diff:\n%s\n", run, old,
                               new, got);
        }
        tap_ok(not_minimal == 0, "random texts: edit script is minimal (LCS oracle)");
        if (!gnu) {
                tap_skip("random texts: edit counts equal diff --minimal",
                         "GNU diff or patch not installed");
                tap_skip("random texts: patch -p1 applies", "GNU diff or patch not installed");
                return;
        }
        tap_ok(gnu_mismatches == 0, "random texts: edit counts equal diff --minimal");
        tap_ok(patch_failures == 0, "random texts: patch -p1 applies");
        scratch_close(&s);
}

/* Two unrelated 2,000-line texts need thousands of edits and many levels of
 * divide and conquer. */
static void test_unrelated_texts(void) {
        struct buf old = {}, new = {};
        uint64_t state = 0x756e72656c617465ULL;
        for (unsigned i = 0; i < 2000; i++) {
                buf_printf(&old, "l%u\n", pick(&state, 200));
                buf_printf(&new, "l%u\n", pick(&state, 200));
        }
        _cleanup_free_ char *got = diff_unified("/f", old.data, old.len, new.data, new.len);
        tap_ok(edit_counts_minimal(old.data, old.len, got, new.data, new.len),
               "unrelated 2,000-line texts: edit script is minimal");
        struct scratch s = {};
        if (!have_gnu_tools())
                tap_skip("unrelated 2,000-line texts: patch -p1 applies", "GNU patch not installed");
        else if (!scratch_open(&s))
                tap_ok(false, "create scratch directory");
        else
                tap_ok(patch_applies(&s, old.data, old.len, got, new.data, new.len),
                       "unrelated 2,000-line texts: patch -p1 applies");
        scratch_close(&s);
        buf_free(&old);
        buf_free(&new);
}

/* Creation and removal diffs must be applicable too. */
static void test_patch_create_remove(void) {
        if (!have_gnu_tools()) {
                tap_skip("patch creates a file from --- /dev/null", "GNU patch not installed");
                tap_skip("patch removes a file for +++ /dev/null", "GNU patch not installed");
                return;
        }
        char dir[] = "/tmp/kubeprep-test-diff.XXXXXX";
        if (!mkdtemp(dir)) {
                tap_ok(false, "create scratch directory");
                return;
        }
        _cleanup_free_ char *file = xasprintf("%s/etc/k.conf", dir), *etc = xasprintf("%s/etc", dir);
        _cleanup_free_ char *patch_path = xasprintf("%s/p.patch", dir);
        _cleanup_free_ char *cmd = xasprintf("patch -s -f -p1 -d %s -i %s >/dev/null 2>&1", dir, patch_path);
        const char content[] = "overlay\nbr_netfilter";
        (void) mkdir(etc, 0755);

        _cleanup_free_ char *create = diff_unified("/etc/k.conf", NULL, 0, content, strlen(content));
        size_t len = 0;
        _cleanup_free_ char *created = NULL;
        if (write_file(patch_path, create, strlen(create)) == 0 && system(cmd) == 0)
                created = read_file_or_null(file, &len);
        tap_ok(created && len == strlen(content) && memcmp(created, content, len) == 0,
               "patch creates a file from --- /dev/null");

        _cleanup_free_ char *removal = diff_unified("/etc/k.conf", content, strlen(content), NULL, 0);
        bool removed = write_file(patch_path, removal, strlen(removal)) == 0 && system(cmd) == 0 &&
                       access(file, F_OK) < 0;
        tap_ok(removed, "patch removes a file for +++ /dev/null");

        unlink(file);
        unlink(patch_path);
        rmdir(etc);
        rmdir(dir);
}

/* Names that need the header's tab or quoting: `patch -p1` must find the
 * file by its name and patch it. */
static void test_patch_names(void) {
        static const char *const names[] = {
                "Wired connection 1.nmconnection", /* NetworkManager's default name */
                /* its Chinese default: UTF-8, not quoted */
                "\xe6\x9c\x89\xe7\xba\xbf\xe8\xbf\x9e\xe6\x8e\xa5 1.nmconnection",
                "x\033[2J\n[swap] ok \"q\" \\\t.yaml",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *what = xasprintf("patch -p1 applies a diff of etc/%s",
                                                      i == 2 ? "<control characters>" : names[i]);
                if (!have_gnu_tools()) {
                        tap_skip(what, "GNU patch not installed");
                        continue;
                }
                char dir[] = "/tmp/kubeprep-test-diff.XXXXXX";
                if (!mkdtemp(dir)) {
                        tap_ok(false, "create scratch directory");
                        return;
                }
                _cleanup_free_ char *etc = xasprintf("%s/etc", dir),
                                    *file = xasprintf("%s/etc/%s", dir, names[i]);
                _cleanup_free_ char *path = xasprintf("/etc/%s", names[i]),
                                    *patch_path = xasprintf("%s/p.patch", dir);
                _cleanup_free_ char *cmd =
                        xasprintf("patch -s -f -p1 -d %s -i %s >/dev/null 2>&1", dir, patch_path);
                _cleanup_free_ char *d = diff_unified(path, "a\nb\n", 4, "a\nc\n", 4);
                _cleanup_free_ char *got = NULL;
                size_t len = 0;
                (void) mkdir(etc, 0755);
                if (write_file(file, "a\nb\n", 4) == 0 && write_file(patch_path, d, strlen(d)) == 0 &&
                    system(cmd) == 0)
                        got = read_file_or_null(file, &len);
                tap_ok(got && len == 4 && memcmp(got, "a\nc\n", 4) == 0, what);
                unlink(file);
                unlink(patch_path);
                rmdir(etc);
                rmdir(dir);
        }
}

/* Every tenth of 100,000 lines commented out (the swap fixer on a large fstab): one hunk per
 * change, each -line +#line with its context; and a box where a changed line occurs elsewhere on
 * the other side is not taken for one-for-one (a move stays a move). No timing assertion: the
 * work-counting guard (scripts/check-scaling) is what keeps this linear. */
static void test_one_for_one(void) {
        struct buf old = {}, new = {}, want = {};
        for (int i = 1; i <= 100000; i++) {
                buf_printf(&old, "/dev/d%d /m%d ext4 defaults 0 2\n", i, i);
                buf_printf(&new,
                           i % 10 == 5 ? "#/dev/d%d /m%d ext4 defaults 0 2\n"
                                       : "/dev/d%d /m%d ext4 defaults 0 2\n",
                           i, i);
        }
        buf_puts(&want, "--- a/etc/fstab\t\n+++ b/etc/fstab\t\n");
        for (int i = 5; i <= 100000; i += 10) {
                buf_printf(&want, "@@ -%d,7 +%d,7 @@\n", i - 3, i - 3);
                for (int j = i - 3; j <= i + 3; j++)
                        if (j == i)
                                buf_printf(&want,
                                           "-/dev/d%d /m%d ext4 defaults 0 2\n+#/dev/d%d /m%d ext4 defaults "
                                           "0 2\n",
                                           j, j, j, j);
                        else
                                buf_printf(&want, " /dev/d%d /m%d ext4 defaults 0 2\n", j, j);
        }
        _cleanup_free_ char *got = diff_unified("/etc/fstab", old.data, old.len, new.data, new.len);
        tap_streq(got, want.data, "100,000 lines, every tenth commented out: 10,000 one-line hunks");
        buf_free(&old);
        buf_free(&new);
        buf_free(&want);

        /* a b c d e f -> a x c d b f: b moved, not replaced in step by x (x is new, but b occurs
         * on the new side), so Myers decides: delete b and e, insert x and b. */
        static const char o[] = "a\nb\nc\nd\ne\nf\n", n[] = "a\nx\nc\nd\nb\nf\n";
        _cleanup_free_ char *moved = diff_unified("/f", o, strlen(o), n, strlen(n));
        tap_streq(moved, "--- a/f\t\n+++ b/f\t\n@@ -1,6 +1,6 @@\n a\n-b\n+x\n c\n d\n-e\n+b\n f\n",
                  "a line that moved is not one-for-one");
}

int main(void) {
        test_table();
        test_one_for_one();
        test_nul_bytes();
        test_large_file();
        test_patch_create_remove();
        test_patch_names();
        test_random_pairs();
        test_unrelated_texts();
        return tap_done();
}
