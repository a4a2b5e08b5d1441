/* SPDX-License-Identifier: MIT */
/* Internal model of a scanned TOML document: built by toml-scan.c, read by
 * toml-edit.c to locate and edit values by byte offset. Not a public API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/util.h"

/* Paths are key segments joined with TOML_SEP; the root table is "". An
 * element of an array of tables (or an inline table inside an array) gets an
 * extra segment starting with TOML_ANON, which no caller-given segment can
 * contain, so nothing inside them is ever addressed by get/set. */
#define TOML_SEP '\x1f'
#define TOML_ANON '\x1e'

enum toml_def_kind {
        TOML_DEF_VALUE,    /* key = value (inline tables included) */
        TOML_DEF_HEADER,   /* [table] */
        TOML_DEF_IMPLICIT, /* parent of a [table] that has no header of its own */
        TOML_DEF_DOTTED,   /* table created by a dotted key (a.b = 1 creates a) */
        TOML_DEF_ARRAY,    /* [[array of tables]] */
        TOML_DEF_ANON,     /* an element of an array of tables, or an inline table in an array */
};

/* The root table, which no def stands for. */
#define TOML_ROOT UINT32_MAX

/* Everything the document defines, for duplicate detection and lookups: a tree, each def its
 * parent's child by one segment. A scan holds one def a key, so a def is kept to 16 bytes: 32-bit
 * offsets and indexes (toml_scan() refuses a text of 256 MiB: a line number fits 29 bits), and no
 * path of its own. */
struct toml_def {
        uint32_t parent;  /* defs[] index, or TOML_ROOT */
        uint32_t segment; /* offset of its last segment, NUL-terminated, in the doc's segments */
        union {
                uint32_t elements;    /* TOML_DEF_ARRAY: number of [[...]] seen */
                uint32_t value_start; /* TOML_DEF_VALUE: its value's offset */
        };
        uint32_t line : 29;
        uint32_t kind : 3; /* enum toml_def_kind */
};

/* A [header] line; sections[0] is the root table (no header, offsets 0). */
struct toml_section {
        uint32_t def; /* the table's def (an array's: its element's); TOML_ROOT for sections[0] */
        uint32_t line_start;
        uint32_t header_eol : 31; /* offset of the header line's line ending */
        uint32_t is_array : 1;
};

struct toml_doc {
        struct toml_def *defs;
        size_t n_defs;
        uint32_t *slots;     /* hash index of defs by (parent, segment): defs[] index + 1, 0 when empty */
        size_t n_slots;      /* a power of two, or 0 */
        struct buf segments; /* each segment once, NUL-terminated */
        size_t n_segments;
        uint32_t *segment_slots; /* hash index of segments: offset + 1, 0 when empty */
        size_t n_segment_slots;
        struct toml_section *sections;
        size_t n_sections;
        size_t len;      /* of the text scanned */
        const char *eol; /* "\r\n" when the first line ends that way, else "\n" */
};

/* One element of an array value, by offset into the scanned text. */
struct toml_array_item {
        size_t start, end;
        size_t comma; /* offset of the ',' after it, or SIZE_MAX */
        bool is_string;
};

/* A key = value definition is its TOML_DEF_VALUE def, which holds where its value starts; the rest
 * is found when asked: a scan holds one def a key, and no more. Where its value ends (scanned again);
 * whether it is inside an inline table (a value's); the section it is in. Of a top-level one (not in
 * an inline table): the start of the key's line, and the offset of the line ending after the value
 * and any trailing comment. text: the scanned one. */
size_t toml_value_end(const struct toml_doc *doc, const char *text, const struct toml_def *v);
bool toml_value_in_inline(const struct toml_doc *doc, const struct toml_def *v);
size_t toml_value_section(const struct toml_doc *doc, const struct toml_def *v);
size_t toml_value_line_start(const char *text, const struct toml_def *v);
size_t toml_value_line_end(const struct toml_doc *doc, const char *text, const struct toml_def *v);

/* Scan a whole document; refuses (-EBADMSG, "line N: reason") anything it
 * does not fully understand. */
int toml_scan(const char *text, size_t len, struct toml_doc *ret, char **ret_error);
void toml_doc_free(struct toml_doc *doc);
/* The def of a path (NULL for "", the root table); its path as a new string; whether def lies
 * (strictly) inside table; the number of segments of its path. */
const struct toml_def *toml_doc_find_def(const struct toml_doc *doc, const char *path);
char *toml_doc_path(const struct toml_doc *doc, uint32_t def);
bool toml_doc_def_within(const struct toml_doc *doc, uint32_t def, uint32_t table);
size_t toml_doc_depth(const struct toml_doc *doc, uint32_t def);

/* Scan raw text that must be exactly one array value. */
int toml_scan_array(const char *raw, size_t len, struct toml_array_item **ret_items, size_t *ret_n,
                    char **ret_error);
/* Decode raw text that must be exactly one string (any of the four kinds). */
int toml_decode_string(const char *raw, size_t len, char **ret, char **ret_error);

/* Path helpers. */
char *toml_path_child(const char *parent, const char *segment);
char *toml_path_human(const char *path); /* "a.b.c" for messages */
