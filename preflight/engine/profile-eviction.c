/* SPDX-License-Identifier: MIT */
/* The profile's eviction settings (see eviction.h). The rules follow the
 * kubelet's own parser (pkg/kubelet/eviction/helpers.go), so a profile that
 * passes here does not stop the kubelet at start. */
#include "engine/profile-eviction.h"

#include <ctype.h>

static const char *const signals[] = {
        "memory.available",  "nodefs.available",   "nodefs.inodesFree",
        "imagefs.available", "imagefs.inodesFree", "pid.available",
};

/* The kubelet's hard thresholds when none is given (Linux). */
static const struct {
        const char *signal, *value;
} default_hard[] = {
        { "memory.available", "100Mi" },
        { "nodefs.available", "10%" },
        { "imagefs.available", "15%" },
        { "nodefs.inodesFree", "5%" },
};

static bool known_signal(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (streq(signals[i], s))
                        return true;
        return false;
}

/* Digits with at most one '.', at least one digit; returns the end. */
static const char *scan_decimal(const char *s) {
        bool digits = false, dot = false;
        for (;; s++) {
                if (isdigit((unsigned char) *s))
                        digits = true;
                else if (*s == '.' && !dot)
                        dot = true;
                else
                        break;
        }
        return digits ? s : NULL;
}

