/* SPDX-License-Identifier: MIT */
/* The check-only fixers that mirror kubeadm's preflight, planned from facts set by hand on a
 * scratch tree opened as if it were the live system: resources (NumCPU, Mem) and ports (Port-N)
 * by role, leftovers by kubeadm's next step, programs by kubelet version, and kubeadm's check
 * names. Nothing of this machine is read. */
#include <sys/stat.h>

#include "fixers/registry.h"
#include "fixers/shared/kubeadm-preflight.h"
#include "tap.h"
#include "test-util.h"

static char tree[] = "/tmp/kubeprep-test-preflight.XXXXXX";

static void put(const char *path, const char *data, mode_t mode) {
        _cleanup_free_ char *p = xasprintf("%s%s", tree, path),
                            *mk = xasprintf("mkdir -p \"$(dirname %s)\"", p);
        if (system(mk) != 0 || write_file(p, data, strlen(data)) < 0 || chmod(p, mode) < 0)
                tap_diag(p);
}

static void drop(const char *path) {
        _cleanup_free_ char *p = xasprintf("%s%s", tree, path);
        unlink(p);
}

/* A context over the tree, live, with the facts the caller sets; args: the kubeadm hook's. */
struct run {
        struct options opts;
        struct context ctx;
        struct profile profile;
        struct fixer_result r;
};

static void run_open(struct run *run, char **args, size_t n_args) {
        *run = (struct run){ .opts = { .command = CMD_CHECK,
                                       .command_name = "check",
                                       .kubeadm_args = args,
                                       .n_kubeadm_args = n_args } };
        run->ctx.opts = &run->opts;
        profile_init_defaults(&run->profile);
        run->ctx.profile = &run->profile;
        if (root_open(tree, true, &run->ctx.root) < 0)
                tap_diag("cannot open the tree");
}

static const char *plan(struct run *run, const struct fixer *f) {
        run->r = (struct fixer_result){ .fixer = f };
        f->plan(&run->ctx, &run->r);
        return run->r.message;
}

static char *checks(const struct run *run) {
        return strv_join(&run->r.kubeadm_checks, " ");
}

static void run_close(struct run *run) {
        fixer_result_free(&run->r);
        context_free(&run->ctx);
        root_free(run->ctx.root);
        profile_clear(&run->profile);
        /* the facts set by hand are static or freed by the caller */
}

static void test_names(void) {
        _cleanup_free_ char *f =
                kubeadm_check_name("FileAvailable", "/etc/kubernetes/manifests/kube-apiserver.yaml");
        _cleanup_free_ char *d = kubeadm_check_name("DirAvailable", "/var/lib/etcd");
        tap_streq(f, "FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml",
                  "FileAvailable: every / a -");
        tap_streq(d, "DirAvailable--var-lib-etcd", "DirAvailable--var-lib-etcd");
}

