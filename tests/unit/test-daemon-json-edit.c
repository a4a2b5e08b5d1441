/* SPDX-License-Identifier: MIT */
/* Unit tests for the daemon.json editor: a table of exact-byte cases, then both drivers on every
 * daemon-json corpus file, checked against cJSON and python3's json module. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

#include "basic/util.h"
#include "formats/daemon-json-edit.h"
#include "tap.h"
#include "test-util.h"

struct json_case {
        const char *name;
        bool get;
        const char *driver;
        const char *input;
        int want_r;
        const char *want; /* get: the driver; set: the new text (r == 1); both: the error (r < 0) */
};

#define EO "\"exec-opts\""
#define SD "\"native.cgroupdriver=systemd\""

static const struct json_case cases[] = {
        { "replace in place", false, "systemd", "{\"exec-opts\": [\"native.cgroupdriver=cgroupfs\"]}\n", 1,
          "{" EO ": [" SD "]}\n" },
        { "unchanged", false, "systemd", "{" EO ":[" SD "]}", 0, NULL },
        { "other opts stay, later entries go", false, "systemd",
          "{\n  \"exec-opts\": [\"a=b\", \"native.cgroupdriver=cgroupfs\", \"c=d\", "
          "\"native.cgroupdriver=systemd\"]\n}\n",
          1, "{\n  \"exec-opts\": [\"a=b\", " SD ", \"c=d\"]\n}\n" },
        { "adjacent later entries go", false, "systemd",
          "{\"exec-opts\": [\n  \"native.cgroupdriver=systemd\",\n  \"native.cgroupdriver=x\",\n  "
          "\"native.cgroupdriver=y\"\n]}",
          1, "{\"exec-opts\": [\n  " SD "\n]}" },
        { "dockerd spelling already right", false, "systemd",
          "{\"exec-opts\": [\" Native.CgroupDriver = systemd \"]}", 0, NULL },
        { "append single-line", false, "systemd", "{\"exec-opts\": [\"a=b\"]}", 1,
          "{\"exec-opts\": [\"a=b\", " SD "]}" },
        { "append compact", false, "systemd", "{\"exec-opts\":[\"a=b\",\"c=d\"]}", 1,
          "{\"exec-opts\":[\"a=b\",\"c=d\"," SD "]}" },
        { "append multi-line", false, "systemd", "{\n\t\"exec-opts\": [\n\t\t\"a=b\"\n\t]\n}", 1,
          "{\n\t\"exec-opts\": [\n\t\t\"a=b\",\n\t\t" SD "\n\t]\n}" },
        { "fill empty array", false, "systemd", "{\"exec-opts\": [ ], \"b\": 1}", 1,
          "{\"exec-opts\": [" SD "], \"b\": 1}" },
        { "add member, pretty", false, "systemd",
          "{\n    \"log-driver\": \"json-file\",\n    \"storage-driver\": \"overlay2\"\n}\n", 1,
          "{\n    \"log-driver\": \"json-file\",\n    \"storage-driver\": \"overlay2\",\n    " EO ": [" SD
          "]\n}\n" },
        { "add member, CRLF tabs and ' : '", false, "cgroupfs", "{\r\n\t\"a\" : 1\r\n}", 1,
          "{\r\n\t\"a\" : 1,\r\n\t" EO " : [\"native.cgroupdriver=cgroupfs\"]\r\n}" },
        { "add member after an object value", false, "systemd", "{\"a\": {\"b\": [1, {}]}}", 1,
          "{\"a\": {\"b\": [1, {}]}, " EO ": [" SD "]}" },
        { "add member, compact", false, "systemd", "{\"a\":1,\"b\":\"}\"}", 1,
          "{\"a\":1,\"b\":\"}\"," EO ":[" SD "]}" },
        { "add member, odd layout", false, "systemd",
          "{\"insecure-registries\": [\"172.30.0.0/16\"],\n \"group\": \"dockerroot\"\n }\n", 1,
          "{\"insecure-registries\": [\"172.30.0.0/16\"],\n \"group\": \"dockerroot\",\n " EO ": [" SD
          "]\n }\n" },
        { "add member keeps trailing spaces", false, "systemd", "{\"a\": 1}   ", 1,
          "{\"a\": 1, " EO ": [" SD "]}   " },
        { "escapes elsewhere stay", false, "systemd", "{\"a\": \"x\\\"y\\u00e9\", \"exec-opts\": []}\n", 1,
          "{\"a\": \"x\\\"y\\u00e9\", \"exec-opts\": [" SD "]}\n" },
        { "escaped key is exec-opts", false, "systemd",
          "{\"exec\\u002dopts\": [\"native.cgroupdriver=cgroupfs\"]}", 1,
          "{\"exec\\u002dopts\": [" SD "]}" },
        { "{}", false, "systemd", "{}", 1, "{\n  " EO ": [" SD "]\n}" },
        { "{ } with surroundings", false, "systemd", " { }\n", 1, " {\n  " EO ": [" SD "]\n}\n" },
        { "empty text", false, "systemd", "", 1, "{\n  " EO ": [" SD "]\n}\n" },
        /* any CRLF line decides, not only the first line as in the line-based editors */
        { "{} after an LF line, CRLF", false, "systemd", "\n{}\r\n", 1,
          "\n{\r\n  " EO ": [" SD "]\r\n}\r\n" },
        { "blank text", false, "systemd", " \n", 1, "{\n  " EO ": [" SD "]\n}\n" },
        { "refuse trailing comma", false, "systemd", "{\n  \"a\": 1,\n}\n", -EBADMSG,
          "line 3, column 2: invalid JSON" }, /* cJSON points just past the brace */
        { "refuse missing comma", false, "systemd", "{\n  \"a\": 1\n  \"b\": 2\n}\n", -EBADMSG,
          "line 3, column 3: invalid JSON" },
        { "refuse trailing garbage", false, "systemd", "{} x", -EBADMSG, "line 1, column 4: invalid JSON" },
        /* found by tests/fuzz/fuzz-json-edit.c: cJSON skipped the \x01, the edit went before the brace */
        { "refuse control character as whitespace", false, "systemd", "\t\x01{}\n", -EBADMSG,
          "line 1, column 2: control character 0x01, not valid JSON" },
        { "refuse raw control character in a string", false, "systemd", "{\"a\": \"x\vy\"}", -EBADMSG,
          "line 1, column 9: control character 0x0b, not valid JSON" },
        { "refuse array top level", false, "systemd", "\n[1]", -EBADMSG,
          "line 2: the top level is not an object" },
        { "refuse exec-opts not an array", false, "systemd",
          "{\n\"exec-opts\": \"native.cgroupdriver=systemd\"}", -EBADMSG,
          "line 2: \"exec-opts\" is not an array" },
        { "refuse non-string exec-opt", false, "systemd", "{\"exec-opts\": [\n\"a=b\",\n1]}", -EBADMSG,
          "line 3: \"exec-opts\" holds something other than strings" },
        { "refuse duplicate exec-opts", false, "systemd", "{\"exec-opts\": [],\n\"exec-opts\": []}",
          -EBADMSG, "line 2: duplicate \"exec-opts\" keys" },
        { "refuse bad driver", false, "sys temd", "{}", -EINVAL, "invalid cgroup driver 'sys temd'" },
        { "get last wins", true, NULL,
          "{\"exec-opts\":[\"native.cgroupdriver=cgroupfs\",\"NATIVE.cgroupdriver= systemd\"]}", 1,
          "systemd" },
        { "get absent", true, NULL, "{\"exec-opts\":[\"a=b\"]}", 0, NULL },
        { "get no exec-opts", true, NULL, "{\"a\": 1}", 0, NULL },
        { "get empty text", true, NULL, "", 0, NULL },
        { "get refuses", true, NULL, "{\"exec-opts\": {}}", -EBADMSG,
          "line 1: \"exec-opts\" is not an array" },
};

