/* SPDX-License-Identifier: MIT */
/* Unit tests for the TOML editor: table-driven get/set/remove cases with exact
 * bytes, golden fixtures, and the containerd config corpus (CORPUS_DIR). */
#include <dirent.h>
#include <stdint.h>

#include "basic/util.h"
#include "formats/toml-edit.h"
#include "tap.h"
#include "test-util.h"

#define T(...) \
        { __VA_ARGS__, NULL }
#define CRI_V2 "plugins", "io.containerd.grpc.v1.cri"
#define RUNC_V2 T(CRI_V2, "containerd", "runtimes", "runc", "options")
#define RUNC_V3 T("plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "runc", "options")

struct get_case {
        const char *name, *input;
        const char *table[8];
        const char *key;
        int ret;
        const char *want; /* raw value, or the error message */
        unsigned line;
};

static const struct get_case get_cases[] = {
        { "root key", "version = 2\n", T(0), "version", 1, "2", 1 },
        { "double-quoted segment",
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  snapshotter = \"overlayfs\"\n",
          T(CRI_V2, "containerd"), "snapshotter", 1, "\"overlayfs\"", 2 },
        { "single-quoted segment is the same table",
          "[plugins.'io.containerd.grpc.v1.cri'.containerd]\n  snapshotter = 'native'\n",
          T(CRI_V2, "containerd"), "snapshotter", 1, "'native'", 2 },
        { "dotted key in parent table",
          "[plugins]\n  \"io.containerd.grpc.v1.cri\".containerd.snapshotter = 'x'\n",
          T(CRI_V2, "containerd"), "snapshotter", 1, "'x'", 2 },
        { "whitespace around dots", "a . \"b.c\" . 'd' = 1\n", T("a", "b.c"), "d", 1, "1", 1 },
        { "inside inline table", "[plugins]\n  cri = { enabled = true, name = \"x\" }\n",
          T("plugins", "cri"), "name", 1, "\"x\"", 2 },
        { "multi-line array raw", "disabled_plugins = [\n  \"cri\", # c\n  \"aufs\",\n]\n", T(0),
          "disabled_plugins", 1, "[\n  \"cri\", # c\n  \"aufs\",\n]", 1 },
        { "trailing comment not in value", "a = true # yes\n", T(0), "a", 1, "true", 1 },
        { "CRLF", "[t]\r\nk = 'v'\r\n", T("t"), "k", 1, "'v'", 2 },
        { "no final newline", "[t]\nk = 5", T("t"), "k", 1, "5", 2 },
        { "after multi-line string", "k = \"\"\"\nl1\nl2\"\"\"\nnext = 1\n", T(0), "next", 1, "1", 4 },
        { "multi-line string raw", "k = \"\"\"\nl1\"\"\"\n", T(0), "k", 1, "\"\"\"\nl1\"\"\"", 1 },
        { "literal multi-line with quotes", "k = '''a''b'''''\n", T(0), "k", 1, "'''a''b'''''", 1 },
        { "date-time with space", "d = 1979-05-27 07:32:00Z\n", T(0), "d", 1, "1979-05-27 07:32:00Z", 1 },
        { "number forms",
          "n = [1_000, -0.5e-3, 0xdead_beef, 0o17, 0b1, +inf, 1979-05-27T07:32:00.5+01:00, 07:32:00]\n",
          T(0), "n", 1,
          "[1_000, -0.5e-3, 0xdead_beef, 0o17, 0b1, +inf, 1979-05-27T07:32:00.5+01:00, 07:32:00]", 1 },
        { "absent key", "[t]\na = 1\n", T("t"), "b", 0, NULL, 0 },
        { "absent table", "[t]\na = 1\n", T("u"), "a", 0, NULL, 0 },
        { "array of tables is not searched", "[[a]]\nb = 1\n[[a]]\nb = 2\n[a.c]\nd = 1\n", T("a"), "b", 0,
          NULL, 0 },
        { "key names a table", "[a.b]\nc = 1\n", T("a"), "b", -EBADMSG,
          "line 1: 'a.b' is a table, not a value", 0 },
        /* Refusals: the whole text must scan first. */
        { "unterminated string", "a = \"abc\nb = 1\n", T(0), "b", -EBADMSG, "line 1: unterminated string",
          0 },
        { "unterminated multi-line string", "x = 1\na = '''abc\nb = 1\n", T(0), "b", -EBADMSG,
          "line 2: unterminated multi-line string", 0 },
        { "duplicate key", "a = 1\nb = 2\na = 3\n", T(0), "b", -EBADMSG,
          "line 3: duplicate key 'a' (first defined on line 1)", 0 },
        { "duplicate key quoted vs bare", "[t]\na = 1\n\"a\" = 2\n", T(0), "b", -EBADMSG,
          "line 3: duplicate key 't.a' (first defined on line 2)", 0 },
        { "duplicate table", "[a]\nb = 1\n[a]\n", T(0), "b", -EBADMSG,
          "line 3: duplicate table [a] (already defined as a table on line 1)", 0 },
        { "header over dotted table", "a.b = 1\n[a]\n", T(0), "x", -EBADMSG,
          "line 2: duplicate table [a] (already defined as a table made by dotted keys on line 1)", 0 },
        { "garbage line", "version = 2\nthis is garbage\n", T(0), "version", -EBADMSG,
          "line 2: expected '=' after key", 0 },
        { "bad header", "[plugins\n", T(0), "x", -EBADMSG, "line 1: bad table header: expected ']'", 0 },
        { "empty header segment", "[a.]\n", T(0), "x", -EBADMSG, "line 1: expected a key", 0 },
        { "bare word value", "a = yes\n", T(0), "a", -EBADMSG, "line 1: not a valid TOML value: 'yes'", 0 },
        { "number with a dash", "a = 1-0\n", T(0), "a", -EBADMSG, "line 1: not a valid TOML value: '1-0'",
          0 },
        { "leading zero", "a = 01\n", T(0), "a", -EBADMSG, "line 1: not a valid TOML value: '01'", 0 },
        { "double underscore", "a = 1__0\n", T(0), "a", -EBADMSG, "line 1: not a valid TOML value: '1__0'",
          0 },
        { "bad offset", "a = 1979-05-27T07:32:00+1\n", T(0), "a", -EBADMSG,
          "line 1: not a valid TOML value: '1979-05-27T07:32:00+1'", 0 },
        { "unterminated array", "a = [1,\n2\n", T(0), "a", -EBADMSG, "line 1: unterminated array", 0 },
        { "text after value", "a = 1 2\n", T(0), "a", -EBADMSG, "line 1: unexpected text after value", 0 },
        { "inline table trailing comma", "a = {b = 1,}\n", T(0), "a", -EBADMSG,
          "line 1: trailing comma in inline table", 0 },
        { "inline table across lines", "a = {b = 1\n}\n", T(0), "a", -EBADMSG,
          "line 1: unterminated inline table (must be on one line)", 0 },
        { "bad escape", "a = \"\\q\"\n", T(0), "a", -EBADMSG, "line 1: invalid escape sequence in string",
          0 },
        { "bare CR", "a = 1\rb = 2\n", T(0), "a", -EBADMSG, "line 1: unexpected text after value", 0 },
        { "inline table extended", "a = {b = 1}\na.c = 2\n", T(0), "a", -EBADMSG,
          "line 2: dotted key extends 'a', already defined as a value on line 1", 0 },
        { "duplicate inside inline table", "a = {b = 1, b = 2}\n", T(0), "a", -EBADMSG,
          "line 1: duplicate key 'a.b' (first defined on line 1)", 0 },
        { "array of tables vs table", "[[a]]\n[a]\n", T(0), "a", -EBADMSG,
          "line 2: [a] is already an array of tables (line 1)", 0 },
        { "table vs array of tables", "[a]\n[[a]]\n", T(0), "a", -EBADMSG,
          "line 2: [[a]] is already defined as a table on line 1", 0 },
        { "NUL byte", "a = 1\n\0", T(0), "a", -EBADMSG, "line 2: NUL byte", 0 },
};

