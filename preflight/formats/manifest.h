/* SPDX-License-Identifier: MIT */
/* Versions written in Kubernetes YAML: the image tag of the kube-apiserver
 * static pod, and kubernetesVersion of a kubeadm ClusterConfiguration; and the
 * patch directory a kubeadm configuration names. */
#pragma once

#include <stddef.h>

/* The image of the kube-apiserver container in a static pod manifest (doc
 * root spec.containers[]: the container whose image is kube-apiserver[-ARCH]
 * or hyperkube[-ARCH], else the one named kube-apiserver). 1 found
 * (*ret_image), 0 none (another pod, a DaemonSet), <0 when the YAML does not
 * parse (*ret_error "line N: reason"). */
int manifest_apiserver_image(const char *text, size_t len, char **ret_image, char **ret_error);

/* The tag of an image reference: "host:5000/kube-apiserver:v1.22.17@sha256:..."
 * -> "v1.22.17". NULL when it has none (malloc'ed otherwise). */
char *image_tag(const char *image);

/* kubernetesVersion of the first ClusterConfiguration document (or a
 * pre-1.12 MasterConfiguration) in a kubeadm config stream: 1 found
 * (*ret_version, *ret_line), 0 none, <0 refused (*ret_error). */
int kubeadm_config_kubernetes_version(const char *text, size_t len, char **ret_version, unsigned *ret_line,
                                      char **ret_error);

/* patches.directory of the first document of the given kind in a kubeadm
 * config stream (InitConfiguration, JoinConfiguration), or of its section
 * (UpgradeConfiguration's "apply" or "node") when section is not NULL: 1 found
 * (*ret_dir), 0 none, <0 when the YAML does not parse (*ret_error). */
int kubeadm_config_patches_dir(const char *text, size_t len, const char *kind, const char *section,
                               char **ret_dir, char **ret_error);
