/* SPDX-License-Identifier: MIT */
/* Tests for preflight/units.c. The bus cases need the mock systemd:
 *   tests/dbusmock/run-with-mock-systemd.sh ./test-units   (skipped otherwise) */
#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "basic/util.h"
#include "system/units.h"
#include "tap.h"

#define MOCK_SERVICE "org.freedesktop.systemd1"
#define MOCK_PATH "/org/freedesktop/systemd1"
#define MOCK_IFACE "org.freedesktop.DBus.Mock"

/* "a,b,c" -> array of pointers into a copy held by *storage. */
static size_t split_commas(const char *list, char **storage, const char **items, size_t max) {
        size_t n = 0;
        char *save = NULL;

        *storage = xstrdup(list);
        for (char *t = strtok_r(*storage, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
                items[n++] = t;
        return n;
}

static char *join_commas(const char *const *items, size_t n) {
        struct buf b = {};

        buf_puts(&b, "");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        buf_putc(&b, ',');
                buf_puts(&b, items[i]);
        }
        return buf_steal(&b);
}

static void test_sort_restart_order(void) {
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "kubelet.service,docker.service,containerd.service",
                  "containerd.service,docker.service,kubelet.service" },
                { "foo.service,kubelet.service,bar.service,containerd.service",
                  "containerd.service,kubelet.service,foo.service,bar.service" },
                { "docker.service,docker.service,kubelet.service,docker.service",
                  "docker.service,kubelet.service" },
                { "b.service,a.service,b.service", "b.service,a.service" },
                { "kubelet.service", "kubelet.service" },
                { "kubelet.service,crio.service", "crio.service,kubelet.service" },
                { "", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *storage = NULL, *got = NULL, *name = NULL;
                const char *items[16];
                size_t n = split_commas(cases[i].in, &storage, items, ELEMENTSOF(items));

                units_sort_restart_order(items, &n);
                got = join_commas(items, n);
                name = xasprintf("sort restart order: \"%s\"", cases[i].in);
                tap_streq(got, cases[i].want, name);
        }
}

