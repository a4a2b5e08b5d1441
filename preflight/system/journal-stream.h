/* SPDX-License-Identifier: MIT */
/* Under systemd, stdout and stderr may be connected to the journal
 * ($JOURNAL_STREAM); a "<N>" prefix then gives each line its syslog
 * priority, so `journalctl -p warning` finds kubeprep's drift and errors. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/* Whether fd is the journal stream named by $JOURNAL_STREAM (device:inode). */
bool fd_is_journal_stream(int fd);
/* "<3>" etc. when fd is a journal stream, else "". */
const char *priority_prefix(int fd, int priority);
