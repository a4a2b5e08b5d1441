/* SPDX-License-Identifier: MIT */
/* Priority prefixes for lines that go to the journal (see journal-stream.h). */
#include "system/journal-stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "basic/util.h"

bool fd_is_journal_stream(int fd) {
        const char *e = getenv("JOURNAL_STREAM");
        uintmax_t dev, ino;
        struct stat st;
        if (!e || sscanf(e, "%ju:%ju", &dev, &ino) != 2 || fstat(fd, &st) < 0)
                return false;
        return (uintmax_t) st.st_dev == dev && (uintmax_t) st.st_ino == ino;
}

const char *priority_prefix(int fd, int priority) {
        static const char *const prefixes[] = {
                [LOG_EMERG] = SD_EMERG, [LOG_ALERT] = SD_ALERT,     [LOG_CRIT] = SD_CRIT,
                [LOG_ERR] = SD_ERR,     [LOG_WARNING] = SD_WARNING, [LOG_NOTICE] = SD_NOTICE,
                [LOG_INFO] = SD_INFO,   [LOG_DEBUG] = SD_DEBUG,
        };
        if (priority < 0 || (size_t) priority >= ELEMENTSOF(prefixes) || !fd_is_journal_stream(fd))
                return "";
        return prefixes[priority];
}
