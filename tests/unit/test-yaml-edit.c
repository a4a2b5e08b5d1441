/* SPDX-License-Identifier: MIT */
/* Unit tests for yaml-edit.c: exact-byte tables for get/set/remove and every
 * refusal, then each kubelet-config corpus file checked against python3-yaml. */
#include <dirent.h>
#include <sys/stat.h>

#include "basic/util.h"
#include "formats/yaml-edit.h"
#include "formats/yaml-tree.h"
#include "tap.h"
#include "test-util.h"

enum op { OP_GET, OP_SET, OP_REMOVE, OP_COUNT };

struct edit_case {
        const char *name;
        enum op op;
        const char *input;
        const char *path; /* keys separated by '/' */
        const char *value;
        unsigned doc;
        int want_r;
        const char *want; /* output text, got value, or error message */
};

static const struct edit_case cases[] = {
        /* get */
        { "get plain", OP_GET, "a: 1\ncgroupDriver: systemd\n", "cgroupDriver", NULL, 0, 1, "systemd" },
        { "get double-quoted nested", OP_GET, "a:\n  b: \"x\\ty\"\n", "a/b", NULL, 0, 1, "x\ty" },
        { "get quoted key", OP_GET, "featureGates:\n  \"KubeletTracing\": true\n",
          "featureGates/KubeletTracing", NULL, 0, 1, "true" },
        { "get absent", OP_GET, "a: 1\n", "b", NULL, 0, 0, NULL },
        { "get absent nested", OP_GET, "a: {}\n", "a/b", NULL, 0, 0, NULL },
        { "get empty text", OP_GET, "", "a", NULL, 0, 0, NULL },
        { "get doc 1", OP_GET, "a: 1\n---\na: 2\n", "a", NULL, 1, 1, "2" },
        { "get mapping refused", OP_GET, "a:\n  b: 1\n", "a", NULL, 0, -EBADMSG,
          "line 2: a is a mapping, not a scalar" },

        /* set existing */
        { "set plain", OP_SET, "a: 1\ncgroupDriver: cgroupfs # driver\nz: 2\n", "cgroupDriver", "systemd", 0,
          1, "a: 1\ncgroupDriver: systemd # driver\nz: 2\n" },
        { "set single-quoted", OP_SET, "cgroupDriver: 'cgroupfs'\n", "cgroupDriver", "it's", 0, 1,
          "cgroupDriver: 'it''s'\n" },
        { "set double-quoted", OP_SET, "cgroupDriver: \"cgroupfs\"\n", "cgroupDriver", "systemd", 0, 1,
          "cgroupDriver: \"systemd\"\n" },
        { "set plain needing quotes", OP_SET, "a: b\n", "a", "x: y", 0, 1, "a: \"x: y\"\n" },
        { "set empty value", OP_SET, "a:\nb: 1\n", "a", "v", 0, 1, "a: v\nb: 1\n" },
        { "set unchanged", OP_SET, "a:\n  b: \"systemd\"\n", "a/b", "systemd", 0, 0, NULL },
        { "set nested existing", OP_SET, "memorySwap:\n  swapBehavior: NoSwap\n", "memorySwap/swapBehavior",
          "LimitedSwap", 0, 1, "memorySwap:\n  swapBehavior: LimitedSwap\n" },

        /* set absent */
        { "set absent top-level", OP_SET, "a: 1\n# trailing comment\n", "failSwapOn", "false", 0, 1,
          "a: 1\nfailSwapOn: false\n# trailing comment\n" },
        { "set absent after nested", OP_SET, "a:\n  b:\n    c: 1\n", "d", "x", 0, 1,
          "a:\n  b:\n    c: 1\nd: x\n" },
        { "set creates one level", OP_SET, "kind: K\nauth:\n    x: 1\n", "featureGates/CSIMigration",
          "false", 0, 1, "kind: K\nauth:\n    x: 1\nfeatureGates:\n    CSIMigration: false\n" },
        { "set creates two levels", OP_SET, "a: 1\n", "x/y/z", "v", 0, 1, "a: 1\nx:\n  y:\n    z: v\n" },
        { "set into existing nested", OP_SET, "featureGates:\n    A: true # c\n# about b\nb: 1\n",
          "featureGates/CSIMigration", "false", 0, 1,
          "featureGates:\n    A: true # c\n    CSIMigration: false\n# about b\nb: 1\n" },
        { "set after block scalar", OP_SET, "a:\n  s: |\n    text\n\nb: 1\n", "a/t", "v", 0, 1,
          "a:\n  s: |\n    text\n\n  t: v\nb: 1\n" },
        { "set in flow mapping", OP_SET, "featureGates: {CSIMigration: true}\n", "featureGates/CSIMigration",
          "false", 0, 1, "featureGates: {CSIMigration: false}\n" },
        { "set insert into flow mapping", OP_SET, "featureGates: {A: true}\n", "featureGates/CSIMigration",
          "false", 0, 1, "featureGates: {A: true, CSIMigration: false}\n" },
        { "set insert into empty flow mapping", OP_SET, "memorySwap: {}\n", "memorySwap/swapBehavior",
          "LimitedSwap", 0, 1, "memorySwap: {swapBehavior: LimitedSwap}\n" },
        { "set nested into flow mapping", OP_SET, "a: { b: 1 }\n", "a/c/d", "x,y", 0, 1,
          "a: { b: 1, c: {d: \"x,y\"} }\n" },
        { "set JSON multi-line", OP_SET, "{\n  \"g\": {\n    \"A\": true\n  }\n}\n", "g/CSIMigration",
          "false", 0, 1, "{\n  \"g\": {\n    \"A\": true,\n    \"CSIMigration\": false\n  }\n}\n" },
        { "set JSON string value", OP_SET, "{\"a\": 1}", "cgroupDriver", "systemd", 0, 1,
          "{\"a\": 1, \"cgroupDriver\": \"systemd\"}" },
        { "set JSON existing", OP_SET, "{\"cgroupDriver\": \"cgroupfs\"}\n", "cgroupDriver", "systemd", 0, 1,
          "{\"cgroupDriver\": \"systemd\"}\n" },
        { "set JSON empty nested", OP_SET, "{\"m\": {}}\n", "m/swapBehavior", "LimitedSwap", 0, 1,
          "{\"m\": {\"swapBehavior\": \"LimitedSwap\"}}\n" },

        /* documents */
        { "set doc 1, doc 0 untouched", OP_SET, "# first\na:   1 # x\n---\na: 1\n---\nb: 2\n", "a", "2", 1,
          1, "# first\na:   1 # x\n---\na: 2\n---\nb: 2\n" },
        { "set absent in doc 1 goes before ---", OP_SET, "a: 1\n---\nb: 2\n\n# c\n---\nc: 3\n", "x", "y", 1,
          1, "a: 1\n---\nb: 2\nx: y\n\n# c\n---\nc: 3\n" },
        { "set absent before ...", OP_SET, "a: 1\n...\n", "b", "2", 0, 1, "a: 1\nb: 2\n...\n" },
        { "set empty file", OP_SET, "", "featureGates/CSIMigration", "false", 0, 1,
          "featureGates:\n  CSIMigration: false\n" },
        { "set comment-only file", OP_SET, "# nothing\n", "a", "b", 0, 1, "# nothing\na: b\n" },
        { "set empty document", OP_SET, "a: 1\n---\n# empty\n---\nc: 3\n", "b", "2", 1, 1,
          "a: 1\n---\n# empty\nb: 2\n---\nc: 3\n" },
        { "set empty last document", OP_SET, "a: 1\n---", "b", "2", 1, 1, "a: 1\n---\nb: 2" },

        /* line endings */
        { "set CRLF nested", OP_SET, "a: 1\r\nb:\r\n  c: 2\r\n", "b/d/e", "x", 0, 1,
          "a: 1\r\nb:\r\n  c: 2\r\n  d:\r\n    e: x\r\n" },
        { "set CRLF existing", OP_SET, "a: 1\r\nb: 2\r\n", "a", "3", 0, 1, "a: 3\r\nb: 2\r\n" },
        { "set no final newline", OP_SET, "a: 1\nb: 2", "c/d", "x", 0, 1, "a: 1\nb: 2\nc:\n  d: x" },
        { "set CRLF no final newline", OP_SET, "a: 1\r\nb: 2", "c", "x", 0, 1, "a: 1\r\nb: 2\r\nc: x" },
        { "set UTF-8 BOM", OP_SET, "\xef\xbb\xbf# \xc3\xa9t\xc3\xa9\na: \xc3\xa9\n", "a", "x", 0, 1,
          "\xef\xbb\xbf# \xc3\xa9t\xc3\xa9\na: x\n" },

        /* remove */
        { "remove only key removes parent", OP_REMOVE, "a: 1\nfeatureGates:\n  CSIMigration: true\nb: 2\n",
          "featureGates/CSIMigration", NULL, 0, 1, "a: 1\nb: 2\n" },
        { "remove only key, two levels", OP_REMOVE, "a: 1\nx:\n  y:\n    z: 1\nb: 2\n", "x/y/z", NULL, 0, 1,
          "a: 1\nb: 2\n" },
        { "remove middle key", OP_REMOVE, "g:\n  A: true\n  CSIMigration: false # old\n  B: true\n",
          "g/CSIMigration", NULL, 0, 1, "g:\n  A: true\n  B: true\n" },
        { "remove last key", OP_REMOVE, "g:\n  A: true\n  CSIMigration: false\nz: 1\n", "g/CSIMigration",
          NULL, 0, 1, "g:\n  A: true\nz: 1\n" },
        { "remove keeps comments around", OP_REMOVE, "a: 1\n# about b\nb: 2\n# after b\nc: 3\n", "b", NULL,
          0, 1, "a: 1\n# about b\n# after b\nc: 3\n" },
        { "remove nested mapping value", OP_REMOVE, "a: 1\nb:\n  c: 1\n  d: [1,\n    2]\n# c\ne: 1\n", "b",
          NULL, 0, 1, "a: 1\n# c\ne: 1\n" },
        { "remove absent", OP_REMOVE, "a: 1\n", "b/c", NULL, 0, 0, NULL },
        { "remove last line, no final newline", OP_REMOVE, "a: 1\nb: 2", "b", NULL, 0, 1, "a: 1" },
        { "remove CRLF, no final newline", OP_REMOVE, "a: 1\r\nb: 2", "b", NULL, 0, 1, "a: 1" },
        { "remove CRLF", OP_REMOVE, "a: 1\r\nb: 2\r\nc: 3\r\n", "b", NULL, 0, 1, "a: 1\r\nc: 3\r\n" },
        { "remove flow only key removes parent", OP_REMOVE, "a: 1\nfeatureGates: {CSIMigration: true}\n",
          "featureGates/CSIMigration", NULL, 0, 1, "a: 1\n" },
        { "remove flow first", OP_REMOVE, "g: {A: 1, B: 2, C: 3}\n", "g/A", NULL, 0, 1,
          "g: {B: 2, C: 3}\n" },
        { "remove flow middle", OP_REMOVE, "g: {A: 1, B: 2, C: 3}\n", "g/B", NULL, 0, 1,
          "g: {A: 1, C: 3}\n" },
        { "remove flow last", OP_REMOVE, "g: {A: 1, B: 2, C: 3}\n", "g/C", NULL, 0, 1, "g: {A: 1, B: 2}\n" },
        { "remove JSON multi-line", OP_REMOVE, "{\n  \"a\": 1,\n  \"b\": 2\n}\n", "b", NULL, 0, 1,
          "{\n  \"a\": 1\n}\n" },
        { "remove in doc 1", OP_REMOVE, "a: 1\nb: 2\n---\na: 1\nb: 2\n", "a", NULL, 1, 1,
          "a: 1\nb: 2\n---\nb: 2\n" },

        /* count */
        { "count empty", OP_COUNT, "", NULL, NULL, 0, 0, NULL },
        { "count comments only", OP_COUNT, "# x\n", NULL, NULL, 0, 0, NULL },
        { "count one", OP_COUNT, "a: 1", NULL, NULL, 0, 1, NULL },
        { "count three", OP_COUNT, "a: 1\n---\n---\nb: 1\n...\n", NULL, NULL, 0, 3, NULL },
        { "count parse error", OP_COUNT, "a: [\n", NULL, NULL, 0, -EBADMSG,
          "line 2: while parsing a flow node did not find expected node content" },

        /* refusals */
        { "refuse parse error", OP_SET, "a: 1\nb: \"x\n", "a", "2", 0, -EBADMSG,
          "line 3: while scanning a quoted scalar found unexpected end of stream" },
        { "refuse parse error in another document", OP_SET, "a: 1\n---\nb: [\n", "a", "2", 0, -EBADMSG,
          "line 4: while parsing a flow node did not find expected node content" },
        { "refuse tab indentation (parse error)", OP_SET, "a:\n\tb: 1\n", "a/c", "1", 0, -EBADMSG,
          "line 2: while scanning for the next token found character that cannot start any token" },
        { "refuse anchor on path", OP_SET, "a: &x\n  b: 1\nc: *x\n", "a/b", "2", 0, -EBADMSG,
          "line 1: a has an anchor (&x), an edit would change its aliases too" },
        { "refuse anchor on target", OP_SET, "a: &x 1\n", "a", "2", 0, -EBADMSG,
          "line 1: a has an anchor (&x), an edit would change its aliases too" },
        { "refuse alias on path", OP_SET, "x: &x {b: 1}\na: *x\n", "a/b", "2", 0, -EBADMSG,
          "line 2: a is an alias (*x), refusing to edit through it" },
        { "refuse merge key", OP_SET, "x: &x {b: 1}\na:\n  <<: *x\n  c: 1\n", "a/b", "2", 0, -EBADMSG,
          "line 3: merge key (<<), refusing to edit" },
        { "refuse remove defining anchor", OP_REMOVE, "x: &x {b: 1}\na: *x\n", "x", NULL, 0, -EBADMSG,
          "line 1: the removed entry defines anchor &x, refusing" },
        { "refuse unknown tag", OP_SET, "a: !foo\n  b: 1\n", "a/b", "2", 0, -EBADMSG,
          "line 1: a has tag !foo, refusing to edit it" },
        { "refuse tag on target", OP_SET, "a: !!str 1\n", "a", "2", 0, -EBADMSG,
          "line 1: a has tag !!str, refusing to edit it" },
        { "refuse tagged root", OP_SET, "--- !Config\na: 1\n", "a", "2", 0, -EBADMSG,
          "line 1: (document root) has tag !Config, refusing to edit it" },
        { "refuse scalar on path", OP_SET, "a: x\n", "a/b", "2", 0, -EBADMSG,
          "line 1: a is a scalar, not a mapping" },
        { "refuse empty value on path", OP_SET, "a:\nb: 1\n", "a/b", "2", 0, -EBADMSG,
          "line 1: a is an empty value, not a mapping" },
        { "refuse sequence on path", OP_SET, "a:\n- b: 1\n", "a/b", "2", 0, -EBADMSG,
          "line 2: a is a sequence, not a mapping" },
        { "refuse sequence root", OP_GET, "- a\n", "a", NULL, 0, -EBADMSG,
          "line 1: (document root) is a sequence, not a mapping" },
        { "refuse mapping as target", OP_SET, "a:\n  b: 1\n", "a", "2", 0, -EBADMSG,
          "line 2: a is a mapping, not a scalar" },
        { "refuse duplicate key", OP_SET, "a: 1\nb: 2\na: 3\n", "a", "2", 0, -EBADMSG,
          "line 3: duplicate key a" },
        { "refuse duplicate key on path", OP_REMOVE, "g:\n  x: 1\ng:\n  y: 1\n", "g/x", NULL, 0, -EBADMSG,
          "line 3: duplicate key g" },
        { "refuse block scalar", OP_SET, "a: |\n  x\n", "a", "y", 0, -EBADMSG,
          "line 1: block scalar (| or >), refusing to rewrite it" },
        { "refuse missing document", OP_SET, "a: 1\n", "a", "2", 2, -ENOENT,
          "line 2: document 2 does not exist, the stream has 1" },
        { "refuse insert after explicit key", OP_SET, "? a\n: 1\n", "c", "d", 0, -EBADMSG,
          "line 1: key is not first on its line, refusing to guess indentation" },
        /* found by tests/fuzz/fuzz-yaml-edit.c: the new key went inside the explicit key */
        { "refuse insert after explicit key on its own line", OP_SET, "? \n   xes\n", "failSwapOn", "false",
          0, -EBADMSG, "line 2: explicit key (?) or keys not aligned, refusing to guess indentation" },
        /* found by tests/fuzz/fuzz-yaml-edit.c: "{,}" was left */
        { "remove the only flow entry with a trailing comma", OP_REMOVE, "{\n\"kind\",}", "kind", NULL, 0, 1,
          "{\n}" },
        { "remove the only flow entry with a spaced trailing comma", OP_REMOVE, "{b: 1 , }\n", "b", NULL, 0,
          1, "{ }\n" },
        { "refuse comment after the only flow entry", OP_REMOVE, "{b: 1 # c\n, }\n", "b", NULL, 0, -EBADMSG,
          "line 1: comment after the only entry of a flow mapping, refusing" },
        /* found by tests/fuzz/fuzz-yaml-edit.c: document 1 became document 0 */
        { "refuse removing the only key of an implicit first document", OP_REMOVE,
          "#b\nkind: x\n---\nz: 1\n", "kind", NULL, 0, -EBADMSG,
          "line 2: removing the only key of document 0 would remove the document" },
        { "remove the only key of an explicit first document", OP_REMOVE, "---\nkind: x\n---\nz: 1\n",
          "kind", NULL, 0, 1, "---\n---\nz: 1\n" },
        { "remove the only key of the only document", OP_REMOVE, "#b\nkind: x\n", "kind", NULL, 0, 1,
          "#b\n" },
        /* found by tests/fuzz/fuzz-yaml-edit.c: a lone \r ends a YAML line, the insertion went into the next document */
        { "refuse carriage return line break", OP_SET, "a:\n  b: 1\r---\rc: 2\n", "x", "v", 0, -EBADMSG,
          "line 2: carriage return as a line break (only \\n and \\r\\n are supported)" },
        { "refuse NEL line break", OP_GET,
          "a: 1\xc2\x85"
          "b: 2\n",
          "a", NULL, 0, -EBADMSG, "line 1: Unicode line break (only \\n and \\r\\n are supported)" },
        { "CRLF still fine", OP_SET, "a: 1\r\n", "b", "2", 0, 1, "a: 1\r\nb: 2\r\n" },
        { "refuse UTF-16", OP_SET,
          "\xff\xfe"
          "a\0:\0",
          "a", "b", 0, -EBADMSG, "line 1: UTF-16 text is not supported" },
};

