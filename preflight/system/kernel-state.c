/* SPDX-License-Identifier: MIT */
/* The running kernel's state (see kernel-state.h). */
#include "system/kernel-state.h"

#include <fcntl.h>
#include <sys/timex.h>

#include "basic/rootfs.h"

int kernel_clock_synchronized(void) {
        struct timex t = {}; /* modes 0: read only, no privilege needed */
        int state = adjtimex(&t);
        if (state < 0)
                return -errno;
        return state != TIME_ERROR && !(t.status & STA_UNSYNC);
}

/* A small file of /proc or /sys, whole. */
static int read_small(const char *path, char **ret, size_t *ret_len, char **ret_error) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int k = fd < 0 ? -errno : read_fd_to_end(fd, 4096, 1 << 20, ret, ret_len);
        if (k < 0)
                set_error(ret_error, "cannot read %s: %s", path, read_strerror(k));
        return k < 0 ? k : 0;
}

void proc_cgroups_parse(const char *text, size_t len, struct strv *ret) {
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup(text + off, n);
                char name[64];
                unsigned hierarchy, count, enabled;
                if (line[0] == '#' || sscanf(line, "%63s %u %u %u", name, &hierarchy, &count, &enabled) != 4)
                        continue;
                if (enabled != 0)
                        strv_push(ret, xstrdup(name));
        }
}

void cgroup_controllers_parse(const char *text, size_t len, struct strv *ret) {
        for (size_t i = 0; i < len;) {
                i += strspn(text + i, WHITESPACE);
                size_t n = strcspn(text + i, WHITESPACE);
                if (n > 0 && i + n <= len)
                        strv_push(ret, xstrndup(text + i, n));
                i += n;
        }
}

int kernel_cgroup_controllers(int cgroup_version, struct strv *ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        const char *path = cgroup_version == 2 ? "/sys/fs/cgroup/cgroup.controllers" : "/proc/cgroups";
        int k = read_small(path, &text, &len, ret_error);
        if (k < 0)
                return k;
        if (cgroup_version == 2)
                cgroup_controllers_parse(text, len, ret);
        else
                proc_cgroups_parse(text, len, ret);
        return 0;
}

int kernel_cmdline(char **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = read_small("/proc/cmdline", &text, &len, ret_error);
        if (k < 0)
                return k;
        *ret = xstrndup_strip(text, len, WHITESPACE);
        return 0;
}

char *container_manager(void) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        _cleanup_close_ int fd = open("/run/systemd/container", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || read_fd_to_end(fd, 64, 4096, &text, &len) < 0)
                return NULL;
        char *name = xstrndup_strip(text, len, WHITESPACE);
        if (!*name)
                return (free(name), NULL);
        return name;
}
