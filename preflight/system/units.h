/* SPDX-License-Identifier: MIT */
/* Making a configuration change take effect: reload systemd once and restart
 * the affected units that are running, over sd-bus, waiting for each job. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

enum unit_restart_state {
        UNIT_RESTART_PENDING,    /* not handled (yet); the initial state */
        UNIT_RESTART_DONE,       /* restarted, job result "done" */
        UNIT_RESTART_FAILED,     /* the restart job ended with another result: a failed fix */
        UNIT_RESTART_NOT_ACTIVE, /* loaded but not running: left alone */
        UNIT_RESTART_NOT_LOADED, /* no such unit (or masked, broken): left alone */
        UNIT_RESTART_ERROR,      /* a bus error, or no JobRemoved before the timeout */
};

struct unit_restart {
        const char *unit;              /* input: full unit name, e.g. "containerd.service" */
        enum unit_restart_state state; /* output */
        char *result;                  /* output, malloc'ed: the job result ("done", "failed",
                                        * "timeout"...), the ActiveState or LoadState that kept
                                        * the unit from being restarted, or an error text */
};

/* Sort unit names into restart order: containerd.service, docker.service,
 * crio.service, kubelet.service, then any others in their given order; drop duplicates. */
void units_sort_restart_order(const char **units, size_t *n);

/* Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS if set). Negative errno
 * and a message naming the address when there is none. */
int units_bus_open(sd_bus **ret_bus, char **ret_error);

/* Reload the manager once, then try-restart each unit that is active (or
 * activating/reloading) in restart order, once even if given twice, waiting
 * up to timeout_sec (0: 90 s) for each job. Fills state/result of every entry.
 * Returns 0 when nothing failed, 1 when some restart failed or errored, <0 when
 * the reload itself failed (then nothing was restarted, every entry is
 * UNIT_RESTART_ERROR and *ret_error says why). n == 0 does nothing. */
int units_reload_and_restart(sd_bus *bus, struct unit_restart *units, size_t n, unsigned timeout_sec,
                             char **ret_error);

void unit_restart_done(struct unit_restart *u); /* frees result */

/* Enable unit files at boot as `systemctl enable` does: EnableUnitFiles (persistent, not forced;
 * systemd makes the links of their [Install] sections), then a reload. Nothing is started. On
 * failure *ret_error names the units and systemd's reason. */
int units_enable(sd_bus *bus, const char *const *units, size_t n, char **ret_error);
const char *unit_restart_state_to_string(enum unit_restart_state s);

/* A unit's state, as `systemctl show` tells it. */
struct unit_state {
        char *load_state;             /* "loaded", "not-found", "masked", ... */
        char *active_state;           /* "active", "inactive", "activating", "failed", ... */
        char *unit_file_state;        /* "enabled", "disabled", "static", "masked", ... */
        bool condition_result;        /* the conditions of its last start held */
        uint64_t condition_timestamp; /* when they were last checked (CLOCK_REALTIME µs); 0: never */
};

/* Load the unit (LoadUnit: an inactive unit may not be loaded) and read its state. 0, or <0 with
 * *ret_error naming the unit. */
int units_get_state(sd_bus *bus, const char *unit, struct unit_state *ret, char **ret_error);
void unit_state_done(struct unit_state *s);

/* `systemctl enable --now`: EnableUnitFiles (when enable), Reload, then StartUnit, waiting up to
 * timeout_sec (0: 90 s) for the start job. A unit whose conditions keep it from running here (a
 * time service in a container) is started all the same: the job is "done" and the unit stays
 * inactive. 0, or <0 with *ret_error ("start job of chrony.service: failed"). */
int units_enable_and_start(sd_bus *bus, const char *unit, bool enable, unsigned timeout_sec,
                           char **ret_error);
