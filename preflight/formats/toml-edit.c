/* SPDX-License-Identifier: MIT */
/* Least-change TOML edits on top of toml-scan.c: get/set a key in a table and
 * remove strings from an array, touching only the bytes that must change. */
#include "formats/toml-edit.h"

#include <stdint.h>

#include "basic/util.h"
#include "formats/toml-scan.h"

static int check_segment(const char *seg, char **ret_error) {
        if (!seg || !*seg) {
                set_error(ret_error, "empty table segment or key");
                return -EINVAL;
        }
        for (const char *p = seg; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                        set_error(ret_error, "control character in table segment or key");
                        return -EINVAL;
                }
        return 0;
}

/* Join the caller's table segments into a scanner path (and key, unless NULL). */
static int table_to_path(const char *const *table, const char *key, char **ret_table, char **ret_key,
                         size_t *ret_depth, char **ret_error) {
        _cleanup_free_ char *path = xstrdup("");
        size_t depth = 0;
        int r;

        for (; table[depth]; depth++) {
                if ((r = check_segment(table[depth], ret_error)) < 0)
                        return r;
                char *next = toml_path_child(path, table[depth]);
                free(path);
                path = next;
        }
        if (key) {
                if ((r = check_segment(key, ret_error)) < 0)
                        return r;
                *ret_key = toml_path_child(path, key);
        }
        *ret_table = TAKE_PTR(path);
        *ret_depth = depth;
        return 0;
}

static uint32_t def_index(const struct toml_doc *doc, const struct toml_def *def) {
        return (uint32_t) (def - doc->defs);
}

/* The values of a scan, in the text's order (as a value's def comes before those of an inline table
 * it holds, the top-level ones are). */
/* The end pointer only when there are defs: NULL + 0 is undefined in C. */
#define FOREACH_VALUE(v, doc)                                                                           \
        for (const struct toml_def *v = (doc)->defs, *v##_end = v ? v + (doc)->n_defs : v; v < v##_end; \
             v++)                                                                                       \
                if (v->kind == TOML_DEF_VALUE)

static bool is_bare_key(const char *s) {
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-'))
                        return false;
        return *s;
}

/* Write segments as a dotted key; non-bare segments get double quotes, as
 * containerd's `config default` writes "io.containerd.grpc.v1.cri". */
static void put_dotted_key(struct buf *b, const char *const *segs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        buf_putc(b, '.');
                if (is_bare_key(segs[i])) {
                        buf_puts(b, segs[i]);
                        continue;
                }
                buf_putc(b, '"');
                for (const char *p = segs[i]; *p; p++) {
                        if (*p == '"' || *p == '\\')
                                buf_putc(b, '\\');
                        buf_putc(b, *p);
                }
                buf_putc(b, '"');
        }
}

static size_t indent_len(const char *text, size_t line_start) {
        size_t n = 0;
        while (text[line_start + n] == ' ' || text[line_start + n] == '\t')
                n++;
        return n;
}

static int check_raw_value(const char *raw_value, char **ret_error);

/* The scan behind a plain get, table-exists or set: the arguments are checked first (a bad table, key
 * or raw value is -EINVAL before the text is looked at), then the text is scanned into *doc. */
static int scan_for(const char *text, size_t len, const char *const *table, const char *key,
                    const char *raw_value, struct toml_doc *doc, char **ret_error) {
        _cleanup_free_ char *tpath = NULL, *kpath = NULL;
        size_t depth;
        int r = table_to_path(table, key, &tpath, key ? &kpath : NULL, &depth, ret_error);
        if (r >= 0 && raw_value)
                r = check_raw_value(raw_value, ret_error);
        return r < 0 ? r : toml_scan(text, len, doc, ret_error);
}

int toml_scanned_new(const char *text, size_t len, struct toml_doc **ret, char **ret_error) {
        _cleanup_(toml_doc_free) struct toml_doc doc = {};
        int r = toml_scan(text, len, &doc, ret_error);
        if (r < 0)
                return r;
        *ret = xmalloc(sizeof(doc));
        **ret = doc;
        doc = (struct toml_doc){};
        return 0;
}

void toml_scanned_free(struct toml_doc *doc) {
        if (!doc)
                return;
        toml_doc_free(doc);
        free(doc);
}

