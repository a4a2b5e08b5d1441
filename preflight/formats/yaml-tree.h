/* SPDX-License-Identifier: MIT */
/* A YAML stream parsed with libyaml into a small node tree that remembers
 * where each node sits in the original bytes, so editors can splice text;
 * plus how to write a scalar back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

enum ynode_kind {
        YNODE_SCALAR,
        YNODE_MAPPING,
        YNODE_SEQUENCE,
        YNODE_ALIAS,
};

/* Nodes and their strings live in the stream's arena, and the fields are packed (a text is at
 * most 4 GiB, and READ_FILE_MAX is far less): a tree costs about 60 bytes a node, not the 150 of
 * one malloc per node, string and growing child array. */
struct ynode {
        char *value;  /* scalar value, unquoted; NULL for other kinds */
        char *tag;    /* explicit tag, or NULL */
        char *anchor; /* anchor defined on this node, or NULL */
        /* Mapping: key0, value0, key1, value1, ...; sequence: the items. */
        struct ynode **children;
        uint32_t start, end; /* byte offsets into the text: [start, end) */
        uint32_t line;       /* 1-based line of start */
        uint32_t value_len;
        uint32_t n_children;
        uint8_t kind;  /* enum ynode_kind */
        uint8_t style; /* yaml_scalar_style_t */
        bool flow;     /* a flow collection ({...} or [...]) */
        /* A collection ystream_parse_path() passed over: end is where its content ends (what
         * ynode_content_end() gives), and children holds its first child alone (n_children 1,
         * or 0 when it has none), itself partial and bare: only kind, start and line. */
        bool partial;
};

struct ydoc {
        struct ynode *root;
        size_t start; /* byte offset where the document's first event starts */
};

struct yarena;

struct ystream {
        struct ydoc *docs;
        size_t n_docs;
        struct yarena *arena; /* the nodes' memory */
};

/* Libyaml nests no deeper than the text does; a fixed cap keeps a hostile
 * file from costing unbounded memory (and libyaml quadratic time on deep flow
 * nesting). The profile reader refuses the same depth. */
#define YTREE_MAX_DEPTH 256

/* Parse the whole stream. Refuses (-EBADMSG, "line N: problem") anything
 * libyaml rejects and text it cannot map back to bytes (UTF-16). */
int ystream_parse(const char *text, size_t len, struct ystream *ret, char **ret_error);
void ystream_free(struct ystream *s);

/* The same refusals of the same text, and the same documents counted, but the only nodes built
 * are those an edit of path (NULL-terminated mapping keys) in document doc looks at, so that
 * asking for one key of a config.yaml of a million keys costs its text, not a tree of it.
 * Document doc's root, and each mapping reached by following path, keeps (as a sparse list of
 * its pairs, in order) only: its first and last pair, every pair whose key is the path's next
 * key (duplicates too) and the pairs just before and after each of those, its first merge key
 * (<<), in a block mapping the first pair whose key stands at another column than the first
 * key's (ytext_key_column()), and in the root the first pair whose value is a block mapping
 * indented deeper than the root's keys. Every other pair's collections are partial nodes; the
 * value at the end of the path is kept whole. Only documents up to doc are in docs (n_docs
 * counts them all), and only doc has a root. yaml-edit.c's get, set and remove give on this tree
 * what they give on the whole one (tests/unit/test-yaml-edit.c and the fuzz target compare). */
int ystream_parse_path(const char *text, size_t len, size_t doc, const char *const *path,
                       struct ystream *ret, char **ret_error);

/* The same, a document at a time: fn gets each document (its 0-based index) as soon as it is
 * parsed, and its tree is freed when fn returns, so a stream of thousands of documents costs the
 * memory of its largest. A refusal of the text is still what is returned when there is one
 * (the rest of the stream is parsed after fn fails, fn no longer called); else fn's first
 * failure. *ret_n_docs (may be NULL) counts the documents. */
typedef int (*ydoc_fn)(size_t index, const struct ydoc *doc, void *userdata, char **ret_error);
int ystream_parse_each(const char *text, size_t len, ydoc_fn fn, void *userdata, size_t *ret_n_docs,
                       char **ret_error);

/* Offset just past the last byte of a node's own text: for a block
 * collection that is the end of its last descendant, not libyaml's end mark,
 * which sits at the next token after any trailing comments. */
size_t ynode_content_end(const struct ynode *n);

/* Where a key starting at byte start stands on its line, when it must be the first thing
 * there: its column if only spaces come before it, else YCOLUMN_TAB when a tab comes first,
 * YCOLUMN_NOT_FIRST when anything else does. */
#define YCOLUMN_TAB (-1)
#define YCOLUMN_NOT_FIRST (-2)
int ytext_key_column(const char *text, size_t start);

/* A mapping's value for a scalar key, NULL when absent; *ret_count says how
 * many keys matched (duplicates), *ret_index the pair index of the last. */
struct ynode *ymapping_lookup(const struct ynode *map, const char *key, size_t *ret_count,
                              size_t *ret_index);

/* Append s to b as a YAML scalar: in the given quote style when that style
 * can hold s, else plain when that is safe (in flow context too, if flow),
 * else double-quoted. json: plain only for JSON literals, else double-quoted. */
struct buf;
void yaml_put_scalar(struct buf *b, const char *s, yaml_scalar_style_t style, bool flow, bool json);
/* Append s double-quoted with YAML escapes (valid JSON for printable text). */
void yaml_put_double_quoted(struct buf *b, const char *s);

/* Editors splice at '\n' line boundaries, while YAML also breaks lines at a lone '\r' and at
 * NEL, LS and PS: refuse (-EBADMSG, "line N: ...") a text using any of those, so both agree on
 * where a line ends. */
int ytext_check_line_breaks(const char *text, size_t len, char **ret_error);
