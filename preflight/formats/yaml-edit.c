/* SPDX-License-Identifier: MIT */
/* Format-preserving YAML get/set/remove (see yaml-edit.h): walk the libyaml
 * node tree to the key, then splice the least text into the original bytes. */
#include "formats/yaml-edit.h"

#include "basic/util.h"
#include "formats/yaml-tree.h"

#define YAML_MAP_TAG "tag:yaml.org,2002:map"

/* One replacement of the original bytes [start, end) by insert. */
struct splice_rec {
        size_t start, end;
        char *insert;
        size_t order; /* the edit it belongs to, to keep insertions at one offset in edit order */
};

struct edit_ctx {
        const char *text;
        size_t len;
        struct ystream stream;
        struct ynode *root;       /* NULL for an empty document */
        struct ynode *empty_root; /* an empty document's null root, if any */
        const char *eol;          /* what inserted lines end with: the file's own */
        /* yaml_set_scalars(): splice() records the edit here instead of making the new text, so
         * that every edit is found in the one parse of the original text. */
        bool collect;
        struct splice_rec *splices;
        size_t n_splices;
};

/* One resolved level of the path: value = map[key]. */
struct path_step {
        struct ynode *map, *key, *value;
        size_t pair;
};

static void edit_ctx_done(struct edit_ctx *c) {
        for (size_t i = 0; i < c->n_splices; i++)
                free(c->splices[i].insert);
        free(c->splices);
        c->splices = NULL;
        c->n_splices = 0;
        ystream_free(&c->stream);
}

static bool is_empty_document_root(const struct ynode *n) {
        return n->kind == YNODE_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE && n->value_len == 0 &&
               !n->tag && !n->anchor;
}

bool yaml_edit_whole_tree = false;

/* Parse for an edit of path in document doc: only the nodes it looks at (ystream_parse_path()),
 * so that one key of a large config.yaml costs its text and not a tree of it (docs/performance.md,
 * section 4). */
static int edit_ctx_parse(struct edit_ctx *c, const char *text, size_t len, unsigned doc,
                          const char *const *path, char **ret_error) {
        if (!text && len > 0)
                return -EINVAL;
        *c = (struct edit_ctx){ .text = text ? text : "", .len = len };
        c->eol = detect_eol(c->text, len);

        int r = ytext_check_line_breaks(c->text, len, ret_error);
        if (r < 0)
                return r;
        if (yaml_edit_whole_tree)
                return ystream_parse(c->text, len, &c->stream, ret_error);
        return ystream_parse_path(c->text, len, doc, path, &c->stream, ret_error);
}

/* Make the document of this root the one edited. */
static void edit_ctx_use_root(struct edit_ctx *c, struct ynode *root) {
        c->root = c->empty_root = NULL;
        if (root && is_empty_document_root(root))
                c->empty_root = root;
        else
                c->root = root;
}

/* Make document doc the one edited. */
static int edit_ctx_select(struct edit_ctx *c, unsigned doc, char **ret_error) {
        c->root = c->empty_root = NULL;
        if (doc >= c->stream.n_docs) {
                if (doc == 0 && c->stream.n_docs == 0)
                        return 0;
                set_error(ret_error, "line %u: document %u does not exist, the stream has %zu",
                          line_of_offset(c->text, c->len), doc, c->stream.n_docs);
                return -ENOENT;
        }
        edit_ctx_use_root(c, c->stream.docs[doc].root);
        return 0;
}

static int edit_ctx_open(struct edit_ctx *c, const char *text, size_t len, unsigned doc,
                         const char *const *path, char **ret_error) {
        int r = edit_ctx_parse(c, text, len, doc, path, ret_error);
        if (r < 0)
                return r;
        r = edit_ctx_select(c, doc, ret_error);
        if (r < 0)
                edit_ctx_done(c);
        return r;
}

/* Offset just past the end of the line holding off (after its newline). */
static size_t next_line_start(const struct edit_ctx *c, size_t off) {
        if (off == 0 || c->text[off - 1] == '\n')
                return off;
        return line_end_of(c->text, c->len, off);
}

/* Column of a key that must be the first thing on its line: >= 0, or
 * -EBADMSG with an error when the indentation holds a tab or anything else. */