int eviction_parse_quantity(const char *s, long double *ret) {
        static const struct {
                const char *suffix;
                long double factor;
        } suffixes[] = {
                { "", 1 },         { "n", 1e-9L },    { "u", 1e-6L },    { "m", 1e-3L },
                { "k", 1e3L },     { "M", 1e6L },     { "G", 1e9L },     { "T", 1e12L },
                { "P", 1e15L },    { "E", 1e18L },    { "Ki", 1024 },    { "Mi", 1048576.0L },
                { "Gi", 0x1p30L }, { "Ti", 0x1p40L }, { "Pi", 0x1p50L }, { "Ei", 0x1p60L },
        };
        const char *p = s;
        if (*p == '+' || *p == '-')
                p++;
        const char *end = scan_decimal(p);
        if (!end)
                return -EINVAL;
        _cleanup_free_ char *num = xstrndup(s, (size_t) (end - s));
        long double v = strtold(num, NULL);
        /* "1e3", "1E-2": a decimal exponent; "1E" alone is exa. */
        if ((*end == 'e' || *end == 'E') && end[1]) {
                const char *q = end + 1;
                if (*q == '+' || *q == '-')
                        q++;
                if (!*q)
                        return -EINVAL;
                for (const char *d = q; *d; d++)
                        if (!isdigit((unsigned char) *d))
                                return -EINVAL;
                long e = strtol(end + 1, NULL, 10);
                if (e > 30 || e < -30)
                        return -ERANGE; /* far beyond any node's memory or disk */
                for (; e > 0; e--)
                        v *= 10;
                for (; e < 0; e++)
                        v /= 10;
                *ret = v;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (streq(end, suffixes[i].suffix)) {
                        *ret = v * suffixes[i].factor;
                        return 0;
                }
        return -EINVAL;
}

int eviction_parse_percentage(const char *s, double *ret) {
        const char *end = scan_decimal(s);
        if (!end || !streq(end, "%"))
                return -EINVAL;
        double v = strtod(s, NULL);
        if (v > 100)
                return -ERANGE;
        *ret = v;
        return 0;
}

int eviction_parse_duration(const char *s, double *ret_seconds) {
        static const struct {
                const char *unit;
                double seconds;
        } units[] = {
                { "ns", 1e-9 }, { "us", 1e-6 }, { "\xc2\xb5s", 1e-6 }, { "\xce\xbcs", 1e-6 },
                { "ms", 1e-3 }, { "s", 1 },     { "m", 60 },           { "h", 3600 },
        };
        bool negative = *s == '-';
        if (*s == '+' || *s == '-')
                s++;
        if (streq(s, "0")) {
                *ret_seconds = 0;
                return 0;
        }
        if (!*s)
                return -EINVAL;
        double total = 0;
        while (*s) {
                const char *end = scan_decimal(s);
                if (!end)
                        return -EINVAL;
                _cleanup_free_ char *num = xstrndup(s, (size_t) (end - s));
                size_t ulen = 0;
                while (end[ulen] && end[ulen] != '.' && !isdigit((unsigned char) end[ulen]))
                        ulen++;
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (strlen(units[i].unit) == ulen && strncmp(end, units[i].unit, ulen) == 0)
                                break;
                if (i == ELEMENTSOF(units))
                        return -EINVAL; /* a missing or unknown unit */
                total += strtod(num, NULL) * units[i].seconds;
                s = end + ulen;
        }
        if (negative && total > 0)
                return -ERANGE;
        *ret_seconds = total;
        return 0;
}

/* Where a map came from, for messages: the file that set it. */
static const char *map_file(const struct profile *p, const struct kv_list *l) {
        return l->file ? l->file : strempty(p->path);
}

_printf_(5, 6) static int invalid(char **ret_error, const char *file, const char *map, const struct kv *e,
                                  const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        set_error(ret_error, "%s:%u: 'eviction.%s.%s': %s", file, e->line, map, e->key, what);
        return -EINVAL;
}

/* A threshold (hard or soft): "0%" and "100%" are accepted (the kubelet
 * ignores them), a quantity must be above zero. */
static int check_threshold(char **ret_error, const char *file, const char *map, const struct kv *e) {
        double pct;
        long double q;
        int k = eviction_parse_percentage(e->value, &pct);
        if (k == -ERANGE)
                return invalid(ret_error, file, map, e, "'%s' is over 100%%", e->value);
        if (k == 0)
                return 0;
        if (eviction_parse_quantity(e->value, &q) < 0)
                return invalid(
                        ret_error, file, map, e,
                        "'%s' is neither a quantity (like 100Mi, 1Gi, 500M) nor a percentage (like 10%%)",
                        e->value);
        if (q <= 0)
                return invalid(ret_error, file, map, e,
                               "'%s': a threshold must be above zero (the kubelet refuses it; 0%% turns a "
                               "threshold off)",
                               e->value);
        return 0;
}

static int check_reclaim(char **ret_error, const char *file, const struct kv *e) {
        double pct;
        long double q;
        int k = eviction_parse_percentage(e->value, &pct);
        if (k == -ERANGE)
                return invalid(ret_error, file, "minimumReclaim", e, "'%s' is over 100%%", e->value);
        if (k == 0)
                return pct > 0 ? 0
                               : invalid(ret_error, file, "minimumReclaim", e,
                                         "a percentage must be above 0%% (use a quantity like 0Mi for "
                                         "none)");
        if (eviction_parse_quantity(e->value, &q) < 0)
                return invalid(ret_error, file, "minimumReclaim", e,
                               "'%s' is neither a quantity (like 500Mi, 2Gi, 0) nor a percentage (like 5%%)",
                               e->value);
        if (q < 0)
                return invalid(ret_error, file, "minimumReclaim", e, "'%s' is negative", e->value);
        return 0;
}

int eviction_validate(const struct profile *p, char **ret_error) {
        const struct {
                const char *name;
                const struct kv_list *list;
        } maps[] = {
                { "hard", &p->eviction.hard },
                { "soft", &p->eviction.soft },
                { "softGracePeriod", &p->eviction.soft_grace_period },
                { "minimumReclaim", &p->eviction.minimum_reclaim },
        };
        for (size_t m = 0; m < ELEMENTSOF(maps); m++) {
                const char *file = map_file(p, maps[m].list);
                for (size_t i = 0; i < maps[m].list->n; i++) {
                        const struct kv *e = &maps[m].list->items[i];
                        double secs;
                        int k;
                        if (!known_signal(e->key))
                                return invalid(ret_error, file, maps[m].name, e,
                                               "unknown eviction signal (known: memory.available, "
                                               "nodefs.available, "
                                               "nodefs.inodesFree, imagefs.available, imagefs.inodesFree, "
                                               "pid.available)");
                        switch (m) {
                        case 0:
                        case 1:
                                k = check_threshold(ret_error, file, maps[m].name, e);
                                break;
                        case 2:
                                k = eviction_parse_duration(e->value, &secs);
                                if (k < 0)
                                        return invalid(ret_error, file, maps[m].name, e,
                                                       k == -ERANGE
                                                               ? "'%s': a grace period cannot be negative"
                                                               : "'%s' is not a duration (like 300s, 1m30s)",
                                                       e->value);
                                break;
                        default:
                                k = check_reclaim(ret_error, file, e);
                                break;
                        }
                        if (k < 0)
                                return k;
                }
        }
        /* The kubelet refuses to start: "grace period must be specified for
         * the soft eviction threshold". */
        for (size_t i = 0; i < p->eviction.soft.n; i++) {
                const struct kv *e = &p->eviction.soft.items[i];
                if (!kv_list_get(&p->eviction.soft_grace_period, e->key))
                        return invalid(ret_error, map_file(p, &p->eviction.soft), "soft", e,
                                       "a soft threshold needs a grace period: add '%s' to "
                                       "eviction.softGracePeriod",
                                       e->key);
        }
        return 0;
}

static const char *default_hard_for(const char *signal) {
        for (size_t i = 0; i < ELEMENTSOF(default_hard); i++)
                if (streq(default_hard[i].signal, signal))
                        return default_hard[i].value;
        return NULL;
}

/* A value as a comparable number: kind 'p' (percent) or 'q' (quantity);
 * 0 when it is off ("0%", "100%", which the kubelet ignores) or invalid. */
static char value_kind(const char *v, long double *ret) {
        double pct;
        if (eviction_parse_percentage(v, &pct) == 0) {
                *ret = pct;
                return pct > 0 && pct < 100 ? 'p' : 0;
        }
        return eviction_parse_quantity(v, ret) == 0 ? 'q' : 0;
}

static void warn_partial_hard(const struct profile *p, struct strv *ret) {
        const struct kv_list *hard = &p->eviction.hard;
        if (hard->n == 0)
                return;
        struct buf missing = {}, set = {};
        for (size_t i = 0; i < ELEMENTSOF(default_hard); i++)
                if (!kv_list_get(hard, default_hard[i].signal))
                        buf_printf(&missing, "%s%s<%s", missing.len ? ", " : "", default_hard[i].signal,
                                   default_hard[i].value);
        for (size_t i = 0; i < hard->n; i++)
                buf_printf(&set, "%s%s", i ? ", " : "", hard->items[i].key);
        if (missing.len)
                strv_push(ret,
                          xasprintf("%s:%u: eviction.hard sets only %s: the kubelet then drops its default "
                                    "hard thresholds %s (unless mergeDefaultEvictionSettings: true, kubelet "
                                    ">= 1.33)",
                                    map_file(p, hard), hard->items[0].line, set.data, missing.data));
        buf_free(&missing);
        buf_free(&set);
}

void eviction_warnings(const struct profile *p, struct strv *ret) {
        warn_partial_hard(p, ret);
        /* Available memory/disk falls: a soft threshold at or below the hard
         * one is crossed only after the hard one has evicted already. With a
         * partial hard set the kubelet's defaults are gone (or merged, on
         * >= 1.33): compare with the defaults only when no hard is given. */
        const struct kv_list *hard = &p->eviction.hard;
        for (size_t i = 0; i < p->eviction.soft.n; i++) {
                const struct kv *s = &p->eviction.soft.items[i];
                const char *h = kv_list_get(hard, s->key), *whose = "eviction.hard";
                if (!h && hard->n == 0) {
                        h = default_hard_for(s->key);
                        whose = "the kubelet's default";
                }
                long double sv, hv;
                char sk, hk;
                if (!h || !(sk = value_kind(s->value, &sv)) || (hk = value_kind(h, &hv)) != sk)
                        continue; /* a percentage and a quantity cannot be compared */
                if (sv <= hv)
                        strv_push(ret,
                                  xasprintf("%s:%u: eviction.soft %s<%s can never fire: the hard threshold "
                                            "%s<%s (%s) is reached first",
                                            map_file(p, &p->eviction.soft), s->line, s->key, s->value,
                                            s->key, h, whose));
        }
}

static char *render_map(const struct kv_list *l, char sep) {
        struct buf b = {};
        for (size_t i = 0; i < l->n; i++)
                buf_printf(&b, "%s%s%c%s", i ? "," : "", l->items[i].key, sep, l->items[i].value);
        return buf_steal(&b);
}

size_t eviction_flags(const struct profile *p, struct eviction_flag ret[EVICTION_FLAGS_MAX]) {
        const struct {
                const char *name;
                const struct kv_list *list;
                char sep;
        } maps[] = {
                { "eviction-hard", &p->eviction.hard, '<' },
                { "eviction-soft", &p->eviction.soft, '<' },
                { "eviction-soft-grace-period", &p->eviction.soft_grace_period, '=' },
                { "eviction-minimum-reclaim", &p->eviction.minimum_reclaim, '=' },
        };
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(maps); i++)
                if (maps[i].list->n)
                        ret[n++] = (struct eviction_flag){ maps[i].name,
                                                           render_map(maps[i].list, maps[i].sep) };
        if (p->eviction.max_pod_grace_period)
                ret[n++] = (struct eviction_flag){ "eviction-max-pod-grace-period",
                                                   xstrdup(p->eviction.max_pod_grace_period) };
        return n;
}

void eviction_flags_free(struct eviction_flag *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(f[i].value);
}

/* Is every comma-separated entry of a also in b? */
static bool entries_within(const char *a, const char *b) {
        for (const char *e = a; *e;) {
                size_t l = strcspn(e, ",");
                bool found = false;
                for (const char *f = b; *f && !found;) {
                        size_t m = strcspn(f, ",");
                        found = m == l && strncmp(e, f, l) == 0;
                        f += m + (f[m] == ',');
                }
                if (!found)
                        return false;
                e += l + (e[l] == ',');
        }
        return true;
}

bool eviction_flag_values_equal(const char *a, const char *b) {
        return streq(a, b) || (entries_within(a, b) && entries_within(b, a));
}
