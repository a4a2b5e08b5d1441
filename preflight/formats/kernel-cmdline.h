/* SPDX-License-Identifier: MIT */
/* The kernel command line: which parameters a line leaves in effect, and the one-line cmdline.txt
 * the Raspberry Pi firmware hands to the kernel, edited by adding words at its end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether the words of a command line leave param in effect, read left to right as the kernel does:
 * "cgroup_enable=C" when a cgroup_enable= list names C after the last cgroup_disable= list that names
 * it; "KEY=VALUE" when the last KEY= has that value; a bare word when it is there. Double quotes
 * group blanks into a word, as the kernel's parser does. */
bool cmdline_param_in_effect(const char *cmdline, size_t len, const char *param);

/* Add each of params that cmdline.txt does not leave in effect at the end of its line, after a
 * blank, in the given order. The file must be one line (a newline or CRLF after it, or none): the
 * firmware reads only the first, so a second one is refused (-EBADMSG, "line 2: ..."), as is a NUL
 * byte. 0 when all are in effect, 1 changed (*ret_text NUL-terminated, *ret_len), <0 refused. */
int cmdline_txt_add(const char *text, size_t len, const char *const *params, size_t n, char **ret_text,
                    size_t *ret_len, char **ret_error);
