/* SPDX-License-Identifier: MIT */
/* Fuzz target for the kubelet flags editor (flags_get, flags_set, flags_remove).
 * Input: byte 0 picks the format (bit 0) and the operation, byte 1 the flag, byte 2 the value and
 * the variable; the rest is the file text. Properties, each true for a correct editor:
 *  - refusal (<0): a "line N: reason" message, out-parameters untouched;
 *  - set 1: reading back gives exactly the value (a drop-in whose only occurrences are overridden
 *    assignments gets those updated and still reads as absent); setting again returns 0; in a
 *    minimal diff of logical lines (continuations joined: a quoted word may span them), every
 *    changed input line mentions the flag (spelled with '-' or '_') or, in an ENV file, assigns
 *    the variable the flag is appended to, and every changed output line mentions the flag or is
 *    a changed input line (or up to three consecutive ones) with one range deleted (a duplicate
 *    removed): lines not mentioning the flag are unchanged;
 *  - set 0: the flag reads as the value, or (drop-in) is absent, since drop-ins only change what is
 *    there;
 *  - remove 1: the flag then reads as absent; removing again returns 0; only lines that mentioned
 *    the flag changed, and the output is shorter (remove also takes occurrences get does not count,
 *    in overridden assignments);
 *  - remove 0: get does not find the flag either;
 *  - no leak (ASan/LeakSanitizer). */
#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/flags-edit.h"

static const char *const flags[] = { "cgroup-driver", "--fail-swap-on",
                                     "node-ip",       "container_runtime_endpoint",
                                     "node-labels",   "--kubeconfig" };
static const char *const values[] = { "systemd",  "false",
                                      "10.0.0.1", "unix:///run/containerd/containerd.sock",
                                      "true",     "",
                                      "a=b,c=d",  "/etc/kubernetes/kubelet.conf" };
static const char *const vars[] = { "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS", "KUBELET_ARGS" };

/* Does the line mention the flag's name ('-' and '_' alike)? */
static bool mentions(const char *l, size_t n, const char *flag) {
        while (*flag == '-')
                flag++;
        size_t fl = strlen(flag);
        for (size_t i = 0; i + fl <= n; i++) {
                size_t j = 0;
                for (; j < fl; j++) {
                        char a = l[i + j] == '_' ? '-' : l[i + j], b = flag[j] == '_' ? '-' : flag[j];
                        if (a != b)
                                break;
                }
                if (j == fl)
                        return true;
        }
        return false;
}

static void check_refusal(int r, const char *err, const char *out, size_t out_len) {
        CHECK(err && strncmp(err, "line ", 5) == 0, "refused (%d) without a \"line N:\" message: %s", r,
              err ? err : "(null)");
        CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "refused but returned output");
}

/* Changed lines must mention the flag (or, in the input, be an assignment of var, when var is not
 * NULL); after a removal the output lines no longer do, so they are only checked after a set. */
/* b is a with one range of bytes deleted. */
static bool is_deletion_of(const char *b, size_t bn, const char *a, size_t an) {
        size_t p, s;
        if (bn >= an)
                return false;
        common_affixes(a, an, b, bn, &p, &s);
        return p + s == bn;
}

/* l is one changed input line, or up to three consecutive ones joined, with one range deleted
 * (the whitespace before a removed word may hold a backslash-newline, which joins two lines). */
static bool is_trimmed_line(const struct lines *removed, const char *l, size_t n) {
        for (size_t i = 0; i < removed->n; i++) {
                struct buf joined = {};
                for (size_t j = i; j < removed->n && j < i + 3; j++) {
                        if (j > i)
                                buf_putc(&joined, '\n');
                        buf_append(&joined, removed->start[j], removed->len[j]);
                        if (is_deletion_of(l, n, joined.data, joined.len)) {
                                buf_free(&joined);
                                return true;
                        }
                }
                buf_free(&joined);
        }
        return false;
}

/* A copy in which a backslash-newline does not end the line: lines become logical lines, as a
 * quoted word may span a continuation. */
static char *join_continuations(const char *t, size_t n) {
        char *j = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++)
                j[i] = t[i] == '\n' && i > 0 &&
                                       (t[i - 1] == '\\' || (t[i - 1] == '\r' && i > 1 && t[i - 2] == '\\'))
                               ? '\x01'
                               : t[i];
        j[n] = 0;
        return j;
}

