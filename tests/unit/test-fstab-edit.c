/* SPDX-License-Identifier: MIT */
/* Tests for the fstab editor: hand-made edge cases with exact output, golden files for the real-world
 * corpus, idempotence. "--write-fixtures DIR" writes the edge cases out as files for the oracle. */
#include <dirent.h>
#include <sys/stat.h>

#include "formats/fstab-edit.h"
#include "tap.h"
#include "test-util.h"

struct edge_case {
        const char *name;
        const char *input;
        size_t input_len;             /* 0: strlen(input) */
        int expected_r;               /* entries commented, or -EBADMSG */
        const char *expected;         /* output when expected_r > 0 */
        const char *expected_entries; /* sources of the commented entries, '|'-separated */
        const char *expected_error;   /* when refused */
};

/* A string literal with a NUL inside: its length has to come from sizeof. */
#define NUL_BYTE_INPUT "/swapfile none swap sw 0 0\nUUID=a / ext4\0 defaults 0 1\n"

static const struct edge_case edge_cases[] = {
        { .name = "tabs",
          .input = "UUID=1111-2222\t/\text4\terrors=remount-ro\t0\t1\n"
                   "/dev/sda2\tnone\t\tswap\tsw\t\t0\t0\n",
          .expected_r = 1,
          .expected = "UUID=1111-2222\t/\text4\terrors=remount-ro\t0\t1\n"
                      "#/dev/sda2\tnone\t\tswap\tsw\t\t0\t0\n",
          .expected_entries = "/dev/sda2" },
        { .name = "crlf",
          .input = "# /etc/fstab\r\nUUID=a / ext4 defaults 0 1\r\nUUID=b none swap sw 0 0\r\n\r\n/dev/sdb1 "
                   "/data xfs defaults 0 2\r\n",
          .expected_r = 1,
          .expected = "# /etc/fstab\r\nUUID=a / ext4 defaults 0 1\r\n#UUID=b none swap sw 0 "
                      "0\r\n\r\n/dev/sdb1 /data xfs defaults 0 2\r\n",
          .expected_entries = "UUID=b" },
        { .name = "crlf-no-final-newline",
          .input = "UUID=a / ext4 defaults 0 1\r\n/swapfile none swap sw 0 0\r",
          .expected_r = 1,
          .expected = "UUID=a / ext4 defaults 0 1\r\n#/swapfile none swap sw 0 0\r",
          .expected_entries = "/swapfile" },
        { .name = "no-final-newline",
          .input = "UUID=a / ext4 defaults 0 1\n/swapfile none swap sw 0 0",
          .expected_r = 1,
          .expected = "UUID=a / ext4 defaults 0 1\n#/swapfile none swap sw 0 0",
          .expected_entries = "/swapfile" },
        { .name = "no-final-newline-unchanged", .input = "UUID=a / ext4 defaults 0 1", .expected_r = 0 },
        { .name = "quoted-uuid",
          .input = "UUID=\"5f1e-77\" / ext4 defaults 0 1\nUUID=\"0d09aebe-1e94-46d1\" none swap sw 0 0\n",
          .expected_r = 1,
          .expected =
                  "UUID=\"5f1e-77\" / ext4 defaults 0 1\n#UUID=\"0d09aebe-1e94-46d1\" none swap sw 0 0\n",
          .expected_entries = "UUID=\"0d09aebe-1e94-46d1\"" },
        { .name = "escaped-spaces",
          .input = "//nas/my\\040share /mnt/my\\040share cifs credentials=/root/c\\040d 0 0\n"
                   "/var/swap\\040file none swap sw 0 0\n",
          .expected_r = 1,
          .expected = "//nas/my\\040share /mnt/my\\040share cifs credentials=/root/c\\040d 0 0\n"
                      "#/var/swap\\040file none swap sw 0 0\n",
          .expected_entries = "/var/swap file" },
        /* libmount's \ooo rules: three octal digits inside the field, any value (\777 is the byte 0xff),
         * in every field (the type too); anything else stays as written. */
        { .name = "escapes-octal-rules",
          .input = "/swap\\04 none swap sw 0 0\n/sw\\089 none swap sw 0 0\n/dev/sdc1 none \\163wap sw 0 0\n"
                   "/big\\777 none swap sw 0 0\n/a\\134\\040b none swap sw 0 0\n",
          .expected_r = 5,
          .expected = "#/swap\\04 none swap sw 0 0\n#/sw\\089 none swap sw 0 0\n#/dev/sdc1 none \\163wap sw "
                      "0 0\n"
                      "#/big\\777 none swap sw 0 0\n#/a\\134\\040b none swap sw 0 0\n",
          .expected_entries = "/swap\\04|/sw\\089|/dev/sdc1|/big\xff|/a\\ b" },
        { .name = "comments-between-entries",
          .input = "# root\nUUID=a / ext4 defaults 0 1\n\n# swap partition\n  # indented comment\n"
                   "UUID=b none swap sw 0 0\n   \t \n# data\n/dev/sdb1 /data ext4 defaults 0 2\n# end",
          .expected_r = 1,
          .expected = "# root\nUUID=a / ext4 defaults 0 1\n\n# swap partition\n  # indented comment\n"
                      "#UUID=b none swap sw 0 0\n   \t \n# data\n/dev/sdb1 /data ext4 defaults 0 2\n# end",
          .expected_entries = "UUID=b" },
        { .name = "already-commented",
          .input = "UUID=a / ext4 defaults 0 1\n#/swapfile none swap sw 0 0\n# UUID=b none swap sw 0 0\n"
                   "  #/dev/sda5 none swap sw 0 0\n",
          .expected_r = 0 },
        { .name = "swap-named-mounts",
          .input = "/dev/sdb1 /mnt/swap-data ext4 defaults 0 2\nLABEL=swap /srv/swap xfs defaults 0 0\n"
                   "/dev/sdc1 /swap ext4 noatime,swap 0 0\n",
          .expected_r = 0 },
        { .name = "swap-sources",
          .input = "LABEL=SWAP none swap sw 0 0\n"
                   "PARTUUID=6c2b1a0e-02 none swap sw,pri=5 0 0\n"
                   "/dev/mapper/ubuntu--vg-swap_1 none swap sw 0 0\n"
                   "/dev/mapper/centos-swap swap swap defaults 0 0\n"
                   "/swapfile none swap defaults 0 0\n"
                   "/dev/zram0 none swap defaults,pri=100 0 0\n",
          .expected_r = 6,
          .expected = "#LABEL=SWAP none swap sw 0 0\n"
                      "#PARTUUID=6c2b1a0e-02 none swap sw,pri=5 0 0\n"
                      "#/dev/mapper/ubuntu--vg-swap_1 none swap sw 0 0\n"
                      "#/dev/mapper/centos-swap swap swap defaults 0 0\n"
                      "#/swapfile none swap defaults 0 0\n"
                      "#/dev/zram0 none swap defaults,pri=100 0 0\n",
          .expected_entries = "LABEL=SWAP|PARTUUID=6c2b1a0e-02|/dev/mapper/ubuntu--vg-swap_1|"
                              "/dev/mapper/centos-swap|/swapfile|/dev/zram0" },
        { .name = "leading-whitespace",
          .input = "  UUID=a / ext4 defaults 0 1\n   /swapfile none swap sw 0 "
                   "0\n\t/dev/sda3\tnone\tswap\tsw\n",
          .expected_r = 2,
          .expected = "  UUID=a / ext4 defaults 0 1\n#   /swapfile none swap sw 0 "
                      "0\n#\t/dev/sda3\tnone\tswap\tsw\n",
          .expected_entries = "/swapfile|/dev/sda3" },
        { .name = "three-fields-and-trailing-comment",
          .input = "/swapfile none swap\n/swap2 none swap sw 0 0 # second swap\n",
          .expected_r = 2,
          .expected = "#/swapfile none swap\n#/swap2 none swap sw 0 0 # second swap\n",
          .expected_entries = "/swapfile|/swap2" },
        { .name = "first-entry-looks-like-mountinfo", /* libmount's stream parser would guess mountinfo */
          .input = "10 20 ext4 defaults 0 0\n/swapfile none swap sw 0 0\n",
          .expected_r = 1,
          .expected = "10 20 ext4 defaults 0 0\n#/swapfile none swap sw 0 0\n",
          .expected_entries = "/swapfile" },
        { .name = "first-entry-looks-like-proc-swaps", /* ... or /proc/swaps */
          .input = "Filename\tnone\tswap\tsw\t0\t0\n",
          .expected_r = 1,
          .expected = "#Filename\tnone\tswap\tsw\t0\t0\n",
          .expected_entries = "Filename" },
        { .name = "empty", .input = "", .expected_r = 0 },
        { .name = "only-newlines", .input = "\n\n\r\n", .expected_r = 0 },
        { .name = "only-comments",
          .input =
                  "# /etc/fstab: static file system information.\n#\n# <file system> <mount point> <type>\n",
          .expected_r = 0 },
        { .name = "malformed-missing-type",
          .input = "UUID=a / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n/dev/sdb1 /data\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 3: entry '/dev/sdb1 /data' has no filesystem type" },
        { .name = "malformed-single-field",
          .input = "# header\n...\n/swapfile none swap sw 0 0\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 2: entry '...' has no mount point and no filesystem type" },
        { .name = "malformed-unescaped-space",
          .input = "/swapfile none swap sw 0 0\n/dev/sdb1 /mnt/my disk ext4 defaults 0 2\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 2: dump field 'defaults' is not a number (unescaped space in a field?)" },
        { .name = "malformed-pass-field",
          .input = "/swapfile none swap sw 0 0\n/dev/sdb1 /data ext4 defaults 0 x2\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 2: pass field 'x2' is not a number (unescaped space in a field?)" },
        { .name = "malformed-comment-typo",
          .input = "kk# /dev/sda3 LABEL=arch\nUUID=a / btrfs defaults 0 0\nUUID=b none swap defaults 0 0\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 1: 'LABEL=arch' is not a filesystem type: is 'kk#' a comment with stray "
                            "characters before its '#'?" },
        { .name = "malformed-shifted-fields",
          .input = "/swapfile none swap sw 0 0\n/dev/sdb1 /data /dev/sdb1 defaults 0 0\n",
          .expected_r = -EBADMSG,
          .expected_error = "line 2: '/dev/sdb1' is not a filesystem type (fields out of place?)" },
        { .name = "malformed-nul-byte",
          .input = NUL_BYTE_INPUT,
          .input_len = sizeof(NUL_BYTE_INPUT) - 1,
          .expected_r = -EBADMSG,
          .expected_error = "line 2: NUL byte" },
};

