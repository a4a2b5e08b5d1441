/* SPDX-License-Identifier: MIT */
/* Facts about the node: live from the kernel, or with --root from the tree's
 * own files. NULL/0 mean unknown. */
#pragma once

#include "options.h"
#include "rootfs.h"

struct node_facts {
        char *arch;                  /* "x86_64", "aarch64", ... */
        char *init;                  /* "systemd", or the name of another init */
        int cgroup_version;          /* 1, 2, 0 unknown */
        char *kubelet_version;       /* "1.22.2" */
        char *control_plane_version; /* "1.22.17" */
};

int node_facts_gather(const struct root *root, const struct options *opts, struct node_facts *ret);
void node_facts_free(struct node_facts *n);

/* The machine named by an ELF header, e.g. "aarch64"; NULL when not ELF. */
const char *elf_machine_name(const unsigned char *hdr, size_t len);