static int key_column(const struct edit_ctx *c, const struct ynode *key, char **ret_error) {
        int column = ytext_key_column(c->text, key->start);
        if (column == YCOLUMN_TAB)
                set_error(ret_error, "line %u: tab in indentation, refusing to guess", key->line);
        else if (column < 0)
                set_error(ret_error, "line %u: key is not first on its line, refusing to guess indentation",
                          key->line);
        return column < 0 ? -EBADMSG : column;
}

static void path_describe(struct buf *b, const char *const *path, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        buf_putc(b, '.');
                buf_puts(b, path[i]);
        }
        if (n == 0)
                buf_puts(b, "(document root)");
}

/* Reject what an edit through this node would silently get wrong. */
static int check_path_node(const struct ynode *n, const char *const *path, size_t depth, bool target,
                           char **ret_error) {
        struct buf what = {};
        int r = 0;

        path_describe(&what, path, depth);
        if (n->kind == YNODE_ALIAS) {
                set_error(ret_error, "line %u: %s is an alias (*%s), refusing to edit through it", n->line,
                          what.data, n->value);
                r = -EBADMSG;
        } else if (n->anchor) {
                set_error(ret_error, "line %u: %s has an anchor (&%s), an edit would change its aliases too",
                          n->line, what.data, n->anchor);
                r = -EBADMSG;
        } else if (n->tag && !(n->kind == YNODE_MAPPING && streq(n->tag, YAML_MAP_TAG))) {
                const char *shorthand = startswith(n->tag, "tag:yaml.org,2002:");
                set_error(ret_error, "line %u: %s has tag %s%s, refusing to edit it", n->line, what.data,
                          shorthand ? "!!" : "", shorthand ?: n->tag);
                r = -EBADMSG;
        } else if (!target && n->kind != YNODE_MAPPING) {
                set_error(ret_error, "line %u: %s is %s, not a mapping", n->line, what.data,
                          n->kind == YNODE_SEQUENCE ? "a sequence"
                          : n->value_len == 0       ? "an empty value"
                                                    : "a scalar");
                r = -EBADMSG;
        }
        buf_free(&what);
        return r;
}

/* Resolve path level by level. Returns how many levels exist (== length of
 * path when the whole path is there), or <0 when the path crosses something
 * that cannot be edited safely. steps[] gets one entry per found level. */
static int walk_path(const struct edit_ctx *c, const char *const *path, struct path_step *steps,
                     char **ret_error) {
        struct ynode *node = c->root;
        size_t depth = 0;

        for (; path[depth]; depth++) {
                if (!node)
                        return 0; /* empty document */
                int r = check_path_node(node, path, depth, false, ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; i + 1 < node->n_children; i += 2) {
                        const struct ynode *k = node->children[i];
                        if (k->kind == YNODE_SCALAR && k->style == YAML_PLAIN_SCALAR_STYLE &&
                            streq(k->value, "<<")) {
                                set_error(ret_error, "line %u: merge key (<<), refusing to edit", k->line);
                                return -EBADMSG;
                        }
                }
                size_t count, pair;
                struct ynode *value = ymapping_lookup(node, path[depth], &count, &pair);
                if (count > 1) {
                        set_error(ret_error, "line %u: duplicate key %s", node->children[2 * pair]->line,
                                  path[depth]);
                        return -EBADMSG;
                }
                if (!value)
                        return (int) depth;
                steps[depth] = (struct path_step){
                        .map = node, .key = node->children[2 * pair], .value = value, .pair = pair
                };
                node = value;
        }
        return (int) depth;
}

static size_t path_length(const char *const *path) {
        size_t n = 0;
        while (path[n])
                n++;
        return n;
}

/* Common start of every operation: parse, pick the document, walk. */
static int open_and_walk(struct edit_ctx *c, const char *text, size_t len, unsigned doc,
                         const char *const *path, struct path_step **ret_steps, char **ret_error) {
        if (!path || !path[0])
                return -EINVAL;
        int r = edit_ctx_open(c, text, len, doc, path, ret_error);
        if (r < 0)
                return r;
        struct path_step *steps = xmalloc(path_length(path) * sizeof(struct path_step));
        r = walk_path(c, path, steps, ret_error);
        if (r < 0) {
                free(steps);
                edit_ctx_done(c);
                return r;
        }
        *ret_steps = steps;
        return r;
}

