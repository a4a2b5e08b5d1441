/* SPDX-License-Identifier: MIT */
/* systemd reload and unit restarts over sd-bus (see units.h). Library code:
 * it fills in outcomes and error texts, the caller decides what to print. */
#include "system/units.h"

#include <stdint.h>

#include "basic/time-util.h"
#include "basic/util.h"
#include "system/libsystemd.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define DEFAULT_SYSTEM_BUS "unix:path=/run/dbus/system_bus_socket"
/* systemd's own default start and stop timeouts are 90 s each. */
#define DEFAULT_TIMEOUT_SEC 90u

/* The runtimes first: docker and the kubelet talk to containerd, the kubelet to every runtime. */
static const char *const restart_order[] = { "containerd.service", "docker.service", "crio.service",
                                             "kubelet.service" };

static size_t restart_rank(const char *unit) {
        for (size_t i = 0; i < ELEMENTSOF(restart_order); i++)
                if (streq(unit, restart_order[i]))
                        return i;
        return ELEMENTSOF(restart_order);
}

void units_sort_restart_order(const char **units, size_t *n) {
        size_t kept = 0;

        /* Stable insertion sort that skips names already kept; the lists hold a
         * handful of names. Slot `kept` is at most i, so it is free to write. */
        for (size_t i = 0; i < *n; i++) {
                const char *unit = units[i];
                bool duplicate = false;

                for (size_t j = 0; j < kept && !duplicate; j++)
                        duplicate = streq(units[j], unit);
                if (duplicate)
                        continue;

                size_t pos = kept++;
                for (; pos > 0 && restart_rank(units[pos - 1]) > restart_rank(unit); pos--)
                        units[pos] = units[pos - 1];
                units[pos] = unit;
        }
        *n = kept;
}

const char *unit_restart_state_to_string(enum unit_restart_state s) {
        switch (s) {
        case UNIT_RESTART_PENDING:
                return "pending";
        case UNIT_RESTART_DONE:
                return "restarted";
        case UNIT_RESTART_FAILED:
                return "failed";
        case UNIT_RESTART_NOT_ACTIVE:
                return "not-active";
        case UNIT_RESTART_NOT_LOADED:
                return "not-loaded";
        case UNIT_RESTART_ERROR:
                return "error";
        }
        return "unknown";
}

void unit_restart_done(struct unit_restart *u) {
        free(u->result);
        u->result = NULL;
}

static const char *bus_error_text(const sd_bus_error *error, int r) {
        if (sym_sd_bus_error_is_set(error) && error->message)
                return error->message;
        return strerror(-r);
}

int units_bus_open(sd_bus **ret_bus, char **ret_error) {
        _cleanup_(sym_sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        const char *unique_name;
        _cleanup_free_ char *why = NULL;
        int r;

        r = dlopen_libsystemd(&why);
        if (r < 0) {
                set_error(ret_error, "cannot connect to the system bus: %s", why);
                return r;
        }
        r = sym_sd_bus_open_system(&bus);
        /* Asking for our unique name waits for the Hello reply, so a socket
         * with nothing usable behind it fails here and not at the first call. */
        if (r >= 0)
                r = sym_sd_bus_get_unique_name(bus, &unique_name);
        if (r < 0) {
                set_error(ret_error, "cannot connect to the system bus (%s): %s",
                          address ? address : DEFAULT_SYSTEM_BUS, strerror(-r));
                return r;
        }
        *ret_bus = TAKE_PTR(bus);
        return 0;
}

/* A Manager method call with its own timeout (sd_bus_call_method has none). */
static int call_manager(sd_bus *bus, const char *method, uint64_t timeout_usec, sd_bus_error *error,
                        sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sym_sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, MANAGER_IFACE,
                                               method);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sym_sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sym_sd_bus_call(bus, m, timeout_usec, error, ret_reply);
}

/* sd_bus_message_append() is variadic: through the pointer, its va_list form. */
static int message_append(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = sym_sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        return r;
}

/* The JobRemoved we are waiting for. job_path points into the reply of the
 * restart call, which lives until the wait is over. */
