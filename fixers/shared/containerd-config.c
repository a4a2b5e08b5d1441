/* SPDX-License-Identifier: MIT */
/* containerd's config.toml and its imports (see containerd-config.h), read the way containerd's
 * LoadConfig reads them: a queue of files, config.toml first; each file's imports (a relative path
 * from the importing file's directory, a path with '*' expanded with a glob) go to the end of the
 * queue; a file already loaded is skipped. */
#include "fixers/shared/containerd-config.h"

#include <fnmatch.h>

#include "engine/managed-paths.h"
#include "formats/toml-edit.h"

/* A tree with more is not a containerd configuration kubeprep should guess about. */
#define CONTAINERD_FILES_MAX 128

static const char *const root_table[] = { NULL };
static const char *const plugins_table[] = { "plugins", NULL };

void containerd_config_free(struct containerd_config *c) {
        for (size_t i = 0; i < c->n_files; i++)
                toml_file_done(&c->files[i]);
        free(c->files);
        free(c->version);
        *c = (struct containerd_config){};
}

const char *containerd_runtime_plugin(const struct containerd_config *c) {
        return streq(c->version, "2") ? "io.containerd.grpc.v1.cri" : "io.containerd.cri.v1.runtime";
}

const char *containerd_images_plugin(const struct containerd_config *c) {
        return streq(c->version, "2") ? "io.containerd.grpc.v1.cri" : "io.containerd.cri.v1.images";
}

char *containerd_file_describe(const struct toml_file *f) {
        return f->importer ? xasprintf("%s (imported by %s)", f->path, f->importer) : xstrdup(f->path);
}

bool containerd_file_editable(const struct toml_file *f) {
        /* rollback restores what managed-paths.c lists: the names of containerd's directory */
        return startswith(f->path, "/etc/containerd/") && managed_path_listed(f->path);
}

int containerd_disabled_without_cri(struct fixer_result *r, const struct toml_file *f, char **ret_raw,
                                    unsigned *ret_line) {
        static const char *const cri_ids[] = { "cri", "io.containerd.grpc.v1.cri" };
        _cleanup_free_ char *raw = NULL, *err = NULL;
        bool removed = false;
        int k = toml_file_get(r, f, root_table, "disabled_plugins", &raw, ret_line);
        if (k < 0)
                return k;
        for (size_t i = 0; k > 0 && i < ELEMENTSOF(cri_ids); i++) {
                _cleanup_free_ char *next = NULL;
                int d = toml_string_array_remove(raw, cri_ids[i], &next, &err);
                if (d < 0)
                        return result_refuse(r, d, "%s:%u: disabled_plugins: %s; the file was not changed",
                                             f->path, *ret_line, err);
                if (d > 0) {
                        free(raw);
                        raw = TAKE_PTR(next);
                        removed = true;
                }
        }
        *ret_raw = TAKE_PTR(raw);
        return removed;
}

_printf_(2, 3) static int refuse_v1(struct fixer_result *r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *why = xvasprintf(fmt, ap);
        va_end(ap);
        return result_refuse(
                r, -EBADMSG,
                "%s: a version 1 config (no 'version' key) %s, which kubeprep does not migrate; the file "
                "was "
                "not changed: convert it with 'containerd config migrate' (containerd 2.0 and later) or "
                "regenerate it with 'containerd config default'",
                CONTAINERD_TOML, why);
}

/* The strings of an array of the root table (none when absent). */
static int root_strings(struct fixer_result *r, const struct toml_file *f, const char *key,
                        struct strv *ret) {
        _cleanup_free_ char *raw = NULL, *err = NULL;
        unsigned line = 0;
        int k = toml_file_get(r, f, root_table, key, &raw, &line);
        if (k > 0 && (k = toml_string_array_values(raw, ret, &err)) < 0)
                return result_refuse(r, k, "%s:%u: %s: %s; the file was not changed", f->path, line, key,
                                     err);
        return k < 0 ? k : 0;
}

/* docker-ce's containerd.io ships a version 1 config.toml with nothing but
 * disabled_plugins = ["cri"]. Without plugin tables, imports or plugin names,
 * version 1 and 2 mean the same; "version = 2" then lets the runc tables be
 * written with the version 2 plugin names. Other version 1 configs are refused. */
static int migrate_v1(struct fixer_result *r, struct toml_file *f) {
        _cleanup_free_ char *disabled = NULL, *err = NULL;
        struct strv strings = {};
        unsigned line = 0;
        size_t n;
        int k = toml_file_table_exists(r, f, plugins_table);
        if (k < 0)
                return k;
        if (k > 0)
                return refuse_v1(r, "with plugin tables");
        if ((k = root_strings(r, f, "imports", &strings)) < 0)
                return k;
        n = strings.n;
        strv_free(&strings);
        if (n > 0) /* the imported files may hold version 1 plugin tables */
                return refuse_v1(r, "that imports other files");
        /* Version 1 names plugins by ID ("aufs"), version 2 by URI, and refuses IDs. */
        if ((k = root_strings(r, f, "required_plugins", &strings)) < 0)
                return k;
        n = strings.n;
        strv_free(&strings);
        if (n > 0)
                return refuse_v1(r, "whose required_plugins names plugins");
        if ((k = containerd_disabled_without_cri(r, f, &disabled, &line)) < 0)
                return k;
        n = 0;
        if (disabled && (k = toml_string_array_length(disabled, &n, &err)) < 0)
                return result_refuse(r, k, "%s:%u: disabled_plugins: %s; the file was not changed", f->path,
                                     line, err);
        if (n > 0)
                return refuse_v1(r, "whose disabled_plugins names other plugins than the CRI");
        k = toml_file_set(r, f, root_table, "version", "2");
        f->changed = false; /* worth writing only with another change */
        return k;
}