static const char **split_path(char *s) {
        size_t n = 1;
        for (char *p = s; *p; p++)
                n += *p == '/';
        const char **path = xmalloc((n + 1) * sizeof(char *));
        n = 0;
        for (char *tok = strtok(s, "/"); tok; tok = strtok(NULL, "/"))
                path[n++] = tok;
        path[n] = NULL;
        return path;
}

/* The UTF-16 case holds NULs; every other input is a C string. */
static size_t case_input_len(const struct edit_case *tc) {
        return tc->input[0] == '\xff' ? 6 : strlen(tc->input);
}

/* ---- the path parse: get, set and remove give what they give on the whole tree ---- */

struct outcome {
        int r;
        char *out, *error;
        size_t out_len;
        unsigned line;
};

static void outcome_done(struct outcome *o) {
        free(o->out);
        free(o->error);
        *o = (struct outcome){};
}

static struct outcome run_op(enum op op, const char *text, size_t len, unsigned doc, const char *const *path,
                             const char *value, bool whole_tree) {
        struct outcome o = {};
        yaml_edit_whole_tree = whole_tree;
        switch (op) {
        case OP_GET:
                o.r = yaml_get_scalar(text, len, doc, path, &o.out, &o.line, &o.error);
                o.out_len = o.out ? strlen(o.out) : 0;
                break;
        case OP_SET:
                o.r = yaml_set_scalar(text, len, doc, path, value, &o.out, &o.out_len, &o.error);
                break;
        case OP_REMOVE:
                o.r = yaml_remove_key(text, len, doc, path, &o.out, &o.out_len, &o.error);
                break;
        case OP_COUNT:
                o.r = yaml_count_documents(text, len, &o.error);
                break;
        }
        yaml_edit_whole_tree = false;
        return o;
}

