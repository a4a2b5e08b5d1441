/* SPDX-License-Identifier: MIT */
/* A unit file's [Install] section as systemctl enable reads it. */
#include "formats/unit-install.h"
#include "tap.h"

static char *joined(const struct strv *v) {
        return strv_join(v, ",");
}

static void test_parse(void) {
        /* Debian 12's chrony.service [Install] (package chrony 4.3-2+deb12u3), with [Service] cut. */
        static const char chrony[] = "[Unit]\nDescription=chrony, an NTP client/server\n"
                                     "[Service]\nExecStart=!/usr/sbin/chronyd $DAEMON_OPTS\n\n"
                                     "[Install]\nAlias=chronyd.service\nWantedBy=multi-user.target\n";
        struct unit_install u;
        _cleanup_free_ char *err = NULL;
        tap_ok(unit_install_parse(chrony, strlen(chrony), &u, &err) == 0, "chrony.service");
        _cleanup_free_ char *w = joined(&u.wanted_by), *a = joined(&u.alias);
        tap_streq(w, "multi-user.target", "WantedBy");
        tap_streq(a, "chronyd.service", "Alias");
        unit_install_done(&u);

        static const char tricky[] = "[Install]\n; c\nWantedBy=a.target \\\n# skipped\n  b.target\n"
                                     "WantedBy=c.target a.target\nRequiredBy=x.target\nRequiredBy=\n"
                                     "[Service]\nWantedBy=not.target\n[Install]\nUpheldBy=u.target\n";
        tap_ok(unit_install_parse(tricky, strlen(tricky), &u, &err) == 0, "continuations, resets, sections");
        _cleanup_free_ char *w2 = joined(&u.wanted_by), *r2 = joined(&u.required_by),
                            *u2 = joined(&u.upheld_by);
        tap_streq(w2, "a.target,b.target,c.target", "a continued list, a comment inside, duplicates once");
        tap_streq(r2, "", "an empty assignment resets");
        tap_streq(u2, "u.target", "a second [Install]; [Service] keys ignored");
        unit_install_done(&u);

        tap_ok(unit_install_parse("[Install\nWantedBy=a\n", 20, &u, &err) == -EBADMSG,
               "an open section header");
        tap_streq(err, "line 1: a section header without ']'", "named");
}

int main(void) {
        test_parse();
        return tap_done();
}
