/* SPDX-License-Identifier: MIT */
/* Format-preserving editor for kubelet command-line flags kept in environment files
 * (kubeadm-flags.env, /etc/default/kubelet, /etc/sysconfig/kubelet) and kubelet.service drop-ins. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum flags_format {
        FLAGS_ENV_FILE,       /* VAR="--a=b --c d" lines, read by systemd's EnvironmentFile= */
        FLAGS_SYSTEMD_DROPIN, /* Environment="VAR=--a=b" and ExecStart=/usr/bin/kubelet ... lines */
};

/* Conventions shared by the three calls:
 * - `flag` is the flag name, "cgroup-driver"; leading dashes are tolerated ("--cgroup-driver").
 *   '-' and '_' match each other, as the kubelet normalises them ("--cgroup_driver" is the same flag).
 * - Files are read with systemd semantics: an unquoted ENV value runs to the end of the line, quotes
 *   inside a value group a word and are removed when ExecStart= splits "$VAR" into arguments,
 *   "%%" in a drop-in is a literal '%'. "${node_labels}"-style placeholders are ordinary words.
 *   An ENV value is continued as systemd's EnvironmentFile= parser continues it: a backslash at the
 *   end of a line, bare or inside double quotes, is dropped with the newline (so "a\<newline>b" is one
 *   word, "a \<newline>b" two); in single quotes and comments it is no continuation.
 * - A line that mentions --flag but cannot be interpreted safely ($(...), backticks, backslash escapes,
 *   unbalanced quotes, a quoted flag name, a newline inside quotes, blanks after a final backslash, a
 *   line after a comment ending in a backslash, which systemd before 254 takes into the comment) makes
 *   the call fail with -EBADMSG and "line N: reason" in *ret_error. Such lines that do not mention the
 *   flag are left alone. A flag or value a line continuation splits is read but not edited.
 * - Values to write must not contain whitespace, quotes, backslashes, '$', '`' or control characters
 *   (-EINVAL). An existing value wrapped in quotes ('...') keeps its quotes. */

/* Value of --flag as the kubelet would see it from this file: the last occurrence wins (ENV files: in
 * file order, a later assignment of the same variable replacing the earlier one; drop-ins: in the order
 * ExecStart= expands its $VARs, Environment= values no ExecStart= references counting first). A flag
 * given without a value ("--fail-swap-on") reads as "true". 1 found (*ret_value), 0 absent, <0 refused. */
int flags_get(const char *text, size_t len, enum flags_format fmt, const char *flag, char **ret_value,
              char **ret_error);

/* Set --flag=value. Every existing occurrence is updated in place (keeping its "=" or space form, and
 * its line in a continued value); within one assignment/ExecStart= line later duplicates are removed as
 * flags_remove() removes them. ENV files, flag absent everywhere: appended after the last word of the
 * last `var` assignment's value (inside its quotes, on the last line of a continued value), or a new
 * line `VAR="--flag=value"` is appended (keeping the final-newline and CRLF convention). A bare ENV
 * value the edit leaves with blanks or shell metacharacters is wrapped in double quotes right after
 * the '=' (single quotes when it holds '"', '$' or '`'), since shells source /etc/default/kubelet too.
 * Drop-ins (var ignored, may be NULL): only existing occurrences change, nothing is added.
 * 0 unchanged, 1 changed (*ret_text NUL-terminated, *ret_len), <0 refused. */
int flags_set(const char *text, size_t len, enum flags_format fmt, const char *var, const char *flag,
              const char *value, char **ret_text, size_t *ret_len, char **ret_error);

/* Which of n flags the text may hold, in one scan for all: ret_maybe[i] false means flags_get() of flags[i]
 * finds it absent and flags_remove() has nothing to remove, without a parse; true that the call has to
 * look (and may refuse the text). For a caller asking about many flags: one scan instead of one each. */
void flags_may_mention(const char *text, size_t len, const char *const *flags, size_t n, bool *ret_maybe);

/* Remove every occurrence of --flag (with its value, "--flag=v" and "--flag v") and the whitespace that
 * separated it from the previous word (from the next one when it is the first word, of the value or of
 * a continuation line). In a value continued over several lines a flag alone on its line takes the line
 * with it, unless the words around it would then run together. Bare values are never requoted.
 * 0 absent, 1 removed (*ret_text, *ret_len), <0 refused. */
int flags_remove(const char *text, size_t len, enum flags_format fmt, const char *flag, char **ret_text,
                 size_t *ret_len, char **ret_error);
