/* SPDX-License-Identifier: MIT */
/* The fstab editor behind the swap fixer: comments out active swap entries and
 * keeps every other byte of the file as it was. */
#pragma once

#include <stddef.h>

#include "basic/util.h"

/* Comment out every active swap entry of an fstab text ("#" prepended to the line, nothing else
 * changes). Returns 0 when there is nothing to change, >0 the number of entries commented (new text
 * in *ret_text and *ret_len, NUL-terminated), <0 when the fstab cannot be parsed completely
 * (-EBADMSG, *ret_error = "line N: reason"), in which case nothing is returned.
 * ret_entries (may be NULL) receives the source field of each commented entry in order
 * (e.g. "UUID=...", "/swapfile").
 *
 * Details: an entry is a swap entry when its third field is exactly "swap" (what swapon -a and
 * systemd-fstab-generator use). Sources are appended to ret_entries with \ooo escapes decoded
 * ("/swap\040file" gives "/swap file"), quotes kept as written (UUID="..."). On 0 and on failure
 * ret_text, ret_len and ret_entries are left untouched; ret_text and ret_len may be NULL. A line
 * libmount would skip as unparsable, a NUL byte, or an entry whose type field cannot be a
 * filesystem type (e.g. "kk# /dev/sda3 LABEL=arch", a comment missing its '#') is refused. */
int fstab_comment_swap_entries(const char *text, size_t len, char **ret_text, size_t *ret_len,
                               struct strv *ret_entries, char **ret_error);
