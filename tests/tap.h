/* SPDX-License-Identifier: MIT */
/* A minimal TAP producer for the C unit tests: each check prints one
 * "ok N - name" or "not ok N - name" line; tap_done() prints the plan and
 * returns the exit status. The runner (scripts/test) counts these lines. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline bool tap_ok(bool cond, const char *name) {
        tap_count++;
        if (!cond)
                tap_failed++;
        printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
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

/* Compare two byte strings; on mismatch show both as diagnostics. */
static inline bool tap_streq(const char *got, const char *want, const char *name) {
        bool eq = got && want && strcmp(got, want) == 0;
        if (!eq) {
                printf("# --- want:\n%s\n# --- got:\n%s\n# ---\n", want ? want : "(null)", got ? got : "(null)");
        }
        return tap_ok(eq, name);
}

static inline int tap_done(void) {
        printf("1..%d\n", tap_count);
        return tap_failed ? 1 : 0;
}
