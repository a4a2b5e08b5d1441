/* SPDX-License-Identifier: MIT */
/* The node paths kubeprep writes, in one table, so that `rollback` puts back only
 * files kubeprep manages: a backup manifest can never restore /usr/bin/anything.
 * A fixer that writes a new path must add it to the table in managed-paths.c. */
#pragma once

#include <stdbool.h>

#include "basic/rootfs.h"
#include "formats/passwd.h"

/* Is path listed in the table, as written (no link resolved)? */
bool managed_path_listed(const char *path);

/* Is path, a node path as a backup manifest records it (links inside the root
 * resolved, as the fixers plan), one kubeprep manages in root: listed, what a
 * listed path resolves to now, or ~/.kube/config of a non-root user of db (may
 * be NULL: no users)? */
bool managed_path(const struct root *root, const struct user_db *db, const char *path);
