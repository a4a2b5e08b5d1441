/* SPDX-License-Identifier: MIT */
/* Eviction settings: validation messages (file, line, key), the warnings,
 * and the kubelet flags they render to. */
#include "engine/profile-eviction.h"
#include "tap.h"

/* The default profile's eviction section, as in profiles/default.yaml. */
static const char default_eviction[] = "eviction:\n"
                                       "  hard: {}\n"
                                       "  soft:\n"
                                       "    memory.available: 500Mi\n"
                                       "    nodefs.available: 5%\n"
                                       "    nodefs.inodesFree: 6%\n"
                                       "  softGracePeriod:\n"
                                       "    memory.available: 300s\n"
                                       "    nodefs.available: 300s\n"
                                       "    nodefs.inodesFree: 300s\n"
                                       "  minimumReclaim:\n"
                                       "    memory.available: 0Mi\n"
                                       "    nodefs.available: 500Mi\n"
                                       "    imagefs.available: 2Gi\n";

/* Parse text over the defaults; NULL error means it parsed. */
static int load(const char *text, struct profile *p, char **ret_error) {
        profile_init_defaults(p);
        p->path = xstrdup("p.yaml");
        char *extends = NULL;
        int k = profile_parse_text("p.yaml", text, strlen(text), p, &extends, ret_error);
        free(extends);
        return k;
}

struct error_case {
        const char *name;
        const char *text;
        const char *error;
};

static const struct error_case error_cases[] = {
        { "unknown signal", "eviction:\n  hard:\n    memory.free: 1Gi\n",
          "p.yaml:3: 'eviction.hard.memory.free': unknown eviction signal (known: memory.available, "
          "nodefs.available, "
          "nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available)" },
        { "unknown signal in a grace period", "eviction:\n  softGracePeriod: {allocatable.available: 30s}\n",
          "p.yaml:2: 'eviction.softGracePeriod.allocatable.available': unknown eviction signal (known: "
          "memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, "
          "pid.available)" },
        { "not a quantity", "eviction:\n  hard:\n    memory.available: 1 Gi\n",
          "p.yaml:3: 'eviction.hard.memory.available': '1 Gi' is neither a quantity (like 100Mi, 1Gi, 500M) "
          "nor a "
          "percentage (like 10%)" },
        { "unknown unit", "eviction:\n  hard: {nodefs.available: 10GB}\n",
          "p.yaml:2: 'eviction.hard.nodefs.available': '10GB' is neither a quantity (like 100Mi, 1Gi, 500M) "
          "nor a "
          "percentage (like 10%)" },
        { "a percentage over 100", "eviction:\n  hard: {nodefs.available: 110%}\n",
          "p.yaml:2: 'eviction.hard.nodefs.available': '110%' is over 100%" },
        { "a negative percentage", "eviction:\n  hard: {nodefs.available: -5%}\n",
          "p.yaml:2: 'eviction.hard.nodefs.available': '-5%' is neither a quantity (like 100Mi, 1Gi, 500M) "
          "nor a "
          "percentage (like 10%)" },
        { "a zero threshold", "eviction:\n  hard: {memory.available: 0}\n",
          "p.yaml:2: 'eviction.hard.memory.available': '0': a threshold must be above zero (the kubelet "
          "refuses it; "
          "0% turns a threshold off)" },
        { "a bad soft value",
          "eviction:\n  soft: {memory.available: lots}\n  softGracePeriod: {memory.available: 1m}\n",
          "p.yaml:2: 'eviction.soft.memory.available': 'lots' is neither a quantity (like 100Mi, 1Gi, 500M) "
          "nor a "
          "percentage (like 10%)" },
        { "a soft threshold without a grace period",
          "eviction:\n  soft:\n    memory.available: 500Mi\n    pid.available: 10%\n"
          "  softGracePeriod: {memory.available: 1m}\n",
          "p.yaml:4: 'eviction.soft.pid.available': a soft threshold needs a grace period: add "
          "'pid.available' to "
          "eviction.softGracePeriod" },
        { "a grace period without a unit", "eviction:\n  softGracePeriod:\n    memory.available: 300\n",
          "p.yaml:3: 'eviction.softGracePeriod.memory.available': '300' is not a duration (like 300s, "
          "1m30s)" },
        { "a grace period with a bad unit", "eviction:\n  softGracePeriod:\n    memory.available: 5min\n",
          "p.yaml:3: 'eviction.softGracePeriod.memory.available': '5min' is not a duration (like 300s, "
          "1m30s)" },
        { "a negative grace period", "eviction:\n  softGracePeriod:\n    memory.available: -1m\n",
          "p.yaml:3: 'eviction.softGracePeriod.memory.available': '-1m': a grace period cannot be "
          "negative" },
        { "a negative minimum reclaim", "eviction:\n  minimumReclaim:\n    nodefs.available: -1Gi\n",
          "p.yaml:3: 'eviction.minimumReclaim.nodefs.available': '-1Gi' is negative" },
        { "a zero percentage minimum reclaim", "eviction:\n  minimumReclaim:\n    nodefs.available: 0%\n",
          "p.yaml:3: 'eviction.minimumReclaim.nodefs.available': a percentage must be above 0% (use a "
          "quantity like "
          "0Mi for none)" },
        { "a bad minimum reclaim", "eviction:\n  minimumReclaim:\n    imagefs.available: 2 Gi\n",
          "p.yaml:3: 'eviction.minimumReclaim.imagefs.available': '2 Gi' is neither a quantity (like 500Mi, "
          "2Gi, 0) "
          "nor a percentage (like 5%)" },
};

