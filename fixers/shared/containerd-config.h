/* SPDX-License-Identifier: MIT */
/* containerd's configuration as containerd reads it: /etc/containerd/config.toml, then the files
 * its `imports` name, merged in containerd's order (docs/kubernetes-facts.md 15.3). Shared by the
 * fixers that edit it (cgroup-driver, sandbox-image): each loads it, edits the file that holds
 * the setting containerd uses, and plans the writes. */
#pragma once

#include "engine/fixer.h"
#include "fixers/shared/toml-file.h"

#define CONTAINERD_TOML "/etc/containerd/config.toml"
#define CONTAINERD_UNIT "containerd.service"

struct containerd_config {
        char *version; /* config.toml's: "2", "3" or "4" */
        /* config.toml had no version key (version 1) and became version 2 in files[0].text: only
         * worth writing together with another change (containerd_config_write). */
        bool migrated;
        struct toml_file *files; /* config.toml first, then its imports in merge order */
        size_t n_files;
};

/* Load config.toml and its imports (relative paths from config.toml's directory, globs
 * expanded, each file once, an import's own imports after the files before it), through the
 * run's overlay. A version 1 config.toml is migrated to version 2 when that changes nothing
 * containerd reads (no plugin tables, imports or plugin names), else refused. Returns 1, 0 when
 * there is no config.toml (c->n_files is 0), <0 after result_refuse(): a file that is missing,
 * does not scan, or names another version; a version kubeprep does not know. Warnings (a relative
 * glob) go to r. */
int containerd_config_load(struct context *ctx, struct fixer_result *r, struct containerd_config *ret);
void containerd_config_free(struct containerd_config *c);

/* The plugins holding the CRI's runtimes and its images: "io.containerd.grpc.v1.cri" for
 * version 2, "io.containerd.cri.v1.runtime" and "io.containerd.cri.v1.images" for 3 and 4. */
const char *containerd_runtime_plugin(const struct containerd_config *c);
const char *containerd_images_plugin(const struct containerd_config *c);

/* The file whose [plugins."ID"] table containerd uses: a later file's table replaces an earlier
 * one's whole. *ret NULL when no file has one (containerd's defaults). <0 after result_refuse(). */
int containerd_plugin_file(struct fixer_result *r, const struct containerd_config *c, const char *plugin,
                           struct toml_file **ret);

/* kubeprep edits a file of containerd's own directory (/etc/containerd, or a directory right
 * below it); any other file, a package's under /usr above all, is the operator's to change. */
bool containerd_file_editable(const struct toml_file *f);

/* "/etc/containerd/config.toml", or "PATH (imported by IMPORTER)", for messages. */
char *containerd_file_describe(const struct toml_file *f);

/* disabled_plugins of one file without the CRI's names: *ret_raw NULL when absent, the line of
 * the key; 1 when the CRI was in it. <0 after result_refuse(). */
int containerd_disabled_without_cri(struct fixer_result *r, const struct toml_file *f, char **ret_raw,
                                    unsigned *ret_line);

/* The files a fixer found but does not edit (containerd_file_editable() false) are drift only the
 * operator can fix: each joins the reasons in wrong, and the result says where to change them. */
void containerd_report_foreign(struct fixer_result *r, const struct strv *foreign, struct strv *wrong);

/* Plan the write of every changed file, each with a containerd restart. 1 when something was
 * planned, 0 when nothing changed, <0 after result_refuse(). */
int containerd_config_write(struct context *ctx, struct fixer_result *r, struct containerd_config *c);
