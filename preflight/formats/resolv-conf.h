/* SPDX-License-Identifier: MIT */
/* resolv.conf(5) as glibc reads it: the nameservers and the search list, to tell whether a resolver
 * file hands pods a loopback address (a resolver on the node, which a pod cannot reach), and the
 * text of the file kubeprep writes for the kubelet instead. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "basic/util.h"

struct resolv_conf {
        struct strv nameservers; /* as written, in order */
        struct strv loopback;    /* those that are loopback addresses (127.0.0.0/8, ::1) */
        char *search;            /* the last "search" or "domain" line's value; NULL when none */
};

/* Parse a resolv.conf text: keyword lines "nameserver ADDR", "search D...", "domain D"; '#' and
 * ';' start a comment line; other keywords are ignored. A nameserver that is no address (glibc
 * skips it) is left out. Never fails. */
void resolv_conf_parse(const char *text, size_t len, struct resolv_conf *ret);
void resolv_conf_free(struct resolv_conf *rc);

/* The file kubeprep writes for the kubelet's resolvConf: a header naming the writer, one
 * "nameserver" line each, and the search line when there is one. malloc'ed. */
char *resolv_conf_build(const struct strv *nameservers, const char *search);
