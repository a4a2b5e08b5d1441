/* SPDX-License-Identifier: MIT */
/* Making changed configuration take effect: the units whose files a run
 * changed are restarted once, live, or listed for the operator. */
#pragma once

#include "engine/fixer.h"
#include "engine/report.h"

/* apply: restart the units of every `changed` result (live, unless
 * --no-restart); a failed restart marks the fixers that asked for it. */
void restart_changed_units(struct context *ctx, struct fixer_result *results, size_t n,
                           struct restart_outcome **ret, size_t *ret_n);
/* apply --dry-run: the restarts the plans would need, as "planned". */
void restart_plan_units(struct context *ctx, struct fixer_result *results, size_t n,
                        struct restart_outcome **ret, size_t *ret_n);
void restart_outcomes_free(struct restart_outcome *o, size_t n);