int toml_scanned_get_value(const struct toml_doc *doc, const char *text, const char *const *table,
                           const char *key, char **ret_raw, unsigned *ret_line, char **ret_error) {
        _cleanup_free_ char *tpath = NULL, *kpath = NULL;
        size_t depth;
        int r;

        if ((r = table_to_path(table, key, &tpath, &kpath, &depth, ret_error)) < 0)
                return r;
        const struct toml_def *def = toml_doc_find_def(doc, kpath);
        if (!def)
                return 0;
        if (def->kind != TOML_DEF_VALUE) {
                _cleanup_free_ char *human = toml_path_human(kpath);
                set_error(ret_error, "line %u: '%s' is a table, not a value", def->line, human);
                return -EBADMSG;
        }
        if (ret_raw)
                *ret_raw =
                        xstrndup(text + def->value_start, toml_value_end(doc, text, def) - def->value_start);
        if (ret_line)
                *ret_line = def->line;
        return 1;
}

int toml_get_value(const char *text, size_t len, const char *const *table, const char *key, char **ret_raw,
                   unsigned *ret_line, char **ret_error) {
        _cleanup_(toml_doc_free) struct toml_doc doc = {};
        int r = scan_for(text, len, table, key, NULL, &doc, ret_error);
        return r < 0 ? r : toml_scanned_get_value(&doc, text, table, key, ret_raw, ret_line, ret_error);
}

int toml_scanned_table_exists(const struct toml_doc *doc, const char *text, const char *const *table,
                              char **ret_error) {
        _cleanup_free_ char *tpath = NULL;
        size_t depth;
        int r;

        if ((r = table_to_path(table, NULL, &tpath, NULL, &depth, ret_error)) < 0)
                return r;
        if (depth == 0)
                return 1;
        const struct toml_def *def = toml_doc_find_def(doc, tpath);
        if (!def || def->kind == TOML_DEF_ARRAY)
                return 0;
        if (def->kind != TOML_DEF_VALUE)
                return 1;
        return text[def->value_start] == '{';
}

int toml_table_exists(const char *text, size_t len, const char *const *table, char **ret_error) {
        _cleanup_(toml_doc_free) struct toml_doc doc = {};
        int r = scan_for(text, len, table, NULL, NULL, &doc, ret_error);
        return r < 0 ? r : toml_scanned_table_exists(&doc, text, table, ret_error);
}

/* The caller's value must be one complete TOML value and nothing else. */
static int check_raw_value(const char *raw_value, char **ret_error) {
        _cleanup_(toml_doc_free) struct toml_doc doc = {};
        _cleanup_free_ char *probe = xasprintf("k = %s\n", raw_value);
        _cleanup_free_ char *ignored = NULL;

        const struct toml_def *k = NULL;
        if (toml_scan(probe, strlen(probe), &doc, &ignored) < 0 || !(k = toml_doc_find_def(&doc, "k")) ||
            k->value_start != 4 || toml_value_end(&doc, probe, k) != 4 + strlen(raw_value)) {
                set_error(ret_error, "not a single TOML value: %s", raw_value);
                return -EINVAL;
        }
        return 0;
}

/* Refuse tables that live inside a value (inline table) or an array of tables. */
static int check_table_editable(const struct toml_doc *doc, const char *const *table, size_t depth,
                                char **ret_error) {
        _cleanup_free_ char *cur = xstrdup("");
        for (size_t i = 0; i < depth; i++) {
                char *next = toml_path_child(cur, table[i]);
                free(cur);
                cur = next;
                const struct toml_def *def = toml_doc_find_def(doc, cur);
                if (!def || (def->kind != TOML_DEF_VALUE && def->kind != TOML_DEF_ARRAY))
                        continue;
                _cleanup_free_ char *human = toml_path_human(cur);
                set_error(ret_error, "line %u: '%s' is %s; keys inside it are not edited", def->line, human,
                          def->kind == TOML_DEF_VALUE ? "a value (inline table?), not a table"
                                                      : "an array of tables");
                return -EBADMSG;
        }
        return 0;
}

struct edit {
        size_t offset, delete_len;
        struct buf insert;
};

/* Insert "key = value" as a new line after the last key line of a section
 * (restricted to keys inside table, for tables made of dotted keys; TOML_ROOT: any). */
