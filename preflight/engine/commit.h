/* SPDX-License-Identifier: MIT */
/* Carrying out plans: backed-up atomic writes, then live actions. */
#pragma once

#include "engine/backup.h"
#include "engine/fixer.h"

/* Should apply commit this result: a drift, or a partial plan (see
 * fixer_result.partial) beside a refusal. */
bool commit_wanted(const struct fixer_result *r);

/* Commit the plans of the results that commit_wanted(), in order. A result
 * whose plan is carried out becomes `changed`; a failure marks it `error`
 * (exit 1). Every file is written once, so a crash at any point leaves each
 * file either old or new, also one that several fixers edit. */
void commit_results(struct context *ctx, struct fixer_result *results, size_t n, struct backup *b);
