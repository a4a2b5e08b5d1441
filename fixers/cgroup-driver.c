/* SPDX-License-Identifier: MIT */
/* The `cgroup-driver` fixer: docker, containerd, CRI-O and the kubelet must agree on
 * the cgroup driver, or the kubelet does not start ("misconfiguration:
 * kubelet cgroup driver: "cgroupfs" is different from docker cgroup driver:
 * "systemd"") and pods hang ("cgroup-parent for systemd cgroup should be a
 * valid slice"). */
#include "fixers/registry.h"
#include "fixers/shared/containerd-config.h"
#include "fixers/shared/crio-config.h"
#include "fixers/shared/kubelet-cgroups.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/daemon-json-edit.h"
#include "formats/toml-edit.h"

#define DAEMON_JSON "/etc/docker/daemon.json"

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
/* The type of containerd's built-in runc runtime, and of the one kubeprep writes. */
#define RUNC_RUNTIME_TYPE "\"io.containerd.runc.v2\""

/* What the fixer found out of line, for the one-line message. */
struct findings {
        struct strv wrong;   /* "docker uses cgroupfs" */
        struct strv foreign; /* wrong in a file kubeprep does not edit: "PATH (...) sets ..." */
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
        free(TAKE_PTR(text));
        k = plan_write_file_restart_take(ctx, r, DAEMON_JSON, TAKE_PTR(out), out_len, "docker.service");
        if (k < 0)
                return k;
        found(f, "docker", cur ? cur : "its default driver");
        result_detail(r, "%s: exec-opts native.cgroupdriver=%s (was %s)", DAEMON_JSON, driver,
                      cur ? cur : "unset");
        return 1;
}

/* A file kubeprep does not edit holds the wrong value: the operator's to change (sysctl's rule
 * for the sysctl.d files of other packages). */
static void foreign(struct findings *f, const struct toml_file *file, const char *what) {
        strv_push(&f->foreign,
                  xasprintf("%s (%s, imported by %s) %s", file->path,
                            startswith(file->path, "/usr/") ? "a package's file" : "not in /etc/containerd",
                            file->importer, what));
}

/* Remove "cri" from disabled_plugins: docker-ce's containerd.io ships it
 * disabled, and kubeadm then fails with "unknown service runtime.v1.RuntimeService".
 * containerd adds up the lists of every file, so each file that names it loses it. */
static int enable_cri(struct fixer_result *r, struct containerd_config *c, struct findings *f) {
        static const char *const root_table[] = { NULL };
        bool disabled = false;
        for (size_t i = 0; i < c->n_files; i++) {
                struct toml_file *file = &c->files[i];
                _cleanup_free_ char *raw = NULL;
                unsigned line = 0;
                int k = containerd_disabled_without_cri(r, file, &raw, &line);
                if (k <= 0) {
                        if (k < 0)
                                return k;
                        continue;
                }
                if (!containerd_file_editable(file)) {
                        foreign(f, file, "disables containerd's CRI plugin");
                        continue;
                }
                if ((k = toml_file_set(r, file, root_table, "disabled_plugins", raw)) < 0)
                        return k;
                disabled = true;
                result_detail(r, "%s: remove \"cri\" from disabled_plugins (kubeadm needs containerd's CRI)",
                              file->path);
        }
        if (disabled)
                strv_push(&f->wrong, xstrdup("containerd has its CRI plugin disabled"));
        return disabled;
}

/* A runc table without runtime_type replaces containerd's built-in runc
 * runtime by one of type "" (containerd issue 6964): containerd then cannot
 * run runc and its options are not runc's. 1 when the file has a runc table
 * whose runtime_type is missing or "", 0 otherwise (no table: the built-in one). */
static int runc_lacks_type(struct fixer_result *r, const struct toml_file *file, const char *const *runc) {
        _cleanup_free_ char *type = NULL, *value = NULL;
        int k = toml_file_table_exists(r, file, runc);
        if (k < 0)
                return k;
        if (k == 0)
                return 0;
        k = toml_file_get(r, file, runc, "runtime_type", &type, NULL);
        if (k < 0)
                return k;
        return k == 0 || (toml_unquote_string(type, &value) == 0 && streq(value, ""));
}

/* The file containerd takes the CRI runtime plugin's table from, and the value SystemdCgroup has
 * there ("true", "false"; NULL when unset, i.e. false). A detail says which, when imports are in
 * play, so the report names where containerd's value comes from. */
