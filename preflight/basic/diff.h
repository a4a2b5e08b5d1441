/* SPDX-License-Identifier: MIT */
/* Unified diffs of planned file edits, printed by `apply --dry-run` and
 * embedded in the JSON report: a minimal edit script (Myers), in the format
 * of `diff -u`, that applies with `patch -p1`. Linear in practice: common lines
 * at both ends, and lines a one-for-one edit keeps in place, cost no search. */
#pragma once

#include <stddef.h>

/* Render a unified diff (3 lines of context, like `diff -u`) between old and
 * new text, with headers "--- a/PATH\t\n+++ b/PATH\t\n" where PATH is the node
 * path without its leading '/', e.g. "etc/fstab". The tab ends the name for
 * patch, as in GNU diff's headers; a PATH with a control character is
 * C-quoted as GNU diff does ("a/x\033..."), a space or UTF-8 is not.
 * old may be NULL (file created: header "--- /dev/null\t"), new may be NULL
 * (file removed: "+++ /dev/null\t"); NULL counts as empty text.
 * Lines without a final newline get the "\ No newline at end of file" marker,
 * as GNU diff does. Texts are compared as bytes (NULs and \r are ordinary).
 * Returns a malloc'ed NUL-terminated string; "" when the texts are equal
 * (including NULL versus ""). Never fails: allocation failure aborts. */
char *diff_unified(const char *path, const char *old, size_t old_len, const char *new, size_t new_len);