static void run_get_cases(void) {
        for (size_t i = 0; i < ELEMENTSOF(get_cases); i++) {
                const struct get_case *c = &get_cases[i];
                _cleanup_free_ char *raw = NULL, *error = NULL, *name = xasprintf("get: %s", c->name);
                unsigned line = 0;
                /* The NUL-byte case needs its explicit length. */
                size_t len = strlen(c->input) + (streq(c->name, "NUL byte") ? 1 : 0);
                int r = toml_get_value(c->input, len, c->table, c->key, &raw, &line, &error);
                if (!tap_ok(r == c->ret, name))
                        printf("# returned %d (%s), want %d\n", r, strempty(error), c->ret);
                if (c->ret > 0) {
                        tap_streq(raw, c->want, name);
                        tap_ok(line == c->line, name);
                } else if (c->ret < 0)
                        tap_streq(error, c->want, name);
                else
                        tap_ok(!raw && !error, name);

                /* The same answer from one scan, for every text that scans. */
                struct toml_doc *doc = NULL;
                _cleanup_free_ char *scan_error = NULL, *raw2 = NULL, *error2 = NULL;
                _cleanup_free_ char *name2 = xasprintf("scanned get: %s", c->name);
                unsigned line2 = 0;
                if (toml_scanned_new(c->input, len, &doc, &scan_error) < 0) {
                        tap_ok(r < 0 && streq(scan_error, error), name2);
                        continue;
                }
                int r2 = toml_scanned_get_value(doc, c->input, c->table, c->key, &raw2, &line2, &error2);
                tap_ok(r2 == r && streq_ptr(raw2, raw) && line2 == line && streq_ptr(error2, error), name2);
                toml_scanned_free(doc);
        }
}

struct set_case {
        const char *name, *input;
        const char *table[8];
        const char *key, *value;
        int ret;
        const char *want; /* the new text, or the error message */
};

