/* SPDX-License-Identifier: MIT */
/* Tests for preflight/system/journal-stream.c: a "<N>" syslog priority prefix exactly when the
 * fd is the journal stream $JOURNAL_STREAM names (device:inode), as systemd.exec(5) says. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/util.h"
#include "system/journal-stream.h"
#include "tap.h"

static void set_stream(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                abort();
        _cleanup_free_ char *v = xasprintf("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
        setenv("JOURNAL_STREAM", v, 1);
}

int main(void) {
        char stream_path[] = "/tmp/kubeprep-journal-stream-XXXXXX",
             other_path[] = "/tmp/kubeprep-other-XXXXXX";
        _cleanup_close_ int stream = mkstemp(stream_path), other = mkstemp(other_path);
        if (stream < 0 || other < 0)
                return 1;
        unlink(stream_path);
        unlink(other_path);

        unsetenv("JOURNAL_STREAM");
        tap_streq(priority_prefix(stream, LOG_ERR), "", "no $JOURNAL_STREAM: no prefix");
        set_stream(stream);
        tap_ok(fd_is_journal_stream(stream) && !fd_is_journal_stream(other),
               "the stream is known by device:inode");
        static const char *const want[] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };
        bool all = true;
        for (int p = LOG_EMERG; p <= LOG_DEBUG; p++)
                all = all && streq(priority_prefix(stream, p), want[p]);
        tap_ok(all, "LOG_EMERG..LOG_DEBUG: <0>..<7>");
        tap_streq(priority_prefix(stream, LOG_WARNING), "<4>", "LOG_WARNING: <4>");
        tap_streq(priority_prefix(stream, -1), "", "a priority below 0: no prefix");
        tap_streq(priority_prefix(stream, LOG_DEBUG + 1), "", "a priority above 7: no prefix");
        tap_streq(priority_prefix(other, LOG_ERR), "", "another file: no prefix");
        setenv("JOURNAL_STREAM", "not-a-stream", 1);
        tap_streq(priority_prefix(stream, LOG_ERR), "", "a malformed $JOURNAL_STREAM: no prefix");
        return tap_done();
}
