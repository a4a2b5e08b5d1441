/* SPDX-License-Identifier: MIT */
/* Comment out the swap entries of an fstab. libmount decides what the file means (and the file is
 * refused when libmount would skip a line); the edit is done on the original text, so every other
 * byte, line end and column stays as it was. */
#include <ctype.h>
#include <libmount/libmount.h>

#include "formats/fstab-edit.h"

/* One entry line as our own tokenizer reads it, fields decoded the way libmount decodes them. */
struct fstab_entry {
        unsigned line; /* 1-based */
        size_t offset; /* where the line starts in the text */
        char *source;
        char *target;
        char *fstype;
};

struct fstab_entries {
        struct fstab_entry *items;
        size_t n;
};

static void fstab_entries_free(struct fstab_entries *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->items[i].source);
                free(e->items[i].target);
                free(e->items[i].fstype);
        }
        free(e->items);
        *e = (struct fstab_entries){};
}

/* libmount has no cleanup helpers of its own. */
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table, mnt_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter, mnt_free_iter);

/* libmount separates fields with spaces and tabs only (not \r, \v, \f). */
static bool is_field_separator(char c) {
        return c == ' ' || c == '\t';
}

static const char *skip_separators(const char *s) {
        while (is_field_separator(*s))
                s++;
        return s;
}

static const char *field_end(const char *s) {
        while (*s && !is_field_separator(*s))
                s++;
        return s;
}

/* Decode one field with libmount's own mnt_unmangle(), which reads up to the first space or tab:
 * \ooo octal escapes and nothing else. Returns NULL for an empty field; *ret_end is set past the
 * field either way. */
static char *decode_field(const char *s, const char **ret_end) {
        *ret_end = field_end(s);
        if (*ret_end == s)
                return NULL;
        char *out = mnt_unmangle(s);
        if (!out)
                oom();
        return out;
}

/* libmount reads the dump and pass fields with strtol() and wants a separator or the line end right
 * after the digits. Returns the position after the number, NULL when the field is not one. */
static const char *parse_number_field(const char *s) {
        char *end;

        (void) strtol(s, &end, 10);
        if (end == s || !(is_field_separator(*end) || *end == 0))
                return NULL;
        return end;
}

/* libmount takes any word as the filesystem type. We don't: characters no filesystem name has
 * (as in "LABEL=arch" or "/dev/sda3") mean the columns are shifted, most often a comment whose '#'
 * got mangled ("kk# /dev/sda3 LABEL=arch"); mount and the boot would fail on such a line, and
 * editing around it would hide the problem. Comma lists ("ext4,ext3") are allowed. */
static bool is_plausible_fstype(const char *t) {
        for (; *t; t++)
                if (!isalnum((unsigned char) *t) && !strchr("._+-,", *t))
                        return false;
        return true;
}

/* Read one line (NUL-terminated, line end removed) the way libmount's fstab parser does.
 * Returns 0 for a blank or comment line, 1 for an entry (fields stored in *entry), -EBADMSG with a
 * malloc'ed reason in *ret_reason when libmount would skip the line or we refuse it. */
static int tokenize_line(const char *line, struct fstab_entry *entry, char **ret_reason) {
        const char *s = skip_separators(line), *field;

        if (*s == 0 || *s == '#')
                return 0;

        _cleanup_free_ char *source = decode_field(s, &s);
        s = skip_separators(s);
        _cleanup_free_ char *target = decode_field(s, &s);
        if (!target) {
                *ret_reason = xasprintf("entry '%s' has no mount point and no filesystem type", source);
                return -EBADMSG;
        }
        s = skip_separators(s);
        field = s;
        _cleanup_free_ char *fstype = decode_field(s, &s);
        if (!fstype) {
                *ret_reason = xasprintf("entry '%s %s' has no filesystem type", source, target);
                return -EBADMSG;
        }
        if (!is_plausible_fstype(fstype)) {
                _cleanup_free_ char *raw = xstrndup(field, (size_t) (s - field));
                if (strchr(source, '#'))
                        *ret_reason =
                                xasprintf("'%s' is not a filesystem type: is '%s' a comment with stray "
                                          "characters before its '#'?",
                                          raw, source);
                else
                        *ret_reason = xasprintf("'%s' is not a filesystem type (fields out of place?)", raw);
                return -EBADMSG;
        }

        s = skip_separators(s);
        field = s;
        _cleanup_free_ char *options = decode_field(s, &s);
        if (options) {
                const char *what[] = { "dump", "pass" };
                for (size_t i = 0; i < ELEMENTSOF(what); i++) {
                        s = skip_separators(s);
                        if (*s == 0)
                                break;
                        field = s;
                        s = parse_number_field(s);
                        if (!s) {
                                _cleanup_free_ char *raw =
                                        xstrndup(field, (size_t) (field_end(field) - field));
                                *ret_reason = xasprintf(
                                        "%s field '%s' is not a number (unescaped space in a field?)",
                                        what[i], raw);
                                return -EBADMSG;
                        }
                }
                /* libmount ignores anything after the pass field (people put comments there). */
        }

        entry->source = TAKE_PTR(source);
        entry->target = TAKE_PTR(target);
        entry->fstype = TAKE_PTR(fstype);
        return 1;
}