/* Go's filepath.Clean for an absolute path: no empty, "." or ".." components. */
static char *path_clean(const char *path) {
        struct buf b = {};
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (b.len > 0 && b.data[b.len - 1] != '/')
                                b.len--;
                        if (b.len > 0)
                                b.len--;
                } else {
                        buf_putc(&b, '/');
                        buf_append(&b, p, n);
                }
                p += n;
                p += *p == '/';
        }
        if (b.len == 0)
                buf_putc(&b, '/');
        buf_putc(&b, 0);
        return buf_steal(&b);
}

/* Go's filepath.Match meta characters: a component with one is matched against directory entries. */
static bool has_glob_meta(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strchr("*?[\\", s[i]))
                        return true;
        return false;
}

/* filepath.Glob inside the root: each component with meta characters matched against the
 * sorted names of its directory; a directory that cannot be listed gives no match. */
static void glob_in_root(const struct root *root, const char *dir, const char *rest, struct strv *out) {
        while (*rest == '/')
                rest++;
        if (!*rest) {
                if (root_exists(root, dir))
                        strv_push(out, xstrdup(dir));
                return;
        }
        size_t n = strcspn(rest, "/");
        const char *prefix = streq(dir, "/") ? "" : dir;
        if (!has_glob_meta(rest, n)) {
                _cleanup_free_ char *next = xasprintf("%s/%.*s", prefix, (int) n, rest);
                glob_in_root(root, next, rest + n, out);
                return;
        }
        _cleanup_free_ char *pattern = xstrndup(rest, n);
        struct strv names = {};
        if (root_list_dir(root, dir, &names) < 0)
                return;
        for (size_t i = 0; i < names.n; i++)
                if (fnmatch(pattern, names.items[i], 0) == 0) {
                        _cleanup_free_ char *next = xasprintf("%s/%s", prefix, names.items[i]);
                        glob_in_root(root, next, rest + n, out);
                }
        strv_free(&names);
}

struct pending {
        char *path;
        char *importer;
};

/* The files one file's imports name, in order, appended to the queue. */
static int queue_imports(struct context *ctx, struct fixer_result *r, const struct toml_file *f,
                         struct pending **queue, size_t *n_queue) {
        struct strv imports = {};
        int k = root_strings(r, f, "imports", &imports);
        if (k < 0)
                return k;
        _cleanup_free_ char *dir = xstrndup(f->path, (size_t) (strrchr(f->path, '/') - f->path));
        for (size_t i = 0; i < imports.n; i++) {
                const char *spec = imports.items[i];
                bool relative = spec[0] != '/';
                _cleanup_free_ char *joined = relative ? xasprintf("%s/%s", dir, spec) : xstrdup(spec);
                _cleanup_free_ char *path = path_clean(joined);
                struct strv paths = {};
                if (strchr(spec, '*')) {
                        if (relative)
                                result_warn(r,
                                            "%s: imports \"%s\" relative to %s (containerd 2.0 and later); "
                                            "containerd 1.x reads it relative to its working directory",
                                            f->path, spec, *dir ? dir : "/");
                        glob_in_root(ctx->root, "/", path, &paths);
                } else
                        strv_push(&paths, TAKE_PTR(path));
                for (size_t j = 0; j < paths.n; j++) {
                        *queue = xrealloc(*queue, (*n_queue + 1) * sizeof(**queue));
                        (*queue)[(*n_queue)++] = (struct pending){ .path = TAKE_PTR(paths.items[j]),
                                                                   .importer = xstrdup(f->path) };
                }
                strv_free(&paths);
        }
        strv_free(&imports);
        return 0;
}

/* An import must say nothing or the version config.toml says: containerd 2.x migrates each file
 * from its own version, 1.x takes the last one's. */
static int check_import_version(struct fixer_result *r, const struct containerd_config *c,
                                const struct toml_file *f) {
        _cleanup_free_ char *version = NULL;
        unsigned line = 0;
        int k = toml_file_get(r, f, root_table, "version", &version, &line);
        if (k <= 0 || streq(version, c->version))
                return k < 0 ? k : 0;
        return result_refuse(r, -EBADMSG,
                             "%s:%u: version = %s, but %s is version %s: kubeprep does not mix config "
                             "versions; the files were not changed",
                             f->path, line, version, CONTAINERD_TOML, c->version);
}

