/* SPDX-License-Identifier: MIT */
/* The profile's kubelet eviction settings: validated as the kubelet would
 * (before any fixer runs), checked for combinations the kubelet accepts but
 * that do not do what they say, and rendered as kubelet flags. */
#pragma once

#include <stdbool.h>

#include "engine/profile.h"

/* Check every eviction entry: a known signal, a quantity or percentage the
 * kubelet accepts, a Go duration for grace periods, a grace period for every
 * soft threshold. -EINVAL with "FILE:LINE: 'eviction.MAP.SIGNAL' ..." in
 * *ret_error on the first mistake. */
int eviction_validate(const struct profile *p, char **ret_error);

/* Warnings about a valid profile: a partial set of hard thresholds (the
 * kubelet zeroes the defaults of the others), and soft thresholds that can
 * never fire because the hard one for the same signal is reached first. */
void eviction_warnings(const struct profile *p, struct strv *ret);

struct eviction_flag {
        const char *name; /* "eviction-hard" */
        char *value;      /* "memory.available<100Mi,nodefs.available<10%" */
};
#define EVICTION_FLAGS_MAX 5

/* The kubelet flags for the profile, in the kubelet's documentation order; an
 * empty map or an unset maxPodGracePeriod gives no flag. Returns how many
 * were filled; free with eviction_flags_free(). */
size_t eviction_flags(const struct profile *p, struct eviction_flag ret[EVICTION_FLAGS_MAX]);
void eviction_flags_free(struct eviction_flag *f, size_t n);

/* Two values of one eviction flag mean the same: map flags compare as sets of
 * comma-separated entries (order does not matter to the kubelet). */
bool eviction_flag_values_equal(const char *a, const char *b);

/* Parsers shared with the tests. A Kubernetes quantity ("100Mi", "1.5G",
 * "1e3", "0") as a number; -EINVAL when it is not one. */
int eviction_parse_quantity(const char *s, long double *ret);
/* "10%", "7.5%": 0..100 (out of range is -ERANGE). */
int eviction_parse_percentage(const char *s, double *ret);
/* A Go duration ("300s", "1m30s", "0") in seconds; negative ones are -ERANGE. */
int eviction_parse_duration(const char *s, double *ret_seconds);