/* Tokenize every line. On a refused line returns -EBADMSG with its number and reason. */
static int scan_entries(const char *text, size_t len, struct fstab_entries *ret, unsigned *ret_bad_line,
                        char **ret_reason) {
        struct fstab_entries entries = {};
        unsigned line_no = 0;

        /* text_line() drops a \r before the line end as libmount does: CRLF files parse like LF ones. */
        for (size_t start = 0, n, end; text_line(text, len, start, &n, &end); start = end) {
                _cleanup_free_ char *line = xstrndup(text + start, n);
                struct fstab_entry entry = { .line = ++line_no, .offset = start };

                int r = tokenize_line(line, &entry, ret_reason);
                if (r < 0) {
                        fstab_entries_free(&entries);
                        *ret_bad_line = line_no;
                        return r;
                }
                if (r > 0) {
                        entries.items = xrealloc(entries.items, (entries.n + 1) * sizeof(entries.items[0]));
                        entries.items[entries.n++] = entry;
                }
        }

        *ret = entries;
        return 0;
}

/* mnt_table_parse_stream() guesses the format from the first entry (two numbers: mountinfo,
 * "Filename<TAB>": /proc/swaps), while mount and findmnt always read /etc/fstab as fstab. An fstab
 * entry put in front makes the guess come out right; it is line 0 of the text and dropped again. */
#define FORMAT_GUARD_TARGET "/kubeprep-fstab-format-guard"
#define FORMAT_GUARD_LINE "none " FORMAT_GUARD_TARGET " none defaults 0 0\n"

static int record_parse_error(struct libmnt_table *tb, const char *filename _unused_, int line) {
        unsigned *first_bad_line = mnt_table_get_userdata(tb);

        /* line - 1: the guard line comes first */
        if (*first_bad_line == 0)
                *first_bad_line = line > 1 ? (unsigned) line - 1 : 1;
        return 1; /* skip and go on: the file is refused afterwards anyway */
}

/* Parse the text with libmount from memory. *ret_bad_line is the first line libmount could not
 * parse (0 when none); those lines are not in the table. The table starts with the guard entry. */
static int libmount_parse(const char *text, size_t len, struct libmnt_table **ret_table,
                          unsigned *ret_bad_line) {
        /* declared before f, so the stream is closed before its buffer goes away */
        _cleanup_(buf_free) struct buf guarded = {};
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = NULL;
        unsigned bad_line = 0;
        int r;

        buf_puts(&guarded, FORMAT_GUARD_LINE);
        buf_append(&guarded, text, len);
        f = fmemopen(guarded.data, guarded.len, "r");
        if (!f)
                return -errno;
        tb = mnt_new_table();
        if (!tb)
                return -ENOMEM;
        mnt_table_set_userdata(tb, &bad_line);
        mnt_table_set_parser_errcb(tb, record_parse_error);
        r = mnt_table_parse_stream(tb, f, "fstab");
        mnt_table_set_userdata(tb, NULL);
        if (r < 0)
                return r;

        *ret_table = TAKE_PTR(tb);
        *ret_bad_line = bad_line;
        return 0;
}

