/* SPDX-License-Identifier: MIT */
/* A strict TOML 1.0 scanner that records where every key, value and table
 * header sits, so edits can touch only the bytes they mean to. */
#include "formats/toml-scan.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>

#include "basic/name-index.h"
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
        struct line_cursor lines; /* line numbers, counted as the scan advances */
        struct buf scratch;       /* string values are decoded here, only to check them */
        struct buf segs;          /* the segments of the key scanned last, each ended by a NUL */
};

static unsigned line_at(struct scanner *s, size_t off) {
        return line_cursor_at(&s->lines, off);
}

_printf_(3, 4) static int fail_at(struct scanner *s, size_t off, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(s->error, "line %u: %s", line_at(s, off < s->len ? off : s->len), msg);
        return -EBADMSG;
}

static int peek(const struct scanner *s, size_t ahead) {
        return s->pos + ahead < s->len ? (unsigned char) s->text[s->pos + ahead] : -1;
}

/* parent, sep, segment as one new string; sep 0 when parent is "". A path for every key of a document:
 * no printf for them. */
static char *path_join(const char *parent, char sep, const char *segment, size_t segment_len) {
        size_t n = strlen(parent);
        char *p = xmalloc(n + !!sep + segment_len + 1);
        memcpy(p, parent, n);
        if (sep)
                p[n++] = sep;
        memcpy(p + n, segment, segment_len);
        p[n + segment_len] = 0;
        return p;
}

