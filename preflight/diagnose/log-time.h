/* SPDX-License-Identifier: MIT */
/* Times in and around logs: `diagnose --since TIME` the way journalctl takes it, and the
 * timestamp a text log line starts with. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* --since TIME: "2024-06-03", "2024-06-03 08:00[:SS]" (local time, 'T' also
 * accepted), "@EPOCH", "-3h", "2 days ago", "today", "yesterday". Relative
 * to now_usec. -EINVAL when not understood. */
int parse_since(const char *s, uint64_t now_usec, uint64_t *ret_usec);

/* The length of a timestamp that starts a text log line ("Jun 28 11:20:54",
 * "2024-06-28T11:20:54+0000", a klog header "E0628 11:20:54.123456"), else 0. */
size_t log_line_stamp_len(const char *line);
