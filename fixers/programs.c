/* SPDX-License-Identifier: MIT */
/* The `programs` check: the programs kubeadm's preflight looks for in PATH (FileExisting-NAME), for
 * the kubelet's version, each with the Debian and RPM package that has it. Check only: installing
 * packages is the operator's or the image build's job. */
#include <sys/stat.h>

#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"

/* The PATH kubeadm runs with on a distribution's root shell: where it finds these. */
static const char *const path_dirs[] = {
        "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
};

/* Which kubelet minors kubeadm looks for a program with (0: from any, to any), and from which it
 * only warns when it is missing (1: always a warning). docs/kubernetes-facts.md §15.1. */
static const struct program {
        const char *name;
        unsigned from, warning_from, gone_from;
        const char *deb, *rpm; /* the package that has it; rpm NULL when named alike */
} programs[] = {
        /* checked since 1.18 (kubernetes/kubernetes#85857); kube-proxy needs it no more from 1.32
         * (#126953) */
        { "conntrack", 18, 0, 32, "conntrack", "conntrack-tools" },
        /* before 1.24 only with a runtime other than Docker; kubeadm speaks CRI itself from 1.31 and
         * only warns (#124685), and looks for it no more from 1.32 (#126596) */
        { "crictl", 24, 31, 32, "cri-tools, from the Kubernetes package repository pkgs.k8s.io", NULL },
        { "ip", 0, 0, 0, "iproute2", "iproute" },
        { "iptables", 0, 0, 0, "iptables", NULL },
        { "mount", 0, 0, 0, "mount", "util-linux" },
        { "nsenter", 0, 0, 0, "util-linux", NULL },
        { "ebtables", 0, 1, 0, "ebtables", NULL },
        { "ethtool", 0, 1, 0, "ethtool", NULL },
        { "socat", 0, 1, 0, "socat", NULL },
        { "tc", 0, 1, 0, "iproute2", "iproute-tc" },
        { "touch", 0, 1, 0, "coreutils", NULL },
};

/* An executable file (a link to one, inside the root) in one of the PATH directories. */
static bool in_path(struct context *ctx, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(path_dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", path_dirs[i], name);
                struct stat st;
                if (root_stat(ctx->root, p, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
                        return true;
        }
        return false;
}

static bool version_dependent(const struct program *p) {
        return p->from > 0 || p->warning_from > 1 || p->gone_from > 0;
}

static int programs_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        bool known = n->kubelet_version && n->kubelet.major == 1;
        if (!known && !node_has_program(ctx->root, "kubelet")) {
                result_skip(r, "no kubelet installed: the programs kubeadm looks for depend on its version");
                return 0;
        }
        const char *why = NULL;
        if (!kubeadm_checks_apply(ctx, &why)) {
                result_message(r, "%s: kubeadm's checks for a new node do not apply", why);
                return 0;
        }
        if (!known)
                result_warn(r,
                            "kubelet version unknown: conntrack and crictl, which kubeadm looks for before "
                            "1.32, were not checked; pass --kubelet-version");
        struct strv missing = {};
        size_t checked = 0, optional = 0;
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                const struct program *p = &programs[i];
                if (version_dependent(p) && !known)
                        continue;
                unsigned minor = known ? n->kubelet.minor : 0;
                if (minor < p->from || (p->gone_from && minor >= p->gone_from))
                        continue;
                checked++;
                if (in_path(ctx, p->name))
                        continue;
                bool error = !(p->warning_from && minor >= p->warning_from);
                _cleanup_free_ char *check = xasprintf("FileExisting-%s", p->name);
                if (p->rpm)
                        kubeadm_finding(
                                r, error ? FINDING_ERROR : FINDING_WARNING, check,
                                "%s not found in system path: install %s (Debian, Ubuntu) or %s (RHEL, "
                                "Fedora)",
                                p->name, p->deb, p->rpm);
                else
                        kubeadm_finding(r, error ? FINDING_ERROR : FINDING_WARNING, check,
                                        "%s not found in system path: install %s", p->name, p->deb);
                if (error)
                        strv_push(&missing, xstrdup(p->name));
                else
                        optional++;
        }
        _cleanup_free_ char *list = strv_join(&missing, ", ");
        if (missing.n) {
                struct strv dirs = { .items = (char **) path_dirs, .n = ELEMENTSOF(path_dirs) };
                _cleanup_free_ char *path = strv_join(&dirs, ":");
                result_message(r, "kubeadm would stop: %s not found in %s", list, path);
        } else if (optional)
                result_message(r,
                               "the programs kubeadm needs are installed; %zu it warns about are not (-v)",
                               optional);
        else
                result_message(r, "the %zu programs kubeadm looks for%s%s are installed", checked,
                               known ? " with kubelet " : "", known ? n->kubelet_version : "");
        strv_free(&missing);
        return 0;
}

const struct fixer fixer_programs = {
        .name = "programs",
        .description = "check only: the programs kubeadm looks for with the kubelet's version are installed "
                       "(FileExisting-NAME), with the Debian and RPM package of each",
        .plan = programs_plan,
};
