/* SPDX-License-Identifier: MIT */
/* A strict TOML 1.0 scanner that records where every key, value and table
 * header sits, so edits can touch only the bytes they mean to. */
#include "formats/toml-scan.h"

#include <ctype.h>
#include <stdint.h>

#include "basic/util.h"

/* Nesting deeper than this is not a containerd config; refusing keeps the
 * recursion bounded on hostile input. */
#define TOML_MAX_DEPTH 32

struct scanner {
        const char *text;
        size_t len, pos;
        struct toml_doc *doc;
        char **error;
        size_t section;
        unsigned anon_counter;
};

_printf_(3, 4) static int fail_at(struct scanner *s, size_t off, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(s->error, "line %u: %s", line_of_offset(s->text, off < s->len ? off : s->len), msg);
        return -EBADMSG;
}

static int peek(const struct scanner *s, size_t ahead) {
        return s->pos + ahead < s->len ? (unsigned char) s->text[s->pos + ahead] : -1;
}

char *toml_path_child(const char *parent, const char *segment) {
        if (!*parent)
                return xstrdup(segment);
        return xasprintf("%s%c%s", parent, TOML_SEP, segment);
}

char *toml_path_human(const char *path) {
        struct buf b = {};
        const char *p = path;
        while (*p) {
                size_t n = strcspn(p, (const char[]){ TOML_SEP, 0 });
                bool bare = n > 0;
                for (size_t i = 0; i < n; i++)
                        bare = bare && (isalnum((unsigned char) p[i]) || p[i] == '_' || p[i] == '-');
                if (*p != TOML_ANON) {
                        if (b.len > 0)
                                buf_putc(&b, '.');
                        /* Quoted like a header, so segments with dots stay readable. */
                        if (!bare)
                                buf_putc(&b, '"');
                        buf_append(&b, p, n);
                        if (!bare)
                                buf_putc(&b, '"');
                }
                p += n;
                if (*p)
                        p++;
        }
        return buf_steal(&b);
}

const struct toml_def *toml_doc_find_def(const struct toml_doc *doc, const char *path) {
        for (size_t i = 0; i < doc->n_defs; i++)
                if (streq(doc->defs[i].path, path))
                        return &doc->defs[i];
        return NULL;
}

static struct toml_def *add_def(struct toml_doc *doc, const char *path, enum toml_def_kind kind,
                                unsigned line) {
        doc->defs = xrealloc(doc->defs, (doc->n_defs + 1) * sizeof(*doc->defs));
        doc->defs[doc->n_defs] = (struct toml_def){ .path = xstrdup(path), .kind = kind, .line = line };
        return &doc->defs[doc->n_defs++];
}

void toml_doc_free(struct toml_doc *doc) {
        for (size_t i = 0; i < doc->n_defs; i++)
                free(doc->defs[i].path);
        for (size_t i = 0; i < doc->n_sections; i++)
                free(doc->sections[i].path);
        for (size_t i = 0; i < doc->n_entries; i++)
                free(doc->entries[i].path);
        free(doc->defs);
        free(doc->sections);
        free(doc->entries);
        *doc = (struct toml_doc){};
}

static const char *def_kind_name(enum toml_def_kind kind) {
        switch (kind) {
        case TOML_DEF_VALUE:
                return "a value";
        case TOML_DEF_HEADER:
        case TOML_DEF_IMPLICIT:
                return "a table";
        case TOML_DEF_DOTTED:
                return "a table made by dotted keys";
        case TOML_DEF_ARRAY:
                return "an array of tables";
        }
        return "something else";
}

