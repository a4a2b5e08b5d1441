/* SPDX-License-Identifier: MIT */
/* Kubelet flag editor: finds the byte ranges the kubelet's arguments come from in ENV files and
 * kubelet.service drop-ins, and changes only the words of one flag, leaving every other byte alone. */
#include "formats/flags-edit.h"

#include <assert.h>
#include <stdint.h>

#include "basic/name-index.h"
#include "basic/util.h"

/* Offsets are 32 bits: a text is read whole and under READ_FILE_MAX (flags_get() and flags_edit() refuse
 * a larger one), and a file of one short flag a line has as many words and regions as lines. */
struct word {
        uint32_t start;
        uint32_t end : 31;
        uint32_t
                joined : 1; /* ENV files: holds a backslash-newline, which systemd drops: the word spans two lines */
};

/* One value the kubelet's arguments are split from: an ENV assignment, an Environment= assignment or
 * the arguments of an ExecStart= line. */
struct region {
        uint32_t start, end;           /* value bytes, inside any outer quotes */
        uint32_t line_start, line_end; /* the whole logical line, searched for mentions when broken */
        uint32_t value_at;             /* ENV files: just past the '=' */
        unsigned line;
        /* No pointers (44 bytes): the region's words are [words_at, words_at + n_words) of regions.words
         * (region_words()), its variable at var_at in regions.names (region_var(), 0: none), why it is
         * broken at broken in regions.reasons (region_broken(), 0: it is not). */
        uint32_t words_at, n_words, var_at;
        char quote;     /* ENV files: the quote the value is wrapped in, 0 when it is bare */
        bool replaced;  /* a later assignment of the same variable replaces this one */
        bool exec;      /* ExecStart=: word 0 is the binary, "$VAR" words expand Environment= values */
        bool unit;      /* systemd unit syntax: "%%" is '%', backslash-newline continues the line */
        uint8_t broken; /* why the line cannot be interpreted safely, 0 when it can */
};

/* A file of a hundred thousand lines is a hundred thousand regions: their words and variable names are
 * kept in one array each, not in an allocation per region. */
struct regions {
        struct region *items;
        size_t n;
        struct word *words;
        size_t n_words;
        struct buf names; /* the variables' names, each NUL-terminated, after a first NUL (var_at 0) */
        const char *reasons[32]; /* the reasons a region is broken, each one string of this file, [0] NULL */
        size_t n_reasons;
        bool ends_quoted; /* ENV: the text ends inside a quoted value, a line added after it would be in it */
        struct line_cursor lines;
};

/* 32 bits as in struct word: a flag on each of a hundred thousand lines is as many occurrences. */
#define NO_VALUE_WORD UINT32_MAX
struct occurrence {
        uint32_t region, word;
        uint32_t value_word; /* index of the value word for "--flag value", NO_VALUE_WORD otherwise */
        uint32_t value_start, value_end;
        bool has_value;   /* false for a bare "--flag" */
        bool quoted_name; /* the flag word does not begin with a literal "--": readable, not editable */
        bool split;       /* the flag or its value spans a line continuation: readable, not editable */
};

struct occurrences {
        struct occurrence *items;
        size_t n;
};

struct edit {
        uint32_t start, end;
        uint32_t replacement; /* where in edits.texts its replacement starts, NUL-terminated */
        bool new_line;        /* an assignment added after the last line, part of no region */
        bool dropped;         /* given way to an edit of the whole value (edits_quote_bare_values()) */
};

/* Removing a flag from each of a hundred thousand lines is as many edits, most replacing with "": their
 * replacements are kept in one buffer, not in an allocation each. */
struct edits {
        struct edit *items;
        size_t n;
        struct buf texts;
};

static void regions_free(struct regions *rs) {
        free(rs->items);
        free(rs->words);
        buf_free(&rs->names);
        *rs = (struct regions){};
}

static const struct word *region_words(const struct regions *rs, const struct region *r) {
        return rs->words ? rs->words + r->words_at : NULL; /* no words yet: NULL + 0 is undefined */
}

static const char *region_var(const struct regions *rs, const struct region *r) {
        return r->var_at ? rs->names.data + r->var_at : NULL;
}

static const char *region_broken(const struct regions *rs, const struct region *r) {
        return rs->reasons[r->broken];
}

static void region_break(struct regions *rs, struct region *r, const char *why) {
        size_t i = 1;
        while (i < rs->n_reasons && rs->reasons[i] != why)
                i++;
        if (i == rs->n_reasons) {
                assert(i < ELEMENTSOF(rs->reasons));
                rs->reasons[rs->n_reasons++] = why;
        }
        r->broken = (uint8_t) i;
}

static void edits_free(struct edits *es) {
        free(es->items);
        buf_free(&es->texts);
        *es = (struct edits){};
}

static const char *edit_replacement(const struct edits *es, const struct edit *e) {
        return es->texts.data + e->replacement;
}

static void edits_push_text(struct edits *es, size_t start, size_t end, const char *replacement) {
        es->items = xrealloc_grow(es->items, es->n, sizeof(struct edit));
        es->items[es->n++] = (struct edit){ (uint32_t) start, (uint32_t) end, (uint32_t) es->texts.len };
        buf_append(&es->texts, replacement, strlen(replacement) + 1);
}

static void edits_push(struct edits *es, size_t start, size_t end, char *owned_replacement) {
        edits_push_text(es, start, end, owned_replacement);
        free(owned_replacement);
}

static struct region *regions_push(struct regions *rs, size_t line_start, size_t line_end, bool unit) {
        rs->items = xrealloc_grow(rs->items, rs->n, sizeof(struct region));
        struct region *r = &rs->items[rs->n++];
        *r = (struct region){ .line_start = line_start,
                              .line_end = line_end,
                              .unit = unit,
                              .line = line_cursor_at(&rs->lines, line_start) };
        return r;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}
/* What ends a value: the blanks and newlines after it. */
#define BLANKS_AND_NEWLINES " \t\r\n"

static bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the line break at t[i] (0 if none): a backslash-newline, in units also backslash-CR-LF. A unit
 * joins the two lines with a blank; systemd's reading of an ENV file drops it, inside double quotes as
 * outside, so there it joins two words when no blank is on either side. */
static size_t break_at(const char *t, size_t i, size_t end, bool unit) {
        if (i + 1 < end && t[i] == '\\' && t[i + 1] == '\n')
                return 2;
        if (unit && i + 2 < end && t[i] == '\\' && t[i + 1] == '\r' && t[i + 2] == '\n')
                return 3;
        return 0;
}

/* Length of the whitespace at t[i] (0 if none); in units a backslash-newline counts as whitespace. */
static size_t space_at(const char *t, size_t i, size_t end, bool unit) {
        if (is_blank(t[i]) || t[i] == '\n')
                return 1;
        return unit ? break_at(t, i, end, true) : 0;
}

static size_t skip_blanks(const char *t, size_t i, size_t end) {
        while (i < end && is_blank(t[i]))
                i++;
        return i;
}