static size_t edge_input_len(const struct edge_case *c) {
        return c->input_len ? c->input_len : strlen(c->input);
}

static char *join_entries(const struct strv *v) {
        struct buf b = {};
        for (size_t i = 0; i < v->n; i++) {
                if (i > 0)
                        buf_putc(&b, '|');
                buf_puts(&b, v->items[i]);
        }
        return buf_steal(&b);
}

/* Independent of any golden file: the output must be the input with '#' put in front of exactly
 * `count` whole lines, each of which was an active line. */
static bool only_hashes_added(const char *in, size_t in_len, const char *out, size_t out_len, int count) {
        size_t i = 0, o = 0;
        int added = 0;

        while (i < in_len || o < out_len) {
                if (o < out_len && out[o] == '#' && (i >= in_len || in[i] != '#')) {
                        o++;
                        added++;
                }
                const char *nl = memchr(in + i, '\n', in_len - i);
                size_t n = nl ? (size_t) (nl - in - i) + 1 : in_len - i;
                if (o + n > out_len || memcmp(in + i, out + o, n) != 0)
                        return false;
                i += n;
                o += n;
                if (n == 0)
                        break;
        }
        return i == in_len && o == out_len && added == count;
}

static bool bytes_equal(const char *got, size_t got_len, const char *want, size_t want_len,
                        const char *name) {
        bool eq = got && want && got_len == want_len && memcmp(got, want, got_len) == 0;
        if (!eq && got && want)
                printf("# --- want (%zu bytes):\n%.*s\n# --- got (%zu bytes):\n%.*s\n# ---\n", want_len,
                       (int) want_len, want, got_len, (int) got_len, got);
        return tap_ok(eq, name);
}

