/* SPDX-License-Identifier: MIT */
/* daemon.json editor: cJSON decides what the file means, a small scanner finds where each top-level
 * member and exec-opts element sits, and the edit splices in only the bytes that change. */
#include "formats/daemon-json-edit.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <strings.h>

#include "basic/util.h"

struct span {
        size_t start, end;
};

/* Where things are in the text, paired one to one with cJSON's children (same order). cJSON's tree
 * is dropped once read: a daemon.json of 100,000 labels is a 10 MB tree, and only exec-opts is
 * edited. */
struct daemon_json {
        const char *text; /* the caller's: the scanner runs inside the value cJSON accepted */
        size_t len;
        bool blank;                       /* empty or whitespace only: treated as an empty object */
        size_t object_open, object_close; /* offsets of the top-level '{' and '}' */
        struct span *keys, *values;
        size_t n_members;
        bool has_exec_opts;
        size_t exec_opts_index; /* its member index */
        struct strv exec_opts;  /* its entries, as cJSON decoded them */
        size_t array_open, array_close;
        struct span *elements;
        size_t n_elements;
};

static void daemon_json_done(struct daemon_json *dj) {
        free(dj->keys);
        free(dj->values);
        strv_free(&dj->exec_opts);
        free(dj->elements);
        *dj = (struct daemon_json){};
}

static bool is_json_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_space(const char *t, size_t i) {
        while (is_json_space(t[i]))
                i++;
        return i;
}

static size_t skip_string(const char *t, size_t i) {
        for (i++; t[i] && t[i] != '"'; i++)
                if (t[i] == '\\' && t[i + 1])
                        i++;
        return t[i] ? i + 1 : i;
}

/* End of the value starting at i; the text is already known to be valid JSON. */
static size_t skip_value(const char *t, size_t i) {
        if (t[i] == '"')
                return skip_string(t, i);
        if (t[i] != '{' && t[i] != '[') {
                while (t[i] && !is_json_space(t[i]) && !strchr(",]}", t[i]))
                        i++;
                return i;
        }
        unsigned depth = 0;
        while (t[i]) {
                if (t[i] == '"') {
                        i = skip_string(t, i);
                        continue;
                }
                if (t[i] == '{' || t[i] == '[')
                        depth++;
                else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
                        return i + 1;
                i++;
        }
        return i;
}

static void scan_object(struct daemon_json *dj) {
        const char *t = dj->text;
        size_t i = skip_space(t, dj->object_open + 1);
        while (t[i] == '"') {
                dj->keys = xrealloc(dj->keys, (dj->n_members + 1) * sizeof(struct span));
                dj->values = xrealloc(dj->values, (dj->n_members + 1) * sizeof(struct span));
                struct span *k = &dj->keys[dj->n_members], *v = &dj->values[dj->n_members];
                dj->n_members++;
                k->start = i, k->end = skip_string(t, i);
                i = skip_space(t, skip_space(t, k->end) + 1); /* past ':' */
                v->start = i, v->end = skip_value(t, i);
                i = skip_space(t, v->end);
                if (t[i] == ',')
                        i = skip_space(t, i + 1);
        }
        dj->object_close = i;
}

static void scan_array(struct daemon_json *dj, size_t open) {
        const char *t = dj->text;
        size_t i = skip_space(t, open + 1);
        dj->array_open = open;
        while (t[i] && t[i] != ']') {
                dj->elements = xrealloc(dj->elements, (dj->n_elements + 1) * sizeof(struct span));
                struct span *e = &dj->elements[dj->n_elements++];
                e->start = i, e->end = skip_value(t, i);
                i = skip_space(t, e->end);
                if (t[i] == ',')
                        i = skip_space(t, i + 1);
        }
        dj->array_close = i;
}

/* What cJSON says of the top-level object, read before its tree is dropped. */
struct members {
        size_t n;
        size_t exec_opts;     /* the index of the first "exec-opts", SIZE_MAX: none */
        size_t duplicate;     /* the index of a second one, SIZE_MAX: none */
        bool exec_opts_array; /* the first one is an array */
        size_t not_string;    /* the index of its first element that is no string, SIZE_MAX: none */
        size_t n_elements;
};

static void read_members(const cJSON *root, struct members *m, struct strv *exec_opts) {
        *m = (struct members){ .exec_opts = SIZE_MAX, .duplicate = SIZE_MAX, .not_string = SIZE_MAX };
        for (const cJSON *c = root->child; c; c = c->next, m->n++) {
                if (!c->string || !streq(c->string, "exec-opts"))
                        continue;
                if (m->exec_opts != SIZE_MAX) {
                        if (m->duplicate == SIZE_MAX)
                                m->duplicate = m->n;
                        continue;
                }
                m->exec_opts = m->n;
                m->exec_opts_array = cJSON_IsArray(c);
                for (const cJSON *e = m->exec_opts_array ? c->child : NULL; e; e = e->next, m->n_elements++)
                        if (!cJSON_IsString(e)) {
                                if (m->not_string == SIZE_MAX)
                                        m->not_string = m->n_elements;
                        } else
                                strv_push(exec_opts, xstrdup(e->valuestring));
        }
}

