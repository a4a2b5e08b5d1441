/* SPDX-License-Identifier: MIT */
/* Masking credentials and escaping control characters in what kubeprep
 * prints (redact.h). Keys are recognised in every syntax kubeprep edits or
 * shows beside an edit, line by line, without parsing the file: a report
 * must hide a secret also in a file kubeprep could not parse. */
#include "formats/redact.h"

#include <ctype.h>

#define MAX_WORDS 16

/* Any word holding one of these makes a key a credential (identitytoken, WPA_PSK). */
static const char *const secret_parts[] = { "password", "passwd", "passphrase", "psk", "secret", "token" };
/* These only as a whole word: inside a word they are something else (authentication, spinner). */
static const char *const secret_words[] = { "auth", "pin" };
/* A last word that makes the key about a credential, not one (psk-flags, token-file, secretName). */
static const char *const about_words[] = { "flags", "file", "path", "dir",  "type",  "mgmt",
                                           "alg",   "name", "id",   "mode", "method" };

struct word {
        const char *s;
        size_t n;
};

static bool is_key_char(char c) {
        return isalnum((unsigned char) c) || c == '_' || c == '-' || c == '.';
}

/* Split at '-', '_', '.', where lower case or a digit turns upper (identityToken), and before
 * the last capital of a run followed by lower case (PSKFlags: PSK, Flags). */
static size_t split_words(const char *key, size_t len, struct word *words) {
        size_t n = 0;
        for (size_t i = 0; i < len;) {
                while (i < len && !isalnum((unsigned char) key[i]))
                        i++;
                if (i == len)
                        break;
                size_t start = i++;
                for (; i < len && isalnum((unsigned char) key[i]); i++) {
                        bool upper = isupper((unsigned char) key[i]),
                             prev_upper = isupper((unsigned char) key[i - 1]);
                        if (upper && !prev_upper)
                                break;
                        if (upper && prev_upper && i + 1 < len && islower((unsigned char) key[i + 1]))
                                break;
                }
                if (n == MAX_WORDS) /* a longer key: its last word runs to the end */
                        words[n - 1].n = i - (size_t) (words[n - 1].s - key);
                else
                        words[n++] = (struct word){ key + start, i - start };
        }
        return n;
}

/* Equal ignoring case and trailing digits (wep-key0). */
static bool word_is(const struct word *w, const char *s) {
        size_t n = w->n;
        while (n > 0 && isdigit((unsigned char) w->s[n - 1]))
                n--;
        return n == strlen(s) && strncasecmp(w->s, s, n) == 0;
}

static bool word_holds(const struct word *w, const char *part) {
        size_t m = strlen(part);
        for (size_t i = 0; i + m <= w->n; i++)
                if (strncasecmp(w->s + i, part, m) == 0)
                        return true;
        return false;
}

static bool word_in(const struct word *w, const char *const *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (word_is(w, list[i]))
                        return true;
        return false;
}

/* "key" alone is a YAML taint's or a sort's; with a word before it, or as ifcfg's manual IPsec
 * keys (KEY_AH_IN, KEY_ESP_OUT), it is a key's bytes: private-key, PresharedKey, wep-key0,
 * client-key-data. Followed by another word it is about a key: key-mgmt, key-management. */
static bool is_key_key(const struct word *words, size_t n) {
        if (n >= 2 && word_is(&words[0], "key") && (word_is(&words[1], "ah") || word_is(&words[1], "esp")))
                return true;
        if (n >= 2 && word_is(&words[n - 1], "key"))
                return true;
        return n >= 3 && word_is(&words[n - 2], "key") && word_is(&words[n - 1], "data");
}

bool redact_secret_key(const char *key, size_t len) {
        struct word words[MAX_WORDS];
        size_t n = split_words(key, len, words);
        if (n == 0 || word_in(&words[n - 1], about_words, ELEMENTSOF(about_words)))
                return false;
        for (size_t i = 0; i < n; i++)
                if (word_is(&words[i], "public"))
                        return false;
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < ELEMENTSOF(secret_parts); j++)
                        if (word_holds(&words[i], secret_parts[j]))
                                return true;
                if (word_in(&words[i], secret_words, ELEMENTSOF(secret_words)))
                        return true;
        }
        return is_key_key(words, n);
}

/* A value that goes on below the line of its key. */
enum continuation {
        CONT_NONE,
        CONT_BLOCK, /* YAML `key: |` or `key: >`: every more indented line */
        CONT_PLAIN, /* YAML `key:` with nothing after it: more indented lines, unless they are a mapping */
        CONT_QUOTE, /* a quoted value whose closing quote is on a later line */
};

struct redactor {
        struct buf out;
        enum continuation cont;
        size_t indent;     /* CONT_BLOCK, CONT_PLAIN: the key's line's indentation */
        const char *close; /* CONT_QUOTE: the quote that ends the value */
};