/* op on the path parse, its outcome in *ret (may be NULL); whether the whole tree gives the same:
 * return value, text or value, line and message. */
static bool same_as_whole_tree(enum op op, const char *text, size_t len, unsigned doc,
                               const char *const *path, const char *value, struct outcome *ret) {
        struct outcome a = run_op(op, text, len, doc, path, value, false);
        struct outcome b = run_op(op, text, len, doc, path, value, true);
        bool same = a.r == b.r && a.line == b.line && a.out_len == b.out_len &&
                    (a.out_len == 0 || memcmp(a.out, b.out, a.out_len) == 0) && streq_ptr(a.error, b.error);
        if (!same)
                printf("# path parse: %d line %u (%s)\n# whole tree: %d line %u (%s)\n", a.r, a.line,
                       strempty(a.error), b.r, b.line, strempty(b.error));
        outcome_done(&b);
        if (ret)
                *ret = a;
        else
                outcome_done(&a);
        return same;
}

/* yaml_get_and_edit() gives what yaml_get_scalar() and then the set or the remove give. */
static bool same_as_get_then_edit(enum op op, const char *text, size_t len, unsigned doc,
                                  const char *const *path, const char *value) {
        if (op != OP_SET && op != OP_REMOVE)
                return true;
        const char *v = op == OP_SET ? value : NULL;
        struct outcome get = run_op(OP_GET, text, len, doc, path, NULL, false), edit = {};
        if (get.r >= 0)
                edit = run_op(op, text, len, doc, path, value, false);
        else
                edit = (struct outcome){ .r = get.r, .error = TAKE_PTR(get.error) };
        char *old = NULL, *out = NULL, *error = NULL;
        size_t out_len = 0;
        int r = yaml_get_and_edit(text, len, doc, path, v, &old, &out, &out_len, &error);
        bool same = r == edit.r && streq_ptr(error, edit.error) && out_len == edit.out_len &&
                    (out_len == 0 || memcmp(out, edit.out, out_len) == 0) &&
                    streq_ptr(old, r >= 0 ? get.out : NULL);
        if (!same)
                printf("# get_and_edit: %d (%s), old %s; get then edit: %d (%s), old %s\n", r,
                       strempty(error), strempty(old), edit.r, strempty(edit.error), strempty(get.out));
        free(old), free(out), free(error);
        outcome_done(&get);
        outcome_done(&edit);
        return same;
}

