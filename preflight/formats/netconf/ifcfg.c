/* SPDX-License-Identifier: MIT */
/* network-scripts ifcfg files (shell KEY=value): read and add GATEWAY=. */
#include "formats/netconf/netconf.h"

#include <ctype.h>
#include <strings.h>

#include "formats/netconf/ini.h"

struct ifcfg_var {
        char *key, *value;
        unsigned line;
        char quote; /* 0, '"' or '\'' */
};

struct ifcfg {
        struct ifcfg_var *vars;
        size_t n;
        const char *eol;
        size_t last_assignment_end; /* insert after this */
        unsigned n_quoted, n_plain;
        char last_quote; /* the quote character of the last quoted value */
};

static void ifcfg_free(struct ifcfg *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->vars[i].key);
                free(f->vars[i].value);
        }
        free(f->vars);
        f->vars = NULL;
        f->n = 0;
}

/* Characters that make an unquoted shell word do more than stand for itself. */
static bool shell_special(char c) {
        return strchr("$`\\\"'|&;<>(){}*?[]~", c) || isspace((unsigned char) c);
}

static int refuse_value(unsigned line, const char *key, char **ret_error) {
        set_error(ret_error, "line %u: %s= is not a plain or simply quoted value", line, key);
        return -EBADMSG;
}

/* One line: blank, "# comment", or KEY=value with an optional trailing comment. Anything else
 * (export, commands, expansions) makes the file a script we cannot safely read. */
static int ifcfg_parse_line(struct ifcfg *f, const char *s, size_t n, unsigned line, char **ret_error) {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i == n || s[i] == '#')
                return 0;
        size_t k = i;
        while (i < n && (isalnum((unsigned char) s[i]) || s[i] == '_'))
                i++;
        if (i == k || i == n || s[i] != '=' || isdigit((unsigned char) s[k])) {
                set_error(ret_error, "line %u: not a KEY=value assignment", line);
                return -EBADMSG;
        }
        _cleanup_free_ char *key = xstrndup(s + k, i - k), *value = NULL;
        char quote = 0;
        i++;
        size_t vs = i;
        if (i < n && (s[i] == '"' || s[i] == '\'')) {
                quote = s[i++];
                vs = i;
                while (i < n && s[i] != quote) {
                        if (quote == '"' && strchr("$`\\", s[i]))
                                return refuse_value(line, key, ret_error);
                        i++;
                }
                if (i == n)
                        return refuse_value(line, key, ret_error);
                value = xstrndup(s + vs, i - vs);
                i++;
        } else {
                while (i < n && !shell_special(s[i]))
                        i++;
                value = xstrndup(s + vs, i - vs);
        }
        /* Only whitespace and a comment may follow. */
        size_t ws = i;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i < n && !(s[i] == '#' && i > ws))
                return refuse_value(line, key, ret_error);

        if (quote)
                f->n_quoted++, f->last_quote = quote;
        else
                f->n_plain++;
        f->vars = xrealloc(f->vars, (f->n + 1) * sizeof(*f->vars));
        f->vars[f->n++] = (struct ifcfg_var){
                .key = TAKE_PTR(key), .value = TAKE_PTR(value), .line = line, .quote = quote
        };
        return 1;
}

static int ifcfg_parse(const char *text, size_t len, struct ifcfg *ret, char **ret_error) {
        struct ifcfg f = { .eol = detect_eol(text, len) };
        unsigned line = 0;

        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                int r = ifcfg_parse_line(&f, text + off, n, ++line, ret_error);
                if (r < 0) {
                        ifcfg_free(&f);
                        return r;
                }
                if (r > 0)
                        f.last_assignment_end = end;
        }
        *ret = f;
        return 0;
}

/* The shell's value of key: the last assignment wins. */
static const struct ifcfg_var *ifcfg_lookup(const struct ifcfg *f, const char *key) {
        for (size_t i = f->n; i > 0; i--)
                if (streq(f->vars[i - 1].key, key))
                        return &f->vars[i - 1];
        return NULL;
}

/* GATEWAY, else GATEWAYn as NetworkManager's ifcfg-rh reader takes it for the default route. */
static const struct ifcfg_var *ifcfg_find_gateway(const struct ifcfg *f) {
        const struct ifcfg_var *v = ifcfg_lookup(f, "GATEWAY");
        if (v && v->value[0])
                return v;
        for (size_t i = 0; i < f->n; i++) {
                const char *idx = startswith(f->vars[i].key, "GATEWAY");
                if (idx && *idx && strspn(idx, "0123456789") == strlen(idx) && f->vars[i].value[0])
                        return ifcfg_lookup(f, f->vars[i].key);
        }
        return NULL;
}

