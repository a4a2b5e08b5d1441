/* SPDX-License-Identifier: MIT */
/* Restarts after a commit (see restart.h). Each unit is restarted once per
 * run, however many fixers changed its configuration. */
#include "engine/restart.h"

#include "basic/time-util.h"

#include <time.h>

#include "system/libsystemd.h"
#include "system/unit-journal.h"
#include "system/units.h"

/* The units asked for by results in the given state, in restart order. */
static size_t collect_units(struct fixer_result *results, size_t n, enum fixer_status want,
                            const char ***ret) {
        const char **units = NULL;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                if (results[i].status != want)
                        continue;
                for (size_t j = 0; j < results[i].restarts.n; j++) {
                        units = xrealloc(units, (m + 1) * sizeof(*units));
                        units[m++] = results[i].restarts.items[j];
                }
        }
        if (m)
                units_sort_restart_order(units, &m);
        *ret = units;
        return m;
}

static void outcome_push(struct restart_outcome **o, size_t *n, const char *unit, const char *status,
                         char *message) {
        *o = xrealloc(*o, (*n + 1) * sizeof(**o));
        (*o)[(*n)++] = (struct restart_outcome){
                .unit = xstrdup(unit),
                .status = xstrdup(status),
                .message = message,
        };
}

void restart_plan_units(struct context *ctx, struct fixer_result *results, size_t n,
                        struct restart_outcome **ret, size_t *ret_n) {
        _cleanup_free_ const char **units = NULL;
        size_t m = collect_units(results, n, STATUS_DRIFT, &units);
        *ret = NULL;
        *ret_n = 0;
        for (size_t i = 0; i < m; i++)
                outcome_push(ret, ret_n, units[i], "planned",
                             ctx->root->live && !ctx->opts->no_restart ? xstrdup("if it is running")
                                                                       : xstrdup("left for the operator"));
}

/* Add what the unit last said (since this run began) to its failed result:
 * the operator sees why, e.g. "dockerd: unknown directive in daemon.json". */
static void quote_last_message(struct unit_restart *u, uint64_t since_usec) {
        _cleanup_free_ char *msg = NULL;
        if (unit_last_message(u->unit, since_usec, &msg) <= 0)
                return;
        char *joined = xasprintf("%s; its last message: \"%s\"", strempty(u->result), msg);
        free(u->result);
        u->result = joined;
}

static void fail_requesters(struct fixer_result *results, size_t n, const struct unit_restart *u) {
        for (size_t i = 0; i < n; i++)
                if (results[i].status == STATUS_CHANGED && strv_contains(&results[i].restarts, u->unit))
                        result_fail(&results[i], -EIO,
                                    "the configuration was written, but restarting %s failed: %s", u->unit,
                                    strempty(u->result));
}

void restart_changed_units(struct context *ctx, struct fixer_result *results, size_t n,
                           struct restart_outcome **ret, size_t *ret_n) {
        _cleanup_free_ const char **units = NULL;
        size_t m = collect_units(results, n, STATUS_CHANGED, &units);
        *ret = NULL;
        *ret_n = 0;
        if (m == 0)
                return;

        const char *why = !ctx->root->live        ? "--root: not a running system"
                          : ctx->opts->no_restart ? "--no-restart"
                                                  : NULL;
        _cleanup_free_ char *err = NULL;
        sd_bus *bus = NULL;
        if (!why && units_bus_open(&bus, &err) < 0)
                why = err;
        if (why) {
                for (size_t i = 0; i < m; i++)
                        outcome_push(ret, ret_n, units[i], "left",
                                     xasprintf("%s; restart it with 'systemctl restart %s'", why, units[i]));
                return;
        }

        uint64_t start = now_usec(CLOCK_REALTIME);
        struct unit_restart *u = xmalloc(m * sizeof(*u));
        for (size_t i = 0; i < m; i++)
                u[i] = (struct unit_restart){ .unit = units[i] };
        _cleanup_free_ char *rerr = NULL;
        (void) units_reload_and_restart(bus, u, m, 0, &rerr);
        for (size_t i = 0; i < m; i++) {
                const char *status;
                switch (u[i].state) {
                case UNIT_RESTART_DONE:
                        status = "done";
                        break;
                case UNIT_RESTART_NOT_ACTIVE:
                case UNIT_RESTART_NOT_LOADED:
                        status = "not running";
                        break;
                case UNIT_RESTART_PENDING:
                case UNIT_RESTART_FAILED:
                case UNIT_RESTART_ERROR:
                default:
                        status = "failed";
                        quote_last_message(&u[i], start);
                        fail_requesters(results, n, &u[i]);
                        break;
                }
                outcome_push(ret, ret_n, u[i].unit, status, u[i].result ? xstrdup(u[i].result) : NULL);
                unit_restart_done(&u[i]);
        }
        free(u);
        sym_sd_bus_flush_close_unref(bus);
}

void restart_outcomes_free(struct restart_outcome *o, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(o[i].unit);
                free(o[i].status);
                free(o[i].message);
        }
        free(o);
}
