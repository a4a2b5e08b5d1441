/* SPDX-License-Identifier: MIT */
/* Shipped data files: one lookup for profiles and the signature database, so
 * both are found the same way before and after `meson install`. */
#include "datadir.h"

#include <fcntl.h>

#include "config.h"
#include "rootfs.h"
#include "util.h"

int read_host_file(const char *path, char **ret_text, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return read_fd_whole(fd, ret_text, ret_len, NULL);
}

int data_file_read(const char *relpath, char **ret_path, char **ret_text, size_t *ret_len) {
        /* The environment first, so tests and a relocated install can point elsewhere. */
        const char *dirs[] = {getenv("KUBEPREP_DATA_DIR"), KUBEPREP_DATA_DIR, KUBEPREP_SOURCE_DATA_DIR};
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
