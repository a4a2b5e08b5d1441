/* SPDX-License-Identifier: MIT */
/* Fuzz target for the daemon.json editor (daemon_json_set_cgroup_driver, daemon_json_get_cgroup_driver).
 * Input: byte 0 picks the driver; the rest is the daemon.json text. Properties, each true for a
 * correct editor:
 *  - refusal (<0): a "line N[, column M]: reason" message, out-parameters untouched; get refuses
 *    the same texts (a text set refuses is never read as valid);
 *  - set 0: get reads the driver, and exec-opts holds exactly one native.cgroupdriver entry;
 *  - set 1: get reads the driver; setting again returns 0; read with cJSON, the output has the
 *    input's members in the same order with equal values, except exec-opts, which may be added as
 *    the last member and whose other entries are the input's in the same order, plus exactly one
 *    native.cgroupdriver entry; when the input had no exec-opts the output is the input with one
 *    range of bytes inserted (every existing byte kept; a text of only whitespace counts as empty
 *    and becomes a new object, and an object without members may lose the whitespace between its
 *    braces);
 *  - no leak (ASan/LeakSanitizer). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <strings.h>

#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/daemon-json-edit.h"

static const char *const drivers[] = { "systemd", "cgroupfs", "x.y-z_1" };

/* dockerd's reading of an exec-opts entry: "native.cgroupdriver" before '=' (trimmed, any case). */
static bool is_driver_entry(const char *s, const char **ret_value) {
        const char *eq = strchr(s, '=');
        if (!eq)
                return false;
        const char *a = s, *b = eq;
        while (a < b && isspace((unsigned char) *a))
                a++;
        while (b > a && isspace((unsigned char) b[-1]))
                b--;
        if ((size_t) (b - a) != strlen("native.cgroupdriver") ||
            strncasecmp(a, "native.cgroupdriver", (size_t) (b - a)) != 0)
                return false;
        *ret_value = eq + 1;
        return true;
}

static bool trimmed_eq(const char *s, const char *want) {
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                n--;
        return n == strlen(want) && memcmp(s, want, n) == 0;
}

static cJSON *parse(const char *t, size_t n) {
        size_t i = 0;
        while (i < n && isspace((unsigned char) t[i]))
                i++;
        return i == n ? cJSON_CreateObject() : cJSON_ParseWithLength(t, n);
}

