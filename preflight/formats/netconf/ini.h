/* SPDX-License-Identifier: MIT */
/* For the netconf editors: the INI dialect of NetworkManager keyfiles and systemd-networkd .network
 * files, read line by line with each line's offsets, and the splice every editor adds its lines with. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "basic/util.h"

/* The INI dialect of keyfiles and .network files, one entry per line. */
enum netconf_ini_kind { NETCONF_INI_BLANK, NETCONF_INI_COMMENT, NETCONF_INI_SECTION, NETCONF_INI_KEY };
struct netconf_ini_line {
        enum netconf_ini_kind kind;
        unsigned line;     /* 1-based */
        size_t start, end; /* [start, end) of the line including its newline */
        char *section;     /* the section this line is in (the header's own name for a header), or NULL */
        char *key, *value; /* NETCONF_INI_KEY: trimmed */
        bool spaced;       /* "Key = value" rather than "Key=value" */
};
struct netconf_ini {
        struct netconf_ini_line *lines;
        size_t n;
        const char *eol; /* "\n" or "\r\n": what the file's lines end with */
};
/* Split text into lines; comment_chars says what starts a comment ("#;" for systemd, "#" for GLib
 * keyfiles). Refuses (-EBADMSG) lines that are none of the kinds, continuation lines, NUL bytes. */
int netconf_ini_parse(const char *text, size_t len, const char *comment_chars, struct netconf_ini *ret,
                      char **ret_error);
void netconf_ini_free(struct netconf_ini *ini);

/* Build text[0, at) + insert + text[at, len); when at == len and the text does not end with a newline,
 * one is added first so the insertion starts on a line of its own. */
char *netconf_splice(const char *text, size_t len, size_t at, const char *insert, const char *eol,
                     size_t *ret_len);