struct job_wait {
        const char *job_path;
        char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        struct job_wait *wait = userdata;
        const char *job_path, *unit, *result;
        uint32_t id;

        /* Other clients' jobs come by too; a malformed signal is not ours. */
        if (sym_sd_bus_message_read(m, "uoss", &id, &job_path, &unit, &result) < 0)
                return 0;
        if (wait->job_path && !wait->result && streq(job_path, wait->job_path))
                wait->result = xstrdup(result);
        return 0;
}

static int wait_for_job(sd_bus *bus, struct job_wait *wait, uint64_t timeout_usec) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + timeout_usec;

        while (!wait->result) {
                int r = sym_sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;

                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        return -ETIME;
                r = sym_sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR)
                        return r;
        }
        return 0;
}

static void set_outcome(struct unit_restart *u, enum unit_restart_state state, char *result) {
        free(u->result);
        u->state = state;
        u->result = result;
}

static enum unit_restart_state outcome(enum unit_restart_state state, char *result, char **ret_result) {
        *ret_result = result;
        return state;
}

static bool active_state_is_running(const char *active_state) {
        /* Like systemctl try-restart. "activating" includes a kubelet waiting to
         * be restarted after a crash, which a config fix is often meant for. */
        return streq(active_state, "active") || streq(active_state, "activating") ||
               streq(active_state, "reloading");
}

/* Restart one unit if it runs and wait for the job. Returns the state, and
 * in *ret_result what the caller stores as the unit's result. */
static enum unit_restart_state restart_one(sd_bus *bus, const char *unit, struct job_wait *wait,
                                           unsigned timeout_sec, char **ret_result) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *load_state = NULL, *active_state = NULL;
        uint64_t timeout_usec = timeout_sec * USEC_PER_SEC;
        const char *unit_path, *job_path;
        int r;

        /* LoadUnit, not GetUnit: an inactive unit may have been unloaded, and
         * GetUnit would call it missing. Unknown names get LoadState "not-found". */
        r = call_manager(bus, "LoadUnit", timeout_usec, &error, &reply, "s", unit);
        if (r < 0 && sym_sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                return outcome(UNIT_RESTART_NOT_LOADED, xstrdup("not-found"), ret_result);
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, "o", &unit_path);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(bus, SYSTEMD_SERVICE, unit_path, UNIT_IFACE, "LoadState",
                                                   &error, &load_state);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(bus, SYSTEMD_SERVICE, unit_path, UNIT_IFACE,
                                                   "ActiveState", &error, &active_state);
        if (r < 0)
                return outcome(UNIT_RESTART_ERROR,
                               xasprintf("cannot get the state of %s: %s", unit, bus_error_text(&error, r)),
                               ret_result);
        if (!streq(load_state, "loaded"))
                return outcome(UNIT_RESTART_NOT_LOADED, TAKE_PTR(load_state), ret_result);
        if (!active_state_is_running(active_state))
                return outcome(UNIT_RESTART_NOT_ACTIVE, TAKE_PTR(active_state), ret_result);

        /* TryRestartUnit: should the unit stop between the check and now, the
         * job is a no-op instead of starting something the operator stopped. */
        reply = sym_sd_bus_message_unref(reply);
        r = call_manager(bus, "TryRestartUnit", timeout_usec, &error, &reply, "ss", unit, "replace");
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, "o", &job_path);
        if (r < 0)
                return outcome(UNIT_RESTART_ERROR,
                               xasprintf("cannot restart %s: %s", unit, bus_error_text(&error, r)),
                               ret_result);

        wait->job_path = job_path;
        r = wait_for_job(bus, wait, timeout_usec);
        wait->job_path = NULL;
        if (r == -ETIME)
                return outcome(UNIT_RESTART_ERROR,
                               xasprintf("restart job %s of %s not finished after %u s", job_path, unit,
                                         timeout_sec),
                               ret_result);
        if (r < 0)
                return outcome(UNIT_RESTART_ERROR,
                               xasprintf("waiting for the restart of %s: %s", unit, strerror(-r)),
                               ret_result);

        char *result = TAKE_PTR(wait->result);
        return outcome(streq(result, "done") ? UNIT_RESTART_DONE : UNIT_RESTART_FAILED, result, ret_result);
}