/* Compare members other than exec-opts (same names, order, values); check exec-opts. */
static void check_semantics(const char *text, size_t len, const char *out, size_t out_len,
                            const char *driver) {
        cJSON *a = parse(text, len), *b = parse(out, out_len);
        CHECK(b && cJSON_IsObject(b), "output is not a JSON object");
        if (!a) { /* cJSON refuses what the editor accepted: nothing to compare against */
                cJSON_Delete(b);
                return;
        }
        cJSON *x = a->child, *y = b->child;
        cJSON *a_opts = NULL, *b_opts = NULL;
        for (;;) {
                while (x && x->string && streq(x->string, "exec-opts"))
                        a_opts = x, x = x->next;
                while (y && y->string && streq(y->string, "exec-opts"))
                        b_opts = y, y = y->next;
                if (!x || !y)
                        break;
                /* printed, as cJSON_Compare() misjudges objects with duplicate keys */
                _cleanup_free_ char *xs = cJSON_PrintUnformatted(x), *ys = cJSON_PrintUnformatted(y);
                CHECK(streq(x->string, y->string) && xs && ys && streq(xs, ys), "member \"%s\" changed",
                      x->string);
                x = x->next, y = y->next;
        }
        CHECK(!x && !y, "members added or lost");
        CHECK(b_opts && cJSON_IsArray(b_opts), "no exec-opts array in the output");
        size_t drivers_found = 0;
        cJSON *ea = a_opts ? a_opts->child : NULL;
        for (cJSON *e = b_opts->child; e; e = e->next) {
                const char *v;
                CHECK(cJSON_IsString(e), "exec-opts holds a non-string");
                if (is_driver_entry(e->valuestring, &v)) {
                        drivers_found++;
                        CHECK(trimmed_eq(v, driver), "driver entry \"%s\"", e->valuestring);
                        continue;
                }
                while (ea && cJSON_IsString(ea) && is_driver_entry(ea->valuestring, &v))
                        ea = ea->next;
                CHECK(ea && cJSON_IsString(ea) && streq(ea->valuestring, e->valuestring),
                      "exec-opts entry \"%s\" is new or moved", e->valuestring);
                ea = ea->next;
        }
        while (ea && cJSON_IsString(ea) && is_driver_entry(ea->valuestring, &(const char *){ NULL }))
                ea = ea->next;
        CHECK(!ea, "exec-opts entries lost");
        CHECK(drivers_found == 1, "%zu driver entries", drivers_found);
        bool blank = true; /* a text of only whitespace is rewritten as an empty one */
        for (size_t i = 0; i < len; i++)
                blank = blank && isspace((unsigned char) text[i]);
        if (!a_opts && !blank) {
                size_t p, s;
                common_affixes(text, len, out, out_len, &p, &s);
                if (a->child)
                        CHECK(p + s == len, "adding exec-opts changed existing bytes");
                else { /* an object without members becomes a pretty one: only what is between the braces goes */
                        const char *open = memchr(text, '{', len), *close = text + len;
                        while (close > text && close[-1] != '}')
                                close--;
                        CHECK(open && close > open && p > (size_t) (open - text) &&
                                      s >= len - (size_t) (close - 1 - text),
                              "adding exec-opts to an empty object changed bytes outside its braces");
                }
        }
        cJSON_Delete(a);
        cJSON_Delete(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[1];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        const char *driver = drivers[sel[0] % ELEMENTSOF(drivers)];
        char *out = SENTINEL, *err = NULL, *got = NULL, *gerr = NULL;
        size_t out_len = SENTINEL_LEN;

        int g = daemon_json_get_cgroup_driver(in.text, in.len, &got, &gerr);
        int r = daemon_json_set_cgroup_driver(in.text, in.len, driver, &out, &out_len, &err);
        if (r < 0) {
                CHECK(err && strncmp(err, "line ", 5) == 0, "refused (%d) without a \"line N:\" message: %s",
                      r, err ? err : "(null)");
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "refused but returned output");
                CHECK(g < 0, "set refuses (%s) a text get reads (%d)", err, g);
        } else if (r == 0) {
                CHECK(!err && out == SENTINEL && out_len == SENTINEL_LEN, "unchanged but output or message");
                CHECK(g == 1 && streq(got, driver), "unchanged, but get reads %d %s", g, got ? got : "");
                cJSON *a = parse(in.text, in.len);
                if (a) {
                        size_t n = 0;
                        const char *v;
                        cJSON *opts = cJSON_GetObjectItemCaseSensitive(a, "exec-opts");
                        for (cJSON *e = opts ? opts->child : NULL; e; e = e->next)
                                n += cJSON_IsString(e) && is_driver_entry(e->valuestring, &v);
                        CHECK(n == 1, "unchanged with %zu driver entries", n);
                        cJSON_Delete(a);
                }
        } else {
                CHECK(!err && out != SENTINEL && out[out_len] == 0 && out_len == strlen(out), "bad output");
                CHECK(g >= 0, "set changes (%d) a text get refuses: %s", r, gerr);
                char *got2 = NULL, *out2 = SENTINEL;
                size_t out2_len = SENTINEL_LEN;
                int g2 = daemon_json_get_cgroup_driver(out, out_len, &got2, &err);
                CHECK(g2 == 1 && streq(got2, driver), "after set get reads %d %s (%s)", g2, got2 ? got2 : "",
                      err ? err : "");
                int r2 = daemon_json_set_cgroup_driver(out, out_len, driver, &out2, &out2_len, &err);
                CHECK(r2 == 0 && out2 == SENTINEL, "second set returned %d (%s)", r2, err ? err : "");
                check_semantics(in.text, in.len, out, out_len, driver);
                free(got2);
                free(out);
        }
        free(err);
        free(gerr);
        free(got);
        free(in.text);
        return 0;
}
