/* SPDX-License-Identifier: MIT */
/* /proc/sys access by sysctl name and the loaded-module check behind the sysctl fixer. Values are
 * compared before writing so an already-right setting is not touched. */
#include "system/sysctl-live.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "basic/rootfs.h"
#include "basic/util.h"

#define PROC_SYS "/proc/sys/"
/* The largest sysctl values are a few KiB (tables, CPU masks); anything beyond is not a sysctl. */
#define SYSCTL_VALUE_MAX (1024 * 1024)

static bool path_component_ok(const char *c, size_t n) {
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isgraph((unsigned char) c[i]))
                        return false;
        return true;
}

int sysctl_path(const char *name, char **ret_path) {
        _cleanup_free_ char *rel = NULL;

        if (!name || !*name)
                return -EINVAL;
        rel = xstrdup(name);
        /* Dotted form: swap '.' and '/', so that "eth0/100" means the interface "eth0.100". */
        char *sep = strpbrk(rel, "./");
        if (sep && *sep == '.')
                for (char *p = rel; *p; p++)
                        *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;

        for (const char *c = rel;;) {
                const char *end = strchrnul(c, '/');
                if (!path_component_ok(c, (size_t) (end - c)))
                        return -EINVAL;
                if (!*end)
                        break;
                c = end + 1;
        }
        *ret_path = xasprintf(PROC_SYS "%s", rel);
        return 0;
}

int sysctl_read(const char *name, char **ret_value, char **ret_error) {
        _cleanup_free_ char *path = NULL, *raw = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = sysctl_path(name, &path);
        if (r < 0) {
                set_error(ret_error, "invalid sysctl name '%s'", strempty(name));
                return r;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                if (r == -ENOENT)
                        set_error(ret_error, "sysctl %s does not exist (no %s)", name, path);
                else
                        set_error(ret_error, "cannot read %s: %s", path, strerror(-r));
                return r;
        }
        size_t len;
        r = read_fd_whole_max(fd, SYSCTL_VALUE_MAX, &raw, &len, NULL);
        if (r < 0) {
                set_error(ret_error, "cannot read %s: %s", path, strerror(-r));
                return r;
        }
        *ret_value = xstrndup_strip(raw, strlen(raw), WHITESPACE);
        return 0;
}

bool sysctl_value_equal(const char *a, const char *b) {
        /* Compare token by token: the kernel prints tabs where a profile has spaces. */
        for (;;) {
                while (isspace((unsigned char) *a))
                        a++;
                while (isspace((unsigned char) *b))
                        b++;
                if (!*a || !*b)
                        return !*a && !*b;
                size_t na = strcspn(a, " \t\n\r\v\f"), nb = strcspn(b, " \t\n\r\v\f");
                if (na != nb || memcmp(a, b, na) != 0)
                        return false;
                a += na;
                b += nb;
        }
}

int sysctl_write(const char *name, const char *value, char **ret_error) {
        _cleanup_free_ char *path = NULL, *current = NULL, *line = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!value || !*value || strchr(value, '\n')) {
                set_error(ret_error, "invalid value for sysctl %s: must be one non-empty line",
                          strempty(name));
                return -EINVAL;
        }
        r = sysctl_read(name, &current, ret_error);
        if (r < 0)
                return r;
        if (sysctl_value_equal(current, value))
                return 0;

        r = sysctl_path(name, &path);
        if (r < 0)
                return r; /* sysctl_read accepted it, so this cannot happen */
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                set_error(ret_error, "cannot write %s: %s%s", path, strerror(-r),
                          r == -EROFS || r == -EACCES || r == -EPERM
                                  ? " (is /proc/sys read-only, as in a container?)"
                                  : "");
                return r;
        }
        /* One write(2): /proc/sys parses each write on its own. */
        line = xasprintf("%s\n", value);
        ssize_t n = write(fd, line, strlen(line));
        if (n < 0) {
                r = -errno;
                if (r == -EINVAL)
                        set_error(ret_error, "the kernel refused value '%s' for sysctl %s", value, name);
                else
                        set_error(ret_error, "cannot write %s: %s", path, strerror(-r));
                return r;
        }
        if ((size_t) n != strlen(line)) {
                set_error(ret_error, "short write to %s", path);
                return -EIO;
        }
        return 1;
}

bool sysctl_writable(const char *name) {
        _cleanup_free_ char *path = NULL;
        return sysctl_path(name, &path) >= 0 && access(path, W_OK) == 0;
}

static bool listed_in_proc_modules(const char *module) {
        _cleanup_fclose_ FILE *f = fopen("/proc/modules", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0, n = strlen(module);

        if (!f)
                return false;
        while (getline(&line, &cap, f) >= 0)
                if (strncmp(line, module, n) == 0 && line[n] == ' ')
                        return true;
        return false;
}

bool kernel_module_loaded(const char *name) {
        _cleanup_free_ char *module = NULL, *sys = NULL;
        struct stat st;

        if (!name || !*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return false;
        /* The kernel lists modules with '_' whatever the file name says. */
        module = xstrdup(name);
        for (char *p = module; *p; p++)
                if (*p == '-')
                        *p = '_';
        if (listed_in_proc_modules(module))
                return true;
        sys = xasprintf("/sys/module/%s", module);
        return stat(sys, &st) == 0 && S_ISDIR(st.st_mode);
}