/* Editing an edited text again changes nothing. */
static void check_idempotent(const char *text, size_t len, const char *what) {
        _cleanup_free_ char *again = NULL, *error = NULL;
        char name[256];
        snprintf(name, sizeof(name), "%s: idempotent", what);
        int r = fstab_comment_swap_entries(text, len, &again, NULL, NULL, &error);
        tap_ok(r == 0 && !again && !error, name);
}

static void run_edge_case(const struct edge_case *c) {
        _cleanup_free_ char *error = NULL, *entries_joined = NULL;
        char name[256];
        char *sentinel = (char *) "untouched", *out = sentinel;
        size_t out_len = 12345, in_len = edge_input_len(c);
        struct strv entries = {};

        int r = fstab_comment_swap_entries(c->input, in_len, &out, &out_len, &entries, &error);

        snprintf(name, sizeof(name), "%s: returns %d", c->name, c->expected_r);
        if (!tap_ok(r == c->expected_r, name))
                printf("# got %d%s%s\n", r, error ? ", error: " : "", strempty(error));

        if (c->expected_r > 0) {
                snprintf(name, sizeof(name), "%s: exact output", c->name);
                if (out != sentinel)
                        bytes_equal(out, out_len, c->expected, strlen(c->expected), name);
                else
                        tap_ok(false, name);
                snprintf(name, sizeof(name), "%s: only '#' added, %d lines", c->name, c->expected_r);
                tap_ok(out != sentinel && only_hashes_added(c->input, in_len, out, out_len, c->expected_r),
                       name);
                entries_joined = join_entries(&entries);
                snprintf(name, sizeof(name), "%s: entries", c->name);
                tap_streq(entries_joined, c->expected_entries, name);
                if (out != sentinel)
                        check_idempotent(out, out_len, c->name);
        } else {
                snprintf(name, sizeof(name), "%s: outputs untouched", c->name);
                tap_ok(out == sentinel && out_len == 12345 && entries.n == 0, name);
        }

        snprintf(name, sizeof(name), "%s: error message", c->name);
        if (c->expected_r < 0)
                tap_streq(error, c->expected_error, name);
        else
                tap_ok(!error, name);

        if (out != sentinel)
                free(out);
        strv_free(&entries);
}

