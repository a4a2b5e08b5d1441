/* SPDX-License-Identifier: MIT */
/* firewalld's zone and service files and firewalld.conf (see firewalld.h). The reader walks the XML
 * once: the root element, its direct children with their attributes, and where each begins and
 * ends; deeper elements (a rich rule's <port>) are checked for well-formedness and skipped. */
#include "formats/firewalld.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/util.h"

/* firewalld's rich rules nest three deep; anything near this is no firewalld file. */
#define DEPTH_MAX 32

struct parser {
        const char *text;
        size_t len, pos;
        char **error;
};

_printf_(3, 4) static int fail(struct parser *p, size_t off, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(p->error, "line %u: %s", line_of_offset(p->text, off < p->len ? off : p->len), what);
        return -EBADMSG;
}

static bool at(const struct parser *p, const char *s) {
        size_t n = strlen(s);
        return p->len - p->pos >= n && memcmp(p->text + p->pos, s, n) == 0;
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(struct parser *p) {
        while (p->pos < p->len && is_space(p->text[p->pos]))
                p->pos++;
}

static bool is_name_start(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool is_name_char(char c) {
        return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* A name of ASCII letters, digits, '_', ':', '-' and '.' (firewalld uses no other). */
static int parse_name(struct parser *p, char **ret) {
        size_t s = p->pos;
        if (p->pos >= p->len || !is_name_start(p->text[p->pos]))
                return fail(p, s, "expected an element or attribute name");
        while (p->pos < p->len && is_name_char(p->text[p->pos]))
                p->pos++;
        *ret = xstrndup(p->text + s, p->pos - s);
        return 0;
}

/* Skip to just past the end marker; the construct started at start. */
static int skip_past(struct parser *p, const char *marker, size_t start, const char *what) {
        const char *e = memmem(p->text + p->pos, p->len - p->pos, marker, strlen(marker));
        if (!e)
                return fail(p, start, "%s is not closed", what);
        p->pos = (size_t) (e - p->text) + strlen(marker);
        return 0;
}

static void put_utf8(struct buf *b, unsigned long c) {
        char u[4];
        size_t n;
        if (c < 0x80) {
                u[0] = (char) c;
                n = 1;
        } else if (c < 0x800) {
                u[0] = (char) (0xc0 | c >> 6);
                u[1] = (char) (0x80 | (c & 0x3f));
                n = 2;
        } else if (c < 0x10000) {
                u[0] = (char) (0xe0 | c >> 12);
                u[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                u[2] = (char) (0x80 | (c & 0x3f));
                n = 3;
        } else {
                u[0] = (char) (0xf0 | c >> 18);
                u[1] = (char) (0x80 | ((c >> 12) & 0x3f));
                u[2] = (char) (0x80 | ((c >> 6) & 0x3f));
                u[3] = (char) (0x80 | (c & 0x3f));
                n = 4;
        }
        buf_append(b, u, n);
}

/* The entity reference at off ('&'): its length, and what it stands for appended to b (may be NULL). */
static int parse_entity(struct parser *p, size_t off, size_t end, struct buf *b, size_t *ret_n) {
        static const struct {
                const char *name;
                char c;
        } named[] = { { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' } };
        const char *semi = memchr(p->text + off, ';', end - off);
        if (!semi)
                return fail(p, off, "'&' that starts no entity reference");
        size_t n = (size_t) (semi - (p->text + off)) + 1;
        _cleanup_free_ char *ref = xstrndup(p->text + off + 1, n - 2);
        *ret_n = n;
        for (size_t i = 0; i < ELEMENTSOF(named); i++)
                if (streq(ref, named[i].name)) {
                        if (b)
                                buf_putc(b, named[i].c);
                        return 0;
                }
        if (ref[0] == '#') {
                bool hex = ref[1] == 'x';
                const char *digits = ref + 1 + hex;
                char *e;
                errno = 0;
                unsigned long c = strtoul(digits, &e, hex ? 16 : 10);
                if (*digits && !*e && !errno && c > 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) &&
                    digits[0] != '-' && digits[0] != '+' && !is_space(digits[0])) {
                        if (b)
                                put_utf8(b, c);
                        return 0;
                }
        }
        /* Anything else would need a DTD, which firewalld's files have not. */
        _cleanup_free_ char *shown = xstrndup(p->text + off, n < 16 ? n : 16);
        return fail(p, off, "unknown entity reference '%s'", shown);
}

/* Character data up to the next '<': only blanks outside the root; entities well formed. */
static int parse_text(struct parser *p, bool in_root) {
        size_t s = p->pos;
        const char *lt = memchr(p->text + s, '<', p->len - s);
        size_t end = lt ? (size_t) (lt - p->text) : p->len;
        for (size_t i = s; i < end; i++) {
                if (!in_root && !is_space(p->text[i]))
                        return fail(p, i, "text outside the root element");
                if (p->text[i] == '&') {
                        size_t n;
                        int k = parse_entity(p, i, end, NULL, &n);
                        if (k < 0)
                                return k;
                        i += n - 1;
                }
        }
        p->pos = end;
        return 0;
}

/* NAME="value" or NAME='value'. */
static int parse_attr(struct parser *p, struct fw_attr *ret) {
        _cleanup_free_ char *name = NULL;
        int k = parse_name(p, &name);
        if (k < 0)
                return k;
        skip_space(p);
        if (p->pos >= p->len || p->text[p->pos] != '=')
                return fail(p, p->pos, "attribute '%s' has no value", name);
        p->pos++;
        skip_space(p);
        char quote = p->pos < p->len ? p->text[p->pos] : 0;
        if (quote != '"' && quote != '\'')
                return fail(p, p->pos, "the value of attribute '%s' is not quoted", name);
        size_t s = ++p->pos;
        const char *q = memchr(p->text + s, quote, p->len - s);
        if (!q)
                return fail(p, s, "the value of attribute '%s' is not closed", name);
        size_t end = (size_t) (q - p->text);
        struct buf b = {};
        for (size_t i = s; i < end; i++) {
                char c = p->text[i];
                if (c == '<') {
                        buf_free(&b);
                        return fail(p, i, "'<' in the value of attribute '%s'", name);
                }
                if (c == '&') {
                        size_t n;
                        k = parse_entity(p, i, end, &b, &n);
                        if (k < 0) {
                                buf_free(&b);
                                return k;
                        }
                        i += n - 1;
                } else /* XML normalises blanks in attribute values to spaces */
                        buf_putc(&b, c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
        }
        p->pos = end + 1;
        *ret = (struct fw_attr){ .name = TAKE_PTR(name), .value = buf_steal(&b) };
        return 0;
}

static void element_done(struct fw_element *e) {
        for (size_t i = 0; i < e->n_attrs; i++) {
                free(e->attrs[i].name);
                free(e->attrs[i].value);
        }
        free(e->attrs);
        free(e->name);
        *e = (struct fw_element){};
}

/* A start tag at '<': name and attributes, up to '>' or '/>'. *ret_empty for '/>'. */
static int parse_start_tag(struct parser *p, struct fw_element *ret, bool *ret_empty) {
        struct fw_element e = { .start = p->pos, .line = line_of_offset(p->text, p->pos) };
        p->pos++;
        int k = parse_name(p, &e.name);
        for (;;) {
                if (k < 0)
                        break;
                size_t before = p->pos;
                skip_space(p);
                if (at(p, "/>") || at(p, ">")) {
                        *ret_empty = at(p, "/>");
                        p->pos += *ret_empty ? 2 : 1;
                        e.end = p->pos;
                        *ret = e;
                        return 0;
                }
                if (p->pos >= p->len) {
                        k = fail(p, e.start, "the tag <%s is not closed", e.name);
                        break;
                }
                if (p->pos == before) {
                        k = fail(p, p->pos, "expected a blank, '>' or '/>' in <%s>", e.name);
                        break;
                }
                struct fw_attr a;
                k = parse_attr(p, &a);
                if (k < 0)
                        break;
                for (size_t i = 0; i < e.n_attrs && k >= 0; i++)
                        if (streq(e.attrs[i].name, a.name))
                                k = fail(p, p->pos, "attribute '%s' given twice in <%s>", a.name, e.name);
                e.attrs = xrealloc(e.attrs, (e.n_attrs + 1) * sizeof(*e.attrs));
                e.attrs[e.n_attrs++] = a;
        }
        element_done(&e);
        return k;
}

/* A markup construct that is neither a start nor an end tag: a comment, CDATA, a processing
 * instruction. 1 when one was skipped, 0 when the '<' starts a tag. */
static int skip_markup(struct parser *p, unsigned depth) {
        size_t s = p->pos;
        if (at(p, "<!--"))
                return skip_past(p, "-->", s, "a comment") < 0 ? -EBADMSG : 1;
        if (at(p, "<![CDATA[")) {
                if (depth == 0)
                        return fail(p, s, "CDATA outside the root element");
                return skip_past(p, "]]>", s, "a CDATA section") < 0 ? -EBADMSG : 1;
        }
        if (at(p, "<!"))
                return fail(p, s, "a DOCTYPE or other declaration, which firewalld's files do not have");
        if (at(p, "<?")) {
                if (depth > 0)
                        return fail(p, s, "a processing instruction inside an element");
                return skip_past(p, "?>", s, "a processing instruction") < 0 ? -EBADMSG : 1;
        }
        return 0;
}

/* An end tag at "</": it must close the innermost open element. */
static int parse_end_tag(struct parser *p, char **stack, unsigned depth) {
        size_t s = p->pos;
        p->pos += 2;
        _cleanup_free_ char *name = NULL;
        int k = parse_name(p, &name);
        if (k < 0)
                return k;
        skip_space(p);
        if (!at(p, ">"))
                return fail(p, s, "the end tag </%s is not closed", name);
        p->pos++;
        if (depth == 0 || !streq(stack[depth - 1], name))
                return fail(p, s, "</%s> closes no open <%s>", name, name);
        return 0;
}

void fw_doc_done(struct fw_doc *d) {
        element_done(&d->root);
        for (size_t i = 0; i < d->n_children; i++)
                element_done(&d->children[i]);
        free(d->children);
        *d = (struct fw_doc){};
}

static int parse_doc(struct parser *p, struct fw_doc *d, char **stack) {
        unsigned depth = 0;
        bool closed = false;
        while (p->pos < p->len) {
                int k;
                if (p->text[p->pos] != '<') {
                        k = parse_text(p, depth > 0);
                        if (k < 0)
                                return k;
                        continue;
                }
                k = skip_markup(p, depth);
                if (k < 0)
                        return k;
                if (k > 0)
                        continue;
                size_t s = p->pos;
                if (at(p, "</")) {
                        k = parse_end_tag(p, stack, depth);
                        if (k < 0)
                                return k;
                        depth--;
                        stack[depth] = (free(stack[depth]), NULL);
                        if (depth == 1)
                                d->children[d->n_children - 1].end = p->pos;
                        if (depth == 0) {
                                d->close = s;
                                d->root.end = p->pos;
                                closed = true;
                        }
                        continue;
                }
                if (closed)
                        return fail(p, s, "a second root element");
                if (depth >= DEPTH_MAX)
                        return fail(p, s, "elements nested deeper than %d", DEPTH_MAX);
                struct fw_element e;
                bool empty = false;
                k = parse_start_tag(p, &e, &empty);
                if (k < 0)
                        return k;
                if (!empty)
                        stack[depth] = xstrdup(e.name);
                if (depth == 0) {
                        d->root = e;
                        d->empty = empty;
                        d->close = empty ? p->pos - 2 : 0;
                        closed = empty;
                } else if (depth == 1) {
                        d->children = xrealloc(d->children, (d->n_children + 1) * sizeof(*d->children));
                        d->children[d->n_children++] = e;
                } else
                        element_done(&e);
                if (!empty)
                        depth++;
        }
        if (!d->root.name)
                return fail(p, p->len, "%s", "no root element");
        if (depth > 0)
                return fail(p, p->len, "<%s> is not closed", stack[depth - 1]);
        return 0;
}

int fw_doc_parse(const char *text, size_t len, struct fw_doc *ret, char **ret_error) {
        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        struct parser p = { .text = text, .len = len, .error = ret_error };
        if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark */
                p.pos = 3;
        struct fw_doc d = {};
        char *stack[DEPTH_MAX] = {};
        k = parse_doc(&p, &d, stack);
        for (size_t i = 0; i < DEPTH_MAX; i++)
                free(stack[i]);
        if (k < 0) {
                fw_doc_done(&d);
                return k;
        }
        *ret = d;
        return 0;
}

const char *fw_attr_get(const struct fw_element *e, const char *name) {
        for (size_t i = 0; i < e->n_attrs; i++)
                if (streq(e->attrs[i].name, name))
                        return e->attrs[i].value;
        return NULL;
}

int fw_doc_ports(const struct fw_doc *d, struct port_range **ret, size_t *ret_n, char **ret_error) {
        struct port_range *ports = NULL;
        size_t n = 0;
        for (size_t i = 0; i < d->n_children; i++) {
                const struct fw_element *c = &d->children[i];
                if (!streq(c->name, "port"))
                        continue;
                const char *port = fw_attr_get(c, "port"), *protocol = fw_attr_get(c, "protocol");
                struct port_range r;
                if (!port || !protocol || port_range_parse_parts(port, protocol, &r) < 0) {
                        set_error(ret_error,
                                  "line %u: <port port=\"%s\" protocol=\"%s\"/> is no port or range",
                                  c->line, strempty(port), strempty(protocol));
                        free(ports);
                        return -EBADMSG;
                }
                ports = xrealloc(ports, (n + 1) * sizeof(*ports));
                ports[n++] = r;
        }
        *ret = ports;
        *ret_n = n;
        return 0;
}

/* The blanks that start the line holding off, when only blanks precede off on it; else NULL. */
static char *indent_before(const char *text, size_t off) {
        size_t s = line_start_of(text, off);
        for (size_t i = s; i < off; i++)
                if (text[i] != ' ' && text[i] != '\t')
                        return NULL;
        return xstrndup(text + s, off - s);
}

/* Past the line end that follows off, when only blanks do; else SIZE_MAX. */
static size_t line_end_after(const char *text, size_t len, size_t off) {
        size_t i = off;
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
                i++;
        if (i < len && text[i] == '\n')
                return i + 1;
        return SIZE_MAX;
}

/* The child after whose line new ports go: the last <port>, else the last <service>; NULL for none. */
static const struct fw_element *anchor_child(const struct fw_doc *d) {
        static const char *const names[] = { "port", "service" };
        for (size_t n = 0; n < ELEMENTSOF(names); n++)
                for (size_t i = d->n_children; i > 0; i--)
                        if (streq(d->children[i - 1].name, names[n]))
                                return &d->children[i - 1];
        return NULL;
}

static void put_ports(struct buf *b, const char *indent, const char *eol, const struct port_range *ports,
                      size_t n) {
        for (size_t i = 0; i < n; i++) {
                char port[PORT_RANGE_MAX];
                port_range_format(&ports[i], port);
                *strchr(port, '/') = 0;
                buf_printf(b, "%s<port port=\"%s\" protocol=\"%s\"/>%s", indent, port, ports[i].protocol,
                           eol);
        }
}

int fw_doc_add_ports(const char *text, size_t len, const struct port_range *ports, size_t n, char **ret_text,
                     size_t *ret_len, char **ret_error) {
        struct fw_doc d;
        int k = fw_doc_parse(text, len, &d, ret_error);
        if (k < 0)
                return k;
        if (n == 0) {
                fw_doc_done(&d);
                return 0;
        }
        const char *eol = detect_eol(text, len);
        struct buf b = {};
        const struct fw_element *a = anchor_child(&d);
        _cleanup_free_ char *indent = a ? indent_before(text, a->start) : NULL;
        size_t after = a && indent ? line_end_after(text, len, a->end) : SIZE_MAX;
        if (after != SIZE_MAX) {
                /* After the anchor's line, as firewalld orders a zone's children. */
                buf_append(&b, text, after);
                put_ports(&b, indent, eol, ports, n);
                buf_append(&b, text + after, len - after);
        } else if (d.empty) {
                /* <zone/> becomes <zone> with the ports, then </zone>. */
                _cleanup_free_ char *outer = indent_before(text, d.root.start);
                _cleanup_free_ char *inner = xasprintf("%s  ", strempty(outer));
                buf_append(&b, text, d.close);
                buf_printf(&b, ">%s", eol);
                put_ports(&b, inner, eol, ports, n);
                buf_printf(&b, "%s</%s>", strempty(outer), d.root.name);
                buf_append(&b, text + d.close + 2, len - d.close - 2);
        } else {
                /* Before the end tag: on lines of their own, indented as the first child is. */
                _cleanup_free_ char *close_indent = indent_before(text, d.close);
                _cleanup_free_ char *child_indent =
                        d.n_children ? indent_before(text, d.children[0].start) : NULL;
                _cleanup_free_ char *fallback = xasprintf("%s  ", strempty(close_indent));
                const char *in = child_indent ? child_indent : fallback;
                size_t at_off = close_indent ? line_start_of(text, d.close) : d.close;
                buf_append(&b, text, at_off);
                if (!close_indent)
                        buf_puts(&b, eol);
                put_ports(&b, in, eol, ports, n);
                buf_append(&b, text + at_off, len - at_off);
        }
        fw_doc_done(&d);
        return buf_finish_edit(&b, text, len, ret_text, ret_len);
}

int firewalld_conf_get(const char *text, size_t len, const char *key, char **ret) {
        _cleanup_free_ char *value = NULL;
        size_t klen = strlen(key);
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup_strip(text + off, n, WHITESPACE);
                if (!*line || *line == '#')
                        continue;
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                size_t kn = span_rstrip(line, (size_t) (eq - line), WHITESPACE);
                if (kn != klen || memcmp(line, key, klen) != 0)
                        continue;
                free(value);
                value = xstrndup_strip(eq + 1, strlen(eq + 1), WHITESPACE);
        }
        if (!value)
                return 0;
        *ret = TAKE_PTR(value);
        return 1;
}

bool firewalld_name_valid(const char *name) {
        size_t n = strlen(name);
        return n > 0 && n <= 255 && !strchr(name, '/') && !streq(name, ".") && !streq(name, "..") &&
               name[0] != '.';
}
