/* SPDX-License-Identifier: MIT */
/* /etc/hosts as glibc's files backend reads it: "ADDRESS NAME [ALIAS...]" lines, blanks between the
 * fields, '#' to the end of the line a comment, names compared without regard to case. */
#pragma once

#include <stddef.h>

/* The address of the first line that names name (as its canonical name or an alias). 1 found
 * (*ret_addr, may be NULL), 0 not. */
int hosts_lookup(const char *text, size_t len, const char *name, char **ret_addr);

/* Append the line "ADDR<TAB>NAME" (the text's line ends; a last line without a newline keeps that
 * form). name and addr must be single words. 1 (*ret_text NUL-terminated), or <0 refused (a NUL byte). */
int hosts_add(const char *text, size_t len, const char *addr, const char *name, char **ret_text,
              size_t *ret_len, char **ret_error);
