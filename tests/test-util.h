/* SPDX-License-Identifier: MIT */
/* What the unit tests and test tools share besides TAP: whole files in and out, and a command's
 * output. Header-only, so a test still builds from its one .c file. */
#pragma once

#include <errno.h>
#include <stdio.h>

#include "basic/util.h"
#include "engine/datadir.h"

/* The whole file, NUL-terminated, or NULL when it cannot be read (*ret_len untouched then). */
static inline char *read_file_or_null(const char *path, size_t *ret_len) {
        char *text = NULL;
        return read_host_file(path, &text, ret_len) < 0 ? NULL : text;
}

/* Replace path's content with data: 0, -errno when it cannot be opened, -EIO when not all was written. */
static inline int write_file(const char *path, const char *data, size_t len) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        return fwrite(data, 1, len, f) == len && fflush(f) == 0 ? 0 : -EIO;
}

/* Run a shell command and capture its standard output; NULL if it could not be started. */
static inline char *run_capture(const char *command) {
        FILE *p = popen(command, "re");
        if (!p)
                return NULL;
        struct buf b = {};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
                buf_append(&b, chunk, n);
        pclose(p);
        return buf_steal(&b);
}