/* A byte inside a word that is nothing but itself: no blank, line end, quote, escape or expansion. */
static bool word_plain(char c) {
        switch (c) {
        case ' ':
        case '\t':
        case '\r':
        case '\n':
        case '\\':
        case '"':
        case '\'':
        case '`':
        case '$':
                return false;
        default:
                return true;
        }
}

/* Split a region into words (quotes group, as systemd's splitting of "$VAR" does), added to rs->words.
 * Sets r->broken when the value holds something we do not interpret. */
static void region_split_words(const char *t, struct regions *rs, struct region *r) {
        size_t i = r->start, n;
        if (r->broken)
                return;
        r->words_at = (uint32_t) rs->n_words;
        for (;;) {
                while (i < r->end && ((n = space_at(t, i, r->end, r->unit)) > 0 ||
                                      (n = break_at(t, i, r->end, false)) > 0))
                        i += n;
                if (i >= r->end)
                        return;
                size_t word_start = i;
                bool joined = false;
                for (;;) {
                        /* Most bytes are none of those the checks below look for: stepped over at once. */
                        while (i < r->end && word_plain(t[i]))
                                i++;
                        if (i >= r->end || space_at(t, i, r->end, r->unit) > 0)
                                break;
                        char c = t[i];
                        if (!r->unit && break_at(t, i, r->end, false)) {
                                /* ENV: the word goes on after the line break unless a blank follows it */
                                size_t j = i;
                                while (j < r->end && (n = break_at(t, j, r->end, false)) > 0)
                                        j += n;
                                if (j >= r->end || is_blank(t[j]))
                                        break;
                                joined = true;
                                i = j;
                                continue;
                        }
                        if (c == '"' || c == '\'') {
                                const char *close = memchr(t + i + 1, c, r->end - i - 1);
                                if (!close) {
                                        region_break(rs, r, "unbalanced quote");
                                        return;
                                }
                                joined = joined ||
                                         (!r->unit && memmem(t + i, (size_t) (close - t) - i, "\\\n", 2));
                                i = (size_t) (close - t) + 1;
                                continue;
                        }
                        if (c == '\\') {
                                region_break(rs, r, "backslash escape");
                                return;
                        }
                        if (c == '`' || (c == '$' && i + 1 < r->end && t[i + 1] == '(')) {
                                region_break(rs, r, "command substitution");
                                return;
                        }
                        i++;
                }
                rs->words = xrealloc_grow(rs->words, rs->n_words, sizeof(struct word));
                rs->words[rs->n_words++] = (struct word){ (uint32_t) word_start, (uint32_t) i, joined };
                r->n_words++;
        }
}

/* End of the logical line of a unit starting at s: a line ending in a backslash goes on, a comment does
 * not. Returns the offset just past the final newline. */
static size_t logical_line_end(const char *t, size_t len, size_t s) {
        size_t first = skip_blanks(t, s, len);
        bool comment = first < len && (t[first] == '#' || t[first] == ';');
        for (size_t n, end; text_line(t, len, s, &n, &end); s = end)
                if (comment || n == 0 || t[s + n - 1] != '\\')
                        return end;
        return len;
}

static void first_reason(const char **reason, const char *why) {
        if (!*reason)
                *reason = why;
}

/* Why the backslash at t[i] (in a bare or double-quoted ENV value) is not a line continuation: systemd
 * takes it with the character after it. */
static const char *backslash_reason(const char *t, size_t len, size_t i) {
        size_t e = skip_blanks(t, i + 1, len);
        if (e > i + 1 && (e >= len || t[e] == '\n'))
                return "blanks after the backslash at the end of the line, which then does not continue it";
        return "backslash escape";
}

/* End of a line of an ENV file starting at s, as systemd's EnvironmentFile= parser (parse_env_file_internal())
 * ends it: past the newline or carriage return that ends it. A backslash-newline in a bare or double-quoted
 * value goes on to the next line, and a quoted value over plain newlines too. *ret_broken says why the
 * assignment cannot be edited safely (NULL when it can). */
static size_t env_line_end(const char *t, size_t len, size_t s, const char **ret_broken) {
        enum { KEY, PRE_VALUE, VALUE, SINGLE, DOUBLE } state = KEY;
        size_t i = skip_blanks(t, s, len);
        *ret_broken = NULL;
        if (i >= len || t[i] == '\n')
                return i < len ? i + 1 : len;
        for (i++; i < len; i++) { /* the first character is part of the name, even a '=' */
                /* Step at once over the bytes that change nothing in the state they are met in. */
                if (state == KEY)
                        while (i < len && t[i] != '=' && t[i] != '\n' && t[i] != '\r')
                                i++;
                else if (state == VALUE)
                        while (i < len && t[i] != '\\' && t[i] != '\n' && t[i] != '\r')
                                i++;
                else if (state == DOUBLE)
                        while (i < len && t[i] != '"' && t[i] != '\\' && t[i] != '\n')
                                i++;
                if (i >= len)
                        break;
                char c = t[i];
                if (state != SINGLE && state != DOUBLE && (c == '\n' || c == '\r'))
                        return c == '\r' && i + 1 < len && t[i + 1] == '\n' ? i + 2 : i + 1;
                switch (state) {
                case KEY:
                        if (c == '=')
                                state = PRE_VALUE;
                        break;
                case PRE_VALUE:
                case VALUE:
                        if (c == '\\') {
                                if (i + 1 < len && t[i + 1] == '\r')
                                        first_reason(ret_broken, "a backslash before a CRLF line end, which "
                                                                 "does not continue the line");
                                else if (i + 1 >= len || t[i + 1] != '\n')
                                        first_reason(ret_broken, backslash_reason(t, len, i));
                                i++; /* systemd takes the next character as it is, and drops a newline */
                                state = VALUE;
                        } else if (state == PRE_VALUE && (c == '"' || c == '\''))
                                state = c == '"' ? DOUBLE : SINGLE;
                        else if (!is_blank(c))
                                state = VALUE;
                        break;
                case DOUBLE:
                        if (c == '"')
                                state = PRE_VALUE;
                        else if (c == '\\') {
                                if (i + 1 >= len || t[i + 1] != '\n')
                                        first_reason(ret_broken, backslash_reason(t, len, i));
                                i++;
                        } else if (c == '\n')
                                first_reason(ret_broken, "a newline inside quotes");
                        break;
                case SINGLE:
                        if (c == '\'')
                                state = PRE_VALUE;
                        else if (c == '\n')
                                first_reason(ret_broken, "a newline inside quotes");
                        break;
                }
        }
        if (state == SINGLE || state == DOUBLE)
                *ret_broken = "unbalanced quote";
        return len;
}

/* End of the comment line starting at s. systemd before 254 takes the character after a backslash as part of
 * the comment, a newline too, so *ret_continued tells whether it reads the next line as comment too (254 and
 * later do not): the two disagree about that line. */
