/* SPDX-License-Identifier: MIT */
/* Kubernetes versions: "v1.22.2", "1.22", "v1.8.1-amd64" (an image tag), as
 * major.minor.patch for comparisons and the version skew policy. */
#pragma once

#include <stdbool.h>

struct kversion {
        unsigned major, minor, patch;
        bool has_patch;
};

/* Parse a version or an image tag; a suffix after '-' or '+' is ignored.
 * 0 on success, -EINVAL when s holds no version. */
int version_parse(const char *s, struct kversion *ret);
/* <0, 0, >0 as a is older than, the same minor/patch as, or newer than b. */
int version_compare(const struct kversion *a, const struct kversion *b);
/* a is at least major.minor. */
bool version_at_least(const struct kversion *a, unsigned major, unsigned minor);
/* Canonical text "1.22.2" (or "1.22"); malloc'ed. */
char *version_to_string(const struct kversion *v);