static const struct set_case set_cases[] = {
        { "in place, trailing comment kept", "[t]\n  k = false # keep me\n", T("t"), "k", "true", 1,
          "[t]\n  k = true # keep me\n" },
        { "already equal", "[t]\n  k = true # keep me\n", T("t"), "k", "true", 0, NULL },
        { "insert after last key line", "[a]\n    x = 1\n    y = 2\n\n[b]\n", T("a"), "k", "\"v\"", 1,
          "[a]\n    x = 1\n    y = 2\n    k = \"v\"\n\n[b]\n" },
        { "insert into empty table", "[a]\n  [a.b]\n\n[c]\n", T("a", "b"), "k", "1", 1,
          "[a]\n  [a.b]\n  k = 1\n\n[c]\n" },
        { "new table appended", "version = 2\n", T(CRI_V2, "containerd"), "snapshotter", "\"overlayfs\"", 1,
          "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  snapshotter = "
          "\"overlayfs\"\n" },
        { "table only implied by a subtable goes before it", "x = 1\n\n[a.b]\nc = 1\n", T("a"), "k", "1", 1,
          "x = 1\n\n[a]\n  k = 1\n\n[a.b]\nc = 1\n" },
        { "implied table before an indented subtable", "[p]\n\n    [p.r.o]\n      s = 1\n", T("p", "r"), "t",
          "\"v\"", 1, "[p]\n\n    [p.r]\n      t = \"v\"\n\n    [p.r.o]\n      s = 1\n" },
        { "implied table, CRLF", "[a.b]\r\nc = 1", T("a"), "k", "1", 1,
          "[a]\r\n  k = 1\r\n\r\n[a.b]\r\nc = 1" },
        { "dotted key in parent table, in place", "[plugins]\n  cri.enabled = false\n", T("plugins", "cri"),
          "enabled", "true", 1, "[plugins]\n  cri.enabled = true\n" },
        { "dotted table gets a dotted line", "[plugins]\n  \"io.x\".a = 1\n  other = 2\n",
          T("plugins", "io.x"), "b", "2", 1,
          "[plugins]\n  \"io.x\".a = 1\n  \"io.x\".b = 2\n  other = 2\n" },
        { "CRLF insert", "[t]\r\nk = 1\r\n", T("t"), "j", "2", 1, "[t]\r\nk = 1\r\nj = 2\r\n" },
        { "CRLF append", "a = 1\r\n", T("t"), "k", "1", 1, "a = 1\r\n\r\n[t]\r\n  k = 1\r\n" },
        { "CRLF replace", "[t]\r\nk = 1\r\n", T("t"), "k", "2", 1, "[t]\r\nk = 2\r\n" },
        { "no final newline, insert", "[t]\nk = 1", T("t"), "j", "2", 1, "[t]\nk = 1\nj = 2" },
        { "no final newline, append", "a = 1", T("t"), "k", "1", 1, "a = 1\n\n[t]\n  k = 1" },
        { "no final newline, append after a comment", "[s]\r\na = 1\r\n# end", T("t"), "k", "1", 1,
          "[s]\r\na = 1\r\n# end\r\n\r\n[t]\r\n  k = 1" },
        { "no final newline, root key appended", "# only a comment", T(0), "version", "2", 1,
          "# only a comment\nversion = 2" },
        { "empty file, append", "", T("t"), "k", "1", 1, "[t]\n  k = 1\n" },
        { "no final newline, replace", "[t]\nk = 1", T("t"), "k", "2", 1, "[t]\nk = 2" },
        { "single-quoted v3 header",
          "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = "
          "false\n",
          RUNC_V3, "SystemdCgroup", "true", 1,
          "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = "
          "true\n" },
        { "double-quoted v2 header",
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  BinaryName = \"\"\n",
          RUNC_V2, "SystemdCgroup", "true", 1,
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  BinaryName = \"\"\n  "
          "SystemdCgroup = true\n" },
        { "empty root goes before first header", "# top\n\n[t]\nk = 1\n", T(0), "version", "2", 1,
          "# top\n\nversion = 2\n[t]\nk = 1\n" },
        { "root key appended to root keys", "a = 1\n\n[t]\n", T(0), "b", "2", 1, "a = 1\nb = 2\n\n[t]\n" },
        { "multi-line array replaced", "disabled_plugins = [\n  \"cri\",\n]\n# end\n", T(0),
          "disabled_plugins", "[]", 1, "disabled_plugins = []\n# end\n" },
        { "insert after multi-line value", "[t]\n  a = [\n    1,\n  ]\n", T("t"), "b", "2", 1,
          "[t]\n  a = [\n    1,\n  ]\n  b = 2\n" },
        { "value inside inline table", "t = { a = 1, b = 2 }\n", T("t"), "b", "3", 1,
          "t = { a = 1, b = 3 }\n" },
        { "key needing quotes", "[t]\n", T("t"), "a.b", "1", 1, "[t]\n\"a.b\" = 1\n" },
        { "refuse new key in inline table", "t = { a = 1, b = 2 }\n", T("t"), "c", "3", -EBADMSG,
          "line 1: 't' is a value (inline table?), not a table; keys inside it are not edited" },
        { "refuse multi-line value in inline table", "t = { a = 1 }\n", T("t"), "a", "[\n1]", -EBADMSG,
          "line 1: 't.a' is inside an inline table, which must stay on one line" },
        { "refuse array of tables", "[[a]]\nb = 1\n", T("a"), "b", "2", -EBADMSG,
          "line 1: 'a' is an array of tables; keys inside it are not edited" },
        { "refuse key that is a table", "[a.b]\n", T("a"), "b", "1", -EBADMSG,
          "line 1: 'a.b' is a table, not a value" },
        { "refuse invalid value", "a = 1\n", T(0), "a", "yes", -EINVAL, "not a single TOML value: yes" },
        { "refuse value with comment", "a = 1\n", T(0), "a", "2 # c", -EINVAL,
          "not a single TOML value: 2 # c" },
        { "refuse value with extra lines", "a = 1\n", T(0), "a", "2\n[x]", -EINVAL,
          "not a single TOML value: 2\n[x]" },
        { "refuse unscannable file", "a = \"x\n", T(0), "a", "1", -EBADMSG, "line 1: unterminated string" },
        { "refuse empty segment", "a = 1\n", T(""), "a", "1", -EINVAL, "empty table segment or key" },
};

