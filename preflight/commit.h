/* SPDX-License-Identifier: MIT */
/* Carrying out plans: backed-up atomic writes, then live actions. */
#pragma once

#include "backup.h"
#include "fixer.h"

/* Should apply commit this result: a drift, or a partial plan (see
 * fixer_result.partial) beside a refusal. */
bool commit_wanted(const struct fixer_result *r);

/* Commit one fixer's plan. On success the result becomes `changed`; a
 * failure marks it `error` (exit 1) and leaves every file old or new. */
int commit_result(struct context *ctx, struct fixer_result *r, struct backup *b);
