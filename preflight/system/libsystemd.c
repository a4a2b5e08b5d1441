/* SPDX-License-Identifier: MIT */
/* libsystemd's functions through pointers filled on first use (see libsystemd.h). The pointers are the
 * one table of globals here, as in systemd's own tools that load optional libraries. */
#include "system/libsystemd.h"

#include <dlfcn.h>
#include <stdint.h>

#include "basic/util.h"
#include "config.h"

#define LIBSYSTEMD_DEFINE_SYM(name) __typeof__(name) *sym_##name = NULL;
LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_DEFINE_SYM)

#if KUBEPREP_LIBSYSTEMD_LINKED

int dlopen_libsystemd(char **ret_error _unused_) {
#define LIBSYSTEMD_ASSIGN_SYM(name) sym_##name = name;
        LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_ASSIGN_SYM)
        return 0;
}

#else

#define LIBSYSTEMD_SONAME "libsystemd.so.0"

/* The dependency, declared where packaging tools look for a dlopen() one now that no DT_NEEDED names it:
 * a .note.dlopen ELF note of the ELF dlopen metadata specification (docs/performance.md). */
#define DLOPEN_NOTE_TYPE 0x407c0c0aU
#define DLOPEN_NOTE_JSON                                                  \
        "[{\"soname\":[\"" LIBSYSTEMD_SONAME                              \
        "\"],\"feature\":\"systemd\",\"description\":\"restarting units " \
        "over D-Bus, and diagnose reading the journal\",\"priority\":\"recommended\"}]"
static const struct {
        uint32_t namesz, descsz, type;
        char name[4];
        char desc[(sizeof(DLOPEN_NOTE_JSON) + 3) & ~(size_t) 3];
} dlopen_note __attribute__((used, section(".note.dlopen"), aligned(4))) = {
        .namesz = sizeof("FDO"),
        .descsz = sizeof(DLOPEN_NOTE_JSON),
        .type = DLOPEN_NOTE_TYPE,
        .name = "FDO",
        .desc = DLOPEN_NOTE_JSON,
};

int dlopen_libsystemd(char **ret_error) {
#define LIBSYSTEMD_ENTRY(name) { #name, (void **) &sym_##name },
        static const struct {
                const char *name;
                void **sym;
        } table[] = { LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_ENTRY) };
        void *found[ELEMENTSOF(table)];

        if (sym_sd_bus_call) /* the last load filled them all, or none */
                return 0;
        /* RTLD_NODELETE: the library stays for the rest of the run, the handle is not kept. */
        void *dl = dlopen(LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_NODELETE);
        if (!dl) {
                set_error(ret_error, "cannot load " LIBSYSTEMD_SONAME ": %s", dlerror());
                return -EOPNOTSUPP;
        }
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                found[i] = dlsym(dl, table[i].name);
                if (!found[i]) {
                        set_error(ret_error, "cannot load " LIBSYSTEMD_SONAME ": it has no %s",
                                  table[i].name);
                        dlclose(dl);
                        return -EOPNOTSUPP;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                *table[i].sym = found[i];
        dlclose(dl);
        return 0;
}

#endif
