/* SPDX-License-Identifier: MIT */
/* Comment out the swap entries of an fstab. libmount decides what the file means (and the file is
 * refused when libmount would skip a line); the edit is done on the original text, so every other
 * byte, line end and column stays as it was. */
#include <ctype.h>
#include <libmount/libmount.h>

#include "formats/fstab-edit.h"

/* One entry line, fields decoded the way libmount decodes them: ours as our own tokenizer reads it,
 * or libmount's, copied from its struct libmnt_fs while it waits for ours. */
struct fstab_entry {
        unsigned line; /* 1-based; 0 for libmount's */
        char *source;
        char *target;
        char *fstype;
        bool swaparea; /* libmount's mnt_fs_is_swaparea(); unused for ours */
};

static void fstab_entry_done(struct fstab_entry *e) {
        free(e->source);
        free(e->target);
        free(e->fstype);
        *e = (struct fstab_entry){};
}

/* The entries of one side not yet compared with the other side's: items[head..n). */
struct entry_queue {
        struct fstab_entry *items;
        size_t head, n;
};

static void entry_queue_push(struct entry_queue *q, struct fstab_entry *e) {
        q->items = xrealloc_grow(q->items, q->n, sizeof(q->items[0]));
        q->items[q->n++] = *e;
        *e = (struct fstab_entry){};
}

static bool entry_queue_empty(const struct entry_queue *q) {
        return q->head == q->n;
}

/* Free the entries compared already and move the waiting ones to the front, so that a queue holds
 * what one chunk adds, not the file's entries. */
static void entry_queue_compact(struct entry_queue *q) {
        if (q->head == 0)
                return;
        for (size_t i = 0; i < q->head; i++)
                fstab_entry_done(&q->items[i]);
        memmove(q->items, q->items + q->head, (q->n - q->head) * sizeof(q->items[0]));
        q->n -= q->head;
        q->head = 0;
}