static void run_case(const struct json_case *c) {
        _cleanup_free_ char *out = NULL, *error = NULL,
                            *n1 = xasprintf("%s: returns %d", c->name, c->want_r);
        _cleanup_free_ char *n2 = xasprintf("%s: exact result", c->name),
                            *n3 = xasprintf("%s: second run unchanged", c->name);
        size_t out_len = 0;
        int r = c->get ? daemon_json_get_cgroup_driver(c->input, strlen(c->input), &out, &error)
                       : daemon_json_set_cgroup_driver(c->input, strlen(c->input), c->driver, &out, &out_len,
                                                       &error);
        if (!tap_ok(r == c->want_r, n1))
                printf("# got %d (%s)\n", r, strempty(error));
        if (c->want_r < 0)
                tap_streq(error, c->want, n2);
        else if (c->want_r == 0)
                tap_ok(!out && !error, n2);
        else
                tap_streq(out, c->want, n2);
        if (!c->get && r == 1) {
                _cleanup_free_ char *again = NULL;
                tap_ok(out_len == strlen(out) &&
                               daemon_json_set_cgroup_driver(out, out_len, c->driver, &again, NULL, NULL) ==
                                       0 &&
                               !again,
                       n3);
        }
}

/* A NUL byte is refused as by every other line-based editor, both ways, with no text returned. */
static void run_nul_cases(void) {
        static const char text[] = "{\"exec-opts\": [\n\"a\0\"]}\n";
        _cleanup_free_ char *out = NULL, *error = NULL, *get_error = NULL;
        int r = daemon_json_set_cgroup_driver(text, sizeof(text) - 1, "systemd", &out, NULL, &error);
        tap_ok(r == -EBADMSG && !out, "NUL byte: set refuses");
        tap_streq(error, "line 2: NUL byte", "NUL byte: set says where");
        r = daemon_json_get_cgroup_driver(text, sizeof(text) - 1, &out, &get_error);
        tap_ok(r == -EBADMSG && !out, "NUL byte: get refuses");
        tap_streq(get_error, "line 2: NUL byte", "NUL byte: get says where");
}