static int effective_systemd_cgroup(struct fixer_result *r, struct containerd_config *c,
                                    const char *const *options, struct toml_file **ret_file,
                                    char **ret_value) {
        struct toml_file *file = NULL;
        int k = containerd_plugin_file(r, c, containerd_runtime_plugin(c), &file);
        if (k < 0)
                return k;
        if (file && (k = toml_file_get(r, file, options, "SystemdCgroup", ret_value, NULL)) < 0)
                return k;
        if (c->n_files > 1) {
                _cleanup_free_ char *where = file ? containerd_file_describe(file) : NULL;
                if (!file)
                        result_detail(
                                r,
                                "containerd's runc runtime: SystemdCgroup = false, containerd's default "
                                "(no file configures the %s plugin)",
                                containerd_runtime_plugin(c));
                else
                        result_detail(r, "containerd's runc runtime: SystemdCgroup = %s, from %s",
                                      *ret_value ? *ret_value : "false (not set)", where);
        }
        *ret_file = file ? file : &c->files[0];
        return 0;
}

/* SystemdCgroup in runc's options, and the runc runtime type wherever the
 * runc table exists without one (also when kubeprep just created it), in the
 * file whose CRI table containerd uses. */
static int plan_runc(struct fixer_result *r, struct containerd_config *c, const char *const *runc,
                     const char *const *options, const char *want, struct findings *f) {
        _cleanup_free_ char *cur = NULL;
        struct toml_file *file;
        bool changed = false;
        int k = effective_systemd_cgroup(r, c, options, &file, &cur);
        if (k < 0)
                return k;
        /* Absent means false (cgroupfs): only systemd needs writing then. */
        bool wrong = cur ? !streq(cur, want) : streq(want, "true");
        const char *was = cur && streq(cur, "true") ? "systemd" : "cgroupfs";
        if (!containerd_file_editable(file)) {
                if (wrong) {
                        _cleanup_free_ char *what =
                                xasprintf("sets SystemdCgroup = %s", cur ? cur : "false");
                        foreign(f, file, what);
                }
                return 0;
        }
        k = runc_lacks_type(r, file, runc);
        if (k < 0)
                return k;
        bool had_no_type = k > 0;
        if (had_no_type)
                strv_push(&f->wrong, xstrdup("containerd's runc runtime has no runtime_type"));

        if (wrong) {
                if ((k = toml_file_set(r, file, options, "SystemdCgroup", want)) < 0)
                        return k;
                changed = true;
                if (file == &c->files[0])
                        found(f, "containerd", was);
                else {
                        _cleanup_free_ char *what = xasprintf("%s (from %s)", was, file->path);
                        found(f, "containerd", what);
                }
                result_detail(r, "%s: SystemdCgroup = %s (was %s)", file->path, want, cur ? cur : "unset");
        }

        if ((k = runc_lacks_type(r, file, runc)) <= 0)
                return k < 0 ? k : changed;
        if ((k = toml_file_set(r, file, runc, "runtime_type", RUNC_RUNTIME_TYPE)) < 0)
                return k;
        result_detail(r, "%s: runtime_type = %s for runc (%s)", file->path, RUNC_RUNTIME_TYPE,
                      had_no_type ? "without it containerd runs runc as a runtime of type \"\""
                                  : "a new runc table replaces containerd's built-in one");
        return 1;
}

/* A SystemdCgroup under the other schema's table has no effect: say so. */
static void warn_stray(struct fixer_result *r, const struct containerd_config *c, const char *const *other) {
        for (size_t i = 0; i < c->n_files; i++) {
                _cleanup_free_ char *stray = NULL, *err = NULL;
                unsigned line;
                if (toml_file_lookup(&c->files[i], other, "SystemdCgroup", &stray, &line, &err) > 0)
                        result_warn(
                                r,
                                "%s:%u: SystemdCgroup is set in the table of config version %s, which this "
                                "version %s config ignores",
                                c->files[i].path, line, other == runc_options_v2 ? "2" : "3", c->version);
        }
}

static int plan_containerd(struct context *ctx, struct fixer_result *r, const char *driver,
                           struct findings *f) {
        _cleanup_(containerd_config_free) struct containerd_config c = {};
        int k = containerd_config_load(ctx, r, &c);
        if (k < 0)
                return k;
        if (k == 0) {
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
                                            CONTAINERD_UNIT);
                if (k < 0)
                        return k;
                found(f, "containerd", "its default driver (cgroupfs)");
                result_detail(r, "%s: create it with SystemdCgroup = true for runc", CONTAINERD_TOML);
                return 1;
        }

        const char *const *runc = runc_v3, *const *options = runc_options_v3,
                          *const *other = runc_options_v2;
        if (streq(c.version, "2"))
                runc = runc_v2, options = runc_options_v2, other = runc_options_v3;
        if ((k = enable_cri(r, &c, f)) < 0)
                return k;
        warn_stray(r, &c, other);
        if ((k = plan_runc(r, &c, runc, options, streq(driver, "systemd") ? "true" : "false", f)) < 0)
                return k;
        return containerd_config_write(ctx, r, &c);
}

