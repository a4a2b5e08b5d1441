/* SPDX-License-Identifier: MIT */
/* One declaration per fixer file. */
#pragma once

#include "fixer.h"

extern const struct fixer fixer_swap;
extern const struct fixer fixer_cgroup_driver;
