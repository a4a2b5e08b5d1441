/* SPDX-License-Identifier: MIT */
/* What the check-only fixers that mirror kubeadm's preflight share: the node's part in its cluster,
 * what kubeadm is about to do to it, and findings named as kubeadm names its checks. The node's role
 * is node_role() (node-identity.h). */
#pragma once

#include "engine/fixer.h"

#define KUBELET_KUBECONFIG "/etc/kubernetes/kubelet.conf"
#define APISERVER_MANIFEST_PATH "/etc/kubernetes/manifests/kube-apiserver.yaml"

enum kubeadm_step {
        KUBEADM_STEP_NONE, /* no kubeadm hook: a plain check or apply */
        KUBEADM_STEP_INIT,
        KUBEADM_STEP_JOIN,
        KUBEADM_STEP_JOIN_CONTROL_PLANE,
        KUBEADM_STEP_RESET,
};

/* What `kubeprep kubeadm -- VERB ...` runs after this apply; NONE outside the hook. */
enum kubeadm_step kubeadm_next_step(const struct context *ctx);

/* kubeadm made the node a cluster member: /etc/kubernetes/kubelet.conf exists (init writes it, a
 * join's TLS bootstrap does). kubeadm's checks for a fresh node then no longer apply, unless the
 * hook is about to run init or join again. */
bool node_has_joined(const struct context *ctx);

/* The kubeadm command the preflight checks are about: the hook's, else `kubeadm init` for a
 * control plane and `kubeadm join` for a worker. */
const char *kubeadm_command_for(const struct context *ctx);

enum finding_level {
        FINDING_ERROR,         /* kubeadm stops: "[ERROR CHECK]: what", a detail; drift (exit 1) */
        FINDING_WARNING,       /* kubeadm warns and goes on: "[WARNING CHECK]: what", a detail */
        FINDING_WARNING_DRIFT, /* kubeadm only warns, but the cluster will not work: a detail; drift */
};

/* A finding of kubeadm's preflight check `check`, in kubeadm's own format; the check joins
 * r->kubeadm_checks. */
void kubeadm_finding(struct fixer_result *r, enum finding_level level, const char *check, const char *fmt,
                     ...) _printf_(4, 5);

/* kubeadm's name for a FileAvailable/DirAvailable/FileExisting check of a path: the prefix and the
 * path with every '/' turned into '-' ("FileAvailable--etc-kubernetes-kubelet.conf"). */
char *kubeadm_check_name(const char *prefix, const char *path);

/* The checks for a fresh node apply: not after kubeadm reset, and on a node that joined a cluster
 * only when the hook runs init or join again. Otherwise *ret_why says why not. */
bool kubeadm_checks_apply(const struct context *ctx, const char **ret_why);
