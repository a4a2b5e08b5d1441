/* SPDX-License-Identifier: MIT */
/* The command line: `kubeprep VERB [OPTIONS]`, parsed into struct options
 * (engine/run-options.h), and the verbs it runs. */
#pragma once

#include "engine/run-options.h"

/* The options only some verbs take (struct verb's takes). */
enum {
        TAKES_DRY_RUN = 1 << 0,    /* --dry-run */
        TAKES_FIX = 1 << 1,        /* --fix */
        TAKES_LOG_SOURCE = 1 << 2, /* --journal-dir, --log, --since */
};

/* What a verb takes after its name. */
enum operands {
        OPERANDS_NONE,
        OPERAND_RUN_ID,        /* at most one (struct options' run_id) */
        OPERANDS_FILES,        /* one or more (files) */
        OPERANDS_AFTER_DASHES, /* everything after the first "--", at least one (kubeadm_args) */
};

/* A verb. Adding one is a row in options.c's table and the file that runs it. */
struct verb {
        const char *name;                       /* as typed; reports and JSON name the run by it */
        enum command command;                   /* what the engine tells apart */
        int (*run)(const struct options *opts); /* returns the exit code */
        const char *usage;                      /* --help's line: what follows "kubeprep "; NULL: none */
        const char *summary;                    /* beside it; "\n" between lines */
        unsigned takes;                         /* TAKES_* */
        enum operands operands;
        const char *missing; /* the usage error when its operands are missing */
};

/* Parse argv; returns 0 with *ret and the verb to run, or -EINVAL after printing a usage error. */
int options_parse(int argc, char **argv, struct options *ret, const struct verb **ret_verb);
void options_free(struct options *o);
void options_print_help(void);
