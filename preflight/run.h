/* SPDX-License-Identifier: MIT */
/* The verbs. Each returns the process exit code (design.md §2). */
#pragma once

#include "options.h"

int run_check_or_apply(const struct options *opts);
int run_rollback(const struct options *opts);
int run_list(void);