static void run_case(const struct edit_case *tc) {
        _cleanup_free_ char *path_copy = tc->path ? xstrdup(tc->path) : NULL;
        _cleanup_free_ const char **path = path_copy ? split_path(path_copy) : NULL;
        _cleanup_free_ char *out = NULL, *error = NULL;
        size_t out_len = 0, len = case_input_len(tc);
        unsigned line = 0;
        int r = 0;

        switch (tc->op) {
        case OP_GET:
                r = yaml_get_scalar(tc->input, len, tc->doc, path, &out, &line, &error);
                break;
        case OP_SET:
                r = yaml_set_scalar(tc->input, len, tc->doc, path, tc->value, &out, &out_len, &error);
                break;
        case OP_REMOVE:
                r = yaml_remove_key(tc->input, len, tc->doc, path, &out, &out_len, &error);
                break;
        case OP_COUNT:
                r = yaml_count_documents(tc->input, len, &error);
                break;
        }

        _cleanup_free_ char *name = xasprintf("%s: returns %d", tc->name, tc->want_r);
        if (!tap_ok(r == tc->want_r, name))
                printf("# got %d (%s)\n", r, strempty(error));
        free(name);
        name = xasprintf("%s: exact result", tc->name);
        if (r < 0)
                tap_streq(error, tc->want, name);
        else if (r > 0 && tc->op != OP_COUNT) {
                tap_streq(out, tc->want, name);
                if (tc->op != OP_GET)
                        tap_ok(out && out_len == strlen(out), "result length matches");
        } else
                tap_ok(out == NULL && error == NULL, name);

        if (tc->op != OP_COUNT) {
                free(name);
                name = xasprintf("%s: the same as on the whole tree", tc->name);
                tap_ok(same_as_whole_tree(tc->op, tc->input, len, tc->doc, path, tc->value, NULL), name);
        }
        if (tc->op == OP_SET || tc->op == OP_REMOVE) {
                free(name);
                name = xasprintf("%s: get_and_edit the same as get, then the edit", tc->name);
                tap_ok(same_as_get_then_edit(tc->op, tc->input, len, tc->doc, path, tc->value), name);
        }

        /* A changed text must be a fixed point of the same edit. */
        if (r > 0 && (tc->op == OP_SET || tc->op == OP_REMOVE)) {
                _cleanup_free_ char *again = NULL, *error2 = NULL;
                size_t again_len;
                int r2 = tc->op == OP_SET
                                 ? yaml_set_scalar(out, out_len, tc->doc, path, tc->value, &again,
                                                   &again_len, &error2)
                                 : yaml_remove_key(out, out_len, tc->doc, path, &again, &again_len, &error2);
                free(name);
                name = xasprintf("%s: repeating the edit changes nothing", tc->name);
                if (!tap_ok(r2 == 0, name))
                        printf("# got %d (%s)\n", r2, strempty(error2));
        }
}

/* ---- corpus: every kubelet-config file, checked by an independent parser ---- */

/* Loads both streams with python3-yaml and checks that the edited document
 * equals the original with exactly the intended change, the others equal. */
static const char oracle_py[] =
        "import sys, yaml\n"
        "orig, new, doc, op, path, value = sys.argv[1:7]\n"
        "doc = int(doc); path = path.split('/')\n"
        "A = list(yaml.safe_load_all(open(orig, 'rb')))\n"
        "B = list(yaml.safe_load_all(open(new, 'rb')))\n"
        "if not A: A = [None]\n"
        "if len(A) != len(B): sys.exit('document count %d -> %d' % (len(A), len(B)))\n"
        "for i, (a, b) in enumerate(zip(A, B)):\n"
        "    if i != doc and a != b: sys.exit('document %d changed' % i)\n"
        "a = A[doc] if A[doc] is not None else {}\n"
        "b = B[doc] if B[doc] is not None else {}\n"
        "if op == 'set':\n"
        "    got = b\n"
        "    for k in path: got = got[k]\n"
        "    if not (got == value or (isinstance(got, bool) and str(got).lower() == value)):\n"
        "        sys.exit('value is %r' % (got,))\n"
        "    m = a\n"
        "    for k in path[:-1]: m = m.setdefault(k, {})\n"
        "    m[path[-1]] = got\n"
        "else:\n"
        "    chain = [a]\n"
        "    for k in path[:-1]: chain.append(chain[-1][k])\n"
        "    del chain[-1][path[-1]]\n"
        "    for i in range(len(path) - 1, 0, -1):\n"
        "        if chain[i]: break\n"
        "        del chain[i - 1][path[i - 1]]\n"
        "if a != b: sys.exit('document differs beyond the edit:\\n%r\\n%r' % (a, b))\n";