static void run_edge_case_with_null_outputs(void) {
        /* Only the count is wanted: ret_text, ret_len and ret_entries may all be NULL. */
        const char *in = "/swapfile none swap sw 0 0\nLABEL=s none swap sw\n";
        int r = fstab_comment_swap_entries(in, strlen(in), NULL, NULL, NULL, NULL);
        tap_ok(r == 2, "NULL outputs: count returned");
        r = fstab_comment_swap_entries("kk# / x=y\n", 10, NULL, NULL, NULL, NULL);
        tap_ok(r == -EBADMSG, "NULL outputs: refusal without error message");
}

/* Texts longer than the editor's chunks (fstab-edit.c reads 16 KiB of whole lines at a time): the
 * result must be the one a single pass over the whole text gives, wherever a chunk ends. */

/* Line i of a long fstab, with its expected edit: every tenth a swap entry; others shaped to tempt
 * libmount's format guess when a chunk starts with them (mountinfo's two numbers, /proc/swaps'
 * header), and comments. */
static void long_line(struct buf *in, struct buf *out, struct strv *swaps, unsigned i, const char *eol) {
        size_t start = in->len;
        switch (i % 10) {
        case 9:
                buf_printf(in, "/dev/vg0/swap%u none swap sw 0 0%s", i, eol);
                buf_putc(out, '#');
                strv_push(swaps, xasprintf("/dev/vg0/swap%u", i));
                break;
        case 3:
                buf_printf(in, "%u 20 ext4 defaults 0 0%s", i, eol);
                break;
        case 5:
                buf_printf(in, "Filename\t/srv/f%u\txfs\tdefaults\t0\t0%s", i, eol);
                break;
        case 7:
                buf_printf(in, "# comment %u%s", i, eol);
                break;
        default:
                buf_printf(in, "UUID=00000000-0000-0000-0000-%012u /srv/data%u ext4 defaults,noatime 0 2%s",
                           i, i, eol);
        }
        buf_append(out, in->data + start, in->len - start);
}

