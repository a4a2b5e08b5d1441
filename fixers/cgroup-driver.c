/* SPDX-License-Identifier: MIT */
/* The `cgroup-driver` fixer: docker, containerd and the kubelet must agree on
 * the cgroup driver, or the kubelet does not start ("misconfiguration:
 * kubelet cgroup driver: "cgroupfs" is different from docker cgroup driver:
 * "systemd"") and pods hang ("cgroup-parent for systemd cgroup should be a
 * valid slice"). */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-cgroups.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/daemon-json-edit.h"
#include "formats/toml-edit.h"

#define DAEMON_JSON "/etc/docker/daemon.json"
#define CONTAINERD_TOML "/etc/containerd/config.toml"

/* The runc runtime and its options table in each containerd config schema (docs/kubernetes-facts.md §7). */
static const char *const runc_v2[] = { "plugins",    "io.containerd.grpc.v1.cri",
                                       "containerd", "runtimes",
                                       "runc",       NULL };
static const char *const runc_options_v2[] = {
        "plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "runc", "options", NULL
};
static const char *const runc_v3[] = { "plugins",    "io.containerd.cri.v1.runtime",
                                       "containerd", "runtimes",
                                       "runc",       NULL };
static const char *const runc_options_v3[] = {
        "plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "runc", "options", NULL
};
static const char *const root_table[] = { NULL };
static const char *const plugins_table[] = { "plugins", NULL };
/* The type of containerd's built-in runc runtime, and of the one kubeprep writes. */
#define RUNC_RUNTIME_TYPE "\"io.containerd.runc.v2\""

/* What the fixer found out of line, for the one-line message. */
struct findings {
        struct strv wrong; /* "docker uses cgroupfs" */
};

static void found(struct findings *f, const char *who, const char *what) {
        strv_push(&f->wrong, xasprintf("%s uses %s", who, what));
}