struct oracle {
        char dir[64];
        char script[96], orig[96], edited[96];
};

static bool oracle_agrees(const struct oracle *o, const char *orig, size_t orig_len, const char *edited,
                          size_t edited_len, unsigned doc, const char *op, const char *path,
                          const char *value) {
        if (write_file(o->orig, orig, orig_len) < 0 || write_file(o->edited, edited, edited_len) < 0)
                return false;
        _cleanup_free_ char *cmd = xasprintf("/usr/bin/python3 %s %s %s %u %s '%s' '%s' 2>&1", o->script,
                                             o->orig, o->edited, doc, op, path, value ? value : "");
        FILE *p = popen(cmd, "re");
        if (!p)
                return false;
        char line[512];
        while (fgets(line, sizeof(line), p))
                printf("# oracle: %s", line);
        return pclose(p) == 0;
}

/* The KubeletConfiguration document of a multi-document kubeadm file, else 0. */
static unsigned kubelet_document(const char *text, size_t len) {
        static const char *const kind[] = { "kind", NULL };
        int n = yaml_count_documents(text, len, NULL);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *value = NULL;
                if (yaml_get_scalar(text, len, (unsigned) i, kind, &value, NULL, NULL) > 0 &&
                    streq(value, "KubeletConfiguration"))
                        return (unsigned) i;
        }
        return 0;
}

/* Every operation on many paths of every document (and one past the last) agrees with the whole
 * tree: real files hold the anchors, flow mappings, comments and indentations a sample lacks. */
static void corpus_same_as_whole_tree(const char *file, const char *text, size_t len) {
        static const char *const paths[][4] = {
                { "cgroupDriver" },
                { "featureGates", "CSIMigration" },
                { "kind" },
                { "apiVersion" },
                { "evictionHard", "memory.available" },
                { "authentication", "x509", "clientCAFile" },
                { "authentication", "anonymous", "enabled" },
                { "authentication", "webhook", "cacheTTL" },
                { "clusterDNS" },
                { "clusterDNS", "x" },
                { "staticPodPath" },
                { "nodeRegistration", "kubeletExtraArgs", "cgroup-driver" },
                { "new", "deep", "key" },
        };
        int n_docs = yaml_count_documents(text, len, NULL);
        bool same = true;
        for (int doc = 0; doc <= (n_docs > 0 ? n_docs : 1); doc++)
                for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                        for (enum op op = OP_GET; op <= OP_REMOVE; op++) {
                                bool ok =
                                        same_as_whole_tree(op, text, len, (unsigned) doc, paths[i], "v",
                                                           NULL) &&
                                        same_as_get_then_edit(op, text, len, (unsigned) doc, paths[i], "v");
                                if (!ok)
                                        printf("# %s: op %d on %s of document %d\n", file, op, paths[i][0],
                                               doc);
                                same = same && ok;
                        }
        _cleanup_free_ char *name =
                xasprintf("%s: get, set and remove the same as on the whole tree; get_and_edit too", file);
        tap_ok(same, name);
}

static void corpus_check_file(const struct oracle *o, const char *file, const char *text, size_t len) {
        static const char *const driver[] = { "cgroupDriver", NULL };
        static const char *const gate[] = { "featureGates", "CSIMigration", NULL };
        unsigned doc = kubelet_document(text, len);
        _cleanup_free_ char *set1 = NULL, *set2 = NULL, *removed = NULL, *error = NULL, *old_gate = NULL;
        size_t set1_len = 0, set2_len = 0, removed_len = 0, again_len;
        char name[512];
        int r;

        /* cgroupDriver=systemd: changed or already so; then a fixed point. */
        _cleanup_free_ char *old_driver = NULL;
        int had_driver = yaml_get_scalar(text, len, doc, driver, &old_driver, NULL, NULL);
        r = yaml_set_scalar(text, len, doc, driver, "systemd", &set1, &set1_len, &error);
        snprintf(name, sizeof(name), "%s: set cgroupDriver=systemd (%s)", file, strempty(error));
        tap_ok(r == (had_driver > 0 && streq(old_driver, "systemd") ? 0 : 1), name);
        if (r > 0) {
                snprintf(name, sizeof(name), "%s: cgroupDriver edit is exactly the intended change", file);
                tap_ok(oracle_agrees(o, text, len, set1, set1_len, doc, "set", "cgroupDriver", "systemd"),
                       name);
                _cleanup_free_ char *again = NULL;
                snprintf(name, sizeof(name), "%s: second cgroupDriver edit returns 0", file);
                tap_ok(yaml_set_scalar(set1, set1_len, doc, driver, "systemd", &again, &again_len, NULL) ==
                               0,
                       name);
        }

        /* featureGates.CSIMigration=false, then remove it again. */
        int had_gate = yaml_get_scalar(text, len, doc, gate, &old_gate, NULL, NULL);
        free(error), error = NULL;
        r = yaml_set_scalar(text, len, doc, gate, "false", &set2, &set2_len, &error);
        snprintf(name, sizeof(name), "%s: set featureGates.CSIMigration=false (%s)", file, strempty(error));
        if (!tap_ok(r == 1, name))
                return;
        snprintf(name, sizeof(name), "%s: CSIMigration edit is exactly the intended change", file);
        tap_ok(oracle_agrees(o, text, len, set2, set2_len, doc, "set", "featureGates/CSIMigration", "false"),
               name);
        _cleanup_free_ char *again = NULL;
        snprintf(name, sizeof(name), "%s: second CSIMigration edit returns 0", file);
        tap_ok(yaml_set_scalar(set2, set2_len, doc, gate, "false", &again, &again_len, NULL) == 0, name);

        r = yaml_remove_key(set2, set2_len, doc, gate, &removed, &removed_len, &error);
        snprintf(name, sizeof(name), "%s: remove featureGates.CSIMigration (%s)", file, strempty(error));
        if (!tap_ok(r == 1, name))
                return;
        snprintf(name, sizeof(name), "%s: removal is exactly the intended change", file);
        tap_ok(oracle_agrees(o, set2, set2_len, removed, removed_len, doc, "remove",
                             "featureGates/CSIMigration", NULL),
               name);
        if (had_gate == 0) {
                snprintf(name, sizeof(name), "%s: set then remove gives back the original bytes", file);
                tap_ok(removed_len == len && memcmp(removed, text, len) == 0, name);
        }
        _cleanup_free_ char *again2 = NULL;
        snprintf(name, sizeof(name), "%s: second removal returns 0", file);
        tap_ok(yaml_remove_key(removed, removed_len, doc, gate, &again2, &again_len, NULL) == 0, name);
}