static void test_validation_errors(void) {
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                const struct error_case *c = &error_cases[i];
                struct profile p;
                _cleanup_free_ char *err = NULL;
                int k = load(c->text, &p, &err);
                tap_ok(k == 0, c->name);
                if (k == 0)
                        k = eviction_validate(&p, &err);
                tap_ok(k == -EINVAL, c->name);
                tap_streq(err, c->error, c->name);
                profile_clear(&p);
        }
        /* maxPodGracePeriod is a type the profile parser checks, with its line. */
        struct profile p;
        _cleanup_free_ char *err = NULL;
        tap_ok(load("eviction:\n  maxPodGracePeriod: 1m\n", &p, &err) == -EINVAL,
               "maxPodGracePeriod 1m refused");
        tap_streq(err, "p.yaml:2: 'eviction.maxPodGracePeriod' must be a whole number of seconds",
                  "and named");
        profile_clear(&p);
}

static void test_valid(void) {
        static const char *const texts[] = {
                default_eviction,
                "eviction:\n  hard: {memory.available: 1.5Gi, nodefs.available: 7.5%, pid.available: 1e3, "
                "imagefs.inodesFree: 0%, nodefs.inodesFree: 100%, imagefs.available: 500M}\n"
                "  soft: {memory.available: 2Gi}\n  softGracePeriod: {memory.available: 1h2m3.5s}\n"
                "  minimumReclaim: {memory.available: 0, nodefs.available: 5%}\n  maxPodGracePeriod: -1\n",
                "eviction:\n  softGracePeriod: {memory.available: 0, nodefs.available: 90s}\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct profile p;
                _cleanup_free_ char *err = NULL;
                int k = load(texts[i], &p, &err);
                if (k == 0)
                        k = eviction_validate(&p, &err);
                tap_ok(k == 0, "a valid eviction section passes");
                if (err)
                        tap_diag(err);
                profile_clear(&p);
        }
}

