/* SPDX-License-Identifier: MIT */
/* systemd unit files in the tree, as `systemctl enable` sees them: where a unit is installed, whether
 * it is masked, whether its [Install] links are there, and planning those links. Shared by the
 * firewall fixer (is firewalld enabled?) and the time-sync fixer (enable a time service). */
#pragma once

#include "engine/fixer.h"
#include "formats/unit-install.h"

struct unit_file {
        char *path;  /* the unit file: "/lib/systemd/system/chrony.service" */
        bool masked; /* /etc/systemd/system/UNIT or /run/systemd/system/UNIT -> /dev/null */
        struct unit_install install;
};

/* The unit's file: a regular file in /etc/systemd/system or a vendor directory (the links systemctl
 * makes in /etc, an alias among them, do not count). 1 installed (*ret filled), 0 not; <0 after
 * result_refuse() for a unit file kubeprep cannot read. */
int unit_file_load(struct context *ctx, struct fixer_result *r, const char *unit, struct unit_file *ret);
void unit_file_done(struct unit_file *u);

/* The tree starts it at boot: one of its WantedBy=, RequiredBy= or UpheldBy= links (in
 * /etc/systemd/system or a vendor directory) is there; for a unit with aliases only, an alias link;
 * a unit without [Install] is static and counts. */
bool unit_file_enabled(struct context *ctx, const char *unit, const struct unit_file *u);

/* Plan the links `systemctl enable` makes, each to u->path; *ret_links gets them for a message
 * ("A -> P, B -> P"). 1 planned, 0 all there, <0 after result_refuse() (a path that holds something
 * else, which systemctl would refuse too). */
int plan_unit_enable(struct context *ctx, struct fixer_result *r, const char *unit,
                     const struct unit_file *u, char **ret_links);