static size_t env_comment_end(const char *t, size_t len, size_t s, bool *ret_continued) {
        *ret_continued = false;
        for (size_t i = s; i < len; i++) {
                if (t[i] == '\\' && i + 1 < len) {
                        if (t[i + 1] == '\n' || (t[i + 1] == '\r' && (i + 2 >= len || t[i + 2] != '\n'))) {
                                *ret_continued = true;
                                return i + 2;
                        }
                        i++;
                        if (t[i] == '\r') /* a backslash before CR LF: both versions end the comment here */
                                return i + 2;
                        continue;
                }
                if (t[i] == '\n' || t[i] == '\r')
                        return t[i] == '\r' && i + 1 < len && t[i + 1] == '\n' ? i + 2 : i + 1;
        }
        return len;
}

/* The VAR of an assignment starting at p: sets r->var_at and *ret_eq (the offset of the '='), or r->broken. */
static bool take_var_name(const char *t, size_t p, size_t end, struct regions *rs, struct region *r,
                          size_t *ret_eq) {
        size_t name_start = p;
        while (p < end && is_name_char(t[p]))
                p++;
        if (p == name_start || p >= end || t[p] != '=') {
                region_break(rs, r, "not a VAR=value assignment");
                return false;
        }
        if (rs->names.len == 0)
                buf_putc(&rs->names, 0);
        r->var_at = (uint32_t) rs->names.len;
        buf_append(&rs->names, t + name_start, p - name_start);
        buf_putc(&rs->names, 0);
        *ret_eq = p;
        return true;
}

/* End of an ENV value starting at p on the line [.., le): before the blanks and line ends after it, and a
 * backslash-newline there (which only joined a line that adds nothing). */
static size_t env_value_end(const char *t, size_t p, size_t le) {
        size_t end = le;
        while (end > p) {
                if (is_blank(t[end - 1]) || t[end - 1] == '\n')
                        end--;
                else if (t[end - 1] == '\\' && end < le && t[end] == '\n')
                        end--;
                else
                        break;
        }
        return end;
}

static void parse_env_line(const char *t, size_t ls, size_t le, const char *broken, struct regions *rs) {
        size_t p = skip_blanks(t, ls, le), end = le;
        if (p >= le || t[p] == '\n' || t[p] == '#' || t[p] == ';')
                return;
        struct region *r = regions_push(rs, ls, le, false);
        if (!take_var_name(t, p, le, rs, r, &p))
                return;
        r->value_at = p + 1;
        if (broken) {
                region_break(rs, r, broken);
                return;
        }
        /* The value ends before the newline or carriage return that ends the line, a lone one too. */
        if (end > p && t[end - 1] == '\n')
                end--;
        if (end > p && t[end - 1] == '\r')
                end--;
        p = skip_blanks(t, p + 1, end);
        size_t content_end = env_value_end(t, p, end);
        if (p < content_end && (t[p] == '"' || t[p] == '\'')) {
                const char *close = memchr(t + p + 1, t[p], content_end - p - 1);
                if (!close) {
                        region_break(rs, r, "unbalanced quote");
                        return;
                }
                if ((size_t) (close - t) + 1 != content_end) {
                        region_break(rs, r, "text after the closing quote");
                        return;
                }
                r->quote = t[p];
                r->start = p + 1, r->end = (size_t) (close - t);
        } else
                r->start = p, r->end = content_end;
        region_split_words(t, rs, r);
}

/* Environment= takes a list of assignments, each a word that may be quoted as a whole
 * ("VAR=a b") or after the '=' (VAR="a b"). */
static void parse_environment(const char *t, size_t ls, size_t le, size_t p, struct regions *rs) {
        size_t end = p + span_rstrip(t + p, le - p, BLANKS_AND_NEWLINES), n;
        for (;;) {
                while (p < end && (n = space_at(t, p, end, true)) > 0)
                        p += n;
                if (p >= end)
                        return;
                struct region *r = regions_push(rs, ls, le, true);
                char outer = 0;
                if (t[p] == '"' || t[p] == '\'')
                        outer = t[p++];
                if (!take_var_name(t, p, end, rs, r, &p))
                        return;
                p++;
                if (!outer && p < end && (t[p] == '"' || t[p] == '\''))
                        outer = t[p++];
                r->start = p;
                if (outer) {
                        const char *close = memchr(t + p, outer, end - p);
                        if (!close) {
                                region_break(rs, r, "unbalanced quote");
                                return;
                        }
                        r->end = (size_t) (close - t);
                        p = r->end + 1;
                        if (p < end && space_at(t, p, end, true) == 0) {
                                region_break(rs, r, "text after the closing quote");
                                return;
                        }
                } else {
                        while (p < end && space_at(t, p, end, true) == 0)
                                p++;
                        r->end = p;
                        if (memchr(t + r->start, '"', p - r->start) ||
                            memchr(t + r->start, '\'', p - r->start)) {
                                region_break(rs, r, "quote inside an unquoted assignment");
                                return;
                        }
                }
                region_split_words(t, rs, r);
                if (r->broken)
                        return;
        }
}

static void parse_unit_line(const char *t, size_t ls, size_t le, struct regions *rs) {
        size_t p = skip_blanks(t, ls, le);
        if (p >= le || strchr("#;[\n", t[p]))
                return;
        const char *eq = memchr(t + p, '=', le - p);
        if (!eq)
                return; /* not a directive; systemd ignores it with a warning */
        size_t key_end = (size_t) (eq - t);
        while (key_end > p && is_blank(t[key_end - 1]))
                key_end--;
        size_t value = skip_blanks(t, (size_t) (eq - t) + 1, le);
        if (key_end - p == strlen("Environment") && memcmp(t + p, "Environment", key_end - p) == 0)
                parse_environment(t, ls, le, value, rs);
        else if (key_end - p == strlen("ExecStart") && memcmp(t + p, "ExecStart", key_end - p) == 0) {
                /* An empty ExecStart= resets the list; it is kept as a region without words. */
                struct region *r = regions_push(rs, ls, le, true);
                r->exec = true;
                r->start = value, r->end = value + span_rstrip(t + value, le - value, BLANKS_AND_NEWLINES);
                region_split_words(t, rs, r);
        }
}

/* Does [s, e) end in a backslash-newline that is not itself escaped? */
static bool ends_in_line_break(const char *t, size_t s, size_t e) {
        size_t n = 0;
        if (e < s + 2 || t[e - 1] != '\n')
                return false;
        while (e - 1 - n > s && t[e - 2 - n] == '\\')
                n++;
        return n % 2 == 1;
}

/* Mark the assignments a later one of the same variable replaces, in one pass from the end. The names
 * seen are a hash table of region numbers, sized once for every region: 4 bytes a slot where a
 * name_index takes 16 and grows by copying, in a file of 100,000 assignments of as many variables. */