static size_t indentation(const char *s, size_t n) {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        return i;
}

/* A line's end without the CR of a CRLF line, which stays as it is. */
static size_t content_end(const char *s, size_t n) {
        return n > 0 && s[n - 1] == '\r' ? n - 1 : n;
}

/* "key:" or "- key:" followed by a space or the end: a YAML mapping entry. */
static bool is_mapping_entry(const char *s, size_t n) {
        size_t i = 0;
        while (i + 1 < n && s[i] == '-' && s[i + 1] == ' ')
                i = i + 1 + indentation(s + i + 1, n - i - 1);
        size_t start = i;
        while (i < n && is_key_char(s[i]))
                i++;
        return i > start && i < n && s[i] == ':' && (i + 1 == n || strchr(" \t\r", s[i + 1]));
}

/* Where the quote that opened at s[from - 1] closes (the offset of close), or n. A backslash
 * escapes in double quotes; in single quotes a doubled quote is one (YAML, and a shell's
 * 'a''b' is one word too). */
static size_t find_close(const char *s, size_t n, size_t from, const char *close) {
        size_t m = strlen(close);
        for (size_t i = from; i + m <= n; i++) {
                if (close[0] == '"' && s[i] == '\\') {
                        i++;
                        continue;
                }
                if (memcmp(s + i, close, m) != 0)
                        continue;
                if (m == 1 && close[0] == '\'' && i + 1 < n && s[i + 1] == '\'') {
                        i++;
                        continue;
                }
                return i;
        }
        return n;
}

/* The part of a line that continues a value from the lines above: masked. Returns where the
 * line's own text starts. */
static size_t continue_value(struct redactor *r, const char *s, size_t n) {
        size_t end = content_end(s, n);
        if (r->cont == CONT_QUOTE) {
                size_t at = find_close(s, end, 0, r->close);
                buf_puts(&r->out, REDACTED);
                if (at == end)
                        return end;
                buf_puts(&r->out, r->close);
                r->cont = CONT_NONE;
                return at + strlen(r->close);
        }
        if (r->cont != CONT_BLOCK && r->cont != CONT_PLAIN)
                return 0;
        size_t ind = indentation(s, end);
        if (ind == end) /* a blank line inside a block */
                return 0;
        if (ind <= r->indent || (r->cont == CONT_PLAIN && is_mapping_entry(s + ind, end - ind))) {
                r->cont = CONT_NONE;
                return 0;
        }
        while (ind + 1 < end && s[ind] == '-' && s[ind + 1] == ' ') /* list items keep their dash */
                ind += 1 + indentation(s + ind + 1, end - ind - 1);
        buf_append(&r->out, s, ind);
        buf_puts(&r->out, REDACTED);
        return end;
}

/* A key ends at s[pos]: is it followed by a separator and a value? *ret_value is where the
 * value starts, *ret_sep the separator: '=', ':' or ' ' (a --flag and its value as two words). */
static bool find_value(const char *s, size_t n, size_t pos, char quote, bool flag, size_t *ret_value,
                       char *ret_sep) {
        size_t j = pos;
        if (quote && j < n && s[j] == quote) /* "auth": a quoted key */
                j++;
        size_t after_key = j;
        j += indentation(s + j, n - j);
        if (j < n && s[j] == '=')
                *ret_sep = '=';
        else if (j < n && s[j] == ':' && (quote || j + 1 == n || strchr(" \t\r", s[j + 1])))
                *ret_sep = ':';
        else if (flag && j > after_key && j < n && s[j] != '-' && s[j] != '\r') {
                *ret_sep = ' ';
                *ret_value = j;
                return true;
        } else
                return false;
        j++;
        *ret_value = j + indentation(s + j, n - j);
        return true;
}

static bool is_bool(const char *s, size_t n) {
        return (n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 5 && strncasecmp(s, "false", 5) == 0);
}

