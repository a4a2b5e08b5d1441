/* SPDX-License-Identifier: MIT */
/* The `kernel-cgroups` fixer: kubeadm's SystemVerification fails on "missing required cgroups"; the
 * Raspberry Pi and other boards boot without the memory (and cpuset) controller. Those two are turned
 * on from the kernel command line: the Pi's one-line cmdline.txt, or a GRUB drop-in of kubeprep's on
 * Debian. The kernel reads its command line at boot, so the node stays drift until it reboots. */
#include "fixers/registry.h"
#include "formats/kernel-cmdline.h"

#define CMDLINE_TXT_FIRMWARE "/boot/firmware/cmdline.txt" /* Raspberry Pi OS from Bookworm on */
#define CMDLINE_TXT "/boot/cmdline.txt"
#define GRUB_DEFAULT "/etc/default/grub"
#define GRUB_DROPIN "/etc/default/grub.d/50-kubeprep.cfg"

/* system-validators' required controllers (docs/kubernetes-facts.md): cgroup v2 has devices and
 * freezer without a controller file of their own. */
static const char *const required_v1[] = {
        "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"
};
static const char *const required_v2[] = { "cpu", "cpuset", "memory", "pids" };
/* What turns memory and cpuset on: the Raspberry Pi kernel's and Debian's older kernels' parameters. */
static const char *const params[] = { "cgroup_enable=memory", "cgroup_memory=1", "cgroup_enable=cpuset" };
#define PARAMS "cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset"

static const char grub_dropin_text[] =
        "# Written by kubeprep (the kernel-cgroups fixer), which rewrites it: put other settings in a file "
        "of your "
        "own.\n"
        "# kubeadm needs the memory and cpuset cgroup controllers. Debian's grub-mkconfig reads this file "
        "after\n"
        "# /etc/default/grub; run update-grub and reboot for it to take effect.\n"
        "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX " PARAMS "\"\n";

static bool fixable(const char *controller) {
        return streq(controller, "memory") || streq(controller, "cpuset");
}

/* The Raspberry Pi's cmdline.txt, if the tree has one. */
static const char *cmdline_txt(struct context *ctx) {
        if (root_exists(ctx->root, CMDLINE_TXT_FIRMWARE))
                return CMDLINE_TXT_FIRMWARE;
        return root_exists(ctx->root, CMDLINE_TXT) ? CMDLINE_TXT : NULL;
}

/* The parameters of params the text does not leave in effect, joined with blanks. */
static char *not_in_effect(const char *text, size_t len) {
        struct strv v = {};
        for (size_t i = 0; i < ELEMENTSOF(params); i++)
                if (!cmdline_param_in_effect(text, len, params[i]))
                        strv_push(&v, xstrdup(params[i]));
        char *s = strv_join(&v, " ");
        strv_free(&v);
        return s;
}

/* Add the parameters to cmdline.txt. 1 planned, 0 already there, <0 after result_refuse(). *ret_added
 * gets the words added. */
