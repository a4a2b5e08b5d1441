/* SPDX-License-Identifier: MIT */
/* ufw's files: ufw.conf (ENABLED=yes: the firewall is loaded at boot) and user.rules, whose
 * "### tuple ### ACTION PROTO DPORT DST SPORT SRC [DAPP SAPP] DIRECTION" comments are ufw's own
 * record of the rules `ufw allow` added. kubeprep only reads them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "formats/node-spec.h"

/* ENABLED=yes (quoted or not; the last assignment). */
bool ufw_conf_enabled(const char *text, size_t len);

/* Whether an incoming allow rule of user.rules opens every port of p: its protocol p's or any, its
 * destination port any, a port, a range "A:B" or a list "A,B:C". Sources and destinations are the
 * operator's to choose and are not compared. */
bool ufw_rules_allow(const char *text, size_t len, const struct port_range *p);
