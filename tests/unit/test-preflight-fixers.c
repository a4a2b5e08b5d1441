/* SPDX-License-Identifier: MIT */
/* The live side of the firewall, hostname, time-sync, kernel-cgroups and node-ip fixers, planned on a
 * scratch tree opened as if it were the running system, with the node's facts made by hand: the role's
 * decision, enabling and starting a time service, the clock, the cgroup controllers and the boot
 * configuration that turns them on (the GRUB drop-in checked with grub-mkconfig's own reading: bash
 * sourcing /etc/default/grub and each .cfg of /etc/default/grub.d), and the node's addresses. */
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>

#include "engine/run.h"
#include "fixers/registry.h"
#include "fixers/shared/node-identity.h"
#include "tap.h"
#include "test-util.h"

static char tree[] = "/tmp/kubeprep-test-preflight.XXXXXX";

static void put(const char *path, const char *data) {
        _cleanup_free_ char *p = xasprintf("%s%s", tree, path),
                            *mk = xasprintf("mkdir -p \"$(dirname %s)\"", p);
        if (system(mk) != 0 || write_file(p, data, strlen(data)) < 0)
                tap_diag(p);
}

static void clear_tree(void) {
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s/* %s/.[!.]*", tree, tree);
        (void) system(cmd);
}

/* One planning: a context over the scratch tree, live unless told otherwise, with facts set by hand. */
struct plan {
        struct options opts;
        struct profile profile;
        struct context ctx;
        struct fixer_result r;
};

static void plan_open(struct plan *p, bool live) {
        *p = (struct plan){ .opts = { .command = CMD_CHECK, .command_name = "check" } };
        profile_init_defaults(&p->profile);
        p->profile.name = xstrdup("test");
        p->ctx.opts = &p->opts;
        p->ctx.profile = &p->profile;
        if (root_open(tree, live, &p->ctx.root) < 0)
                tap_diag("cannot open the scratch tree");
        p->ctx.node.init = xstrdup("systemd");
        p->ctx.node.cgroup_version = 2;
}

static void plan_run(struct plan *p, const struct fixer *f) {
        fixer_result_free(&p->r);
        context_free(&p->ctx);
        fixer_plan(&p->ctx, f, &p->r);
}

static void plan_close(struct plan *p) {
        fixer_result_free(&p->r);
        context_free(&p->ctx);
        node_facts_free(&p->ctx.node);
        profile_clear(&p->profile);
        root_free(p->ctx.root);
}

static bool has_detail(const struct fixer_result *r, const char *want) {
        for (size_t i = 0; i < r->details.n; i++)
                if (strstr(r->details.items[i], want))
                        return true;
        tap_diag(want);
        for (size_t i = 0; i < r->details.n; i++)
                tap_diag(r->details.items[i]);
        return false;
}

static bool has_action(const struct fixer_result *r, const char *action, const char *target) {
        for (size_t i = 0; i < r->n_actions; i++)
                if (streq(r->actions[i].action, action) && streq(r->actions[i].target, target))
                        return true;
        return false;
}

static void set_controllers(struct node_facts *n, const char *list) {
        strv_free(&n->cgroup_controllers);
        for (const char *s = list; *s;) {
                size_t l = strcspn(s, " ");
                strv_push(&n->cgroup_controllers, xstrndup(s, l));
                s += l + (s[l] == ' ');
        }
}

static void message_is(const struct fixer_result *r, enum fixer_status status, int exit_code,
                       const char *want, const char *name) {
        tap_ok(r->status == status && r->exit_code == exit_code, name);
        tap_streq(r->message, want, name);
}

static void test_role(void) {
        clear_tree();
        struct plan p;
        plan_open(&p, false);
        const char *why;
        tap_ok(node_role(&p.ctx, &why) == ROLE_WORKER &&
                       streq(why, "role auto, no /etc/kubernetes/manifests/kube-apiserver.yaml"),
               "role auto: a worker by default");
        char *init[] = { (char *) "init" },
             *join_cp[] = { (char *) "join", (char *) "10.0.0.1:6443", (char *) "--control-plane" },
             *join[] = { (char *) "join", (char *) "10.0.0.1:6443" };
        p.opts.kubeadm_args = init;
        p.opts.n_kubeadm_args = 1;
        tap_ok(node_role(&p.ctx, &why) == ROLE_CONTROL_PLANE &&
                       streq(why, "role auto, kubeprep kubeadm -- init"),
               "kubeprep kubeadm -- init: a control plane");
        p.opts.kubeadm_args = join_cp;
        p.opts.n_kubeadm_args = 3;
        tap_ok(node_role(&p.ctx, &why) == ROLE_CONTROL_PLANE,
               "kubeadm join --control-plane: a control plane");
        p.opts.kubeadm_args = join;
        p.opts.n_kubeadm_args = 2;
        put("/etc/kubernetes/manifests/kube-apiserver.yaml", "");
        tap_ok(node_role(&p.ctx, &why) == ROLE_WORKER && streq(why, "role auto, kubeprep kubeadm -- join"),
               "kubeadm join: a worker, whatever an old run left");
        p.opts.n_kubeadm_args = 0;
        tap_ok(node_role(&p.ctx, &why) == ROLE_CONTROL_PLANE, "the apiserver manifest: a control plane");
        p.profile.role = ROLE_WORKER;
        tap_ok(node_role(&p.ctx, &why) == ROLE_WORKER && streq(why, "role in the profile"),
               "the profile's role wins");
        plan_close(&p);
}

/* GRUB_CMDLINE_LINUX as Debian's grub-mkconfig reads it: /etc/default/grub, then each .cfg file of
 * /etc/default/grub.d, sourced in order. */
static char *grub_cmdline(void) {
        _cleanup_free_ char *cmd = xasprintf(
                "bash -c 'set -e; . \"$1/etc/default/grub\"; for x in \"$1\"/etc/default/grub.d/*.cfg; do "
                "if [ -e \"$x\" ]; then . \"$x\"; fi; done; printf %%s \"$GRUB_CMDLINE_LINUX\"' _ %s",
                tree);
        return run_capture(cmd);
}

static void test_kernel_cgroups(void) {
        clear_tree();
        /* Debian's /etc/default/grub (grub2-common), with a parameter of the operator's. */
        put("/etc/default/grub",
            "# If you change this file, run 'update-grub' afterwards to update\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
            "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"console=ttyS0\"\n");
        put("/etc/debian_version", "12.5\n");
        struct plan p;
        plan_open(&p, true);
        struct node_facts *n = &p.ctx.node;
        n->kernel_cmdline = xstrdup("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro console=ttyS0 quiet");

        set_controllers(n, "cpuset cpu io memory hugetlb pids rdma misc");
        plan_run(&p, &fixer_kernel_cgroups);
        message_is(&p.r, STATUS_OK, 0,
                   "the cgroup v2 controllers kubeadm checks are enabled (cpu, cpuset, memory, pids)",
                   "v2: all there");

        set_controllers(n, "cpu io pids");
        plan_run(&p, &fixer_kernel_cgroups);
        message_is(
                &p.r, STATUS_DRIFT, 1,
                "the kernel lacks the cgroup controllers cpuset, memory (kubeadm: missing required cgroups)",
                "v2 without memory and cpuset: drift until a reboot");
        tap_ok(p.r.n_edits == 1 && streq(p.r.edits[0].path, "/etc/default/grub.d/50-kubeprep.cfg") &&
                       has_detail(&p.r, "then: update-grub, and reboot"),
               "Debian with GRUB: kubeprep's drop-in, then update-grub and a reboot");
        if (p.r.n_edits == 1) {
                put("/etc/default/grub.d/50-kubeprep.cfg", p.r.edits[0].new_data);
                _cleanup_free_ char *line = grub_cmdline();
                tap_streq(line, "console=ttyS0 cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset",
                          "grub-mkconfig's GRUB_CMDLINE_LINUX: the operator's parameter, then kubeprep's");
        }
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.status == STATUS_DRIFT && p.r.exit_code == 1 && p.r.n_edits == 0 &&
                       has_detail(&p.r, "/etc/default/grub.d/50-kubeprep.cfg is in place: run update-grub "
                                        "if you have "
                                        "not, and reboot"),
               "the drop-in in place, the kernel not rebooted: drift, nothing to write");

        free(n->kernel_cmdline);
        n->kernel_cmdline =
                xstrdup("root=/dev/sda1 cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset");
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.n_edits == 0 &&
                       has_detail(&p.r, "the kernel was started with cgroup_enable=memory cgroup_memory=1 "
                                        "cgroup_enable=cpuset: it cannot enable cpuset, memory"),
               "started with the parameters and still without: a kernel matter, nothing written");

        set_controllers(n, "cpu cpuset memory");
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.n_edits == 0 && has_detail(&p.r, "pids cannot be turned on from the kernel command line"),
               "pids: no parameter turns it on");

        n->container = xstrdup("systemd-nspawn");
        set_controllers(n, "cpu pids");
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.status == STATUS_DRIFT && p.r.n_edits == 0 &&
                       has_detail(&p.r, "in a container (systemd-nspawn) the controllers are those its "
                                        "manager delegates"),
               "in a container: the manager's delegation, no boot configuration");
        free(n->container);
        n->container = NULL;

        /* cgroup v1 (/proc/cgroups): devices and freezer are required too. */
        n->cgroup_version = 1;
        free(n->kernel_cmdline);
        n->kernel_cmdline = xstrdup("root=/dev/mmcblk0p2");
        set_controllers(n, "cpuset cpu cpuacct blkio devices freezer net_cls pids");
        put("/boot/firmware/cmdline.txt", "console=tty1 root=/dev/mmcblk0p2 rootwait\n");
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.n_edits == 1 && streq(p.r.edits[0].path, "/boot/firmware/cmdline.txt") &&
                       streq(p.r.edits[0].new_data,
                             "console=tty1 root=/dev/mmcblk0p2 rootwait cgroup_enable=memory "
                             "cgroup_memory=1 cgroup_enable=cpuset\n") &&
                       has_detail(&p.r, "then: reboot") && p.r.exit_code == 1,
               "a Raspberry Pi on cgroup v1 without memory: cmdline.txt wins over GRUB, then a reboot");
        tap_streq(p.r.message,
                  "the kernel lacks the cgroup controller memory (kubeadm: missing required cgroups)",
                  "v1: only memory is missing");

        /* Not Debian, GRUB: grubby's command, nothing written. */
        clear_tree();
        put("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"rhgb quiet\"\n");
        put("/etc/redhat-release", "Rocky Linux release 9.3 (Blue Onyx)\n");
        plan_run(&p, &fixer_kernel_cgroups);
        tap_ok(p.r.n_edits == 0 &&
                       has_detail(&p.r, "add them: grubby --update-kernel=ALL --args=\"cgroup_enable=memory "
                                        "cgroup_memory=1 cgroup_enable=cpuset\", then reboot"),
               "RHEL's GRUB: grubby, by the operator");
        plan_close(&p);
}

