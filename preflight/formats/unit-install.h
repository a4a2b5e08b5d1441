/* SPDX-License-Identifier: MIT */
/* The [Install] section of a systemd unit file, as `systemctl enable` reads it: what links it
 * makes (WantedBy=, RequiredBy=, UpheldBy=, Alias=) and which other units it enables along (Also=). */
#pragma once

#include <stddef.h>

#include "basic/util.h"

struct unit_install {
        struct strv wanted_by;   /* TARGET: a link TARGET.wants/UNIT */
        struct strv required_by; /* TARGET: a link TARGET.requires/UNIT */
        struct strv upheld_by;   /* TARGET: a link TARGET.upholds/UNIT */
        struct strv alias;       /* NAME: a link NAME to the unit file */
        struct strv also;        /* other units enabled with this one */
};

/* Read [Install] as systemd does: comments (# ;) and blank lines skipped, also inside a line a
 * trailing backslash continues, keys compared exactly, a line without '=' ignored, lists split
 * at blanks, a key given again adding to its list and an empty assignment resetting it. 0, or
 * -EBADMSG with "line N: reason": a NUL byte, an unclosed section header, or a value with quotes,
 * escapes or a specifier (%i ...), which kubeprep does not expand. */
int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error);
void unit_install_free(struct unit_install *u);
/* No [Install] keys: a static unit, nothing to enable. */
bool unit_install_empty(const struct unit_install *u);