static void test_parsers(void) {
        long double q;
        tap_ok(eviction_parse_quantity("100Mi", &q) == 0 && q == 100.0L * 1048576, "100Mi");
        tap_ok(eviction_parse_quantity("1.5Gi", &q) == 0 && q == 1.5L * 1073741824, "1.5Gi");
        tap_ok(eviction_parse_quantity("500M", &q) == 0 && q == 5e8L, "500M");
        tap_ok(eviction_parse_quantity("1e3", &q) == 0 && q == 1000, "1e3");
        tap_ok(eviction_parse_quantity("2E", &q) == 0 && q == 2e18L, "2E is exa");
        tap_ok(eviction_parse_quantity("0", &q) == 0 && q == 0, "0");
        tap_ok(eviction_parse_quantity("1Mb", &q) < 0, "1Mb is not a quantity");
        tap_ok(eviction_parse_quantity(".", &q) < 0, ". is not a quantity");
        tap_ok(eviction_parse_quantity("", &q) < 0, "empty is not a quantity");
        double d;
        tap_ok(eviction_parse_percentage("7.5%", &d) == 0 && d == 7.5, "7.5%");
        tap_ok(eviction_parse_percentage("10", &d) < 0, "10 without % is no percentage");
        tap_ok(eviction_parse_percentage("101%", &d) == -ERANGE, "101% out of range");
        tap_ok(eviction_parse_duration("1m30s", &d) == 0 && d == 90, "1m30s");
        tap_ok(eviction_parse_duration("1.5h", &d) == 0 && d == 5400, "1.5h");
        tap_ok(eviction_parse_duration("250ms", &d) == 0 && d == 0.25, "250ms");
        tap_ok(eviction_parse_duration("0", &d) == 0 && d == 0, "0");
        tap_ok(eviction_parse_duration("10", &d) < 0, "10 has no unit");
        tap_ok(eviction_parse_duration("", &d) < 0, "empty");
        tap_ok(eviction_parse_duration("1d", &d) < 0, "no days in Go durations");
}

static void test_flags(void) {
        struct profile p;
        _cleanup_free_ char *err = NULL;
        load(default_eviction, &p, &err);
        struct eviction_flag f[EVICTION_FLAGS_MAX];
        size_t n = eviction_flags(&p, f);
        tap_ok(n == 3, "default profile: three flags (hard and maxPodGracePeriod unset)");
        if (n == 3) {
                tap_streq(f[0].name, "eviction-soft", "soft flag");
                tap_streq(f[0].value, "memory.available<500Mi,nodefs.available<5%,nodefs.inodesFree<6%",
                          "soft value");
                tap_streq(f[1].name, "eviction-soft-grace-period", "grace flag");
                tap_streq(f[1].value, "memory.available=300s,nodefs.available=300s,nodefs.inodesFree=300s",
                          "grace value");
                tap_streq(f[2].name, "eviction-minimum-reclaim", "reclaim flag");
                tap_streq(f[2].value, "memory.available=0Mi,nodefs.available=500Mi,imagefs.available=2Gi",
                          "reclaim value");
        }
        eviction_flags_free(f, n);
        profile_clear(&p);

        load("eviction:\n  hard: {nodefs.available: 10%, memory.available: 1Gi}\n  soft: {}\n"
             "  softGracePeriod: {}\n  minimumReclaim: {}\n  maxPodGracePeriod: 60\n",
             &p, &err);
        n = eviction_flags(&p, f);
        tap_ok(n == 2, "hard and max pod grace period only");
        if (n == 2) {
                tap_streq(f[0].value, "nodefs.available<10%,memory.available<1Gi",
                          "hard keeps the profile's order");
                tap_streq(f[1].name, "eviction-max-pod-grace-period", "max pod grace period flag");
                tap_streq(f[1].value, "60", "its value");
        }
        eviction_flags_free(f, n);
        profile_clear(&p);

        tap_ok(eviction_flag_values_equal("a<1,b<2", "b<2,a<1"), "order does not matter");
        tap_ok(!eviction_flag_values_equal("a<1,b<2", "a<1"), "a missing entry does");
        tap_ok(!eviction_flag_values_equal("a<1", "a<1,b<2"), "an extra entry does");
        tap_ok(!eviction_flag_values_equal("a<1,b<2", "a<1,b<3"), "a value does");
}