static void set_unit(struct node_facts *n, const char *unit, const char *file_state, const char *active,
                     bool condition, uint64_t checked) {
        n->units = xrealloc(n->units, (n->n_units + 1) * sizeof(*n->units));
        n->units[n->n_units++] = (struct node_unit){
                .name = xstrdup(unit),
                .state = { .load_state = xstrdup("loaded"),
                           .active_state = xstrdup(active),
                           .unit_file_state = xstrdup(file_state),
                           .condition_result = condition,
                           .condition_timestamp = checked },
        };
}

static void clear_units(struct node_facts *n) {
        for (size_t i = 0; i < n->n_units; i++) {
                free(n->units[i].name);
                unit_state_done(&n->units[i].state);
        }
        free(n->units);
        n->units = NULL;
        n->n_units = 0;
}

static void test_time_sync(void) {
        clear_tree();
        put("/etc/debian_version", "12.5\n");
        put("/usr/lib/systemd/system/systemd-timesyncd.service",
            "[Unit]\nConditionVirtualization=!container\n[Install]\nWantedBy=sysinit.target\n"
            "Alias=dbus-org.freedesktop.timesync1.service\n");
        struct plan p;
        plan_open(&p, true);
        struct node_facts *n = &p.ctx.node;
        const char *ts = "systemd-timesyncd.service";

        set_unit(n, ts, "enabled", "active", true, 1);
        n->clock_synchronized = 1;
        plan_run(&p, &fixer_time_sync);
        message_is(&p.r, STATUS_OK, 0, "systemd-timesyncd.service is enabled; the clock is synchronised",
                   "enabled, running, synchronised");

        n->clock_synchronized = 0;
        plan_run(&p, &fixer_time_sync);
        message_is(&p.r, STATUS_DRIFT, 1,
                   "systemd-timesyncd.service is enabled; the clock is not synchronised (adjtimex)",
                   "running but not synchronised: drift for the operator");
        tap_ok(has_detail(&p.r, "has not synchronised the clock: check that it reaches its servers"),
               "  with what to check");

        n->container = xstrdup("docker");
        plan_run(&p, &fixer_time_sync);
        tap_ok(p.r.status == STATUS_OK && p.r.warnings.n == 1 &&
                       streq(p.r.warnings.items[0], "the clock is not synchronised (adjtimex); in a "
                                                    "container (docker) the host keeps it"),
               "in a container the clock is the host's: a warning");
        free(n->container);
        n->container = NULL;

        clear_units(n);
        n->clock_synchronized = 0;
        set_unit(n, ts, "disabled", "inactive", false, 0);
        plan_run(&p, &fixer_time_sync);
        message_is(&p.r, STATUS_DRIFT, 0,
                   "systemd-timesyncd.service is installed but not enabled; the clock is not synchronised "
                   "(adjtimex)",
                   "disabled: enable --now over systemd, the clock given its start");
        tap_ok(p.r.n_actions == 1 && has_action(&p.r, "enable --now", ts) && p.r.n_edits == 0,
               "  one live action, no link written by kubeprep");

        clear_units(n);
        set_unit(n, ts, "enabled", "inactive", false, 1700000000000000);
        n->container = xstrdup("systemd-nspawn");
        plan_run(&p, &fixer_time_sync);
        tap_ok(p.r.status == STATUS_OK && p.r.n_actions == 0 && p.r.warnings.n == 1 &&
                       strstr(p.r.message, "is enabled (its conditions keep it from running here)"),
               "enabled, its conditions unmet at its last start (a container): systemd's decision stands");
        free(n->container);
        n->container = NULL;
        plan_run(&p, &fixer_time_sync);
        tap_ok(p.r.status == STATUS_DRIFT && p.r.exit_code == 1 && p.r.n_actions == 0,
               "the same on a machine whose clock nothing synchronises: drift");

        clear_units(n);
        set_unit(n, ts, "enabled", "failed", true, 1700000000000000);
        plan_run(&p, &fixer_time_sync);
        tap_ok(p.r.n_actions == 1 && has_action(&p.r, "start", ts) &&
                       strstr(p.r.message, "is enabled but failed"),
               "enabled but failed: started");

        n->units_error = -ENOENT;
        n->units_message = xstrdup("cannot connect to the system bus "
                                   "(unix:path=/run/dbus/system_bus_socket): No such file or directory");
        plan_run(&p, &fixer_time_sync);
        tap_ok(p.r.status == STATUS_ERROR && p.r.exit_code == 1 &&
                       strstr(p.r.message, "cannot read the state of the time services: cannot connect"),
               "no system bus: a failure, exit 1");
        plan_close(&p);
}

