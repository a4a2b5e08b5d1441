/* SPDX-License-Identifier: MIT */
/* The node's role, kubeadm's next step and kubeadm-named findings (kubeadm-preflight.h). */
#include "fixers/shared/kubeadm-preflight.h"

#include "fixers/shared/node-identity.h"

void kubeadm_finding(struct fixer_result *r, enum finding_level level, const char *check, const char *fmt,
                     ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        /* A detail either way, in kubeadm's own words: shown when the result is not ok, and with -v. */
        result_detail(r, "[%s %s]: %s", level == FINDING_ERROR ? "ERROR" : "WARNING", check, what);
        if (level != FINDING_WARNING) {
                r->status = STATUS_DRIFT;
                if (r->exit_code < 1)
                        r->exit_code = 1;
        }
        result_kubeadm_check(r, check);
}

char *kubeadm_check_name(const char *prefix, const char *path) {
        char *s = xasprintf("%s-%s", prefix, path);
        for (char *p = s + strlen(prefix) + 1; *p; p++)
                if (*p == '/')
                        *p = '-';
        return s;
}

static bool has_arg(const struct options *opts, const char *flag) {
        for (size_t i = 1; i < opts->n_kubeadm_args; i++)
                if (streq(opts->kubeadm_args[i], flag) ||
                    (startswith(opts->kubeadm_args[i], flag) && opts->kubeadm_args[i][strlen(flag)] == '='))
                        return true;
        return false;
}

enum kubeadm_step kubeadm_next_step(const struct context *ctx) {
        const struct options *o = ctx->opts;
        if (o->n_kubeadm_args == 0)
                return KUBEADM_STEP_NONE;
        const char *verb = o->kubeadm_args[0];
        if (streq(verb, "init"))
                return KUBEADM_STEP_INIT;
        if (streq(verb, "join"))
                return has_arg(o, "--control-plane") ? KUBEADM_STEP_JOIN_CONTROL_PLANE : KUBEADM_STEP_JOIN;
        if (streq(verb, "reset"))
                return KUBEADM_STEP_RESET;
        return KUBEADM_STEP_NONE;
}

bool node_has_joined(const struct context *ctx) {
        return root_exists(ctx->root, KUBELET_KUBECONFIG);
}

const char *kubeadm_command_for(const struct context *ctx) {
        switch (kubeadm_next_step(ctx)) {
        case KUBEADM_STEP_INIT:
                return "kubeadm init";
        case KUBEADM_STEP_JOIN:
                return "kubeadm join";
        case KUBEADM_STEP_JOIN_CONTROL_PLANE:
                return "kubeadm join --control-plane";
        case KUBEADM_STEP_NONE:
        case KUBEADM_STEP_RESET:
                break;
        }
        return node_role(ctx, NULL) == ROLE_CONTROL_PLANE ? "kubeadm init" : "kubeadm join";
}

bool kubeadm_checks_apply(const struct context *ctx, const char **ret_why) {
        enum kubeadm_step s = kubeadm_next_step(ctx);
        if (s == KUBEADM_STEP_RESET) {
                *ret_why = "kubeadm reset is about to run";
                return false;
        }
        if (s == KUBEADM_STEP_NONE && node_has_joined(ctx)) {
                *ret_why = "the node has joined a cluster (" KUBELET_KUBECONFIG " exists)";
                return false;
        }
        return true;
}