static void test_state_strings(void) {
        static const struct {
                enum unit_restart_state state;
                const char *want;
        } cases[] = {
                { UNIT_RESTART_PENDING, "pending" },       { UNIT_RESTART_DONE, "restarted" },
                { UNIT_RESTART_FAILED, "failed" },         { UNIT_RESTART_NOT_ACTIVE, "not-active" },
                { UNIT_RESTART_NOT_LOADED, "not-loaded" }, { UNIT_RESTART_ERROR, "error" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *name = xasprintf("state string %s", cases[i].want);
                tap_streq(unit_restart_state_to_string(cases[i].state), cases[i].want, name);
        }
}

/* A call to the mock's control interface (types may be NULL); <0 on failure. */
static int mock_call(sd_bus *bus, const char *method, sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;

        va_start(ap, types);
        int r = sd_bus_call_methodv(bus, MOCK_SERVICE, MOCK_PATH, MOCK_IFACE, method, &error, ret_reply,
                                    types, ap);
        va_end(ap);
        if (r < 0)
                printf("# mock %s: %s\n", method, error.message ? error.message : strerror(-r));
        return r;
}

static char *mock_restart_log(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *items[32];
        size_t n = 0;

        if (mock_call(bus, "GetRestartLog", &reply, NULL) < 0)
                return xstrdup("(GetRestartLog failed)");
        if (sd_bus_message_enter_container(reply, 'a', "s") < 0)
                return xstrdup("(bad reply)");
        while (n < ELEMENTSOF(items) && sd_bus_message_read(reply, "s", &items[n]) > 0)
                n++;
        return join_commas(items, n);
}

static unsigned mock_reload_count(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint32_t count = 9999;

        if (mock_call(bus, "GetReloadCount", &reply, NULL) >= 0)
                (void) sd_bus_message_read(reply, "u", &count);
        return count;
}

/* "unit state result" per entry, one a line, in the caller's order. */
static char *describe_outcomes(const struct unit_restart *units, size_t n) {
        struct buf b = {};

        buf_puts(&b, "");
        for (size_t i = 0; i < n; i++)
                buf_printf(&b, "%s %s %s\n", units[i].unit, unit_restart_state_to_string(units[i].state),
                           strempty(units[i].result));
        return buf_steal(&b);
}

struct restart_case {
        const char *name;
        const char *preset;      /* "unit=ActiveState,..." loaded units; others are unknown */
        const char *job_results; /* "unit=result,...": restart job results other than "done" */
        const char *units;       /* the input, "a,b,..." */
        unsigned timeout_sec;
        int want_r;
        const char *want_outcomes;
        const char *want_restart_log;
        unsigned want_reloads;
};

static const struct restart_case restart_cases[] = {
        { "all active, given out of order",
          "containerd.service=active,docker.service=active,kubelet.service=active", "",
          "kubelet.service,docker.service,containerd.service", 5, 0,
          "kubelet.service restarted done\n"
          "docker.service restarted done\n"
          "containerd.service restarted done\n",
          "containerd.service,docker.service,kubelet.service", 1 },
        { "inactive and missing units are left alone", "containerd.service=active,docker.service=inactive",
          "", "docker.service,kubelet.service,containerd.service", 5, 0,
          "docker.service not-active inactive\n"
          "kubelet.service not-loaded not-found\n"
          "containerd.service restarted done\n",
          "containerd.service", 1 },
        { "a failed unit is not restarted, an activating one is",
          "kubelet.service=failed,docker.service=activating,containerd.service=deactivating", "",
          "containerd.service,docker.service,kubelet.service", 5, 0,
          "containerd.service not-active deactivating\n"
          "docker.service restarted done\n"
          "kubelet.service not-active failed\n",
          "docker.service", 1 },
        { "a failing job is a failure, the others still restart",
          "containerd.service=active,docker.service=active,kubelet.service=active", "docker.service=failed",
          "containerd.service,docker.service,kubelet.service", 5, 1,
          "containerd.service restarted done\n"
          "docker.service failed failed\n"
          "kubelet.service restarted done\n",
          "containerd.service,docker.service,kubelet.service", 1 },
        { "a job that times out in systemd", "kubelet.service=active", "kubelet.service=timeout",
          "kubelet.service", 5, 1, "kubelet.service failed timeout\n", "kubelet.service", 1 },
        { "a unit given twice is restarted once", "containerd.service=active,kubelet.service=active", "",
          "containerd.service,kubelet.service,containerd.service", 5, 0,
          "containerd.service restarted done\n"
          "kubelet.service restarted done\n"
          "containerd.service restarted done\n",
          "containerd.service,kubelet.service", 1 },
        { "a failed unit given twice fails twice", "docker.service=active", "docker.service=failed",
          "docker.service,docker.service", 5, 1,
          "docker.service failed failed\n"
          "docker.service failed failed\n",
          "docker.service", 1 },
        { "no JobRemoved before the timeout", "docker.service=active,kubelet.service=active",
          "docker.service=no-signal", "docker.service,kubelet.service", 1, 1,
          "docker.service error restart job /org/freedesktop/systemd1/job/1 of docker.service not finished "
          "after 1 s\n"
          "kubelet.service restarted done\n",
          "docker.service,kubelet.service", 1 },
        { "nothing to restart: no reload either", "containerd.service=active", "", "", 5, 0, "", "", 0 },
};

/* Reset the mock and load the case's units and job results. */
static int mock_prepare(sd_bus *bus, const char *preset, const char *job_results) {
        const char *lists[2] = { preset, job_results };
        const char *methods[2] = { "SetUnit", "SetRestartResult" };
        int r = mock_call(bus, "Reset", NULL, NULL);

        for (size_t l = 0; l < 2 && r >= 0; l++) {
                _cleanup_free_ char *storage = NULL;
                const char *items[8];
                size_t n = split_commas(lists[l], &storage, items, ELEMENTSOF(items));

                for (size_t i = 0; i < n && r >= 0; i++) {
                        _cleanup_free_ char *unit = xstrdup(items[i]);
                        char *value = strchr(unit, '=');
                        if (!value)
                                return -EINVAL;
                        *value++ = '\0';
                        r = mock_call(bus, methods[l], NULL, "ss", unit, value);
                }
        }
        return r;
}

static void run_restart_case(sd_bus *bus, const struct restart_case *c) {
        _cleanup_free_ char *storage = NULL, *error = NULL, *outcomes = NULL, *log = NULL, *name = NULL;
        const char *names[8];
        struct unit_restart units[8] = {};
        size_t n = split_commas(c->units, &storage, names, ELEMENTSOF(names));
        int r;

        if (!tap_ok(mock_prepare(bus, c->preset, c->job_results) >= 0, c->name))
                return;
        for (size_t i = 0; i < n; i++)
                units[i].unit = names[i];

        r = units_reload_and_restart(bus, units, n, c->timeout_sec, &error);

        name = xasprintf("%s: returns %d", c->name, c->want_r);
        if (!tap_ok(r == c->want_r, name))
                printf("# got %d (%s)\n", r, strempty(error));
        free(name);
        name = xasprintf("%s: outcomes", c->name);
        outcomes = describe_outcomes(units, n);
        tap_streq(outcomes, c->want_outcomes, name);
        free(name);
        name = xasprintf("%s: restarts asked of systemd", c->name);
        log = mock_restart_log(bus);
        tap_streq(log, c->want_restart_log, name);
        free(name);
        name = xasprintf("%s: reloads", c->name);
        tap_ok(mock_reload_count(bus) == c->want_reloads, name);
        free(name);
        name = xasprintf("%s: no error text", c->name);
        tap_ok(!error, name);

        for (size_t i = 0; i < n; i++)
                unit_restart_done(&units[i]);
}

static void test_reload_failure(sd_bus *bus) {
        _cleanup_free_ char *error = NULL, *outcomes = NULL, *log = NULL;
        struct unit_restart units[] = { { .unit = "containerd.service" }, { .unit = "kubelet.service" } };
        int r;

        if (!tap_ok(mock_prepare(bus, "containerd.service=active,kubelet.service=active", "") >= 0 &&
                            mock_call(bus, "SetReloadError", NULL, "s",
                                      "org.freedesktop.DBus.Error.AccessDenied") >= 0,
                    "reload failure: mock prepared"))
                return;

        r = units_reload_and_restart(bus, units, ELEMENTSOF(units), 5, &error);
        tap_ok(r == -EACCES, "reload failure: returns -EACCES");
        tap_streq(error, "cannot reload systemd: Reload refused by the mock.", "reload failure: error text");
        outcomes = describe_outcomes(units, ELEMENTSOF(units));
        tap_streq(outcomes,
                  "containerd.service error not restarted: systemd reload failed\n"
                  "kubelet.service error not restarted: systemd reload failed\n",
                  "reload failure: every unit left for the operator");
        log = mock_restart_log(bus);
        tap_streq(log, "", "reload failure: nothing restarted");
        tap_ok(mock_reload_count(bus) == 1, "reload failure: one reload tried");

        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                unit_restart_done(&units[i]);
}

static char *mock_log(sd_bus *bus, const char *method) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *items[16];
        size_t n = 0;
        if (mock_call(bus, method, &reply, NULL) < 0 || sd_bus_message_enter_container(reply, 'a', "s") < 0)
                return xstrdup("(failed)");
        while (n < ELEMENTSOF(items) && sd_bus_message_read(reply, "s", &items[n]) > 0)
                n++;
        return join_commas(items, n);
}

