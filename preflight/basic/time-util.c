/* SPDX-License-Identifier: MIT */
/* The clock and the timestamp format (see time-util.h). */
#include "basic/time-util.h"

#include "basic/util.h"

uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

char *format_timestamp(uint64_t usec, bool utc) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;
        char s[64];
        if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
            strftime(s, sizeof(s), utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return xasprintf("@%llu", (unsigned long long) (usec / USEC_PER_SEC));
        return xstrdup(s);
}
