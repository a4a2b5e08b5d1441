/* SPDX-License-Identifier: MIT */
/* The `time-sync` fixer: a node whose clock is off joins with certificates "not yet valid" or
 * expired. An installed time service is enabled and started (live: systemd's EnableUnitFiles and
 * StartUnit; with --root: the links `systemctl enable` makes), and the profile's ntp.servers, only
 * those, go into a drop-in of kubeprep's. Live, adjtimex(2) tells whether the clock is synchronised. */
#include "fixers/registry.h"
#include "fixers/shared/unit-files.h"
#include "system/libsystemd.h"
#include "system/units.h"

#define TIMESYNCD_DROPIN "/etc/systemd/timesyncd.conf.d/50-kubeprep.conf"
#define CHRONY_SOURCES "/etc/chrony/sources.d/kubeprep.sources"
#define CHRONY_CONF_DROPIN "/etc/chrony/conf.d/kubeprep.conf"
#define HEADER \
        "# Written by kubeprep (the time-sync fixer) from ntp.servers in its profile, which it rewrites.\n"

enum service_kind {
        TIMESYNCD,
        CHRONY,
        NTPD, /* ntpsec, ntp, openntpd: no drop-in directory kubeprep writes to */
};

/* In the order one is chosen when several are installed and none is enabled. Debian's chrony.service
 * has the alias chronyd.service, RHEL's unit is chronyd.service itself; ntpsec's aliases are ntp and ntpd. */
static const struct time_service {
        const char *unit;
        enum service_kind kind;
} services[] = {
        { "chrony.service", CHRONY },
        { "chronyd.service", CHRONY },
        { "systemd-timesyncd.service", TIMESYNCD },
        { "ntpsec.service", NTPD },
        { "ntp.service", NTPD },
        { "ntpd.service", NTPD },
        { "openntpd.service", NTPD },
};

struct installed {
        const struct time_service *s;
        struct unit_file file;
        bool enabled;
};

static bool state_enabled(const char *unit_file_state) {
        static const char *const on[] = { "enabled", "enabled-runtime", "static",
                                          "alias",   "indirect",        "generated" };
        for (size_t i = 0; i < ELEMENTSOF(on); i++)
                if (streq(unit_file_state, on[i]))
                        return true;
        return false;
}

static bool state_running(const char *active_state) {
        return streq(active_state, "active") || streq(active_state, "activating") ||
               streq(active_state, "reloading");
}

static int do_enable_start(const struct live_action *a, char **ret_error) {
        _cleanup_(sym_sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int k = units_bus_open(&bus, ret_error);
        return k < 0 ? k
                     : units_enable_and_start(bus, a->target, streq(a->action, "enable --now"), 0,
                                              ret_error);
}

/* The time services installed, each once (an alias is not a second service). <0 after result_refuse(). */
static int find_installed(struct context *ctx, struct fixer_result *r, struct installed *ret,
                          size_t *ret_n) {
        size_t n = 0;
        *ret_n = 0;
        for (size_t i = 0; i < ELEMENTSOF(services); i++) {
                struct unit_file u;
                int k = unit_file_load(ctx, r, services[i].unit, &u);
                if (k < 0)
                        return k;
                if (k == 0)
                        continue;
                bool alias = false;
                for (size_t j = 0; j < n && !alias; j++)
                        alias = strv_contains(&ret[j].file.install.alias, services[i].unit);
                if (alias) {
                        unit_file_done(&u);
                        continue;
                }
                const struct unit_state *st =
                        ctx->root->live ? node_unit_state(&ctx->node, services[i].unit) : NULL;
                bool enabled = ctx->root->live ? st && state_enabled(st->unit_file_state)
                                               : unit_file_enabled(ctx, services[i].unit, &u);
                ret[n++] =
                        (struct installed){ .s = &services[i], .file = u, .enabled = enabled && !u.masked };
                *ret_n = n;
        }
        return 0;
}

static char *servers_text(const struct strv *servers, enum service_kind kind) {
        struct buf b = {};
        buf_puts(&b, HEADER);
        if (kind == TIMESYNCD) {
                _cleanup_free_ char *list = strv_join(servers, " ");
                buf_printf(&b, "[Time]\nNTP=%s\n", list);
        } else
                for (size_t i = 0; i < servers->n; i++)
                        buf_printf(&b, "server %s iburst\n", servers->items[i]);
        return buf_steal(&b);
}

/* Whether chrony.conf names dir in a sourcedir or confdir directive (Debian's reads both). */
static bool chrony_reads(struct context *ctx, const char *directive, const char *dir) {
        static const char *const confs[] = { "/etc/chrony/chrony.conf", "/etc/chrony.conf" };
        for (size_t i = 0; i < ELEMENTSOF(confs); i++) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                if (ctx_read_file(ctx, confs[i], &text, &len, NULL) < 0)
                        continue;
                for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                        _cleanup_free_ char *line = xstrndup_strip(text + off, n, WHITESPACE);
                        const char *rest = startswith(line, directive);
                        if (rest && strchr(" \t", *rest) && *rest) {
                                _cleanup_free_ char *arg = xstrndup_strip(rest, strlen(rest), WHITESPACE);
                                if (streq(arg, dir))
                                        return true;
                        }
                }
        }
        return false;
}

