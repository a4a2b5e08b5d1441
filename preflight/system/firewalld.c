/* SPDX-License-Identifier: MIT */
/* firewalld's reload over sd-bus (see firewalld.h). */
#include "system/firewalld.h"

#include "basic/util.h"
#include "system/libsystemd.h"
#include "system/units.h"

#define FIREWALLD_SERVICE "org.fedoraproject.FirewallD1"
#define FIREWALLD_PATH "/org/fedoraproject/FirewallD1"
#define FIREWALLD_IFACE "org.fedoraproject.FirewallD1"
/* A reload rebuilds every rule set: far longer than a usual call on a large configuration. */
#define RELOAD_TIMEOUT_USEC (90ULL * 1000 * 1000)

int firewalld_reload(char **ret_error) {
        _cleanup_(sym_sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = units_bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        r = sym_sd_bus_message_new_method_call(bus, &m, FIREWALLD_SERVICE, FIREWALLD_PATH, FIREWALLD_IFACE,
                                               "reload");
        if (r >= 0)
                r = sym_sd_bus_call(bus, m, RELOAD_TIMEOUT_USEC, &error, NULL);
        if (r < 0)
                set_error(ret_error, "firewalld reload: %s",
                          sym_sd_bus_error_is_set(&error) && error.message ? error.message : strerror(-r));
        return r;
}
