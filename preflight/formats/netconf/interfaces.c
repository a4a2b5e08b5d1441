/* SPDX-License-Identifier: MIT */
/* Debian ifupdown /etc/network/interfaces: read and add `gateway` in an `iface X inet static`
 * stanza, indented like the stanza's other options. */
#include "formats/netconf/netconf.h"

#include <ctype.h>
#include <stdint.h>

#include "basic/name-index.h"
#include "formats/netconf/ini.h"

/* One `iface NAME inet METHOD` stanza: its header and option lines. */
struct stanza {
        char *name, *method;
        unsigned line;
        size_t first_option, n_options; /* indexes into the option array */
        size_t next_same;               /* the next stanza of this name, or NO_STANZA */
};
#define NO_STANZA SIZE_MAX

struct option_line {
        char *word, *rest; /* "gateway", "192.0.2.1" */
        unsigned line;
        size_t start, end; /* the line's bytes, newline included */
};

struct ifupdown {
        const char *text;
        size_t len;
        struct stanza *stanzas;
        size_t n_stanzas;
        struct option_line *options;
        size_t n_options;
        struct name_index names; /* name -> its first stanza, so a file of thousands is asked fast */
        const char *eol;
};

static void ifupdown_free(struct ifupdown *f) {
        for (size_t i = 0; i < f->n_stanzas; i++) {
                free(f->stanzas[i].name);
                free(f->stanzas[i].method);
        }
        for (size_t i = 0; i < f->n_options; i++) {
                free(f->options[i].word);
                free(f->options[i].rest);
        }
        free(f->stanzas);
        free(f->options);
        name_index_free(&f->names);
}

/* Chain each stanza to the next of the same name, and index the first by name. */
static void index_stanzas(struct ifupdown *f) {
        _cleanup_free_ size_t *last = xmalloc((f->n_stanzas ? f->n_stanzas : 1) * sizeof(size_t));
        for (size_t i = 0; i < f->n_stanzas; i++) {
                size_t first;
                f->stanzas[i].next_same = NO_STANZA;
                if (name_index_put(&f->names, f->stanzas[i].name, i)) {
                        last[i] = i;
                        continue;
                }
                (void) name_index_get(&f->names, f->stanzas[i].name, &first);
                f->stanzas[last[first]].next_same = i;
                last[first] = i;
        }
}

/* The first stanza of name, or NULL; next ones through next_same. */
static const struct stanza *first_stanza(const struct ifupdown *f, const char *name) {
        size_t i;
        return name_index_get(&f->names, name, &i) ? &f->stanzas[i] : NULL;
}

static const struct stanza *next_stanza(const struct ifupdown *f, const struct stanza *s) {
        return s->next_same == NO_STANZA ? NULL : &f->stanzas[s->next_same];
}

static bool is_stanza_keyword(const char *w) {
        static const char *const keywords[] = { "iface",      "mapping",          "auto",
                                                "source",     "source-directory", "no-auto-down",
                                                "no-scripts", "rename",           "template" };
        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (streq(w, keywords[i]))
                        return true;
        return startswith(w, "allow-") != NULL;
}

/* Split a line into at most n whitespace-separated words (the last takes the rest, trimmed). */
static size_t split_words(const char *s, size_t len, char **words, size_t n) {
        size_t k = 0, i = 0;
        while (k < n) {
                while (i < len && isspace((unsigned char) s[i]))
                        i++;
                if (i == len)
                        break;
                size_t start = i;
                if (k == n - 1)
                        i = len;
                else
                        while (i < len && !isspace((unsigned char) s[i]))
                                i++;
                words[k++] = xstrndup(s + start, span_rstrip(s + start, i - start, WHITESPACE));
        }
        return k;
}

static void free_words(char **words, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(words[i]);
}

