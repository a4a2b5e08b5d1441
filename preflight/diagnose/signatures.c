/* SPDX-License-Identifier: MIT */
/* Loading and matching the signature database. The database is data, so a
 * mistake in it is reported like a profile's: file, line and what is wrong. */
#include "diagnose/signatures.h"

#include "engine/datadir.h"
#include "formats/yaml-tree.h"

#define SIGNATURES_FILE "profiles/signatures.yaml"

_printf_(4, 5) static int fail(char **ret_error, const char *path, unsigned line, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(ret_error, "%s:%u: %s", path, line, msg);
        return -EBADMSG;
}

/* ids and fixer names are what users type: lower case, digits and dashes. */
static bool valid_name(const char *s) {
        if (!*s)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}

static void signature_clear(struct signature *s) {
        for (size_t i = 0; s->regexes && i < s->patterns.n; i++)
                regfree(&s->regexes[i]);
        free(s->regexes);
        strv_free(&s->patterns);
        free(s->id);
        free(s->fixer);
        free(s->profile);
        free(s->args);
        free(s->explanation);
        *s = (struct signature){};
}

void signature_db_free(struct signature_db *db) {
        for (size_t i = 0; i < db->n; i++)
                signature_clear(&db->items[i]);
        free(db->items);
        free(db->path);
        *db = (struct signature_db){};
}

/* A one-line string value. */
static int get_string(const char *path, const struct ynode *v, const char *key, char **ret,
                      char **ret_error) {
        if (v->kind != YNODE_SCALAR || strlen(v->value) != v->value_len)
                return fail(ret_error, path, v->line, "'%s' must be a string", key);
        if (strchr(v->value, '\n'))
                return fail(ret_error, path, v->line, "'%s' must be one line", key);
        if (!*v->value)
                return fail(ret_error, path, v->line, "'%s' must not be empty", key);
        free(*ret);
        *ret = xstrdup(v->value);
        return 0;
}

/* glibc's regcomp copies a repeated subexpression's tree for each repetition, so stacked
 * repetitions ("a++", "(a+)+", "((a+)+)+"...) or a {bound} grow it exponentially: a damaged
 * database could make diagnose use gigabytes. Log signatures need none of that. Returns why a
 * pattern is refused, or NULL. */
static const char *risky_pattern(const char *p) {
        enum { MAX_DEPTH = 16 };
        bool repeated[MAX_DEPTH + 1] = {}; /* per open group: it contains a repetition */
        int depth = 0;
        bool last_repeatable_has_repeat = false; /* what a following quantifier would apply to */
        if (strlen(p) > 1024)
                return "longer than 1024 characters";
        for (const char *c = p; *c; c++) {
                switch (*c) {
                case '\\':
                        if (c[1])
                                c++;
                        last_repeatable_has_repeat = false;
                        break;
                case '[': {
                        const char *e = c + 1;
                        if (*e == '^')
                                e++;
                        if (*e == ']')
                                e++;
                        e = strchr(e, ']');
                        if (!e)
                                return NULL; /* regcomp says what is wrong */
                        c = e;
                        last_repeatable_has_repeat = false;
                        break;
                }
                case '(':
                        if (++depth > MAX_DEPTH)
                                return "groups nested too deep";
                        repeated[depth] = false;
                        break;
                case ')':
                        /* glibc reads an unmatched ')' as a literal; in the pattern as matched
                         * (see add_pattern) it would close the group around it. */
                        if (depth == 0)
                                return "an unmatched ')': write \\) for the character";
                        last_repeatable_has_repeat = repeated[depth];
                        if (repeated[depth])
                                repeated[depth - 1] = true;
                        depth--;
                        break;
                case '{':
                        return "a {bound}: use * or +";
                case '*':
                case '+':
                case '?':
                        if (last_repeatable_has_repeat)
                                return "a repetition of a repetition";
                        repeated[depth] = true;
                        last_repeatable_has_repeat = true;
                        break;
                default:
                        last_repeatable_has_repeat = false;
                        break;
                }
        }
        return NULL;
}