int units_enable(sd_bus *bus, const char *const *units, size_t n, char **ret_error) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ const char **list = NULL;
        uint64_t timeout_usec = DEFAULT_TIMEOUT_SEC * USEC_PER_SEC;
        int r;

        if (n == 0)
                return 0;
        /* The NULL-terminated list sd_bus_message_append_strv() takes, and, as a strv, the names. */
        list = xmalloc((n + 1) * sizeof(*list));
        memcpy(list, units, n * sizeof(*list));
        list[n] = NULL;
        _cleanup_free_ char *names =
                strv_join(&(const struct strv){ .items = (char **) list, .n = n }, ", ");
        /* EnableUnitFiles(files, runtime, force), as systemctl enable: runtime = false puts the
         * [Install] links under /etc, kept across reboots; force = false replaces no link. */
        r = sym_sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, MANAGER_IFACE,
                                               "EnableUnitFiles");
        if (r >= 0)
                r = sym_sd_bus_message_append_strv(m, (char **) list);
        if (r >= 0)
                r = message_append(m, "bb", 0, 0);
        if (r >= 0)
                r = sym_sd_bus_call(bus, m, timeout_usec, &error, NULL);
        if (r < 0) {
                set_error(ret_error, "cannot enable %s: %s", names, bus_error_text(&error, r));
                return r;
        }
        /* Like systemctl enable: the manager loads the new links. */
        r = call_manager(bus, "Reload", timeout_usec, &error, NULL, NULL);
        if (r < 0) {
                set_error(ret_error, "%s enabled, but reloading systemd failed: %s", names,
                          bus_error_text(&error, r));
                return r;
        }
        return 0;
}

/* Indices of units in restart order, stable; the caller's array keeps its order. */
static size_t *restart_order_of(const struct unit_restart *units, size_t n) {
        size_t *order = xmalloc(n * sizeof(*order));

        for (size_t i = 0; i < n; i++) {
                size_t pos = i;
                for (; pos > 0 && restart_rank(units[order[pos - 1]].unit) > restart_rank(units[i].unit);
                     pos--)
                        order[pos] = order[pos - 1];
                order[pos] = i;
        }
        return order;
}

int units_reload_and_restart(sd_bus *bus, struct unit_restart *units, size_t n, unsigned timeout_sec,
                             char **ret_error) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_slot_unrefp) sd_bus_slot *job_removed_slot = NULL;
        struct job_wait wait = {};
        _cleanup_free_ size_t *order = NULL;
        bool some_failed = false;
        int r;

        if (n == 0)
                return 0;
        if (timeout_sec == 0)
                timeout_sec = DEFAULT_TIMEOUT_SEC;

        /* The match is in place before any job exists, so no JobRemoved can
         * slip by. Subscribe makes systemd broadcast job signals; it also sends
         * them to the job's requester, so a refusal (already subscribed) is harmless. */
        r = sym_sd_bus_match_signal(bus, &job_removed_slot, SYSTEMD_SERVICE, SYSTEMD_PATH, MANAGER_IFACE,
                                    "JobRemoved", on_job_removed, &wait);
        if (r >= 0) {
                (void) call_manager(bus, "Subscribe", timeout_sec * USEC_PER_SEC, NULL, NULL, NULL);
                r = call_manager(bus, "Reload", timeout_sec * USEC_PER_SEC, &error, NULL, NULL);
        }
        if (r < 0) {
                set_error(ret_error, "cannot reload systemd: %s", bus_error_text(&error, r));
                for (size_t i = 0; i < n; i++)
                        set_outcome(&units[i], UNIT_RESTART_ERROR,
                                    xstrdup("not restarted: systemd reload failed"));
                return r;
        }

        order = restart_order_of(units, n);
        for (size_t k = 0; k < n; k++) {
                struct unit_restart *u = &units[order[k]];
                const struct unit_restart *first = NULL;

                /* A unit named twice is restarted once; both entries tell how it went. */
                for (size_t j = 0; j < k && !first; j++)
                        if (streq(units[order[j]].unit, u->unit))
                                first = &units[order[j]];
                if (first)
                        set_outcome(u, first->state, xstrdup(strempty(first->result)));
                else {
                        char *result = NULL;
                        enum unit_restart_state state =
                                restart_one(bus, u->unit, &wait, timeout_sec, &result);
                        set_outcome(u, state, result);
                }

                if (u->state == UNIT_RESTART_FAILED || u->state == UNIT_RESTART_ERROR)
                        some_failed = true;
        }
        free(wait.result);
        return some_failed ? 1 : 0;
}

