/* SPDX-License-Identifier: MIT */
/* Builds the node tree of yaml-tree.h from libyaml's event stream, turning
 * libyaml's character marks into byte offsets of the original text; and
 * writes scalars back in a chosen style. */
#include "formats/yaml-tree.h"

#include "basic/util.h"

/* libyaml counts marks in characters (a CRLF counts two, a UTF-8 BOM none); this cursor turns a
 * character index into the byte offset of that character. Marks come nearly in order, so it walks
 * from the last answer: a table of every character's offset cost 8 bytes per input byte (24 MB
 * for a 3 MB config.yaml). ASCII text (the usual) needs no walk at all. */
struct char_cursor {
        const char *text;
        size_t len;
        size_t start; /* the first character's byte: after a BOM */
        bool ascii;
        size_t ch, byte; /* character ch starts at byte (byte == len: past the end) */
};

static bool is_continuation(const struct char_cursor *c, size_t byte) {
        return ((unsigned char) c->text[byte] & 0xC0) == 0x80;
}

static void char_cursor_init(const char *text, size_t len, struct char_cursor *c) {
        size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        *c = (struct char_cursor){ .text = text, .len = len, .start = bom, .ascii = true };
        for (size_t i = bom; i < len && c->ascii; i++)
                c->ascii = (unsigned char) text[i] < 0x80;
        c->byte = bom;
        while (c->byte < len && is_continuation(c, c->byte))
                c->byte++;
        c->start = c->byte;
}

static size_t char_offsets_get(struct char_cursor *c, size_t index) {
        if (c->ascii)
                return index < c->len - c->start ? c->start + index : c->len;
        while (c->ch < index && c->byte < c->len) {
                c->byte++;
                while (c->byte < c->len && is_continuation(c, c->byte))
                        c->byte++;
                c->ch++;
        }
        while (c->ch > index) {
                c->byte--;
                while (c->byte > c->start && is_continuation(c, c->byte))
                        c->byte--;
                c->ch--;
        }
        return c->byte;
}

/* ---- the arena: blocks that only grow, freed at once ---- */

struct yarena {
        struct yarena *next;
        size_t used, cap;
        max_align_t data[];
};

static void *arena_alloc(struct yarena **a, size_t n) {
        n = (n + 7) & ~(size_t) 7;
        if (!*a || (*a)->cap - (*a)->used < n) {
                size_t cap = n > 64 * 1024 ? n : 64 * 1024;
                struct yarena *block = xmalloc(sizeof(*block) + cap);
                *block = (struct yarena){ .next = *a, .cap = cap };
                *a = block;
        }
        void *p = (char *) (*a)->data + (*a)->used;
        (*a)->used += n;
        return p;
}

static char *arena_strndup(struct yarena **a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        memcpy(p, s, n);
        p[n] = 0;
        return p;
}

static void arena_free(struct yarena *a) {
        while (a) {
                struct yarena *next = a->next;
                free(a);
                a = next;
        }
}

void ystream_free(struct ystream *s) {
        arena_free(s->arena);
        free(s->docs);
        *s = (struct ystream){};
}

struct tree_builder {
        struct ynode *stack[YTREE_MAX_DEPTH];
        size_t base[YTREE_MAX_DEPTH]; /* where each open collection's children start in pending */
        size_t depth;
        struct ynode **pending; /* the children of the open collections, innermost last */
        size_t n_pending, cap_pending;
        struct ystream stream;
        /* ystream_parse_each(): each document handed over and dropped as it ends. */
        ydoc_fn fn;
        void *userdata;
        size_t n_docs;
        int fn_error;
        char **fn_message;
};

static char *arena_cstr(struct tree_builder *b, const unsigned char *s) {
        return s ? arena_strndup(&b->stream.arena, (const char *) s, strlen((const char *) s)) : NULL;
}

