/* SPDX-License-Identifier: MIT */
/* Shipped data files (profiles, the signature database): looked up in
 * $KUBEPREP_DATA_DIR, the installed data dir, then a build's source tree. */
#pragma once

#include <stddef.h>

/* Read a file of the host (not of --root) whole; -errno on failure. */
int read_host_file(const char *path, char **ret_text, size_t *ret_len);

/* Read relpath (e.g. "profiles/default.yaml") from the first data dir that
 * has it; *ret_path says which file. -ENOENT when none does. */
int data_file_read(const char *relpath, char **ret_path, char **ret_text, size_t *ret_len);