static void mark_replaced(struct regions *rs) {
        size_t cap = 16;
        while (cap < 2 * rs->n)
                cap *= 2;
        _cleanup_free_ uint32_t *seen = xmalloc(cap * sizeof(uint32_t));
        memset(seen, 0xff, cap * sizeof(uint32_t)); /* UINT32_MAX: empty */
        for (size_t ri = rs->n; ri-- > 0;) {
                const char *var = region_var(rs, &rs->items[ri]);
                if (!var)
                        continue;
                size_t h = name_index_hash(var, strlen(var)) & (cap - 1);
                while (seen[h] != UINT32_MAX && !streq(region_var(rs, &rs->items[seen[h]]), var))
                        h = (h + 1) & (cap - 1);
                rs->items[ri].replaced = seen[h] != UINT32_MAX;
                if (!rs->items[ri].replaced)
                        seen[h] = (uint32_t) ri;
        }
}

/* The parse keeps 31-bit offsets (struct word): far more than the READ_FILE_MAX a file is read with. */
static int refuse_too_large(size_t len, char **ret_error) {
        if (len <= INT32_MAX)
                return 0;
        set_error(ret_error, "the text is too large to edit (%zu bytes)", len);
        return -EFBIG;
}

static struct regions parse_regions(const char *t, size_t len, enum flags_format fmt) {
        struct regions rs = { .lines = LINE_CURSOR(t), .n_reasons = 1 };
        bool after_comment = false; /* the line before is a comment systemd before 254 goes on with */
        for (size_t s = 0; s < len;) {
                size_t e, first = skip_blanks(t, s, len);
                if (fmt == FLAGS_SYSTEMD_DROPIN) {
                        e = logical_line_end(t, len, s);
                        parse_unit_line(t, s, e, &rs);
                } else if (first < len && (t[first] == '#' || t[first] == ';')) {
                        e = env_comment_end(t, len, first, &after_comment);
                } else {
                        const char *broken;
                        e = env_line_end(t, len, s, &broken);
                        rs.ends_quoted = e == len && broken && streq(broken, "unbalanced quote");
                        parse_env_line(t, s, e,
                                       after_comment ? "it follows a comment ending in a backslash, which "
                                                       "systemd before 254 "
                                                       "reads as part of the comment"
                                                     : broken,
                                       &rs);
                        after_comment = after_comment && ends_in_line_break(t, s, e);
                }
                s = e;
        }
        mark_replaced(&rs);
        return rs;
}

/* Does a flag name of length n at a match `name`? '-' and '_' are the same to the kubelet. */
static bool flag_name_eq(const char *a, size_t n, const char *name) {
        if (strlen(name) != n)
                return false;
        for (size_t i = 0; i < n; i++) {
                char x = a[i] == '_' ? '-' : a[i], y = name[i] == '_' ? '-' : name[i];
                if (x != y)
                        return false;
        }
        return true;
}

static bool mentions_flag(const char *t, size_t start, size_t end, const char *name) {
        size_t n = strlen(name);
        for (size_t i = start; i + 2 + n <= end; i++)
                if (t[i] == '-' && t[i + 1] == '-' && flag_name_eq(t + i + 2, n, name) &&
                    (i + 2 + n == end ||
                     !(is_name_char(t[i + 2 + n]) || t[i + 2 + n] == '-' || t[i + 2 + n] == '.')))
                        return true;
        return false;
}

/* Length of what unquoting drops at t[i] (a quote, a backslash-newline), 0 if nothing. */
static size_t junk_at(const char *t, size_t i, size_t len) {
        if (t[i] == '"' || t[i] == '\'')
                return 1;
        return t[i] == '\\' && i + 1 < len && t[i + 1] == '\n' ? 2 : 0;
}

/* Could the text hold --name anywhere, as an argument or on a line we refuse? One scan that steps over
 * what unquoting drops (quotes, a backslash-newline) and takes '-' and '_' as one, so it finds every
 * occurrence and every mention the parse would find, and some more. Without one there is nothing to
 * parse: a fixer asking about many flags then costs a scan per flag, not a parse. */
static bool may_mention_flag(const char *t, size_t len, const char *name) {
        size_t n = strlen(name);
        for (const char *p = len > 0 ? memchr(t, '-', len) : NULL; p;
             p = memchr(p + 1, '-', len - (size_t) (p + 1 - t))) {
                size_t i = (size_t) (p - t) + 1, k = 0; /* matched: the first '-', then k of "-NAME" */
                for (size_t skip; k <= n; i++, k++) {
                        while (i < len && (skip = junk_at(t, i, len)) > 0)
                                i += skip;
                        char want = k == 0 ? '-' : name[k - 1];
                        if (i >= len ||
                            !(t[i] == want || (k > 0 && strchr("-_", t[i]) && strchr("-_", want))))
                                break;
                }
                if (k > n)
                        return true;
        }
        return false;
}

static bool flag_name_char(char c) {
        return is_name_char(c) || c == '-' || c == '.';
}

static const char *normalize_flag(const char *flag);
static int validate_flag(const char *name, char **ret_error);

void flags_may_mention(const char *t, size_t len, const char *const *flags, size_t n, bool *ret_maybe) {
        struct name_index wanted = {};
        struct strv names = {};
        size_t longest = 0, idx;
        /* With a NUL byte, every call refuses the text: none is to be skipped. */
        bool all = len > 0 && memchr(t, 0, len);
        for (size_t i = 0; i < n; i++) {
                char *name = xstrdup(normalize_flag(flags[i]));
                for (char *c = name; *c; c++)
                        *c = *c == '_' ? '-' : *c;
                strv_push(&names, name);
                /* An invalid name is refused by the calls: never skipped either. */
                ret_maybe[i] = all || validate_flag(name, NULL) < 0;
                if (!ret_maybe[i]) {
                        (void) name_index_put(&wanted, name, i);
                        longest = strlen(name) > longest ? strlen(name) : longest;
                }
        }
        _cleanup_free_ char *token = xmalloc(longest + 1);
        /* Every "--" (quotes and line continuations may stand between and after its dashes), then the
         * name after it, looked up where it ends: at the end of the name's bytes, and where a quote or
         * a line continuation interrupts them, since a reading that keeps those (a line kubeprep refuses)
         * ends the name there. */
        for (const char *p = wanted.n > 0 ? memchr(t, '-', len) : NULL; p;
             p = memchr(p + 1, '-', len - (size_t) (p + 1 - t))) {
                size_t i = (size_t) (p - t) + 1, k, m = 0;
                while (i < len && (k = junk_at(t, i, len)) > 0)
                        i += k;
                if (i >= len || t[i] != '-')
                        continue;
                for (i++;;) {
                        k = i < len ? junk_at(t, i, len) : 0;
                        bool goes_on = i < len && k == 0 && flag_name_char(t[i]);
                        if (!goes_on && m > 0) {
                                token[m] = 0;
                                if (name_index_get(&wanted, token, &idx))
                                        ret_maybe[idx] = true;
                        }
                        if (k > 0) {
                                i += k;
                                continue;
                        }
                        if (!goes_on || m == longest)
                                break;
                        token[m++] = t[i] == '_' ? '-' : t[i];
                        i++;
                }
        }
        /* Two flags of one name: the second has the first's answer. */
        for (size_t i = 0; i < n; i++)
                if (!ret_maybe[i] && name_index_get(&wanted, names.items[i], &idx))
                        ret_maybe[i] = ret_maybe[idx];
        name_index_free(&wanted);
        strv_free(&names);
}

