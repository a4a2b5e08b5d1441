/* SPDX-License-Identifier: MIT */
/* Active swap areas (live only): /proc/swaps and swapoff(2). */
#pragma once

#include "basic/util.h"

/* Parse /proc/swaps text into the list of active areas (octal escapes such
 * as \040 decoded). */
int swaps_parse(const char *text, struct strv *ret_areas, char **ret_error);
int swaps_read_active(struct strv *ret_areas, char **ret_error);
