/* SPDX-License-Identifier: MIT */
/* The `swap` fixer: the kubelet refuses to start with swap on ("running with
 * swap on is not supported"), so swap goes off now and stays off at boot;
 * or, with `swap: allow`, the kubelet is configured to run with it. */
#include <sys/swap.h>

#include "fixers/registry.h"
#include "fixers/shared/kubelet-cgroups.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/fstab-edit.h"

#define FSTAB "/etc/fstab"
#define SWAP_TARGET "/etc/systemd/system/swap.target"

static int do_swapoff(const struct live_action *a, char **ret_error) {
        if (swapoff(a->target) < 0) {
                int e = errno;
                set_error(ret_error, "%s", strerror(e));
                return -e;
        }
        return 0;
}

/* Comment out the swap entries of /etc/fstab. Returns the number planned. */
static int plan_fstab(struct context *ctx, struct fixer_result *r) {
        _cleanup_free_ char *text = NULL, *out = NULL, *err = NULL;
        size_t len, out_len;
        int k = ctx_read_file(ctx, FSTAB, &text, &len, NULL);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", FSTAB, read_strerror(k));
        struct strv entries = {};
        k = fstab_comment_swap_entries(text, len, &out, &out_len, &entries, &err);
        /* plan_write_file_take() reads the file again (docs/performance.md, section 4): the text
         * read here goes first, not to be held twice. */
        free(TAKE_PTR(text));
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", FSTAB,
                                     err ? err : strerror(-k));
        for (size_t i = 0; i < entries.n; i++)
                result_detail(r, "%s: comment out the swap entry %s", FSTAB, entries.items[i]);
        strv_free(&entries);
        if (k > 0) {
                int w = plan_write_file_take(ctx, r, FSTAB, TAKE_PTR(out), out_len, 0644);
                if (w < 0)
                        return result_refuse(r, w, "%s: %s", FSTAB, strerror(-w));
        }
        return k;
}

/* Mask swap.target so .swap units (zram, gpt-auto, units in /etc) stay off. */
static int plan_mask_swap_target(struct context *ctx, struct fixer_result *r) {
        if (!ctx->node.init || !streq(ctx->node.init, "systemd"))
                return 0;
        int k = plan_symlink(ctx, r, SWAP_TARGET, "/dev/null");
        if (k == -EEXIST)
                return result_refuse(r, k, "%s exists and is not a file or link; not masking it",
                                     SWAP_TARGET);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", SWAP_TARGET, strerror(-k));
        if (k > 0)
                result_detail(r, "mask swap.target (%s -> /dev/null)", SWAP_TARGET);
        return k;
}

/* swapoff every active area: the node facts list them (/proc/swaps, read once). */
static int plan_swapoff(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (!ctx->root->live)
                return 0; /* the tree's swap is not this machine's */
        if (n->swaps_error < 0)
                return result_refuse(r, n->swaps_error, "%s", n->swaps_message);
        for (size_t i = 0; i < n->swaps.n; i++)
                plan_action(r, "swapoff", n->swaps.items[i], do_swapoff);
        return (int) n->swaps.n;
}

/* swap: allow — failSwapOn: false lets the kubelet start with swap on;
 * memorySwap.swapBehavior says what pods get (kubelet-cgroups.c decides). */
static int plan_swap_allowed(struct context *ctx, struct fixer_result *r, const struct kversion *v) {
        static const char *const fail_swap_on[] = { "failSwapOn", NULL };
        static const char *const swap_behavior[] = { "memorySwap", "swapBehavior", NULL };
        static const char *const node_swap_gate[] = { "featureGates", "NodeSwap", NULL };
        int cgroup = ctx->node.cgroup_version;
        struct swap_settings s = kubelet_swap_settings(v, cgroup);
        if (!v)
                result_warn(
                        r,
                        "the kubelet version is unknown (give --kubelet-version): swap is configured, but a "
                        "kubelet older than 1.28 cannot use it, and 1.28-1.29 also need featureGates "
                        "NodeSwap");
        if (cgroup == 0)
                result_warn(r,
                            "the cgroup version is unknown%s: %s needs cgroup v2 (on a cgroup v1 node the "
                            "kubelet "
                            "needs NoSwap)",
                            ctx->root->live ? "" : " with --root", s.behavior);
        else if (cgroup == 1)
                result_warn(r,
                            "cgroup v1: pods cannot use swap (LimitedSwap needs cgroup v2); the kubelet "
                            "runs with "
                            "swap on and %s",
                            s.behavior ? "swapBehavior NoSwap" : "gives pods none");
        int k[3] = { plan_kubelet_setting(ctx, r, fail_swap_on, "false", NULL) };
        if (s.behavior)
                k[1] = plan_kubelet_setting(ctx, r, swap_behavior, s.behavior, NULL);
        if (s.node_swap_gate)
                k[2] = plan_kubelet_setting(ctx, r, node_swap_gate, "true", NULL);
        for (size_t i = 0; i < ELEMENTSOF(k); i++)
                if (k[i] < 0)
                        return k[i];
        if (plan_is_empty(r))
                result_message(r,
                               "swap is allowed: the kubelet is configured for it (failSwapOn: false%s%s)",
                               s.behavior ? ", " : "", strempty(s.behavior));
        else
                result_message(r,
                               "swap is allowed by the profile, but the kubelet is not configured for it");
        return 0;
}

static int swap_plan(struct context *ctx, struct fixer_result *r) {
        if (ctx->profile->swap == SWAP_ALLOW) {
                struct kversion v;
                bool known = kubelet_version_known(ctx, &v);
                if (!known || kubelet_supports_swap(&v))
                        return plan_swap_allowed(ctx, r, known ? &v : NULL);
                result_warn(
                        r,
                        "the profile allows swap, but kubelet %s cannot run with swap (1.28 or newer can): "
                        "disabling swap as with swap: disable",
                        ctx->node.kubelet_version);
        }
        int entries = plan_fstab(ctx, r);
        int active = plan_swapoff(ctx, r);
        int masked = plan_mask_swap_target(ctx, r);
        if (entries < 0 || active < 0 || masked < 0)
                return -EBADMSG;

        struct buf m = {};
        if (entries > 0)
                buf_printf(&m, "%d swap entr%s in %s", entries, entries == 1 ? "y" : "ies", FSTAB);
        if (active > 0)
                buf_printf(&m, "%s%d active swap area%s", m.len ? ", " : "", active, active == 1 ? "" : "s");
        if (masked > 0)
                buf_printf(&m, "%sswap.target not masked", m.len ? ", " : "");
        if (m.len)
                r->message = buf_steal(&m);
        else
                result_message(r, "swap is off%s", ctx->root->live ? "" : " in the tree's configuration");
        return 0;
}

const struct fixer fixer_swap = {
        .name = "swap",
        .description = "no active swap; swap entries in /etc/fstab commented out; swap.target masked",
        .plan = swap_plan,
};
