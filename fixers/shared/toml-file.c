/* SPDX-License-Identifier: MIT */
/* TOML files as a run sees them (see toml-file.h). */
#include "fixers/shared/toml-file.h"

#include "formats/toml-edit.h"

int toml_file_init(struct toml_file *f, char *path, char *importer, char *text, size_t len,
                   char **ret_error) {
        *f = (struct toml_file){
                .path = path, .importer = importer, .text = text, .len = len, .edited = text
        };
        return toml_scanned_new(f->text, f->len, &f->scan, ret_error);
}

int toml_file_init_blob(struct toml_file *f, char *path, char *importer, struct blob *read,
                        char **ret_error) {
        *f = (struct toml_file){
                .path = path, .importer = importer, .text = read->data, .len = read->len, .read = read
        };
        return toml_scanned_new(f->text, f->len, &f->scan, ret_error);
}

void toml_file_done(struct toml_file *f) {
        free(f->path);
        free(f->importer);
        blob_unref(f->read);
        free(f->edited);
        toml_scanned_free(f->scan);
        *f = (struct toml_file){};
}

int toml_file_lookup(const struct toml_file *f, const char *const *table, const char *key, char **ret_raw,
                     unsigned *ret_line, char **ret_error) {
        return f->scan ? toml_scanned_get_value(f->scan, f->text, table, key, ret_raw, ret_line, ret_error)
                       : toml_get_value(f->text, f->len, table, key, ret_raw, ret_line, ret_error);
}

int toml_file_has_table(const struct toml_file *f, const char *const *table, char **ret_error) {
        return f->scan ? toml_scanned_table_exists(f->scan, f->text, table, ret_error)
                       : toml_table_exists(f->text, f->len, table, ret_error);
}

int toml_file_get(struct fixer_result *r, const struct toml_file *f, const char *const *table,
                  const char *key, char **ret_raw, unsigned *ret_line) {
        _cleanup_free_ char *err = NULL;
        int k = toml_file_lookup(f, table, key, ret_raw, ret_line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        return k;
}

int toml_file_table_exists(struct fixer_result *r, const struct toml_file *f, const char *const *table) {
        _cleanup_free_ char *err = NULL;
        int k = toml_file_has_table(f, table, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        return k;
}

int toml_file_set(struct fixer_result *r, struct toml_file *f, const char *const *table, const char *key,
                  const char *raw_value) {
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t out_len;
        /* With a scan, the edit starts from it and leaves the scan of the new text in it. */
        int k = f->scan ? toml_scanned_set_value(f->scan, f->text, f->len, table, key, raw_value, &out,
                                                 &out_len, &err)
                        : toml_set_value(f->text, f->len, table, key, raw_value, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", f->path, err);
        if (k > 0) {
                blob_unref(TAKE_PTR(f->read));
                free(f->edited);
                f->text = f->edited = TAKE_PTR(out);
                f->len = out_len;
                f->changed = true;
        }
        return k;
}

int toml_files_write(struct context *ctx, struct fixer_result *r, struct toml_file *files, size_t n,
                     const char *unit) {
        int planned = 0;
        /* No question is asked of the files after this: their scans go before the plan holds the new
         * bytes (a scan is several times its text), and each text is handed over, not copied. */
        for (size_t i = 0; i < n; i++) {
                toml_scanned_free(files[i].scan);
                files[i].scan = NULL;
        }
        for (size_t i = 0; i < n; i++) {
                if (!files[i].changed)
                        continue;
                /* changed: edited, and read is gone */
                files[i].text = NULL;
                int k = plan_write_file_restart_take(ctx, r, files[i].path, TAKE_PTR(files[i].edited),
                                                     files[i].len, unit);
                if (k < 0)
                        return k;
                planned = planned || k > 0;
        }
        return planned;
}
