/* SPDX-License-Identifier: MIT */
/* The `ports` check: the ports kubeadm needs free (Port-6443, Port-10250, ...) and who holds them.
 * Check only, live only: a port is freed by stopping what listens there, which for a previous
 * kubeadm run's kubelet or control plane is `kubeadm reset`. */
#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"
#include "fixers/shared/node-identity.h"

/* kubeadm's ports: every node's kubelet; a control plane's API server, controller manager and
 * scheduler, and local etcd's client and peer ports. */
static const struct kport {
        uint16_t port;
        bool control_plane;
} kports[] = {
        { 6443, true }, { 10259, true }, { 10257, true }, { 10250, false }, { 2379, true }, { 2380, true },
};

/* What a previous kubeadm run starts: its kubelet, and the control plane's static pods. */
static bool from_kubeadm(const char *process) {
        static const char *const names[] = { "kubelet", "kube-apiserver", "kube-controller",
                                             "kube-scheduler" };
        for (size_t i = 0; process && i < ELEMENTSOF(names); i++)
                if (startswith(process, names[i]))
                        return true;
        return false;
}

static void report_port(struct fixer_result *r, const struct tcp_listener *l, const char *check) {
        if (!l->process) {
                kubeadm_finding(r, FINDING_ERROR, check,
                                "port %u is in use (listening on %s; no process kubeprep can see holds it)",
                                l->port, l->address);
                return;
        }
        kubeadm_finding(r, FINDING_ERROR, check, "port %u is in use by %s (PID %d, listening on %s)%s",
                        l->port, l->process, (int) l->pid, l->address,
                        from_kubeadm(l->process) ? ": a previous kubeadm run is still there: kubeadm reset"
                                                 : "");
}

static int ports_plan(struct context *ctx, struct fixer_result *r) {
        if (!ctx->root->live) {
                result_skip(r, "live only: the ports in use are this machine's, not the tree's");
                return 0;
        }
        const struct node_facts *n = &ctx->node;
        if (n->listeners_error < 0)
                return result_fail(r, n->listeners_error, "%s", n->listeners_message);
        const char *why = NULL;
        if (!kubeadm_checks_apply(ctx, &why)) {
                result_message(r, "%s: its components' ports are in use as they should be", why);
                for (size_t i = 0; i < n->listeners.n; i++)
                        result_detail(r, "port %u: %s", n->listeners.items[i].port,
                                      strempty(n->listeners.items[i].process));
                return 0;
        }
        const char *command = kubeadm_command_for(ctx), *role;
        bool control_plane = node_role(ctx, &role) == ROLE_CONTROL_PLANE;
        result_detail(r, "the checks of %s (%s)", command, role);
        struct strv busy = {};
        for (size_t p = 0; p < ELEMENTSOF(kports); p++) {
                if (kports[p].control_plane && !control_plane)
                        continue;
                _cleanup_free_ char *check = xasprintf("Port-%u", kports[p].port);
                pid_t reported[16];
                size_t n_reported = 0;
                for (size_t i = 0; i < n->listeners.n; i++) {
                        const struct tcp_listener *l = &n->listeners.items[i];
                        if (l->port != kports[p].port)
                                continue;
                        /* One line per process: its IPv4 and IPv6 sockets are one holder. */
                        bool again = false;
                        for (size_t j = 0; j < n_reported && l->pid; j++)
                                again = again || reported[j] == l->pid;
                        if (again || n_reported == ELEMENTSOF(reported))
                                continue;
                        report_port(r, l, check);
                        reported[n_reported++] = l->pid;
                }
                if (n_reported)
                        strv_push(&busy, xasprintf("%u", kports[p].port));
        }
        if (busy.n) {
                _cleanup_free_ char *list = strv_join(&busy, ", ");
                result_message(r, "%s would stop: port%s %s %s in use", command, busy.n == 1 ? "" : "s",
                               list, busy.n == 1 ? "is" : "are");
        } else
                result_message(r, "the ports %s needs are free", command);
        strv_free(&busy);
        return 0;
}

const struct fixer fixer_ports = {
        .name = "ports",
        .description =
                "check only, live: the ports kubeadm needs are free (Port-6443, Port-10250, ...), or who "
                "holds them",
        .plan = ports_plan,
};
