/* SPDX-License-Identifier: MIT */
/* The verbs. Each returns the process exit code (README: Exit codes). */
#pragma once

#include "engine/fixer.h"
#include "engine/run-options.h"

int run_check_or_apply(const struct options *opts);
int run_rollback(const struct options *opts);
int run_list(const struct options *opts);

/* The engine's steps, shared with `diagnose`'s cross-check. */

/* Plan one fixer; its status is derived from the plan (drift = non-empty). */
void fixer_plan(struct context *ctx, const struct fixer *f, struct fixer_result *r);

/* Report an error that stops a verb before any fixer ran (a JSON object too
 * with --output json); returns exit_code. */
int fail_early(const struct options *opts, int exit_code, const char *fmt, ...) _printf_(3, 4);
