/* SPDX-License-Identifier: MIT */
/* The `kubeprep lint [--fix] FILE...` verb. */
#pragma once

#include "engine/run-options.h"

/* Lint (and with --fix, rewrite) each file of opts; "-" is stdin. Returns the
 * exit code: 0 clean, 1 findings left, 2 a file unreadable, unparsable or
 * refused. */
int run_lint(const struct options *opts);