/* What the edit should mean: the original object with exec-opts made to hold one driver entry. */
static char *intended_object(const char *text, const char *driver) {
        cJSON *root = cJSON_Parse(text);
        if (!root)
                return NULL;
        _cleanup_free_ char *entry = xasprintf("native.cgroupdriver=%s", driver);
        cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "exec-opts");
        if (!opts)
                cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "exec-opts"), cJSON_CreateString(entry));
        else {
                bool seen = false;
                for (cJSON *e = opts->child, *next; e; e = next) {
                        next = e->next;
                        _cleanup_free_ char *key = xstrndup(e->valuestring, strcspn(e->valuestring, "="));
                        char *k = key + strspn(key, " ");
                        for (char *end = k + strlen(k); end > k && end[-1] == ' ';)
                                *--end = 0;
                        if (!strchr(e->valuestring, '=') || strcasecmp(k, "native.cgroupdriver") != 0)
                                continue;
                        if (seen)
                                cJSON_Delete(cJSON_DetachItemViaPointer(opts, e));
                        else {
                                _cleanup_free_ char *v = xstrdup(strchr(e->valuestring, '=') + 1);
                                char *vs = v + strspn(v, " ");
                                for (char *end = vs + strlen(vs); end > vs && end[-1] == ' ';)
                                        *--end = 0;
                                if (!streq(vs, driver))
                                        cJSON_ReplaceItemViaPointer(opts, e, cJSON_CreateString(entry));
                        }
                        seen = true;
                }
                if (!seen)
                        cJSON_AddItemToArray(opts, cJSON_CreateString(entry));
        }
        char *printed = cJSON_PrintUnformatted(root);
        cJSON_Delete(root);
        return printed;
}

