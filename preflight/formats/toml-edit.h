/* SPDX-License-Identifier: MIT */
/* Least-change editing of TOML files (containerd's config.toml): find a key in
 * a table, replace or add its value, keep every other byte. Refuses what it
 * does not fully understand instead of guessing. */
#pragma once

#include <stddef.h>

#include "basic/util.h"

/* Table paths are NULL-terminated arrays of *unquoted* key segments, so
 * [plugins."io.containerd.grpc.v1.cri".containerd] and
 * [plugins.'io.containerd.grpc.v1.cri'.containerd] are both
 * { "plugins", "io.containerd.grpc.v1.cri", "containerd", NULL }.
 * { NULL } is the root table. Segments (and keys) must be non-empty and free of
 * control characters (-EINVAL otherwise).
 *
 * Errors: -EBADMSG with "line N: reason" in *ret_error when the text does not
 * scan or the edit cannot be made safely; -EINVAL for bad arguments. */

/* Find key in table, whether defined under a [header], through dotted keys in
 * a parent table, or inside an inline table. Keys inside [[arrays of tables]]
 * are never found. Returns 1 with the raw value text exactly as written
 * (e.g. "true", "\"cri\"", "[\"cri\"]") in *ret_raw and its 1-based line in
 * *ret_line (either may be NULL); 0 when absent; <0 on error (including when
 * the key names a table rather than a value). */
int toml_get_value(const char *text, size_t len, const char *const *table, const char *key, char **ret_raw,
                   unsigned *ret_line, char **ret_error);

/* Set key in table to raw_value (already TOML-encoded, e.g. "true" or
 * "\"x\""; must be exactly one valid value). Returns 0 when the raw text is
 * already equal, 1 when changed (new text in *ret_text and *ret_len, always
 * NUL-terminated), <0 when refused.
 * - Key exists: only the value's bytes change (trailing comments stay). Inside
 *   an inline table this is allowed for single-line values only.
 * - Table has a [header] but not the key: "key = value" is inserted after the
 *   table's last key/value line with that line's indentation, or right after
 *   the header with the header's indentation when the table is empty.
 * - Table exists only through dotted keys (a.b.c = 1 in [parent]): a dotted
 *   line relative to that section is inserted after its last line under it.
 * - Table absent: a new table is appended at the end of the file: a blank
 *   line, "[seg.seg]", then "  key = value" (two spaces, like containerd's
 *   `config default`). Segments that are not bare keys (e.g. contain dots) are
 *   written with double quotes.
 * - Table only implied by [sub.tables]: the same new table, then a blank line,
 *   goes right before the first of those headers, with its indentation.
 * - Root table without keys: "key = value" goes before the first header.
 * New lines use the file's line ending (CRLF if its first line has one); a
 * file without a final newline keeps lacking one.
 * Tables inside [[arrays of tables]] or inline tables are refused. */
int toml_set_value(const char *text, size_t len, const char *const *table, const char *key,
                   const char *raw_value, char **ret_text, size_t *ret_len, char **ret_error);

/* Given the raw text of an array of strings (e.g. "[\"cri\", \"aufs\"]",
 * possibly spanning lines with comments), return it with every element equal
 * to value removed: an element alone on its line loses the whole line
 * (with its comment), otherwise the element and one adjoining comma go.
 * An array left without elements and comments on one line becomes "[]".
 * Returns 0 when value is not present (*ret_raw untouched), 1 when removed,
 * <0 when raw is not an array of strings. */
int toml_string_array_remove(const char *raw, const char *value, char **ret_raw, char **ret_error);

/* 1 when table is defined: by a [header], implied by [sub.tables], made by
 * dotted keys or written as an inline table (the root table always is); 0 when
 * absent, a plain value or an array of tables; <0 when the text does not scan. */
int toml_table_exists(const char *text, size_t len, const char *const *table, char **ret_error);

/* The number of elements of the raw text of an array of strings in *ret_n;
 * <0 (*ret_n untouched) when raw is not an array of strings. */
int toml_string_array_length(const char *raw, size_t *ret_n, char **ret_error);

/* The decoded elements of the raw text of an array of strings, appended to *ret in order;
 * <0 (*ret untouched) when raw is not an array of strings. */
int toml_string_array_values(const char *raw, struct strv *ret, char **ret_error);

/* raw TOML for the string s: a basic string, with the escapes TOML requires. */
char *toml_quote_string(const char *s);

/* Decode a basic, literal or multi-line TOML string into its value.
 * Returns 0, or -EINVAL when raw is not exactly one string. */
int toml_unquote_string(const char *raw, char **ret);

/* One scan of a text for a caller with many questions about it: toml_get_value() and
 * toml_table_exists() scan the whole text at every call (containerd's default config is asked
 * eight times by one fixer). The toml_scanned_ forms answer the same from one toml_scanned_new()
 * of the same text, which must not change while the scan is used. */
struct toml_doc;
int toml_scanned_new(const char *text, size_t len, struct toml_doc **ret, char **ret_error);
void toml_scanned_free(struct toml_doc *doc);
int toml_scanned_get_value(const struct toml_doc *doc, const char *text, const char *const *table,
                           const char *key, char **ret_raw, unsigned *ret_line, char **ret_error);
int toml_scanned_table_exists(const struct toml_doc *doc, const char *text, const char *const *table,
                              char **ret_error);
/* toml_set_value() of a scanned text: when it returns 1, doc is the scan of the new text (the one
 * that checked the edit), and the old text may go. */
int toml_scanned_set_value(struct toml_doc *doc, const char *text, size_t len, const char *const *table,
                           const char *key, const char *raw_value, char **ret_text, size_t *ret_len,
                           char **ret_error);