static void run_corpus_tests(void) {
        const char *corpus = getenv("CORPUS_DIR");
        if (!corpus) {
                tap_skip("kubelet-config corpus", "CORPUS_DIR not set");
                return;
        }
        if (access("/usr/bin/python3", X_OK) < 0) {
                tap_skip("kubelet-config corpus", "/usr/bin/python3 missing");
                return;
        }
        _cleanup_free_ char *dir_path = xasprintf("%s/kubelet-config", corpus);
        DIR *dir = opendir(dir_path);
        if (!tap_ok(dir != NULL, "corpus kubelet-config directory opens"))
                return;
        struct strv files = {};
        for (struct dirent *de; (de = readdir(dir));)
                if (de->d_name[0] != '.')
                        strv_push(&files, xstrdup(de->d_name));
        closedir(dir);
        if (files.n > 0)
                qsort(files.items, files.n, sizeof(char *), strcmp_ptr);
        tap_ok(files.n > 0, "corpus kubelet-config has files");

        struct oracle o;
        strcpy(o.dir, "/tmp/test-yaml-edit.XXXXXX");
        if (!tap_ok(mkdtemp(o.dir) != NULL, "oracle scratch directory")) {
                strv_free(&files);
                return;
        }
        snprintf(o.script, sizeof(o.script), "%s/oracle.py", o.dir);
        snprintf(o.orig, sizeof(o.orig), "%s/orig.yaml", o.dir);
        snprintf(o.edited, sizeof(o.edited), "%s/edited.yaml", o.dir);
        (void) write_file(o.script, oracle_py, strlen(oracle_py));

        for (size_t i = 0; i < files.n; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir_path, files.items[i]);
                size_t len = 0;
                _cleanup_free_ char *text = read_file_or_null(path, &len);
                if (!tap_ok(text != NULL, files.items[i]))
                        continue;
                corpus_check_file(&o, files.items[i], text, len);
                corpus_same_as_whole_tree(files.items[i], text, len);
        }
        unlink(o.script), unlink(o.orig), unlink(o.edited), rmdir(o.dir);
        strv_free(&files);
}

/* ---- golden file: all kubelet fixes applied to one fixture ---- */

static void run_golden_test(void) {
        static const char *const driver[] = { "cgroupDriver", NULL };
        static const char *const gate[] = { "featureGates", "CSIMigration", NULL };
        static const char *const swap_on[] = { "failSwapOn", NULL };
        static const char *const swap_behavior[] = { "memorySwap", "swapBehavior", NULL };
        static const char *const cgroup_v1[] = { "failCgroupV1", NULL };
        static const struct {
                const char *const *path;
                const char *value;
        } fixes[] = {
                { driver, "systemd" },  { gate, "false" },
                { swap_on, "false" },   { swap_behavior, "LimitedSwap" },
                { cgroup_v1, "false" },
        };
        const char *root = getenv("SOURCE_ROOT") ?: ".";
        _cleanup_free_ char *in_path = xasprintf("%s/tests/fixtures/yaml/kubelet-config.yaml", root);
        _cleanup_free_ char *want_path =
                xasprintf("%s/tests/fixtures/yaml/kubelet-config.expected.yaml", root);
        size_t len = 0, want_len = 0;
        _cleanup_free_ char *text = read_file_or_null(in_path, &len);
        _cleanup_free_ char *want = read_file_or_null(want_path, &want_len);
        if (!tap_ok(text && want, "golden fixture files read"))
                return;
        for (size_t i = 0; i < ELEMENTSOF(fixes); i++) {
                _cleanup_free_ char *out = NULL, *error = NULL;
                size_t out_len;
                int r = yaml_set_scalar(text, len, 0, fixes[i].path, fixes[i].value, &out, &out_len, &error);
                _cleanup_free_ char *name =
                        xasprintf("golden: set %s (%s)", fixes[i].path[0], strempty(error));
                if (tap_ok(r == 1, name)) {
                        free(text);
                        text = TAKE_PTR(out);
                        len = out_len;
                }
        }
        tap_streq(text, want, "golden: result equals kubelet-config.expected.yaml");
}

/* yaml_set_scalars(): the edits of one parse give the text that applying yaml_set_scalar() one
 * after another gives, in every kind of document; refusals keep the original's line numbers. */
static void run_set_scalars_test(void) {
        static const char stream[] = "# a stream\n"
                                     "a: 1\n"
                                     "spec:\n"
                                     "  x: 1\n"
                                     "---\n"
                                     "{\"spec\": {\"x\": 1}}\n"
                                     "---\n"
                                     "spec: {x: 1}\n"
                                     "---\n"
                                     "# empty\n"
                                     "---\n"
                                     "spec:\n"
                                     "  policy: Default # keep\n"
                                     "  tail: 1\n";
        static const char *const p_policy[] = { "spec", "policy", NULL };
        static const char *const p_deep[] = { "spec", "t", "policy", NULL };
        const struct yaml_set sets[] = {
                { 0, p_policy, "ClusterFirstWithHostNet" }, { 0, p_deep, "v" },
                { 1, p_policy, "ClusterFirstWithHostNet" }, { 2, p_policy, "ClusterFirstWithHostNet" },
                { 3, p_policy, "ClusterFirstWithHostNet" }, { 4, p_policy, "ClusterFirstWithHostNet" },
        };
        _cleanup_free_ char *want = xstrdup(stream);
        size_t want_len = strlen(stream);
        bool seq_ok = true;
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                char *next = NULL, *err = NULL;
                size_t next_len;
                int r = yaml_set_scalar(want, want_len, sets[i].doc, sets[i].path, sets[i].value, &next,
                                        &next_len, &err);
                seq_ok = seq_ok && r == 1;
                if (r == 1) {
                        free(want);
                        want = next;
                        want_len = next_len;
                }
                free(err);
        }
        tap_ok(seq_ok, "set_scalars: every edit changes the stream on its own");
        _cleanup_free_ char *got = NULL, *err = NULL;
        size_t got_len = 0;
        int r = yaml_set_scalars(stream, strlen(stream), sets, ELEMENTSOF(sets), &got, &got_len, &err);
        tap_ok(r == 1 && got_len == strlen(got), "set_scalars: changed");
        tap_streq(got, want, "set_scalars: one parse gives what one edit after another gives");

        _cleanup_free_ char *same = NULL, *e0 = NULL;
        size_t same_len = 0;
        const struct yaml_set done[] = { { 4, p_policy, "Default" } };
        r = yaml_set_scalars(stream, strlen(stream), done, 1, &same, &same_len, &e0);
        tap_ok(r == 0 && !same, "set_scalars: 0 and no text when nothing changes");

        /* The refusal names the original's line 14 (tail), although edits before it add lines. */
        static const char *const p_bad[] = { "spec", "tail", "x", NULL };
        const struct yaml_set refused[] = { { 0, p_policy, "v" }, { 4, p_bad, "v" } };
        _cleanup_free_ char *none = NULL, *e1 = NULL;
        r = yaml_set_scalars(stream, strlen(stream), refused, 2, &none, &same_len, &e1);
        tap_ok(r == -EBADMSG && !none, "set_scalars: a refusal changes nothing");
        tap_streq(e1, "line 14: spec.tail is a scalar, not a mapping", "set_scalars: the original's line");

        const struct yaml_set twice[] = { { 0, p_policy, "v" }, { 0, p_policy, "w" } };
        static const char one[] = "spec:\n  policy: x\n";
        _cleanup_free_ char *t = NULL, *e2 = NULL;
        r = yaml_set_scalars(one, strlen(one), twice, 2, &t, &same_len, &e2);
        tap_ok(r == -EINVAL && !t, "set_scalars: two edits of the same bytes are refused");
}