static char *cjson_reprint(const char *text) {
        cJSON *root = cJSON_Parse(text);
        char *printed = root ? cJSON_PrintUnformatted(root) : NULL;
        cJSON_Delete(root);
        return printed;
}

/* python3's verdict on two JSON files: "same" (equal objects, same key order everywhere), "diff", or "invalid". */
static char *python_compare(const char *dir, const char *a, const char *b) {
        _cleanup_free_ char *pa = xasprintf("%s/a.json", dir), *pb = xasprintf("%s/b.json", dir);
        if (write_file(pa, a, strlen(a)) < 0 || write_file(pb, b, strlen(b)) < 0)
                return NULL;
        _cleanup_free_ char *cmd =
                xasprintf("/usr/bin/python3 -c 'import json, sys, collections\n"
                          "try:\n"
                          "    x = [json.load(open(f), object_pairs_hook=collections.OrderedDict) for f in "
                          "sys.argv[1:]]\n"
                          "except ValueError:\n"
                          "    print(\"invalid\"); sys.exit(0)\n"
                          "print(\"same\" if x[0] == x[1] else \"diff\")' %s %s",
                          pa, pb);
        char *verdict = run_capture(cmd);
        if (verdict)
                verdict[strcspn(verdict, "\n")] = 0;
        return verdict;
}

/* The bytes the edit replaced lie inside the exec-opts array, or nothing was replaced at all. */
static bool change_confined(const char *before, const char *after) {
        size_t la = strlen(before), lb = strlen(after), p = 0, s = 0;
        while (p < la && p < lb && before[p] == after[p])
                p++;
        while (s < la - p && s < lb - p && before[la - 1 - s] == after[lb - 1 - s])
                s++;
        if (p == la - s)
                return true; /* pure insertion */
        const char *key = strstr(before, EO);
        const char *open = key ? strchr(key, '[') : NULL, *close = open ? strchr(open, ']') : NULL;
        return close && (size_t) (open - before) < p && la - s <= (size_t) (close - before) + 1;
}

static void run_corpus_file(const char *tmp, const char *path, const char *text, size_t len,
                            const char *driver) {
        const char *base = strrchr(path, '/') + 1;
        _cleanup_free_ char *out = NULL, *error = NULL, *again = NULL, *got = NULL,
                            *what = xasprintf("%s -> %s", base, driver);
        size_t out_len = 0;
        int r = daemon_json_set_cgroup_driver(text, len, driver, &out, &out_len, &error);
        _cleanup_free_ char *verdict_orig = python_compare(tmp, text, text);
        _cleanup_free_ char *n0 = xasprintf("%s: refused exactly when python3 finds it invalid", what);
        tap_ok((r == -EBADMSG) == streq_ptr(verdict_orig, "invalid"), n0);
        if (r < 0) {
                _cleanup_free_ char *n1 =
                        xasprintf("%s: refusal names line and column (%s)", what, strempty(error));
                unsigned line, column;
                tap_ok(error && sscanf(error, "line %u, column %u: invalid JSON", &line, &column) == 2, n1);
                return;
        }
        _cleanup_free_ char *intended = intended_object(text, driver),
                            *n2 = xasprintf("%s: unchanged only when already intended", what);
        _cleanup_free_ char *orig_printed = cjson_reprint(text);
        if (r == 0) {
                tap_ok(streq_ptr(intended, orig_printed), n2);
                return;
        }
        _cleanup_free_ char *printed = cjson_reprint(out),
                            *n3 = xasprintf("%s: cJSON reads the intended object", what);
        if (!tap_ok(streq_ptr(printed, intended), n3))
                printf("# want %s\n# got  %s\n", strempty(intended), strempty(printed));
        _cleanup_free_ char *verdict = python_compare(tmp, intended, out),
                            *n4 = xasprintf("%s: python3 reads the intended object", what);
        tap_ok(streq_ptr(verdict, "same"), n4);
        _cleanup_free_ char *n5 = xasprintf("%s: get reads the driver back", what);
        tap_ok(daemon_json_get_cgroup_driver(out, out_len, &got, NULL) == 1 && streq(got, driver), n5);
        _cleanup_free_ char *n6 = xasprintf("%s: second run returns 0", what);
        tap_ok(daemon_json_set_cgroup_driver(out, out_len, driver, &again, NULL, NULL) == 0 && !again, n6);
        _cleanup_free_ char *n7 = xasprintf("%s: only exec-opts bytes changed", what);
        tap_ok(change_confined(text, out), n7);
}

