/* SPDX-License-Identifier: MIT */
/* Environment files, unit Environment= lines and NO_PROXY matching (proxy-env.h). */
#include "formats/proxy-env.h"

static size_t key_len(const char *kv) {
        return strcspn(kv, "=");
}

void env_set(struct strv *env, const char *key, const char *value) {
        size_t kl = strlen(key);
        for (size_t i = 0; i < env->n; i++) {
                if (key_len(env->items[i]) != kl || strncmp(env->items[i], key, kl) != 0)
                        continue;
                free(env->items[i]);
                if (value)
                        env->items[i] = xasprintf("%s=%s", key, value);
                else {
                        memmove(env->items + i, env->items + i + 1, (env->n - i - 1) * sizeof(char *));
                        env->n--;
                }
                return;
        }
        if (value)
                strv_push(env, xasprintf("%s=%s", key, value));
}

const char *env_get(const struct strv *env, const char *key) {
        size_t kl = strlen(key);
        for (size_t i = 0; i < env->n; i++)
                if (key_len(env->items[i]) == kl && strncmp(env->items[i], key, kl) == 0)
                        return env->items[i] + kl + 1;
        return NULL;
}

static bool valid_key(const char *k, size_t n) {
        if (n == 0 || (k[0] >= '0' && k[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(k[i] == '_' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
                      (k[i] >= '0' && k[i] <= '9')))
                        return false;
        return true;
}

/* A value as written after '=': quotes removed when it is one quoted string. */
static char *unquote(const char *v, size_t n) {
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                struct buf b = {};
                for (size_t i = 1; i + 1 < n; i++) {
                        if (v[0] == '"' && v[i] == '\\' && i + 2 < n)
                                i++;
                        buf_putc(&b, v[i]);
                }
                return buf_steal(&b);
        }
        return xstrndup(v, n);
}

void env_file_parse(const char *text, size_t len, struct strv *env) {
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *s = text + off;
                span_strip(&s, &n, WHITESPACE);
                if (n == 0 || s[0] == '#' || s[0] == ';')
                        continue;
                if (n > 7 && strncmp(s, "export ", 7) == 0) {
                        s += 7, n -= 7;
                        span_strip(&s, &n, WHITESPACE);
                }
                const char *eq = memchr(s, '=', n);
                if (!eq)
                        continue;
                const char *k = s, *v = eq + 1;
                size_t kn = (size_t) (eq - s), vn = n - kn - 1;
                span_strip(&k, &kn, WHITESPACE);
                span_strip(&v, &vn, WHITESPACE);
                if (!valid_key(k, kn))
                        continue;
                _cleanup_free_ char *key = xstrndup(k, kn), *value = unquote(v, vn);
                env_set(env, key, value);
        }
}

/* The next word of an Environment= value, as systemd's extract_first_word() splits it with
 * EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE: quotes may open anywhere in a word; backslash escapes the
 * next character. NULL at the end. */
static char *next_word(const char **p, const char *end) {
        while (*p < end && (**p == ' ' || **p == '\t'))
                (*p)++;
        if (*p >= end)
                return NULL;
        struct buf b = {};
        char quote = 0;
        for (; *p < end; (*p)++) {
                char c = **p;
                if (!quote && (c == ' ' || c == '\t'))
                        break;
                if (c == '\\' && *p + 1 < end) {
                        (*p)++;
                        buf_putc(&b, **p);
                } else if (!quote && (c == '"' || c == '\''))
                        quote = c;
                else if (quote && c == quote)
                        quote = 0;
                else
                        buf_putc(&b, c);
        }
        return buf_steal(&b);
}

void unit_environment_parse(const char *text, size_t len, struct strv *env, struct strv *files) {
        bool service = false;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *s = text + off;
                span_strip(&s, &n, WHITESPACE);
                if (n == 0 || s[0] == '#' || s[0] == ';')
                        continue;
                if (s[0] == '[') {
                        service = n == 9 && strncmp(s, "[Service]", 9) == 0;
                        continue;
                }
                const char *eq = memchr(s, '=', n);
                if (!service || !eq)
                        continue;
                const char *k = s, *v = eq + 1, *e = s + n;
                size_t kn = (size_t) (eq - s), vn = (size_t) (e - v);
                span_strip(&k, &kn, WHITESPACE);
                span_strip(&v, &vn, WHITESPACE);
                if (kn == 11 && strncmp(k, "Environment", 11) == 0) {
                        if (vn == 0) {
                                strv_free(env);
                                continue;
                        }
                        const char *p = v;
                        for (char *w; (w = next_word(&p, v + vn)); free(w)) {
                                char *weq = strchr(w, '=');
                                if (!weq || !valid_key(w, (size_t) (weq - w)))
                                        continue;
                                *weq = 0;
                                env_set(env, w, weq + 1);
                        }
                } else if (kn == 15 && strncmp(k, "EnvironmentFile", 15) == 0 && vn > 0) {
                        if (v[0] == '-')
                                v++, vn--;
                        strv_push(files, xstrndup(v, vn));
                }
        }
}

static const char *first_set(const struct strv *env, const char *upper, const char *lower,
                             const char **ret_var) {
        const char *v = env_get(env, upper);
        if (v && *v) {
                *ret_var = upper;
                return v;
        }
        v = env_get(env, lower);
        if (v && *v) {
                *ret_var = lower;
                return v;
        }
        return NULL;
}

const char *env_proxy(const struct strv *env, const char **ret_var) {
        const char *v = first_set(env, "HTTPS_PROXY", "https_proxy", ret_var);
        return v ? v : first_set(env, "HTTP_PROXY", "http_proxy", ret_var);
}

const char *env_no_proxy(const struct strv *env) {
        const char *var;
        return first_set(env, "NO_PROXY", "no_proxy", &var);
}

bool no_proxy_covers(const char *no_proxy, const struct cidr *range) {
        if (!no_proxy)
                return false;
        for (const char *p = no_proxy; *p;) {
                size_t n = strcspn(p, ",");
                _cleanup_free_ char *entry = xstrndup_strip(p, n, WHITESPACE);
                p += n + (p[n] == ',');
                if (streq(entry, "*"))
                        return true;
                struct cidr c;
                if (cidr_parse(entry, &c) >= 0 && cidr_contains(&c, range))
                        return true;
        }
        return false;
}
