/* SPDX-License-Identifier: MIT */
/* Reading active swap areas from /proc/swaps (see swaps.h). */
#include "system/swaps.h"

#include <fcntl.h>

#include "basic/rootfs.h"

/* /proc/swaps escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s, size_t n) {
        char *out = xmalloc(n + 1), *o = out;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char) ((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return out;
}

int swaps_parse(const char *text, struct strv *ret_areas, char **ret_error) {
        struct strv areas = {};
        const char *line = text;
        bool header = true;
        while (*line) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t) (end - line) : strlen(line);
                if (header)
                        header = false; /* "Filename Type Size Used Priority" */
                else if (len > 0) {
                        size_t name_len = strcspn(line, " \t");
                        if (name_len > len || name_len == 0) {
                                strv_free(&areas);
                                set_error(ret_error, "/proc/swaps: cannot parse '%.*s'", (int) len, line);
                                return -EBADMSG;
                        }
                        strv_push(&areas, unescape_octal(line, name_len));
                }
                line = end ? end + 1 : line + len;
        }
        *ret_areas = areas;
        return 0;
}

int swaps_read_active(struct strv *ret_areas, char **ret_error) {
        _cleanup_close_ int fd = open("/proc/swaps", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT) { /* no swap support in this kernel */
                        *ret_areas = (struct strv){};
                        return 0;
                }
                set_error(ret_error, "cannot open /proc/swaps: %s", strerror(errno));
                return -errno;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        /* /proc files report size 0; read_fd_whole reads to EOF regardless. */
        int k = read_fd_whole(fd, &text, &len, NULL);
        if (k < 0) {
                set_error(ret_error, "cannot read /proc/swaps: %s", strerror(-k));
                return k;
        }
        return swaps_parse(text, ret_areas, ret_error);
}