/* Mask the value at s[v]; returns where the text after it starts. */
static size_t mask_value(struct redactor *r, const char *s, size_t n, size_t v, char sep, bool flag,
                         size_t line_indent) {
        size_t end = content_end(s, n);
        if (v == end) {
                if (sep == ':') {
                        r->cont = CONT_PLAIN;
                        r->indent = line_indent;
                }
                return v;
        }
        char c = s[v];
        if (c == '{' || c == '[') /* a table or list: its own keys are looked at */
                return v;
        if (sep == ':' && (c == '|' || c == '>')) {
                r->cont = CONT_BLOCK;
                r->indent = line_indent;
                buf_append(&r->out, s + v, end - v);
                return end;
        }
        if (c == '"' || c == '\'') {
                bool triple = v + 2 < end && s[v + 1] == c && s[v + 2] == c;
                const char *close = c == '"' ? (triple ? "\"\"\"" : "\"") : (triple ? "'''" : "'");
                size_t m = strlen(close), at = find_close(s, end, v + m, close);
                buf_puts(&r->out, close);
                buf_puts(&r->out, REDACTED);
                if (at == end) {
                        r->cont = CONT_QUOTE;
                        r->close = close;
                        return end;
                }
                buf_puts(&r->out, close);
                return at + m;
        }
        /* Unquoted: to the end of the line, as INI and YAML values may hold spaces
         * (psk=my pass phrase); a flag's to the end of its word. */
        size_t value_end = end;
        if (flag)
                for (value_end = v; value_end < end && !strchr(" \t\"'", s[value_end]);)
                        value_end++;
        if (is_bool(s + v, value_end - v))
                buf_append(&r->out, s + v, value_end - v);
        else
                buf_puts(&r->out, REDACTED);
        return value_end;
}

/* A key may start where the character before it cannot be part of one, nor make it part of a
 * path (/etc/x-token), a variable reference ($TOKEN) or an address (user@host). */
static bool key_starts(const char *s, size_t pos) {
        return is_key_char(s[pos]) &&
               (pos == 0 || (!is_key_char(s[pos - 1]) && !strchr("/\\$@", s[pos - 1])));
}

/* One line without its '\n'. */
static void redact_line(struct redactor *r, const char *s, size_t n) {
        size_t pos = continue_value(r, s, n);
        while (pos < n) {
                if (!key_starts(s, pos)) {
                        buf_putc(&r->out, s[pos++]);
                        continue;
                }
                size_t start = pos;
                while (pos < n && is_key_char(s[pos]))
                        pos++;
                bool flag = pos - start > 2 && s[start] == '-' && s[start + 1] == '-';
                char quote = start > 0 && (s[start - 1] == '"' || s[start - 1] == '\'') ? s[start - 1] : 0;
                size_t v;
                char sep;
                if (!redact_secret_key(s + start, pos - start) ||
                    !find_value(s, n, pos, quote, flag, &v, &sep)) {
                        buf_append(&r->out, s + start, pos - start);
                        continue;
                }
                buf_append(&r->out, s + start, v - start); /* the key and separator as they are */
                pos = mask_value(r, s, n, v, sep, flag, indentation(s, n));
        }
}

char *redact_text(const char *text) {
        struct redactor r = {};
        for (size_t off = 0, n, end, len = strlen(text); text_line_raw(text, len, off, &n, &end);
             off = end) {
                redact_line(&r, text + off, n);
                if (end > off + n)
                        buf_putc(&r.out, '\n');
        }
        return buf_steal(&r.out);
}

void redact_diff_each(const char *diff,
                      void (*emit)(const char *line, size_t n, bool newline, void *userdata),
                      void *userdata) {
        struct redactor r = {};
        bool in_hunk = false; /* one file's diff: its headers come before the first hunk */
        for (size_t off = 0, n, end, len = strlen(diff); text_line_raw(diff, len, off, &n, &end);
             off = end) {
                const char *p = diff + off;
                if (startswith(p, "@@ ")) {
                        in_hunk = true;
                        r.cont = CONT_NONE; /* the lines in between are not shown */
                }
                r.out.len = 0;
                if (in_hunk && strchr(" -+", *p)) {
                        buf_putc(&r.out, *p);
                        redact_line(&r, p + 1, n - 1);
                } else /* headers, hunk headers and "\ No newline at end of file" */
                        buf_append(&r.out, p, n);
                emit(r.out.data, r.out.len, end > off + n, userdata);
        }
        buf_free(&r.out);
}

static void append_line(const char *line, size_t n, bool newline, void *userdata) {
        struct buf *b = userdata;
        buf_append(b, line, n);
        if (newline)
                buf_putc(b, '\n');
}

char *redact_diff(const char *diff) {
        struct buf b = {};
        redact_diff_each(diff, append_line, &b);
        return buf_steal(&b);
}

void buf_put_escaped(struct buf *b, const char *s, size_t n, bool keep_tab) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '\t' && keep_tab)
                        buf_putc(b, '\t');
                else if (c == '\n')
                        buf_puts(b, "\\n");
                else if (c == '\r')
                        buf_puts(b, "\\r");
                else if (c == '\t')
                        buf_puts(b, "\\t");
                else if (c < 0x20 || c == 0x7f)
                        buf_printf(b, "\\x%02x", c);
                else
                        buf_putc(b, (char) c);
        }
}

char *redact_for_terminal(const char *s) {
        _cleanup_free_ char *masked = redact_text(s);
        struct buf b = {};
        buf_put_escaped(&b, masked, strlen(masked), false);
        return buf_steal(&b);
}
