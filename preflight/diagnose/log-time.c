/* SPDX-License-Identifier: MIT */
/* Times in and around logs (see log-time.h). */
#include "diagnose/log-time.h"

#include <ctype.h>
#include <time.h>

#include "basic/time-util.h"
#include "basic/util.h"

static int unit_seconds(const char *u, uint64_t *ret) {
        static const struct {
                const char *name;
                uint64_t seconds;
        } units[] = {
                { "s", 1 },          { "sec", 1 },      { "second", 1 },   { "seconds", 1 },
                { "m", 60 },         { "min", 60 },     { "minute", 60 },  { "minutes", 60 },
                { "h", 3600 },       { "hour", 3600 },  { "hours", 3600 }, { "d", 86400 },
                { "day", 86400 },    { "days", 86400 }, { "w", 604800 },   { "week", 604800 },
                { "weeks", 604800 },
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(u, units[i].name)) {
                        *ret = units[i].seconds;
                        return 0;
                }
        return -EINVAL;
}

/* "3h", "3 h", "2 days": a count and a unit, nothing else. */
static int parse_span(const char *s, uint64_t *ret_usec) {
        char *end;
        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        unsigned long long n = strtoull(s, &end, 10);
        if (errno || n > 100000000ULL)
                return -EINVAL;
        while (*end == ' ')
                end++;
        uint64_t unit;
        if (unit_seconds(end, &unit) < 0)
                return -EINVAL;
        *ret_usec = n * unit * USEC_PER_SEC;
        return 0;
}

static uint64_t local_midnight(uint64_t now_usec, int days_back) {
        time_t t = (time_t) (now_usec / USEC_PER_SEC);
        struct tm tm;
        localtime_r(&t, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_mday -= days_back;
        tm.tm_isdst = -1;
        return (uint64_t) mktime(&tm) * USEC_PER_SEC;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS]][Z| UTC]", local time unless marked UTC. */
static int parse_absolute(const char *s, uint64_t *ret_usec) {
        struct tm tm = { .tm_isdst = -1 };
        int n = 0, y, mo, d, h = 0, mi = 0, sec = 0;
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
                return -EINVAL;
        const char *p = s + n;
        if (*p == ' ' || *p == 'T') {
                int m = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
                        return -EINVAL;
                p += 1 + m;
                if (*p == ':') {
                        if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2)
                                return -EINVAL;
                        p += 1 + m;
                }
        }
        bool utc = false;
        if (streq(p, "Z") || streq(p, " UTC"))
                utc = true;
        else if (*p)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        time_t t = utc ? timegm(&tm) : mktime(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret_usec = (uint64_t) t * USEC_PER_SEC;
        return 0;
}

int parse_since(const char *s, uint64_t now_usec, uint64_t *ret_usec) {
        uint64_t v, span;
        size_t len = strlen(s);
        if (streq(s, "now"))
                v = now_usec;
        else if (streq(s, "today"))
                v = local_midnight(now_usec, 0);
        else if (streq(s, "yesterday"))
                v = local_midnight(now_usec, 1);
        else if (s[0] == '@') {
                char *end;
                errno = 0;
                unsigned long long secs = strtoull(s + 1, &end, 10);
                if (!isdigit((unsigned char) s[1]) || *end || errno || secs > UINT64_MAX / USEC_PER_SEC)
                        return -EINVAL;
                v = secs * USEC_PER_SEC;
        } else if (s[0] == '-') {
                if (parse_span(s + 1, &span) < 0 || span > now_usec)
                        return -EINVAL;
                v = now_usec - span;
        } else if (len > 4 && streq(s + len - 4, " ago")) {
                _cleanup_free_ char *head = xstrndup(s, len - 4);
                if (parse_span(head, &span) < 0 || span > now_usec)
                        return -EINVAL;
                v = now_usec - span;
        } else if (parse_absolute(s, &v) < 0)
                return -EINVAL;
        *ret_usec = v;
        return 0;
}

/* Whether s starts with a shape: 'd' a digit, 'a' a letter, '_' a space or a
 * digit (a padded day of the month), any other character itself. */
static bool shape(const char *s, const char *pattern) {
        for (; *pattern; pattern++, s++) {
                unsigned char c = (unsigned char) *s;
                if (*pattern == 'd'   ? !isdigit(c)
                    : *pattern == 'a' ? !isalpha(c)
                    : *pattern == '_' ? !(c == ' ' || isdigit(c))
                                      : c != (unsigned char) *pattern)
                        return false;
        }
        return true;
}

static size_t skip_fraction(const char *s, size_t n) {
        if (s[n] == '.' && isdigit((unsigned char) s[n + 1]))
                for (n++; isdigit((unsigned char) s[n]); n++)
                        ;
        return n;
}

size_t log_line_stamp_len(const char *line) {
        /* journalctl -o short: "Jun 28 11:20:54" (-o short-precise adds ".123456"). */
        if (shape(line, "aaa _d dd:dd:dd"))
                return skip_fraction(line, 15);
        /* -o short-iso and RFC 3339 logs: "2024-06-28T11:20:54+0000", "...54.123Z". */
        if (shape(line, "dddd-dd-ddTdd:dd:dd") || shape(line, "dddd-dd-dd dd:dd:dd")) {
                size_t n = skip_fraction(line, 19);
                if (line[n] == 'Z')
                        return n + 1;
                if ((line[n] == '+' || line[n] == '-') && shape(line + n + 1, "dd:dd"))
                        return n + 6;
                if ((line[n] == '+' || line[n] == '-') && shape(line + n + 1, "dddd"))
                        return n + 5;
                return n;
        }
        /* A bare klog header: "E0628 11:20:54.123456". */
        if (line[0] && strchr("IWEF", line[0]) && shape(line + 1, "dddd dd:dd:dd"))
                return skip_fraction(line, 14);
        return 0;
}