static char *splice(const struct edit_ctx *c, size_t start, size_t end, const char *insert,
                    size_t *ret_len) {
        if (c->collect) {
                struct edit_ctx *m = (struct edit_ctx *) c;
                m->splices = xrealloc(m->splices, (m->n_splices + 1) * sizeof(*m->splices));
                m->splices[m->n_splices] = (struct splice_rec){
                        .start = start, .end = end, .insert = xstrdup(insert), .order = m->n_splices
                };
                m->n_splices++;
                *ret_len = 0;
                return NULL;
        }
        struct buf b = {};
        buf_append(&b, c->text, start);
        buf_puts(&b, insert);
        buf_append(&b, c->text + end, c->len - end);
        *ret_len = b.len;
        return buf_steal(&b);
}

static void put_key(struct buf *b, const char *key, bool flow, bool json) {
        if (json)
                yaml_put_double_quoted(b, key);
        else
                yaml_put_scalar(b, key, YAML_PLAIN_SCALAR_STYLE, flow, false);
}

/* A flow mapping that looks like JSON (double-quoted keys), or an empty one
 * inside a JSON document, gets JSON-compatible insertions. */
static bool flow_mapping_is_json(const struct edit_ctx *c, const struct ynode *map) {
        if (map->n_children > 0)
                return map->children[0]->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return c->root != map && c->root->kind == YNODE_MAPPING && c->root->flow &&
               flow_mapping_is_json(c, c->root);
}

/* ---- get ---- */

/* yaml_get_scalar() in the document c has open. */
static int get_scalar(const struct edit_ctx *c, const char *const *path, char **ret_value,
                      unsigned *ret_line, char **ret_error) {
        size_t n = path_length(path);
        _cleanup_free_ struct path_step *steps = xmalloc(n * sizeof(struct path_step));
        int r = walk_path(c, path, steps, ret_error);
        if (r < 0)
                return r;
        if ((size_t) r < n)
                return 0;
        struct ynode *v = steps[n - 1].value;
        if (v->kind != YNODE_SCALAR) {
                struct buf what = {};
                path_describe(&what, path, n);
                set_error(ret_error, "line %u: %s is a %s, not a scalar", v->line, what.data,
                          v->kind == YNODE_MAPPING    ? "mapping"
                          : v->kind == YNODE_SEQUENCE ? "sequence"
                                                      : "alias");
                buf_free(&what);
                return -EBADMSG;
        }
        r = check_path_node(v, path, n, true, ret_error);
        if (r < 0)
                return r;
        if (ret_value)
                *ret_value = xstrdup(v->value);
        if (ret_line)
                *ret_line = v->line;
        return 1;
}

int yaml_get_scalar(const char *text, size_t len, unsigned doc, const char *const *path, char **ret_value,
                    unsigned *ret_line, char **ret_error) {
        struct edit_ctx c;
        if (!path || !path[0])
                return -EINVAL;
        int r = edit_ctx_open(&c, text, len, doc, path, ret_error);
        if (r < 0)
                return r;
        r = get_scalar(&c, path, ret_value, ret_line, ret_error);
        edit_ctx_done(&c);
        return r;
}

struct find_document {
        struct edit_ctx c;
        const char *const *path, *const *values;
        bool found;
        unsigned doc;
};

static int find_in_document(size_t index, const struct ydoc *doc, void *userdata, char **ret_error) {
        struct find_document *f = userdata;
        if (f->found)
                return 0;
        if (index == 0) {
                int r = ytext_check_line_breaks(f->c.text, f->c.len, ret_error);
                if (r < 0)
                        return r;
        }
        _cleanup_free_ char *value = NULL;
        edit_ctx_use_root(&f->c, doc->root);
        int r = get_scalar(&f->c, f->path, &value, NULL, ret_error);
        for (size_t i = 0; r > 0 && !f->found && f->values[i]; i++)
                if (streq(value, f->values[i])) {
                        f->found = true;
                        f->doc = (unsigned) index;
                }
        return r < 0 ? r : 0;
}

