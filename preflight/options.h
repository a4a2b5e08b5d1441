/* SPDX-License-Identifier: MIT */
/* The command line: `kubeprep VERB [OPTIONS]`, parsed into struct options
 * (engine/run-options.h). */
#pragma once

#include "engine/run-options.h"

/* Parse argv; returns 0 on success, -EINVAL after printing a usage error. */
int options_parse(int argc, char **argv, struct options *ret);
void options_free(struct options *o);
void options_print_help(void);