static struct ynode *ynode_new(struct tree_builder *b, enum ynode_kind kind, const yaml_event_t *e,
                               struct char_cursor *co, const unsigned char *tag,
                               const unsigned char *anchor) {
        struct ynode *n = arena_alloc(&b->stream.arena, sizeof(*n));
        *n = (struct ynode){
                .kind = (uint8_t) kind,
                .start = (uint32_t) char_offsets_get(co, e->start_mark.index),
                .end = (uint32_t) char_offsets_get(co, e->end_mark.index),
                .line = (uint32_t) e->start_mark.line + 1,
                .tag = arena_cstr(b, tag),
                .anchor = arena_cstr(b, anchor),
        };
        return n;
}

/* Attach a finished or opened node to its parent (whose children wait in pending until it
 * ends), or make it the root. */
static int builder_place(struct tree_builder *b, struct ynode *n) {
        if (b->depth > 0) {
                if (b->n_pending == b->cap_pending) {
                        b->cap_pending = b->cap_pending ? 2 * b->cap_pending : 64;
                        b->pending = xrealloc(b->pending, b->cap_pending * sizeof(*b->pending));
                }
                b->pending[b->n_pending++] = n;
        } else if (b->stream.n_docs > 0 && !b->stream.docs[b->stream.n_docs - 1].root)
                b->stream.docs[b->stream.n_docs - 1].root = n;
        else
                return -EINVAL;
        return 0;
}

/* A document ended: hand it to fn and drop it (ystream_parse_each). */
static void builder_document_end(struct tree_builder *b) {
        if (!b->fn)
                return;
        if (b->fn_error >= 0)
                b->fn_error = b->fn(b->n_docs, &b->stream.docs[0], b->userdata, b->fn_message);
        b->n_docs++;
        arena_free(b->stream.arena);
        b->stream.arena = NULL;
        b->stream.n_docs = 0;
}

static int builder_event(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co,
                         char **ret_error) {
        struct ynode *n;

        switch (e->type) {
        case YAML_DOCUMENT_START_EVENT:
                b->stream.docs = xrealloc(b->stream.docs, (b->stream.n_docs + 1) * sizeof(struct ydoc));
                b->stream.docs[b->stream.n_docs++] = (struct ydoc){
                        .start = char_offsets_get(co, e->start_mark.index),
                };
                return 0;
        case YAML_SCALAR_EVENT:
                n = ynode_new(b, YNODE_SCALAR, e, co, e->data.scalar.tag, e->data.scalar.anchor);
                n->style = (uint8_t) e->data.scalar.style;
                n->value = arena_strndup(&b->stream.arena, (const char *) e->data.scalar.value,
                                         e->data.scalar.length);
                n->value_len = (uint32_t) e->data.scalar.length;
                return builder_place(b, n);
        case YAML_ALIAS_EVENT:
                n = ynode_new(b, YNODE_ALIAS, e, co, NULL, NULL);
                n->value = arena_cstr(b, e->data.alias.anchor);
                return builder_place(b, n);
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
                bool mapping = e->type == YAML_MAPPING_START_EVENT;
                if (b->depth >= YTREE_MAX_DEPTH) {
                        set_error(ret_error, "line %zu: nesting deeper than %d levels",
                                  e->start_mark.line + 1, YTREE_MAX_DEPTH);
                        return -EBADMSG;
                }
                n = mapping ? ynode_new(b, YNODE_MAPPING, e, co, e->data.mapping_start.tag,
                                        e->data.mapping_start.anchor)
                            : ynode_new(b, YNODE_SEQUENCE, e, co, e->data.sequence_start.tag,
                                        e->data.sequence_start.anchor);
                n->flow = mapping ? e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                                  : e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
                int r = builder_place(b, n);
                if (r < 0)
                        return r;
                b->base[b->depth] = b->n_pending;
                b->stack[b->depth++] = n;
                return 0;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: {
                if (b->depth == 0)
                        return -EINVAL;
                n = b->stack[--b->depth];
                n->end = (uint32_t) char_offsets_get(co, e->end_mark.index);
                size_t base = b->base[b->depth], count = b->n_pending - base;
                n->n_children = (uint32_t) count;
                if (count) {
                        n->children = arena_alloc(&b->stream.arena, count * sizeof(*n->children));
                        memcpy(n->children, b->pending + base, count * sizeof(*n->children));
                }
                b->n_pending = base;
                return 0;
        }
        case YAML_DOCUMENT_END_EVENT:
                builder_document_end(b);
                return 0;
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_STREAM_END_EVENT:
                return 0;
        }
        return 0;
}

