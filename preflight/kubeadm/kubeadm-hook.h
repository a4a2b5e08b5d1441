/* SPDX-License-Identifier: MIT */
/* `kubeprep kubeadm [OPTIONS] -- init|join|reset [ARGS...]`: the node is
 * fixed before kubeadm runs, kubeadm keeps kubeprep's kubelet settings
 * through --patches, and what needs kubeadm's own files is done after it. */
#pragma once

#include "engine/run-options.h"

/* Returns kubeadm's exit code when kubeadm fails; otherwise 0, or the exit
 * code of a kubeprep step that failed. */
int run_kubeadm_hook(const struct options *opts);
