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

/* Where the arena stands, to drop what was allocated after (arena_release()). */
struct yarena_mark {
        struct yarena *block;
        size_t used;
};

static struct yarena_mark arena_mark(struct yarena *a) {
        return (struct yarena_mark){ .block = a, .used = a ? a->used : 0 };
}

static void arena_release(struct yarena **a, struct yarena_mark m) {
        if (*a == m.block) {
                if (*a)
                        (*a)->used = m.used;
                return;
        }
        /* Blocks begun since the mark: the newest stays, emptied, for what comes next; freeing it
         * too would cost a block's malloc and free for every pair dropped near a block's end. The
         * rest of the mark's block goes unused. */
        struct yarena *keep = *a, *p = keep->next;
        while (p != m.block) {
                struct yarena *next = p->next;
                free(p);
                p = next;
        }
        keep->used = 0;
        keep->next = m.block;
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

/* What the builder makes of a node: everything, or for ystream_parse_path() less. */
enum role {
        ROLE_WHOLE,   /* the node and all below it */
        ROLE_PATH,    /* a mapping on the path: the pairs an edit looks at (struct path_level) */
        ROLE_PARTIAL, /* a collection as a partial node: below it, only its first child, bare */
        ROLE_NONE,    /* nothing: below a partial node, or in a document not asked for */
};

struct frame {
        struct ynode *node; /* NULL for ROLE_NONE */
        size_t base;        /* where its children start in pending */
        size_t level;       /* ROLE_PATH: path[level] is the key looked for */
        /* ROLE_PARTIAL, ROLE_NONE: the character index where its content ends so far (its start,
         * then the content end of its last child), for ynode_content_end() of a partial node. */
        size_t content_end;
        uint8_t role; /* enum role */
        bool flow;
        bool any_child;
};

/* The state of the mapping open at one level of the path. A pair is kept or dropped once the
 * next key shows whether that key is the one looked for (then the pair before it is kept); the
 * last pair stays. */
struct path_level {
        size_t children;              /* keys and values begun */
        size_t pair_base;             /* pending index of the current pair's key */
        struct yarena_mark pair_mark; /* the arena before the current pair */
        int column;                   /* ytext_key_column() of the first key, block mappings */
        bool keep;                    /* the current pair stays, whatever follows */
        bool matched;                 /* the current pair's key is path[level] */
        bool merge_kept, misaligned_kept, exemplar_kept;
};

struct tree_builder {
        struct frame frames[YTREE_MAX_DEPTH];
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
        /* ystream_parse_path(): path NULL otherwise. */
        const char *text;
        const char *const *path;
        size_t path_len, doc;
        struct path_level *levels; /* one per key of path */
        bool building;             /* the document being parsed is built (not so in another one) */
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

static bool is_collection_start(const yaml_event_t *e) {
        return e->type == YAML_MAPPING_START_EVENT || e->type == YAML_SEQUENCE_START_EVENT;
}

/* The role of the node reached by following level keys of the path. */
static enum role path_role(const struct tree_builder *b, const yaml_event_t *e, size_t level) {
        if (!b->path || level == b->path_len)
                return ROLE_WHOLE;
        if (e->type == YAML_MAPPING_START_EVENT)
                return ROLE_PATH;
        /* Refused as not a mapping before anything below it is looked at. */
        return e->type == YAML_SEQUENCE_START_EVENT ? ROLE_PARTIAL : ROLE_WHOLE;
}

/* A key begins in a mapping of the path: settle the pair before it, and see whether this one is
 * kept whatever follows. What yaml-edit.c looks for in such a mapping decides (yaml-tree.h). */
static void path_pair_begin(struct tree_builder *b, const struct frame *f, struct path_level *l,
                            const yaml_event_t *e, struct char_cursor *co) {
        const char *want = b->path[f->level];
        bool scalar = e->type == YAML_SCALAR_EVENT, first = l->children == 0;
        bool matched = scalar && e->data.scalar.length == strlen(want) &&
                       memcmp(e->data.scalar.value, want, e->data.scalar.length) == 0;
        bool merge = scalar && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                     streq((const char *) e->data.scalar.value, "<<");

        if (!first && !l->keep && !matched) {
                arena_release(&b->stream.arena, l->pair_mark);
                b->n_pending = l->pair_base;
        }
        bool after_match = !first && l->matched;
        l->pair_mark = arena_mark(b->stream.arena);
        l->pair_base = b->n_pending;
        l->matched = matched;
        l->keep = first || after_match || matched;
        if (merge && !l->merge_kept)
                l->keep = l->merge_kept = true;
        if (!f->node->flow) {
                int column = ytext_key_column(b->text, char_offsets_get(co, e->start_mark.index));
                if (first)
                        l->column = column;
                else if (l->column >= 0 && column != l->column && !l->misaligned_kept)
                        l->keep = l->misaligned_kept = true;
        }
}

/* The role of a node about to begin, from its parent's; and what the parent keeps of it. */
static enum role builder_child_role(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co) {
        if (!b->path) /* the whole tree: nothing to decide, the common case kept cheap */
                return ROLE_WHOLE;
        if (b->depth == 0)
                return b->building ? path_role(b, e, 0) : ROLE_NONE;
        struct frame *p = &b->frames[b->depth - 1];
        if (p->role == ROLE_WHOLE)
                return ROLE_WHOLE;
        if (p->role == ROLE_PATH) {
                struct path_level *l = &b->levels[p->level];
                bool key = l->children % 2 == 0;
                if (key)
                        path_pair_begin(b, p, l, e, co);
                l->children++;
                if (!key && l->matched)
                        return path_role(b, e, p->level + 1);
                return is_collection_start(e) ? ROLE_PARTIAL : ROLE_WHOLE;
        }
        if (p->node && !p->any_child) {
                /* A partial node's first child, bare: where an indentation is read from. */
                struct ynode *first = arena_alloc(&b->stream.arena, sizeof(*first));
                size_t start = char_offsets_get(co, e->start_mark.index);
                *first = (struct ynode){
                        .kind = (uint8_t) (e->type == YAML_SCALAR_EVENT          ? YNODE_SCALAR
                                           : e->type == YAML_ALIAS_EVENT         ? YNODE_ALIAS
                                           : e->type == YAML_MAPPING_START_EVENT ? YNODE_MAPPING
                                                                                 : YNODE_SEQUENCE),
                        .start = (uint32_t) start,
                        .end = (uint32_t) start,
                        .line = (uint32_t) e->start_mark.line + 1,
                        .partial = true,
                };
                p->node->children = arena_alloc(&b->stream.arena, sizeof(*p->node->children));
                p->node->children[0] = first;
                p->node->n_children = 1;
        }
        p->any_child = true;
        return ROLE_NONE;
}

/* A node ended (n NULL when none was built) with its content ending at character index
 * content_end: what its parent learns of it. */
static void builder_child_done(struct tree_builder *b, const struct ynode *n, size_t content_end) {
        if (!b->path || b->depth == 0)
                return;
        struct frame *p = &b->frames[b->depth - 1];
        if (p->role == ROLE_PARTIAL || p->role == ROLE_NONE) {
                p->content_end = content_end;
                return;
        }
        if (p->role != ROLE_PATH || p->level != 0 || p->node->flow)
                return;
        /* A value of the root: the first block mapping indented deeper than the root's keys is what
         * a new nested mapping takes its indentation step from. */
        struct path_level *l = &b->levels[0];
        if (l->children % 2 == 0 && !l->exemplar_kept && l->column >= 0 && n->kind == YNODE_MAPPING &&
            !n->flow && n->n_children > 0 && ytext_key_column(b->text, n->children[0]->start) > l->column)
                l->keep = l->exemplar_kept = true;
}

static int builder_leaf(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co) {
        struct ynode *n = NULL;
        if (builder_child_role(b, e, co) != ROLE_NONE) {
                if (e->type == YAML_SCALAR_EVENT) {
                        n = ynode_new(b, YNODE_SCALAR, e, co, e->data.scalar.tag, e->data.scalar.anchor);
                        n->style = (uint8_t) e->data.scalar.style;
                        n->value = arena_strndup(&b->stream.arena, (const char *) e->data.scalar.value,
                                                 e->data.scalar.length);
                        n->value_len = (uint32_t) e->data.scalar.length;
                } else {
                        n = ynode_new(b, YNODE_ALIAS, e, co, NULL, NULL);
                        n->value = arena_cstr(b, e->data.alias.anchor);
                }
                int r = builder_place(b, n);
                if (r < 0)
                        return r;
        }
        builder_child_done(b, n, e->end_mark.index);
        return 0;
}

static int builder_open(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co,
                        char **ret_error) {
        bool mapping = e->type == YAML_MAPPING_START_EVENT;
        if (b->depth >= YTREE_MAX_DEPTH) {
                set_error(ret_error, "line %zu: nesting deeper than %d levels", e->start_mark.line + 1,
                          YTREE_MAX_DEPTH);
                return -EBADMSG;
        }
        size_t level = b->depth > 0 ? b->frames[b->depth - 1].level + 1 : 0;
        enum role role = builder_child_role(b, e, co);
        bool flow = mapping ? e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                            : e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        struct ynode *n = NULL;
        if (role != ROLE_NONE) {
                n = mapping ? ynode_new(b, YNODE_MAPPING, e, co, e->data.mapping_start.tag,
                                        e->data.mapping_start.anchor)
                            : ynode_new(b, YNODE_SEQUENCE, e, co, e->data.sequence_start.tag,
                                        e->data.sequence_start.anchor);
                n->flow = flow;
                n->partial = role == ROLE_PARTIAL;
                int r = builder_place(b, n);
                if (r < 0)
                        return r;
        }
        if (role == ROLE_PATH)
                b->levels[level] = (struct path_level){};
        b->frames[b->depth++] = (struct frame){
                .node = n,
                .base = b->n_pending,
                .level = level,
                .content_end = e->start_mark.index,
                .role = (uint8_t) role,
                .flow = flow,
        };
        return 0;
}

static int builder_close(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co) {
        if (b->depth == 0)
                return -EINVAL;
        struct frame *f = &b->frames[--b->depth];
        struct ynode *n = f->node;
        if (f->role == ROLE_PARTIAL || f->role == ROLE_NONE) {
                size_t content_end = f->flow ? e->end_mark.index : f->content_end;
                if (n)
                        n->end = (uint32_t) char_offsets_get(co, content_end);
                builder_child_done(b, n, content_end);
                return 0;
        }
        n->end = (uint32_t) char_offsets_get(co, e->end_mark.index);
        size_t count = b->n_pending - f->base;
        n->n_children = (uint32_t) count;
        if (count) {
                n->children = arena_alloc(&b->stream.arena, count * sizeof(*n->children));
                memcpy(n->children, b->pending + f->base, count * sizeof(*n->children));
        }
        b->n_pending = f->base;
        builder_child_done(b, n, e->end_mark.index);
        return 0;
}

static void builder_document_start(struct tree_builder *b, const yaml_event_t *e, struct char_cursor *co) {
        /* ystream_parse_path(): the documents after doc are only counted. */
        b->building = !b->path || b->stream.n_docs == b->doc;
        if (b->path && b->stream.n_docs > b->doc) {
                b->stream.n_docs++;
                return;
        }
        b->stream.docs = xrealloc(b->stream.docs, (b->stream.n_docs + 1) * sizeof(struct ydoc));
        b->stream.docs[b->stream.n_docs++] = (struct ydoc){
                .start = char_offsets_get(co, e->start_mark.index),
        };
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
        switch (e->type) {
        case YAML_DOCUMENT_START_EVENT:
                builder_document_start(b, e, co);
                return 0;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
                return builder_leaf(b, e, co);
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
                return builder_open(b, e, co, ret_error);
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
                return builder_close(b, e, co);
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

int ystream_parse_path(const char *text, size_t len, size_t doc, const char *const *path,
                       struct ystream *ret, char **ret_error) {
        struct tree_builder b = { .text = text, .path = path, .doc = doc };
        while (path[b.path_len])
                b.path_len++;
        b.levels = xmalloc((b.path_len ? b.path_len : 1) * sizeof(*b.levels));
        int r = parse(text, len, &b, ret_error);
        free(b.levels);
        if (r < 0)
                return r;
        *ret = b.stream;
        return 0;
}

size_t ynode_content_end(const struct ynode *n) {
        if (n->partial)
                return n->end;
        if ((n->kind == YNODE_MAPPING || n->kind == YNODE_SEQUENCE) && !n->flow)
                return n->n_children > 0 ? ynode_content_end(n->children[n->n_children - 1]) : n->start;
        return n->end;
}

int ytext_key_column(const char *text, size_t start) {
        size_t ls = line_start_of(text, start);
        for (size_t i = ls; i < start; i++)
                if (text[i] != ' ')
                        return text[i] == '\t' ? YCOLUMN_TAB : YCOLUMN_NOT_FIRST;
        return (int) (start - ls);
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
