/* SPDX-License-Identifier: MIT */
/* The kubelet's swap and cgroup v1 settings by version and cgroup version,
 * and the swap and cgroup-driver fixers planning them on a cgroup v1 node
 * (a fact that --root cannot give: it is set on the context here). */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-cgroups.h"
#include "tap.h"

static struct kversion V(unsigned major, unsigned minor) {
        return (struct kversion){ .major = major, .minor = minor };
}

static void
test_decisions(void) {
        struct kversion v127 = V(1, 27), v128 = V(1, 28), v129 = V(1, 29), v130 = V(1, 30), v134 = V(1, 34),
                        v135 = V(1, 35);
        tap_ok(!kubelet_supports_swap(&v127), "1.27 cannot run with swap");
        tap_ok(kubelet_supports_swap(&v128), "1.28 can");
        tap_ok(kubelet_supports_swap(NULL), "an unknown kubelet is configured for swap");

        struct swap_settings s = kubelet_swap_settings(&v130, 1);
        tap_ok(s.behavior && streq(s.behavior, "NoSwap") && !s.node_swap_gate, "1.30 on cgroup v1: NoSwap");
        s = kubelet_swap_settings(&v130, 2);
        tap_ok(s.behavior && streq(s.behavior, "LimitedSwap") && !s.node_swap_gate,
               "1.30 on v2: LimitedSwap");
        s = kubelet_swap_settings(&v128, 2);
        tap_ok(s.behavior && streq(s.behavior, "LimitedSwap") && s.node_swap_gate,
               "1.28 on v2: LimitedSwap and the NodeSwap gate (beta, off by default)");
        s = kubelet_swap_settings(&v129, 1);
        tap_ok(!s.behavior && !s.node_swap_gate, "1.29 on v1: no swapBehavior (NoSwap is 1.30+)");
        s = kubelet_swap_settings(&v134, 0);
        tap_ok(s.behavior && streq(s.behavior, "LimitedSwap") && !s.node_swap_gate,
               "unknown cgroup version: LimitedSwap");
        s = kubelet_swap_settings(NULL, 1);
        tap_ok(s.behavior && streq(s.behavior, "NoSwap"), "unknown kubelet on v1: NoSwap");

        tap_ok(kubelet_refuses_cgroup_v1(&v135, 1), "1.35 refuses cgroup v1");
        tap_ok(!kubelet_refuses_cgroup_v1(&v134, 1), "1.34 does not");
        tap_ok(!kubelet_refuses_cgroup_v1(&v135, 2), "cgroup v2 is fine");
        tap_ok(!kubelet_refuses_cgroup_v1(&v135, 0), "unknown cgroup version: nothing to say");
        tap_ok(!kubelet_refuses_cgroup_v1(NULL, 1), "unknown kubelet: nothing to write");
}

static char *tree;

/* Plan one fixer on the scratch tree with these facts. */
static void plan_with(const struct fixer *f, enum swap_policy swap, int cgroup, const char *kubelet,
                      struct fixer_result *r) {
        struct options opts = { .command = CMD_CHECK, .profile = "default" };
        struct context ctx = { .opts = &opts };
        struct profile p;
        profile_init_defaults(&p);
        p.swap = swap;
        ctx.profile = &p;
        root_open(tree, false, &ctx.root);
        ctx.node.cgroup_version = cgroup;
        ctx.node.kubelet_version = kubelet ? xstrdup(kubelet) : NULL;
        ctx.node.init = xstrdup("systemd");
        *r = (struct fixer_result){ .fixer = f };
        f->plan(&ctx, r);
        node_facts_free(&ctx.node);
        context_free(&ctx);
        root_free(ctx.root);
        profile_clear(&p);
}

/* The content planned last for a path (each setting is one edit). */
static const char *planned(const struct fixer_result *r, const char *path) {
        const char *last = NULL;
        for (size_t i = 0; i < r->n_edits; i++)
                if (streq(r->edits[i].path, path))
                        last = r->edits[i].new_data;
        return last;
}