int yaml_find_document(const char *text, size_t len, const char *const *path, const char *const *values,
                       unsigned *ret_doc, char **ret_error) {
        if (!path || !path[0] || (!text && len > 0))
                return -EINVAL;
        /* What yaml_count_documents() and then yaml_get_scalar() on each document would refuse, in that
         * order (a refusal of the text anywhere first), from one parse that holds one document's tree at
         * a time: a --kubeadm-config of 10,000 documents is not one tree. */
        struct find_document f = { .c = { .text = text ? text : "", .len = len },
                                   .path = path,
                                   .values = values };
        f.c.eol = detect_eol(f.c.text, len);
        int r = ystream_parse_each(f.c.text, len, find_in_document, &f, NULL, ret_error);
        if (r < 0)
                return r;
        if (f.found)
                *ret_doc = f.doc;
        return f.found;
}

/* ---- set ---- */

/* Replace an existing scalar, keeping its quote style. */
static int replace_scalar(const struct edit_ctx *c, const struct path_step *step, const char *const *path,
                          size_t n, const char *value, char **ret_text, size_t *ret_len, char **ret_error) {
        const struct ynode *v = step->value;
        int r = check_path_node(v, path, n, true, ret_error);
        if (r < 0)
                return r;
        if (v->kind != YNODE_SCALAR) {
                struct buf what = {};
                path_describe(&what, path, n);
                set_error(ret_error, "line %u: %s is a %s, not a scalar", v->line, what.data,
                          v->kind == YNODE_MAPPING ? "mapping" : "sequence");
                buf_free(&what);
                return -EBADMSG;
        }
        if (v->style == YAML_LITERAL_SCALAR_STYLE || v->style == YAML_FOLDED_SCALAR_STYLE) {
                set_error(ret_error, "line %u: block scalar (| or >), refusing to rewrite it", v->line);
                return -EBADMSG;
        }
        if (v->value_len == strlen(value) && streq(v->value, value))
                return 0;

        bool json = step->map->flow && flow_mapping_is_json(c, step->map);
        struct buf b = {};
        if (v->start == v->end) {
                /* An empty (null) value sits right after the colon. */
                if (v->start == 0 || c->text[v->start - 1] != ':') {
                        set_error(ret_error, "line %u: cannot place a value here", v->line);
                        return -EBADMSG;
                }
                buf_putc(&b, ' ');
        }
        yaml_put_scalar(&b, value, v->style, step->map->flow, json);
        *ret_text = splice(c, v->start, v->end, b.data, ret_len);
        buf_free(&b);
        return 1;
}

/* Indentation step for a new nested block mapping under map: the one map
 * itself uses relative to its parent, else the first nested block mapping of
 * the root, else 2. */
static int indent_step(const struct edit_ctx *c, const struct ynode *map, const struct ynode *parent) {
        if (parent && !parent->flow && parent->n_children > 0 && map->n_children > 0) {
                int pc = key_column(c, parent->children[0], NULL),
                    mc = key_column(c, map->children[0], NULL);
                if (pc >= 0 && mc > pc)
                        return mc - pc;
        }
        const struct ynode *root = c->root;
        if (root && root->kind == YNODE_MAPPING && !root->flow && root->n_children > 0) {
                int rc = key_column(c, root->children[0], NULL);
                for (size_t i = 1; rc >= 0 && i < root->n_children; i += 2) {
                        const struct ynode *v = root->children[i];
                        if (v->kind != YNODE_MAPPING || v->flow || v->n_children == 0)
                                continue;
                        int vc = key_column(c, v->children[0], NULL);
                        if (vc > rc)
                                return vc - rc;
                }
        }
        return 2;
}

/* Lines "key:\n  key2: value\n" for the missing part of the path. */
static void put_block_entries(struct buf *b, const struct edit_ctx *c, const char *const *keys,
                              const char *value, int column, int step) {
        for (size_t i = 0; keys[i]; i++) {
                if (i > 0)
                        buf_puts(b, c->eol);
                buf_printf(b, "%*s", column + (int) i * step, "");
                put_key(b, keys[i], false, false);
                buf_putc(b, ':');
                if (!keys[i + 1]) {
                        buf_putc(b, ' ');
                        yaml_put_scalar(b, value, YAML_PLAIN_SCALAR_STYLE, false, false);
                }
        }
}

