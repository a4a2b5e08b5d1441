/* SPDX-License-Identifier: MIT */
/* Find the hostNetwork pods of workload manifests that lack dnsPolicy
 * ClusterFirstWithHostNet, and set it format-preservingly. */
#pragma once

/* The dnsPolicy a hostNetwork pod needs to resolve cluster services. */
#define WANTED_POLICY "ClusterFirstWithHostNet"

#include <stdbool.h>
#include <stddef.h>

#include "basic/util.h"

enum lint_verdict {
        LINT_FINDING,           /* hostNetwork without ClusterFirstWithHostNet: fix it */
        LINT_BOOTSTRAP,         /* a bootstrap pod on the node's resolver, as it must be */
        LINT_BOOTSTRAP_CLUSTER, /* a bootstrap pod that was given cluster DNS: a warning */
};

struct lint_item {
        enum lint_verdict verdict;
        unsigned line;                /* 1-based: dnsPolicy's line when set, else hostNetwork's */
        unsigned doc;                 /* 0-based document index in the stream */
        bool in_list;                 /* an item of a kind: List, which --fix cannot address */
        char *object;                 /* "Deployment web", "Pod kube-system/etcd" */
        char *dns_policy;             /* the current value, NULL when unset */
        const char *bootstrap_reason; /* what made it a bootstrap pod, e.g. "image etcd" */
        const char *const *spec_path; /* the pod spec's path in the document, e.g. spec.template.spec */
};

struct lint_result {
        struct lint_item *items;
        size_t n;
};

/* Check every document of a manifest stream. 0 with the items found (maybe
 * none), or <0 (-EBADMSG) with "line N: reason" when the stream does not
 * parse or a workload's pod spec cannot be read safely (aliases, merge keys,
 * duplicate keys, a sequence where a mapping belongs). */
int lint_manifest(const char *text, size_t len, struct lint_result *ret, char **ret_error);
void lint_result_free(struct lint_result *res);

/* The one-line explanation of an item (no file:line prefix). */
char *lint_item_describe(const struct lint_item *it);

/* Set dnsPolicy: ClusterFirstWithHostNet for every LINT_FINDING not inside a
 * List. 0 nothing to change, 1 changed (*ret_text malloc'ed), <0 refused with
 * "line N: reason" (then nothing is changed at all). *ret_unfixable counts
 * the findings it could not address (List items). */
int lint_fix_manifest(const char *text, size_t len, const struct lint_result *res, char **ret_text,
                      size_t *ret_len, size_t *ret_unfixable, char **ret_error);