/* 1 when loaded, 0 when config.toml does not exist, <0 after result_refuse(). */
static int load_file(struct context *ctx, struct fixer_result *r, struct containerd_config *c,
                     struct pending *p) {
        struct blob *read = NULL;
        int k = ctx_read_blob(ctx, p->path, &read, NULL);
        if (k == -ENOENT && !p->importer)
                return 0;
        if (k == -ENOENT)
                return result_refuse(
                        r, k,
                        "%s: imported by %s, but missing: containerd does not start (\"failed to "
                        "load TOML\"); the files were not changed",
                        p->path, p->importer);
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", p->path, read_strerror(k));
        if (c->n_files == CONTAINERD_FILES_MAX) {
                blob_unref(read);
                return result_refuse(r, -E2BIG, "%s: imports more than %d files; the files were not changed",
                                     CONTAINERD_TOML, CONTAINERD_FILES_MAX);
        }
        c->files = xrealloc(c->files, (c->n_files + 1) * sizeof(*c->files));
        /* A text that does not scan is refused by the first question asked of it, with the reason. */
        (void) toml_file_init_blob(&c->files[c->n_files++], TAKE_PTR(p->path), TAKE_PTR(p->importer), read,
                                   NULL);
        return 1;
}

static int load_main(struct context *ctx, struct fixer_result *r, struct containerd_config *c) {
        struct pending p = { .path = xstrdup(CONTAINERD_TOML) };
        int k = load_file(ctx, r, c, &p);
        free(p.path);
        if (k <= 0)
                return k;

        struct toml_file *f = &c->files[0];
        _cleanup_free_ char *version = NULL;
        unsigned line = 0;
        k = toml_file_get(r, f, root_table, "version", &version, &line);
        if (k < 0)
                return k;
        if (k == 0) {
                if ((k = migrate_v1(r, f)) < 0)
                        return k;
                c->migrated = true;
                version = xstrdup("2");
        }
        /* 4 (containerd 2.3) keeps the CRI tables of 3. */
        if (!streq(version, "2") && !streq(version, "3") && !streq(version, "4"))
                return result_refuse(r, -EBADMSG,
                                     "%s:%u: version = %s is not one kubeprep knows (2, 3 or 4); the file "
                                     "was not changed",
                                     CONTAINERD_TOML, line, version);
        c->version = TAKE_PTR(version);
        return 1;
}

int containerd_config_load(struct context *ctx, struct fixer_result *r, struct containerd_config *ret) {
        struct containerd_config c = {};
        struct pending *queue = NULL;
        size_t n_queue = 0, next = 0;
        int k = load_main(ctx, r, &c);
        if (k > 0)
                k = queue_imports(ctx, r, &c.files[0], &queue, &n_queue);
        for (; k >= 0 && next < n_queue; next++) {
                struct pending *p = &queue[next];
                bool loaded = false;
                for (size_t i = 0; i < c.n_files && !loaded; i++)
                        loaded = streq(c.files[i].path, p->path);
                if (loaded)
                        continue;
                if ((k = load_file(ctx, r, &c, p)) > 0 &&
                    (k = check_import_version(r, &c, &c.files[c.n_files - 1])) >= 0)
                        k = queue_imports(ctx, r, &c.files[c.n_files - 1], &queue, &n_queue);
        }
        for (size_t i = 0; i < n_queue; i++) {
                free(queue[i].path);
                free(queue[i].importer);
        }
        free(queue);
        if (k < 0) {
                containerd_config_free(&c);
                return k;
        }
        *ret = c;
        return c.n_files > 0;
}

int containerd_plugin_file(struct fixer_result *r, const struct containerd_config *c, const char *plugin,
                           struct toml_file **ret) {
        const char *const table[] = { "plugins", plugin, NULL };
        *ret = NULL;
        for (size_t i = 0; i < c->n_files; i++) {
                int k = toml_file_table_exists(r, &c->files[i], table);
                if (k < 0)
                        return k;
                if (k > 0)
                        *ret = &c->files[i];
        }
        return 0;
}

int containerd_config_write(struct context *ctx, struct fixer_result *r, struct containerd_config *c) {
        if (c->n_files > 0 && c->files[0].changed && c->migrated)
                result_detail(r,
                              "%s: version = 2 (it had no 'version' key: a version 1 config without "
                              "plugin tables)",
                              CONTAINERD_TOML);
        return toml_files_write(ctx, r, c->files, c->n_files, CONTAINERD_UNIT);
}

void containerd_report_foreign(struct fixer_result *r, const struct strv *foreign, struct strv *wrong) {
        for (size_t i = 0; i < foreign->n; i++)
                strv_push(wrong, xstrdup(foreign->items[i]));
        if (foreign->n && r->status != STATUS_ERROR) {
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                result_detail(
                        r,
                        "kubeprep edits containerd's files in /etc/containerd only: change %s, or import "
                        "a file of your own after it",
                        foreign->n == 1 ? "that file" : "those files");
        }
}