static bool warned(const struct fixer_result *r, const char *needle) {
        for (size_t i = 0; i < r->warnings.n; i++)
                if (strstr(r->warnings.items[i], needle))
                        return true;
        return false;
}

static void test_plans(void) {
        tree = strdup("/tmp/kp-kubelet-cgroups-XXXXXX");
        if (!mkdtemp(tree)) {
                tap_ok(false, "mkdtemp");
                return;
        }
        _cleanup_free_ char *cmd =
                xasprintf("mkdir -p %s/var/lib/kubelet && printf 'apiVersion: "
                          "kubelet.config.k8s.io/v1beta1\\nkind: KubeletConfiguration\\n' > "
                          "%s/var/lib/kubelet/config.yaml",
                          tree, tree);
        tap_ok(system(cmd) == 0, "a scratch tree with a kubeadm config.yaml");

        struct fixer_result r;
        plan_with(&fixer_swap, SWAP_ALLOW, 1, "1.30.2", &r);
        tap_streq(
                planned(&r, "/var/lib/kubelet/config.yaml"),
                "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"
                "memorySwap:\n  swapBehavior: NoSwap\n",
                "swap: allow, kubelet 1.30 on cgroup v1: failSwapOn false and NoSwap");
        tap_ok(warned(&r, "cgroup v1: pods cannot use swap"), "with a warning that pods get no swap on v1");
        tap_ok(r.n_actions == 0 && !planned(&r, "/etc/fstab"), "and swap is left on");
        fixer_result_free(&r);

        plan_with(&fixer_swap, SWAP_ALLOW, 2, "1.28.0", &r);
        tap_streq(
                planned(&r, "/var/lib/kubelet/config.yaml"),
                "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"
                "memorySwap:\n  swapBehavior: LimitedSwap\nfeatureGates:\n  NodeSwap: true\n",
                "kubelet 1.28 on cgroup v2: LimitedSwap and the NodeSwap gate");
        fixer_result_free(&r);

        plan_with(&fixer_cgroup_driver, SWAP_DISABLE, 1, "1.35.0", &r);
        const char *c = planned(&r, "/var/lib/kubelet/config.yaml");
        tap_ok(c && strstr(c, "\nfailCgroupV1: false\n"),
               "cgroup-driver, kubelet 1.35 on cgroup v1: failCgroupV1: false");
        tap_ok(warned(&r, "cgroup v1, which is deprecated"), "with a deprecation warning");
        tap_ok(r.message &&
                       strstr(r.message, "kubelet 1.35.0 refuses cgroup v1 without failCgroupV1: false"),
               "and the message says why");
        c = planned(&r, "/etc/kubeprep/patches/kubeletconfiguration+merge.yaml");
        tap_ok(c && strstr(c, "\nfailCgroupV1: false\n"), "the kubeadm patch keeps it");
        fixer_result_free(&r);

        plan_with(&fixer_cgroup_driver, SWAP_DISABLE, 1, "1.34.3", &r);
        c = planned(&r, "/var/lib/kubelet/config.yaml");
        tap_ok(c && !strstr(c, "failCgroupV1"), "kubelet 1.34 on cgroup v1: no failCgroupV1");
        fixer_result_free(&r);

        plan_with(&fixer_cgroup_driver, SWAP_DISABLE, 2, "1.35.0", &r);
        c = planned(&r, "/var/lib/kubelet/config.yaml");
        tap_ok(c && !strstr(c, "failCgroupV1"), "kubelet 1.35 on cgroup v2: no failCgroupV1");
        fixer_result_free(&r);

        _cleanup_free_ char *rm = xasprintf("rm -rf %s", tree);
        (void) system(rm);
        free(tree);
}

int main(void) {
        test_decisions();
        test_plans();
        return tap_done();
}