struct seen_docs {
        struct buf b;
        size_t refuse_at; /* refuse this document (SIZE_MAX: none) */
};

static int see_document(size_t index, const struct ydoc *doc, void *userdata, char **ret_error) {
        struct seen_docs *s = userdata;
        buf_printf(&s->b, "%zu:%s;", index,
                   doc->root && doc->root->kind == YNODE_MAPPING && doc->root->n_children
                           ? doc->root->children[0]->value
                           : "-");
        if (index == s->refuse_at) {
                set_error(ret_error, "document %zu refused", index);
                return -EBADMSG;
        }
        return 0;
}

/* ystream_parse_each(): every document in order, counted; fn's refusal stops the calls, but a
 * refusal of the text later in the stream is what is returned, as ystream_parse() would. */
static void run_parse_each_test(void) {
        static const char good[] = "a: 1\n---\nb: 2\n---\n---\nc: 3\n";
        static const char bad[] = "a: 1\n---\nb: 2\n---\nc: [\n";
        struct seen_docs s = { .refuse_at = SIZE_MAX };
        size_t n = 0;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;
        int r = ystream_parse_each(good, strlen(good), see_document, &s, &n, &e1);
        tap_ok(r == 0 && n == 4, "parse_each: four documents");
        tap_streq(s.b.data, "0:a;1:b;2:-;3:c;", "parse_each: each in order, with its index");
        buf_free(&s.b);
        s = (struct seen_docs){ .refuse_at = 1 };
        r = ystream_parse_each(good, strlen(good), see_document, &s, &n, &e2);
        tap_ok(r == -EBADMSG && s.b.data && streq(s.b.data, "0:a;1:b;"),
               "parse_each: fn's refusal stops the calls");
        tap_streq(e2, "document 1 refused", "parse_each: and is returned");
        buf_free(&s.b);
        s = (struct seen_docs){ .refuse_at = 0 };
        r = ystream_parse_each(bad, strlen(bad), see_document, &s, &n, &e3);
        tap_ok(r == -EBADMSG && e3 && startswith(e3, "line 6:"),
               "parse_each: a broken document later wins over fn's refusal");
        buf_free(&s.b);
}

/* yaml_find_document() a document at a time answers as count and then a get per document would:
 * the first match, a refusal before it, and a broken document anywhere before either. */
static void run_find_document_test(void) {
        static const char *const path[] = { "kind", NULL }, *const values[] = { "ClusterConfiguration",
                                                                                NULL };
        static const struct {
                const char *text;
                int want;
                unsigned doc;
                const char *error; /* prefix */
        } finds[] = {
                { "kind: Init\n---\nkind: ClusterConfiguration\n---\nkind: Join\n", 1, 1, NULL },
                { "kind: Init\n---\nkind: Join\n", 0, 0, NULL },
                { "kind: ClusterConfiguration\n---\nkind: {a: [\n", -EBADMSG, 0, "line 4:" },
                { "kind: [x]\n---\nkind: ClusterConfiguration\n", -EBADMSG, 0,
                  "line 1: kind is a sequence" },
                { "kind: ClusterConfiguration\n---\nkind: [x]\n", 1, 0, NULL },
                { "kind: [x]\n---\nkind: {a: [\n", -EBADMSG, 0, "line 4:" },
        };
        for (size_t i = 0; i < ELEMENTSOF(finds); i++) {
                unsigned doc = 99;
                _cleanup_free_ char *error = NULL, *name = xasprintf("find_document case %zu", i);
                int r = yaml_find_document(finds[i].text, strlen(finds[i].text), path, values, &doc, &error);
                tap_ok(r == finds[i].want && (r != 1 || doc == finds[i].doc) &&
                               (!finds[i].error ? !error : error && startswith(error, finds[i].error)),
                       name);
        }
}

/* ---- many keys: the path parse keeps a few pairs, and answers as the whole tree does ---- */

static unsigned next_line(const struct buf *b) {
        unsigned n = 1;
        for (size_t i = 0; i < b->len; i++)
                n += b->data[i] == '\n';
        return n;
}

static void put_keys(struct buf *b, const char *prefix, size_t from, size_t n) {
        for (size_t i = from; i < from + n; i++)
                buf_printf(b, "%s%05zu: value-%zu\n", prefix, i, i);
}

/* op on text of many keys: the same as on the whole tree, and want_r with *want (the value, a
 * text's last bytes, or the message; NULL: not checked). */
static void check_many(const char *name, enum op op, const struct buf *text, unsigned doc,
                       const char *const *path, const char *value, int want_r, const char *want,
                       unsigned want_line) {
        struct outcome o;
        _cleanup_free_ char *n1 =
                xasprintf("many keys: %s: the same as on the whole tree, and get then edit", name);
        tap_ok(same_as_whole_tree(op, text->data, text->len, doc, path, value, &o) &&
                       same_as_get_then_edit(op, text->data, text->len, doc, path, value),
               n1);
        bool ok = o.r == want_r && (!want_line || o.line == want_line);
        if (ok && want)
                ok = o.r < 0 ? streq_ptr(o.error, want) : o.out && endswith(o.out, want);
        _cleanup_free_ char *n2 = xasprintf("many keys: %s: the answer", name);
        if (!tap_ok(ok, n2))
                printf("# got %d line %u (%s)\n", o.r, o.line, strempty(o.r < 0 ? o.error : o.out));
        outcome_done(&o);
}

/* Pairs the path parse keeps in each mapping along path. */
static size_t kept_pairs(const struct buf *text, const char *const *path) {
        struct ystream s;
        if (ystream_parse_path(text->data, text->len, 0, path, &s, NULL) < 0)
                return SIZE_MAX;
        size_t most = 0;
        const struct ynode *map = s.docs[0].root;
        for (size_t i = 0; map && map->kind == YNODE_MAPPING; i++) {
                most = map->n_children / 2 > most ? map->n_children / 2 : most;
                map = path[i] ? ymapping_lookup(map, path[i], NULL, NULL) : NULL;
        }
        ystream_free(&s);
        return most;
}

