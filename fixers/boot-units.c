/* SPDX-License-Identifier: MIT */
/* The `boot-units` fixer: the container runtime and kubelet.service start at boot, or a
 * rebooted node comes back without them (kubeadm's preflight warns "kubelet service is not
 * enabled"). Enabling is all: the kubelet is never started here, kubeadm starts it once it has
 * written its configuration. Live, systemd enables the units (EnableUnitFiles, as `systemctl
 * enable` asks it); with --root, the tree gets the links systemctl would make from each unit's
 * [Install] section. */
#include <sys/stat.h>

#include "engine/managed-paths.h"
#include "fixers/registry.h"
#include "fixers/shared/cri-runtimes.h"
#include "formats/unit-install.h"
#include "system/libsystemd.h"
#include "system/units.h"

#define UNIT_CONFIG_DIR "/etc/systemd/system"
#define UNIT_RUNTIME_DIR "/run/systemd/system"
#define KUBELET_UNIT "kubelet.service"
/* A unit enabling others (Also=) that enable more: systemd follows them; this many is plenty. */
#define UNITS_MAX 16

struct unit_plan {
        struct strv todo;    /* units still to look at, in order */
        struct strv seen;    /* every unit looked at */
        struct strv enabled; /* already enabled */
        struct strv planned; /* to enable */
        struct strv masked;  /* masked by the operator: left so */
        struct strv missing; /* named, but no unit file */
};

static void unit_plan_free(struct unit_plan *p) {
        strv_free(&p->todo);
        strv_free(&p->seen);
        strv_free(&p->enabled);
        strv_free(&p->planned);
        strv_free(&p->masked);
        strv_free(&p->missing);
}

static void want(struct unit_plan *p, const char *unit) {
        if (!strv_contains(&p->seen, unit) && !strv_contains(&p->todo, unit))
                strv_push(&p->todo, xstrdup(unit));
}

static int do_enable(const struct live_action *a, char **ret_error) {
        _cleanup_(sym_sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int k = units_bus_open(&bus, ret_error);
        return k < 0 ? k : units_enable(bus, (const char *const *) &a->target, 1, ret_error);
}

/* Masked: the unit's name under /etc or /run/systemd/system is a link to /dev/null. */
static bool masked(const struct root *root, const char *unit) {
        static const char *const dirs[] = { UNIT_CONFIG_DIR, UNIT_RUNTIME_DIR };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], unit), *target = NULL;
                if (root_readlink(root, p, &target) >= 0 && streq(target, "/dev/null"))
                        return true;
        }
        return false;
}

/* The links enabling makes: TARGET.wants/UNIT, TARGET.requires/UNIT and ALIAS, under dir. */
static void install_links(const struct unit_install *u, const char *dir, const char *unit,
                          struct strv *ret) {
        for (size_t i = 0; i < u->wanted_by.n; i++)
                strv_push(ret, xasprintf("%s/%s.wants/%s", dir, u->wanted_by.items[i], unit));
        for (size_t i = 0; i < u->required_by.n; i++)
                strv_push(ret, xasprintf("%s/%s.requires/%s", dir, u->required_by.items[i], unit));
        for (size_t i = 0; i < u->alias.n; i++)
                strv_push(ret, xasprintf("%s/%s", dir, u->alias.items[i]));
}

/* Enabled, as `systemctl is-enabled` says "enabled" or "enabled-runtime": one of its links is in
 * /etc or /run/systemd/system. */
static bool enabled(const struct root *root, const struct unit_install *u, const char *unit) {
        static const char *const dirs[] = { UNIT_CONFIG_DIR, UNIT_RUNTIME_DIR };
        bool found = false;
        for (size_t d = 0; d < ELEMENTSOF(dirs) && !found; d++) {
                struct strv links = {};
                install_links(u, dirs[d], unit, &links);
                for (size_t i = 0; i < links.n && !found; i++) {
                        struct stat st;
                        found = root_lstat(root, links.items[i], &st) >= 0 && S_ISLNK(st.st_mode);
                }
                strv_free(&links);
        }
        return found;
}