static int ifcfg_gateway(const struct ifcfg *f, const struct ifcfg_var **ret, char **ret_error) {
        const struct ifcfg_var *v = ifcfg_find_gateway(f);
        if (v && !netconf_is_ipv4(v->value)) {
                set_error(ret_error, "line %u: %s=%s is not an IPv4 address", v->line, v->key, v->value);
                return -EBADMSG;
        }
        *ret = v;
        return !!v;
}

int netconf_ifcfg_get_gateway(const char *text, size_t len, char **ret_gateway, char **ret_error) {
        _cleanup_(ifcfg_free) struct ifcfg f = {};
        const struct ifcfg_var *v;
        int r = ifcfg_parse(text, len, &f, ret_error);
        if (r < 0)
                return r;
        r = ifcfg_gateway(&f, &v, ret_error);
        if (r > 0 && ret_gateway)
                *ret_gateway = xstrdup(v->value);
        return r;
}

static bool has_static_address(const struct ifcfg *f) {
        for (size_t i = 0; i < f->n; i++) {
                const char *idx = startswith(f->vars[i].key, "IPADDR");
                if (idx && strspn(idx, "0123456789") == strlen(idx) && f->vars[i].value[0])
                        return true;
        }
        return false;
}

static int ifcfg_check_static(const struct ifcfg *f, char **ret_error) {
        const struct ifcfg_var *v = ifcfg_lookup(f, "BOOTPROTO");
        if (v && (strcasecmp(v->value, "dhcp") == 0 || strcasecmp(v->value, "bootp") == 0)) {
                set_error(ret_error, "line %u: BOOTPROTO=%s: the interface gets its gateway from DHCP",
                          v->line, v->value);
                return -EADDRNOTAVAIL;
        }
        v = ifcfg_lookup(f, "DEFROUTE");
        if (v && (strcasecmp(v->value, "no") == 0 || strcasecmp(v->value, "false") == 0)) {
                set_error(ret_error, "line %u: DEFROUTE=%s: the interface must not carry the default route",
                          v->line, v->value);
                return -ENOTSUP;
        }
        const char *port_keys[] = { "BRIDGE", "MASTER", "TEAM_MASTER" };
        for (size_t i = 0; i < ELEMENTSOF(port_keys); i++) {
                v = ifcfg_lookup(f, port_keys[i]);
                if (v && v->value[0]) {
                        set_error(ret_error,
                                  "line %u: %s=%s: the interface is a port of another device, its address "
                                  "and routes live there",
                                  v->line, v->key, v->value);
                        return -ENOTSUP;
                }
        }
        if (!has_static_address(f)) {
                set_error(ret_error, "line %u: no IPADDR: a gateway needs a static IPv4 address",
                          f->n ? f->vars[f->n - 1].line : 1);
                return -ENOTSUP;
        }
        return 0;
}

int netconf_ifcfg_set_gateway(const char *text, size_t len, const char *gateway, _unused_ bool onlink,
                              char **ret_text, size_t *ret_len, char **ret_error) {
        _cleanup_free_ char *insert = NULL;
        _cleanup_(ifcfg_free) struct ifcfg f = {};
        const struct ifcfg_var *v;
        int r;

        r = netconf_check_gateway(gateway, ret_error);
        if (r < 0)
                return r;
        r = ifcfg_parse(text, len, &f, ret_error);
        if (r < 0)
                return r;
        r = ifcfg_gateway(&f, &v, ret_error);
        if (r < 0)
                return r;
        if (r > 0)
                return netconf_keep_gateway(v->value, v->line, gateway, ret_error);
        r = ifcfg_check_static(&f, ret_error);
        if (r < 0)
                return r;

        /* Quote like the file mostly does (a file quoting everything gets a quoted GATEWAY). */
        if (f.n_quoted > f.n_plain)
                insert = xasprintf("GATEWAY=%c%s%c%s", f.last_quote, gateway, f.last_quote, f.eol);
        else
                insert = xasprintf("GATEWAY=%s%s", gateway, f.eol);
        if (!ret_text) /* only the answer is asked for */
                return 1;
        size_t at = f.last_assignment_end;
        ifcfg_free(&f); /* before the new text: a large file's parse and edit are not held together */
        *ret_text = netconf_splice(text, len, at, insert, f.eol, ret_len);
        return 1;
}