/* Does the logical line of r mention --name? In an ENV file systemd drops a backslash-newline, which may
 * be inside the name. */
static bool region_mentions_flag(const char *t, const struct region *r, const char *name) {
        if (r->unit)
                return mentions_flag(t, r->line_start, r->line_end, name);
        struct buf b = {};
        for (size_t i = r->line_start; i < r->line_end; i++)
                if (break_at(t, i, r->line_end, false))
                        i++;
                else
                        buf_putc(&b, t[i]);
        size_t n = b.len;
        _cleanup_free_ char *joined = buf_steal(&b);
        return mentions_flag(joined, 0, n, name);
}

/* Of the variables [start, end) mentions, as "$VAR" (not followed by a name character) or "${VAR}", the one
 * ix maps to the smallest index; SIZE_MAX when it mentions none of them. */
static size_t first_mentioned(const char *t, size_t start, size_t end, const struct name_index *ix) {
        size_t best = SIZE_MAX, idx;
        for (size_t i = start; i < end; i++) {
                if (t[i] != '$')
                        continue;
                bool braced = i + 1 < end && t[i + 1] == '{';
                size_t name = i + 1 + braced, n = 0;
                while (name + n < end && is_name_char(t[name + n]))
                        n++;
                if (n == 0 || (braced && (name + n >= end || t[name + n] != '}')))
                        continue;
                _cleanup_free_ char *var = xstrndup(t + name, n);
                if (name_index_get(ix, var, &idx) && idx < best)
                        best = idx;
        }
        return best;
}

/* The word as the kubelet receives it: quotes removed, "%%" unescaped in units, line breaks dropped in ENV files. */
static char *unquote(const char *t, size_t start, size_t end, bool unit) {
        struct buf b = {};
        char quote = 0;
        for (size_t i = start; i < end; i++) {
                if (!unit && break_at(t, i, end, false)) {
                        i++;
                        continue;
                }
                if (quote ? t[i] == quote : (t[i] == '"' || t[i] == '\'')) {
                        quote = quote ? 0 : t[i];
                        continue;
                }
                if (unit && t[i] == '%' && i + 1 < end && t[i + 1] == '%')
                        i++;
                buf_putc(&b, t[i]);
        }
        return buf_steal(&b);
}

/* The variable a word expands ("$VAR" or "${VAR}"), in *scratch (reused from word to word: an ExecStart=
 * may expand a hundred thousand); NULL for any other word. */
static const char *word_var_reference(const char *t, const struct word *w, struct buf *scratch) {
        size_t len = w->end - w->start;
        const char *s = t + w->start;
        if (len < 2 || s[0] != '$')
                return NULL;
        scratch->len = 0;
        if (len >= 3 && s[1] == '{' && s[len - 1] == '}')
                buf_append(scratch, s + 2, len - 3);
        else
                buf_append(scratch, s + 1, len - 1);
        return scratch->data;
}

static int find_occurrences(const char *t, const struct regions *rs, const char *name,
                            struct occurrences *ret, char **ret_error) {
        for (size_t ri = 0; ri < rs->n; ri++) {
                const struct region *r = &rs->items[ri];
                const struct word *words = region_words(rs, r);
                if (r->broken) {
                        if (region_mentions_flag(t, r, name)) {
                                set_error(ret_error, "line %u: cannot interpret --%s here: %s", r->line,
                                          name, region_broken(rs, r));
                                return -EBADMSG;
                        }
                        continue;
                }
                for (size_t k = r->exec ? 1 : 0; k < r->n_words; k++) {
                        const struct word *w = &words[k];
                        /* The word as the kubelet gets it; most are plain (no quote, no line break, no
                         * "%%"): those are read where they are, not copied. */
                        const char *u = t + w->start;
                        size_t n = w->end - w->start;
                        _cleanup_free_ char *unquoted = NULL;
                        if (w->joined || memchr(u, '"', n) || memchr(u, '\'', n) || memchr(u, 0, n) ||
                            (r->unit && memchr(u, '%', n))) {
                                u = unquoted = unquote(t, w->start, w->end, r->unit);
                                n = strlen(u);
                        }
                        if (n == 2 && u[0] == '-' && u[1] == '-')
                                break; /* the rest are positional arguments */
                        if (n < 2 || u[0] != '-' || u[1] != '-')
                                continue;
                        const char *after = u + 2;
                        const char *eq = memchr(after, '=', n - 2);
                        size_t name_len = eq ? (size_t) (eq - after) : n - 2;
                        if (!flag_name_eq(after, name_len, name))
                                continue;
                        struct occurrence o = { .region = (uint32_t) ri,
                                                .word = (uint32_t) k,
                                                .value_word = NO_VALUE_WORD,
                                                .split = w->joined };
                        o.quoted_name =
                                t[w->start] != '-' || t[w->start + 1] != '-' ||
                                memchr(t + w->start, '"', 2 + name_len) ||
                                memchr(t + w->start, '\'', 2 + name_len) ||
                                /* a quote between the name and '=' ("--name"=v): the value is not where it seems */
                                (eq && t[w->start + 2 + name_len] != '=');
                        if (eq) {
                                o.has_value = true;
                                o.value_start = w->start + 2 + name_len + 1, o.value_end = w->end;
                        } else if (k + 1 < r->n_words && t[words[k + 1].start] != '-') {
                                o.has_value = true, o.value_word = k + 1,
                                o.split = o.split || words[k + 1].joined;
                                o.value_start = words[k + 1].start, o.value_end = words[k + 1].end;
                                k++;
                        }
                        ret->items = xrealloc_grow(ret->items, ret->n, sizeof(struct occurrence));
                        ret->items[ret->n++] = o;
                }
        }
        /* An ExecStart= we cannot interpret that expands a variable holding the flag passes the flag
         * on in a way we cannot follow: as good as mentioning it. The first occurrence of each variable,
         * looked up: a scan of each such line per occurrence would multiply lines by occurrences. */
        struct name_index first_of_var = {};
        int k = 0;
        bool broken_exec = false; /* without one there is nothing to look up: no index to build */
        for (size_t ri = 0; ri < rs->n && !broken_exec; ri++)
                broken_exec = rs->items[ri].broken && rs->items[ri].exec;
        for (size_t i = 0; i < ret->n && broken_exec; i++)
                if (region_var(rs, &rs->items[ret->items[i].region]))
                        (void) name_index_put(&first_of_var,
                                              region_var(rs, &rs->items[ret->items[i].region]), i);
        for (size_t ri = 0; ri < rs->n && k == 0 && first_of_var.n > 0; ri++) {
                const struct region *r = &rs->items[ri];
                if (!r->broken || !r->exec)
                        continue;
                size_t i = first_mentioned(t, r->line_start, r->line_end, &first_of_var);
                if (i != SIZE_MAX) {
                        set_error(ret_error, "line %u: cannot interpret --%s here (through $%s): %s",
                                  r->line, name, region_var(rs, &rs->items[ret->items[i].region]),
                                  region_broken(rs, r));
                        k = -EBADMSG;
                }
        }
        name_index_free(&first_of_var);
        return k;
}