static void check_lines(const char *text, size_t len, const char *out, size_t out_len, const char *flag,
                        const char *var, bool removal) {
        _cleanup_free_ char *a = join_continuations(text, len), *b = join_continuations(out, out_len);
        struct line_changes c = changed_lines(a, len, b, out_len);
        for (size_t i = 0; i < c.removed.n; i++)
                CHECK(mentions(c.removed.start[i], c.removed.len[i], flag) ||
                              (var && mem_contains(c.removed.start[i], c.removed.len[i], var)),
                      "an input line changed but does not mention the flag: %.*s", (int) c.removed.len[i],
                      c.removed.start[i]);
        for (size_t i = 0; !removal && i < c.added.n; i++)
                CHECK(mentions(c.added.start[i], c.added.len[i], flag) ||
                              is_trimmed_line(&c.removed, c.added.start[i], c.added.len[i]),
                      "an output line changed but does not mention the flag: %.*s", (int) c.added.len[i],
                      c.added.start[i]);
        line_changes_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[3];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        enum flags_format fmt = sel[0] & 1 ? FLAGS_SYSTEMD_DROPIN : FLAGS_ENV_FILE;
        const char *flag = flags[sel[1] % ELEMENTSOF(flags)];
        const char *value = values[sel[2] % ELEMENTSOF(values)];
        const char *var = vars[(sel[2] / ELEMENTSOF(values)) % ELEMENTSOF(vars)];
        char *out = SENTINEL, *err = NULL, *got = NULL;
        size_t out_len = SENTINEL_LEN;

        int g = flags_get(in.text, in.len, fmt, flag, &got, &err);
        free(err);
        err = NULL;

        if ((sel[0] >> 1) & 1) {
                int r = flags_remove(in.text, in.len, fmt, flag, &out, &out_len, &err);
                if (r < 0)
                        check_refusal(r, err, out, out_len);
                else if (r == 0) {
                        CHECK(!err && out == SENTINEL && out_len == SENTINEL_LEN,
                              "absent but output or message");
                        CHECK(g <= 0, "remove finds nothing where get reads %s", got);
                } else {
                        CHECK(!err && out != SENTINEL && out[out_len] == 0 && out_len < in.len,
                              "bad output");
                        char *out2 = SENTINEL, *got2 = NULL;
                        size_t out2_len = SENTINEL_LEN;
                        int r2 = flags_remove(out, out_len, fmt, flag, &out2, &out2_len, &err);
                        CHECK(r2 == 0 && out2 == SENTINEL, "second remove returned %d (%s)", r2,
                              err ? err : "");
                        int g2 = flags_get(out, out_len, fmt, flag, &got2, &err);
                        CHECK(g2 == 0, "removed flag reads %d %s (%s)", g2, got2 ? got2 : "",
                              err ? err : "");
                        check_lines(in.text, in.len, out, out_len, flag, NULL, true);
                        free(out);
                }
        } else {
                int r = flags_set(in.text, in.len, fmt, var, flag, value, &out, &out_len, &err);
                if (r < 0)
                        check_refusal(r, err, out, out_len);
                else if (r == 0) {
                        CHECK(!err && out == SENTINEL && out_len == SENTINEL_LEN,
                              "unchanged but output or message");
                        CHECK((g == 1 && streq(got, value)) || (g == 0 && fmt == FLAGS_SYSTEMD_DROPIN),
                              "unchanged, but the flag reads %d %s", g, got ? got : "");
                } else {
                        CHECK(!err && out != SENTINEL && out[out_len] == 0, "bad output");
                        char *got2 = NULL, *out2 = SENTINEL;
                        size_t out2_len = SENTINEL_LEN;
                        int g2 = flags_get(out, out_len, fmt, flag, &got2, &err);
                        CHECK((g2 == 1 && streq(got2, value)) ||
                                      (fmt == FLAGS_SYSTEMD_DROPIN && g == 0 && g2 == 0),
                              "after set the flag reads %d %s (%s), not %s", g2, got2 ? got2 : "",
                              err ? err : "", value);
                        free(got2);
                        int r2 = flags_set(out, out_len, fmt, var, flag, value, &out2, &out2_len, &err);
                        CHECK(r2 == 0 && out2 == SENTINEL, "second set returned %d (%s)", r2,
                              err ? err : "");
                        check_lines(in.text, in.len, out, out_len, flag, fmt == FLAGS_ENV_FILE ? var : NULL,
                                    false);
                        free(out);
                }
        }
        free(err);
        free(got);
        free(in.text);
        return 0;
}
