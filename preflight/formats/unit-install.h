/* SPDX-License-Identifier: MIT */
/* The [Install] section of a systemd unit file, as `systemctl enable` reads it: what links it
 * makes (WantedBy=, RequiredBy=, Alias=) and which other units it enables along (Also=). */
#pragma once

#include <stddef.h>

#include "basic/util.h"

struct unit_install {
        struct strv wanted_by;   /* TARGET: a link in TARGET.wants/ */
        struct strv required_by; /* TARGET: a link in TARGET.requires/ */
        struct strv alias;       /* NAME: a link NAME next to the unit's configuration */
        struct strv also;        /* other units enabled with this one */
};

/* Each key takes a list of words separated by blanks; a key given again adds to its list, an
 * empty value empties it; a line ending in a backslash continues on the next. Comments (# ;)
 * and other sections are skipped. Refused (-EBADMSG, "line N: reason"): a value with quotes or a
 * specifier (%i ...), which kubeprep does not expand. */
int unit_install_parse(const char *text, size_t len, struct unit_install *ret, char **ret_error);
void unit_install_free(struct unit_install *u);
/* No [Install] keys: a static unit, nothing to enable. */
bool unit_install_empty(const struct unit_install *u);