static void run_long_text(unsigned n_lines, const char *eol) {
        _cleanup_(buf_free) struct buf in = {}, want = {};
        _cleanup_free_ char *out = NULL, *error = NULL, *got_entries = NULL, *want_entries = NULL;
        struct strv swaps = {}, entries = {};
        size_t out_len = 0;
        char name[256];

        for (unsigned i = 0; i < n_lines; i++)
                long_line(&in, &want, &swaps, i, eol);
        int r = fstab_comment_swap_entries(in.data, in.len, &out, &out_len, &entries, &error);

        snprintf(name, sizeof(name), "long text, %u lines%s: every tenth commented", n_lines,
                 streq(eol, "\r\n") ? ", CRLF" : "");
        if (!tap_ok(r == (int) swaps.n, name))
                printf("# got %d%s%s\n", r, error ? ", error: " : "", strempty(error));
        snprintf(name, sizeof(name), "long text, %u lines: exact output", n_lines);
        bytes_equal(out, out_len, want.data, want.len, name);
        got_entries = join_entries(&entries);
        want_entries = join_entries(&swaps);
        snprintf(name, sizeof(name), "long text, %u lines: entries in order", n_lines);
        tap_streq(got_entries, want_entries, name);
        if (out)
                check_idempotent(out, out_len, "long text");
        strv_free(&swaps);
        strv_free(&entries);
}

/* A refused line at every line up to a few chunks in: its number and reason, whichever chunk it is in
 * and wherever in it. */
static void run_long_refusals(unsigned n_lines) {
        static const struct {
                const char *line, *reason;
        } bad[] = {
                { "/dev/sdb1 /data", "entry '/dev/sdb1 /data' has no filesystem type" },
                { "/dev/sdb1 /data ext4 defaults 0 x2", "pass field 'x2' is not a number (unescaped space "
                                                        "in a field?)" },
                { "/dev/sdb1 /data /dev/sdb1 defaults 0 0",
                  "'/dev/sdb1' is not a filesystem type (fields out "
                  "of place?)" },
        };
        _cleanup_(buf_free) struct buf in = {}, ignored = {};
        struct strv swaps = {};
        unsigned failed = 0;

        for (unsigned p = 0; p < n_lines; p++) {
                _cleanup_free_ char *error = NULL, *want = NULL;
                char *out = NULL;
                size_t mark = in.len;

                buf_printf(&in, "%s\n", bad[p % ELEMENTSOF(bad)].line);
                long_line(&in, &ignored, &swaps, p + 1, "\n");
                int r = fstab_comment_swap_entries(in.data, in.len, &out, NULL, NULL, &error);
                want = xasprintf("line %u: %s", p + 1, bad[p % ELEMENTSOF(bad)].reason);
                if (r != -EBADMSG || out || !streq_ptr(error, want)) {
                        if (failed++ == 0)
                                printf("# line %u: got %d, %s\n", p + 1, r, strempty(error));
                        free(out);
                }
                /* the bad line makes way for a good one: the next text is one line longer */
                in.len = mark;
                long_line(&in, &ignored, &swaps, p, "\n");
        }
        tap_ok(failed == 0, "long text: a refused line is named wherever the chunks end");
        strv_free(&swaps);
}

