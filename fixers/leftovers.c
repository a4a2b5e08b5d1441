/* SPDX-License-Identifier: MIT */
/* The `leftovers` check: files and directories a previous kubeadm run left, which kubeadm's preflight
 * refuses (FileAvailable--PATH, DirAvailable--PATH). Check only: whether they may go is for the
 * operator to decide, and `kubeadm reset` is the tool that removes them. */
#include <sys/stat.h>

#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"
#include "fixers/shared/node-identity.h"

/* Which kubeadm command checks a path: init (and join --control-plane, which runs init's checks),
 * every join, or only a worker's join. */
enum {
        ON_INIT = 1 << 0,
        ON_JOIN = 1 << 1,
        ON_WORKER_JOIN = 1 << 2,
};

static const struct leftover {
        const char *path;
        bool dir; /* DirAvailable: must be absent or empty; else FileAvailable: must be absent */
        unsigned on;
} leftovers[] = {
        { "/etc/kubernetes/manifests/kube-apiserver.yaml", false, ON_INIT },
        { "/etc/kubernetes/manifests/kube-controller-manager.yaml", false, ON_INIT },
        { "/etc/kubernetes/manifests/kube-scheduler.yaml", false, ON_INIT },
        { "/etc/kubernetes/manifests/etcd.yaml", false, ON_INIT },
        /* local etcd's data directory, at kubeadm's default place */
        { "/var/lib/etcd", true, ON_INIT },
        { KUBELET_KUBECONFIG, false, ON_JOIN },
        { "/etc/kubernetes/bootstrap-kubelet.conf", false, ON_JOIN },
        { "/etc/kubernetes/pki/ca.crt", false, ON_WORKER_JOIN },
};

static unsigned checks_for(const struct context *ctx) {
        switch (kubeadm_next_step(ctx)) {
        case KUBEADM_STEP_INIT:
                return ON_INIT;
        case KUBEADM_STEP_JOIN:
                return ON_JOIN | ON_WORKER_JOIN;
        case KUBEADM_STEP_JOIN_CONTROL_PLANE:
                return ON_JOIN | ON_INIT;
        case KUBEADM_STEP_NONE:
        case KUBEADM_STEP_RESET:
                break;
        }
        return node_role(ctx, NULL) == ROLE_CONTROL_PLANE ? ON_INIT : ON_JOIN | ON_WORKER_JOIN;
}

/* 1 when the path is in kubeadm's way (with *ret_what, kubeadm's own words), 0 when not. */
static int in_the_way(struct context *ctx, const struct leftover *l, const char **ret_what) {
        struct stat st;
        /* kubeadm stats the path, following links: a dangling link is no file. */
        if (root_stat(ctx->root, l->path, &st) < 0)
                return 0;
        if (!l->dir) {
                *ret_what = "already exists";
                return 1;
        }
        struct strv names = {};
        int k = root_list_dir(ctx->root, l->path, &names);
        size_t n = names.n;
        strv_free(&names);
        if (k < 0) {
                *ret_what = "is not a directory kubeprep can list";
                return 1;
        }
        *ret_what = "is not empty";
        return n > 0;
}

static int leftovers_plan(struct context *ctx, struct fixer_result *r) {
        const char *why = NULL;
        if (!kubeadm_checks_apply(ctx, &why)) {
                result_message(r, "%s: kubeadm's checks for a new node do not apply", why);
                return 0;
        }
        const char *command = kubeadm_command_for(ctx), *role;
        (void) node_role(ctx, &role);
        result_detail(r, "the checks of %s (%s)", command, role);
        unsigned on = checks_for(ctx);
        struct strv found = {};
        for (size_t i = 0; i < ELEMENTSOF(leftovers); i++) {
                const char *what;
                if (!(leftovers[i].on & on) || in_the_way(ctx, &leftovers[i], &what) <= 0)
                        continue;
                _cleanup_free_ char *check = kubeadm_check_name(
                        leftovers[i].dir ? "DirAvailable" : "FileAvailable", leftovers[i].path);
                kubeadm_finding(r, FINDING_ERROR, check, "%s %s", leftovers[i].path, what);
                strv_push(&found, xstrdup(leftovers[i].path));
        }
        if (found.n) {
                _cleanup_free_ char *paths = strv_join(&found, ", ");
                result_message(
                        r,
                        "%s would stop: a previous kubeadm run left %s; kubeadm reset removes what it "
                        "made (or remove %s by hand)",
                        command, paths, found.n == 1 ? "it" : "them");
        } else
                result_message(r, "nothing a previous kubeadm run left is in %s's way", command);
        strv_free(&found);
        return 0;
}

const struct fixer fixer_leftovers = {
        .name = "leftovers",
        .description = "check only: no file a previous kubeadm run left is in kubeadm init's or join's way "
                       "(FileAvailable, DirAvailable)",
        .plan = leftovers_plan,
};