/* Insert the block lines at a line boundary at or after off, keeping the
 * file's final-newline state when that is the end of the text. */
static char *insert_lines_after(const struct edit_ctx *c, size_t off, const char *lines, size_t *ret_len) {
        size_t pos = next_line_start(c, off);
        _cleanup_free_ char *s = NULL;
        if (pos == c->len && c->len > 0 && c->text[c->len - 1] != '\n')
                s = xasprintf("%s%s", c->eol, lines);
        else
                s = xasprintf("%s%s", lines, c->eol);
        return splice(c, pos, pos, s, ret_len);
}

static int insert_into_block(const struct edit_ctx *c, struct ynode *map, struct ynode *parent,
                             const char *const *keys, const char *value, char **ret_text, size_t *ret_len,
                             char **ret_error) {
        int column = 0, step = 2;
        /* An empty document's null root marks where its content goes; with
         * no document at all, the new one goes at the end. */
        size_t after = c->empty_root ? c->empty_root->start : c->len;

        if (map) {
                column = key_column(c, map->children[0], ret_error);
                if (column < 0)
                        return column;
                /* Explicit keys ("?\n   key") put a key on a line of its own at
                 * another column than the mapping's; a new entry indented like
                 * that key would land inside it. */
                for (size_t i = 0; i < map->n_children; i += 2) {
                        int kc = i == 0 ? column : key_column(c, map->children[i], ret_error);
                        if (kc < 0)
                                return kc;
                        if (kc != column || (i == 0 && map->children[0]->start != map->start)) {
                                set_error(ret_error,
                                          "line %u: explicit key (?) or keys not aligned, "
                                          "refusing to guess indentation",
                                          map->children[i]->line);
                                return -EBADMSG;
                        }
                }
                step = indent_step(c, map, parent);
                after = ynode_content_end(map->children[map->n_children - 1]);
        }

        struct buf lines = {};
        put_block_entries(&lines, c, keys, value, column, step);
        *ret_text = insert_lines_after(c, after, lines.data, ret_len);
        buf_free(&lines);
        return 1;
}

static int insert_into_flow(const struct edit_ctx *c, struct ynode *map, const char *const *keys,
                            const char *value, char **ret_text, size_t *ret_len) {
        bool json = flow_mapping_is_json(c, map);
        struct buf entry = {};
        size_t pos;

        for (size_t i = 0; keys[i]; i++) {
                put_key(&entry, keys[i], true, json);
                buf_puts(&entry, ": ");
                if (keys[i + 1])
                        buf_putc(&entry, '{');
                else
                        yaml_put_scalar(&entry, value, YAML_PLAIN_SCALAR_STYLE, true, json);
        }
        for (size_t i = 1; keys[i]; i++)
                buf_putc(&entry, '}');

        struct buf b = {};
        if (map->n_children == 0) {
                pos = map->start + 1; /* just after '{' */
                buf_puts(&b, entry.data);
        } else {
                const struct ynode *last_key = map->children[map->n_children - 2];
                const struct ynode *last_value = map->children[map->n_children - 1];
                pos = last_value->end > last_key->end ? last_value->end : last_key->end;
                /* One entry per line stays one entry per line. */
                bool multiline = memchr(c->text + pos, '\n', map->end - pos) != NULL;
                size_t ls = line_start_of(c->text, last_key->start);
                size_t indent = strspn(c->text + ls, " \t");
                if (multiline && ls + indent == last_key->start)
                        buf_printf(&b, ",%s%.*s%s", c->eol, (int) indent, c->text + ls, entry.data);
                else
                        buf_printf(&b, ", %s", entry.data);
        }
        *ret_text = splice(c, pos, pos, b.data, ret_len);
        buf_free(&b);
        buf_free(&entry);
        return 1;
}

