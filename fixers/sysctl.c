/* SPDX-License-Identifier: MIT */
/* The `sysctl` fixer: pods need IP forwarding, and kube-proxy/CNI need bridged traffic to pass
 * iptables (br_netfilter's bridge-nf-call-*); set live and persisted in files kubeprep owns. */
#include "fixers/registry.h"
#include "formats/sysctl-conf.h"
#include "system/sysctl-live.h"

#define SYSCTL_CONF "/etc/sysctl.d/99-kubeprep.conf"
#define MODULES_CONF "/etc/modules-load.d/kubeprep.conf"

static const char *const settings[] = {
        "net.ipv4.ip_forward",
        "net.bridge.bridge-nf-call-iptables",
        "net.bridge.bridge-nf-call-ip6tables",
};
#define WANT "1"

/* The bridge settings exist only while br_netfilter is loaded. */
static bool is_bridge(const char *name) {
        return startswith(name, "net.bridge.") != NULL;
}

/* Files kubeprep owns: written exactly. br_netfilter is always listed, so the bridge settings are
 * always persisted (systemd-sysctl runs after systemd-modules-load). */
static const char sysctl_conf_text[] =
        "# Written by kubeprep (the sysctl fixer), which rewrites it: put other settings in a file of your "
        "own.\n"
        "# Kubernetes needs IP forwarding, and bridged pod traffic seen by iptables (br_netfilter,\n"
        "# loaded at boot by " MODULES_CONF ").\n"
        "net.ipv4.ip_forward = 1\n"
        "net.bridge.bridge-nf-call-iptables = 1\n"
        "net.bridge.bridge-nf-call-ip6tables = 1\n";
static const char modules_conf_text[] =
        "# Written by kubeprep (the sysctl fixer), which rewrites it: list other modules in a file of your "
        "own.\n"
        "# overlay for the container runtimes' overlayfs snapshotter, br_netfilter for\n"
        "# net.bridge.bridge-nf-call-iptables (" SYSCTL_CONF ").\n"
        "overlay\n"
        "br_netfilter\n";

static int do_sysctl(const struct live_action *a, char **ret_error) {
        _cleanup_free_ char *name = xstrdup(a->target);
        char *eq = strchr(name, '=');
        if (!eq)
                return -EINVAL;
        *eq = 0;
        int k = sysctl_write(name, eq + 1, ret_error);
        return k < 0 ? k : 0;
}

static int plan_owned_file(struct context *ctx, struct fixer_result *r, const char *path, const char *text,
                           struct strv *found) {
        int k = plan_write_file(ctx, r, path, text, strlen(text), 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", path, read_strerror(k));
        if (k > 0) {
                bool existed = r->edits[r->n_edits - 1].existed;
                result_detail(r, "%s: %s", path, existed ? "rewrite with kubeprep's settings" : "create");
                strv_push(found, xasprintf("%s %s", path, existed ? "differs" : "missing"));
        }
        return k;
}

/* Settings in files that systemd-sysctl applies after ours, which would undo them at boot. */
static int check_overrides(struct context *ctx, struct fixer_result *r, struct strv *problems) {
        struct strv files = {};
        int k = sysctl_conf_files(ctx->root, SYSCTL_CONF, &files);
        if (k < 0)
                return result_refuse(r, k, "cannot list the sysctl.d directories: %s", strerror(-k));
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                _cleanup_free_ char *win_value = NULL;
                const char *win_path = NULL;
                unsigned win_line = 0;
                for (size_t i = 0; i < files.n; i++) {
                        _cleanup_free_ char *text = NULL, *value = NULL;
                        size_t len;
                        unsigned line;
                        k = ctx_read_file(ctx, files.items[i], &text, &len, NULL);
                        if (k < 0) /* masked (-> /dev/null), gone, unreadable: applies nothing */
                                continue;
                        if (sysctl_conf_find(text, len, settings[s], &value, &line) > 0) {
                                free(win_value);
                                win_value = TAKE_PTR(value);
                                win_path = files.items[i];
                                win_line = line;
                        }
                }
                if (win_path && !streq(win_path, SYSCTL_CONF) && !sysctl_value_equal(win_value, WANT))
                        strv_push(problems,
                                  xasprintf("%s:%u sets %s = %s and is applied after %s at boot", win_path,
                                            win_line, settings[s], win_value, SYSCTL_CONF));
        }
        strv_free(&files);
        return 0;
}

/* Plan a live write for each setting that differs. The net.bridge settings exist while br_netfilter
 * is loaded (built in or a module), in every network namespace. Returns <0 after result_fail(). */
static int plan_live(struct context *ctx, struct fixer_result *r, struct strv *found) {
        if (!ctx->root->live)
                return 0;
        bool told = false;
        for (size_t s = 0; s < ELEMENTSOF(settings); s++) {
                _cleanup_free_ char *value = NULL, *err = NULL;
                int k = sysctl_read(settings[s], &value, &err);
                if (k == -ENOENT && is_bridge(settings[s])) {
                        if (!told)
                                result_detail(r,
                                              "br_netfilter is not loaded%s: the net.bridge settings apply "
                                              "when it "
                                              "loads at boot (%s)",
                                              kernel_module_loaded("br_netfilter")
                                                      ? " in this network namespace"
                                                      : "",
                                              MODULES_CONF);
                        told = true;
                        continue;
                }
                if (k < 0)
                        return result_fail(r, k, "%s", err ? err : strerror(-k));
                if (sysctl_value_equal(value, WANT))
                        continue;
                _cleanup_free_ char *target = xasprintf("%s=%s", settings[s], WANT);
                plan_action(r, "sysctl", target, do_sysctl);
                strv_push(found, xasprintf("%s is %s", settings[s], value));
        }
        return 0;
}

static int sysctl_plan(struct context *ctx, struct fixer_result *r) {
        struct strv found = {}, problems = {};
        int k = plan_live(ctx, r, &found);
        if (k >= 0)
                k = plan_owned_file(ctx, r, SYSCTL_CONF, sysctl_conf_text, &found);
        if (k >= 0)
                k = plan_owned_file(ctx, r, MODULES_CONF, modules_conf_text, &found);
        if (k >= 0)
                k = check_overrides(ctx, r, &problems);
        if (k < 0) {
                strv_free(&found);
                strv_free(&problems);
                return k;
        }

        _cleanup_free_ char *overrides = strv_join(&problems, "; "), *findings = strv_join(&found, ", ");
        if (problems.n) {
                /* kubeprep does not edit other packages' files: the operator decides. */
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                result_detail(r, "remove or change %s so the setting is 1",
                              problems.n == 1 ? "that line" : "those lines");
        }
        if (problems.n || found.n)
                result_message(r, "%s%s%s", overrides, problems.n && found.n ? "; " : "", findings);
        else
                result_message(r, "net.ipv4.ip_forward and the bridge netfilter settings are 1%s",
                               ctx->root->live ? " live and persisted" : " in the tree's configuration");
        strv_free(&found);
        strv_free(&problems);
        return 0;
}

const struct fixer fixer_sysctl = {
        .name = "sysctl",
        .description = "net.ipv4.ip_forward=1 and the bridge netfilter settings, live and persisted",
        .plan = sysctl_plan,
};