/* The profile's servers in the service's drop-in. 1 planned, 0 nothing to do, <0 after result_refuse().
 * *ret_where names the file. A service without a drop-in kubeprep writes is drift. */
static int plan_servers(struct context *ctx, struct fixer_result *r, const struct installed *in,
                        char **ret_where) {
        const struct strv *servers = &ctx->profile->ntp.servers;
        if (servers->n == 0)
                return 0;
        const char *path = NULL;
        if (in->s->kind == TIMESYNCD)
                path = TIMESYNCD_DROPIN;
        else if (in->s->kind == CHRONY && chrony_reads(ctx, "sourcedir", "/etc/chrony/sources.d"))
                path = CHRONY_SOURCES;
        else if (in->s->kind == CHRONY && chrony_reads(ctx, "confdir", "/etc/chrony/conf.d"))
                path = CHRONY_CONF_DROPIN;
        if (!path) {
                result_detail(
                        r,
                        "ntp.servers: kubeprep sets the servers of systemd-timesyncd and of a chrony whose "
                        "chrony.conf reads /etc/chrony/sources.d or /etc/chrony/conf.d; add them to %s's "
                        "configuration yourself",
                        in->s->unit);
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                return 0;
        }
        *ret_where = xstrdup(path);
        _cleanup_free_ char *text = servers_text(servers, in->s->kind);
        int k = plan_write_file_restart(ctx, r, path, text, strlen(text), in->s->unit);
        if (k > 0) {
                _cleanup_free_ char *list = strv_join(servers, " ");
                result_detail(r, "%s: %s%s", path, in->s->kind == TIMESYNCD ? "NTP=" : "server ", list);
        }
        return k;
}

/* Live only: is the clock synchronised? Outside a container an active service with an unsynchronised
 * clock is drift (its servers are unreachable or wrong); in one, the host keeps the clock. */
static void check_clock(struct context *ctx, struct fixer_result *r, const struct installed *in,
                        bool starting, bool servers_changed, struct buf *m) {
        int synced = ctx->node.clock_synchronized;
        if (!ctx->root->live || synced < 0)
                return;
        if (synced > 0) {
                buf_puts(m, "; the clock is synchronised");
                return;
        }
        if (ctx->node.container) {
                result_warn(
                        r, "the clock is not synchronised (adjtimex); in a container (%s) the host keeps it",
                        ctx->node.container);
                return;
        }
        buf_puts(m, "; the clock is not synchronised (adjtimex)");
        if (starting || servers_changed)
                return; /* give it the start or the new servers */
        result_detail(r,
                      "%s runs but has not synchronised the clock: check that it reaches its servers "
                      "(timedatectl timesync-status, chronyc sources), or set ntp.servers",
                      in->s->unit);
        r->status = STATUS_DRIFT;
        r->exit_code = 1;
}

