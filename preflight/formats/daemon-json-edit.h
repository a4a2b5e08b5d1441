/* SPDX-License-Identifier: MIT */
/* Format-preserving editor for docker's /etc/docker/daemon.json: sets the cgroup driver in "exec-opts"
 * by splicing text, so every other byte (key order, indentation, line endings) stays as it was. */
#pragma once

#include <stddef.h>

/* Make daemon.json's "exec-opts" array hold exactly one "native.cgroupdriver=<driver>" entry: an existing
 * entry gets the new value in place (further native.cgroupdriver entries are removed with the separator
 * before them), else one is appended to the array, else an "exec-opts" key is added as the last member of
 * the top-level object, copying the indentation and "key": spacing of the member before it ("{}" or an
 * empty text becomes a minimal pretty object). Entries are recognised as dockerd does: the part before
 * '=' trimmed and compared case-insensitively; an entry whose trimmed value already is <driver> is kept.
 * driver must match [A-Za-z0-9._-]+ (-EINVAL otherwise).
 * Returns 0 unchanged, 1 changed (*ret_text NUL-terminated, *ret_len), <0 refused with "line N[, column M]:
 * reason" in *ret_error: -EBADMSG for text that is not JSON (position of cJSON's error), a top level that
 * is not an object, "exec-opts" that is not an array of strings, duplicate "exec-opts" keys. */
int daemon_json_set_cgroup_driver(const char *text, size_t len, const char *driver, char **ret_text,
                                  size_t *ret_len, char **ret_error);

/* The driver set in exec-opts, as dockerd reads it (the last native.cgroupdriver entry wins, value trimmed).
 * 1 found (*ret_driver), 0 absent (also for an empty text), <0 refused (as above). */
int daemon_json_get_cgroup_driver(const char *text, size_t len, char **ret_driver, char **ret_error);