static void plan_insert_in_section(const char *text, size_t len, const struct toml_doc *doc, size_t section,
                                   uint32_t table, const char *key_text, const char *raw_value,
                                   struct edit *edit) {
        const struct toml_def *last = NULL;
        /* The section's values lie between its start and the next one's (toml_value_section()). */
        size_t from = doc->sections[section].line_start,
               to = section + 1 < doc->n_sections ? doc->sections[section + 1].line_start : SIZE_MAX;
        FOREACH_VALUE(e, doc) {
                size_t at = e->value_start;
                if (at >= from && at < to && !toml_value_in_inline(doc, e) &&
                    (table == TOML_ROOT || toml_doc_def_within(doc, def_index(doc, e), table)))
                        last = e;
        }
        if (last || section > 0) {
                size_t line_start =
                        last ? toml_value_line_start(text, last) : doc->sections[section].line_start;
                edit->offset =
                        last ? toml_value_line_end(doc, text, last) : doc->sections[section].header_eol;
                buf_puts(&edit->insert, doc->eol);
                buf_append(&edit->insert, text + line_start, indent_len(text, line_start));
                buf_printf(&edit->insert, "%s = %s", key_text, raw_value);
        } else if (doc->n_sections > 1) {
                /* Empty root table: the key must come before the first header. */
                edit->offset = doc->sections[1].line_start;
                buf_printf(&edit->insert, "%s = %s%s", key_text, raw_value, doc->eol);
        } else {
                edit->offset = len;
                if (len > 0 && text[len - 1] != '\n')
                        buf_puts(&edit->insert, doc->eol);
                buf_printf(&edit->insert, "%s = %s%s", key_text, raw_value,
                           len > 0 && text[len - 1] != '\n' ? "" : doc->eol);
        }
}

/* A file that lacked a final newline still lacks one: the new table goes
 * after a line ending added to the last line, and ends without one. */
static void plan_append_table(const char *text, size_t len, const struct toml_doc *doc,
                              const char *const *table, size_t depth, const char *key_text,
                              const char *raw_value, struct edit *edit) {
        bool final_newline = len == 0 || text[len - 1] == '\n';
        edit->offset = len;
        if (!final_newline)
                buf_puts(&edit->insert, doc->eol);
        if (len > 0)
                buf_puts(&edit->insert, doc->eol);
        buf_putc(&edit->insert, '[');
        put_dotted_key(&edit->insert, table, depth);
        buf_printf(&edit->insert, "]%s  %s = %s%s", doc->eol, key_text, raw_value,
                   final_newline ? doc->eol : "");
}

/* A table so far only implied by [sub.tables] gets its header right before
 * the first of them, at its indentation: parent before child, as containerd's
 * `config default` writes them. */
static void plan_insert_table_before(const char *text, const struct toml_doc *doc, size_t sub,
                                     const char *const *table, size_t depth, const char *key_text,
                                     const char *raw_value, struct edit *edit) {
        size_t at = doc->sections[sub].line_start, indent = indent_len(text, at);
        edit->offset = at;
        buf_append(&edit->insert, text + at, indent);
        buf_putc(&edit->insert, '[');
        put_dotted_key(&edit->insert, table, depth);
        buf_printf(&edit->insert, "]%s", doc->eol);
        buf_append(&edit->insert, text + at, indent);
        buf_printf(&edit->insert, "  %s = %s%s%s", key_text, raw_value, doc->eol, doc->eol);
}

static size_t find_section(const struct toml_doc *doc, const struct toml_def *table) {
        for (size_t i = 0; i < doc->n_sections; i++)
                if (!doc->sections[i].is_array && doc->sections[i].def == def_index(doc, table))
                        return i;
        return SIZE_MAX;
}

/* The first [header] (or [[header]]) below table, in file order. */
static size_t find_first_subsection(const struct toml_doc *doc, const struct toml_def *table) {
        for (size_t i = 1; i < doc->n_sections; i++)
                if (toml_doc_def_within(doc, doc->sections[i].def, def_index(doc, table)))
                        return i;
        return SIZE_MAX;
}