void unit_state_done(struct unit_state *s) {
        free(s->load_state);
        free(s->active_state);
        free(s->unit_file_state);
        *s = (struct unit_state){};
}

int units_get_state(sd_bus *bus, const char *unit, struct unit_state *ret, char **ret_error) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct unit_state s = {};
        const char *path;
        int condition = 0;

        int r = call_manager(bus, "LoadUnit", DEFAULT_TIMEOUT_SEC * USEC_PER_SEC, &error, &reply, "s", unit);
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, UNIT_IFACE, "LoadState",
                                                   &error, &s.load_state);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, UNIT_IFACE, "ActiveState",
                                                   &error, &s.active_state);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, UNIT_IFACE, "UnitFileState",
                                                   &error, &s.unit_file_state);
        if (r >= 0)
                r = sym_sd_bus_get_property_trivial(bus, SYSTEMD_SERVICE, path, UNIT_IFACE,
                                                    "ConditionResult", &error, 'b', &condition);
        if (r >= 0)
                r = sym_sd_bus_get_property_trivial(bus, SYSTEMD_SERVICE, path, UNIT_IFACE,
                                                    "ConditionTimestamp", &error, 't',
                                                    &s.condition_timestamp);
        if (r < 0) {
                set_error(ret_error, "cannot get the state of %s: %s", unit, bus_error_text(&error, r));
                unit_state_done(&s);
                return r;
        }
        s.condition_result = condition;
        *ret = s;
        return 0;
}

int units_enable_and_start(sd_bus *bus, const char *unit, bool enable, unsigned timeout_sec,
                           char **ret_error) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sym_sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        struct job_wait wait = {};
        const char *job_path;
        int r;

        if (timeout_sec == 0)
                timeout_sec = DEFAULT_TIMEOUT_SEC;
        uint64_t timeout_usec = timeout_sec * USEC_PER_SEC;
        if (enable) {
                r = units_enable(bus, &unit, 1, ret_error);
                if (r < 0)
                        return r;
        }

        /* The match is in place before the job exists (see units_reload_and_restart()). */
        r = sym_sd_bus_match_signal(bus, &slot, SYSTEMD_SERVICE, SYSTEMD_PATH, MANAGER_IFACE, "JobRemoved",
                                    on_job_removed, &wait);
        if (r >= 0) {
                (void) call_manager(bus, "Subscribe", timeout_usec, NULL, NULL, NULL);
                r = call_manager(bus, "StartUnit", timeout_usec, &error, &reply, "ss", unit, "replace");
        }
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, "o", &job_path);
        if (r < 0) {
                set_error(ret_error, "cannot start %s: %s", unit, bus_error_text(&error, r));
                return r;
        }
        wait.job_path = job_path;
        r = wait_for_job(bus, &wait, timeout_usec);
        if (r == -ETIME)
                set_error(ret_error, "start job of %s not finished after %u s", unit, timeout_sec);
        else if (r < 0)
                set_error(ret_error, "waiting for the start of %s: %s", unit, strerror(-r));
        else if (!streq(wait.result, "done")) {
                set_error(ret_error, "start job of %s: %s", unit, wait.result);
                r = -EIO;
        }
        free(wait.result);
        return r;
}