static int add_pattern(const char *path, struct signature *s, const struct ynode *v, char **ret_error) {
        _cleanup_free_ char *p = NULL;
        int k = get_string(path, v, "pattern", &p, ret_error);
        if (k < 0)
                return k;
        const char *risky = risky_pattern(p);
        if (risky)
                return fail(ret_error, path, v->line, "bad pattern '%s': %s", p, risky);
        regex_t re;
        /* Case-insensitive: the kubelet capitalised some messages over the
         * years ("Running with swap on" / "running with swap on"). */
        int rc = regcomp(&re, p, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0) {
                char why[256];
                regerror(rc, &re, why, sizeof(why));
                return fail(ret_error, path, v->line, "bad pattern '%s': %s", p, why);
        }
        regfree(&re);
        /* Matched as "^.*(PATTERN)": the same lines match, but glibc's regexec tries an unanchored
         * pattern from every place its start could match, each scan running to the end of the line,
         * so 'sandbox.*network is unreachable' on a line repeating "sandbox" took quadratic time
         * (3 s for 100 KB). Anchored, it is one pass of its DFA over the line. */
        _cleanup_free_ char *anchored = xasprintf("^.*(%s)", p);
        rc = regcomp(&re, anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0)
                return fail(ret_error, path, v->line, "bad pattern '%s'", p);
        s->regexes = xrealloc(s->regexes, (s->patterns.n + 1) * sizeof(*s->regexes));
        s->regexes[s->patterns.n] = re;
        strv_push(&s->patterns, TAKE_PTR(p));
        return 0;
}