/* Decide where the new or changed value goes; 0 when nothing needs to change. */
static int plan_set(const char *text, size_t len, const struct toml_doc *doc, const char *const *table,
                    size_t depth, const char *tpath, const char *kpath, const char *key,
                    const char *raw_value, struct edit *edit, char **ret_error) {
        int r;
        const struct toml_def *kdef = toml_doc_find_def(doc, kpath);
        if (kdef) {
                _cleanup_free_ char *human = toml_path_human(kpath);
                if (kdef->kind != TOML_DEF_VALUE) {
                        set_error(ret_error, "line %u: '%s' is a table, not a value", kdef->line, human);
                        return -EBADMSG;
                }
                size_t value_start = kdef->value_start,
                       old_len = toml_value_end(doc, text, kdef) - value_start;
                if (old_len == strlen(raw_value) && memcmp(text + value_start, raw_value, old_len) == 0)
                        return 0;
                if (toml_value_in_inline(doc, kdef) && strpbrk(raw_value, "\r\n")) {
                        set_error(ret_error,
                                  "line %u: '%s' is inside an inline table, which must stay on one line",
                                  kdef->line, human);
                        return -EBADMSG;
                }
                edit->offset = value_start;
                edit->delete_len = old_len;
                buf_puts(&edit->insert, raw_value);
                return 1;
        }

        /* Only now: an existing value inside an inline table may be replaced, but
         * nothing is added to inline tables or arrays of tables. */
        if ((r = check_table_editable(doc, table, depth, ret_error)) < 0)
                return r;

        _cleanup_free_ char *key_text = NULL;
        struct buf kb = {};
        put_dotted_key(&kb, &key, 1);
        key_text = buf_steal(&kb);

        const struct toml_def *tdef = depth > 0 ? toml_doc_find_def(doc, tpath) : NULL;
        if (depth == 0)
                plan_insert_in_section(text, len, doc, 0, TOML_ROOT, key_text, raw_value, edit);
        else if (tdef && tdef->kind == TOML_DEF_HEADER) {
                size_t section = find_section(doc, tdef);
                if (section == SIZE_MAX) {
                        set_error(ret_error, "line %u: table header not found", tdef->line);
                        return -EBADMSG;
                }
                plan_insert_in_section(text, len, doc, section, TOML_ROOT, key_text, raw_value, edit);
        } else if (tdef && tdef->kind == TOML_DEF_DOTTED) {
                const struct toml_def *owner = NULL;
                FOREACH_VALUE(v, doc)
                if (!owner && !toml_value_in_inline(doc, v) &&
                    toml_doc_def_within(doc, def_index(doc, v), def_index(doc, tdef)))
                        owner = v;
                if (!owner) {
                        set_error(ret_error, "line %u: cannot find the dotted keys that define this table",
                                  tdef->line);
                        return -EBADMSG;
                }
                /* The new key is written relative to the section holding the dotted keys. */
                size_t owner_section = toml_value_section(doc, owner);
                size_t base = toml_doc_depth(doc, doc->sections[owner_section].def);
                const char **rel = xmalloc((depth - base + 1) * sizeof(char *));
                for (size_t i = base; i < depth; i++)
                        rel[i - base] = table[i];
                rel[depth - base] = key;
                put_dotted_key(&kb, rel, depth - base + 1);
                free(rel);
                _cleanup_free_ char *dotted = buf_steal(&kb);
                plan_insert_in_section(text, len, doc, owner_section, def_index(doc, tdef), dotted,
                                       raw_value, edit);
        } else if (tdef && tdef->kind == TOML_DEF_IMPLICIT) {
                size_t sub = find_first_subsection(doc, tdef);
                if (sub == SIZE_MAX) {
                        set_error(ret_error, "line %u: cannot find the table headers that imply this table",
                                  tdef->line);
                        return -EBADMSG;
                }
                plan_insert_table_before(text, doc, sub, table, depth, key_text, raw_value, edit);
        } else
                plan_append_table(text, len, doc, table, depth, key_text, raw_value, edit);
        return 1;
}

/* The edit of toml_set_value() on a text scanned into *doc. When keep_scan, *doc ends as the scan
 * of the new text (the one that checks the edit) on success, and as the text's on failure. */