/* "LoadState ActiveState UnitFileState condition-result checked|never" of a unit, or the error. */
static char *describe_state(sd_bus *bus, const char *unit) {
        struct unit_state st;
        _cleanup_free_ char *err = NULL;
        if (units_get_state(bus, unit, &st, &err) < 0)
                return xasprintf("error: %s", strempty(err));
        char *s = xasprintf("%s %s %s %s %s", st.load_state, st.active_state, st.unit_file_state,
                            st.condition_result ? "met" : "unmet",
                            st.condition_timestamp ? "checked" : "never");
        unit_state_done(&st);
        return s;
}

/* systemctl enable --now for the time-sync fixer: enable, reload, start, wait for the job. */
static void test_enable_and_start(sd_bus *bus) {
        if (!tap_ok(mock_prepare(bus,
                                 "chrony.service=inactive,systemd-timesyncd.service=inactive,ntpsec.service="
                                 "inactive",
                                 "ntpsec.service=failed") >= 0 &&
                            mock_call(bus, "FailCondition", NULL, "s", "systemd-timesyncd.service") >= 0,
                    "enable: mock prepared"))
                return;
        _cleanup_free_ char *before = describe_state(bus, "chrony.service");
        tap_streq(before, "loaded inactive disabled unmet never", "a disabled unit never started");
        _cleanup_free_ char *unknown = describe_state(bus, "nosuch.service");
        tap_streq(unknown, "not-found inactive  unmet never", "an unknown unit: not-found");

        _cleanup_free_ char *err = NULL;
        tap_ok(units_enable_and_start(bus, "chrony.service", true, 5, &err) == 0 && !err,
               "enable --now chrony");
        _cleanup_free_ char *after = describe_state(bus, "chrony.service");
        tap_streq(after, "loaded active enabled met checked", "chrony enabled and running");
        tap_ok(mock_reload_count(bus) == 1, "one reload after enabling");

        tap_ok(units_enable_and_start(bus, "systemd-timesyncd.service", true, 5, &err) == 0 && !err,
               "enable --now timesyncd in a container: the job is done");
        _cleanup_free_ char *container = describe_state(bus, "systemd-timesyncd.service");
        tap_streq(container, "loaded inactive enabled unmet checked",
                  "enabled, not running: its conditions are unmet");

        tap_ok(units_enable_and_start(bus, "ntpsec.service", false, 5, &err) == -EIO, "a failed start job");
        tap_streq(err, "start job of ntpsec.service: failed", "names the unit and the job result");
        free(err);
        err = NULL;
        tap_ok(units_enable_and_start(bus, "nosuch.service", true, 5, &err) < 0,
               "an unknown unit is not enabled");
        tap_streq(err, "cannot enable nosuch.service: Unit file nosuch.service does not exist.", "said so");

        _cleanup_free_ char *enabled = mock_log(bus, "GetEnableLog"),
                            *started = mock_log(bus, "GetStartLog");
        tap_streq(enabled, "chrony.service,systemd-timesyncd.service",
                  "EnableUnitFiles asked for two units");
        tap_streq(started, "chrony.service,systemd-timesyncd.service,ntpsec.service", "StartUnit for three");
}

