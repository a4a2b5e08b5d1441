/* SPDX-License-Identifier: MIT */
/* Unified diffs for dry runs and reports: a minimal line edit script found
 * with Myers' O(ND) algorithm in linear space (after the common ends, and the
 * lines kept in step by a one-for-one edit), printed as `diff -u` hunks. */
#include <stdint.h>

#include "basic/diff.h"
#include "basic/util.h"

#define CONTEXT_LINES 3

/* A line is its bytes including the '\n' (absent only on an unterminated
 * last line, which therefore never equals a terminated one, as in GNU diff). */
/* 16 bytes: a dry run's diff of a 100,000-line file holds one per line of both texts. */
struct line {
        const char *text;
        uint32_t len;  /* a line of a file under READ_FILE_MAX */
        uint32_t hash; /* makes most unequal comparisons a single integer test */
};

struct line_list {
        struct line *lines;
        long count;
};

/* The sub-problem being solved: old lines [old_lo, old_lo + n) against new
 * lines [new_lo, new_lo + m). */
struct box {
        long old_lo, new_lo, n, m;
};

struct diff_ctx {
        const struct line *old_lines, *new_lines;
        bool *old_changed, *new_changed; /* the edit script: deleted / inserted */
        /* Furthest x reached per diagonal, one array per search direction.
         * Sized for the whole input and reused by every sub-problem, which is
         * what keeps memory linear. */
        long *forward_scratch, *backward_scratch;
};

static uint64_t hash_bytes(const char *s, size_t len) {
        uint64_t h = 14695981039346656037ULL; /* FNV-1a */
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
        return h;
}

static void split_lines(const char *text, size_t len, struct line_list *ret) {
        long count = (long) text_count_lines(text, len), i = 0;
        ret->lines = xmalloc((size_t) count * sizeof(struct line));
        ret->count = count;
        /* A line here is its bytes with the newline: a CR is ordinary, a missing final newline shows. */
        for (size_t off = 0, n, end; text_line_raw(text, len, off, &n, &end); off = end)
                ret->lines[i++] = (struct line){ text + off, (uint32_t) (end - off),
                                                 (uint32_t) hash_bytes(text + off, end - off) };
}