/* A later assignment of the same variable replaces the earlier one. */
static bool region_effective(const struct regions *rs, size_t ri) {
        return !rs->items[ri].replaced;
}

/* The occurrence the kubelet ends up with: the last one in argument order. The variables ExecStart=
 * expands, and the last occurrence each variable holds, are looked up, so that lines and occurrences do
 * not multiply. */
static const struct occurrence *last_occurrence(const char *t, const struct regions *rs,
                                                const struct occurrences *os) {
        const struct occurrence *last = NULL;
        struct name_index last_of_var = {};
        struct buf scratch = {};
        const char *var;
        size_t first_exec = 0, idx; /* ExecStart= lines before an empty ExecStart= do not count */
        for (size_t ri = 0; ri < rs->n; ri++)
                if (rs->items[ri].exec && !rs->items[ri].broken && rs->items[ri].n_words == 0)
                        first_exec = ri;
        for (size_t i = os->n; i-- > 0;) { /* the first put wins: the last occurrence */
                const struct region *r = &rs->items[os->items[i].region];
                if (region_var(rs, r) && region_effective(rs, os->items[i].region))
                        (void) name_index_put(&last_of_var, region_var(rs, r), i);
        }
        /* Which of those variables an ExecStart= expands, marked at the variable's last occurrence: the
         * names are looked up one at a time, not copied into an index of their own. */
        _cleanup_free_ bool *referenced = xmalloc(os->n + 1);
        memset(referenced, 0, os->n + 1);
        for (size_t ri = first_exec; ri < rs->n; ri++)
                for (size_t k = 1; rs->items[ri].exec && k < rs->items[ri].n_words; k++)
                        if ((var = word_var_reference(t, &region_words(rs, &rs->items[ri])[k], &scratch)) &&
                            name_index_get(&last_of_var, var, &idx))
                                referenced[idx] = true;
        for (size_t i = 0; i < os->n; i++) {
                const struct region *r = &rs->items[os->items[i].region];
                if (region_var(rs, r) && region_effective(rs, os->items[i].region) &&
                    name_index_get(&last_of_var, region_var(rs, r), &idx) && !referenced[idx])
                        last = &os->items[i];
        }
        /* The occurrences are in region and word order: one pass over them along the ExecStart= words. */
        size_t i = 0;
        for (size_t ri = first_exec; ri < rs->n; ri++) {
                const struct region *r = &rs->items[ri];
                while (i < os->n && os->items[i].region < ri)
                        i++;
                for (size_t k = 1; r->exec && !r->broken && k < r->n_words; k++) {
                        if (i < os->n && os->items[i].region == ri && os->items[i].word == k) {
                                last = &os->items[i++];
                                continue;
                        }
                        if ((var = word_var_reference(t, &region_words(rs, r)[k], &scratch)) &&
                            name_index_get(&last_of_var, var, &idx))
                                last = &os->items[idx];
                }
        }
        name_index_free(&last_of_var);
        buf_free(&scratch);
        return last;
}

static const char *normalize_flag(const char *flag) {
        while (*flag == '-')
                flag++;
        return flag;
}

static int validate_flag(const char *name, char **ret_error) {
        if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
                              strlen(name)) {
                set_error(ret_error, "invalid flag name '%s'", name);
                return -EINVAL;
        }
        return 0;
}

int flags_get(const char *text, size_t len, enum flags_format fmt, const char *flag, char **ret_value,
              char **ret_error) {
        const char *name = normalize_flag(flag);
        int r = validate_flag(name, ret_error);
        if (r < 0)
                return r;
        if (!may_mention_flag(text, len, name))
                return 0;
        if ((r = refuse_too_large(len, ret_error)) < 0)
                return r;
        _cleanup_(regions_free) struct regions rs = parse_regions(text, len, fmt);
        _cleanup_free_ struct occurrence *items = NULL;
        struct occurrences os = {};
        r = find_occurrences(text, &rs, name, &os, ret_error);
        items = os.items;
        if (r < 0)
                return r;
        const struct occurrence *last = last_occurrence(text, &rs, &os);
        if (!last)
                return 0;
        const struct region *lr = &rs.items[last->region];
        char *value;
        if (!last->has_value)
                value = xstrdup("true");
        else if (last->quoted_name && last->value_word == NO_VALUE_WORD) {
                /* the '=' sits somewhere inside quotes: take the value from the unquoted word */
                _cleanup_free_ char *u = unquote(text, region_words(&rs, lr)[last->word].start,
                                                 region_words(&rs, lr)[last->word].end, lr->unit);
                value = xstrdup(strchr(u, '=') + 1);
        } else
                value = unquote(text, last->value_start, last->value_end, lr->unit);
        if (ret_value)
                *ret_value = value;
        else
                free(value);
        return 1;
}

/* The new value in the old value's clothes: a value wrapped in quotes stays wrapped. */
static char *format_value(const char *t, const struct occurrence *o, bool unit, const char *value) {
        struct buf b = {};
        size_t n = o->has_value ? o->value_end - o->value_start : 0;
        const char *old = t + o->value_start;
        bool wrapped =
                n >= 2 && (old[0] == '"' || old[0] == '\'') && memchr(old + 1, old[0], n - 1) == old + n - 1;
        if (wrapped)
                buf_putc(&b, old[0]);
        for (const char *p = value; *p; p++)
                buf_puts(&b, unit && *p == '%' ? "%%" : (char[]){ *p, 0 });
        if (wrapped)
                buf_putc(&b, old[0]);
        return buf_steal(&b);
}

/* In the whitespace [a, b) between two words: the offset of its first line break (b if none), and the
 * offset just past its last one (a if none). */
static size_t first_break(const char *t, size_t a, size_t b, bool unit) {
        for (size_t i = a; i < b; i++)
                if (break_at(t, i, b, unit))
                        return i;
        return b;
}

static size_t after_last_break(const char *t, size_t a, size_t b, bool unit) {
        size_t last = a, n;
        for (size_t i = a; i < b; i++)
                if ((n = break_at(t, i, b, unit)) > 0) {
                        last = i + n;
                        i += n - 1;
                }
        return last;
}

/* Does the whitespace [a, b) keep two words apart? A line break does in a unit, not in an ENV file. */
static bool separates(const char *t, size_t a, size_t b, bool unit) {
        for (size_t i = a; i < b; i++) {
                size_t n = break_at(t, i, b, unit);
                if (n > 0 && unit)
                        return true;
                if (n > 0)
                        i += n - 1;
                else if (is_blank(t[i]) || t[i] == '\n')
                        return true;
        }
        return false;
}