static void test_resources(void) {
        static char *init[] = { (char *) "init" };
        struct run run;
        run_open(&run, init, 1);
        run.ctx.node.cpus = 1;
        run.ctx.node.mem_mb = 1699;
        plan(&run, &fixer_resources);
        _cleanup_free_ char *c = checks(&run);
        tap_ok(run.r.status == STATUS_DRIFT && run.r.exit_code == 1, "init with 1 CPU and 1699 MB: drift");
        tap_streq(c, "NumCPU Mem", "both of kubeadm's checks");
        tap_ok(strv_contains(&run.r.details,
                             "[ERROR Mem]: the system RAM (1699 MB) is less than the minimum 1700 MB"),
               "Mem in kubeadm's words");
        run_close(&run);

        run_open(&run, init, 1);
        run.ctx.node.cpus = 2;
        run.ctx.node.mem_mb = 1700;
        plan(&run, &fixer_resources);
        tap_ok(run.r.status == STATUS_OK && run.r.kubeadm_checks.n == 0, "2 CPUs and 1700 MB are enough");
        run_close(&run);

        static char *join[] = { (char *) "join", (char *) "192.0.2.20:6443" };
        run_open(&run, join, 2);
        run.ctx.node.cpus = 1;
        run.ctx.node.mem_mb = 512;
        const char *m = plan(&run, &fixer_resources);
        tap_ok(run.r.status == STATUS_OK && strstr(m, "a worker (role auto, kubeprep kubeadm -- join)"),
               "a worker joining: no minimum");
        run_close(&run);

        static char *cp[] = { (char *) "join", (char *) "192.0.2.20:6443", (char *) "--control-plane" };
        run_open(&run, cp, 3);
        run.ctx.node.cpus = 1;
        run.ctx.node.mem_mb = 4096;
        plan(&run, &fixer_resources);
        c = (free(c), checks(&run));
        tap_streq(c, "NumCPU", "join --control-plane runs init's NumCPU check");
        run_close(&run);

        run_open(&run, NULL, 0);
        root_free(run.ctx.root);
        root_open(tree, false, &run.ctx.root);
        plan(&run, &fixer_resources);
        tap_ok(run.r.status == STATUS_SKIPPED, "with --root: skipped");
        run_close(&run);
}

static void test_ports(void) {
        static struct tcp_listener l[] = {
                { .port = 10250, .address = "0.0.0.0", .pid = 11, .process = (char *) "kubelet" },
                { .port = 10250, .address = "::", .pid = 11, .process = (char *) "kubelet" },
                { .port = 6443, .address = "::", .pid = 12, .process = (char *) "kube-apiserver" },
                { .port = 2380, .address = "192.0.2.20", .pid = 0, .process = NULL },
        };
        static char *init[] = { (char *) "init" };
        struct run run;
        run_open(&run, init, 1);
        run.ctx.node.listeners = (struct tcp_listeners){ .items = l, .n = ELEMENTSOF(l) };
        const char *m = plan(&run, &fixer_ports);
        _cleanup_free_ char *c = checks(&run);
        tap_streq(c, "Port-6443 Port-10250 Port-2380", "init: kubeadm's order, each port once");
        tap_streq(m, "kubeadm init would stop: ports 6443, 10250, 2380 are in use", "init: the message");
        tap_ok(strv_contains(&run.r.details,
                             "[ERROR Port-10250]: port 10250 is in use by kubelet (PID 11, listening "
                             "on 0.0.0.0): a previous kubeadm run is still there: kubeadm reset"),
               "the kubelet's two sockets are one line, with the advice");
        tap_ok(strv_contains(&run.r.details,
                             "[ERROR Port-2380]: port 2380 is in use (listening on 192.0.2.20; no "
                             "process kubeprep can see holds it)"),
               "a socket of another PID namespace");
        run_close(&run);

        run_open(&run, NULL, 0);
        run.ctx.node.listeners = (struct tcp_listeners){ .items = l, .n = ELEMENTSOF(l) };
        plan(&run, &fixer_ports);
        c = (free(c), checks(&run));
        tap_streq(c, "Port-10250", "no hook, no control-plane manifest: a worker's port only");
        run_close(&run);

        put("/etc/kubernetes/kubelet.conf", "", 0600);
        run_open(&run, NULL, 0);
        run.ctx.node.listeners = (struct tcp_listeners){ .items = l, .n = ELEMENTSOF(l) };
        m = plan(&run, &fixer_ports);
        tap_ok(run.r.status == STATUS_OK && startswith(m, "the node has joined a cluster"),
               "a joined node: its ports in use are fine");
        run_close(&run);
        drop("/etc/kubernetes/kubelet.conf");

        run_open(&run, NULL, 0);
        run.ctx.node.listeners_error = -EACCES;
        run.ctx.node.listeners_message = (char *) "cannot read /proc/net/tcp: Permission denied";
        plan(&run, &fixer_ports);
        tap_ok(run.r.status == STATUS_ERROR && run.r.exit_code == 1,
               "an unreadable /proc/net/tcp is a failure");
        run.ctx.node.listeners_message = NULL;
        run_close(&run);
}

