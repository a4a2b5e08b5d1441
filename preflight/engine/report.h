/* SPDX-License-Identifier: MIT */
/* Printing a run's results as text or JSON. */
#pragma once

#include <cjson/cJSON.h>

#include "engine/fixer.h"

/* What became of a unit restart the run asked for. */
struct restart_outcome {
        char *unit;
        char *status; /* "done", "failed", "left" (for the operator) */
        char *message;
};

struct report {
        const struct options *opts;
        const struct context *ctx;
        const struct fixer_result *results;
        size_t n_results;
        const struct restart_outcome *restarts;
        size_t n_restarts;
        const char *run_id; /* this run's backup; NULL when nothing changed */
        int exit_code;
};

void report_summary_count(const struct fixer_result *results, size_t n, unsigned counts[_STATUS_MAX]);
void report_print(const struct report *rep);
void report_print_prometheus(const struct report *rep);
/* Metrics for a run that failed before any fixer ran (bad usage, profile). */
void report_print_prometheus_error(const struct options *opts, int exit_code);

/* Every JSON report is one object: {"kubeprep": VERSION, "command": VERB, ..., "exitCode": N}.
 * report_json_new() opens it with the first two; report_json_print() adds the exit code last,
 * prints it on stdout and frees it. */
cJSON *report_json_new(const struct options *opts);
void report_json_print(cJSON *o, int exit_code);