/* Remove the marked words with the whitespace that separated them from the kept words. A value continued
 * over several lines keeps its layout: a word that follows another on its line goes with the blanks before
 * it, the first word of a line with the blanks after it, a word alone on its line with the line (unless the
 * words around it would then run together: then its line is left with its blanks and line break). */
static void edits_remove_words(struct edits *es, const char *t, const struct regions *rs,
                               const struct region *r, const bool *removed) {
        const struct word *words = region_words(rs, r);
        for (size_t a = 0; a < r->n_words; a++) {
                if (!removed[a])
                        continue;
                size_t b = a;
                while (b + 1 < r->n_words && removed[b + 1])
                        b++;
                bool has_prev = a > 0, has_next = b + 1 < r->n_words;
                size_t ws = words[a].start, we = words[b].end;
                size_t pe = has_prev ? words[a - 1].end : ws, ns = has_next ? words[b + 1].start : we;
                size_t next_break = first_break(t, we, ns, r->unit);
                if (has_prev && (first_break(t, pe, ws, r->unit) == ws || !has_next))
                        edits_push_text(es, pe, we, "");
                else if (!has_next)
                        edits_push_text(es, ws, we, "");
                else if (next_break == ns)
                        edits_push_text(es, ws, ns, "");
                else {
                        size_t ls = after_last_break(t, pe, ws, r->unit),
                               le = next_break + break_at(t, next_break, ns, r->unit);
                        if (has_prev && (separates(t, pe, ls, r->unit) || separates(t, le, ns, r->unit)))
                                edits_push_text(es, ls, le, "");
                        else
                                edits_push_text(es, ws, next_break, "");
                }
                a = b;
        }
}

static int edits_for_occurrences(const char *t, const struct regions *rs, const struct occurrences *os,
                                 const char *name, const char *value, struct edits *es, char **ret_error) {
        /* The occurrences are in region order: each region's are the run [first, end). */
        for (size_t first = 0, end; first < os->n; first = end) {
                size_t ri = os->items[first].region;
                const struct region *r = &rs->items[ri];
                const struct word *words = region_words(rs, r);
                for (end = first; end < os->n && os->items[end].region == ri; end++)
                        ;
                _cleanup_free_ bool *removed = xmalloc(r->n_words + 1);
                bool kept_one = false;
                memset(removed, 0, r->n_words + 1);
                for (size_t i = first; i < end; i++) {
                        const struct occurrence *o = &os->items[i];
                        if (o->quoted_name) {
                                set_error(ret_error, "line %u: cannot edit a quoted flag name", r->line);
                                return -EBADMSG;
                        }
                        if (o->split) {
                                set_error(ret_error,
                                          "line %u: cannot edit --%s: a line continuation splits it",
                                          line_of_offset(t, words[o->word].start), name);
                                return -EBADMSG;
                        }
                        if (value && !kept_one) {
                                kept_one = true;
                                if (!o->has_value) {
                                        _cleanup_free_ char *v = format_value(t, o, r->unit, value);
                                        edits_push(es, words[o->word].end, words[o->word].end,
                                                   xasprintf("=%s", v));
                                } else if (o->value_word != NO_VALUE_WORD && !*value)
                                        edits_push_text(es, words[o->word].end, o->value_end, "=");
                                else
                                        edits_push(es, o->value_start, o->value_end,
                                                   format_value(t, o, r->unit, value));
                                continue;
                        }
                        removed[o->word] = true;
                        if (o->value_word != NO_VALUE_WORD)
                                removed[o->value_word] = true;
                }
                edits_remove_words(es, t, rs, r, removed);
        }
        return 0;
}