static void test_firewall_live(void) {
        clear_tree();
        put("/etc/firewalld/firewalld.conf", "DefaultZone=public\n");
        put("/usr/lib/firewalld/zones/public.xml", "<zone>\n  <service name=\"ssh\"/>\n</zone>\n");
        put("/etc/firewalld/zones/internal.xml", "<zone>\n  <interface name=\"eth9\"/>\n</zone>\n");
        struct plan p;
        plan_open(&p, true);
        struct node_facts *n = &p.ctx.node;
        set_unit(n, "firewalld.service", "enabled", "active", true, 1);
        plan_run(&p, &fixer_firewall);
        tap_ok(p.r.status == STATUS_DRIFT && has_action(&p.r, "reload", "firewalld") && p.r.n_edits == 1 &&
                       streq(p.r.edits[0].path, "/etc/firewalld/zones/public.xml"),
               "active firewalld: the zone edited, then a reload over D-Bus");
        n->route = (struct rtnl_default_route){ .present = true, .ifname = "eth9" };
        plan_run(&p, &fixer_firewall);
        tap_ok(p.r.n_edits == 1 && streq(p.r.edits[0].path, "/etc/firewalld/zones/internal.xml"),
               "the default route's interface is bound to internal: that zone");
        clear_units(n);
        set_unit(n, "firewalld.service", "enabled", "inactive", false, 0);
        plan_run(&p, &fixer_firewall);
        tap_ok(p.r.n_edits == 1 && p.r.n_actions == 0,
               "enabled, not running: the file for its next start, no reload");
        clear_units(n);
        set_unit(n, "firewalld.service", "disabled", "inactive", false, 0);
        plan_run(&p, &fixer_firewall);
        message_is(&p.r, STATUS_OK, 0, "neither firewalld nor ufw is enabled",
                   "disabled and stopped: nothing to open");
        plan_close(&p);
}