static int daemon_json_parse(const char *text, size_t len, struct daemon_json *dj, char **ret_error) {
        int r = refuse_nul(text, len, ret_error);
        if (r < 0)
                return r;
        /* cJSON skips every control character as whitespace, dockerd (and our scanner) only the four
         * JSON ones; JSON allows no other control character anywhere, not even inside strings. */
        for (size_t off = 0; off < len; off++)
                if ((unsigned char) text[off] < 0x20 && !is_json_space(text[off])) {
                        set_error(ret_error, "line %u, column %u: control character 0x%02x, not valid JSON",
                                  line_of_offset(text, off), column_of_offset(text, off),
                                  (unsigned) text[off]);
                        return -EBADMSG;
                }
        dj->text = text;
        dj->len = len;
        size_t first = 0;
        while (first < len && is_json_space(text[first]))
                first++;
        if (first == len) {
                dj->blank = true;
                return 0;
        }
        /* parse_end is the pointer cJSON_GetErrorPtr() would return, without cJSON's global state; after
         * the value only whitespace may follow, as cJSON's require_null_terminated checks for a C string */
        const char *parse_end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(text, len, &parse_end, false);
        size_t off = parse_end ? (size_t) (parse_end - text) : 0;
        while (root && off < len && is_json_space(text[off]))
                off++;
        if (!root || off < len) {
                cJSON_Delete(root);
                set_error(ret_error, "line %u, column %u: invalid JSON", line_of_offset(text, off),
                          column_of_offset(text, off));
                return -EBADMSG;
        }
        dj->object_open = first;
        if (!cJSON_IsObject(root)) {
                cJSON_Delete(root);
                set_error(ret_error, "line %u: the top level is not an object",
                          line_of_offset(text, dj->object_open));
                return -EBADMSG;
        }
        struct members m;
        read_members(root, &m, &dj->exec_opts);
        cJSON_Delete(root);

        scan_object(dj);
        if (m.duplicate != SIZE_MAX && m.duplicate < dj->n_members) {
                set_error(ret_error, "line %u: duplicate \"exec-opts\" keys",
                          line_of_offset(text, dj->keys[m.duplicate].start));
                return -EBADMSG;
        }
        if (m.n != dj->n_members) {
                set_error(ret_error, "line %u: cannot locate the object's members",
                          line_of_offset(text, dj->object_open));
                return -EBADMSG;
        }
        if (m.exec_opts == SIZE_MAX)
                return 0;
        dj->has_exec_opts = true;
        dj->exec_opts_index = m.exec_opts;
        size_t at = dj->values[dj->exec_opts_index].start;
        if (!m.exec_opts_array) {
                set_error(ret_error, "line %u: \"exec-opts\" is not an array", line_of_offset(text, at));
                return -EBADMSG;
        }
        scan_array(dj, at);
        /* The first entry that is no string, or the first cJSON has and the scanner did not find. */
        size_t bad = m.n_elements > dj->n_elements ? dj->n_elements : SIZE_MAX;
        if (m.not_string < bad)
                bad = m.not_string;
        if (bad != SIZE_MAX) {
                set_error(ret_error, "line %u: \"exec-opts\" holds something other than strings",
                          line_of_offset(text, bad < dj->n_elements ? dj->elements[bad].start : at));
                return -EBADMSG;
        }
        if (m.n_elements != dj->n_elements) {
                set_error(ret_error, "line %u: cannot locate the \"exec-opts\" entries",
                          line_of_offset(text, at));
                return -EBADMSG;
        }
        return 0;
}

/* dockerd splits an exec-opt at '=' and trims both halves; the key is case-insensitive. */
static char *cgroup_driver_of(const char *opt) {
        const char *eq = strchr(opt, '=');
        if (!eq)
                return NULL;
        const char *k = opt, *ke = eq;
        while (is_json_space(*k) && k < ke)
                k++;
        while (ke > k && is_json_space(ke[-1]))
                ke--;
        if ((size_t) (ke - k) != strlen("native.cgroupdriver") ||
            strncasecmp(k, "native.cgroupdriver", (size_t) (ke - k)) != 0)
                return NULL;
        const char *v = eq + 1, *ve = v + strlen(v);
        while (is_json_space(*v))
                v++;
        while (ve > v && is_json_space(ve[-1]))
                ve--;
        return xstrndup(v, (size_t) (ve - v));
}

