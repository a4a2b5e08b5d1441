/* SPDX-License-Identifier: MIT */
/* Tests for preflight/basic/time-util.c: the clocks in microseconds, and the one timestamp
 * format of diagnose's report and summary line (local time in text, UTC in JSON). */
#include <stdlib.h>
#include <time.h>

#include "basic/time-util.h"
#include "basic/util.h"
#include "tap.h"

/* 2024-06-03 08:00:20 UTC, the time of the journal fixtures' kubelet failures. */
#define STAMP_USEC (UINT64_C(1717401620) * USEC_PER_SEC + 849921)

static void test_clocks(void) {
        uint64_t a = now_usec(CLOCK_MONOTONIC);
        struct timespec pause = { .tv_nsec = 2 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        uint64_t b = now_usec(CLOCK_MONOTONIC);
        tap_ok(a > 0 && b >= a + 2000, "CLOCK_MONOTONIC in microseconds: 2 ms later is 2000 more");
        uint64_t wall = (uint64_t) time(NULL) * USEC_PER_SEC, real = now_usec(CLOCK_REALTIME);
        tap_ok(real + USEC_PER_SEC >= wall && real <= wall + 2 * USEC_PER_SEC,
               "CLOCK_REALTIME in microseconds since the epoch, as time() says");
        tap_ok(USEC_PER_SEC == 1000000 && USEC_PER_MSEC == 1000, "the units");
}

static void test_format(void) {
        _cleanup_free_ char *utc = format_timestamp(STAMP_USEC, true);
        tap_streq(utc, "2024-06-03T08:00:20Z", "UTC: RFC 3339, whole seconds");
        _cleanup_free_ char *epoch = format_timestamp(0, true);
        tap_streq(epoch, "1970-01-01T00:00:00Z", "UTC: the epoch");

        setenv("TZ", "UTC0", 1);
        tzset();
        _cleanup_free_ char *local_utc = format_timestamp(STAMP_USEC, false);
        tap_streq(local_utc, "2024-06-03 08:00:20", "local time, TZ=UTC0");
        setenv("TZ", "CST-8", 1); /* POSIX form: no tzdata needed */
        tzset();
        _cleanup_free_ char *local_cst = format_timestamp(STAMP_USEC, false);
        tap_streq(local_cst, "2024-06-03 16:00:20", "local time, TZ=CST-8");
}

int main(void) {
        test_clocks();
        test_format();
        return tap_done();
}
