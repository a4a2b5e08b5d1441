/* SPDX-License-Identifier: MIT */
/* The `cgroup-driver` fixer: docker, containerd and the kubelet must agree on
 * the cgroup driver, or the kubelet does not start ("misconfiguration:
 * kubelet cgroup driver: "cgroupfs" is different from docker cgroup driver:
 * "systemd"") and pods hang ("cgroup-parent for systemd cgroup should be a
 * valid slice"). */
#include "fixers.h"
#include "json-edit.h"
#include "kubelet-cgroups.h"
#include "kubelet-files.h"
#include "toml-edit.h"

#define DAEMON_JSON "/etc/docker/daemon.json"
#define CONTAINERD_TOML "/etc/containerd/config.toml"

/* The runc options table of each containerd config schema (design.md §6). */
static const char *const runc_options_v2[] = {
        "plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "runc", "options", NULL};
static const char *const runc_options_v3[] = {
        "plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "runc", "options", NULL};
static const char *const root_table[] = {NULL};

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
                return result_refuse(r, k, "%s: cannot read: %s", DAEMON_JSON, strerror(-k));
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
        result_detail(r, "%s: exec-opts native.cgroupdriver=%s (was %s)", DAEMON_JSON, driver, cur ? cur : "unset");
        return 1;
}

/* Remove "cri" from disabled_plugins: docker-ce's containerd.io ships it
 * disabled, and kubeadm then fails with "unknown service runtime.v1.RuntimeService". */
static int enable_cri(struct fixer_result *r, char **text, size_t *len, struct findings *f) {
        _cleanup_free_ char *raw = NULL, *err = NULL;
        unsigned line;
        int k = toml_get_value(*text, *len, root_table, "disabled_plugins", &raw, &line, &err);
        if (k <= 0)
                return k < 0 ? result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err) : 0;
        bool changed = false;
        static const char *const cri_ids[] = {"cri", "io.containerd.grpc.v1.cri"};
        for (size_t i = 0; i < ELEMENTSOF(cri_ids); i++) {
                _cleanup_free_ char *next = NULL;
                k = toml_string_array_remove(raw, cri_ids[i], &next, &err);
                if (k < 0)
                        return result_refuse(r, k, "%s:%u: disabled_plugins: %s; the file was not changed",
                                             CONTAINERD_TOML, line, err);
                if (k > 0) {
                        free(raw);
                        raw = TAKE_PTR(next);
                        changed = true;
                }
        }
        if (!changed)
                return 0;
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        k = toml_set_value(*text, *len, root_table, "disabled_plugins", raw, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        free(*text);
        *text = TAKE_PTR(out);
        *len = out_len;
        strv_push(&f->wrong, xstrdup("containerd has its CRI plugin disabled"));
        result_detail(r, "%s: remove \"cri\" from disabled_plugins (kubeadm needs containerd's CRI)", CONTAINERD_TOML);
        return 1;
}

static int plan_containerd(struct context *ctx, struct fixer_result *r, const char *driver, struct findings *f) {
        _cleanup_free_ char *text = NULL, *version = NULL, *cur = NULL, *stray = NULL, *err = NULL;
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
                        "  runtime_type = \"io.containerd.runc.v2\"\n"
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
                return result_refuse(r, k, "%s: cannot read: %s", CONTAINERD_TOML, strerror(-k));

        k = toml_get_value(text, len, root_table, "version", &version, &line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        if (k == 0)
                return result_refuse(r, -EBADMSG,
                                     "%s: no 'version' key (a version 1 config, which kubeprep does not edit); "
                                     "the file was not changed: regenerate it with 'containerd config default'",
                                     CONTAINERD_TOML);
        const char *const *table, *const *other;
        if (streq(version, "2"))
                table = runc_options_v2, other = runc_options_v3;
        else if (streq(version, "3"))
                table = runc_options_v3, other = runc_options_v2;
        else
                return result_refuse(r, -EBADMSG, "%s:%u: version = %s is not one kubeprep knows (2 or 3); the file was not changed",
                                     CONTAINERD_TOML, line, version);

        bool changed = false;
        k = enable_cri(r, &text, &len, f);
        if (k < 0)
                return k;
        changed = k > 0;

        /* A SystemdCgroup under the other schema's table has no effect: say so. */
        unsigned stray_line;
        if (toml_get_value(text, len, other, "SystemdCgroup", &stray, &stray_line, &err) > 0)
                result_warn(r, "%s:%u: SystemdCgroup is set in the table of config version %s, which this "
                            "version %s config ignores",
                            CONTAINERD_TOML, stray_line, table == runc_options_v2 ? "3" : "2", version);

        const char *want = streq(driver, "systemd") ? "true" : "false";
        k = toml_get_value(text, len, table, "SystemdCgroup", &cur, &line, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
        /* Absent means false (cgroupfs): only systemd needs writing then. */
        bool wrong = k > 0 ? !streq(cur, want) : streq(want, "true");
        if (wrong) {
                _cleanup_free_ char *out = NULL;
                size_t out_len;
                k = toml_set_value(text, len, table, "SystemdCgroup", want, &out, &out_len, &err);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s; the file was not changed", CONTAINERD_TOML, err);
                free(text);
                text = TAKE_PTR(out);
                len = out_len;
                changed = true;
                found(f, "containerd",
                      k > 0 && cur && streq(cur, "true") ? "systemd" : "cgroupfs");
                result_detail(r, "%s: SystemdCgroup = %s (was %s)", CONTAINERD_TOML, want, cur ? cur : "unset");
        }
        if (!changed)
                return 0;
        return plan_write_file_restart(ctx, r, CONTAINERD_TOML, text, len, "containerd.service");
}

/* config.yaml's cgroupDriver, and the kubeadm patch that keeps it. */
static int plan_kubelet_config(struct context *ctx, struct fixer_result *r, const char *driver, struct findings *f) {
        static const char *const path[] = {"cgroupDriver", NULL};
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
                struct buf m = {};
                for (size_t i = 0; i < f.wrong.n; i++)
                        buf_printf(&m, "%s%s", i ? ", " : "", f.wrong.items[i]);
                buf_printf(&m, "; the profile wants %s", driver);
                if (r->status != STATUS_ERROR)
                        r->message = buf_steal(&m);
                else {
                        strv_push(&r->details, buf_steal(&m));
                }
        } else if (!r->message && !plan_is_empty(r))
                result_message(r, "every runtime and the kubelet use %s; the kubeadm patch does not say so yet", driver);
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