static void run_set_cases(void) {
        for (size_t i = 0; i < ELEMENTSOF(set_cases); i++) {
                const struct set_case *c = &set_cases[i];
                _cleanup_free_ char *out = NULL, *error = NULL, *name = xasprintf("set: %s", c->name);
                size_t out_len = 0;
                int r = toml_set_value(c->input, strlen(c->input), c->table, c->key, c->value, &out,
                                       &out_len, &error);
                if (!tap_ok(r == c->ret, name))
                        printf("# returned %d (%s), want %d\n", r, strempty(error), c->ret);
                if (c->ret > 0) {
                        tap_streq(out, c->want, name);
                        tap_ok(out && out_len == strlen(out), name);
                        /* Setting the same value again must change nothing. */
                        _cleanup_free_ char *again = NULL, *error2 = NULL;
                        size_t again_len = 0;
                        tap_ok(out &&
                                       toml_set_value(out, out_len, c->table, c->key, c->value, &again,
                                                      &again_len, &error2) == 0 &&
                                       !again,
                               name);
                } else if (c->ret < 0)
                        tap_streq(error, c->want, name);
                else
                        tap_ok(!out && !error, name);

                /* From a scan: the same result, and the scan left is the new text's (or the old one's). */
                struct toml_doc *doc = NULL;
                if (toml_scanned_new(c->input, strlen(c->input), &doc, NULL) < 0)
                        continue;
                _cleanup_free_ char *out2 = NULL, *error2 = NULL, *got = NULL, *want = NULL;
                _cleanup_free_ char *name2 = xasprintf("scanned set: %s", c->name);
                size_t out2_len = 0;
                int r2 = toml_scanned_set_value(doc, c->input, strlen(c->input), c->table, c->key, c->value,
                                                &out2, &out2_len, &error2);
                const char *now = r2 > 0 ? out2 : c->input;
                int g = toml_scanned_get_value(doc, now, c->table, c->key, &got, NULL, NULL);
                int w = toml_get_value(now, strlen(now), c->table, c->key, &want, NULL, NULL);
                tap_ok(r2 == r && streq_ptr(out2, out) && out2_len == out_len && streq_ptr(error2, error) &&
                               g == w && streq_ptr(got, want),
                       name2);
                toml_scanned_free(doc);
        }
}

struct remove_case {
        const char *name, *raw, *value;
        int ret;
        const char *want;
};