/* Enable (and start) the chosen service; *ret_starting when a start was planned. <0 after result_refuse(). */
static int plan_enable(struct context *ctx, struct fixer_result *r, const struct installed *in,
                       struct buf *m, bool *ret_starting) {
        const char *unit = in->s->unit;
        *ret_starting = false;
        if (!in->enabled) {
                buf_printf(m, "%s is installed but not enabled", unit);
                if (ctx->root->live) {
                        plan_action(r, "enable --now", unit, do_enable_start);
                        *ret_starting = true;
                        return 0;
                }
                _cleanup_free_ char *links = NULL;
                int k = plan_unit_enable(ctx, r, unit, &in->file, &links);
                if (k > 0)
                        result_detail(r, "enable %s: %s", unit, links);
                return k < 0 ? k : 0;
        }
        buf_printf(m, "%s is enabled", unit);
        const struct unit_state *st = ctx->root->live ? node_unit_state(&ctx->node, unit) : NULL;
        if (!st || state_running(st->active_state))
                return 0;
        if (st->condition_timestamp && !st->condition_result) {
                /* systemd-timesyncd in a container (ConditionVirtualization=!container), chrony without
                 * CAP_SYS_TIME: systemd itself decided it does not run here. */
                buf_printf(m, " (its conditions keep it from running here)");
                return 0;
        }
        buf_printf(m, " but %s", st->active_state);
        plan_action(r, "start", unit, do_enable_start);
        *ret_starting = true;
        return 0;
}

static int time_sync_plan(struct context *ctx, struct fixer_result *r) {
        const struct node_facts *n = &ctx->node;
        if (!n->init || !streq(n->init, "systemd")) {
                result_skip(r, "not a systemd node: kubeprep enables time services through systemd");
                return 0;
        }
        if (ctx->root->live && n->units_error < 0)
                return result_fail(r, n->units_error, "cannot read the state of the time services: %s",
                                   n->units_message);
        struct installed in[ELEMENTSOF(services)];
        size_t n_in = 0;
        int k = find_installed(ctx, r, in, &n_in);
        const struct installed *pick = NULL;
        for (size_t i = 0; i < n_in && !pick; i++)
                if (in[i].enabled)
                        pick = &in[i];
        for (size_t i = 0; i < n_in && !pick; i++)
                if (!in[i].file.masked)
                        pick = &in[i];
        struct buf m = {};
        bool starting = false;
        if (k < 0)
                ;
        else if (n_in == 0) {
                result_message(r, "no time synchronisation service is installed (systemd-timesyncd, chrony, "
                                  "ntpsec, ntp, openntpd)");
                result_detail(r, "install one: %s",
                              root_exists(ctx->root, "/etc/debian_version")
                                      ? "apt-get install systemd-timesyncd (or chrony)"
                                      : "dnf install chrony (or yum install chrony)");
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
        } else if (!pick) {
                const char *unit = in[0].s->unit;
                result_message(
                        r, "%s is masked: unmask it (systemctl unmask %s) or install another time service",
                        unit, unit);
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
        } else {
                _cleanup_free_ char *where = NULL;
                k = plan_enable(ctx, r, pick, &m, &starting);
                int s = k < 0 ? 0 : plan_servers(ctx, r, pick, &where);
                if (s < 0)
                        k = s;
                else if (where && s == 0)
                        buf_printf(&m, "; its servers are ntp.servers' (%s)", where);
                if (k >= 0)
                        check_clock(ctx, r, pick, starting, s > 0, &m);
                if (k >= 0)
                        r->message = buf_steal(&m);
        }
        buf_free(&m);
        for (size_t i = 0; i < n_in; i++)
                unit_file_done(&in[i].file);
        return k < 0 ? k : 0;
}

const struct fixer fixer_time_sync = {
        .name = "time-sync",
        .description =
                "a time service (systemd-timesyncd, chrony, ntpsec, ntp, openntpd) is enabled and running, "
                "with the profile's ntp.servers",
        .plan = time_sync_plan,
};
