/* SPDX-License-Identifier: MIT */
/* Tests for preflight/formats/unit-install.c: the [Install] keys `systemctl enable` reads, from
 * units as the runtimes and time services ship them (CRI-O's crio.service with its Alias=, Debian's
 * containerd and chrony), and systemd's line rules: continuation, comments inside a continued
 * line, repeated keys, an empty value, other sections, an unclosed header. */
#include "basic/util.h"
#include "formats/unit-install.h"
#include "tap.h"

struct install_case {
        const char *name, *text;
        int ret;
        const char *wanted_by, *required_by, *alias, *also; /* joined with ' ' */
};

static const struct install_case cases[] = {
        { "crio.service (cri-o/cri-o: contrib/systemd/crio.service)",
          "[Unit]\nDescription=Container Runtime Interface for OCI (CRI-O)\nBefore=kubelet.service\n\n"
          "[Service]\nType=notify\nExecStart=/usr/local/bin/crio \\\n          $CRIO_CONFIG_OPTIONS\n\n"
          "[Install]\nWantedBy=multi-user.target\nAlias=cri-o.service\n",
          0, "multi-user.target", "", "cri-o.service", "" },
        { "containerd.service (Debian 12)",
          "[Service]\nExecStart=/usr/bin/containerd\n\n[Install]\nWantedBy=multi-user.target\n", 0,
          "multi-user.target", "", "", "" },
        { "no [Install]: static", "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n", 0, "", "", "",
          "" },
        { "keys outside [Install] are not its",
          "[Unit]\nWantedBy=wrong.target\n[Install]\nRequiredBy=a.target\n", 0, "", "a.target", "", "" },
        { "lists add up, duplicates once, an empty value empties",
          "[Install]\nWantedBy=a.target b.target\nWantedBy=b.target "
          "c.target\nAlso=x.socket\nAlso=\nAlso=y.socket\n",
          0, "a.target b.target c.target", "", "", "y.socket" },
        { "blanks, comments and a continued line",
          "[Install]\n# WantedBy=commented.target\n; RequiredBy=commented.target\n  WantedBy = a.target "
          "\\\n  b.target\r\n",
          0, "a.target b.target", "", "", "" },
        { "a specifier is refused", "[Install]\nWantedBy=getty@%i.target\n", -EBADMSG, NULL, NULL, NULL,
          NULL },
        { "a line without = is ignored, as systemd does", "[Install]\nWantedBy\nWantedBy=a.target\n", 0,
          "a.target", "", "", "" },
};

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
        unit_install_free(&u);

        static const char tricky[] = "[Install]\n; c\nWantedBy=a.target \\\n# skipped\n  b.target\n"
                                     "WantedBy=c.target a.target\nRequiredBy=x.target\nRequiredBy=\n"
                                     "[Service]\nWantedBy=not.target\n[Install]\nUpheldBy=u.target\n";
        tap_ok(unit_install_parse(tricky, strlen(tricky), &u, &err) == 0, "continuations, resets, sections");
        _cleanup_free_ char *w2 = joined(&u.wanted_by), *r2 = joined(&u.required_by),
                            *u2 = joined(&u.upheld_by);
        tap_streq(w2, "a.target,b.target,c.target", "a continued list, a comment inside, duplicates once");
        tap_streq(r2, "", "an empty assignment resets");
        tap_streq(u2, "u.target", "a second [Install]; [Service] keys ignored");
        unit_install_free(&u);

        tap_ok(unit_install_parse("[Install\nWantedBy=a\n", 20, &u, &err) == -EBADMSG,
               "an open section header");
        tap_streq(err, "line 1: a section header without ']'", "named");
}

int main(void) {
        test_parse();
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct install_case *c = &cases[i];
                struct unit_install u = {};
                _cleanup_free_ char *err = NULL;
                int r = unit_install_parse(c->text, strlen(c->text), &u, &err);
                if (!tap_ok(r == c->ret, c->name) || r < 0) {
                        if (r < 0 && c->ret == 0)
                                tap_diag(strempty(err));
                        tap_ok(r >= 0 || err, c->name);
                        continue;
                }
                _cleanup_free_ char *w = strv_join(&u.wanted_by, " "), *q = strv_join(&u.required_by, " ");
                _cleanup_free_ char *a = strv_join(&u.alias, " "), *s = strv_join(&u.also, " ");
                tap_streq(w, c->wanted_by, c->name);
                tap_streq(q, c->required_by, c->name);
                tap_streq(a, c->alias, c->name);
                tap_streq(s, c->also, c->name);
                tap_ok(unit_install_empty(&u) == (!*w && !*q && !*a && !*s), c->name);
                unit_install_free(&u);
        }
        return tap_done();
}
