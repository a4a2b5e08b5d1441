/* SPDX-License-Identifier: MIT */
/* Version parsing: release tags, image tags, and what is not a version. */
#include "basic/util.h"
#include "formats/version.h"
#include "tap.h"

static const struct {
        const char *in;
        int rc;
        const char *canonical;
} cases[] = {
        { "v1.22.2", 0, "1.22.2" },     { "1.22.2", 0, "1.22.2" },       { "1.14", 0, "1.14" },
        { "v1.8.1-amd64", 0, "1.8.1" }, { "v1.28.0+k3s1", 0, "1.28.0" }, { "v1.30.0-rc.1", 0, "1.30.0" },
        { "latest", -EINVAL, NULL },    { "1", -EINVAL, NULL },          { "1.22.x", -EINVAL, NULL },
        { "", -EINVAL, NULL },          { "v1..2", -EINVAL, NULL },      { "1.22.2.1", -EINVAL, NULL },
};

int main(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct kversion v;
                int rc = version_parse(cases[i].in, &v);
                _cleanup_free_ char *name = xasprintf("parse '%s'", cases[i].in);
                tap_ok(rc == cases[i].rc, name);
                if (rc == 0) {
                        _cleanup_free_ char *s = version_to_string(&v);
                        tap_streq(s, cases[i].canonical, name);
                }
        }
        struct kversion a, b;
        version_parse("1.16.15", &a);
        version_parse("1.22", &b);
        tap_ok(version_compare(&a, &b) < 0 && version_compare(&b, &a) > 0, "1.16.15 < 1.22");
        tap_ok(version_at_least(&b, 1, 22) && !version_at_least(&a, 1, 17) && version_at_least(&b, 1, 9),
               "at least");
        return tap_done();
}