/* EnableUnitFiles for each unit, persistent and unforced, then a reload; nothing started. */
static void test_enable(sd_bus *bus) {
        _cleanup_free_ char *error = NULL;
        static const char *const units[] = { "containerd.service", "kubelet.service" };

        unsigned reloads = mock_reload_count(bus);
        tap_ok(units_enable(bus, units, ELEMENTSOF(units), &error) == 0, "enable: returns 0");
        _cleanup_free_ char *log = mock_log(bus, "GetEnableLog");
        tap_streq(log, "containerd.service,kubelet.service", "enable: both units, in one call");
        tap_ok(mock_reload_count(bus) == reloads + 1, "enable: systemd reloaded once");
        _cleanup_free_ char *restarts = mock_restart_log(bus);
        tap_ok(!strstr(restarts, "kubelet.service"), "enable: the kubelet is not started");
}

static void test_with_mock_systemd(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *error = NULL;
        const char *mock = getenv("KUBEPREP_MOCK_SYSTEMD");

        /* Never restart units of the real systemd of the machine running the tests. */
        if (!mock || !streq(mock, "1")) {
                tap_skip("restarts against the mock systemd",
                         "not run under tests/dbusmock/run-with-mock-systemd.sh");
                return;
        }
        if (!tap_ok(units_bus_open(&bus, &error) >= 0, "open the mock system bus")) {
                printf("# %s\n", strempty(error));
                return;
        }
        if (!tap_ok(mock_call(bus, "GetReloadCount", NULL, NULL) >= 0, "the bus has the mock systemd"))
                return;

        for (size_t i = 0; i < ELEMENTSOF(restart_cases); i++)
                run_restart_case(bus, &restart_cases[i]);
        test_reload_failure(bus);
        mock_call(bus, "SetReloadError", NULL, "s", "");
        test_enable(bus);
        test_enable_and_start(bus);
}

static void test_no_bus(void) {
        _cleanup_free_ char *saved = NULL, *error = NULL;
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        sd_bus *bus = NULL;
        int r;

        if (address)
                saved = xstrdup(address);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent-kubeprep-test/system_bus_socket", 1);

        r = units_bus_open(&bus, &error);
        tap_ok(r == -ENOENT, "no bus: -ENOENT");
        tap_ok(!bus, "no bus: ret_bus untouched");
        tap_streq(
                error,
                "cannot connect to the system bus (unix:path=/nonexistent-kubeprep-test/system_bus_socket): "
                "No such file or directory",
                "no bus: error names the address");

        if (saved)
                setenv("DBUS_SYSTEM_BUS_ADDRESS", saved, 1);
        else
                unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

int main(void) {
        test_sort_restart_order();
        test_state_strings();
        test_with_mock_systemd();
        test_no_bus();
        return tap_done();
}
