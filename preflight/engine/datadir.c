/* SPDX-License-Identifier: MIT */
/* Shipped data files: one lookup for profiles and the signature database, so
 * both are found the same way before and after `meson install`. */
#include "engine/datadir.h"

#include <fcntl.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "config.h"

int read_host_file(const char *path, char **ret_text, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        oom_note_file(path);
        return read_fd_whole(fd, ret_text, ret_len, NULL);
}

/* A binary run from its meson build tree finds the data in the source tree, so
 * ./build/kubeprep works before `meson install`; an installed one never looks there. */
static bool running_from_build_tree(void) {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                return false;
        exe[n] = 0;
        const char *rest = startswith(exe, KUBEPREP_BUILD_ROOT);
        return rest && *rest == '/';
}

int data_file_read(const char *relpath, char **ret_path, char **ret_text, size_t *ret_len) {
        /* The environment first, so tests and a relocated install can point elsewhere. */
        const char *dirs[] = { getenv("KUBEPREP_DATA_DIR"), KUBEPREP_DATA_DIR,
                               running_from_build_tree() ? KUBEPREP_SOURCE_DATA_DIR : NULL };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                if (!dirs[i] || !*dirs[i])
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], relpath);
                if (read_host_file(p, ret_text, ret_len) >= 0) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}
