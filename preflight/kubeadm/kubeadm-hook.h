/* SPDX-License-Identifier: MIT */
/* `kubeprep kubeadm [OPTIONS] -- init|join|upgrade apply|node|reset [ARGS...]`:
 * the node is fixed before kubeadm runs, a kubeadm that can (1.25 and later)
 * keeps kubeprep's kubelet settings through --patches, and every fixer that
 * reads the files kubeadm rewrote runs again after it. */
#pragma once

#include "engine/run-options.h"

/* Returns kubeadm's exit code when kubeadm fails; otherwise 0, or the exit
 * code of a kubeprep step that failed. */
int run_kubeadm_hook(const struct options *opts);