static void expect_warnings(const char *name, const char *text, const char *const *want, size_t n_want) {
        struct profile p;
        _cleanup_free_ char *err = NULL;
        load(text, &p, &err);
        struct strv w = {};
        eviction_warnings(&p, &w);
        bool ok = w.n == n_want;
        for (size_t i = 0; ok && i < n_want; i++)
                ok = streq(w.items[i], want[i]);
        tap_ok(ok, name);
        if (!ok)
                for (size_t i = 0; i < w.n; i++)
                        tap_diag(w.items[i]);
        strv_free(&w);
        profile_clear(&p);
}

static void test_warnings(void) {
        static const char *const default_w[] = {
                "p.yaml:5: eviction.soft nodefs.available<5% can never fire: the hard threshold "
                "nodefs.available<10% "
                "(the kubelet's default) is reached first",
        };
        expect_warnings("default profile: soft nodefs.available<5% under the default hard 10%",
                        default_eviction, default_w, 1);
        static const char *const partial_w[] = {
                "p.yaml:2: eviction.hard sets only memory.available, pid.available: the kubelet then drops "
                "its default "
                "hard thresholds nodefs.available<10%, imagefs.available<15%, nodefs.inodesFree<5% (unless "
                "mergeDefaultEvictionSettings: true, kubelet >= 1.33)",
                "p.yaml:4: eviction.soft memory.available<200Mi can never fire: the hard threshold "
                "memory.available<200Mi (eviction.hard) is reached first",
        };
        expect_warnings("a partial hard set, and a soft equal to its hard",
                        "eviction:\n  hard: {memory.available: 200Mi, pid.available: 5%}\n  soft:\n"
                        "    memory.available: 200Mi\n    nodefs.available: 5%\n"
                        "  softGracePeriod: {memory.available: 1m, nodefs.available: 1m}\n",
                        partial_w, 2);
        expect_warnings("a complete hard set below every soft: nothing to say",
                        "eviction:\n  hard: {memory.available: 100Mi, nodefs.available: 10%, "
                        "imagefs.available: 15%, "
                        "nodefs.inodesFree: 5%}\n  soft: {memory.available: 1Gi, nodefs.available: 15%}\n"
                        "  softGracePeriod: {memory.available: 1m, nodefs.available: 1m}\n",
                        NULL, 0);
        expect_warnings("a percentage and a quantity cannot be compared",
                        "eviction:\n  hard: {}\n  soft: {memory.available: 5%, nodefs.available: 1Gi}\n"
                        "  softGracePeriod: {memory.available: 1m, nodefs.available: 1m}\n",
                        NULL, 0);
        static const char *const quantity_w[] = {
                "p.yaml:3: eviction.soft memory.available<0.05Gi can never fire: the hard threshold "
                "memory.available<100Mi (the kubelet's default) is reached first",
        };
        expect_warnings("quantities compare across units (0.05Gi < 100Mi)",
                        "eviction:\n  hard: {}\n  soft: {memory.available: 0.05Gi}\n"
                        "  softGracePeriod: {memory.available: 1m}\n",
                        quantity_w, 1);
}

/* A map inherited from another file is named with that file. */
static void test_inherited_file(void) {
        struct profile p;
        _cleanup_free_ char *err = NULL, *err2 = NULL, *extends = NULL;
        profile_init_defaults(&p);
        const char *base = "eviction:\n  hard: {memory.available: 10 Mi}\n";
        const char *derived = "extends: base\nswap: allow\n";
        profile_parse_text("base.yaml", base, strlen(base), &p, &extends, &err);
        free(TAKE_PTR(extends));
        profile_parse_text("derived.yaml", derived, strlen(derived), &p, &extends, &err);
        p.path = xstrdup("derived.yaml");
        tap_ok(eviction_validate(&p, &err2) == -EINVAL, "an inherited bad entry is refused");
        tap_ok(err2 && startswith(err2, "base.yaml:2: 'eviction.hard.memory.available'"),
               "and named with the file that set it");
        profile_clear(&p);
}

int main(void) {
        test_validation_errors();
        test_valid();
        test_parsers();
        test_flags();
        test_warnings();
        test_inherited_file();
        return tap_done();
}
