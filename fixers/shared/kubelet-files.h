/* SPDX-License-Identifier: MIT */
/* Where the kubelet reads its configuration from: the config file and every
 * file that adds command-line flags. Shared by the fixers that edit them. */
#pragma once

#include "engine/fixer.h"
#include "formats/flags-edit.h"

#define KUBELET_CONFIG "/var/lib/kubelet/config.yaml"
#define KUBEADM_FLAGS_ENV "/var/lib/kubelet/kubeadm-flags.env"
#define KUBELET_DEFAULTS_DEB "/etc/default/kubelet"
#define KUBELET_DEFAULTS_RPM "/etc/sysconfig/kubelet"
/* kubeadm init/join --patches DIR applies this over the config.yaml it writes. */
#define KUBEPREP_PATCHES_DIR "/etc/kubeprep/patches"
#define KUBELET_CONFIG_PATCH KUBEPREP_PATCHES_DIR "/kubeletconfiguration+merge.yaml"

struct flag_file {
        char *path;
        enum flags_format format;
        const char *var; /* the variable kubeprep adds flags to (ENV files) */
};

/* A flag a kubelet release removed: from that release on the kubelet exits on it ("failed to parse
 * kubelet flag: unknown flag"). */
struct removed_flag {
        const char *flag;      /* without the dashes */
        unsigned major, minor; /* the first release without it */
        const char *why;       /* when and why it went, and what replaces it */
        const char *source;    /* the kubelet CHANGELOG and pull request that removed it */
};

/* Every flag removed from the kubelet since 1.10, oldest release first; *ret_n entries. */
const struct removed_flag *kubelet_removed_flags(size_t *ret_n);

/* The entry for --flag ('-' and '_' alike, leading dashes tolerated) when kubelet v no longer accepts
 * it, else NULL. */
const struct removed_flag *kubelet_flag_removed(const char *flag, const struct kversion *v);

/* The flag files present in the tree, in the order the kubelet reads them:
 * kubeadm-flags.env, /etc/default/kubelet or /etc/sysconfig/kubelet, then the
 * kubelet.service.d drop-ins (/usr/lib, /lib, /etc). */
int kubelet_flag_files(struct context *ctx, struct flag_file **ret, size_t *ret_n);
void flag_files_free(struct flag_file *f, size_t n);

/* A flag file's text while a fixer edits it: the bytes read (a text an earlier fixer planned is shared
 * with the plan, not copied: a large file is held once less), then each edit's result in their place. */
struct flag_text {
        struct blob *read;
        char *edited;
        const char *data;
        size_t len;
};
/* ctx_read_blob() of path into *t (returns its result; *t is empty when it fails). */
int flag_text_read(struct context *ctx, const char *path, struct flag_text *t);
/* The text becomes owned_data: what it held before is let go. */
void flag_text_replace(struct flag_text *t, char *owned_data, size_t len);
/* The edited text, handed over (NULL when nothing was edited); *t is empty after. */
char *flag_text_steal(struct flag_text *t, size_t *ret_len);
void flag_text_done(struct flag_text *t);

/* The distribution's kubelet defaults file, whose KUBELET_EXTRA_ARGS the kubelet reads last and kubeadm
 * never rewrites: /etc/default/kubelet on a deb tree, /etc/sysconfig/kubelet on an rpm tree (by
 * /etc/debian_version, /var/lib/dpkg, /etc/redhat-release, /var/lib/rpm, else whichever exists);
 * NULL when the tree is neither. */
const char *kubelet_defaults_file(struct context *ctx);

/* Set --flag=value in every flag file that already sets it to something else
 * (a flag kubeprep does not need to add is not added). Plans the edits and a
 * kubelet restart; adds a detail per file. Returns the number of files
 * changed, or <0 after result_refuse(). */
int plan_kubelet_flag_where_set(struct context *ctx, struct fixer_result *r, const char *flag,
                                const char *value);

/* The scalar at path in a YAML file as this run sees it: 1 with it in *ret, 0 when the file or the
 * key is absent, <0 after result_refuse() (the refusal names the file). */
int kubelet_yaml_get(struct context *ctx, struct fixer_result *r, const char *file, const char *const *path,
                     char **ret);

/* A KubeletConfiguration setting, e.g. path {"featureGates", "CSIMigration", NULL}.
 * Sets it in config.yaml (when kubeadm has written one; a kubelet restart is
 * planned) and always in the kubeadm patch, so `kubeadm init/join --patches
 * /etc/kubeprep/patches` keeps it. *ret_old (may be NULL) gets config.yaml's
 * old value (NULL when unset). Returns 1 when config.yaml changes, 0 when it
 * already holds the value (or does not exist), <0 after result_refuse(). */
int plan_kubelet_setting(struct context *ctx, struct fixer_result *r, const char *const *path,
                         const char *value, char **ret_old);
/* Remove a setting from config.yaml and the patch. 1 when config.yaml changes. */
int plan_kubelet_setting_remove(struct context *ctx, struct fixer_result *r, const char *const *path);