static int set_value(const char *text, size_t len, struct toml_doc *doc, bool keep_scan,
                     const char *const *table, const char *key, const char *raw_value, char **ret_text,
                     size_t *ret_len, char **ret_error) {
        _cleanup_free_ char *tpath = NULL, *kpath = NULL;
        struct edit edit = {};
        size_t depth;
        int r;

        if ((r = table_to_path(table, key, &tpath, &kpath, &depth, ret_error)) < 0)
                return r;
        if ((r = check_raw_value(raw_value, ret_error)) < 0)
                return r;
        r = plan_set(text, len, doc, table, depth, tpath, kpath, key, raw_value, &edit, ret_error);
        if (r <= 0) {
                buf_free(&edit.insert);
                return r;
        }

        /* Made to its size: a buf grown by doubling held up to twice the new text for the rest of the
         * run, as the plan takes it. */
        size_t tail = len - edit.offset - edit.delete_len;
        struct buf out = { .len = edit.offset + edit.insert.len + tail };
        out.cap = out.len + 1;
        out.data = xmalloc(out.cap);
        memcpy(out.data, text, edit.offset);
        memcpy(out.data + edit.offset, edit.insert.data, edit.insert.len);
        memcpy(out.data + edit.offset + edit.insert.len, text + edit.offset + edit.delete_len, tail);
        out.data[out.len] = 0;
        buf_free(&edit.insert);

        /* Belt and braces: the result must scan and give back exactly the value. The old text's scan is
         * done with first: a scan is several times its text, and two at once would double the peak. */
        _cleanup_(toml_doc_free) struct toml_doc check_doc = {};
        _cleanup_free_ char *check = NULL, *check_error = NULL;
        if (keep_scan)
                toml_doc_free(doc);
        r = toml_scan(out.data, out.len, &check_doc, &check_error);
        if (r >= 0)
                r = toml_scanned_get_value(&check_doc, out.data, table, key, &check, NULL, &check_error);
        if (r != 1 || !streq(check, raw_value)) {
                set_error(ret_error, "line %u: edit would not give a valid file (%s)",
                          line_of_offset(text, edit.offset), strempty(check_error));
                buf_free(&out);
                if (keep_scan) /* the text stays, and its scan with it: it scanned before */
                        (void) toml_scan(text, len, doc, NULL);
                return -EBADMSG;
        }
        if (keep_scan) {
                *doc = check_doc;
                check_doc = (struct toml_doc){};
        }
        *ret_len = out.len;
        *ret_text = buf_steal(&out);
        return 1;
}

int toml_set_value(const char *text, size_t len, const char *const *table, const char *key,
                   const char *raw_value, char **ret_text, size_t *ret_len, char **ret_error) {
        _cleanup_(toml_doc_free) struct toml_doc doc = {};
        int r = scan_for(text, len, table, key, raw_value, &doc, ret_error);
        return r < 0 ? r
                     : set_value(text, len, &doc, false, table, key, raw_value, ret_text, ret_len,
                                 ret_error);
}

int toml_scanned_set_value(struct toml_doc *doc, const char *text, size_t len, const char *const *table,
                           const char *key, const char *raw_value, char **ret_text, size_t *ret_len,
                           char **ret_error) {
        return set_value(text, len, doc, true, table, key, raw_value, ret_text, ret_len, ret_error);
}

struct range {
        size_t start, end;
};