/* Golden file: CRLF and tabs, a duplicate driver entry. */
static void run_golden(void) {
        const char *root = getenv("SOURCE_ROOT");
        _cleanup_free_ char *in =
                xasprintf("%s/tests/fixtures/json/daemon-crlf.json", root && *root ? root : ".");
        _cleanup_free_ char *exp = xasprintf("%s.expected", in), *out = NULL;
        size_t len = 0, exp_len = 0, out_len = 0;
        _cleanup_free_ char *text = read_file_or_null(in, &len), *want = read_file_or_null(exp, &exp_len);
        if (!tap_ok(text && want, "golden daemon.json fixture readable (SOURCE_ROOT)"))
                return;
        tap_ok(daemon_json_set_cgroup_driver(text, len, "systemd", &out, &out_len, NULL) == 1,
               "golden: set changes");
        tap_streq(out, want, "golden: daemon.json matches daemon-crlf.json.expected");
}

int main(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                run_case(&cases[i]);
        run_nul_cases();

        run_golden();

        /* the python oracle itself must be able to say "diff" and "invalid" */
        char tmp[] = "/tmp/test-json-edit.XXXXXX";
        if (!mkdtemp(tmp))
                return tap_ok(false, "mkdtemp"), tap_done();
        _cleanup_free_ char *v1 = python_compare(tmp, "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}");
        _cleanup_free_ char *v2 = python_compare(tmp, "{\"a\":1,}", "{}");
        tap_ok(streq_ptr(v1, "diff"), "python oracle sees key order");
        tap_ok(streq_ptr(v2, "invalid"), "python oracle sees invalid JSON");

        const char *corpus = getenv("CORPUS_DIR");
        if (!corpus || !*corpus)
                tap_skip("daemon-json corpus", "CORPUS_DIR not set");
        else {
                _cleanup_free_ char *dir = xasprintf("%s/daemon-json", corpus);
                struct dirent **entries = NULL;
                int n = scandir(dir, &entries, NULL, alphasort);
                tap_ok(n > 0, "corpus daemon-json has files");
                for (int i = 0; i < n; i++) {
                        if (entries[i]->d_name[0] != '.') {
                                _cleanup_free_ char *path = xasprintf("%s/%s", dir, entries[i]->d_name);
                                size_t len = 0;
                                _cleanup_free_ char *text = read_file_or_null(path, &len);
                                tap_ok(text != NULL, path);
                                if (text) {
                                        run_corpus_file(tmp, path, text, len, "systemd");
                                        run_corpus_file(tmp, path, text, len, "cgroupfs");
                                }
                        }
                        free(entries[i]);
                }
                free(entries);
                _cleanup_free_ char *refused = xasprintf("%s/02-damiansilbergleithcunniff_k8s-config.json",
                                                         dir),
                                    *error = NULL;
                size_t len = 0;
                _cleanup_free_ char *text = read_file_or_null(refused, &len);
                int r = text ? daemon_json_set_cgroup_driver(text, len, "systemd", NULL, NULL, &error)
                             : -ENOENT;
                tap_ok(r == -EBADMSG, "corpus 02 (missing comma) is refused");
                tap_streq(error, "line 4, column 3: invalid JSON",
                          "corpus 02 refusal points where python3 does");
        }
        _cleanup_free_ char *a = xasprintf("%s/a.json", tmp), *b = xasprintf("%s/b.json", tmp);
        unlink(a), unlink(b), rmdir(tmp);
        return tap_done();
}