static const struct remove_case remove_cases[] = {
        { "first of two", "[\"cri\", \"aufs\"]", "cri", 1, "[\"aufs\"]" },
        { "last of two", "[\"aufs\", \"cri\"]", "cri", 1, "[\"aufs\"]" },
        { "only element", "[\"cri\"]", "cri", 1, "[]" },
        { "only element with spaces", "[ \"cri\" ]", "cri", 1, "[]" },
        { "literal string", "['cri', \"x\"]", "cri", 1, "[\"x\"]" },
        { "middle", "[\"a\",\"cri\",\"b\"]", "cri", 1, "[\"a\",\"b\"]" },
        { "trailing comma kept", "[\"a\", \"cri\",]", "cri", 1, "[\"a\",]" },
        { "several", "[\"cri\", \"a\", \"cri\"]", "cri", 1, "[\"a\"]" },
        { "several at the end", "[\"x\", \"a\", \"cri\", \"cri\"]", "cri", 1, "[\"x\", \"a\"]" },
        { "own line with comment", "[\n  \"a\",\n  \"cri\", # the cri plugin\n  \"b\"\n]", "cri", 1,
          "[\n  \"a\",\n  \"b\"\n]" },
        { "own line, last, no comma", "[\n  \"a\",\n  \"cri\"\n]", "cri", 1, "[\n  \"a\",\n]" },
        { "own lines, all", "[\n  \"cri\",\n]", "cri", 1, "[\n]" },
        { "CRLF lines", "[\r\n  \"cri\",\r\n  \"a\",\r\n]", "cri", 1, "[\r\n  \"a\",\r\n]" },
        { "shares a line", "[\"cri\",\n \"a\"]", "cri", 1, "[\"a\"]" },
        { "escaped equal", "[\"\\u0063ri\"]", "cri", 1, "[]" },
        { "not present", "[\"a\", \"b\"]", "cri", 0, NULL },
        { "empty array", "[]", "cri", 0, NULL },
        { "refuse numbers", "[1, 2]", "cri", -EBADMSG, "line 1: array element is not a string" },
        { "refuse non-array", "\"cri\"", "cri", -EBADMSG, "line 1: not an array" },
        { "refuse broken array", "[\"cri\"", "cri", -EBADMSG, "line 1: unterminated array" },
};

static void run_remove_cases(void) {
        for (size_t i = 0; i < ELEMENTSOF(remove_cases); i++) {
                const struct remove_case *c = &remove_cases[i];
                _cleanup_free_ char *out = NULL, *error = NULL, *name = xasprintf("remove: %s", c->name);
                int r = toml_string_array_remove(c->raw, c->value, &out, &error);
                if (!tap_ok(r == c->ret, name))
                        printf("# returned %d (%s), want %d\n", r, strempty(error), c->ret);
                if (c->ret > 0)
                        tap_streq(out, c->want, name);
                else if (c->ret < 0)
                        tap_streq(error, c->want, name);
                else
                        tap_ok(!out && !error, name);
        }
}

static void run_table_exists_cases(void) {
        static const struct {
                const char *name, *input;
                const char *table[8];
                int ret;
        } cases[] = {
                { "header", "[a.b]\n", T("a", "b"), 1 },
                { "implied by a subtable", "[a.b.c]\n", T("a", "b"), 1 },
                { "dotted keys", "[a]\nb.c = 1\n", T("a", "b"), 1 },
                { "inline table", "a = { b = { c = 1 } }\n", T("a", "b"), 1 },
                { "root", "", T(0), 1 },
                { "absent", "[a.c]\n", T("a", "b"), 0 },
                { "a value", "[a]\nb = 1\n", T("a", "b"), 0 },
                { "an array of tables", "[[a.b]]\n", T("a", "b"), 0 },
                { "inside an array of tables", "[[a]]\n[a.b]\n", T("a", "b"), 0 },
                { "unscannable", "[a.b\n", T("a", "b"), -EBADMSG },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL, *name = xasprintf("table exists: %s", cases[i].name);
                int r = toml_table_exists(cases[i].input, strlen(cases[i].input), cases[i].table, &error);
                if (!tap_ok(r == cases[i].ret, name))
                        printf("# returned %d (%s)\n", r, strempty(error));
                tap_ok((r < 0) == !!error, name);
                struct toml_doc *doc = NULL;
                if (toml_scanned_new(cases[i].input, strlen(cases[i].input), &doc, NULL) >= 0) {
                        _cleanup_free_ char *name2 = xasprintf("scanned table exists: %s", cases[i].name);
                        tap_ok(toml_scanned_table_exists(doc, cases[i].input, cases[i].table, NULL) == r,
                               name2);
                        toml_scanned_free(doc);
                }
        }
}

