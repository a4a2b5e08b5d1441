/* SPDX-License-Identifier: MIT */
/* Unified diffs of planned file edits, printed by `apply --dry-run` and
 * embedded in the JSON report: a minimal edit script (Myers), in the format
 * of `diff -u`, that applies with `patch -p1`. */
#pragma once

#include <stddef.h>

/* Render a unified diff (3 lines of context, like `diff -u`) between old and
 * new text, with headers "--- a/PATH\n+++ b/PATH\n" where PATH is the node
 * path without its leading '/', e.g. "etc/fstab".
 * old may be NULL (file created: header "--- /dev/null"), new may be NULL
 * (file removed: "+++ /dev/null"); NULL counts as empty text.
 * Lines without a final newline get the "\ No newline at end of file" marker,
 * as GNU diff does. Texts are compared as bytes (NULs and \r are ordinary).
 * Returns a malloc'ed NUL-terminated string; "" when the texts are equal
 * (including NULL versus ""). Never fails: allocation failure aborts. */
char *diff_unified(const char *path, const char *old, size_t old_len, const char *new, size_t new_len);
