/* SPDX-License-Identifier: MIT */
/* Format-preserving YAML edits: parse with libyaml, find the node, splice the
 * original text so comments, order, indentation and quoting stay as they were. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* All functions take the whole stream (text, len); `doc` is the 0-based
 * document index; `path` is a NULL-terminated array of mapping keys.
 *
 * A text with no document at all (empty, or only comments/blank lines) has 0
 * documents; document 0 of such a text reads as empty: get and remove report
 * absent, set appends the key at the end of the text. A document index past
 * the end is refused with -ENOENT otherwise.
 *
 * Refusals return a negative errno (-EBADMSG for a document that cannot be
 * edited safely, -ENOENT for a missing document, -EINVAL for bad arguments)
 * with a malloc'ed "line N: reason" in *ret_error. Out-parameters are
 * untouched on failure. Refused: parse errors, anchors/aliases/merge keys
 * (<<) or tags other than !!map on the path (and any tag on an edited
 * scalar), duplicate keys on the path, a non-mapping where a mapping is
 * needed, block scalars (| >) as the edited value, and an insertion or
 * removal that would have to guess indentation (tabs, keys not first on their
 * line). */

/* Get, set and remove parse only what their path needs (ystream_parse_path()): a config.yaml of a
 * million keys costs its text, not a tree of it. Tests only: true makes them parse the whole
 * tree, as yaml_set_scalars() does, to hold the one to the other. */
extern bool yaml_edit_whole_tree;

/* Scalar at path: 1 found (*ret_value = the scalar's value, unquoted;
 * *ret_line its 1-based line), 0 absent, <0 refused. ret_value and ret_line
 * may be NULL. */
int yaml_get_scalar(const char *text, size_t len, unsigned doc, const char *const *path, char **ret_value,
                    unsigned *ret_line, char **ret_error);

/* The first document whose scalar at path is one of values (NULL-terminated): 1 (*ret_doc its index), 0
 * none, <0 refused as yaml_get_scalar() refuses a document before it. One parse for the whole stream,
 * where a yaml_get_scalar() per document would parse it once per document. */
int yaml_find_document(const char *text, size_t len, const char *const *path, const char *const *values,
                       unsigned *ret_doc, char **ret_error);

/* Set the scalar at path to value, creating missing intermediate mappings.
 * Returns 0 when it already has that value (compared as strings, so a quoted
 * "false" counts as false), 1 changed (*ret_text is malloc'ed and
 * NUL-terminated, *ret_len its length), <0 refused.
 * An existing scalar keeps its quote style (plain becomes double-quoted only
 * when the value needs it); new scalars are plain when safe, else
 * double-quoted. In a JSON-looking flow mapping (double-quoted keys) new keys
 * are double-quoted and new values are plain only for JSON literals. */
int yaml_set_scalar(const char *text, size_t len, unsigned doc, const char *const *path, const char *value,
                    char **ret_text, size_t *ret_len, char **ret_error);

/* Several yaml_set_scalar() edits from one parse, each found in the original text (so a
 * refusal's "line N" is the original's), applied together: `lint --fix` of a stream of thousands
 * of documents costs one parse, not one per finding. Each edit as yaml_set_scalar() would make
 * it alone; two edits of the same bytes are refused (-EINVAL). 0 when nothing changes, 1 changed
 * (*ret_text malloc'ed), <0 the first refusal, and nothing is changed at all. */
struct yaml_set {
        unsigned doc;
        const char *const *path;
        const char *value;
};
int yaml_set_scalars(const char *text, size_t len, const struct yaml_set *sets, size_t n_sets,
                     char **ret_text, size_t *ret_len, char **ret_error);

/* Remove the key at path (its whole entry; comment lines around it are
 * kept). Parent mappings it leaves empty are removed too, up to but not
 * including the document's root mapping. 0 absent, 1 removed, <0 refused. */
int yaml_remove_key(const char *text, size_t len, unsigned doc, const char *const *path, char **ret_text,
                    size_t *ret_len, char **ret_error);

/* yaml_get_scalar() and then yaml_set_scalar() (value), or yaml_remove_key() (value NULL), from
 * one parse: get's refusal if it refuses, else the edit's answer, and *ret_old (may be NULL) the
 * value get found (NULL when absent). A fixer that reports the old value parses a large file
 * once, not twice. */
int yaml_get_and_edit(const char *text, size_t len, unsigned doc, const char *const *path, const char *value,
                      char **ret_old, char **ret_text, size_t *ret_len, char **ret_error);

/* Number of documents in the stream (0 for an empty or comment-only text),
 * or <0 on a parse error. */
int yaml_count_documents(const char *text, size_t len, char **ret_error);
