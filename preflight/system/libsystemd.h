/* SPDX-License-Identifier: MIT */
/* libsystemd, loaded with dlopen() by the code that talks to systemd over D-Bus or reads the journal,
 * when it first does: a check or an apply --root never does, and linking it cost every run the
 * loading of it and of the ten libraries it needs (docs/performance.md). Call dlopen_libsystemd(), then
 * the functions through their sym_ pointers. To call another function: add it to LIBSYSTEMD_SYMBOLS. */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#define LIBSYSTEMD_SYMBOLS(X)              \
        X(sd_bus_call)                     \
        X(sd_bus_error_free)               \
        X(sd_bus_error_has_name)           \
        X(sd_bus_error_is_set)             \
        X(sd_bus_flush_close_unref)        \
        X(sd_bus_get_property_string)      \
        X(sd_bus_get_property_trivial)     \
        X(sd_bus_get_unique_name)          \
        X(sd_bus_match_signal)             \
        X(sd_bus_message_append_strv)      \
        X(sd_bus_message_appendv)          \
        X(sd_bus_message_new_method_call)  \
        X(sd_bus_message_read)             \
        X(sd_bus_message_unref)            \
        X(sd_bus_open_system)              \
        X(sd_bus_process)                  \
        X(sd_bus_slot_unref)               \
        X(sd_bus_wait)                     \
        X(sd_id128_from_string)            \
        X(sd_id128_get_boot)               \
        X(sd_journal_add_match)            \
        X(sd_journal_close)                \
        X(sd_journal_get_data)             \
        X(sd_journal_get_monotonic_usec)   \
        X(sd_journal_get_realtime_usec)    \
        X(sd_journal_has_persistent_files) \
        X(sd_journal_has_runtime_files)    \
        X(sd_journal_next)                 \
        X(sd_journal_open)                 \
        X(sd_journal_open_directory_fd)    \
        X(sd_journal_previous)             \
        X(sd_journal_seek_head)            \
        X(sd_journal_seek_realtime_usec)   \
        X(sd_journal_seek_tail)

#define LIBSYSTEMD_DECLARE_SYM(name) extern __typeof__(name) *sym_##name;
LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_DECLARE_SYM)

/* Fill every sym_ pointer (once; later calls return 0 at once). 0, or -EOPNOTSUPP with "cannot load
 * libsystemd.so.0: why" in *ret_error (which may be NULL) when the library or a function is missing.
 * Built with -Dlibsystemd=linked, the pointers are the linked functions and this cannot fail. */
int dlopen_libsystemd(char **ret_error);

/* The cleanup helpers of libsystemd's headers call the library itself: these go through the pointers. */
static inline void sym_sd_bus_flush_close_unrefp(sd_bus **p) {
        if (*p)
                sym_sd_bus_flush_close_unref(*p);
}
static inline void sym_sd_bus_message_unrefp(sd_bus_message **p) {
        if (*p)
                sym_sd_bus_message_unref(*p);
}
static inline void sym_sd_bus_slot_unrefp(sd_bus_slot **p) {
        if (*p)
                sym_sd_bus_slot_unref(*p);
}
static inline void sym_sd_journal_closep(sd_journal **p) {
        if (*p)
                sym_sd_journal_close(*p);
}
/* Takes the error itself, as sd_bus_error_free() does: _cleanup_(sym_sd_bus_error_freep) sd_bus_error e. */
static inline void sym_sd_bus_error_freep(sd_bus_error *e) {
        if (sym_sd_bus_error_free)
                sym_sd_bus_error_free(e);
}
