/* SPDX-License-Identifier: MIT */
/* `kubeprep diagnose`: find known problems in the kubelet's log, say which
 * fixer repairs each, and whether that fixer's check sees it too. */
#pragma once

#include <stdint.h>

#include "diagnose/kubelet-log.h"
#include "diagnose/signatures.h"
#include "engine/fixer.h"
#include "engine/run-options.h"

/* One known problem found in the log: every entry matching its signature. */
struct problem {
        const struct signature *sig;
        unsigned count;
        uint64_t last_usec; /* journal: when last seen */
        unsigned last_line; /* text: the line it was last seen on */
        char *last_stamp;   /* text: that line's own timestamp, or NULL */
        char *last_message; /* the last matching message, as logged */
        char *command;      /* the exact command that fixes it */
        bool checked;       /* the fixer's check ran (cross_check and the fixer exists) */
        enum fixer_status check_status;
        char *check_message;
};

struct diagnosis {
        const struct options *opts;
        struct log_summary log;
        char *kubelet_version;    /* as the kubelet logged it at its last start, or NULL */
        struct problem *problems; /* in the order first seen */
        size_t n_problems;
};

/* Returns the exit code: 0 nothing known found, 1 found, 2 error. */
int run_diagnose(const struct options *opts);

/* The report (diagnose-report.c): text or JSON on stdout. */
void diagnosis_print(const struct diagnosis *d, int exit_code);
