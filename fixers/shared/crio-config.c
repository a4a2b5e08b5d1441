/* SPDX-License-Identifier: MIT */
/* CRI-O's crio.conf and its drop-ins (see crio-config.h). CRI-O walks crio.conf.d with Go's
 * filepath.Walk: every file whatever its name, subdirectories in place, names sorted; a link is
 * read as a file. */
#include "fixers/shared/crio-config.h"

#include <sys/stat.h>

#include "formats/toml-edit.h"

/* A drop-in directory with more is not one kubeprep should guess about. */
#define CRIO_FILES_MAX 128

void crio_config_free(struct crio_config *c) {
        for (size_t i = 0; i < c->n_files; i++)
                toml_file_done(&c->files[i]);
        free(c->files);
        *c = (struct crio_config){};
}

static int load_file(struct context *ctx, struct fixer_result *r, struct crio_config *c, const char *path) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len;
        int k = ctx_read_file(ctx, path, &text, &len, NULL);
        if (k == -ENOENT && streq(path, CRIO_CONF))
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", path, read_strerror(k));
        /* The whole file must scan before any key of it is trusted. */
        struct toml_file f;
        if ((k = toml_file_init(&f, xstrdup(path), NULL, TAKE_PTR(text), len, &err)) < 0) {
                toml_file_done(&f);
                return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
        }
        if (c->n_files == CRIO_FILES_MAX) {
                toml_file_done(&f);
                return result_refuse(r, -E2BIG, "%s: more than %d files; the files were not changed",
                                     CRIO_CONF_DIR, CRIO_FILES_MAX);
        }
        c->files = xrealloc(c->files, (c->n_files + 1) * sizeof(*c->files));
        c->files[c->n_files++] = f;
        return 1;
}

static int load_dir(struct context *ctx, struct fixer_result *r, struct crio_config *c, const char *dir) {
        struct strv names = {};
        int k = root_list_dir(ctx->root, dir, &names);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot list: %s", dir, strerror(-k));
        for (size_t i = 0; i < names.n && k >= 0; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, names.items[i]);
                struct stat st;
                k = root_lstat(ctx->root, path, &st);
                if (k < 0)
                        k = result_refuse(r, k, "%s: cannot read: %s", path, strerror(-k));
                else if (S_ISDIR(st.st_mode))
                        k = load_dir(ctx, r, c, path);
                else
                        k = load_file(ctx, r, c, path);
        }
        strv_free(&names);
        return k < 0 ? k : 0;
}

int crio_config_load(struct context *ctx, struct fixer_result *r, struct crio_config *ret) {
        struct crio_config c = {};
        int k = load_file(ctx, r, &c, CRIO_CONF);
        if (k >= 0)
                k = load_dir(ctx, r, &c, CRIO_CONF_DIR);
        if (k < 0) {
                crio_config_free(&c);
                return k;
        }
        *ret = c;
        return c.n_files > 0;
}

int crio_config_get(struct fixer_result *r, const struct crio_config *c, const char *const *table,
                    const char *key, struct toml_file **ret_file, char **ret_value) {
        *ret_file = NULL;
        *ret_value = NULL;
        for (size_t i = 0; i < c->n_files; i++) {
                _cleanup_free_ char *raw = NULL, *value = NULL;
                unsigned line = 0;
                int k = toml_file_get(r, &c->files[i], table, key, &raw, &line);
                if (k < 0)
                        return k;
                if (k == 0)
                        continue;
                if (toml_unquote_string(raw, &value) < 0)
                        return result_refuse(r, -EBADMSG,
                                             "%s:%u: %s is not a string; the file was not changed",
                                             c->files[i].path, line, key);
                free(*ret_value);
                *ret_value = TAKE_PTR(value);
                *ret_file = &c->files[i];
        }
        return 0;
}

struct toml_file *crio_config_new_key_file(const struct crio_config *c, const char *const *table) {
        for (size_t i = 0; i < c->n_files; i++)
                if (toml_file_has_table(&c->files[i], table, NULL) > 0)
                        return &c->files[i];
        return &c->files[0]; /* crio.conf when it exists: it is read first */
}

int crio_set_string(struct fixer_result *r, struct toml_file *f, const char *const *table, const char *key,
                    const char *value) {
        _cleanup_free_ char *raw = toml_quote_string(value);
        return toml_file_set(r, f, table, key, raw);
}