static void test_leftovers(void) {
        put("/etc/kubernetes/manifests/etcd.yaml", "", 0600);
        put("/etc/kubernetes/kubelet.conf", "", 0600);
        put("/etc/kubernetes/pki/ca.crt", "", 0644);
        static char *init[] = { (char *) "init" }, *join[] = { (char *) "join", (char *) "x:6443" };
        struct run run;
        run_open(&run, init, 1);
        plan(&run, &fixer_leftovers);
        _cleanup_free_ char *c = checks(&run);
        tap_streq(c, "FileAvailable--etc-kubernetes-manifests-etcd.yaml", "init: only init's files");
        run_close(&run);
        run_open(&run, join, 2);
        plan(&run, &fixer_leftovers);
        c = (free(c), checks(&run));
        tap_streq(c, "FileAvailable--etc-kubernetes-kubelet.conf FileAvailable--etc-kubernetes-pki-ca.crt",
                  "join: the kubeconfig and the CA, not the manifests");
        run_close(&run);
        run_open(&run, NULL, 0);
        plan(&run, &fixer_leftovers);
        tap_ok(run.r.status == STATUS_OK && run.r.kubeadm_checks.n == 0,
               "no hook on a joined node: not applicable");
        run_close(&run);
        drop("/etc/kubernetes/manifests/etcd.yaml");
        drop("/etc/kubernetes/kubelet.conf");
        drop("/etc/kubernetes/pki/ca.crt");
}

static void test_programs(void) {
        static const char *const present[] = { "ip",      "iptables", "mount", "nsenter", "ebtables",
                                               "ethtool", "socat",    "tc",    "touch" };
        for (size_t i = 0; i < ELEMENTSOF(present); i++) {
                _cleanup_free_ char *p = xasprintf("/usr/sbin/%s", present[i]);
                put(p, "#!/bin/sh\n", 0755);
        }
        put("/usr/bin/kubelet", "#!/bin/sh\n", 0755);
        static const struct {
                const char *version, *want;
        } cases[] = {
                { "1.17.0", "" },
                { "1.18.0", "FileExisting-conntrack" },
                { "1.23.9", "FileExisting-conntrack" },
                { "1.24.0", "FileExisting-conntrack FileExisting-crictl" },
                { "1.31.4", "FileExisting-conntrack FileExisting-crictl" },
                { "1.32.0", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct run run;
                run_open(&run, NULL, 0);
                run.ctx.node.kubelet_version = (char *) cases[i].version;
                version_parse(cases[i].version, &run.ctx.node.kubelet);
                plan(&run, &fixer_programs);
                _cleanup_free_ char *c = checks(&run),
                                    *name = xasprintf("kubelet %s: %s", cases[i].version,
                                                      *cases[i].want ? cases[i].want : "nothing missing");
                tap_streq(c, cases[i].want, name);
                bool crictl_warns = streq(cases[i].version, "1.31.4");
                if (crictl_warns)
                        tap_ok(run.r.exit_code == 1 &&
                                       strv_contains(&run.r.details,
                                                     "[WARNING FileExisting-crictl]: crictl not found in "
                                                     "system path: install cri-tools, from the "
                                                     "Kubernetes package repository pkgs.k8s.io"),
                               "kubelet 1.31: crictl only warns (conntrack still stops kubeadm)");
                run.ctx.node.kubelet_version = NULL;
                run_close(&run);
        }
}

int main(void) {
        if (!mkdtemp(tree)) {
                tap_skip("preflight fixers", "mkdtemp failed");
                return tap_done();
        }
        test_names();
        test_resources();
        test_ports();
        test_leftovers();
        test_programs();
        _cleanup_free_ char *rm = xasprintf("rm -rf %s", tree);
        if (system(rm) != 0)
                tap_diag("cannot remove the scratch tree");
        return tap_done();
}