static void run_array_length_cases(void) {
        static const struct {
                const char *raw;
                int ret;
                size_t n;
        } cases[] = {
                { "[]", 0, 0 },         { "[\n  # nothing\n]", 0, 0 },
                { "[\"cri\"]", 0, 1 },  { "['a', \"b\",]", 0, 2 },
                { "[1]", -EBADMSG, 0 }, { "\"a\"", -EBADMSG, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL, *name = xasprintf("array length: %s", cases[i].raw);
                size_t n = SIZE_MAX;
                int r = toml_string_array_length(cases[i].raw, &n, &error);
                tap_ok(r == cases[i].ret && (r < 0 ? n == SIZE_MAX && error : n == cases[i].n && !error),
                       name);
        }
}

static void run_array_values_cases(void) {
        static const struct {
                const char *raw;
                int ret;
                const char *want; /* the values joined with '|' */
        } cases[] = {
                { "[]", 0, "" },
                { "['/etc/containerd/conf.d/*.toml']", 0, "/etc/containerd/conf.d/*.toml" },
                { "[\"a\\tb\", 'c',\n  # a comment\n  \"\"\"d\"\"\",\n]", 0, "a\tb|c|d" },
                { "[\"a\", 1]", -EBADMSG, NULL },
                { "\"a\"", -EBADMSG, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL, *name = xasprintf("array values: %s", cases[i].raw);
                struct strv v = {};
                strv_push(&v, xstrdup("kept"));
                int r = toml_string_array_values(cases[i].raw, &v, &error);
                _cleanup_free_ char *joined = strv_join(&v, "|");
                _cleanup_free_ char *want =
                        cases[i].want ? xasprintf("kept%s%s", *cases[i].want ? "|" : "", cases[i].want)
                                      : xstrdup("kept");
                tap_ok(r == cases[i].ret && streq(joined, want) && (r < 0) == !!error, name);
                strv_free(&v);
        }
}

static void run_quote_cases(void) {
        static const struct {
                const char *s, *want;
        } cases[] = {
                { "registry.k8s.io/pause:3.10", "\"registry.k8s.io/pause:3.10\"" },
                { "a\"b\\c", "\"a\\\"b\\\\c\"" },
                { "tab\tnl\n", "\"tab\\u0009nl\\u000a\"" },
                { "", "\"\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *q = toml_quote_string(cases[i].s), *back = NULL;
                _cleanup_free_ char *name = xasprintf("quote: %s", cases[i].want);
                tap_streq(q, cases[i].want, name);
                tap_ok(toml_unquote_string(q, &back) == 0 && streq(back, cases[i].s), name);
        }
}

static void run_unquote_cases(void) {
        static const struct {
                const char *raw;
                int ret;
                const char *want;
        } cases[] = {
                { "\"a\\tb\"", 0, "a\tb" },
                { "'c:\\x'", 0, "c:\\x" },
                { "\"\"\"\nl1\nl2\"\"\"", 0, "l1\nl2" },
                { "\"\"\"a \\\n   b\"\"\"", 0, "a b" },
                { "'''\r\nx\r\ny'''", 0, "x\ny" },
                { "\"\\u00e9\\U0001F600\"", 0, "\xc3\xa9\xf0\x9f\x98\x80" },
                { "abc", -EINVAL, NULL },
                { "\"a\" x", -EINVAL, NULL },
                { "\"\\ud800\"", -EINVAL, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *out = NULL, *name = xasprintf("unquote: case %zu", i);
                int r = toml_unquote_string(cases[i].raw, &out);
                tap_ok(r == cases[i].ret, name);
                if (cases[i].ret == 0)
                        tap_streq(out, cases[i].want, name);
        }
}

static const char *source_root(void) {
        const char *root = getenv("SOURCE_ROOT");
        return root && *root ? root : ".";
}

/* Apply one set to *text in place (replacing it when changed). */
static int apply_set(char **text, size_t *len, const char *const *table, const char *key,
                     const char *value) {
        _cleanup_free_ char *out = NULL, *error = NULL;
        size_t out_len = 0;
        int r = toml_set_value(*text, *len, table, key, value, &out, &out_len, &error);
        if (r < 0)
                printf("# set %s: %s\n", key, strempty(error));
        if (r > 0) {
                free(*text);
                *text = TAKE_PTR(out);
                *len = out_len;
        }
        return r;
}

static void run_fixture_golden(void) {
        _cleanup_free_ char *in_path = xasprintf("%s/tests/fixtures/toml/all-syntax.toml", source_root());
        _cleanup_free_ char *want_path =
                xasprintf("%s/tests/fixtures/toml/all-syntax.expected.toml", source_root());
        size_t len = 0, want_len = 0;
        _cleanup_free_ char *text = read_file_or_null(in_path, &len),
                            *want = read_file_or_null(want_path, &want_len);
        _cleanup_free_ char *raw = NULL, *error = NULL, *removed = NULL;
        static const char *const root[] = { NULL };
        static const char *const cri_containerd[] = T(CRI_V2, "containerd");
        static const char *const runc_v2[] = RUNC_V2, *const runc_v3[] = RUNC_V3;
        static const char *const plugins_cri[] = T("plugins", "cri"), *const point[] = T("point"),
                                 *const empty[] = T("empty");
        static const char *const nested[] = T("point", "nested"), *const abc[] = T("a", "b.c");

        if (!tap_ok(text && want, "fixture: all-syntax files readable"))
                return;
        tap_ok(toml_get_value(text, len, nested, "z", &raw, NULL, &error) == 1 && streq(raw, "[1, 2]"),
               "fixture: nested inline get");
        free(TAKE_PTR(raw));
        tap_ok(toml_get_value(text, len, abc, "d", &raw, NULL, &error) == 1 &&
                       streq(raw, "\"dotted with spaces\""),
               "fixture: spaced dotted key get");
        free(TAKE_PTR(raw));
        tap_ok(toml_get_value(text, len, root, "when", &raw, NULL, &error) == 1 &&
                       streq(raw, "1979-05-27 07:32:00Z"),
               "fixture: date-time get");
        free(TAKE_PTR(raw));

        tap_ok(toml_get_value(text, len, root, "disabled_plugins", &raw, NULL, &error) == 1 &&
                       toml_string_array_remove(raw, "cri", &removed, &error) == 1 &&
                       apply_set(&text, &len, root, "disabled_plugins", removed) == 1,
               "fixture: remove cri from disabled_plugins");
        tap_ok(apply_set(&text, &len, point, "y", "\"three\"") == 1, "fixture: set in inline table");
        tap_ok(apply_set(&text, &len, plugins_cri, "enabled", "true") == 1, "fixture: set dotted key");
        tap_ok(apply_set(&text, &len, cri_containerd, "default_runtime_name", "\"runc\"") == 1,
               "fixture: insert key");
        tap_ok(apply_set(&text, &len, runc_v2, "SystemdCgroup", "true") == 1,
               "fixture: insert in single-quoted table");
        tap_ok(apply_set(&text, &len, empty, "key", "1") == 1, "fixture: insert in empty table");
        tap_ok(apply_set(&text, &len, runc_v3, "SystemdCgroup", "true") == 1, "fixture: append table");
        tap_streq(text, want, "fixture: all-syntax golden output");
        tap_ok(len == want_len, "fixture: golden length");
        tap_ok(apply_set(&text, &len, runc_v3, "SystemdCgroup", "true") == 0, "fixture: idempotent");
}

/* Each refuse-*.toml starts with "# expect: <error message>". */
static void run_fixture_refusals(void) {
        _cleanup_free_ char *dir_path = xasprintf("%s/tests/fixtures/toml", source_root());
        DIR *dir = opendir(dir_path);
        struct dirent *de;
        unsigned seen = 0;
        static const char *const root[] = { NULL };

        if (!tap_ok(dir != NULL, "fixture: refusal directory readable"))
                return;
        while ((de = readdir(dir))) {
                if (!startswith(de->d_name, "refuse-"))
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir_path, de->d_name), *error = NULL,
                                    *raw = NULL;
                _cleanup_free_ char *name = xasprintf("fixture: %s refused", de->d_name);
                size_t len = 0;
                _cleanup_free_ char *text = read_file_or_null(path, &len);
                const char *expect = text ? startswith(text, "# expect: ") : NULL;
                if (!tap_ok(expect != NULL, name))
                        continue;
                _cleanup_free_ char *want = xstrndup(expect, strcspn(expect, "\n"));
                tap_ok(toml_get_value(text, len, root, "version", &raw, NULL, &error) == -EBADMSG, name);
                tap_streq(error, want, name);
                seen++;
        }
        closedir(dir);
        tap_ok(seen == 5, "fixture: all refusal fixtures found");
}

/* Files of the corpus that must be refused, and why. */
static const struct {
        const char *file, *error;
} corpus_refusals[] = {
        { "05-auraecosystem_kubuverse.toml",
          "line 471: duplicate table [plugins.\"io.containerd.grpc.v1.cri\"] (already defined as a table on "
          "line 11)" },
};

static size_t split_lines(const char *text, size_t len, const char ***ret_starts) {
        /* Line i is [starts[i], starts[i+1]); the last entry is len. */
        size_t n = 0;
        const char **starts = xmalloc((len + 2) * sizeof(char *));
        starts[n++] = text;
        for (size_t i = 0; i < len; i++)
                if (text[i] == '\n' && i + 1 < len)
                        starts[n++] = text + i + 1;
        starts[n] = text + len;
        *ret_starts = starts;
        return n;
}

/* Input and output may differ only in one block of lines: describe it. */
static void changed_block(const char *a, size_t alen, const char *b, size_t blen, size_t *ret_a_lines,
                          size_t *ret_b_lines, char **ret_b_block) {
        _cleanup_free_ const char **la = NULL, **lb = NULL;
        size_t na = split_lines(a, alen, &la), nb = split_lines(b, blen, &lb), p = 0, q = 0;
#define LINE_EQ(x, i, y, j)                                        \
        ((l##x[(i) + 1] - l##x[i]) == (l##y[(j) + 1] - l##y[j]) && \
         memcmp(l##x[i], l##y[j], l##x[(i) + 1] - l##x[i]) == 0)
        while (p < na && p < nb && LINE_EQ(a, p, b, p))
                p++;
        while (q < na - p && q < nb - p && LINE_EQ(a, na - 1 - q, b, nb - 1 - q))
                q++;
#undef LINE_EQ
        *ret_a_lines = na - p - q;
        *ret_b_lines = nb - p - q;
        *ret_b_block = xstrndup(lb[p], (size_t) (lb[nb - q] - lb[p]));
}

static void check_corpus_file(const char *dir_path, const char *file) {
        _cleanup_free_ char *path = xasprintf("%s/%s", dir_path, file), *error = NULL, *version = NULL;
        size_t len = 0;
        _cleanup_free_ char *text = read_file_or_null(path, &len);
        static const char *const root[] = { NULL };
        static const char *const runc_v2[] = RUNC_V2, *const runc_v3[] = RUNC_V3;
        const char *want_error = NULL;

        for (size_t i = 0; i < ELEMENTSOF(corpus_refusals); i++)
                if (streq(corpus_refusals[i].file, file))
                        want_error = corpus_refusals[i].error;

        _cleanup_free_ char *name =
                xasprintf("corpus %s: %s", file, want_error ? "refused as expected" : "scans");
        int r = toml_get_value(text ? text : "", len, root, "version", &version, NULL, &error);
        if (want_error) {
                tap_ok(r == -EBADMSG, name);
                tap_streq(error, want_error, name);
                return;
        }
        if (!tap_ok(text && r >= 0, name)) {
                printf("# %s\n", strempty(error));
                return;
        }
        if (r == 0 || !(streq(version, "2") || streq(version, "3") || streq(version, "4"))) {
                tap_skip(name, "no version 2/3/4 key: no SystemdCgroup table to edit");
                return;
        }
        const char *const *table = streq(version, "2") ? runc_v2 : runc_v3;

        /* Remove nothing / round-trip disabled_plugins through ["cri"]. */
        _cleanup_free_ char *dp = NULL, *dp_error = NULL;
        if (toml_get_value(text, len, root, "disabled_plugins", &dp, NULL, &dp_error) == 1 &&
            streq(dp, "[]")) {
                _cleanup_free_ char *with = NULL, *with_raw = NULL, *without = NULL, *back = NULL, *e = NULL;
                size_t with_len = 0, back_len = 0;
                bool ok =
                        toml_set_value(text, len, root, "disabled_plugins", "[\"cri\"]", &with, &with_len,
                                       &e) == 1 &&
                        toml_get_value(with, with_len, root, "disabled_plugins", &with_raw, NULL, &e) == 1 &&
                        toml_string_array_remove(with_raw, "cri", &without, &e) == 1 &&
                        toml_set_value(with, with_len, root, "disabled_plugins", without, &back, &back_len,
                                       &e) == 1 &&
                        back_len == len && memcmp(back, text, len) == 0;
                _cleanup_free_ char *n2 = xasprintf("corpus %s: disabled_plugins round trip", file);
                tap_ok(ok, n2);
        }

        for (int v = 0; v < 2; v++) {
                const char *value = v ? "false" : "true";
                _cleanup_free_ char *old = NULL, *out = NULL, *e = NULL, *again = NULL, *got = NULL,
                                    *block = NULL;
                unsigned old_line = 0;
                size_t out_len = 0, again_len = 0, a_lines = 0, b_lines = 0;
                int had = toml_get_value(text, len, table, "SystemdCgroup", &old, &old_line, &e);
                _cleanup_free_ char *n3 = xasprintf("corpus %s: set SystemdCgroup = %s", file, value);
                r = toml_set_value(text, len, table, "SystemdCgroup", value, &out, &out_len, &e);
                if (!tap_ok(r >= 0 && had >= 0, n3)) {
                        printf("# %s\n", strempty(e));
                        continue;
                }
                if (r == 0) {
                        tap_ok(had == 1 && streq(old, value), n3);
                        continue;
                }
                changed_block(text, len, out, out_len, &a_lines, &b_lines, &block);
                _cleanup_free_ char *want_line = xasprintf("SystemdCgroup = %s", value);
                bool shape;
                if (had == 1) /* replaced: one line for one line, same except the value */
                        shape = a_lines == 1 && b_lines == 1 && strstr(block, want_line);
                else /* inserted one line, or appended a blank line, a header and the key */
                        shape = a_lines == 0 && (b_lines == 1 || b_lines == 3) && strstr(block, want_line);
                if (!tap_ok(shape, n3))
                        printf("# changed %zu -> %zu lines:\n%s\n", a_lines, b_lines, block);
                tap_ok(toml_get_value(out, out_len, table, "SystemdCgroup", &got, NULL, &e) == 1 &&
                               streq(got, value),
                       n3);
                tap_ok(toml_set_value(out, out_len, table, "SystemdCgroup", value, &again, &again_len, &e) ==
                               0,
                       n3);
        }
}

static void run_corpus(void) {
        const char *corpus = getenv("CORPUS_DIR");
        if (!corpus || !*corpus) {
                tap_skip("corpus containerd-toml", "CORPUS_DIR not set");
                return;
        }
        _cleanup_free_ char *dir_path = xasprintf("%s/containerd-toml", corpus);
        struct dirent **names = NULL;
        int n = scandir(dir_path, &names, NULL, alphasort);
        if (!tap_ok(n > 2, "corpus containerd-toml: directory readable"))
                return;
        for (int i = 0; i < n; i++) {
                const char *dot = strrchr(names[i]->d_name, '.');
                if (dot && streq(dot, ".toml"))
                        check_corpus_file(dir_path, names[i]->d_name);
                free(names[i]);
        }
        free(names);
}

int main(void) {
        run_get_cases();
        run_set_cases();
        run_remove_cases();
        run_table_exists_cases();
        run_array_length_cases();
        run_unquote_cases();
        run_array_values_cases();
        run_quote_cases();
        run_fixture_golden();
        run_fixture_refusals();
        run_corpus();
        return tap_done();
}