static bool lines_equal(const struct line *a, const struct line *b) {
        return a->hash == b->hash && a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Compare the x-th old line with the y-th new line of the box, counting from
 * its start, or from its end for the backward search, so that one search
 * routine serves both directions. */
static bool box_lines_equal(const struct diff_ctx *ctx, const struct box *box, bool backward, long x,
                            long y) {
        if (backward)
                return lines_equal(&ctx->old_lines[box->old_lo + box->n - 1 - x],
                                   &ctx->new_lines[box->new_lo + box->m - 1 - y]);
        return lines_equal(&ctx->old_lines[box->old_lo + x], &ctx->new_lines[box->new_lo + y]);
}

/* Advance diagonal k (k = x - y) by one more edit: take the best of keeping
 * its previous point (reached with two edits fewer), a deletion from
 * diagonal k-1 or an insertion from diagonal k+1, then follow matching lines
 * as far as they go. furthest[] holds -1 for diagonals not reached yet.
 * Moves that would leave the box are refused, so every recorded point lies
 * on a real path. Returns the new furthest x, or -1 if still unreachable. */
static long extend_diagonal(const struct diff_ctx *ctx, const struct box *box, long *furthest, bool backward,
                            long k) {
        long x = furthest[k];
        long from_above = furthest[k + 1], from_left = furthest[k - 1];
        if (from_above >= 0 && from_above - (k + 1) < box->m && from_above > x)
                x = from_above;
        if (from_left >= 0 && from_left < box->n && from_left + 1 > x)
                x = from_left + 1;
        if (x < 0)
                return -1;
        long y = x - k;
        while (x < box->n && y < box->m && box_lines_equal(ctx, box, backward, x, y))
                x++, y++;
        furthest[k] = x;
        return x;
}

/* Find a point that an optimal edit path through the box passes through,
 * with at most half of the path's edits on either side of it ("middle
 * snake"). Forward and backward searches take turns; backward diagonal c
 * is forward diagonal delta - c, and the searches meet once the points they
 * reached on one diagonal touch or cross. Precondition: the box is trimmed,
 * so both sides are non-empty and at least two edits are needed. */
static void find_middle(const struct diff_ctx *ctx, const struct box *box, long *ret_x, long *ret_y) {
        long n = box->n, m = box->m, delta = n - m;
        /* Diagonals range over [-m, n]; one more on each side is read as a
         * neighbour, so offset the arrays to allow indices -m-1 .. n+1. */
        long *forward = ctx->forward_scratch + m + 1, *backward = ctx->backward_scratch + m + 1;
        for (long k = -m - 1; k <= n + 1; k++)
                forward[k] = backward[k] = -1;
        forward[0] = backward[0] = 0;

        for (long d = 0; d <= n + m; d++) {
                /* Diagonals of d's parity that d edits can reach inside the box. */
                long k_min = d <= m ? -d : -m + ((d - m) & 1);
                long k_max = d <= n ? d : n - ((d - n) & 1);

                for (long k = k_min; k <= k_max; k += 2) {
                        long x = extend_diagonal(ctx, box, forward, false, k);
                        /* An odd total can only be completed by the forward step,
                         * when the backward search has made d - 1 edits. */
                        long c = delta - k;
                        if ((delta & 1) && x >= 0 && backward[c] >= 0 && x + backward[c] >= n) {
                                *ret_x = x;
                                *ret_y = x - k;
                                return;
                        }
                }
                for (long c = k_min; c <= k_max; c += 2) {
                        long u = extend_diagonal(ctx, box, backward, true, c);
                        /* An even total is completed here, both sides at d edits. */
                        long k = delta - c;
                        if (!(delta & 1) && u >= 0 && forward[k] >= 0 && u + forward[k] >= n) {
                                *ret_x = n - u;
                                *ret_y = m - (u - c);
                                return;
                        }
                }
        }
        abort(); /* unreachable: the searches meet after at most (n + m) / 2 + 1 rounds */
}

/* A set of lines, to ask whether a line is among them: open addressing on the lines' hashes. */
struct line_set {
        const struct line **slots; /* NULL: empty */
        size_t mask;
};

static void line_set_init(struct line_set *set, size_t n) {
        size_t cap = 16;
        while (cap < 2 * n)
                cap *= 2;
        *set = (struct line_set){ .slots = xmalloc(cap * sizeof(set->slots[0])), .mask = cap - 1 };
        memset(set->slots, 0, cap * sizeof(set->slots[0]));
}

static void line_set_add(struct line_set *set, const struct line *l) {
        size_t h = (size_t) l->hash & set->mask;
        while (set->slots[h] && !lines_equal(set->slots[h], l))
                h = (h + 1) & set->mask;
        set->slots[h] = l;
}

static bool line_set_has(const struct line_set *set, const struct line *l) {
        for (size_t h = (size_t) l->hash & set->mask; set->slots[h]; h = (h + 1) & set->mask)
                if (lines_equal(set->slots[h], l))
                        return true;
        return false;
}

/* Whether any of lines[0..n) is in the set. */
static bool line_set_has_any(const struct line_set *set, const struct line *lines, long n) {
        for (long i = 0; i < n; i++)
                if (line_set_has(set, &lines[i]))
                        return true;
        return false;
}

/* A box of as many old as new lines where each line that differs from its counterpart in step
 * occurs nowhere on the other side: a one-for-one edit, like commenting out every tenth line of an
 * fstab. No such line can be in any common subsequence, and without them both sides are the same
 * lines in the same order, so keeping the lines equal in step and replacing the others is a
 * minimal script, found in linear time where Myers costs O(N·D) (seconds for 100,000 lines).
 * Only the lines that differ go into sets, each side's looked up in the other's: the sets are the
 * size of the edit, not of the file. Returns whether the box was such a one (and is done). */
static bool compare_in_step(const struct diff_ctx *ctx, const struct box *box) {
        if (box->n != box->m || box->n < 2)
                return false;
        const struct line *old = ctx->old_lines + box->old_lo, *new = ctx->new_lines + box->new_lo;
        size_t differing = 0;
        for (long i = 0; i < box->n; i++)
                differing += !lines_equal(&old[i], &new[i]);
        struct line_set old_differing, new_differing;
        line_set_init(&old_differing, differing);
        line_set_init(&new_differing, differing);
        for (long i = 0; i < box->n; i++)
                if (!lines_equal(&old[i], &new[i])) {
                        line_set_add(&old_differing, &old[i]);
                        line_set_add(&new_differing, &new[i]);
                }
        bool one_for_one = !line_set_has_any(&old_differing, new, box->m) &&
                           !line_set_has_any(&new_differing, old, box->n);
        free(old_differing.slots);
        free(new_differing.slots);
        if (!one_for_one)
                return false;
        for (long i = 0; i < box->n; i++)
                if (!lines_equal(&old[i], &new[i]))
                        ctx->old_changed[box->old_lo + i] = ctx->new_changed[box->new_lo + i] = true;
        return true;
}

/* Mark the lines a minimal edit script deletes and inserts. Splitting at the
 * middle point leaves halves that each need fewer edits, so this terminates;
 * recursion depth grows with log of the number of edits. */
static void compare_box(const struct diff_ctx *ctx, struct box box) {
        /* Common lines at either end are matched for free; trimming them here
         * also makes the big-file, small-change case linear. */
        while (box.n > 0 && box.m > 0 && box_lines_equal(ctx, &box, false, 0, 0))
                box.old_lo++, box.new_lo++, box.n--, box.m--;
        while (box.n > 0 && box.m > 0 && box_lines_equal(ctx, &box, true, 0, 0))
                box.n--, box.m--;

        if (box.n == 0 || box.m == 0) {
                for (long i = 0; i < box.n; i++)
                        ctx->old_changed[box.old_lo + i] = true;
                for (long j = 0; j < box.m; j++)
                        ctx->new_changed[box.new_lo + j] = true;
                return;
        }

        if (compare_in_step(ctx, &box))
                return;
        long x, y;
        find_middle(ctx, &box, &x, &y);
        compare_box(ctx, (struct box){ box.old_lo, box.new_lo, x, y });
        compare_box(ctx, (struct box){ box.old_lo + x, box.new_lo + y, box.n - x, box.m - y });
}

/* A run of deleted old lines and inserted new lines with common lines around it. */
struct change {
        long old_start, old_count, new_start, new_count;
};

/* Collect the edit script as changes. Unchanged lines pair up one to one in
 * order, so walking both sides in step finds each change's start. */
static struct change *collect_changes(const struct diff_ctx *ctx, long n, long m, long *ret_count) {
        struct change *changes = NULL; /* as many as there are: a small edit of a big file is small */
        long count = 0, i = 0, j = 0;
        while (i < n || j < m) {
                if ((i < n && ctx->old_changed[i]) || (j < m && ctx->new_changed[j])) {
                        changes = xrealloc_grow(changes, (size_t) count, sizeof(struct change));
                        struct change *c = &changes[count++];
                        *c = (struct change){ .old_start = i, .new_start = j };
                        while (i < n && ctx->old_changed[i])
                                i++;
                        while (j < m && ctx->new_changed[j])
                                j++;
                        c->old_count = i - c->old_start;
                        c->new_count = j - c->new_start;
                } else
                        i++, j++;
        }
        *ret_count = count;
        return changes;
}

/* diff -u range: "start,count" with 1-based start; a single line is just its
 * number, and an empty range names the line before it. */
static void put_range(struct buf *out, long start, long count) {
        if (count == 1)
                buf_printf(out, "%ld", start + 1);
        else if (count == 0)
                buf_printf(out, "%ld,0", start);
        else
                buf_printf(out, "%ld,%ld", start + 1, count);
}

static void put_line(struct buf *out, char prefix, const struct line *line) {
        buf_putc(out, prefix);
        buf_append(out, line->text, line->len);
        /* Only an unterminated last line lacks the '\n'; patch needs the marker. */
        if (line->len == 0 || line->text[line->len - 1] != '\n')
                buf_puts(out, "\n\\ No newline at end of file\n");
}

/* A name in GNU diff's C quoting, which patch reads back. */
static void put_quoted(struct buf *out, const char *side, const char *path) {
        static const char named[] = "\a\b\t\n\v\f\r\"\\", letters[] = "abtnvfr\"\\";
        buf_printf(out, "\"%s", side);
        for (const char *p = path; *p; p++) {
                const char *n = strchr(named, *p);
                if (n)
                        buf_printf(out, "\\%c", letters[n - named]);
                else if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        buf_printf(out, "\\%03o", (unsigned char) *p);
                else
                        buf_putc(out, *p);
        }
        buf_putc(out, '"');
}

/* A header line: "--- a/PATH", or /dev/null when side is NULL. The name ends
 * with a tab, where GNU diff puts the timestamp, because patch reads a name up
 * to a tab (NetworkManager's "Wired connection 1.nmconnection" has spaces). A
 * name with a control character is quoted, so that a file name cannot put a
 * raw newline or escape sequence into a report. */
static void put_header(struct buf *out, const char *mark, const char *side, const char *path) {
        bool quote = false;
        for (const char *p = path; side && *p && !quote; p++)
                quote = (unsigned char) *p < 0x20 || *p == 0x7f;
        buf_puts(out, mark);
        if (!side)
                buf_puts(out, "/dev/null");
        else if (quote)
                put_quoted(out, side, path);
        else
                buf_printf(out, "%s%s", side, path);
        buf_puts(out, "\t\n");
}

/* Print changes[first..last] as one hunk with its surrounding context. */
static void put_hunk(struct buf *out, const struct line_list *old, const struct line_list *new,
                     const struct change *first, const struct change *last) {
        /* Common lines before a hunk are as many on both sides (a file's common
         * prefix, or a run of more than 2 * CONTEXT_LINES between hunks), so one
         * context length fits both; likewise after it. */
        long lead = first->old_start < CONTEXT_LINES ? first->old_start : CONTEXT_LINES;
        long old_end = last->old_start + last->old_count;
        long trail = old->count - old_end < CONTEXT_LINES ? old->count - old_end : CONTEXT_LINES;
        long old_pos = first->old_start - lead, new_pos = first->new_start - lead;
        long new_end = last->new_start + last->new_count;

        buf_puts(out, "@@ -");
        put_range(out, old_pos, old_end + trail - old_pos);
        buf_puts(out, " +");
        put_range(out, new_pos, new_end + trail - new_pos);
        buf_puts(out, " @@\n");

        for (const struct change *c = first; c <= last; c++) {
                for (; old_pos < c->old_start; old_pos++, new_pos++)
                        put_line(out, ' ', &old->lines[old_pos]);
                for (; old_pos < c->old_start + c->old_count; old_pos++)
                        put_line(out, '-', &old->lines[old_pos]);
                for (; new_pos < c->new_start + c->new_count; new_pos++)
                        put_line(out, '+', &new->lines[new_pos]);
        }
        for (; old_pos < old_end + trail; old_pos++)
                put_line(out, ' ', &old->lines[old_pos]);
}

char *diff_unified(const char *path, const char *old, size_t old_len, const char *new, size_t new_len) {
        _cleanup_free_ struct line *old_lines = NULL, *new_lines = NULL;
        struct line_list old_list, new_list;
        split_lines(old ? old : "", old ? old_len : 0, &old_list);
        split_lines(new ? new : "", new ? new_len : 0, &new_list);
        old_lines = old_list.lines;
        new_lines = new_list.lines;
        long n = old_list.count, m = new_list.count;

        _cleanup_free_ bool *old_changed = xmalloc((size_t) n * sizeof(bool));
        _cleanup_free_ bool *new_changed = xmalloc((size_t) m * sizeof(bool));
        memset(old_changed, 0, (size_t) n * sizeof(bool));
        memset(new_changed, 0, (size_t) m * sizeof(bool));
        _cleanup_free_ long *forward_scratch = xmalloc((size_t) (n + m + 3) * sizeof(long));
        _cleanup_free_ long *backward_scratch = xmalloc((size_t) (n + m + 3) * sizeof(long));
        struct diff_ctx ctx = {
                .old_lines = old_lines,
                .new_lines = new_lines,
                .old_changed = old_changed,
                .new_changed = new_changed,
                .forward_scratch = forward_scratch,
                .backward_scratch = backward_scratch,
        };
        compare_box(&ctx, (struct box){ 0, 0, n, m });

        long change_count;
        _cleanup_free_ struct change *changes = collect_changes(&ctx, n, m, &change_count);
        struct buf out = {};
        if (change_count == 0)
                return buf_steal(&out);

        while (*path == '/')
                path++;
        put_header(&out, "--- ", old ? "a/" : NULL, path);
        put_header(&out, "+++ ", new ? "b/" : NULL, path);

        /* Hunks whose context would overlap or touch become one hunk. */
        for (long first = 0, last; first < change_count; first = last + 1) {
                last = first;
                while (last + 1 < change_count &&
                       changes[last + 1].old_start - (changes[last].old_start + changes[last].old_count) <=
                               2 * CONTEXT_LINES)
                        last++;
                put_hunk(&out, &old_list, &new_list, &changes[first], &changes[last]);
        }
        return buf_steal(&out);
}