static void add_link(struct node_facts *n, int ifindex, const char *name, unsigned flags, const char *addr) {
        n->links.links = xrealloc(n->links.links, (n->links.n_links + 1) * sizeof(*n->links.links));
        struct rtnl_link *l = &n->links.links[n->links.n_links++];
        *l = (struct rtnl_link){ .ifindex = ifindex, .flags = flags };
        snprintf(l->name, sizeof(l->name), "%s", name);
        n->links.addrs = xrealloc(n->links.addrs, (n->links.n_addrs + 1) * sizeof(*n->links.addrs));
        struct rtnl_address *a = &n->links.addrs[n->links.n_addrs++];
        *a = (struct rtnl_address){ .ifindex = ifindex, .prefixlen = 24 };
        inet_pton(AF_INET, addr, &a->addr);
}

static void test_addresses(void) {
        clear_tree();
        struct plan p;
        plan_open(&p, true);
        struct node_facts *n = &p.ctx.node;
        add_link(n, 2, "eth0", IFF_UP, "192.0.2.10");
        add_link(n, 3, "eth1", 0, "198.51.100.7");
        add_link(n, 4, "docker0", IFF_UP, "172.17.0.1");
        add_link(n, 5, "cni0", IFF_UP, "10.244.0.1");
        _cleanup_free_ struct node_address *a = NULL;
        size_t m;
        tap_ok(node_addresses(n, NULL, &a, &m, NULL) == 0 && m == 1, "candidates: up links, no runtime's");
        free(a);
        a = NULL;
        tap_ok(node_addresses(n, "eth1", &a, &m, NULL) == 0 && m == 1, "a named interface, even down");
        free(a);
        a = NULL;
        tap_ok(node_addresses(n, "10.0.0.0/8", &a, &m, NULL) == 0 && m == 0,
               "a network that only cni0 is in: none");
        free(a);
        a = NULL;
        _cleanup_free_ char *addr = NULL, *label = NULL, *problem = NULL;
        p.profile.node_ip = xstrdup("172.17.0.1");
        tap_ok(node_ip_address(&p.ctx, &addr, &label, &problem) == 1 && streq(addr, "172.17.0.1"),
               "an address the node has is taken as given");
        free(p.profile.node_ip);
        p.profile.node_ip = xstrdup("203.0.113.5");
        tap_ok(node_ip_address(&p.ctx, &addr, &label, &problem) == -ENXIO &&
                       streq(problem,
                             "no address of this node is in nodeIP 203.0.113.5 (it has 192.0.2.10 (eth0))"),
               "an address it has not: none");
        free(problem);
        problem = NULL;
        n->links_error = -EPERM;
        n->links_message = xstrdup("cannot read network interfaces: Operation not permitted");
        tap_ok(node_ip_address(&p.ctx, &addr, &label, &problem) == -EPERM &&
                       strstr(problem, "cannot read network"),
               "links unreadable: said so");

        /* hostname, live: the lookup's answer decides; a timeout is no answer. */
        n->node_name = xstrdup("node-1");
        n->node_name_from = "the kernel's hostname";
        n->node_name_resolves = -ETIME;
        n->node_name_message = xstrdup("looking up node-1: no answer within 3 s");
        free(p.profile.node_ip);
        p.profile.node_ip = NULL;
        put("/etc/hosts", "127.0.0.1 localhost\n");
        plan_run(&p, &fixer_hostname);
        tap_streq(
                p.r.message,
                "node-1 (the kernel's hostname) does not resolve (looking up node-1: no answer within 3 s)",
                "hostname: a lookup that timed out");
        tap_ok(p.r.n_edits == 1 && streq(p.r.edits[0].new_data, "127.0.0.1 localhost\n127.0.1.1\tnode-1\n"),
               "hostname: the line that answers at once");
        n->node_name_resolves = 1;
        strv_push(&n->node_name_addrs, xstrdup("10.1.2.3"));
        plan_run(&p, &fixer_hostname);
        message_is(&p.r, STATUS_OK, 0, "node-1 (the kernel's hostname) resolves to 10.1.2.3",
                   "hostname: resolved by DNS");
        plan_close(&p);
}

int main(void) {
        if (!mkdtemp(tree)) {
                tap_skip("preflight fixers", "mkdtemp failed");
                return tap_done();
        }
        test_role();
        test_kernel_cgroups();
        test_time_sync();
        test_firewall_live();
        test_addresses();
        _cleanup_free_ char *rm = xasprintf("rm -rf %s", tree);
        (void) system(rm);
        return tap_done();
}