/* The Kubernetes documentation's drop-in for CRI-O on cgroupfs, for a node with none of its own. */
#define CRIO_CGROUPFS_DROPIN CRIO_CONF_DIR "/02-cgroup-manager.conf"

/* CRI-O's cgroup_manager (default systemd) and, for cgroupfs, conmon_cgroup = "pod", which CRI-O
 * requires with that manager: each in the file whose value CRI-O uses, or where the key goes. */
static int plan_crio(struct context *ctx, struct fixer_result *r, const char *driver, struct findings *f) {
        static const char *const runtime_table[] = { "crio", "runtime", NULL };
        _cleanup_(crio_config_free) struct crio_config c = {};
        int k = crio_config_load(ctx, r, &c);
        if (k < 0)
                return k;
        if (k == 0) {
                if (streq(driver, "systemd") || !node_has_program(ctx->root, "crio"))
                        return 0; /* CRI-O's built-in default is systemd */
                static const char dropin[] = "[crio.runtime]\n"
                                             "conmon_cgroup = \"pod\"\n"
                                             "cgroup_manager = \"cgroupfs\"\n";
                k = plan_write_file_restart(ctx, r, CRIO_CGROUPFS_DROPIN, dropin, sizeof(dropin) - 1,
                                            CRIO_UNIT);
                if (k < 0)
                        return k;
                found(f, "CRI-O", "its default (systemd)");
                result_detail(r,
                              "%s: create it with cgroup_manager = \"cgroupfs\" and conmon_cgroup = \"pod\"",
                              CRIO_CGROUPFS_DROPIN);
                return 1;
        }

        _cleanup_free_ char *manager = NULL, *conmon = NULL;
        struct toml_file *file = NULL;
        if ((k = crio_config_get(r, &c, runtime_table, "cgroup_manager", &file, &manager)) < 0)
                return k;
        if (!streq_ptr(manager, driver) && (manager || !streq(driver, "systemd"))) {
                struct toml_file *target = file ? file : crio_config_new_key_file(&c, runtime_table);
                if ((k = crio_set_string(r, target, runtime_table, "cgroup_manager", driver)) < 0)
                        return k;
                if (!file)
                        found(f, "CRI-O", "its default (systemd)");
                else {
                        _cleanup_free_ char *what = xasprintf("%s (from %s)", manager, file->path);
                        found(f, "CRI-O", what);
                }
                result_detail(r, "%s: cgroup_manager = \"%s\" (was %s%s%s)", target->path, driver,
                              manager ? "\"" : "", manager ? manager : "unset", manager ? "\"" : "");
                file = target;
        }
        if (streq(driver, "cgroupfs")) {
                struct toml_file *cfile = NULL;
                if ((k = crio_config_get(r, &c, runtime_table, "conmon_cgroup", &cfile, &conmon)) < 0)
                        return k;
                if (!streq_ptr(conmon, "pod")) {
                        struct toml_file *target = cfile  ? cfile
                                                   : file ? file
                                                          : crio_config_new_key_file(&c, runtime_table);
                        if ((k = crio_set_string(r, target, runtime_table, "conmon_cgroup", "pod")) < 0)
                                return k;
                        strv_push(&f->wrong,
                                  xstrdup("CRI-O's conmon_cgroup is not \"pod\", which cgroupfs needs"));
                        result_detail(
                                r,
                                "%s: conmon_cgroup = \"pod\" (was %s%s%s; CRI-O requires it with cgroupfs)",
                                target->path, conmon ? "\"" : "", conmon ? conmon : "unset",
                                conmon ? "\"" : "");
                }
        }
        return toml_files_write(ctx, r, c.files, c.n_files, CRIO_UNIT);
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
                plan_crio(ctx, r, driver, &f),
                plan_kubelet_config(ctx, r, driver, &f),
                plan_kubelet_flag_where_set(ctx, r, "cgroup-driver", driver),
                /* The kubelet's side of the node's cgroups: config.yaml, like cgroupDriver. */
                plan_kubelet_cgroup_v1(ctx, r),
        };
        if (results[4] > 0)
                strv_push(&f.wrong, xstrdup("a kubelet flag file sets another --cgroup-driver"));
        if (results[5] > 0)
                strv_push(&f.wrong, xasprintf("kubelet %s refuses cgroup v1 without failCgroupV1: false",
                                              ctx->node.kubelet_version));
        int refused = 0;
        for (size_t i = 0; i < ELEMENTSOF(results); i++)
                if (results[i] < 0)
                        refused = results[i];
        /* Files kubeprep does not edit: drift only the operator can fix. */
        containerd_report_foreign(r, &f.foreign, &f.wrong);
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
        strv_free(&f.foreign);
        return refused;
}

const struct fixer fixer_cgroup_driver = {
        .name = "cgroup-driver",
        .description = "docker, containerd, CRI-O and the kubelet all use the profile's cgroup driver",
        .plan = cgroup_driver_plan,
};
