/* SPDX-License-Identifier: MIT */
/* Priority prefixes for lines that go to the journal (see journal-stream.h). */
#include "system/journal-stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

bool fd_is_journal_stream(int fd) {
        const char *e = getenv("JOURNAL_STREAM");
        uintmax_t dev, ino;
        struct stat st;
        if (!e || sscanf(e, "%ju:%ju", &dev, &ino) != 2 || fstat(fd, &st) < 0)
                return false;
        return (uintmax_t) st.st_dev == dev && (uintmax_t) st.st_ino == ino;
}

const char *priority_prefix(int fd, int priority) {
        static const char *const prefixes[] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };
        if (priority < 0 || priority > 7 || !fd_is_journal_stream(fd))
                return "";
        return prefixes[priority];
}
