/* SPDX-License-Identifier: MIT */
/* The kubelet's log, entry by entry: from the journal (live, a --root tree's
 * /var/log/journal, or a directory) with sd-journal, or from plain text such
 * as pasted `journalctl -u kubelet` output. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "basic/rootfs.h"

/* The longest line of a text log that is kept (journald's LineMax is 48K): a longer one is matched
 * on its first LOG_LINE_MAX bytes, so that a log of one endless line cannot exhaust memory. */
#define LOG_LINE_MAX ((size_t) 1 << 20)

enum log_source_kind {
        LOG_SOURCE_LIVE, /* the running system's journal */
        LOG_SOURCE_ROOT, /* ROOT/var/log/journal, opened through the rooted layer */
        LOG_SOURCE_DIR,  /* a journal directory on the host */
        LOG_SOURCE_TEXT, /* plain text, a file or "-" for stdin */
};

struct log_source {
        enum log_source_kind kind;
        const struct root *root; /* LOG_SOURCE_ROOT */
        const char *path;        /* LOG_SOURCE_DIR, LOG_SOURCE_TEXT */
        bool has_since;          /* journal: entries since since_usec, any boot */
        uint64_t since_usec;
};

struct log_entry {
        const char *message;
        uint64_t realtime_usec; /* journal entries; 0 for text */
        unsigned line;          /* text: 1-based line number; 0 for the journal */
        const char *stamp;      /* text: the line's own timestamp as written, or NULL */
};

/* Called for each entry; a negative return stops the reading with that error. */
typedef int (*log_entry_fn)(const struct log_entry *e, void *userdata);

/* What was read, for the report: "the kubelet's journal in DIR, boot 1a2b…". */
struct log_summary {
        char *description;
        unsigned n_entries;
};

/* Read the kubelet's entries (the kubelet.service unit; by default of the
 * current boot, or of the newest boot recorded in a tree or directory; any
 * boot since since_usec with has_since). Errors (an unreadable journal, a
 * directory without journal files, a link out of the tree) return <0 with
 * *ret_error set. */
int kubelet_log_read(const struct log_source *src, log_entry_fn fn, void *userdata, struct log_summary *ret,
                     char **ret_error);
void log_summary_free(struct log_summary *s);