static int plan_cmdline_txt(struct context *ctx, struct fixer_result *r, const char *path,
                            char **ret_added) {
        _cleanup_free_ char *text = NULL, *out = NULL, *err = NULL;
        size_t len, out_len;
        int k = ctx_read_file(ctx, path, &text, &len, NULL);
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", path, read_strerror(k));
        k = cmdline_txt_add(text, len, params, ELEMENTSOF(params), &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
        if (k == 0)
                return 0;
        *ret_added = not_in_effect(text, len);
        k = plan_write_file(ctx, r, path, out, out_len, 0644);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", path, read_strerror(k));
        result_detail(r, "%s: add %s", path, *ret_added);
        return 1;
}

/* With --root the tree's kernel is not running: only a Pi's cmdline.txt tells something. */
static int plan_tree(struct context *ctx, struct fixer_result *r) {
        const char *path = cmdline_txt(ctx);
        if (!path) {
                result_skip(
                        r, "the tree's kernel is not running: its cgroup controllers are checked live (with "
                           "--root only a Raspberry Pi's cmdline.txt is read)");
                return 0;
        }
        _cleanup_free_ char *added = NULL;
        int k = plan_cmdline_txt(ctx, r, path, &added);
        if (k < 0)
                return k;
        if (k == 0) {
                result_message(r, "%s enables the memory and cpuset controllers", path);
                return 0;
        }
        result_message(
                r, "%s lacks %s (a Raspberry Pi's firmware starts the kernel without the memory controller)",
                path, added);
        result_detail(r, "then: reboot");
        return 0;
}

/* The boot configuration that turns the controllers on at the next boot, live. */
static int plan_boot_config(struct context *ctx, struct fixer_result *r) {
        const char *txt = cmdline_txt(ctx);
        if (txt) {
                _cleanup_free_ char *added = NULL;
                int k = plan_cmdline_txt(ctx, r, txt, &added);
                if (k < 0)
                        return k;
                if (k > 0)
                        result_detail(r, "then: reboot");
                else
                        result_detail(r, "%s has them: reboot to use them", txt);
                return 0;
        }
        if (root_exists(ctx->root, GRUB_DEFAULT) && root_exists(ctx->root, "/etc/debian_version")) {
                int k = plan_write_file(ctx, r, GRUB_DROPIN, grub_dropin_text, strlen(grub_dropin_text),
                                        0644);
                if (k < 0)
                        return result_refuse(r, k, "%s: %s", GRUB_DROPIN, read_strerror(k));
                if (k > 0)
                        result_detail(r, "%s: GRUB_CMDLINE_LINUX += " PARAMS, GRUB_DROPIN);
                result_detail(r, k > 0 ? "then: update-grub, and reboot"
                                       : GRUB_DROPIN
                                         " is in place: run update-grub if you have not, and reboot");
                return 0;
        }
        if (root_exists(ctx->root, GRUB_DEFAULT))
                result_detail(r, "add them: grubby --update-kernel=ALL --args=\"" PARAMS "\", then reboot");
        else
                result_detail(r, "add " PARAMS " to your boot loader's kernel command line, then reboot");
        return 0;
}

static int kernel_cgroups_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (!ctx->root->live)
                return plan_tree(ctx, r);
        if (n->cgroup_controllers_error < 0)
                return result_fail(r, n->cgroup_controllers_error, "%s", n->cgroup_controllers_message);
        bool v2 = n->cgroup_version == 2;
        const char *const *required = v2 ? required_v2 : required_v1;
        size_t n_required = v2 ? ELEMENTSOF(required_v2) : ELEMENTSOF(required_v1);
        struct strv missing = {}, others = {};
        for (size_t i = 0; i < n_required; i++)
                if (!strv_contains(&n->cgroup_controllers, required[i]))
                        strv_push(fixable(required[i]) ? &missing : &others, xstrdup(required[i]));
        _cleanup_free_ char *all = NULL;
        {
                struct strv want = {};
                for (size_t i = 0; i < n_required; i++)
                        strv_push(&want, xstrdup(required[i]));
                all = strv_join(&want, ", ");
                strv_free(&want);
        }
        if (!missing.n && !others.n) {
                result_message(r, "the cgroup v%d controllers kubeadm checks are enabled (%s)", v2 ? 2 : 1,
                               all);
                return 0;
        }
        _cleanup_free_ char *lacking = strv_join(&missing, ", "), *lacking_others = strv_join(&others, ", ");
        result_message(r,
                       "the kernel lacks the cgroup controller%s %s%s%s (kubeadm: missing required cgroups)",
                       missing.n + others.n > 1 ? "s" : "", lacking, missing.n && others.n ? ", " : "",
                       lacking_others);
        r->status = STATUS_DRIFT;
        r->exit_code = 1; /* until the node boots with them */
        int k = 0;
        if (n->container)
                result_detail(
                        r,
                        "in a container (%s) the controllers are those its manager delegates: delegate "
                        "them to it",
                        n->container);
        else {
                if (others.n)
                        result_detail(
                                r,
                                "%s cannot be turned on from the kernel command line: it needs a kernel "
                                "built with %s",
                                lacking_others, others.n > 1 ? "them" : "it");
                _cleanup_free_ char *absent =
                        n->kernel_cmdline ? not_in_effect(n->kernel_cmdline, strlen(n->kernel_cmdline))
                                          : NULL;
                if (missing.n && absent && !*absent)
                        result_detail(r, "the kernel was started with " PARAMS ": it cannot enable %s",
                                      lacking);
                else if (missing.n)
                        k = plan_boot_config(ctx, r);
        }
        strv_free(&missing);
        strv_free(&others);
        return k;
}

const struct fixer fixer_kernel_cgroups = {
        .name = "kernel-cgroups",
        .description =
                "the cgroup controllers kubeadm requires are enabled (memory and cpuset from the kernel "
                "command line: cmdline.txt or GRUB)",
        .plan = kernel_cgroups_plan,
};