/* Look at one unit: enabled, masked, static, or plan its enabling. <0 after result_refuse(). */
static int plan_unit(struct context *ctx, struct fixer_result *r, struct unit_plan *p, const char *unit) {
        _cleanup_free_ char *path = unit_file_path(ctx->root, unit), *text = NULL, *err = NULL;
        _cleanup_(unit_install_free) struct unit_install u = {};
        size_t len;
        strv_push(&p->seen, xstrdup(unit));
        if (masked(ctx->root, unit)) {
                strv_push(&p->masked, xstrdup(unit));
                return 0;
        }
        if (!path) {
                strv_push(&p->missing, xstrdup(unit));
                return 0;
        }
        int k = ctx_read_file(ctx, path, &text, &len, NULL);
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", path, read_strerror(k));
        if ((k = unit_install_parse(text, len, &u, &err)) < 0)
                return result_refuse(r, k, "%s: %s; nothing was enabled", path, err);
        for (size_t i = 0; i < u.also.n; i++)
                want(p, u.also.items[i]);
        if (unit_install_empty(&u)) {
                result_detail(r, "%s: no [Install] section: started by what needs it (static)", path);
                return 0;
        }
        if (enabled(ctx->root, &u, unit)) {
                strv_push(&p->enabled, xstrdup(unit));
                return 0;
        }
        strv_push(&p->planned, xstrdup(unit));
        if (ctx->root->live) {
                plan_action(r, "enable", unit, do_enable);
                result_detail(r, "enable %s at boot (systemctl enable %s; not started)", unit, unit);
                return 0;
        }
        struct strv links = {};
        install_links(&u, UNIT_CONFIG_DIR, unit, &links);
        for (size_t i = 0; i < links.n && k >= 0; i++) {
                /* rollback undoes only the links engine/managed-paths.c lists */
                if (!managed_path_listed(links.items[i])) {
                        result_warn(
                                r,
                                "%s: not made (not a link kubeprep manages): systemctl enable %s makes it",
                                links.items[i], unit);
                        continue;
                }
                k = plan_symlink(ctx, r, links.items[i], path);
                if (k == -EEXIST)
                        k = result_refuse(r, k,
                                          "%s: not a link, where enabling %s makes one; nothing was enabled",
                                          links.items[i], unit);
                else if (k < 0)
                        k = result_refuse(r, k, "%s: %s", links.items[i], strerror(-k));
                else if (k > 0)
                        result_detail(r, "%s -> %s (enable %s)", links.items[i], path, unit);
        }
        strv_free(&links);
        return k < 0 ? k : 0;
}

/* The runtime to enable: the kubelet's endpoint's, else the only one installed. */
static int runtime_unit(struct context *ctx, struct fixer_result *r, const char **ret) {
        _cleanup_free_ char *endpoint = NULL, *from = NULL;
        *ret = NULL;
        int k = kubelet_cri_endpoint(ctx, r, &endpoint, &from);
        if (k < 0)
                return k;
        const struct cri_runtime *rt = k > 0 ? cri_runtime_of_endpoint(endpoint) : NULL;
        if (rt) {
                *ret = rt->unit;
                return 0;
        }
        struct strv installed = {};
        for (size_t i = 0; i < n_cri_runtimes; i++) {
                _cleanup_free_ char *where = cri_runtime_installed(ctx->root, &cri_runtimes[i]);
                if (where) {
                        rt = &cri_runtimes[i];
                        strv_push(&installed, xstrdup(cri_runtimes[i].name));
                }
        }
        if (installed.n == 1)
                *ret = rt->unit;
        else if (installed.n > 1) {
                _cleanup_free_ char *names = strv_join(&installed, ", ");
                result_warn(r,
                            "several CRI runtimes are installed (%s) and the kubelet is told none: kubeprep "
                            "enables none of them (see cri-endpoint)",
                            names);
        }
        strv_free(&installed);
        return 0;
}

static int boot_units_plan(struct context *ctx, struct fixer_result *r) {
        if (!streq_ptr(ctx->node.init, "systemd")) {
                result_skip(r, "%s: no systemd units to enable",
                            ctx->node.init ? "this node's init is not systemd" : "the tree has no systemd");
                return 0;
        }
        _cleanup_(unit_plan_free) struct unit_plan p = {};
        const char *runtime = NULL;
        int k = runtime_unit(ctx, r, &runtime);
        if (k < 0)
                return k;
        if (runtime)
                want(&p, runtime);
        want(&p, KUBELET_UNIT);
        for (size_t i = 0; i < p.todo.n && k >= 0; i++) {
                if (p.seen.n == UNITS_MAX)
                        return result_refuse(r, -E2BIG, "%s: more than %d units to enable through Also=",
                                             p.todo.items[0], UNITS_MAX);
                k = plan_unit(ctx, r, &p, p.todo.items[i]);
        }
        if (k < 0)
                return k;
        if (strv_contains(&p.missing, KUBELET_UNIT) && node_has_program(ctx->root, "kubelet"))
                result_warn(r, "the kubelet is installed, but there is no %s to enable", KUBELET_UNIT);

        struct strv parts = {};
        if (p.planned.n) {
                _cleanup_free_ char *planned = strv_join(&p.planned, " and ");
                strv_push(&parts,
                          xasprintf("%s %s not enabled at boot", planned, p.planned.n == 1 ? "is" : "are"));
        }
        if (p.masked.n) {
                _cleanup_free_ char *list = strv_join(&p.masked, " and ");
                strv_push(&parts, xasprintf("%s %s masked", list, p.masked.n == 1 ? "is" : "are"));
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                result_detail(r, "kubeprep does not unmask a unit the operator masked: systemctl unmask %s",
                              list);
        }
        _cleanup_free_ char *message = strv_join(&parts, "; ");
        strv_free(&parts);
        if (*message)
                result_message(r, "%s", message);
        else if (p.enabled.n) {
                _cleanup_free_ char *list = strv_join(&p.enabled, " and ");
                result_message(r, "%s %s enabled at boot", list, p.enabled.n == 1 ? "is" : "are");
        } else
                result_message(r, "no unit of the kubelet or a CRI runtime to enable");
        return 0;
}

const struct fixer fixer_boot_units = {
        .name = "boot-units",
        .description =
                "the CRI runtime and kubelet.service are enabled at boot (the kubelet is never started)",
        .plan = boot_units_plan,
};