static int parse(const char *text, size_t len, struct tree_builder *b, char **ret_error) {
        if (len >= 2 && (memcmp(text, "\xfe\xff", 2) == 0 || memcmp(text, "\xff\xfe", 2) == 0)) {
                set_error(ret_error, "line 1: UTF-16 text is not supported");
                return -EBADMSG;
        }
        if (len >= UINT32_MAX) {
                set_error(ret_error, "line 1: a text of 4 GiB or more is not supported");
                return -EFBIG;
        }

        struct char_cursor co;
        char_cursor_init(text, len, &co);

        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);

        int r = 0;
        for (bool done = false; !done;) {
                yaml_event_t e;
                if (!yaml_parser_parse(&parser, &e)) {
                        /* The problem mark is where libyaml noticed; the
                         * context mark (if any) is usually where the
                         * construct began, but the problem line is what a
                         * person needs to look at first. */
                        size_t line = parser.problem_mark.line + 1;
                        if (parser.context)
                                set_error(ret_error, "line %zu: %s %s", line, parser.context,
                                          strempty(parser.problem));
                        else
                                set_error(ret_error, "line %zu: %s", line, strempty(parser.problem));
                        r = -EBADMSG;
                        break;
                }
                done = e.type == YAML_STREAM_END_EVENT;
                r = builder_event(b, &e, &co, ret_error);
                yaml_event_delete(&e);
                if (r < 0)
                        break;
        }
        yaml_parser_delete(&parser);
        free(b->pending);
        b->pending = NULL;

        if (r < 0) {
                set_error(ret_error, "line 1: cannot build the document tree");
                ystream_free(&b->stream);
                return r;
        }
        return 0;
}

int ystream_parse(const char *text, size_t len, struct ystream *ret, char **ret_error) {
        struct tree_builder b = {};
        int r = parse(text, len, &b, ret_error);
        if (r < 0)
                return r;
        *ret = b.stream;
        return 0;
}

int ystream_parse_each(const char *text, size_t len, ydoc_fn fn, void *userdata, size_t *ret_n_docs,
                       char **ret_error) {
        /* fn's message waits: a refusal of the text later in the stream is what counts. */
        _cleanup_free_ char *fn_message = NULL;
        struct tree_builder b = { .fn = fn, .userdata = userdata, .fn_message = &fn_message };
        int r = parse(text, len, &b, ret_error);
        if (r < 0)
                return r;
        ystream_free(&b.stream);
        if (ret_n_docs)
                *ret_n_docs = b.n_docs;
        if (b.fn_error < 0 && ret_error && !*ret_error)
                *ret_error = TAKE_PTR(fn_message);
        return b.fn_error < 0 ? b.fn_error : 0;
}

size_t ynode_content_end(const struct ynode *n) {
        if ((n->kind == YNODE_MAPPING || n->kind == YNODE_SEQUENCE) && !n->flow)
                return n->n_children > 0 ? ynode_content_end(n->children[n->n_children - 1]) : n->start;
        return n->end;
}

struct ynode *ymapping_lookup(const struct ynode *map, const char *key, size_t *ret_count,
                              size_t *ret_index) {
        struct ynode *found = NULL;
        size_t count = 0, index = 0;
        for (size_t i = 0; i + 1 < map->n_children; i += 2) {
                const struct ynode *k = map->children[i];
                if (k->kind != YNODE_SCALAR || k->value_len != strlen(key) || !streq(k->value, key))
                        continue;
                found = map->children[i + 1];
                index = i / 2;
                count++;
        }
        if (ret_count)
                *ret_count = count;
        if (ret_index)
                *ret_index = index;
        return found;
}

