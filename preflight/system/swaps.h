/* SPDX-License-Identifier: MIT */
/* Active swap areas (live only): /proc/swaps and swapoff(2). */
#pragma once

#include "basic/util.h"

/* The areas a /proc/swaps-format file lists, read with libmount (its header skipped, octal
 * escapes such as \040 decoded). No file is no swap (a kernel without swap support). A line that
 * is no swap area is refused: -EBADMSG, "PATH: cannot parse line N". */
int swaps_read(const char *path, struct strv *ret_areas, char **ret_error);
/* The same for /proc/swaps. */
int swaps_read_active(struct strv *ret_areas, char **ret_error);