static int range_cmp(const void *a, const void *b) {
        const struct range *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

/* If the item is alone on its line(s) (only blanks before it; after it at
 * most a comma and a comment), return the span of those whole lines. */
static bool item_owns_lines(const char *raw, const struct toml_array_item *item, struct range *ret) {
        size_t ls = item->start;
        while (ls > 0 && (raw[ls - 1] == ' ' || raw[ls - 1] == '\t'))
                ls--;
        if (ls == 0 || raw[ls - 1] != '\n')
                return false;
        size_t p = item->end;
        while (raw[p] == ' ' || raw[p] == '\t')
                p++;
        if (item->comma == p) {
                p++;
                while (raw[p] == ' ' || raw[p] == '\t')
                        p++;
        }
        if (raw[p] == '#')
                p += strcspn(raw + p, "\r\n");
        if (raw[p] == '\r' && raw[p + 1] == '\n')
                p += 2;
        else if (raw[p] == '\n')
                p++;
        else
                return false;
        *ret = (struct range){ .start = ls, .end = p };
        return true;
}

int toml_string_array_remove(const char *raw, const char *value, char **ret_raw, char **ret_error) {
        _cleanup_free_ struct toml_array_item *items = NULL;
        _cleanup_free_ bool *drop = NULL;
        _cleanup_free_ struct range *ranges = NULL;
        size_t n = 0, n_ranges = 0, kept = 0;
        int r;

        if ((r = toml_scan_array(raw, strlen(raw), &items, &n, ret_error)) < 0)
                return r;
        drop = xmalloc((n + 1) * sizeof(bool));
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = NULL;
                if (!items[i].is_string ||
                    toml_decode_string(raw + items[i].start, items[i].end - items[i].start, &s, ret_error) <
                            0) {
                        set_error(ret_error, "line %u: array element is not a string",
                                  line_of_offset(raw, items[i].start));
                        return -EBADMSG;
                }
                drop[i] = streq(s, value);
                kept += !drop[i];
        }
        if (kept == n)
                return 0;

        ranges = xmalloc(n * sizeof(struct range));
        for (size_t i = 0; i < n; i++) {
                if (!drop[i])
                        continue;
                struct range *rg = &ranges[n_ranges++];
                bool kept_after = false;
                size_t prev_kept = SIZE_MAX;
                for (size_t j = i + 1; j < n; j++)
                        kept_after = kept_after || !drop[j];
                for (size_t j = 0; j < i; j++)
                        if (!drop[j])
                                prev_kept = j;
                if (item_owns_lines(raw, &items[i], rg))
                        continue;
                if (kept_after) /* up to the next element: takes our comma with it */
                        *rg = (struct range){ .start = items[i].start, .end = items[i + 1].start };
                else if (prev_kept != SIZE_MAX) /* last kept one loses its comma, a trailing comma stays */
                        *rg = (struct range){ .start = items[prev_kept].end, .end = items[i].end };
                else
                        *rg = (struct range){ .start = items[i].start,
                                              .end = items[i].comma != SIZE_MAX ? items[i].comma + 1
                                                                                : items[i].end };
        }
        qsort(ranges, n_ranges, sizeof(struct range), range_cmp);

        struct buf out = {};
        size_t pos = 0;
        for (size_t i = 0; i < n_ranges; i++) {
                if (ranges[i].start > pos)
                        buf_append(&out, raw + pos, ranges[i].start - pos);
                if (ranges[i].end > pos)
                        pos = ranges[i].end;
        }
        buf_puts(&out, raw + pos);
        if (kept == 0 && !strpbrk(raw, "\n#")) {
                buf_free(&out);
                buf_puts(&out, "[]");
        }

        /* The result must still be an array of exactly the kept strings. */
        _cleanup_free_ struct toml_array_item *check = NULL;
        size_t n_check = 0;
        if (toml_scan_array(out.data, out.len, &check, &n_check, ret_error) < 0 || n_check != kept) {
                set_error(ret_error, "line 1: removing \"%s\" would not leave a valid array", value);
                buf_free(&out);
                return -EBADMSG;
        }
        *ret_raw = buf_steal(&out);
        return 1;
}

int toml_string_array_length(const char *raw, size_t *ret_n, char **ret_error) {
        _cleanup_free_ struct toml_array_item *items = NULL;
        size_t n = 0;
        int r;

        if ((r = toml_scan_array(raw, strlen(raw), &items, &n, ret_error)) < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (!items[i].is_string) {
                        set_error(ret_error, "line %u: array element is not a string",
                                  line_of_offset(raw, items[i].start));
                        return -EBADMSG;
                }
        *ret_n = n;
        return 0;
}

int toml_string_array_values(const char *raw, struct strv *ret, char **ret_error) {
        _cleanup_free_ struct toml_array_item *items = NULL;
        struct strv values = {};
        size_t n = 0;
        int r;

        if ((r = toml_scan_array(raw, strlen(raw), &items, &n, ret_error)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *s = NULL;
                if (!items[i].is_string ||
                    toml_decode_string(raw + items[i].start, items[i].end - items[i].start, &s, ret_error) <
                            0) {
                        set_error(ret_error, "line %u: array element is not a string",
                                  line_of_offset(raw, items[i].start));
                        strv_free(&values);
                        return -EBADMSG;
                }
                strv_push(&values, s);
        }
        for (size_t i = 0; i < values.n; i++)
                strv_push(ret, TAKE_PTR(values.items[i]));
        strv_free(&values);
        return 0;
}

char *toml_quote_string(const char *s) {
        struct buf b = {};
        buf_putc(&b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        buf_printf(&b, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        buf_printf(&b, "\\u%04x", *p);
                else
                        buf_putc(&b, (char) *p);
        }
        buf_putc(&b, '"');
        return buf_steal(&b);
}

int toml_unquote_string(const char *raw, char **ret) {
        _cleanup_free_ char *ignored = NULL;
        return toml_decode_string(raw, strlen(raw), ret, &ignored) < 0 ? -EINVAL : 0;
}