/* Set path to value in the selected document of c (walked already: steps, found levels). */
static int set_walked(struct edit_ctx *c, struct path_step *steps, size_t found, const char *const *path,
                      size_t n, const char *value, char **ret_text, size_t *ret_len, char **ret_error) {
        if (found == n)
                return replace_scalar(c, &steps[n - 1], path, n, value, ret_text, ret_len, ret_error);
        struct ynode *map = found == 0 ? c->root : steps[found - 1].value;
        struct ynode *parent = found == 0 ? NULL : steps[found - 1].map;
        if (map && map->flow)
                return insert_into_flow(c, map, path + found, value, ret_text, ret_len);
        return insert_into_block(c, map, parent, path + found, value, ret_text, ret_len, ret_error);
}

int yaml_set_scalar(const char *text, size_t len, unsigned doc, const char *const *path, const char *value,
                    char **ret_text, size_t *ret_len, char **ret_error) {
        struct edit_ctx c;
        _cleanup_free_ struct path_step *steps = NULL;
        size_t n = path ? path_length(path) : 0;
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;

        if (!value || !ret_text || !ret_len)
                return -EINVAL;
        int r = open_and_walk(&c, text, len, doc, path, &steps, ret_error);
        if (r < 0)
                return r;
        r = set_walked(&c, steps, (size_t) r, path, n, value, &out, &out_len, ret_error);
        edit_ctx_done(&c);
        if (r > 0) {
                *ret_text = TAKE_PTR(out);
                *ret_len = out_len;
        }
        return r;
}

