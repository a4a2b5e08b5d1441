/* SPDX-License-Identifier: MIT */
/* CRI-O's configuration as CRI-O reads it: /etc/crio/crio.conf, then every file of
 * /etc/crio/crio.conf.d in lexical order, a later file's key over an earlier one's
 * (docs/kubernetes-facts.md 15.5). Shared by the fixers that edit it (cgroup-driver,
 * sandbox-image). */
#pragma once

#include "engine/fixer.h"
#include "fixers/shared/toml-file.h"

#define CRIO_CONF "/etc/crio/crio.conf"
#define CRIO_CONF_DIR "/etc/crio/crio.conf.d"
#define CRIO_UNIT "crio.service"

struct crio_config {
        struct toml_file *files; /* crio.conf (when it exists) first, then the drop-ins */
        size_t n_files;
};

/* Load every file CRI-O reads, through the run's overlay: 1, 0 when there is none, <0 after
 * result_refuse() (a file that cannot be read or does not scan). */
int crio_config_load(struct context *ctx, struct fixer_result *r, struct crio_config *ret);
void crio_config_free(struct crio_config *c);

/* The value CRI-O uses for key in table: from the last file that sets it (*ret_file, *ret_value
 * decoded) or NULL for both (CRI-O's default). <0 after result_refuse(): not a string. */
int crio_config_get(struct fixer_result *r, const struct crio_config *c, const char *const *table,
                    const char *key, struct toml_file **ret_file, char **ret_value);

/* Where a key no file sets yet goes: the first file that has the table, else crio.conf, else the
 * first drop-in. */
struct toml_file *crio_config_new_key_file(const struct crio_config *c, const char *const *table);

/* Set key in table of one file to the string value. <0 after result_refuse(). */
int crio_set_string(struct fixer_result *r, struct toml_file *f, const char *const *table, const char *key,
                    const char *value);