char *toml_path_child(const char *parent, const char *segment) {
        return path_join(parent, *parent ? TOML_SEP : 0, segment, strlen(segment));
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

static const char *def_segment(const struct toml_doc *doc, uint32_t def) {
        return doc->segments.data + doc->defs[def].segment;
}

/* Segments are kept once each: a config repeats the same few keys in every table of a kind. */
static uint32_t *find_segment_slot(const struct toml_doc *doc, const char *segment, size_t n) {
        size_t mask = doc->n_segment_slots - 1, i = name_index_hash(segment, n) & mask;
        for (;; i = (i + 1) & mask) {
                uint32_t *slot = &doc->segment_slots[i];
                if (*slot == 0)
                        return slot;
                const char *seg = doc->segments.data + *slot - 1;
                if (strncmp(seg, segment, n) == 0 && seg[n] == 0)
                        return slot;
        }
}

/* The offset of a segment in the doc's segments, or TOML_ROOT when no def has it. */
static uint32_t find_segment(const struct toml_doc *doc, const char *segment, size_t n) {
        return doc->n_segment_slots > 0 ? find_segment_slot(doc, segment, n)[0] - 1 : TOML_ROOT;
}

static uint32_t add_segment(struct toml_doc *doc, const char *segment, size_t n) {
        uint32_t off = find_segment(doc, segment, n);
        if (off != TOML_ROOT)
                return off;
        if ((doc->n_segments + 1) * 2 > doc->n_segment_slots) {
                size_t n_slots = doc->n_segment_slots ? doc->n_segment_slots * 2 : 64;
                free(doc->segment_slots);
                doc->segment_slots = xmalloc(n_slots * sizeof(*doc->segment_slots));
                memset(doc->segment_slots, 0, n_slots * sizeof(*doc->segment_slots));
                doc->n_segment_slots = n_slots;
                for (size_t o = 0; o < doc->segments.len;) {
                        const char *seg = doc->segments.data + o;
                        size_t len = strlen(seg);
                        *find_segment_slot(doc, seg, len) = (uint32_t) o + 1;
                        o += len + 1;
                }
        }
        off = (uint32_t) doc->segments.len;
        buf_append(&doc->segments, segment, n);
        buf_putc(&doc->segments, 0);
        *find_segment_slot(doc, segment, n) = off + 1;
        doc->n_segments++;
        return off;
}

static size_t child_hash(uint32_t parent, uint32_t segment) {
        uint32_t key[2] = { parent, segment };
        return name_index_hash((const char *) key, sizeof(key));
}

/* The slot of parent's child by segment: the one holding it, or the empty one it would go to. */
static uint32_t *find_slot(const struct toml_doc *doc, uint32_t parent, uint32_t segment) {
        size_t mask = doc->n_slots - 1, i = child_hash(parent, segment) & mask;
        for (;; i = (i + 1) & mask) {
                uint32_t *slot = &doc->slots[i];
                if (*slot == 0 ||
                    (doc->defs[*slot - 1].parent == parent && doc->defs[*slot - 1].segment == segment))
                        return slot;
        }
}

static uint32_t find_child(const struct toml_doc *doc, uint32_t parent, const char *segment, size_t n) {
        uint32_t seg = find_segment(doc, segment, n);
        return seg != TOML_ROOT && doc->n_slots > 0 ? find_slot(doc, parent, seg)[0] - 1 : TOML_ROOT;
}

/* At most half full: the defs are distinct, each goes to the first empty slot of its probe. */
static void grow_slots(struct toml_doc *doc) {
        size_t n_slots = doc->n_slots ? doc->n_slots * 2 : 64;
        free(doc->slots);
        doc->slots = xmalloc(n_slots * sizeof(*doc->slots));
        memset(doc->slots, 0, n_slots * sizeof(*doc->slots));
        doc->n_slots = n_slots;
        for (size_t i = 0; i < doc->n_defs; i++)
                *find_slot(doc, doc->defs[i].parent, doc->defs[i].segment) = (uint32_t) i + 1;
}

/* A new def, parent's child by segment (which it must not have yet). */
static uint32_t add_child(struct toml_doc *doc, uint32_t parent, const char *segment, size_t n,
                          enum toml_def_kind kind, unsigned line) {
        if ((doc->n_defs + 1) * 2 > doc->n_slots)
                grow_slots(doc);
        uint32_t idx = (uint32_t) doc->n_defs, seg = add_segment(doc, segment, n);
        doc->defs = xrealloc_grow(doc->defs, doc->n_defs, sizeof(*doc->defs));
        doc->defs[doc->n_defs++] =
                (struct toml_def){ .parent = parent, .segment = seg, .line = line, .kind = kind };
        *find_slot(doc, parent, seg) = idx + 1;
        return idx;
}

const struct toml_def *toml_doc_find_def(const struct toml_doc *doc, const char *path) {
        uint32_t cur = TOML_ROOT;
        if (!*path)
                return NULL;
        for (const char *p = path;; p++) {
                size_t n = strcspn(p, (const char[]){ TOML_SEP, 0 });
                if ((cur = find_child(doc, cur, p, n)) == TOML_ROOT)
                        return NULL;
                p += n;
                if (!*p)
                        return &doc->defs[cur];
        }
}

size_t toml_doc_depth(const struct toml_doc *doc, uint32_t def) {
        size_t n = 0;
        for (; def != TOML_ROOT; def = doc->defs[def].parent)
                n++;
        return n;
}

char *toml_doc_path(const struct toml_doc *doc, uint32_t def) {
        size_t depth = toml_doc_depth(doc, def), len = 0;
        uint32_t *chain = xmalloc((depth + 1) * sizeof(*chain));
        for (size_t i = depth; i > 0; i--, def = doc->defs[def].parent) {
                chain[i - 1] = def;
                len += strlen(def_segment(doc, def)) + 1;
        }
        char *path = xmalloc(len + 1), *p = path;
        for (size_t i = 0; i < depth; i++) {
                if (i > 0)
                        *p++ = TOML_SEP;
                p = stpcpy(p, def_segment(doc, chain[i]));
        }
        *p = 0;
        free(chain);
        return path;
}

bool toml_doc_def_within(const struct toml_doc *doc, uint32_t def, uint32_t table) {
        if (table == TOML_ROOT)
                return def != TOML_ROOT;
        while (def != TOML_ROOT && (def = doc->defs[def].parent) != TOML_ROOT)
                if (def == table)
                        return true;
        return false;
}

/* The readable path of a def, for a message. */
static char *def_human(const struct toml_doc *doc, uint32_t def) {
        _cleanup_free_ char *path = toml_doc_path(doc, def);
        return toml_path_human(path);
}

/* parent's child by segment, made (an anonymous table) when it is not there yet. */
static uint32_t anon_child(struct toml_doc *doc, uint32_t parent, const char *segment, size_t n,
                           unsigned line) {
        uint32_t def = find_child(doc, parent, segment, n);
        return def != TOML_ROOT ? def : add_child(doc, parent, segment, n, TOML_DEF_ANON, line);
}

void toml_doc_free(struct toml_doc *doc) {
        free(doc->defs);
        free(doc->slots);
        free(doc->segment_slots);
        buf_free(&doc->segments);
        free(doc->sections);
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
        case TOML_DEF_ANON:
                break;
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
                /* The run of plain characters up to the next quote, backslash or control character. */
                size_t run = s->pos;
                while (run < s->len && s->text[run] != q && s->text[run] != '\\' &&
                       !is_control((unsigned char) s->text[run]))
                        run++;
                buf_append(out, s->text + s->pos, run - s->pos);
                s->pos = run;
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

/* A possibly dotted key, as its unquoted segments: in s->segs, each ended by a NUL; *ret_n of them. */
static int scan_key(struct scanner *s, size_t *ret_n) {
        int r;
        s->segs.len = 0;
        for (*ret_n = 0;; (*ret_n)++) {
                skip_blanks(s);
                size_t start = s->pos, mark = s->segs.len;
                int c = peek(s, 0);
                if (c == '"' || c == '\'') {
                        if ((r = scan_string(s, &s->segs, true)) < 0)
                                return r;
                        const char *seg = s->segs.data + mark;
                        size_t n = s->segs.len - mark;
                        if (n == 0 || memchr(seg, 0, n) || memchr(seg, TOML_ANON, n) ||
                            memchr(seg, TOML_SEP, n))
                                return fail_at(s, start,
                                               "empty key or key with control characters is not supported");
                } else if (is_bare_key_char(c)) {
                        while (is_bare_key_char(peek(s, 0)))
                                s->pos++;
                        buf_append(&s->segs, s->text + start, s->pos - start);
                } else
                        return fail_at(s, start, "expected a key");
                buf_putc(&s->segs, 0);
                skip_blanks(s);
                if (peek(s, 0) != '.') {
                        (*ret_n)++;
                        return 0;
                }
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

static int scan_value(struct scanner *s, uint32_t table, unsigned depth, struct toml_array_item **items,
                      size_t *n_items);

static int define_key(struct scanner *s, uint32_t base, size_t n_segs, size_t key_off, uint32_t *ret_def) {
        struct toml_doc *doc = s->doc;
        unsigned line = line_at(s, key_off);
        const char *seg = s->segs.data;
        uint32_t cur = base;
        for (size_t i = 0; i < n_segs; i++, seg += strlen(seg) + 1) {
                size_t n = strlen(seg);
                uint32_t def = find_child(doc, cur, seg, n);
                /* The readable path is made for a message only: for every key it cost a tenth of a scan. */
                _cleanup_free_ char *human = NULL;
                if (i + 1 < n_segs) {
                        if (def == TOML_ROOT)
                                def = add_child(doc, cur, seg, n, TOML_DEF_DOTTED, line);
                        else if (doc->defs[def].kind != TOML_DEF_DOTTED)
                                return fail_at(s, key_off,
                                               "dotted key extends '%s', already defined as %s on line %u",
                                               human = def_human(doc, def),
                                               def_kind_name(doc->defs[def].kind), doc->defs[def].line);
                } else {
                        if (def != TOML_ROOT)
                                return fail_at(s, key_off, "duplicate key '%s' (first defined on line %u)",
                                               human = def_human(doc, def), doc->defs[def].line);
                        def = add_child(doc, cur, seg, n, TOML_DEF_VALUE, line);
                }
                cur = def;
        }
        *ret_def = cur;
        return 0;
}

/* key = value, either on its own line or inside an inline table; base: the table it is in. */
static int scan_keyval(struct scanner *s, uint32_t base, unsigned depth) {
        uint32_t def = TOML_ROOT;
        size_t key_off, n_segs;
        int r;

        skip_blanks(s);
        key_off = s->pos;
        r = scan_key(s, &n_segs);
        if (r >= 0 && peek(s, 0) != '=')
                r = fail_at(s, s->pos, "expected '=' after key");
        if (r >= 0)
                r = define_key(s, base, n_segs, key_off, &def);
        if (r < 0)
                return r;
        s->pos++;
        skip_blanks(s);
        s->doc->defs[def].value_start = (uint32_t) s->pos;
        return scan_value(s, def, depth, NULL, NULL);
}

static int scan_inline_table(struct scanner *s, uint32_t table, unsigned depth) {
        size_t start = s->pos;
        int r;
        s->pos++;
        skip_blanks(s);
        if (peek(s, 0) == '}') {
                s->pos++;
                return 0;
        }
        for (;;) {
                if ((r = scan_keyval(s, table, depth)) < 0)
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

static int scan_array(struct scanner *s, uint32_t table, unsigned depth, struct toml_array_item **items,
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
                /* Tables inside arrays are anonymous: scanned and checked, never addressed. Only a
                 * table defines anything under its own: an array's elements get theirs, and the
                 * other values no def (an array of a million numbers held a million). */
                char seg[32];
                int n = snprintf(seg, sizeof(seg), "%cA%u", TOML_ANON, ++s->anon_counter);
                uint32_t elem = peek(s, 0) == '{' ? add_child(s->doc, table, seg, (size_t) n, TOML_DEF_ANON,
                                                              line_at(s, elem_start))
                                                  : table;
                if ((r = scan_value(s, elem, depth + 1, NULL, NULL)) < 0)
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
                        *items = xrealloc_grow(*items, *n_items, sizeof(**items));
                        (*items)[(*n_items)++] = item;
                }
        }
}

static int scan_value(struct scanner *s, uint32_t table, unsigned depth, struct toml_array_item **items,
                      size_t *n_items) {
        int c = peek(s, 0);
        if (depth > TOML_MAX_DEPTH)
                return fail_at(s, s->pos, "values nested too deeply");
        if (c == '"' || c == '\'') {
                s->scratch.len = 0;
                return scan_string(s, &s->scratch, false);
        }
        if (c == '[')
                return scan_array(s, table, depth, items, n_items);
        if (c == '{')
                return scan_inline_table(s, table, depth);

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

static void add_section(struct toml_doc *d, uint32_t def, bool is_array, size_t line_start) {
        d->sections = xrealloc_grow(d->sections, d->n_sections, sizeof(*d->sections));
        d->sections[d->n_sections++] = (struct toml_section){ .def = def,
                                                              .line_start = (uint32_t) line_start,
                                                              .is_array = is_array };
}

/* Resolve a [header] or [[header]] (its segments in s->segs) against what is already defined. */
static int define_header(struct scanner *s, size_t n_segs, bool is_array, size_t off, uint32_t *ret_def) {
        struct toml_doc *doc = s->doc;
        unsigned line = line_at(s, off);
        const char *seg = s->segs.data;
        uint32_t cur = TOML_ROOT;
        for (size_t i = 0; i < n_segs; i++, seg += strlen(seg) + 1) {
                size_t n = strlen(seg);
                uint32_t idx = find_child(doc, cur, seg, n);
                _cleanup_free_ char *human = NULL; /* made for a message only */
                bool last = i + 1 == n_segs;
                bool made = idx == TOML_ROOT;
                if (made)
                        idx = add_child(doc, cur, seg, n,
                                        !last      ? TOML_DEF_IMPLICIT
                                        : is_array ? TOML_DEF_ARRAY
                                                   : TOML_DEF_HEADER,
                                        line);
                struct toml_def *def = &doc->defs[idx];
                if (made)
                        ;
                else if (def->kind == TOML_DEF_VALUE)
                        return fail_at(s, off, "table '%s' is already defined as a value on line %u",
                                       human = def_human(doc, idx), def->line);
                else if (last && is_array && def->kind != TOML_DEF_ARRAY)
                        return fail_at(s, off, "[[%s]] is already defined as %s on line %u",
                                       human = def_human(doc, idx), def_kind_name(def->kind), def->line);
                else if (last && !is_array && def->kind == TOML_DEF_IMPLICIT) {
                        def->kind = TOML_DEF_HEADER;
                        def->line = line;
                } else if (last && !is_array && def->kind != TOML_DEF_ARRAY)
                        return fail_at(s, off, "duplicate table [%s] (already defined as %s on line %u)",
                                       human = def_human(doc, idx), def_kind_name(def->kind), def->line);
                else if (last && !is_array)
                        return fail_at(s, off, "[%s] is already an array of tables (line %u)",
                                       human = def_human(doc, idx), def->line);

                cur = idx;
                if (def->kind == TOML_DEF_ARRAY) {
                        if (last && is_array)
                                def->elements++;
                        char elem[32];
                        int k = snprintf(elem, sizeof(elem), "%c%u", TOML_ANON, def->elements);
                        cur = anon_child(doc, idx, elem, (size_t) k, line);
                }
        }
        *ret_def = cur;
        return 0;
}

static int scan_header(struct scanner *s, size_t line_start) {
        size_t off = s->pos, n_segs;
        bool is_array = peek(s, 1) == '[';
        uint32_t def = TOML_ROOT;
        int r;

        s->pos += is_array ? 2 : 1;
        r = scan_key(s, &n_segs);
        if (r >= 0 && (peek(s, 0) != ']' || (is_array && peek(s, 1) != ']')))
                r = fail_at(s, s->pos, "bad table header: expected '%s'", is_array ? "]]" : "]");
        if (r >= 0) {
                s->pos += is_array ? 2 : 1;
                r = define_header(s, n_segs, is_array, off, &def);
        }
        if (r < 0)
                return r;

        add_section(s->doc, def, is_array, line_start);
        s->section = s->doc->n_sections - 1;
        size_t eol;
        r = finish_line(s, "table header", &eol);
        s->doc->sections[s->section].header_eol = (uint32_t) eol;
        return r;
}

/* What a scanner holds besides the document. */
static void scanner_done(struct scanner *s) {
        buf_free(&s->scratch);
        buf_free(&s->segs);
}

/* The arrays of a finished scan lose what doubling left unused: the scan is held while fixers ask
 * their questions. */
static void doc_trim(struct toml_doc *doc) {
        if (doc->n_defs > 0)
                doc->defs = xrealloc(doc->defs, doc->n_defs * sizeof(*doc->defs));
        doc->sections = xrealloc(doc->sections, doc->n_sections * sizeof(*doc->sections));
        if (doc->segments.len > 0) {
                doc->segments.data = xrealloc(doc->segments.data, doc->segments.len + 1);
                doc->segments.cap = doc->segments.len + 1;
        }
}

int toml_scan(const char *text, size_t len, struct toml_doc *ret, char **ret_error) {
        struct toml_doc doc = {};
        struct scanner s = {
                .text = text, .len = len, .doc = &doc, .error = ret_error, .lines = LINE_CURSOR(text)
        };
        int r = 0;

        if ((r = refuse_nul(text, len, ret_error)) < 0)
                return r;
        /* Offsets are 32 bits, and the segments of anonymous tables may outgrow the text a few
         * times; a file read is at most READ_FILE_MAX, far below. */
        if (len > UINT32_MAX / 16) {
                set_error(ret_error, "line 1: too large for a TOML file");
                return -EFBIG;
        }
        doc.eol = detect_eol(text, len);
        doc.len = len;
        add_section(&doc, TOML_ROOT, false, 0);

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
                        size_t eol; /* found again by toml_value_line_end() */
                        r = scan_keyval(&s, doc.sections[s.section].def, 0);
                        if (r >= 0)
                                r = finish_line(&s, "value", &eol);
                }
        }
        scanner_done(&s);
        if (r < 0) {
                toml_doc_free(&doc);
                return r;
        }
        doc_trim(&doc);
        *ret = doc;
        return 0;
}

/* A value scanned again from its start, alone: it scanned before, in a context that allowed no more. */
size_t toml_value_end(const struct toml_doc *doc, const char *text, const struct toml_def *v) {
        struct toml_doc alone = {};
        struct scanner s = { .text = text,
                             .len = doc->len,
                             .pos = v->value_start,
                             .doc = &alone,
                             .lines = LINE_CURSOR(text) };
        int r = scan_value(&s, TOML_ROOT, 0, NULL, NULL);
        assert(r >= 0);
        scanner_done(&s);
        toml_doc_free(&alone);
        return s.pos;
}

/* Inside an inline table: below a value, or below a table of an array value (an [[array]]'s
 * elements are its tables). */
bool toml_value_in_inline(const struct toml_doc *doc, const struct toml_def *v) {
        for (uint32_t d = v->parent; d != TOML_ROOT; d = doc->defs[d].parent) {
                uint32_t parent = doc->defs[d].parent;
                if (doc->defs[d].kind == TOML_DEF_VALUE ||
                    (doc->defs[d].kind == TOML_DEF_ANON &&
                     (parent == TOML_ROOT || doc->defs[parent].kind != TOML_DEF_ARRAY)))
                        return true;
        }
        return false;
}

/* The last section starting at or before the value: the sections are in the text's order. */
size_t toml_value_section(const struct toml_doc *doc, const struct toml_def *v) {
        size_t lo = 0, hi = doc->n_sections;
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (doc->sections[mid].line_start <= v->value_start)
                        lo = mid;
                else
                        hi = mid;
        }
        return lo;
}

/* Nothing but blanks comes before a key on its line: the scan of a line starts after a line ending. */
size_t toml_value_line_start(const char *text, const struct toml_def *v) {
        return line_start_of(text, v->value_start);
}

/* What finish_line() skips after a value. */
size_t toml_value_line_end(const struct toml_doc *doc, const char *text, const struct toml_def *v) {
        size_t p = toml_value_end(doc, text, v), len = doc->len;
        while (p < len && (text[p] == ' ' || text[p] == '\t'))
                p++;
        if (p < len && text[p] == '#')
                while (p < len && text[p] != '\n' &&
                       !(text[p] == '\r' && p + 1 < len && text[p + 1] == '\n'))
                        p++;
        return p;
}

int toml_scan_array(const char *raw, size_t len, struct toml_array_item **ret_items, size_t *ret_n,
                    char **ret_error) {
        struct toml_doc doc = {};
        struct scanner s = {
                .text = raw, .len = len, .doc = &doc, .error = ret_error, .lines = LINE_CURSOR(raw)
        };
        struct toml_array_item *items = NULL;
        size_t n = 0;
        int r;

        if (len == 0 || raw[0] != '[' || memchr(raw, 0, len)) {
                set_error(ret_error, "line 1: not an array");
                return -EBADMSG;
        }
        r = scan_array(&s, TOML_ROOT, 0, &items, &n);
        if (r >= 0 && s.pos != len)
                r = fail_at(&s, s.pos, "unexpected text after array");
        scanner_done(&s);
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
        struct scanner s = { .text = raw, .len = len, .error = ret_error, .lines = LINE_CURSOR(raw) };
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