/* Two refused lines far apart: the first is named, whichever of libmount and our tokenizer refuses it
 * ("kk# /dev/sda3 LABEL=arch ext4" is an entry to libmount, a mangled comment to us). */
static void run_long_two_refusals(void) {
        static const char *const ours_only = "kk# /dev/sda3 LABEL=arch ext4",
                                 *both = "/dev/sdb1 /data ext4 defaults x 2";
        const char *order[][2] = { { ours_only, both }, { both, ours_only } };
        const char *want[] = { "line 101: 'LABEL=arch' is not a filesystem type: is 'kk#' a comment with "
                               "stray characters before its '#'?",
                               "line 101: dump field 'x' is not a number (unescaped space in a field?)" };

        for (size_t k = 0; k < ELEMENTSOF(order); k++) {
                _cleanup_(buf_free) struct buf in = {}, ignored = {};
                _cleanup_free_ char *error = NULL;
                struct strv swaps = {};
                char name[256];

                for (unsigned i = 0; i < 3000; i++)
                        if (i == 100 || i == 2500)
                                buf_printf(&in, "%s\n", order[k][i == 2500]);
                        else
                                long_line(&in, &ignored, &swaps, i, "\n");
                int r = fstab_comment_swap_entries(in.data, in.len, NULL, NULL, NULL, &error);
                snprintf(name, sizeof(name), "long text, two refused lines (%s first): the first named",
                         k == 0 ? "ours only" : "both sides'");
                tap_ok(r == -EBADMSG && streq_ptr(error, want[k]), name);
                if (r != -EBADMSG || !streq_ptr(error, want[k]))
                        printf("# got %d, %s\n", r, strempty(error));
                strv_free(&swaps);
        }
}

/* Write NAME.fstab plus NAME.expected (accepted) or NAME.refused (error text) for each edge case. */
static int edge_fixture(const struct edge_case *c, const char *dir, const char *suffix, char **ret_path,
                        const char **ret_data, size_t *ret_len) {
        if (streq(suffix, ".fstab")) {
                *ret_data = c->input;
                *ret_len = edge_input_len(c);
        } else if (streq(suffix, ".refused")) {
                if (c->expected_r >= 0)
                        return 0;
                *ret_data = c->expected_error;
                *ret_len = strlen(c->expected_error);
        } else {
                if (c->expected_r < 0)
                        return 0;
                *ret_data = c->expected_r > 0 ? c->expected : c->input;
                *ret_len = c->expected_r > 0 ? strlen(c->expected) : edge_input_len(c);
        }
        *ret_path = xasprintf("%s/%s%s", dir, c->name, suffix);
        return 1;
}

static const char *const edge_suffixes[] = { ".fstab", ".expected", ".refused" };

static int write_fixtures(const char *dir) {
        for (size_t i = 0; i < ELEMENTSOF(edge_cases); i++)
                for (size_t s = 0; s < ELEMENTSOF(edge_suffixes); s++) {
                        _cleanup_free_ char *path = NULL;
                        const char *data;
                        size_t len;
                        if (edge_fixture(&edge_cases[i], dir, edge_suffixes[s], &path, &data, &len) == 0)
                                continue;
                        int r = write_file(path, data, len);
                        if (r < 0) {
                                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                                return 1;
                        }
                }
        return 0;
}

/* The files the oracle script runs on must say what this table says. */
static void check_edge_fixtures(const char *root) {
        _cleanup_free_ char *dir = xasprintf("%s/tests/fixtures/fstab/edge", root);
        for (size_t i = 0; i < ELEMENTSOF(edge_cases); i++)
                for (size_t s = 0; s < ELEMENTSOF(edge_suffixes); s++) {
                        _cleanup_free_ char *path = NULL, *got = NULL;
                        char name[256];
                        const char *data;
                        size_t len, got_len = 0;
                        if (edge_fixture(&edge_cases[i], dir, edge_suffixes[s], &path, &data, &len) == 0)
                                continue;
                        snprintf(name, sizeof(name), "fixture %s%s matches the table", edge_cases[i].name,
                                 edge_suffixes[s]);
                        if (read_host_file(path, &got, &got_len) < 0) {
                                tap_ok(false, name);
                                continue;
                        }
                        tap_ok(got_len == len && memcmp(got, data, len) == 0, name);
                }
}

