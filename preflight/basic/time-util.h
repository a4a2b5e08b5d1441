/* SPDX-License-Identifier: MIT */
/* Clocks and timestamps, in microseconds as sd-journal and sd-bus count them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)

/* clock_gettime(clock) in microseconds: CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME for the
 * journal's timestamps. */
uint64_t now_usec(clockid_t clock);

/* A CLOCK_REALTIME time for people: "2024-06-03 08:00:20" in local time, or with utc
 * "2024-06-03T08:00:20Z"; "@SECONDS" when the time cannot be shown. */
char *format_timestamp(uint64_t usec, bool utc);