static int parse_patterns(const char *path, struct signature *s, const struct ynode *v, char **ret_error) {
        if (v->kind == YNODE_SCALAR)
                return add_pattern(path, s, v, ret_error);
        if (v->kind != YNODE_SEQUENCE || v->n_children == 0)
                return fail(ret_error, path, v->line, "'pattern' must be a regex or a list of them");
        for (size_t i = 0; i < v->n_children; i++) {
                int k = add_pattern(path, s, v->children[i], ret_error);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int parse_bool(const char *path, const struct ynode *v, const char *key, bool *ret,
                      char **ret_error) {
        if (v->kind == YNODE_SCALAR && v->style == YAML_PLAIN_SCALAR_STYLE) {
                if (streq(v->value, "true")) {
                        *ret = true;
                        return 0;
                }
                if (streq(v->value, "false")) {
                        *ret = false;
                        return 0;
                }
        }
        return fail(ret_error, path, v->line, "'%s' must be true or false", key);
}

static int parse_signature(const char *path, const struct ynode *n, struct signature *s, char **ret_error) {
        if (n->kind != YNODE_MAPPING)
                return fail(ret_error, path, n->line,
                            "a signature must be a mapping (id, pattern, fixer, explanation)");
        s->line = n->line;
        for (size_t i = 0; i + 1 < n->n_children; i += 2) {
                const struct ynode *key = n->children[i], *v = n->children[i + 1];
                const char *name = key->kind == YNODE_SCALAR ? key->value : "";
                int k = 0;
                for (size_t j = 0; j < i; j += 2)
                        if (n->children[j]->kind == YNODE_SCALAR && streq(n->children[j]->value, name))
                                return fail(ret_error, path, key->line, "duplicate key '%s'", name);
                if (streq(name, "id"))
                        k = get_string(path, v, "id", &s->id, ret_error);
                else if (streq(name, "pattern"))
                        k = parse_patterns(path, s, v, ret_error);
                else if (streq(name, "fixer"))
                        k = get_string(path, v, "fixer", &s->fixer, ret_error);
                else if (streq(name, "profile"))
                        k = get_string(path, v, "profile", &s->profile, ret_error);
                else if (streq(name, "args"))
                        k = get_string(path, v, "args", &s->args, ret_error);
                else if (streq(name, "crossCheck"))
                        k = parse_bool(path, v, "crossCheck", &s->cross_check, ret_error);
                else if (streq(name, "explanation"))
                        k = get_string(path, v, "explanation", &s->explanation, ret_error);
                else
                        k = fail(ret_error, path, key->line, "unknown key '%s'", name);
                if (k < 0)
                        return k;
        }
        const char *missing = !s->id            ? "id"
                              : !s->patterns.n  ? "pattern"
                              : !s->fixer       ? "fixer"
                              : !s->explanation ? "explanation"
                                                : NULL;
        if (missing)
                return fail(ret_error, path, n->line, "signature%s%s%s: missing '%s'", s->id ? " '" : "",
                            strempty(s->id), s->id ? "'" : "", missing);
        if (!valid_name(s->id))
                return fail(ret_error, path, n->line, "id '%s': use lower case letters, digits and '-'",
                            s->id);
        if (!valid_name(s->fixer))
                return fail(ret_error, path, n->line, "signature '%s': '%s' is not a fixer name", s->id,
                            s->fixer);
        return 0;
}

int signature_db_parse(const char *path, const char *text, size_t len, struct signature_db *ret,
                       char **ret_error) {
        struct ystream ys = {};
        _cleanup_free_ char *yerr = NULL;
        int k = ystream_parse(text, len, &ys, &yerr);
        if (k < 0) {
                /* yaml-tree says "line N: problem"; make it PATH:N: problem. */
                unsigned line = 0;
                int skip = 0;
                if (yerr && sscanf(yerr, "line %u: %n", &line, &skip) == 1 && skip > 0)
                        set_error(ret_error, "%s:%u: %s", path, line, yerr + skip);
                else
                        set_error(ret_error, "%s: %s", path, yerr ? yerr : "not valid YAML");
                return k;
        }
        struct signature_db db = { .path = xstrdup(path) };
        const struct ynode *root = ys.n_docs == 1 ? ys.docs[0].root : NULL;
        const struct ynode *list = NULL;
        if (!root || root->kind != YNODE_MAPPING)
                k = fail(ret_error, path, root ? root->line : 1,
                         "expected a mapping with a 'signatures' list");
        for (size_t i = 0; k >= 0 && i + 1 < root->n_children; i += 2) {
                const struct ynode *key = root->children[i];
                if (key->kind == YNODE_SCALAR && streq(key->value, "signatures"))
                        list = root->children[i + 1];
                else
                        k = fail(ret_error, path, key->line, "unknown key '%s'",
                                 key->kind == YNODE_SCALAR ? key->value : "?");
        }
        if (k >= 0 && (!list || list->kind != YNODE_SEQUENCE))
                k = fail(ret_error, path, list ? list->line : root->line, "'signatures' must be a list");
        for (size_t i = 0; k >= 0 && i < list->n_children; i++) {
                db.items = xrealloc(db.items, (db.n + 1) * sizeof(*db.items));
                struct signature *s = &db.items[db.n++];
                *s = (struct signature){};
                k = parse_signature(path, list->children[i], s, ret_error);
                for (size_t j = 0; k >= 0 && j + 1 < db.n; j++)
                        if (streq(db.items[j].id, s->id))
                                k = fail(ret_error, path, s->line, "duplicate id '%s' (first on line %u)",
                                         s->id, db.items[j].line);
        }
        ystream_free(&ys);
        if (k < 0) {
                signature_db_free(&db);
                return k;
        }
        *ret = db;
        return 0;
}

int signature_db_load(struct signature_db *ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len = 0;
        int k = data_file_read(SIGNATURES_FILE, &path, &text, &len);
        if (k < 0) {
                set_error(ret_error, "the signature database %s was not found (is kubeprep installed?)",
                          SIGNATURES_FILE);
                return k;
        }
        return signature_db_parse(path, text, len, ret, ret_error);
}

int signature_db_match(const struct signature_db *db, const char *message) {
        for (size_t i = 0; i < db->n; i++)
                for (size_t j = 0; j < db->items[i].patterns.n; j++)
                        if (regexec(&db->items[i].regexes[j], message, 0, NULL, 0) == 0)
                                return (int) i;
        return -ENOENT;
}