/* ---- scalar formatting for the editor ---- */

static bool plain_is_safe(const char *s, bool flow) {
        size_t n = strlen(s);
        if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
                return false;
        if (strchr(",[]{}#&*!|>'\"%@`", s[0]))
                return false;
        if (strchr("-?:", s[0]) && (n == 1 || s[1] == ' '))
                return false;
        if (startswith(s, "---") || startswith(s, "..."))
                return false;
        if (strstr(s, ": ") || strstr(s, " #"))
                return false;
        for (const char *p = s; *p; p++) {
                unsigned char ch = (unsigned char) *p;
                if (ch < 0x20 || ch == 0x7f)
                        return false;
                if (flow && strchr(",[]{}", ch))
                        return false;
        }
        return true;
}

static bool is_json_literal(const char *s) {
        if (streq(s, "true") || streq(s, "false") || streq(s, "null"))
                return true;
        const char *p = s;
        if (*p == '-')
                p++;
        if (!(*p >= '0' && *p <= '9') || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
                return false;
        while (*p >= '0' && *p <= '9')
                p++;
        if (*p == '.') {
                p++;
                if (!(*p >= '0' && *p <= '9'))
                        return false;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p == 'e' || *p == 'E') {
                p++;
                if (*p == '+' || *p == '-')
                        p++;
                if (!(*p >= '0' && *p <= '9'))
                        return false;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        return *p == 0;
}

void yaml_put_double_quoted(struct buf *b, const char *s) {
        buf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"':
                        buf_puts(b, "\\\"");
                        break;
                case '\\':
                        buf_puts(b, "\\\\");
                        break;
                case '\n':
                        buf_puts(b, "\\n");
                        break;
                case '\t':
                        buf_puts(b, "\\t");
                        break;
                case '\r':
                        buf_puts(b, "\\r");
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                buf_printf(b, "\\x%02x", *p);
                        else
                                buf_putc(b, (char) *p);
                }
        }
        buf_putc(b, '"');
}

static bool has_control_chars(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return true;
        return false;
}

/* Write s as a scalar: in the given quote style when it can hold s, else
 * plain when safe, else double-quoted. json: keep a JSON file JSON. */
void yaml_put_scalar(struct buf *b, const char *s, yaml_scalar_style_t style, bool flow, bool json) {
        if (json) {
                if (is_json_literal(s))
                        buf_puts(b, s);
                else
                        yaml_put_double_quoted(b, s);
        } else if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE && !has_control_chars(s)) {
                buf_putc(b, '\'');
                for (const char *p = s; *p; p++)
                        buf_puts(b, *p == '\'' ? "''" : (char[]){ *p, 0 });
                buf_putc(b, '\'');
        } else if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE || !plain_is_safe(s, flow))
                yaml_put_double_quoted(b, s);
        else
                buf_puts(b, s);
}

int ytext_check_line_breaks(const char *text, size_t len, char **ret_error) {
        static const char *const breaks[] = { "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9" };
        for (size_t i = 0; i < len; i++) {
                /* Only a CR or the first byte of NEL (C2) or LS/PS (E2) can start one. */
                if (text[i] != '\r' && text[i] != '\xc2' && text[i] != '\xe2')
                        continue;
                bool bad = text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n');
                for (size_t k = 0; !bad && k < ELEMENTSOF(breaks); k++)
                        bad = len - i >= strlen(breaks[k]) &&
                              memcmp(text + i, breaks[k], strlen(breaks[k])) == 0;
                if (bad) {
                        set_error(ret_error, "line %u: %s line break (only \\n and \\r\\n are supported)",
                                  line_of_offset(text, i),
                                  text[i] == '\r' ? "carriage return as a" : "Unicode");
                        return -EBADMSG;
                }
        }
        return 0;
}