static int compare_splices(const void *a, const void *b) {
        const struct splice_rec *x = a, *y = b;
        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* yaml_set_scalars() a document at a time: the sets of document doc, in c. */
struct sets_walk {
        struct edit_ctx *c;
        const struct yaml_set *sets;
        const size_t *order; /* the sets' indexes by document */
        size_t n_sets, next; /* order[next] is the first set not applied yet */
};

static int apply_sets(struct sets_walk *w, size_t doc, struct ynode *root, char **ret_error) {
        struct edit_ctx *c = w->c;
        c->root = c->empty_root = NULL;
        if (root && is_empty_document_root(root))
                c->empty_root = root;
        else
                c->root = root;
        for (; w->next < w->n_sets && w->sets[w->order[w->next]].doc == doc; w->next++) {
                const struct yaml_set *set = &w->sets[w->order[w->next]];
                size_t n = path_length(set->path);
                _cleanup_free_ struct path_step *steps = xmalloc(n * sizeof(struct path_step));
                _cleanup_free_ char *ignored = NULL;
                size_t ignored_len;
                int r = walk_path(c, set->path, steps, ret_error);
                if (r >= 0)
                        r = set_walked(c, steps, (size_t) r, set->path, n, set->value, &ignored,
                                       &ignored_len, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_sets_of_doc(size_t index, const struct ydoc *doc, void *userdata, char **ret_error) {
        struct sets_walk *w = userdata;
        /* Sets for documents that do not exist come last in the order; these come in it. */
        return apply_sets(w, index, doc->root, ret_error);
}

static int compare_set_docs(const void *a, const void *b, void *userdata) {
        const struct yaml_set *sets = userdata;
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        if (sets[x].doc != sets[y].doc)
                return sets[x].doc < sets[y].doc ? -1 : 1;
        return x < y ? -1 : x > y;
}

int yaml_set_scalars(const char *text, size_t len, const struct yaml_set *sets, size_t n_sets,
                     char **ret_text, size_t *ret_len, char **ret_error) {
        if (!ret_text || !ret_len || (!text && len > 0))
                return -EINVAL;
        for (size_t i = 0; i < n_sets; i++)
                if (!sets[i].value || !sets[i].path || !sets[i].path[0])
                        return -EINVAL;
        struct edit_ctx c = { .text = text ? text : "", .len = len, .collect = true };
        c.eol = detect_eol(c.text, len);
        int r = ytext_check_line_breaks(c.text, len, ret_error);
        if (r < 0)
                return r;

        /* A document at a time: a stream of thousands costs the memory of its largest. */
        _cleanup_free_ size_t *order = xmalloc((n_sets ? n_sets : 1) * sizeof(size_t));
        for (size_t i = 0; i < n_sets; i++)
                order[i] = i;
        qsort_r(order, n_sets, sizeof(size_t), compare_set_docs, (void *) sets);
        struct sets_walk w = { .c = &c, .sets = sets, .order = order, .n_sets = n_sets };
        size_t n_docs = 0;
        r = ystream_parse_each(c.text, len, apply_sets_of_doc, &w, &n_docs, ret_error);
        if (r >= 0 && w.next < n_sets) {
                unsigned doc = sets[order[w.next]].doc;
                if (doc == 0 && n_docs == 0) /* no document at all: the new one goes at the end */
                        r = apply_sets(&w, 0, NULL, ret_error);
                if (r >= 0 && w.next < n_sets) {
                        set_error(ret_error, "line %u: document %u does not exist, the stream has %zu",
                                  line_of_offset(c.text, c.len), sets[order[w.next]].doc, n_docs);
                        r = -ENOENT;
                }
        }
        if (r >= 0 && c.n_splices > 0)
                qsort(c.splices, c.n_splices, sizeof(*c.splices), compare_splices);
        for (size_t i = 1; r >= 0 && i < c.n_splices; i++)
                if (c.splices[i].start < c.splices[i - 1].end) {
                        set_error(ret_error, "line %u: two edits of the same text",
                                  line_of_offset(c.text, c.splices[i].start));
                        r = -EINVAL;
                }
        if (r < 0 || c.n_splices == 0) {
                edit_ctx_done(&c);
                return r < 0 ? r : 0;
        }
        struct buf b = {};
        size_t at = 0;
        for (size_t i = 0; i < c.n_splices; i++) {
                buf_append(&b, c.text + at, c.splices[i].start - at);
                buf_puts(&b, c.splices[i].insert);
                at = c.splices[i].end;
        }
        buf_append(&b, c.text + at, c.len - at);
        edit_ctx_done(&c);
        *ret_len = b.len;
        *ret_text = buf_steal(&b);
        return 1;
}

/* ---- remove ---- */

static const struct ynode *subtree_anchor(const struct ynode *n) {
        if (n->anchor)
                return n;
        for (size_t i = 0; i < n->n_children; i++) {
                const struct ynode *a = subtree_anchor(n->children[i]);
                if (a)
                        return a;
        }
        return NULL;
}

static size_t max_size(size_t a, size_t b) {
        return a > b ? a : b;
}

/* Cut one key/value pair out of its mapping. */
static int remove_entry(const struct edit_ctx *c, const struct path_step *step, char **ret_text,
                        size_t *ret_len, char **ret_error) {
        const struct ynode *map = step->map, *key = step->key, *value = step->value;
        const struct ynode *anchored = subtree_anchor(value);
        size_t start, end;

        if (!anchored)
                anchored = subtree_anchor(key);
        if (anchored) {
                set_error(ret_error, "line %u: the removed entry defines anchor &%s, refusing",
                          anchored->line, anchored->anchor);
                return -EBADMSG;
        }

        if (map->flow) {
                /* The first entry takes the separator after it along, any
                 * other the separator before it, so ", " never dangles. */
                if (step->pair == 0) {
                        start = key->start;
                        end = map->n_children > 2 ? map->children[2]->start : max_size(key->end, value->end);
                        /* The only entry takes a trailing comma along: "{,}" is no mapping. */
                        size_t after = end;
                        while (map->n_children == 2 && after < map->end && strchr(" \t\r\n", c->text[after]))
                                after++;
                        if (map->n_children == 2 && after < map->end && c->text[after] == ',')
                                end = after + 1;
                        else if (map->n_children == 2 && after < map->end && c->text[after] == '#') {
                                set_error(
                                        ret_error,
                                        "line %u: comment after the only entry of a flow mapping, refusing",
                                        key->line);
                                return -EBADMSG;
                        }
                } else {
                        const struct ynode *prev_key = map->children[2 * step->pair - 2];
                        const struct ynode *prev_value = map->children[2 * step->pair - 1];
                        start = max_size(prev_key->end, prev_value->end);
                        end = max_size(key->end, value->end);
                }
        } else {
                int r = key_column(c, key, ret_error);
                if (r < 0)
                        return r;
                start = line_start_of(c->text, key->start);
                end = next_line_start(c, max_size(key->end, ynode_content_end(value)));
                /* Removing the unterminated last line: drop the line break
                 * before it instead, so the file still ends without one. */
                if (end == c->len && c->len > 0 && c->text[c->len - 1] != '\n' && start > 0) {
                        start--;
                        if (start > 0 && c->text[start - 1] == '\r')
                                start--;
                }
        }
        *ret_text = splice(c, start, end, "", ret_len);
        return 1;
}

/* Remove path in the selected document of c (walked already: steps, found levels). */
static int remove_walked(const struct edit_ctx *c, const struct path_step *steps, size_t found, size_t n,
                         unsigned doc, char **ret_text, size_t *ret_len, char **ret_error) {
        if (found < n)
                return 0;
        /* A mapping left empty goes too (featureGates without its only gate),
         * but never the document's root mapping itself. */
        size_t level = n - 1;
        while (level > 0 && steps[level].map->n_children == 2)
                level--;
        /* A first document without "---" that loses its only entry is no
         * document any more: the ones after it would move up an index. */
        const char *doc_start = c->text + c->stream.docs[doc].start;
        if (level == 0 && steps[0].map->n_children == 2 && !steps[0].map->flow && c->stream.n_docs > 1 &&
            !startswith(doc_start, "---") && *doc_start != '%') {
                set_error(ret_error,
                          "line %u: removing the only key of document %u would remove the document",
                          steps[0].map->line, doc);
                return -EBADMSG;
        }
        return remove_entry(c, &steps[level], ret_text, ret_len, ret_error);
}

int yaml_remove_key(const char *text, size_t len, unsigned doc, const char *const *path, char **ret_text,
                    size_t *ret_len, char **ret_error) {
        struct edit_ctx c;
        _cleanup_free_ struct path_step *steps = NULL;
        size_t n = path ? path_length(path) : 0;
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;

        if (!ret_text || !ret_len)
                return -EINVAL;
        int r = open_and_walk(&c, text, len, doc, path, &steps, ret_error);
        if (r < 0)
                return r;
        r = remove_walked(&c, steps, (size_t) r, n, doc, &out, &out_len, ret_error);
        edit_ctx_done(&c);
        if (r > 0) {
                *ret_text = TAKE_PTR(out);
                *ret_len = out_len;
        }
        return r;
}

int yaml_get_and_edit(const char *text, size_t len, unsigned doc, const char *const *path, const char *value,
                      char **ret_old, char **ret_text, size_t *ret_len, char **ret_error) {
        struct edit_ctx c;
        _cleanup_free_ struct path_step *steps = NULL;
        _cleanup_free_ char *old = NULL, *out = NULL;
        size_t n = path ? path_length(path) : 0, out_len = 0;

        if (!path || !path[0] || !ret_text || !ret_len)
                return -EINVAL;
        int r = edit_ctx_open(&c, text, len, doc, path, ret_error);
        if (r < 0)
                return r;
        r = get_scalar(&c, path, &old, NULL, ret_error);
        if (r >= 0) {
                /* The walk get_scalar() made, again: it cannot fail now. */
                steps = xmalloc(n * sizeof(struct path_step));
                r = walk_path(&c, path, steps, ret_error);
        }
        if (r >= 0)
                r = value ? set_walked(&c, steps, (size_t) r, path, n, value, &out, &out_len, ret_error)
                          : remove_walked(&c, steps, (size_t) r, n, doc, &out, &out_len, ret_error);
        edit_ctx_done(&c);
        if (r < 0)
                return r;
        if (ret_old)
                *ret_old = TAKE_PTR(old);
        if (r > 0) {
                *ret_text = TAKE_PTR(out);
                *ret_len = out_len;
        }
        return r;
}

static int count_document(_unused_ size_t index, _unused_ const struct ydoc *doc, _unused_ void *userdata,
                          _unused_ char **ret_error) {
        return 0;
}

int yaml_count_documents(const char *text, size_t len, char **ret_error) {
        size_t n = 0;
        if (!text && len > 0)
                return -EINVAL;
        int r = ystream_parse_each(text ? text : "", len, count_document, NULL, &n, ret_error);
        return r < 0 ? r : (int) n;
}