static int ifupdown_parse(const char *text, size_t len, struct ifupdown *ret, char **ret_error) {
        struct ifupdown f = { .text = text, .len = len, .eol = detect_eol(text, len) };
        struct stanza *current = NULL; /* the inet stanza options go to, if any */
        bool in_stanza = false;
        unsigned line = 0;

        int nul = refuse_nul(text, len, ret_error);
        if (nul < 0)
                return nul;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *s = text + off;
                line++;
                size_t i = 0;
                while (i < n && isspace((unsigned char) s[i]))
                        i++;
                if (i == n || s[i] == '#')
                        continue;
                if (s[n - 1] == '\\') {
                        set_error(ret_error, "line %u: continuation line (trailing backslash)", line);
                        ifupdown_free(&f);
                        return -EBADMSG;
                }
                char *w[4] = {};
                size_t k = split_words(s, n, w, 4);
                if (is_stanza_keyword(w[0])) {
                        in_stanza = streq(w[0], "iface") || streq(w[0], "mapping");
                        current = NULL;
                        if (streq(w[0], "iface") && k >= 3 && streq(w[2], "inet")) {
                                /* The method is the first word of what follows the family. */
                                char *m[1] = {};
                                if (k == 4)
                                        split_words(w[3], strlen(w[3]), m, 1);
                                f.stanzas = xrealloc(f.stanzas, (f.n_stanzas + 1) * sizeof(*f.stanzas));
                                current = &f.stanzas[f.n_stanzas++];
                                *current = (struct stanza){
                                        .name = TAKE_PTR(w[1]),
                                        .method = m[0] ? xstrndup(m[0], strcspn(m[0], " \t")) : xstrdup(""),
                                        .line = line,
                                        .first_option = f.n_options
                                };
                                free(m[0]);
                        } else if (streq(w[0], "iface") && k < 3) {
                                set_error(ret_error, "line %u: iface stanza without an address family",
                                          line);
                                free_words(w, k);
                                ifupdown_free(&f);
                                return -EBADMSG;
                        }
                } else if (!in_stanza) {
                        set_error(ret_error, "line %u: option '%s' outside an iface stanza", line, w[0]);
                        free_words(w, k);
                        ifupdown_free(&f);
                        return -EBADMSG;
                } else if (current) {
                        f.options = xrealloc(f.options, (f.n_options + 1) * sizeof(*f.options));
                        char *opt[2] = {};
                        split_words(s, n, opt, 2);
                        f.options[f.n_options++] =
                                (struct option_line){ .word = opt[0],
                                                      .rest = opt[1] ? opt[1] : xstrdup(""),
                                                      .line = line,
                                                      .start = off,
                                                      .end = end };
                        current->n_options++;
                }
                free_words(w, k);
        }
        index_stanzas(&f);
        *ret = f;
        return 0;
}

/* The interface a NULL iface stands for: the only one with an inet stanza besides loopback. */
static int pick_iface(const struct ifupdown *f, const char *iface, const char **ret, char **ret_error) {
        if (iface) {
                *ret = iface;
                return 0;
        }
        const char *only = NULL;
        for (size_t i = 0; i < f->n_stanzas; i++) {
                const struct stanza *s = &f->stanzas[i];
                if (streq(s->method, "loopback") || streq(s->name, "lo"))
                        continue;
                if (only && !streq(only, s->name)) {
                        set_error(ret_error,
                                  "line %u: the file configures several interfaces (%s, %s); name one",
                                  s->line, only, s->name);
                        return -EINVAL;
                }
                only = s->name;
        }
        if (!only) {
                set_error(ret_error, "line 1: no inet interface stanza");
                return -ENOENT;
        }
        *ret = only;
        return 0;
}

static const struct option_line *find_gateway(const struct ifupdown *f, const char *iface,
                                              char **ret_error) {
        for (const struct stanza *s = first_stanza(f, iface); s; s = next_stanza(f, s)) {
                for (size_t j = s->first_option; j < s->first_option + s->n_options; j++)
                        if (streq(f->options[j].word, "gateway")) {
                                if (!netconf_is_ipv4(f->options[j].rest)) {
                                        set_error(ret_error, "line %u: gateway %s is not an IPv4 address",
                                                  f->options[j].line, f->options[j].rest);
                                        return NULL;
                                }
                                return &f->options[j];
                        }
        }
        return NULL;
}

static int ifupdown_get(const struct ifupdown *f, const char *iface, char **ret_gateway, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        const char *name;
        int r = pick_iface(f, iface, &name, ret_error);
        if (r == -ENOENT)
                return 0; /* nothing configured, so no gateway either */
        if (r < 0)
                return r;
        const struct option_line *gw = find_gateway(f, name, &error);
        if (error) {
                set_error(ret_error, "%s", error);
                return -EBADMSG;
        }
        if (!gw)
                return 0;
        if (ret_gateway)
                *ret_gateway = xstrdup(gw->rest);
        return 1;
}