/* text with each @ standing for 1,000 keys, each ^ for 1,000 keys indented by 4. */
static void put_template(struct buf *b, const char *text) {
        size_t from = 0;
        for (const char *p = text; *p; p++) {
                if (*p != '@' && *p != '^') {
                        buf_putc(b, *p);
                        continue;
                }
                put_keys(b, *p == '@' ? "k" : "    k", from, 1000);
                from += 1000;
        }
}

static const char *const path_driver[] = { "cgroupDriver", NULL };
static const char *const path_top[] = { "zzz", NULL };
static const char *const path_last[] = { "last", NULL };

/* Each refused with message on the line of the first occurrence of at. */
static const struct {
        const char *name;
        enum op op;
        const char *const *path;
        const char *text, *at, *message;
} refusals[] = {
        { "the first merge key", OP_GET, path_driver,
          "base: &b {x: 1}\n@<<: *b\n@<<: *b\ncgroupDriver: x\n@", "<<",
          "merge key (<<), refusing to edit" },
        { "a duplicate key", OP_SET, path_driver, "@cgroupDriver: x\n@cgroupDriver: y\n@", "cgroupDriver: y",
          "duplicate key cgroupDriver" },
        { "an explicit key", OP_SET, path_top, "@? odd\n: 1\n@? \n   odder\n: 1\n@", "? odd",
          "key is not first on its line, refusing to guess indentation" },
        { "an explicit key, the first of two", OP_SET, path_driver, "@? \n   odder\n: 1\n@? odd\n: 1\n@",
          "odder", "explicit key (?) or keys not aligned, refusing to guess indentation" },
        { "an anchor deep in a removed entry", OP_REMOVE, path_last, "@last:\n  deep:\n^    e: &anchor 1\n",
          "&anchor", "the removed entry defines anchor &anchor, refusing" },
};

static void run_many_keys_test(void) {
        static const char *const nested_n[] = { "nested", "n00250", NULL };
        static const char *const nested_target[] = { "nested", "target", NULL };
        static const char *const nested_added[] = { "nested", "added", NULL };
        static const char *const brandnew[] = { "brandnew", "child", NULL };
        static const char *const flow_first[] = { "flow", "f00000", NULL };
        static const char *const flow_target[] = { "flow", "target", NULL };
        static const char *const flow_last[] = { "flow", "f00299", NULL };
        static const char *const flow_added[] = { "flow", "added", NULL };
        struct buf b = {};

        buf_puts(&b, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n");
        put_keys(&b, "a", 0, 1000);
        buf_puts(&b, "flow: {");
        for (size_t i = 0; i < 300; i++)
                buf_printf(&b, "%sf%05zu: %zu", i ? ", " : "", i, i);
        buf_puts(&b, ", target: t}\n");
        /* Indented by 4: a new nested mapping takes that step, although the first key is far above. */
        buf_puts(&b, "scalars: x\nnested:\n");
        put_keys(&b, "    n", 0, 300);
        buf_puts(&b, "    target: x\n");
        put_keys(&b, "    n", 300, 300);
        put_keys(&b, "b", 0, 1000);
        unsigned driver_line = next_line(&b);
        buf_puts(&b, "cgroupDriver: cgroupfs # driver\n");
        put_keys(&b, "c", 0, 1000);
        buf_puts(&b, "last:\n  deep:\n    - a\n    - b: [1,\n        2]\n# trailing comment\n");

        tap_ok(kept_pairs(&b, path_driver) <= 8, "many keys: a handful of the 3,000 pairs kept for one key");
        tap_ok(kept_pairs(&b, nested_n) <= 8, "many keys: and of the 600 nested ones on the way to another");
        check_many("get", OP_GET, &b, 0, path_driver, NULL, 1, "cgroupfs", driver_line);
        check_many("get nested", OP_GET, &b, 0, nested_n, NULL, 1, "value-250", 0);
        check_many("set existing", OP_SET, &b, 0, path_driver, "systemd", 1, NULL, 0);
        check_many("set after the last entry's content", OP_SET, &b, 0, path_top, "v", 1,
                   "        2]\nzzz: v\n# trailing comment\n", 0);
        check_many("set into the nested mapping", OP_SET, &b, 0, nested_added, "v", 1, NULL, 0);
        check_many("set a new mapping, the nested one's step", OP_SET, &b, 0, brandnew, "v", 1,
                   "        2]\nbrandnew:\n    child: v\n# trailing comment\n", 0);
        check_many("remove nested", OP_REMOVE, &b, 0, nested_target, NULL, 1, NULL, 0);
        check_many("remove the first flow entry", OP_REMOVE, &b, 0, flow_first, NULL, 1, NULL, 0);
        check_many("remove a middle flow entry", OP_REMOVE, &b, 0, flow_target, NULL, 1, NULL, 0);
        check_many("remove the last flow entry", OP_REMOVE, &b, 0, flow_last, NULL, 1, NULL, 0);
        check_many("insert into the flow mapping", OP_SET, &b, 0, flow_added, "v", 1, NULL, 0);
        check_many("remove the last entry", OP_REMOVE, &b, 0, path_last, NULL, 1,
                   "value-999\n# trailing comment\n", 0);

        /* Documents: the one asked for among others as large. */
        struct buf stream = {};
        buf_append(&stream, b.data, b.len);
        buf_puts(&stream, "---\n");
        unsigned doc1_line = next_line(&stream) + (driver_line - 1);
        buf_append(&stream, b.data, b.len);
        buf_puts(&stream, "---\nx: 1\n");
        check_many("get in document 1", OP_GET, &stream, 1, path_driver, NULL, 1, "cgroupfs", doc1_line);
        check_many("set in document 2", OP_SET, &stream, 2, path_driver, "systemd", 1,
                   "x: 1\ncgroupDriver: systemd\n", 0);
        check_many("document 5", OP_GET, &stream, 5, path_driver, NULL, -ENOENT, NULL, 0);
        buf_free(&stream);

        /* Refusals far from the first and last pairs keep their lines. */
        for (size_t i = 0; i < ELEMENTSOF(refusals); i++) {
                struct buf t = {};
                put_template(&t, refusals[i].text);
                unsigned line = line_of_offset(t.data, (size_t) (strstr(t.data, refusals[i].at) - t.data));
                _cleanup_free_ char *want = xasprintf("line %u: %s", line, refusals[i].message);
                check_many(refusals[i].name, refusals[i].op, &t, 0, refusals[i].path, "v", -EBADMSG, want,
                           0);
                buf_free(&t);
        }
        buf_free(&b);
}

int main(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                run_case(&cases[i]);
        run_golden_test();
        run_set_scalars_test();
        run_parse_each_test();
        run_find_document_test();
        run_many_keys_test();
        run_corpus_tests();
        return tap_done();
}
