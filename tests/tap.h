/* SPDX-License-Identifier: MIT */
/* A minimal TAP producer for the C unit tests: each check prints one
 * "ok N - name" or "not ok N - name" line; tap_done() prints the plan and
 * returns the exit status. The runner (scripts/test) counts these lines. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

/* A test name may hold the input it names: a newline in it would end the TAP line. */
static inline void tap_print_name(const char *name) {
        for (const char *p = name; *p; p++)
                if (*p == '\n')
                        fputs("\\n", stdout);
                else
                        putchar(*p);
}

static inline bool tap_ok(bool cond, const char *name) {
        tap_count++;
        if (!cond)
                tap_failed++;
        printf("%sok %d - ", cond ? "" : "not ", tap_count);
        tap_print_name(name);
        putchar('\n');
        fflush(stdout);
        return cond;
}

static inline void tap_skip(const char *name, const char *why) {
        tap_count++;
        printf("ok %d - %s # SKIP %s\n", tap_count, name, why);
}

static inline void tap_diag(const char *msg) {
        printf("# %s\n", msg);
}

/* A multi-line text as diagnostics: every line starts with "# ", so TAP readers take none for a result. */
static inline void tap_diag_text(const char *label, const char *text) {
        printf("# --- %s:\n# ", label);
        for (const char *p = text; *p; p++)
                if (*p == '\n')
                        fputs("\n# ", stdout);
                else
                        putchar(*p);
        putchar('\n');
}

/* Compare two byte strings; on mismatch show both as diagnostics. */
static inline bool tap_streq(const char *got, const char *want, const char *name) {
        bool eq = got && want && strcmp(got, want) == 0;
        if (!eq) {
                tap_diag_text("want", want ? want : "(null)");
                tap_diag_text("got", got ? got : "(null)");
                fputs("# ---\n", stdout);
        }
        return tap_ok(eq, name);
}

static inline int tap_done(void) {
        printf("1..%d\n", tap_count);
        return tap_failed ? 1 : 0;
}
