/* SPDX-License-Identifier: MIT */
/* Kubernetes version parsing and comparison (see version.h). */
#include "formats/version.h"

#include "basic/util.h"

static bool parse_number(const char **p, unsigned *ret) {
        if (**p < '0' || **p > '9')
                return false;
        unsigned long v = 0;
        while (**p >= '0' && **p <= '9') {
                v = v * 10 + (unsigned long) (**p - '0');
                if (v > 100000)
                        return false;
                (*p)++;
        }
        *ret = (unsigned) v;
        return true;
}

int version_parse(const char *s, struct kversion *ret) {
        struct kversion v = {};
        const char *p = s;
        if (*p == 'v' || *p == 'V')
                p++;
        if (!parse_number(&p, &v.major) || *p++ != '.' || !parse_number(&p, &v.minor))
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (!parse_number(&p, &v.patch))
                        return -EINVAL;
                v.has_patch = true;
        }
        if (*p && *p != '-' && *p != '+')
                return -EINVAL;
        *ret = v;
        return 0;
}

int version_compare(const struct kversion *a, const struct kversion *b) {
        if (a->major != b->major)
                return a->major < b->major ? -1 : 1;
        if (a->minor != b->minor)
                return a->minor < b->minor ? -1 : 1;
        if (a->patch != b->patch)
                return a->patch < b->patch ? -1 : 1;
        return 0;
}

bool version_at_least(const struct kversion *a, unsigned major, unsigned minor) {
        return a->major > major || (a->major == major && a->minor >= minor);
}

char *version_to_string(const struct kversion *v) {
        return v->has_patch ? xasprintf("%u.%u.%u", v->major, v->minor, v->patch)
                            : xasprintf("%u.%u", v->major, v->minor);
}