static bool is_control(int c) {
        return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void skip_blanks(struct scanner *s) {
        while (peek(s, 0) == ' ' || peek(s, 0) == '\t')
                s->pos++;
}

static int skip_comment(struct scanner *s) {
        /* Called at '#'; stops at the line ending. */
        for (; s->pos < s->len; s->pos++) {
                int c = (unsigned char) s->text[s->pos];
                if (c == '\n' || (c == '\r' && peek(s, 1) == '\n'))
                        return 0;
                if (is_control(c))
                        return fail_at(s, s->pos, "control character 0x%02x in comment", (unsigned) c);
        }
        return 0;
}

/* Consume a line ending (or accept end of input); anything else is refused. */
static int take_newline(struct scanner *s, const char *after) {
        if (s->pos >= s->len)
                return 0;
        if (s->text[s->pos] == '\n') {
                s->pos++;
                return 0;
        }
        if (s->text[s->pos] == '\r' && peek(s, 1) == '\n') {
                s->pos += 2;
                return 0;
        }
        return fail_at(s, s->pos, "unexpected text after %s", after);
}

/* After a value or header: blanks, an optional comment, then the line ending. */
static int finish_line(struct scanner *s, const char *after, size_t *ret_eol) {
        int r;
        skip_blanks(s);
        if (peek(s, 0) == '#' && (r = skip_comment(s)) < 0)
                return r;
        *ret_eol = s->pos;
        return take_newline(s, after);
}

static void put_utf8(struct buf *out, uint32_t cp) {
        if (cp < 0x80)
                buf_putc(out, (char) cp);
        else if (cp < 0x800) {
                buf_putc(out, (char) (0xc0 | (cp >> 6)));
                buf_putc(out, (char) (0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                buf_putc(out, (char) (0xe0 | (cp >> 12)));
                buf_putc(out, (char) (0x80 | ((cp >> 6) & 0x3f)));
                buf_putc(out, (char) (0x80 | (cp & 0x3f)));
        } else {
                buf_putc(out, (char) (0xf0 | (cp >> 18)));
                buf_putc(out, (char) (0x80 | ((cp >> 12) & 0x3f)));
                buf_putc(out, (char) (0x80 | ((cp >> 6) & 0x3f)));
                buf_putc(out, (char) (0x80 | (cp & 0x3f)));
        }
}

/* At a backslash inside a basic string. */
static int scan_escape(struct scanner *s, struct buf *out) {
        static const char simple[] = "b\bt\tn\nf\fr\r\"\"\\\\";
        size_t start = s->pos;
        int c = peek(s, 1);
        for (size_t i = 0; simple[i]; i += 2)
                if (c == simple[i]) {
                        buf_putc(out, simple[i + 1]);
                        s->pos += 2;
                        return 0;
                }
        if (c != 'u' && c != 'U')
                return fail_at(s, start, "invalid escape sequence in string");
        unsigned digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (unsigned i = 0; i < digits; i++) {
                int h = peek(s, 2 + i);
                if (h < 0 || !isxdigit(h))
                        return fail_at(s, start, "invalid unicode escape in string");
                cp = cp * 16 + (uint32_t) (isdigit(h) ? h - '0' : tolower(h) - 'a' + 10);
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
                return fail_at(s, start, "unicode escape is not a usable scalar value");
        put_utf8(out, cp);
        s->pos += 2 + digits;
        return 0;
}

/* At a quote; decodes into out (which may be a scratch buffer). */
static int scan_string(struct scanner *s, struct buf *out, bool is_key) {
        size_t start = s->pos;
        char q = s->text[s->pos];
        bool basic = q == '"';
        int r;

        if (peek(s, 1) == q && peek(s, 2) == q) {
                if (is_key)
                        return fail_at(s, start, "multi-line string used as a key");
                s->pos += 3;
                /* A newline right after the opening delimiter is trimmed. */
                if (peek(s, 0) == '\n')
                        s->pos++;
                else if (peek(s, 0) == '\r' && peek(s, 1) == '\n')
                        s->pos += 2;
                for (;;) {
                        int c = peek(s, 0);
                        if (c < 0)
                                return fail_at(s, start, "unterminated multi-line string");
                        if (c == q && peek(s, 1) == q && peek(s, 2) == q) {
                                size_t run = 3;
                                while (peek(s, run) == q)
                                        run++;
                                if (run > 5)
                                        return fail_at(s, s->pos,
                                                       "too many quotes closing a multi-line string");
                                for (size_t i = 3; i < run; i++)
                                        buf_putc(out, q);
                                s->pos += run;
                                return 0;
                        }
                        if (basic && c == '\\') {
                                size_t p = s->pos + 1;
                                while (p < s->len && (s->text[p] == ' ' || s->text[p] == '\t'))
                                        p++;
                                if (p < s->len && (s->text[p] == '\n' || s->text[p] == '\r')) {
                                        /* Line-ending backslash: drop it and all following whitespace. */
                                        s->pos = p;
                                        while (s->pos < s->len) {
                                                c = peek(s, 0);
                                                if (c == ' ' || c == '\t' || c == '\n')
                                                        s->pos++;
                                                else if (c == '\r' && peek(s, 1) == '\n')
                                                        s->pos += 2;
                                                else
                                                        break;
                                        }
                                        continue;
                                }
                                if ((r = scan_escape(s, out)) < 0)
                                        return r;
                                continue;
                        }
                        if (c == '\r' && peek(s, 1) == '\n') {
                                buf_putc(out, '\n');
                                s->pos += 2;
                                continue;
                        }
                        if (is_control(c) && c != '\n')
                                return fail_at(s, s->pos, "control character 0x%02x in string",
                                               (unsigned) c);
                        buf_putc(out, (char) c);
                        s->pos++;
                }
        }

        s->pos++;
        for (;;) {
                int c = peek(s, 0);
                if (c < 0 || c == '\n' || c == '\r')
                        return fail_at(s, start, "unterminated string");
                if (c == q) {
                        s->pos++;
                        return 0;
                }
                if (basic && c == '\\') {
                        if ((r = scan_escape(s, out)) < 0)
                                return r;
                        continue;
                }
                if (is_control(c))
                        return fail_at(s, s->pos, "control character 0x%02x in string", (unsigned) c);
                buf_putc(out, (char) c);
                s->pos++;
        }
}

static bool is_bare_key_char(int c) {
        return c >= 0 && (isalnum(c) || c == '_' || c == '-');
}

/* A possibly dotted key, as its unquoted segments. */
static int scan_key(struct scanner *s, struct strv *segs) {
        int r;
        for (;;) {
                skip_blanks(s);
                size_t start = s->pos;
                int c = peek(s, 0);
                if (c == '"' || c == '\'') {
                        struct buf b = {};
                        r = scan_string(s, &b, true);
                        if (r < 0) {
                                buf_free(&b);
                                return r;
                        }
                        if (b.len == 0 || memchr(b.data, 0, b.len) || strpbrk(b.data, "\x1e\x1f")) {
                                buf_free(&b);
                                return fail_at(s, start,
                                               "empty key or key with control characters is not supported");
                        }
                        strv_push(segs, buf_steal(&b));
                } else if (is_bare_key_char(c)) {
                        while (is_bare_key_char(peek(s, 0)))
                                s->pos++;
                        strv_push(segs, xstrndup(s->text + start, s->pos - start));
                } else
                        return fail_at(s, start, "expected a key");
                skip_blanks(s);
                if (peek(s, 0) != '.')
                        return 0;
                s->pos++;
        }
}

/* Match a fixed pattern where 'D' stands for any digit. */
static bool match_pattern(const char **p, const char *end, const char *pattern) {
        const char *s = *p;
        for (; *pattern; pattern++, s++)
                if (s >= end || (*pattern == 'D' ? !isdigit((unsigned char) *s) : *s != *pattern))
                        return false;
        *p = s;
        return true;
}

static bool looks_like_date(const char *t, size_t n) {
        return match_pattern(&t, t + n, "DDDD-DD-DD");
}

static bool match_time(const char **p, const char *end) {
        if (!match_pattern(p, end, "DD:DD:DD"))
                return false;
        if (*p < end && **p == '.') {
                const char *frac = ++*p;
                while (*p < end && isdigit((unsigned char) **p))
                        (*p)++;
                return *p > frac;
        }
        return true;
}

/* Offset date-time, local date-time, local date or local time. */
static bool valid_datetime(const char *t, size_t n) {
        const char *p = t, *end = t + n;
        if (match_time(&p, end))
                return p == end;
        if (!match_pattern(&p, end, "DDDD-DD-DD"))
                return false;
        if (p == end)
                return true;
        if (!strchr("Tt ", *p) || (p++, !match_time(&p, end)))
                return false;
        if (p < end && (*p == 'Z' || *p == 'z'))
                p++;
        else if (p < end && (*p == '+' || *p == '-')) {
                p++;
                if (!match_pattern(&p, end, "DD:DD"))
                        return false;
        }
        return p == end;
}

/* One or more digits from the set; '_' only between two digits. */
static bool match_digits(const char **p, const char *end, const char *digits) {
        const char *s = *p;
        while (s < end && *s && strchr(digits, *s)) {
                s++;
                if (s + 1 < end && *s == '_' && s[1] && strchr(digits, s[1]))
                        s++;
        }
        if (s == *p)
                return false;
        *p = s;
        return true;
}

static bool valid_number(const char *t, size_t n) {
        const char *p = t, *end = t + n;
        if (n > 2 && t[0] == '0' && strchr("xob", t[1]) && t[1]) {
                p += 2;
                return match_digits(&p, end,
                                    t[1] == 'x'   ? "0123456789abcdefABCDEF"
                                    : t[1] == 'o' ? "01234567"
                                                  : "01") &&
                       p == end;
        }
        if (*p == '+' || *p == '-')
                p++;
        const char *int_start = p;
        if (!match_digits(&p, end, "0123456789"))
                return false;
        if (*int_start == '0' && p - int_start > 1) /* no leading zeros */
                return false;
        if (p < end && *p == '.' && (p++, !match_digits(&p, end, "0123456789")))
                return false;
        if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                        p++;
                if (!match_digits(&p, end, "0123456789"))
                        return false;
        }
        return p == end;
}

/* Booleans, numbers and date-times are kept as plain tokens; this only has
 * to tell them from garbage, not compute them. */
static bool valid_plain_token(const char *t, size_t n) {
        static const char *const words[] = { "true", "false", "inf", "+inf", "-inf", "nan", "+nan", "-nan" };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (n == strlen(words[i]) && memcmp(t, words[i], n) == 0)
                        return true;
        return valid_datetime(t, n) || valid_number(t, n);
}

static int scan_value(struct scanner *s, const char *path, unsigned depth, struct toml_array_item **items,
                      size_t *n_items);

static int define_key(struct scanner *s, const char *base, const struct strv *segs, size_t key_off,
                      char **ret_path) {
        unsigned line = line_of_offset(s->text, key_off);
        _cleanup_free_ char *cur = xstrdup(base);
        for (size_t i = 0; i < segs->n; i++) {
                char *next = toml_path_child(cur, segs->items[i]);
                free(cur);
                cur = next;
                struct toml_def *def = (struct toml_def *) toml_doc_find_def(s->doc, cur);
                _cleanup_free_ char *human = toml_path_human(cur);
                if (i + 1 < segs->n) {
                        if (!def)
                                add_def(s->doc, cur, TOML_DEF_DOTTED, line);
                        else if (def->kind != TOML_DEF_DOTTED)
                                return fail_at(s, key_off,
                                               "dotted key extends '%s', already defined as %s on line %u",
                                               human, def_kind_name(def->kind), def->line);
                } else {
                        if (def)
                                return fail_at(s, key_off, "duplicate key '%s' (first defined on line %u)",
                                               human, def->line);
                        add_def(s->doc, cur, TOML_DEF_VALUE, line);
                }
        }
        *ret_path = TAKE_PTR(cur);
        return 0;
}

static void add_entry(struct scanner *s, char *owned_path, size_t line_start, size_t value_start,
                      bool in_inline) {
        struct toml_doc *d = s->doc;
        d->entries = xrealloc(d->entries, (d->n_entries + 1) * sizeof(*d->entries));
        d->entries[d->n_entries++] = (struct toml_entry){
                .path = owned_path,
                .section = s->section,
                .line_start = line_start,
                .value_start = value_start,
                .value_end = s->pos,
                .line_end = s->pos,
                .line = line_of_offset(s->text, value_start),
                .in_inline = in_inline,
        };
}

/* key = value, either on its own line or inside an inline table. */
static int scan_keyval(struct scanner *s, const char *base, size_t line_start, bool in_inline,
                       unsigned depth) {
        struct strv segs = {};
        _cleanup_free_ char *path = NULL;
        size_t key_off;
        int r;

        skip_blanks(s);
        key_off = s->pos;
        r = scan_key(s, &segs);
        if (r >= 0 && peek(s, 0) != '=')
                r = fail_at(s, s->pos, "expected '=' after key");
        if (r >= 0)
                r = define_key(s, base, &segs, key_off, &path);
        strv_free(&segs);
        if (r < 0)
                return r;
        s->pos++;
        skip_blanks(s);
        size_t value_start = s->pos;
        if ((r = scan_value(s, path, depth, NULL, NULL)) < 0)
                return r;
        add_entry(s, TAKE_PTR(path), line_start, value_start, in_inline);
        return 0;
}

static int scan_inline_table(struct scanner *s, const char *path, unsigned depth) {
        size_t start = s->pos;
        int r;
        s->pos++;
        skip_blanks(s);
        if (peek(s, 0) == '}') {
                s->pos++;
                return 0;
        }
        for (;;) {
                if ((r = scan_keyval(s, path, start, true, depth)) < 0)
                        return r;
                skip_blanks(s);
                int c = peek(s, 0);
                if (c == '}') {
                        s->pos++;
                        return 0;
                }
                if (c != ',')
                        return fail_at(s, c < 0 ? start : s->pos,
                                       c < 0 || c == '\n' || c == '\r'
                                               ? "unterminated inline table (must be on one line)"
                                               : "expected ',' or '}' in inline table");
                s->pos++;
                skip_blanks(s);
                if (peek(s, 0) == '}')
                        return fail_at(s, s->pos, "trailing comma in inline table");
        }
}

/* Whitespace, newlines and comments between array elements. */
static int skip_array_space(struct scanner *s) {
        int r;
        for (;;) {
                int c = peek(s, 0);
                if (c == ' ' || c == '\t' || c == '\n')
                        s->pos++;
                else if (c == '\r' && peek(s, 1) == '\n')
                        s->pos += 2;
                else if (c == '#') {
                        if ((r = skip_comment(s)) < 0)
                                return r;
                } else
                        return 0;
        }
}

static int scan_array(struct scanner *s, const char *path, unsigned depth, struct toml_array_item **items,
                      size_t *n_items) {
        size_t start = s->pos;
        int r;
        s->pos++;
        for (;;) {
                if ((r = skip_array_space(s)) < 0)
                        return r;
                if (peek(s, 0) < 0)
                        return fail_at(s, start, "unterminated array");
                if (peek(s, 0) == ']') {
                        s->pos++;
                        return 0;
                }
                size_t elem_start = s->pos;
                bool is_string = peek(s, 0) == '"' || peek(s, 0) == '\'';
                /* Tables inside arrays are anonymous: scanned and checked, never addressed. */
                _cleanup_free_ char *anon =
                        xasprintf("%s%c%cA%u", path, TOML_SEP, TOML_ANON, ++s->anon_counter);
                if ((r = scan_value(s, anon, depth + 1, NULL, NULL)) < 0)
                        return r;
                struct toml_array_item item = {
                        .start = elem_start, .end = s->pos, .comma = SIZE_MAX, .is_string = is_string
                };
                if ((r = skip_array_space(s)) < 0)
                        return r;
                if (peek(s, 0) == ',') {
                        item.comma = s->pos;
                        s->pos++;
                } else if (peek(s, 0) != ']')
                        return fail_at(s, peek(s, 0) < 0 ? start : s->pos,
                                       peek(s, 0) < 0 ? "unterminated array"
                                                      : "expected ',' or ']' in array");
                if (items) {
                        *items = xrealloc(*items, (*n_items + 1) * sizeof(**items));
                        (*items)[(*n_items)++] = item;
                }
        }
}

static int scan_value(struct scanner *s, const char *path, unsigned depth, struct toml_array_item **items,
                      size_t *n_items) {
        int c = peek(s, 0);
        if (depth > TOML_MAX_DEPTH)
                return fail_at(s, s->pos, "values nested too deeply");
        if (c == '"' || c == '\'') {
                struct buf scratch = {};
                int r = scan_string(s, &scratch, false);
                buf_free(&scratch);
                return r;
        }
        if (c == '[')
                return scan_array(s, path, depth, items, n_items);
        if (c == '{')
                return scan_inline_table(s, path, depth);

        size_t start = s->pos;
        for (;;) {
                while (s->pos < s->len &&
                       (isalnum((unsigned char) s->text[s->pos]) || strchr("_+-.:", s->text[s->pos])))
                        s->pos++;
                /* "1979-05-27 07:32:00" may use a space between date and time. */
                if (s->pos - start == 10 && looks_like_date(s->text + start, 10) && peek(s, 0) == ' ' &&
                    peek(s, 1) >= 0 && isdigit(peek(s, 1)) && peek(s, 3) == ':') {
                        s->pos++;
                        continue;
                }
                break;
        }
        if (s->pos == start)
                return fail_at(s, start, "expected a value");
        if (!valid_plain_token(s->text + start, s->pos - start))
                return fail_at(s, start, "not a valid TOML value: '%.*s'", (int) (s->pos - start),
                               s->text + start);
        return 0;
}

static struct toml_section *add_section(struct toml_doc *d, char *owned_path, bool is_array,
                                        size_t line_start) {
        d->sections = xrealloc(d->sections, (d->n_sections + 1) * sizeof(*d->sections));
        d->sections[d->n_sections] =
                (struct toml_section){ .path = owned_path, .is_array = is_array, .line_start = line_start };
        return &d->sections[d->n_sections++];
}

/* Resolve a [header] or [[header]] against what is already defined. */
static int define_header(struct scanner *s, const struct strv *segs, bool is_array, size_t off,
                         char **ret_path) {
        unsigned line = line_of_offset(s->text, off);
        _cleanup_free_ char *cur = xstrdup("");
        for (size_t i = 0; i < segs->n; i++) {
                char *next = toml_path_child(cur, segs->items[i]);
                free(cur);
                cur = next;
                struct toml_def *def = (struct toml_def *) toml_doc_find_def(s->doc, cur);
                _cleanup_free_ char *human = toml_path_human(cur);
                bool last = i + 1 == segs->n;
                if (!def)
                        def = add_def(s->doc, cur,
                                      !last      ? TOML_DEF_IMPLICIT
                                      : is_array ? TOML_DEF_ARRAY
                                                 : TOML_DEF_HEADER,
                                      line);
                else if (def->kind == TOML_DEF_VALUE)
                        return fail_at(s, off, "table '%s' is already defined as a value on line %u", human,
                                       def->line);
                else if (last && is_array && def->kind != TOML_DEF_ARRAY)
                        return fail_at(s, off, "[[%s]] is already defined as %s on line %u", human,
                                       def_kind_name(def->kind), def->line);
                else if (last && !is_array && def->kind == TOML_DEF_IMPLICIT) {
                        def->kind = TOML_DEF_HEADER;
                        def->line = line;
                } else if (last && !is_array && def->kind != TOML_DEF_ARRAY)
                        return fail_at(s, off, "duplicate table [%s] (already defined as %s on line %u)",
                                       human, def_kind_name(def->kind), def->line);
                else if (last && !is_array)
                        return fail_at(s, off, "[%s] is already an array of tables (line %u)", human,
                                       def->line);

                if (def->kind == TOML_DEF_ARRAY) {
                        if (last && is_array)
                                def->elements++;
                        char *elem = xasprintf("%s%c%c%u", cur, TOML_SEP, TOML_ANON, def->elements);
                        free(cur);
                        cur = elem;
                }
        }
        *ret_path = TAKE_PTR(cur);
        return 0;
}

static int scan_header(struct scanner *s, size_t line_start) {
        size_t off = s->pos;
        bool is_array = peek(s, 1) == '[';
        struct strv segs = {};
        char *path = NULL;
        int r;

        s->pos += is_array ? 2 : 1;
        r = scan_key(s, &segs);
        if (r >= 0 && (peek(s, 0) != ']' || (is_array && peek(s, 1) != ']')))
                r = fail_at(s, s->pos, "bad table header: expected '%s'", is_array ? "]]" : "]");
        if (r >= 0) {
                s->pos += is_array ? 2 : 1;
                r = define_header(s, &segs, is_array, off, &path);
        }
        strv_free(&segs);
        if (r < 0)
                return r;

        struct toml_section *sec = add_section(s->doc, path, is_array, line_start);
        sec->line = line_of_offset(s->text, off);
        s->section = s->doc->n_sections - 1;
        return finish_line(s, "table header", &s->doc->sections[s->section].header_eol);
}

int toml_scan(const char *text, size_t len, struct toml_doc *ret, char **ret_error) {
        struct toml_doc doc = {};
        struct scanner s = { .text = text, .len = len, .doc = &doc, .error = ret_error };
        int r = 0;

        if ((r = refuse_nul(text, len, ret_error)) < 0)
                return r;
        doc.eol = detect_eol(text, len);
        add_section(&doc, xstrdup(""), false, 0);

        while (r >= 0 && s.pos < len) {
                size_t line_start = s.pos;
                skip_blanks(&s);
                int c = peek(&s, 0);
                if (c == '#')
                        r = skip_comment(&s);
                if (r < 0)
                        break;
                c = peek(&s, 0);
                if (c < 0 || c == '\n' || c == '\r')
                        r = take_newline(&s, "blank line");
                else if (c == '[')
                        r = scan_header(&s, line_start);
                else {
                        r = scan_keyval(&s, doc.sections[s.section].path, line_start, false, 0);
                        if (r >= 0) {
                                struct toml_entry *e = &doc.entries[doc.n_entries - 1];
                                r = finish_line(&s, "value", &e->line_end);
                        }
                }
        }
        if (r < 0) {
                toml_doc_free(&doc);
                return r;
        }
        *ret = doc;
        return 0;
}

int toml_scan_array(const char *raw, size_t len, struct toml_array_item **ret_items, size_t *ret_n,
                    char **ret_error) {
        struct toml_doc doc = {};
        struct scanner s = { .text = raw, .len = len, .doc = &doc, .error = ret_error };
        struct toml_array_item *items = NULL;
        size_t n = 0;
        int r;

        if (len == 0 || raw[0] != '[' || memchr(raw, 0, len)) {
                set_error(ret_error, "line 1: not an array");
                return -EBADMSG;
        }
        r = scan_array(&s, "", 0, &items, &n);
        if (r >= 0 && s.pos != len)
                r = fail_at(&s, s.pos, "unexpected text after array");
        toml_doc_free(&doc);
        if (r < 0) {
                free(items);
                return r;
        }
        *ret_items = items;
        *ret_n = n;
        return 0;
}

int toml_decode_string(const char *raw, size_t len, char **ret, char **ret_error) {
        struct scanner s = { .text = raw, .len = len, .error = ret_error };
        struct buf b = {};
        int r;

        if (len == 0 || (raw[0] != '"' && raw[0] != '\'') || memchr(raw, 0, len)) {
                set_error(ret_error, "line 1: not a string");
                return -EBADMSG;
        }
        r = scan_string(&s, &b, false);
        if (r >= 0 && s.pos != len)
                r = fail_at(&s, s.pos, "unexpected text after string");
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = buf_steal(&b);
        return 0;
}