static void entry_queue_free(struct entry_queue *q) {
        for (size_t i = 0; i < q->n; i++)
                fstab_entry_done(&q->items[i]);
        free(q->items);
        *q = (struct entry_queue){};
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

/* mnt_table_parse_stream() guesses the format from the first entry (two numbers: mountinfo,
 * "Filename<TAB>": /proc/swaps), while mount and findmnt always read /etc/fstab as fstab. An fstab
 * entry put in front makes the guess come out right; it is line 0 of the text and dropped again. */
#define FORMAT_GUARD_TARGET "/kubeprep-fstab-format-guard"
#define FORMAT_GUARD_LINE "none " FORMAT_GUARD_TARGET " none defaults 0 0\n"

/* libmount and our tokenizer read the text a chunk of whole lines at a time, so that what they hold is
 * the size of a chunk, not of the file: libmount's table of a whole fstab took three times the text,
 * over the bound of docs/performance.md (section 1). A chunk parses as it would in the whole text:
 * libmount's fstab parser carries nothing from one line to the next but the format it guessed, and
 * every chunk starts with the guard line. */
#define CHUNK_BYTES ((size_t) 16 << 10)

/* What reading the text has found so far. */
struct fstab_scan {
        const char *text;
        size_t len;
        unsigned first_line;        /* of the chunk being read */
        struct buf guarded;         /* the chunk behind the guard line, libmount's stream */
        struct buf line;            /* the line being tokenized, NUL-terminated */
        unsigned libmount_bad_line; /* the first line libmount skips, 0 when none */
        unsigned our_bad_line;      /* the first line we refuse (0 when none), and why */
        char *reason;
        /* Ours and libmount's entries are compared in order, as the list of a whole file's entries
         * would be against its table; what one side has more waits for the next chunk. */
        struct entry_queue ours, theirs;
        unsigned first_entry_line;
        bool differs;
        unsigned differing_line; /* 0: the first entry's */
        /* The swap entries: where their lines start, and their sources. */
        size_t *swap_offsets;
        struct strv swap_sources;
};

static void fstab_scan_done(struct fstab_scan *s) {
        buf_free(&s->guarded);
        buf_free(&s->line);
        free(s->reason);
        entry_queue_free(&s->ours);
        entry_queue_free(&s->theirs);
        free(s->swap_offsets);
        strv_free(&s->swap_sources);
}

/* Where the chunk that starts at start ends: after the line that holds its CHUNK_BYTES-th byte. */
static size_t chunk_end(const char *text, size_t len, size_t start) {
        if (len - start <= CHUNK_BYTES)
                return len;
        return line_end_of(text, len, start + CHUNK_BYTES - 1);
}

static int record_parse_error(struct libmnt_table *tb, const char *filename _unused_, int line) {
        struct fstab_scan *s = mnt_table_get_userdata(tb);

        /* line 1 of the stream is the guard line */
        if (s->libmount_bad_line == 0)
                s->libmount_bad_line = line > 1 ? s->first_line + (unsigned) line - 2 : s->first_line;
        return 1; /* skip and go on: the file is refused afterwards anyway */
}

/* Parse text[start..end) with libmount from memory. The first line libmount cannot parse is recorded;
 * those lines are not in the table. The table starts with the guard entry. */
static int libmount_parse_chunk(struct fstab_scan *s, size_t start, size_t end,
                                struct libmnt_table **ret_table) {
        /* both go on return: the next chunk reuses the stream's buffer */
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        s->guarded.len = 0;
        buf_puts(&s->guarded, FORMAT_GUARD_LINE);
        buf_append(&s->guarded, s->text + start, end - start);
        f = fmemopen(s->guarded.data, s->guarded.len, "r");
        if (!f)
                return -errno;
        tb = mnt_new_table();
        if (!tb)
                return -ENOMEM;
        mnt_table_set_userdata(tb, s);
        mnt_table_set_parser_errcb(tb, record_parse_error);
        r = mnt_table_parse_stream(tb, f, "fstab");
        mnt_table_set_userdata(tb, NULL);
        if (r < 0)
                return r;

        *ret_table = TAKE_PTR(tb);
        return 0;
}

/* Tokenize the lines of text[start..end): entries join ours (while there is a point in comparing),
 * swap entries are noted for the edit. Stops at the first line we refuse. */
static void scan_chunk(struct fstab_scan *s, size_t start, size_t end) {
        unsigned line_no = s->first_line;

        /* text_line() drops a \r before the line end as libmount does: CRLF files parse like LF ones. */
        for (size_t off = start, n, next; text_line(s->text, end, off, &n, &next); off = next, line_no++) {
                struct fstab_entry entry = { .line = line_no };

                s->line.len = 0;
                buf_append(&s->line, s->text + off, n);
                int r = tokenize_line(s->line.data, &entry, &s->reason);
                if (r < 0) {
                        s->our_bad_line = line_no;
                        return;
                }
                if (r == 0)
                        continue;
                if (s->first_entry_line == 0)
                        s->first_entry_line = line_no;
                if (streq(entry.fstype, "swap")) {
                        s->swap_offsets = xrealloc_grow(s->swap_offsets, s->swap_sources.n,
                                                        sizeof(s->swap_offsets[0]));
                        s->swap_offsets[s->swap_sources.n] = off;
                        strv_push(&s->swap_sources, xstrdup(entry.source));
                }
                if (s->differs)
                        fstab_entry_done(&entry);
                else
                        entry_queue_push(&s->ours, &entry);
        }
        s->first_line = line_no;
}

/* Whether libmount read our entry e the same, field by field: the lines we comment out must be exactly
 * the entries swapon -a would use. */
static bool libmount_agrees(const struct fstab_entry *e, const char *source, const char *target,
                            const char *fstype, bool swaparea) {
        /* some libmount versions store the source "none" as no source at all */
        bool source_same = source ? streq(source, e->source) : streq(e->source, "none");
        return source_same && streq_ptr(target, e->target) && streq_ptr(fstype, e->fstype) &&
               swaparea == streq(e->fstype, "swap");
}

static void note_disagreement(struct fstab_scan *s, unsigned line) {
        s->differs = true;
        s->differing_line = line;
        entry_queue_free(&s->ours);
        entry_queue_free(&s->theirs);
}

/* Compare the entries of a chunk in order: ours with libmount's waiting from earlier chunks first,
 * then with the chunk's table; libmount's that find none of ours wait, copied. */
static void compare_chunk(struct fstab_scan *s, struct libmnt_table *tb) {
        _cleanup_(mnt_free_iterp) struct libmnt_iter *iter = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;

        if (!iter)
                oom();
        if (mnt_table_next_fs(tb, iter, &fs) != 0 ||
            !streq_ptr(mnt_fs_get_target(fs), FORMAT_GUARD_TARGET)) {
                note_disagreement(s, 0);
                return;
        }
        while (!s->differs && !entry_queue_empty(&s->ours) && !entry_queue_empty(&s->theirs)) {
                const struct fstab_entry *e = &s->ours.items[s->ours.head++],
                                         *t = &s->theirs.items[s->theirs.head++];
                if (!libmount_agrees(e, t->source, t->target, t->fstype, t->swaparea))
                        note_disagreement(s, e->line);
        }
        while (!s->differs && mnt_table_next_fs(tb, iter, &fs) == 0) {
                const char *source = mnt_fs_get_source(fs), *target = mnt_fs_get_target(fs),
                           *fstype = mnt_fs_get_fstype(fs);
                bool swaparea = mnt_fs_is_swaparea(fs);
                if (entry_queue_empty(&s->ours)) {
                        struct fstab_entry t = { .source = source ? xstrdup(source) : NULL,
                                                 .target = target ? xstrdup(target) : NULL,
                                                 .fstype = fstype ? xstrdup(fstype) : NULL,
                                                 .swaparea = swaparea };
                        entry_queue_push(&s->theirs, &t);
                        continue;
                }
                const struct fstab_entry *e = &s->ours.items[s->ours.head++];
                if (!libmount_agrees(e, source, target, fstype, swaparea))
                        note_disagreement(s, e->line);
        }
        entry_queue_compact(&s->ours);
        entry_queue_compact(&s->theirs);
}

/* Check the whole text; returns 0 when it is understood completely, its swap entries in *s. */
static int understand_fstab(struct fstab_scan *s, char **ret_error) {
        int r;

        /* libmount's line reader stops at a NUL byte; an fstab has no business holding one. */
        r = refuse_nul(s->text, s->len, ret_error);
        if (r < 0)
                return r;

        for (size_t start = 0, end; start < s->len; start = end) {
                _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = NULL;

                end = chunk_end(s->text, s->len, start);
                r = libmount_parse_chunk(s, start, end, &tb);
                if (r < 0) {
                        set_error(ret_error, "libmount failed to read the file: %s", strerror(-r));
                        return r;
                }
                scan_chunk(s, start, end);
                /* A line either side refuses refuses the file, and no later line comes before it. */
                if (s->our_bad_line > 0 || s->libmount_bad_line > 0)
                        break;
                compare_chunk(s, tb);
        }

        if (s->our_bad_line > 0 || s->libmount_bad_line > 0) {
                if (s->our_bad_line > 0 &&
                    (s->libmount_bad_line == 0 || s->our_bad_line <= s->libmount_bad_line))
                        set_error(ret_error, "line %u: %s", s->our_bad_line, s->reason);
                else
                        set_error(ret_error,
                                  "line %u: cannot be parsed as an fstab entry (mount and swapon would skip "
                                  "it)",
                                  s->libmount_bad_line);
                return -EBADMSG;
        }

        /* The text's end: an entry of one side that the other never matched. */
        if (!s->differs && !entry_queue_empty(&s->ours))
                note_disagreement(s, s->ours.items[s->ours.head].line);
        else if (!s->differs && !entry_queue_empty(&s->theirs))
                note_disagreement(s, (unsigned) text_count_lines(s->text, s->len));
        if (s->differs) {
                unsigned line = s->differing_line > 0     ? s->differing_line
                                : s->first_entry_line > 0 ? s->first_entry_line
                                                          : (unsigned) text_count_lines(s->text, s->len);
                set_error(ret_error,
                          "line %u: libmount reads this entry differently than expected, refusing to edit",
                          line);
                return -EBADMSG;
        }
        return 0;
}

int fstab_comment_swap_entries(const char *text, size_t len, char **ret_text, size_t *ret_len,
                               struct strv *ret_entries, char **ret_error) {
        _cleanup_(fstab_scan_done) struct fstab_scan s = { .text = text, .len = len, .first_line = 1 };
        int r;

        r = understand_fstab(&s, ret_error);
        if (r < 0)
                return r;
        size_t n = s.swap_sources.n;
        if (n == 0)
                return 0;

        /* One '#' more on each swap line: the new text is allocated at its size, once. */
        char *out = xmalloc(len + n + 1), *p = out;
        size_t copied = 0;
        for (size_t i = 0; i < n; i++) {
                p = mempcpy(p, text + copied, s.swap_offsets[i] - copied);
                *p++ = '#';
                copied = s.swap_offsets[i];
        }
        p = mempcpy(p, text + copied, len - copied);
        *p = 0;

        if (ret_entries)
                for (size_t i = 0; i < n; i++)
                        strv_push(ret_entries, TAKE_PTR(s.swap_sources.items[i]));
        if (ret_len)
                *ret_len = len + n;
        if (ret_text)
                *ret_text = out;
        else
                free(out);
        return (int) n;
}