/* Make sure our idea of the entries is libmount's, field by field: the lines we comment out must be
 * exactly the entries swapon -a would use. Returns the index of the first disagreement, or
 * SIZE_MAX when both agree. */
static size_t first_disagreement(const struct fstab_entries *entries, struct libmnt_table *tb) {
        _cleanup_(mnt_free_iterp) struct libmnt_iter *iter = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        size_t i = 0;

        if (!iter || mnt_table_next_fs(tb, iter, &fs) != 0 ||
            !streq_ptr(mnt_fs_get_target(fs), FORMAT_GUARD_TARGET))
                return 0;
        for (; mnt_table_next_fs(tb, iter, &fs) == 0; i++) {
                if (i >= entries->n)
                        return i;
                const struct fstab_entry *e = &entries->items[i];
                const char *source = mnt_fs_get_source(fs);
                /* some libmount versions store the source "none" as no source at all */
                bool source_same = source ? streq(source, e->source) : streq(e->source, "none");
                if (!source_same || !streq_ptr(mnt_fs_get_target(fs), e->target) ||
                    !streq_ptr(mnt_fs_get_fstype(fs), e->fstype) ||
                    !!mnt_fs_is_swaparea(fs) != streq(e->fstype, "swap"))
                        return i;
        }
        return i == entries->n ? SIZE_MAX : i;
}

/* Check the whole file; returns 0 with the entries when it is understood completely. */
static int understand_fstab(const char *text, size_t len, struct fstab_entries *ret, char **ret_error) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = NULL;
        _cleanup_free_ char *reason = NULL;
        struct fstab_entries entries = {};
        unsigned our_bad_line = 0, libmount_bad_line = 0;
        int r;

        /* libmount's line reader stops at a NUL byte; an fstab has no business holding one. */
        r = refuse_nul(text, len, ret_error);
        if (r < 0)
                return r;

        r = libmount_parse(text, len, &tb, &libmount_bad_line);
        if (r < 0) {
                set_error(ret_error, "libmount failed to read the file: %s", strerror(-r));
                return r;
        }

        r = scan_entries(text, len, &entries, &our_bad_line, &reason);
        if (r < 0 || libmount_bad_line > 0) {
                if (r < 0 && (libmount_bad_line == 0 || our_bad_line <= libmount_bad_line))
                        set_error(ret_error, "line %u: %s", our_bad_line, reason);
                else
                        set_error(ret_error,
                                  "line %u: cannot be parsed as an fstab entry (mount and swapon would skip "
                                  "it)",
                                  libmount_bad_line);
                fstab_entries_free(&entries);
                return -EBADMSG;
        }

        size_t i = first_disagreement(&entries, tb);
        if (i != SIZE_MAX) {
                unsigned line =
                        i < entries.n ? entries.items[i].line : (unsigned) text_count_lines(text, len);
                set_error(ret_error,
                          "line %u: libmount reads this entry differently than expected, refusing to edit",
                          line);
                fstab_entries_free(&entries);
                return -EBADMSG;
        }

        *ret = entries;
        return 0;
}

int fstab_comment_swap_entries(const char *text, size_t len, char **ret_text, size_t *ret_len,
                               struct strv *ret_entries, char **ret_error) {
        struct fstab_entries entries = {};
        struct buf out = {};
        size_t copied = 0;
        int n_commented = 0, r;

        r = understand_fstab(text, len, &entries, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < entries.n; i++) {
                const struct fstab_entry *e = &entries.items[i];
                if (!streq(e->fstype, "swap"))
                        continue;
                buf_append(&out, text + copied, e->offset - copied);
                buf_putc(&out, '#');
                copied = e->offset;
                n_commented++;
        }

        if (n_commented > 0) {
                buf_append(&out, text + copied, len - copied);
                if (ret_entries)
                        for (size_t i = 0; i < entries.n; i++)
                                if (streq(entries.items[i].fstype, "swap"))
                                        strv_push(ret_entries, xstrdup(entries.items[i].source));
                if (ret_len)
                        *ret_len = out.len;
                if (ret_text)
                        *ret_text = buf_steal(&out);
        }

        buf_free(&out);
        fstab_entries_free(&entries);
        return n_commented;
}
