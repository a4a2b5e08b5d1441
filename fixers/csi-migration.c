/* SPDX-License-Identifier: MIT */
/* The `csi-migration` fixer: a kubelet skewed from its control plane keeps
 * CSIMigration off while it still accepts the gate (<= 1.24). From 1.25 the
 * kubelet exits on that gate, so a stale one is removed. A skew outside the
 * version skew policy is reported whatever the gate. */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/yaml-edit.h"

static const char *const gate[] = { "featureGates", "CSIMigration", NULL };

/* Why kubelet k and control plane c are outside the version skew policy, or
 * NULL: the kubelet may not be newer, and may be older by 2 minors (3 when the
 * control plane is >= 1.28). Patch releases do not count. */
static char *skew_violation(const struct kversion *k, const struct kversion *c) {
        if (k->major != c->major)
                return xasprintf("kubelet %u.%u and control plane %u.%u differ in major version", k->major,
                                 k->minor, c->major, c->minor);
        if (k->minor > c->minor)
                return xasprintf("kubelet %u.%u is newer than the control plane %u.%u", k->major, k->minor,
                                 c->major, c->minor);
        unsigned allowed = version_at_least(c, 1, 28) ? 3 : 2;
        if (c->minor - k->minor > allowed)
                return xasprintf(
                        "kubelet %u.%u is %u minor versions older than the control plane %u.%u (at most %u)",
                        k->major, k->minor, c->minor - k->minor, c->major, c->minor, allowed);
        return NULL;
}

/* Skewed in the sense that matters for CSI migration: the two run different
 * minors, or the kubelet is newer (a patch is compared when both have one). */
static bool skewed(const struct kversion *k, const struct kversion *c) {
        if (k->major != c->major || k->minor != c->minor)
                return true;
        return k->has_patch && c->has_patch && k->patch > c->patch;
}

static bool is_true(const char *v) {
        return streq(v, "true") || streq(v, "True") || streq(v, "TRUE");
}

/* A kubelet >= 1.25 exits on CSIMigration: false ("feature is locked to
 * true"), and from 1.27 on any CSIMigration ("unrecognized feature gate").
 * Returns 1 when a removal is planned, 0 when nothing is stale. */
static int remove_stale_gate(struct context *ctx, struct fixer_result *r, const struct kversion *k) {
        const char *const files[] = { KUBELET_CONFIG, KUBELET_CONFIG_PATCH };
        bool stale = false;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *v = NULL;
                int n = kubelet_yaml_get(ctx, r, files[i], gate, &v);
                if (n < 0)
                        return n;
                if (n > 0 && (version_at_least(k, 1, 27) || !is_true(v)))
                        stale = true;
        }
        if (!stale)
                return 0;
        int n = plan_kubelet_setting_remove(ctx, r, gate);
        return n < 0 ? n : 1;
}

/* The versions a fixer is missing, as a skip that names the option (and why
 * the API server did not say, when it was asked). */
static void skip_unknown(struct context *ctx, struct fixer_result *r, const char *what, const char *note,
                         const char *options) {
        for (size_t i = 0; i < ctx->node.version_notes.n; i++)
                result_warn(r, "%s", ctx->node.version_notes.items[i]);
        result_skip(r, "%s version unknown: %s%spass %s", what, strempty(note), note ? "; " : "", options);
}

static int csi_migration_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (n->error)
                return result_refuse(r, -EINVAL, "%s", n->error);
        if (!n->kubelet_version) {
                skip_unknown(ctx, r, "kubelet", NULL, "--kubelet-version");
                return 0;
        }
        const struct kversion *k = &n->kubelet, *c = n->control_plane_version ? &n->control_plane : NULL;
        const char *kv = n->kubelet_version, *cv = n->control_plane_version;
        struct buf m = {};

        if (version_at_least(k, 1, 25)) {
                int s = remove_stale_gate(ctx, r, k);
                if (s < 0)
                        return s;
                if (s > 0)
                        buf_printf(&m, "kubelet %s exits on a CSIMigration gate (%s)", kv,
                                   version_at_least(k, 1, 27) ? "unrecognized feature gate since 1.27"
                                                              : "locked to true in 1.25 and 1.26");
                else
                        buf_printf(&m, "kubelet %s: no CSIMigration gate, as it needs (GA since 1.25)", kv);
                /* So that check on a worker shows the version its API server gave, as on older kubelets. */
                if (c)
                        buf_printf(&m, "; control plane %s", cv);
                if (!c)
                        result_warn(r,
                                    "control plane version unknown: %s%spass --control-plane-version or "
                                    "--kubeadm-config to check the version skew",
                                    strempty(n->control_plane_note), n->control_plane_note ? "; " : "");
        } else if (!c) {
                skip_unknown(ctx, r, "control plane", n->control_plane_note,
                             "--control-plane-version or --kubeadm-config");
                return 0;
        } else if (!version_at_least(k, 1, 14)) {
                /* The gate came with 1.14; an older kubelet would exit on it. */
                buf_printf(&m, "kubelet %s predates the CSIMigration gate", kv);
        } else if (skewed(k, c)) {
                _cleanup_free_ char *old = NULL;
                int s = plan_kubelet_setting(ctx, r, gate, "false", &old);
                if (s < 0)
                        return s;
                if (plan_is_empty(r))
                        buf_printf(&m,
                                   "kubelet %s and control plane %s are skewed; CSIMigration is disabled",
                                   kv, cv);
                else if (s > 0 && old)
                        buf_printf(&m,
                                   "kubelet %s and control plane %s are skewed and CSIMigration is %s, not "
                                   "false",
                                   kv, cv, old);
                else if (s > 0)
                        buf_printf(&m,
                                   "kubelet %s and control plane %s are skewed and CSIMigration is not "
                                   "disabled",
                                   kv, cv);
                else
                        buf_printf(&m,
                                   "kubelet %s and control plane %s are skewed; the kubeadm patch lacks "
                                   "CSIMigration: false",
                                   kv, cv);
        } else
                buf_printf(&m,
                           "kubelet %s and control plane %s are not skewed; CSIMigration is left as it is",
                           kv, cv);

        _cleanup_free_ char *violation = c ? skew_violation(k, c) : NULL;
        if (violation) {
                /* Nothing kubeprep can edit fixes this: it stays drift (exit 1)
                 * even after the gate edits are made. */
                buf_printf(&m, "; %s, outside the version skew policy", violation);
                result_detail(r, "version skew: %s (kubelet from %s, control plane from %s): upgrade the %s",
                              violation, n->kubelet_version_from, n->control_plane_version_from,
                              version_compare(k, c) > 0
                                      ? "control plane first, or install a matching kubelet"
                                      : "kubelet");
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
        }
        r->message = buf_steal(&m);
        return 0;
}

const struct fixer fixer_csi_migration = {
        .name = "csi-migration",
        .description = "CSIMigration: false in the kubelet config when kubelet and control plane are skewed "
                       "(<= 1.24); "
                       "a stale gate removed from newer kubelets",
        .plan = csi_migration_plan,
};