static int edit_cmp(const void *a, const void *b) {
        const struct edit *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

/* The first of the edits (sorted by edit_cmp) that starts at or after off. */
static size_t edits_first_at(const struct edits *es, size_t off) {
        size_t lo = 0, hi = es->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (es->items[mid].start < off)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* Apply the (non-overlapping) edits; 0 if the text comes out the same. */
static int apply_edits(const char *text, size_t len, struct edits *es, char **ret_text, size_t *ret_len) {
        struct buf b = {};
        size_t pos = 0, size = len;
        if (es->n > 0)
                qsort(es->items, es->n, sizeof(struct edit), edit_cmp);
        /* The result is usually planned, and then held to the end of the run: allocated at its size,
         * not at the next power of two a growing buffer would leave. */
        for (size_t i = 0; i < es->n; i++)
                size += strlen(edit_replacement(es, &es->items[i])) -
                        (es->items[i].end - es->items[i].start);
        b.data = xmalloc(size + 1);
        b.cap = size + 1;
        for (size_t i = 0; i < es->n; i++) {
                buf_append(&b, text + pos, es->items[i].start - pos);
                buf_puts(&b, edit_replacement(es, &es->items[i]));
                pos = es->items[i].end;
        }
        buf_append(&b, text + pos, len - pos);
        return buf_finish_edit(&b, text, len, ret_text, ret_len);
}

/* The flag is in no effective assignment of the ENV file: add it to the last assignment of var, or add that
 * assignment. */
static int edit_env_append(const char *t, size_t len, const struct regions *rs, const char *var,
                           const char *name, const char *value, struct edits *es, char **ret_error) {
        const struct region *target = NULL;
        for (size_t ri = 0; ri < rs->n; ri++)
                if (region_var(rs, &rs->items[ri]) && streq(region_var(rs, &rs->items[ri]), var))
                        target = &rs->items[ri];
        if (target && target->broken) {
                set_error(ret_error, "line %u: cannot add --%s to %s: %s", target->line, name, var,
                          region_broken(rs, target));
                return -EBADMSG;
        }
        if (target) {
                const struct word *words = region_words(rs, target);
                /* Flags after a "--" word would be positional arguments: go in front of it. */
                for (size_t k = 0; k < target->n_words; k++) {
                        _cleanup_free_ char *u = unquote(t, words[k].start, words[k].end, target->unit);
                        if (streq(u, "--")) {
                                edits_push(es, words[k].start, words[k].start,
                                           xasprintf("--%s=%s ", name, value));
                                return 0;
                        }
                }
                size_t at = target->n_words > 0 ? words[target->n_words - 1].end : target->start;
                edits_push(es, at, at, xasprintf("%s--%s=%s", target->n_words > 0 ? " " : "", name, value));
                return 0;
        }
        const char *eol = detect_eol_any(t, len);
        bool ends_with_newline = len == 0 || t[len - 1] == '\n';
        /* After a last line ending in a backslash the new line would continue it. */
        size_t e = len - (ends_with_newline && len > 0);
        if (e > 0 && t[e - 1] == '\r')
                e--;
        if (e > 0 && t[e - 1] == '\\') {
                set_error(ret_error,
                          "line %u: the file ends in a line continuation, cannot add --%s after it",
                          line_of_offset(t, e - 1), name);
                return -EBADMSG;
        }
        if (rs->ends_quoted) {
                set_error(ret_error,
                          "line %u: the file ends inside a quoted value, cannot add --%s after it",
                          rs->items[rs->n - 1].line, name);
                return -EBADMSG;
        }
        edits_push(es, len, len,
                   xasprintf("%s%s=\"--%s=%s\"%s", ends_with_newline ? "" : eol, var, name, value,
                             ends_with_newline ? eol : ""));
        es->items[es->n - 1].new_line = true;
        return 0;
}

static int validate_value(const char *value, char **ret_error) {
        for (const char *p = value; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f || strchr(" \"'\\$`", *p)) {
                        set_error(
                                ret_error,
                                "value '%s' cannot be written safely (whitespace, quote, '\\', '$' or '`')",
                                value);
                        return -EINVAL;
                }
        return 0;
}

static bool valid_var_name(const char *var) {
        if (!var || !*var || (var[0] >= '0' && var[0] <= '9'))
                return false;
        for (const char *p = var; *p; p++)
                if (!is_name_char(*p))
                        return false;
        return true;
}

/* The shell metacharacters and blanks that make a bare value mean something else to a shell. */
#define SHELL_SPECIAL " \t<>|&;()$`\"'*?[#~"

/* /etc/default/kubelet and /etc/sysconfig/kubelet are sourced by shells too: a bare value an edit leaves
 * holding blanks or shell metacharacters is wrapped in quotes, so a shell reads what systemd reads. Double
 * quotes, unless the value holds '"', '$' or '`' (a shell would take those up): then single quotes, in which
 * both read every byte as it is. */
static int edits_quote_bare_values(const char *t, const struct regions *rs, struct edits *es,
                                   char **ret_error) {
        _cleanup_(edits_free) struct edits quoted = {};
        size_t dropped = 0;
        if (es->n > 0)
                qsort(es->items, es->n, sizeof(struct edit), edit_cmp);
        for (size_t ri = 0; ri < rs->n; ri++) {
                const struct region *r = &rs->items[ri];
                if (r->unit || !region_var(rs, r) || r->broken || r->quote)
                        continue;
                /* The edits are sorted and apart: a value's are among those from the first at its start. */
                size_t first = edits_first_at(es, r->start), end = first, pos = r->start;
                struct buf b = {};
                bool touched = false;
                for (; end < es->n && es->items[end].start <= r->end; end++)
                        if (!es->items[end].new_line && es->items[end].end <= r->end) {
                                buf_append(&b, t + pos, es->items[end].start - pos);
                                buf_puts(&b, edit_replacement(es, &es->items[end]));
                                pos = es->items[end].end;
                                touched = true;
                        }
                buf_append(&b, t + pos, r->end - pos);
                _cleanup_free_ char *v = buf_steal(&b);
                if (!touched || !v[strcspn(v, SHELL_SPECIAL)])
                        continue;
                char q = strpbrk(v, "\"$`") ? '\'' : '"';
                if (q == '\'' && strpbrk(v, "'\\")) {
                        set_error(ret_error,
                                  "line %u: %s needs quotes for the shells that source this file, but holds "
                                  "characters no quoting keeps the same for both systemd and a shell",
                                  r->line, region_var(rs, r));
                        return -EBADMSG;
                }
                /* The value's edits give way to one that quotes it, whole. */
                for (size_t i = first; i < end; i++)
                        if (!es->items[i].new_line && es->items[i].end <= r->end) {
                                es->items[i].dropped = true;
                                dropped++;
                        }
                /* The quote goes right after the '=': a shell would take "VAR= '...'" for a command. */
                edits_push(&quoted, r->value_at, r->end, xasprintf("%c%s%c", q, v, q));
        }
        if (dropped > 0) {
                size_t kept = 0;
                for (size_t i = 0; i < es->n; i++)
                        if (!es->items[i].dropped)
                                es->items[kept++] = es->items[i];
                es->n = kept;
        }
        for (size_t i = 0; i < quoted.n; i++)
                edits_push_text(es, quoted.items[i].start, quoted.items[i].end,
                                edit_replacement(&quoted, &quoted.items[i]));
        return 0;
}

/* Shared by set (value != NULL) and remove (value == NULL). */
static int flags_edit(const char *text, size_t len, enum flags_format fmt, const char *var, const char *flag,
                      const char *value, char **ret_text, size_t *ret_len, char **ret_error) {
        const char *name = normalize_flag(flag);
        int r = validate_flag(name, ret_error);
        if (r < 0)
                return r;
        if (value && (r = validate_value(value, ret_error)) < 0)
                return r;
        if (value && fmt == FLAGS_ENV_FILE && !valid_var_name(var)) {
                set_error(ret_error, "invalid variable name '%s'", strempty(var));
                return -EINVAL;
        }
        if ((r = refuse_nul(text, len, ret_error)) < 0 || (r = refuse_too_large(len, ret_error)) < 0)
                return r;
        /* Nothing to change where the flag is nowhere, unless it is to be added (ENV files only). */
        if ((!value || fmt == FLAGS_SYSTEMD_DROPIN) && !may_mention_flag(text, len, name))
                return 0;
        _cleanup_(regions_free) struct regions rs = parse_regions(text, len, fmt);
        _cleanup_(edits_free) struct edits es = {};
        _cleanup_free_ struct occurrence *items = NULL;
        struct occurrences os = {};
        r = find_occurrences(text, &rs, name, &os, ret_error);
        items = os.items;
        if (r < 0)
                return r;
        if ((r = edits_for_occurrences(text, &rs, &os, name, value, &es, ret_error)) < 0)
                return r;
        /* Occurrences only in assignments a later one of the same variable replaces are updated
         * too, but the kubelet never sees them: the flag still has to be added. */
        bool effective = false;
        for (size_t i = 0; i < os.n; i++)
                effective = effective || region_effective(&rs, os.items[i].region);
        if (value && !effective && fmt == FLAGS_ENV_FILE &&
            (r = edit_env_append(text, len, &rs, var, name, value, &es, ret_error)) < 0)
                return r;
        if (value && fmt == FLAGS_ENV_FILE && (r = edits_quote_bare_values(text, &rs, &es, ret_error)) < 0)
                return r;
        /* The edits say all that is left to do: the parse goes before the new text is made, so that the
         * two are not held together (a flag on each of 100,000 lines). */
        regions_free(&rs);
        free(TAKE_PTR(items));
        return apply_edits(text, len, &es, ret_text, ret_len);
}

int flags_set(const char *text, size_t len, enum flags_format fmt, const char *var, const char *flag,
              const char *value, char **ret_text, size_t *ret_len, char **ret_error) {
        if (!value) {
                set_error(ret_error, "no value given for --%s", normalize_flag(flag));
                return -EINVAL;
        }
        return flags_edit(text, len, fmt, var, flag, value, ret_text, ret_len, ret_error);
}

int flags_remove(const char *text, size_t len, enum flags_format fmt, const char *flag, char **ret_text,
                 size_t *ret_len, char **ret_error) {
        return flags_edit(text, len, fmt, NULL, flag, NULL, ret_text, ret_len, ret_error);
}
