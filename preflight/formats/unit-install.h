/* SPDX-License-Identifier: MIT */
/* The [Install] section of a systemd unit file: what `systemctl enable` links, and where. */
#pragma once

#include <stddef.h>

#include "basic/util.h"

struct unit_install {
        struct strv wanted_by;   /* TARGET.wants/UNIT */
        struct strv required_by; /* TARGET.requires/UNIT */
        struct strv upheld_by;   /* TARGET.upholds/UNIT */
        struct strv alias;       /* ALIAS -> the unit file */
};

/* Read [Install] as systemd does: comments (# ;) and blank lines skipped, a backslash at the end
 * of a line continuing it, keys compared exactly, lists split at blanks, an empty assignment
 * resetting the list. 0, or -EBADMSG with "line N: reason" (a NUL byte, an unclosed section
 * header). */
int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error);
void unit_install_done(struct unit_install *u);