int netconf_interfaces_get_gateway(const char *text, size_t len, const char *iface, char **ret_gateway,
                                   char **ret_error) {
        _cleanup_(ifupdown_free) struct ifupdown f = {};
        int r = ifupdown_parse(text, len, &f, ret_error);
        return r < 0 ? r : ifupdown_get(&f, iface, ret_gateway, ret_error);
}

/* The stanza to add the gateway to: the first static one, or why there is none. */
static int pick_stanza(const struct ifupdown *f, const char *iface, const struct stanza **ret,
                       char **ret_error) {
        const struct stanza *dhcp = NULL, *other = NULL;
        for (const struct stanza *s = first_stanza(f, iface); s; s = next_stanza(f, s)) {
                if (streq(s->method, "static")) {
                        for (size_t j = s->first_option; j < s->first_option + s->n_options; j++)
                                if (streq(f->options[j].word, "address")) {
                                        *ret = s;
                                        return 0;
                                }
                        set_error(ret_error, "line %u: iface %s inet static without an address", s->line,
                                  iface);
                        return -ENOTSUP;
                }
                if (streq(s->method, "dhcp") && !dhcp)
                        dhcp = s;
                else if (!other)
                        other = s;
        }
        if (dhcp) {
                set_error(ret_error, "line %u: iface %s inet dhcp: the interface gets its gateway from DHCP",
                          dhcp->line, iface);
                return -EADDRNOTAVAIL;
        }
        if (other) {
                set_error(ret_error, "line %u: iface %s inet %s: no static IPv4 address", other->line, iface,
                          other->method);
                return -ENOTSUP;
        }
        set_error(ret_error, "line 1: no 'iface %s inet' stanza", iface);
        return -ENOENT;
}

static int ifupdown_set(const struct ifupdown *f, const char *iface, const char *gateway, char **ret_text,
                        size_t *ret_len, char **ret_error) {
        _cleanup_free_ char *error = NULL, *insert = NULL;
        const struct stanza *s;
        const char *name;
        int r = netconf_check_gateway(gateway, ret_error);
        if (r < 0)
                return r;
        r = pick_iface(f, iface, &name, ret_error);
        if (r < 0)
                return r;
        const struct option_line *gw = find_gateway(f, name, &error);
        if (error) {
                set_error(ret_error, "%s", error);
                return -EBADMSG;
        }
        if (gw)
                return netconf_keep_gateway(gw->rest, gw->line, gateway, ret_error);
        r = pick_stanza(f, name, &s, ret_error);
        if (r < 0 || !ret_text)
                return r < 0 ? r : 1;

        /* Indent like the stanza's first option; insert after its last. */
        const struct option_line *first = &f->options[s->first_option];
        const struct option_line *last = &f->options[s->first_option + s->n_options - 1];
        size_t indent = strspn(f->text + first->start, " \t");
        insert = xasprintf("%.*sgateway %s%s", (int) indent, f->text + first->start, gateway, f->eol);
        *ret_text = netconf_splice(f->text, f->len, last->end, insert, f->eol, ret_len);
        return 1;
}

int netconf_interfaces_set_gateway(const char *text, size_t len, const char *iface, const char *gateway,
                                   _unused_ bool onlink, char **ret_text, size_t *ret_len,
                                   char **ret_error) {
        _cleanup_(ifupdown_free) struct ifupdown f = {};
        int r = netconf_check_gateway(gateway, ret_error);
        if (r >= 0)
                r = ifupdown_parse(text, len, &f, ret_error);
        return r < 0 ? r : ifupdown_set(&f, iface, gateway, ret_text, ret_len, ret_error);
}

/* ---- one parse, many questions (netconf.h) ---- */

int netconf_interfaces_parse(const char *text, size_t len, void **ret, char **ret_error) {
        struct ifupdown *f = xmalloc(sizeof(*f));
        int r = ifupdown_parse(text, len, f, ret_error);
        if (r < 0) {
                free(f);
                return r;
        }
        *ret = f;
        return 0;
}

void netconf_interfaces_parsed_free(void *p) {
        if (p)
                ifupdown_free(p);
        free(p);
}

int netconf_interfaces_parsed_get_gateway(void *p, const char *iface, char **ret_gateway, char **ret_error) {
        return ifupdown_get(p, iface, ret_gateway, ret_error);
}

int netconf_interfaces_parsed_set_gateway(void *p, const char *iface, const char *gateway,
                                          _unused_ bool onlink, char **ret_text, size_t *ret_len,
                                          char **ret_error) {
        return ifupdown_set(p, iface, gateway, ret_text, ret_len, ret_error);
}