static int filter_regular(const struct dirent *d) {
        return d->d_name[0] != '.';
}

static void run_corpus_file(const char *corpus_dir, const char *golden_dir, const char *file) {
        _cleanup_free_ char *path = xasprintf("%s/%s", corpus_dir, file), *text = NULL, *out = NULL,
                            *error = NULL, *golden = NULL, *refused = NULL,
                            *golden_path = xasprintf("%s/%s", golden_dir, file),
                            *refused_path = xasprintf("%s/%s.refused", golden_dir, file);
        size_t len = 0, out_len = 0, golden_len = 0, refused_len = 0;
        struct strv entries = {};
        char name[256];

        if (read_host_file(path, &text, &len) < 0) {
                snprintf(name, sizeof(name), "corpus %s: readable", file);
                tap_ok(false, name);
                return;
        }
        int r = fstab_comment_swap_entries(text, len, &out, &out_len, &entries, &error);

        if (read_host_file(refused_path, &refused, &refused_len) == 0) {
                snprintf(name, sizeof(name), "corpus %s: refused, nothing returned", file);
                tap_ok(r == -EBADMSG && !out && entries.n == 0, name);
                snprintf(name, sizeof(name), "corpus %s: refusal message", file);
                tap_streq(error, refused, name);
        } else if (read_host_file(golden_path, &golden, &golden_len) == 0) {
                snprintf(name, sizeof(name), "corpus %s: matches golden output", file);
                if (r > 0)
                        bytes_equal(out, out_len, golden, golden_len, name);
                else
                        bytes_equal(text, len, golden, golden_len, name);
                snprintf(name, sizeof(name), "corpus %s: only '#' added, on %d lines, one per entry", file,
                         r);
                tap_ok(r >= 0 && (size_t) r == entries.n &&
                               (r == 0 || only_hashes_added(text, len, out, out_len, r)),
                       name);
                if (r > 0)
                        check_idempotent(out, out_len, file);
        } else {
                snprintf(name, sizeof(name), "corpus %s: has a golden file", file);
                tap_ok(false, name);
        }
        strv_free(&entries);
}

static void run_corpus(const char *root) {
        const char *corpus = getenv("CORPUS_DIR");
        if (!corpus) {
                tap_skip("corpus golden files", "CORPUS_DIR not set");
                return;
        }
        _cleanup_free_ char *dir = xasprintf("%s/fstab", corpus),
                            *golden_dir = xasprintf("%s/tests/fixtures/fstab/corpus-expected", root);
        struct dirent **names = NULL;
        int n = scandir(dir, &names, filter_regular, alphasort);
        if (!tap_ok(n > 0, "corpus fstab directory has files"))
                return;
        for (int i = 0; i < n; i++) {
                run_corpus_file(dir, golden_dir, names[i]->d_name);
                free(names[i]);
        }
        free(names);
}

int main(int argc, char **argv) {
        if (argc == 3 && streq(argv[1], "--write-fixtures"))
                return write_fixtures(argv[2]);

        const char *root = getenv("SOURCE_ROOT");
        if (!root)
                root = ".";

        for (size_t i = 0; i < ELEMENTSOF(edge_cases); i++)
                run_edge_case(&edge_cases[i]);
        run_edge_case_with_null_outputs();
        run_long_text(20000, "\n");
        run_long_text(3000, "\r\n");
        run_long_refusals(700);
        run_long_two_refusals();
        check_edge_fixtures(root);
        run_corpus(root);
        return tap_done();
}
