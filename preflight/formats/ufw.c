/* SPDX-License-Identifier: MIT */
/* ufw.conf and user.rules (see ufw.h). */
#include "formats/ufw.h"

#include <stdlib.h>

#include "basic/util.h"

bool ufw_conf_enabled(const char *text, size_t len) {
        bool enabled = false;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup_strip(text + off, n, WHITESPACE);
                const char *v = startswith(line, "ENABLED=");
                if (!v)
                        continue;
                enabled = streq(v, "yes") || streq(v, "\"yes\"") || streq(v, "'yes'");
        }
        return enabled;
}

/* Which of [first, last] a DPORT field ("any", "22", "30000:32767", "80,443,8000:8080") opens,
 * marked in open[] (indexed from first). */
static void mark_ports(const char *dport, unsigned first, unsigned last, bool *open) {
        if (streq(dport, "any")) {
                for (unsigned p = first; p <= last; p++)
                        open[p - first] = true;
                return;
        }
        for (const char *s = dport; *s;) {
                size_t n = strcspn(s, ",");
                _cleanup_free_ char *item = xstrndup(s, n);
                char *colon = strchr(item, ':'), *e1, *e2 = NULL;
                unsigned long a = strtoul(item, &e1, 10), b = colon ? strtoul(colon + 1, &e2, 10) : a;
                bool ok = e1 != item && (colon ? e1 == colon && e2 && !*e2 && e2 != colon + 1 : !*e1);
                for (unsigned long p = a; ok && p <= b; p++)
                        if (p >= first && p <= last)
                                open[p - first] = true;
                s += n + (s[n] == ',');
        }
}

bool ufw_rules_allow(const char *text, size_t len, const struct port_range *p) {
        size_t span = p->last - p->first + 1;
        _cleanup_free_ bool *open = calloc(span, sizeof(bool));
        if (!open)
                oom();
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup(text + off, n);
                const char *t = startswith(line, "### tuple ###");
                if (!t)
                        continue;
                char *f[10];
                size_t nf = 0;
                _cleanup_free_ char *fields = xstrdup(t);
                for (char *save = NULL, *w = strtok_r(fields, " \t", &save); w && nf < ELEMENTSOF(f);
                     w = strtok_r(NULL, " \t", &save))
                        f[nf++] = w;
                /* ACTION PROTO DPORT DST SPORT SRC [DAPP SAPP] DIRECTION, and an optional comment=. */
                if (nf > 0 && startswith(f[nf - 1], "comment="))
                        nf--;
                if (nf < 6 || nf > 9 || !streq(f[0], "allow"))
                        continue;
                const char *direction = nf == 7 || nf == 9 ? f[nf - 1] : "in";
                if (!streq(direction, "in") && !startswith(direction, "in_"))
                        continue;
                if (!streq(f[1], "any") && !streq(f[1], p->protocol))
                        continue;
                mark_ports(f[2], p->first, p->last, open);
        }
        for (size_t i = 0; i < span; i++)
                if (!open[i])
                        return false;
        return true;
}