static int plan_docker(struct context *ctx, struct fixer_result *r, const char *driver, struct findings *f) {
        _cleanup_free_ char *text = NULL, *cur = NULL, *out = NULL, *err = NULL;
        size_t len = 0, out_len;
        int k = ctx_read_file(ctx, DAEMON_JSON, &text, &len, NULL);
        if (k == -ENOENT) {
                /* Only a node with docker installed needs a daemon.json. */
                if (!node_has_program(ctx->root, "dockerd"))
                        return 0;
                text = xstrdup("");
                len = 0;
        } else if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", DAEMON_JSON, read_strerror(k));
        k = daemon_json_get_cgroup_driver(text, len, &cur, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", DAEMON_JSON, err);
        k = daemon_json_set_cgroup_driver(text, len, driver, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", DAEMON_JSON, err);
        if (k == 0)
                return 0;
        k = plan_write_file_restart(ctx, r, DAEMON_JSON, out, out_len, "docker.service");
        if (k < 0)
                return k;
        found(f, "docker", cur ? cur : "its default driver");
        result_detail(r, "%s: exec-opts native.cgroupdriver=%s (was %s)", DAEMON_JSON, driver,
                      cur ? cur : "unset");
        return 1;
}

/* Set key in table of the config.toml being planned (*text replaced when changed). */
static int toml_set(struct fixer_result *r, char **text, size_t *len, const char *const *table,
                    const char *key, const char *value) {
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t out_len;
        int k = toml_set_value(*text, *len, table, key, value, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        if (k > 0) {
                free(*text);
                *text = TAKE_PTR(out);
                *len = out_len;
        }
        return k;
}

/* disabled_plugins' raw text without the CRI's names in *ret_raw (NULL when
 * absent), its line, and 1 when the CRI was in it. */
static int disabled_without_cri(struct fixer_result *r, const char *text, size_t len, char **ret_raw,
                                unsigned *ret_line) {
        static const char *const cri_ids[] = { "cri", "io.containerd.grpc.v1.cri" };
        _cleanup_free_ char *raw = NULL, *err = NULL;
        bool removed = false;
        int k = toml_get_value(text, len, root_table, "disabled_plugins", &raw, ret_line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        for (size_t i = 0; k > 0 && i < ELEMENTSOF(cri_ids); i++) {
                _cleanup_free_ char *next = NULL;
                int d = toml_string_array_remove(raw, cri_ids[i], &next, &err);
                if (d < 0)
                        return result_refuse(r, d, "%s:%u: disabled_plugins: %s; the file was not changed",
                                             CONTAINERD_TOML, *ret_line, err);
                if (d > 0) {
                        free(raw);
                        raw = TAKE_PTR(next);
                        removed = true;
                }
        }
        *ret_raw = TAKE_PTR(raw);
        return removed;
}

/* Remove "cri" from disabled_plugins: docker-ce's containerd.io ships it
 * disabled, and kubeadm then fails with "unknown service runtime.v1.RuntimeService". */
static int enable_cri(struct fixer_result *r, char **text, size_t *len, struct findings *f) {
        _cleanup_free_ char *raw = NULL;
        unsigned line = 0;
        int k = disabled_without_cri(r, *text, *len, &raw, &line);
        if (k <= 0)
                return k;
        if ((k = toml_set(r, text, len, root_table, "disabled_plugins", raw)) < 0)
                return k;
        strv_push(&f->wrong, xstrdup("containerd has its CRI plugin disabled"));
        result_detail(r, "%s: remove \"cri\" from disabled_plugins (kubeadm needs containerd's CRI)",
                      CONTAINERD_TOML);
        return 1;
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

/* The number of strings in an array of the root table (0 when absent). */
static int root_array_length(struct fixer_result *r, const char *text, size_t len, const char *key,
                             size_t *ret_n) {
        _cleanup_free_ char *raw = NULL, *err = NULL;
        unsigned line = 0;
        *ret_n = 0;
        int k = toml_get_value(text, len, root_table, key, &raw, &line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        if (k > 0 && (k = toml_string_array_length(raw, ret_n, &err)) < 0)
                return result_refuse(r, k, "%s:%u: %s: %s; the file was not changed", CONTAINERD_TOML, line,
                                     key, err);
        return 0;
}

/* docker-ce's containerd.io ships a version 1 config.toml with nothing but
 * disabled_plugins = ["cri"]. Without plugin tables, imports or plugin names,
 * version 1 and 2 mean the same; "version = 2" then lets the runc tables be
 * written with the version 2 plugin names. Other version 1 configs are refused. */
static int migrate_v1(struct fixer_result *r, char **text, size_t *len) {
        _cleanup_free_ char *disabled = NULL, *err = NULL;
        unsigned line = 0;
        size_t n;
        int k = toml_table_exists(*text, *len, plugins_table, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        if (k > 0)
                return refuse_v1(r, "with plugin tables");
        if ((k = root_array_length(r, *text, *len, "imports", &n)) < 0)
                return k;
        if (n > 0) /* the imported files may hold version 1 plugin tables */
                return refuse_v1(r, "that imports other files");
        /* Version 1 names plugins by ID ("aufs"), version 2 by URI, and refuses IDs. */
        if ((k = root_array_length(r, *text, *len, "required_plugins", &n)) < 0)
                return k;
        if (n > 0)
                return refuse_v1(r, "whose required_plugins names plugins");
        if ((k = disabled_without_cri(r, *text, *len, &disabled, &line)) < 0)
                return k;
        n = 0;
        if (disabled && (k = toml_string_array_length(disabled, &n, &err)) < 0)
                return result_refuse(r, k, "%s:%u: disabled_plugins: %s; the file was not changed",
                                     CONTAINERD_TOML, line, err);
        if (n > 0)
                return refuse_v1(r, "whose disabled_plugins names other plugins than the CRI");
        return toml_set(r, text, len, root_table, "version", "2");
}

/* A runc table without runtime_type replaces containerd's built-in runc
 * runtime by one of type "" (containerd issue 6964): containerd then cannot
 * run runc and its options are not runc's. 1 when the file has a runc table
 * whose runtime_type is missing or "", 0 otherwise (no table: the built-in one). */
static int runc_lacks_type(struct fixer_result *r, const char *text, size_t len, const char *const *runc) {
        _cleanup_free_ char *type = NULL, *value = NULL, *err = NULL;
        int k = toml_table_exists(text, len, runc, &err);
        if (k > 0)
                k = toml_get_value(text, len, runc, "runtime_type", &type, NULL, &err);
        else if (k == 0)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        return k == 0 || (toml_unquote_string(type, &value) == 0 && streq(value, ""));
}

/* SystemdCgroup in runc's options, and the runc runtime type wherever the
 * runc table exists without one (also when kubeprep just created it). */
static int plan_runc(struct fixer_result *r, char **text, size_t *len, const char *const *runc,
                     const char *const *options, const char *want, struct findings *f) {
        _cleanup_free_ char *cur = NULL, *err = NULL;
        bool changed = false;
        int k = runc_lacks_type(r, *text, *len, runc);
        if (k < 0)
                return k;
        bool had_no_type = k > 0;
        if (had_no_type)
                strv_push(&f->wrong, xstrdup("containerd's runc runtime has no runtime_type"));

        k = toml_get_value(*text, *len, options, "SystemdCgroup", &cur, NULL, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        /* Absent means false (cgroupfs): only systemd needs writing then. */
        if (k > 0 ? !streq(cur, want) : streq(want, "true")) {
                if ((k = toml_set(r, text, len, options, "SystemdCgroup", want)) < 0)
                        return k;
                changed = true;
                found(f, "containerd", cur && streq(cur, "true") ? "systemd" : "cgroupfs");
                result_detail(r, "%s: SystemdCgroup = %s (was %s)", CONTAINERD_TOML, want,
                              cur ? cur : "unset");
        }

        if ((k = runc_lacks_type(r, *text, *len, runc)) <= 0)
                return k < 0 ? k : changed;
        if ((k = toml_set(r, text, len, runc, "runtime_type", RUNC_RUNTIME_TYPE)) < 0)
                return k;
        result_detail(r, "%s: runtime_type = %s for runc (%s)", CONTAINERD_TOML, RUNC_RUNTIME_TYPE,
                      had_no_type ? "without it containerd runs runc as a runtime of type \"\""
                                  : "a new runc table replaces containerd's built-in one");
        return 1;
}

static int plan_containerd(struct context *ctx, struct fixer_result *r, const char *driver,
                           struct findings *f) {
        _cleanup_free_ char *text = NULL, *version = NULL, *stray = NULL, *err = NULL;
        size_t len;
        unsigned line = 0;
        int k = ctx_read_file(ctx, CONTAINERD_TOML, &text, &len, NULL);
        if (k == -ENOENT) {
                if (!streq(driver, "systemd") || !node_has_program(ctx->root, "containerd"))
                        return 0; /* containerd's built-in default is cgroupfs */
                /* Version 2 is read by containerd 1.x and migrated by 2.x. */
                static const char minimal[] =
                        "version = 2\n"
                        "\n"
                        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
                        "  runtime_type = " RUNC_RUNTIME_TYPE "\n"
                        "\n"
                        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                        "  SystemdCgroup = true\n";
                k = plan_write_file_restart(ctx, r, CONTAINERD_TOML, minimal, sizeof(minimal) - 1,
                                            "containerd.service");
                if (k < 0)
                        return k;
                found(f, "containerd", "its default driver (cgroupfs)");
                result_detail(r, "%s: create it with SystemdCgroup = true for runc", CONTAINERD_TOML);
                return 1;
        }
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", CONTAINERD_TOML, read_strerror(k));

        k = toml_get_value(text, len, root_table, "version", &version, &line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        /* The migration counts as a change only together with another one. */
        bool migrated = k == 0;
        if (migrated) {
                if ((k = migrate_v1(r, &text, &len)) < 0)
                        return k;
                version = xstrdup("2");
        }
        const char *const *runc, *const *options, *const *other;
        if (streq(version, "2"))
                runc = runc_v2, options = runc_options_v2, other = runc_options_v3;
        else if (streq(version, "3") || streq(version, "4")) /* 4 (containerd 2.3) keeps 3's CRI tables */
                runc = runc_v3, options = runc_options_v3, other = runc_options_v2;
        else
                return result_refuse(r, -EBADMSG,
                                     "%s:%u: version = %s is not one kubeprep knows (2, 3 or 4); the file "
                                     "was not changed",
                                     CONTAINERD_TOML, line, version);

        bool changed = false;
        k = enable_cri(r, &text, &len, f);
        if (k < 0)
                return k;
        changed = k > 0;

        /* A SystemdCgroup under the other schema's table has no effect: say so. */
        unsigned stray_line;
        if (toml_get_value(text, len, other, "SystemdCgroup", &stray, &stray_line, &err) > 0)
                result_warn(r,
                            "%s:%u: SystemdCgroup is set in the table of config version %s, which this "
                            "version %s config ignores",
                            CONTAINERD_TOML, stray_line, options == runc_options_v2 ? "3" : "2", version);

        const char *want = streq(driver, "systemd") ? "true" : "false";
        if ((k = plan_runc(r, &text, &len, runc, options, want, f)) < 0)
                return k;
        changed = changed || k > 0;
        if (!changed)
                return 0;
        if (migrated)
                result_detail(r,
                              "%s: version = 2 (it had no 'version' key: a version 1 config without plugin "
                              "tables)",
                              CONTAINERD_TOML);
        return plan_write_file_restart(ctx, r, CONTAINERD_TOML, text, len, "containerd.service");
}

/* config.yaml's cgroupDriver, and the kubeadm patch that keeps it. */
static int plan_kubelet_config(struct context *ctx, struct fixer_result *r, const char *driver,
                               struct findings *f) {
        static const char *const path[] = { "cgroupDriver", NULL };
        _cleanup_free_ char *old = NULL;
        int k = plan_kubelet_setting(ctx, r, path, driver, &old);
        if (k > 0)
                found(f, "the kubelet", old ? old : "cgroupfs");
        return k;
}

static int cgroup_driver_plan(struct context *ctx, struct fixer_result *r) {
        const char *driver = cgroup_driver_to_string(ctx->profile->cgroup_driver);
        if (streq(driver, "systemd") && !streq_ptr(ctx->node.init, "systemd")) {
                result_warn(r, "the profile wants the systemd cgroup driver, but %s; using cgroupfs",
                            ctx->node.init ? "this node's init is not systemd" : "the tree has no systemd");
                driver = "cgroupfs";
        }
        struct findings f = {};
        int results[] = {
                plan_docker(ctx, r, driver, &f),
                plan_containerd(ctx, r, driver, &f),
                plan_kubelet_config(ctx, r, driver, &f),
                plan_kubelet_flag_where_set(ctx, r, "cgroup-driver", driver),
                /* The kubelet's side of the node's cgroups: config.yaml, like cgroupDriver. */
                plan_kubelet_cgroup_v1(ctx, r),
        };
        if (results[3] > 0)
                strv_push(&f.wrong, xstrdup("a kubelet flag file sets another --cgroup-driver"));
        if (results[4] > 0)
                strv_push(&f.wrong, xasprintf("kubelet %s refuses cgroup v1 without failCgroupV1: false",
                                              ctx->node.kubelet_version));
        int refused = 0;
        for (size_t i = 0; i < ELEMENTSOF(results); i++)
                if (results[i] < 0)
                        refused = results[i];
        if (f.wrong.n) {
                _cleanup_free_ char *wrong = strv_join(&f.wrong, ", ");
                if (r->status != STATUS_ERROR)
                        result_message(r, "%s; the profile wants %s", wrong, driver);
                else
                        result_detail(r, "%s; the profile wants %s", wrong, driver);
        } else if (!r->message && !plan_is_empty(r))
                result_message(r,
                               "every runtime and the kubelet use %s; the kubeadm patch does not say so yet",
                               driver);
        else if (!r->message)
                result_message(r, "every runtime and the kubelet use %s (or nothing sets a driver)", driver);
        strv_free(&f.wrong);
        return refused;
}

const struct fixer fixer_cgroup_driver = {
        .name = "cgroup-driver",
        .description = "docker, containerd and the kubelet all use the profile's cgroup driver",
        .plan = cgroup_driver_plan,
};