int daemon_json_get_cgroup_driver(const char *text, size_t len, char **ret_driver, char **ret_error) {
        _cleanup_(daemon_json_done) struct daemon_json dj = {};
        int r = daemon_json_parse(text, len, &dj, ret_error);
        if (r < 0)
                return r;
        char *found = NULL;
        for (size_t i = 0; i < dj.exec_opts.n; i++) {
                char *d = cgroup_driver_of(dj.exec_opts.items[i]);
                if (d) {
                        free(found);
                        found = d;
                }
        }
        if (!found)
                return 0;
        if (ret_driver)
                *ret_driver = found;
        else
                free(found);
        return 1;
}

/* Splice: replace [start, end) of the text. */
static void splice(struct buf *b, const struct daemon_json *dj, size_t *pos, size_t start, size_t end,
                   const char *with) {
        buf_append(b, dj->text + *pos, start - *pos);
        buf_puts(b, with);
        *pos = end;
}

static void edit_exec_opts(struct buf *b, const struct daemon_json *dj, const char *entry,
                           const char *driver) {
        size_t pos = 0, first = SIZE_MAX;
        for (size_t i = 0; i < dj->exec_opts.n; i++) {
                _cleanup_free_ char *d = cgroup_driver_of(dj->exec_opts.items[i]);
                if (!d)
                        continue;
                if (first == SIZE_MAX) {
                        first = i;
                        if (!streq(d, driver))
                                splice(b, dj, &pos, dj->elements[i].start, dj->elements[i].end, entry);
                } else /* with the separator before it, so the rest of the array keeps its shape */
                        splice(b, dj, &pos, dj->elements[i - 1].end, dj->elements[i].end, "");
        }
        if (first == SIZE_MAX) {
                size_t n = dj->n_elements;
                if (n == 0)
                        splice(b, dj, &pos, dj->array_open + 1, dj->array_close, entry);
                else {
                        /* copy the separator the array already uses; a lone element on its own line gets one too */
                        _cleanup_free_ char *sep = NULL;
                        if (n >= 2)
                                sep = xstrndup(dj->text + dj->elements[n - 2].end,
                                               dj->elements[n - 1].start - dj->elements[n - 2].end);
                        else {
                                size_t ws = dj->elements[0].start - dj->array_open - 1;
                                const char *before = dj->text + dj->array_open + 1;
                                sep = memchr(before, '\n', ws) ? xasprintf(",%.*s", (int) ws, before)
                                                               : xstrdup(", ");
                        }
                        _cleanup_free_ char *with = xasprintf("%s%s", sep, entry);
                        splice(b, dj, &pos, dj->elements[n - 1].end, dj->elements[n - 1].end, with);
                }
        }
        buf_append(b, dj->text + pos, dj->len - pos);
}

static void add_exec_opts_member(struct buf *b, const struct daemon_json *dj, const char *entry) {
        const char *nl = detect_eol_any(dj->text, dj->len);
        size_t n = dj->n_members, pos = 0;
        if (n == 0) {
                _cleanup_free_ char *obj = xasprintf("{%s  \"exec-opts\": [%s]%s}", nl, entry, nl);
                splice(b, dj, &pos, dj->object_open, dj->object_close + 1, obj);
        } else {
                /* indent like the last member, and write "key": the way it does */
                size_t key = dj->keys[n - 1].start, indent = key;
                while (indent > 0 && is_json_space(dj->text[indent - 1]))
                        indent--;
                const char *colon = dj->text + dj->keys[n - 1].end;
                int colon_len = (int) (dj->values[n - 1].start - dj->keys[n - 1].end);
                /* a lone member right after '{' shows no separator style: use the common ", " */
                _cleanup_free_ char *sep =
                        n == 1 && key == indent ? xstrdup(" ") : xstrndup(dj->text + indent, key - indent);
                _cleanup_free_ char *member =
                        xasprintf(",%s\"exec-opts\"%.*s[%s]", sep, colon_len, colon, entry);
                splice(b, dj, &pos, dj->values[n - 1].end, dj->values[n - 1].end, member);
        }
        buf_append(b, dj->text + pos, dj->len - pos);
}

int daemon_json_set_cgroup_driver(const char *text, size_t len, const char *driver, char **ret_text,
                                  size_t *ret_len, char **ret_error) {
        if (!driver || !*driver ||
            strspn(driver, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                    strlen(driver)) {
                set_error(ret_error, "invalid cgroup driver '%s'", strempty(driver));
                return -EINVAL;
        }
        _cleanup_(daemon_json_done) struct daemon_json dj = {};
        int r = daemon_json_parse(text, len, &dj, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *entry = xasprintf("\"native.cgroupdriver=%s\"", driver);
        struct buf b = {};
        if (dj.blank)
                buf_printf(&b, "{\n  \"exec-opts\": [%s]\n}\n", entry);
        else if (dj.has_exec_opts)
                edit_exec_opts(&b, &dj, entry, driver);
        else
                add_exec_opts_member(&b, &dj, entry);
        return buf_finish_edit(&b, text, len, ret_text, ret_len);
}
