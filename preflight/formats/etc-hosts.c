/* SPDX-License-Identifier: MIT */
/* /etc/hosts (see etc-hosts.h). */
#include "formats/etc-hosts.h"

#include <strings.h>

#include "basic/util.h"

#define BLANKS " \t"

int hosts_lookup(const char *text, size_t len, const char *name, char **ret_addr) {
        size_t name_len = strlen(name);
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *line = text + off, *hash = memchr(line, '#', n);
                size_t l = hash ? (size_t) (hash - line) : n;
                /* Fields: the address, then the names. */
                const char *addr = NULL;
                size_t addr_len = 0;
                for (size_t i = 0; i < l;) {
                        i += strspn(line + i, BLANKS);
                        size_t w = 0;
                        while (i + w < l && line[i + w] != ' ' && line[i + w] != '\t')
                                w++;
                        if (w == 0)
                                break;
                        if (!addr) {
                                addr = line + i;
                                addr_len = w;
                        } else if (w == name_len && strncasecmp(line + i, name, w) == 0) {
                                if (ret_addr)
                                        *ret_addr = xstrndup(addr, addr_len);
                                return 1;
                        }
                        i += w;
                }
        }
        return 0;
}

int hosts_add(const char *text, size_t len, const char *addr, const char *name, char **ret_text,
              size_t *ret_len, char **ret_error) {
        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        const char *eol = detect_eol(text, len);
        struct buf b = {};
        buf_append(&b, text, len);
        bool last_open = len > 0 && text[len - 1] != '\n';
        /* A file whose last line has no newline keeps that form: the new line becomes the last. */
        if (last_open)
                buf_printf(&b, "%s%s\t%s", eol, addr, name);
        else
                buf_printf(&b, "%s\t%s%s", addr, name, eol);
        return buf_finish_edit(&b, text, len, ret_text, ret_len);
}
