/* SPDX-License-Identifier: MIT */
/* resolv.conf reading and writing (resolv-conf.h). */
#include "formats/resolv-conf.h"

#include "basic/cidr.h"

/* The keyword's argument when line (n bytes) starts with keyword and a blank, else NULL; *ret_n its
 * length to the end of the line, trailing blanks stripped. */
static const char *keyword_arg(const char *line, size_t n, const char *keyword, size_t *ret_n) {
        size_t k = strlen(keyword);
        if (n <= k || memcmp(line, keyword, k) != 0 || (line[k] != ' ' && line[k] != '\t'))
                return NULL;
        const char *a = line + k;
        size_t an = n - k;
        span_strip(&a, &an, WHITESPACE);
        *ret_n = an;
        return a;
}

void resolv_conf_parse(const char *text, size_t len, struct resolv_conf *ret) {
        struct resolv_conf rc = {};
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *line = text + off, *a;
                size_t an;
                if (n == 0 || line[0] == '#' || line[0] == ';')
                        continue;
                if ((a = keyword_arg(line, n, "nameserver", &an))) {
                        /* glibc takes the first word; the rest of the line is ignored. */
                        size_t w = strcspn(a, " \t");
                        _cleanup_free_ char *addr = xstrndup(a, w < an ? w : an);
                        struct cidr c;
                        if (strchr(addr, '/') || cidr_parse(addr, &c) < 0)
                                continue;
                        if (cidr_is_loopback(&c))
                                strv_push(&rc.loopback, xstrdup(addr));
                        strv_push(&rc.nameservers, TAKE_PTR(addr));
                } else if ((a = keyword_arg(line, n, "search", &an)) ||
                           (a = keyword_arg(line, n, "domain", &an))) {
                        free(rc.search);
                        rc.search = xstrndup(a, an);
                }
        }
        *ret = rc;
}

void resolv_conf_free(struct resolv_conf *rc) {
        strv_free(&rc->nameservers);
        strv_free(&rc->loopback);
        free(rc->search);
        *rc = (struct resolv_conf){};
}

char *resolv_conf_build(const struct strv *nameservers, const char *search) {
        struct buf b = {};
        buf_puts(&b, "# Written by kubeprep (the dns fixer), which rewrites it: the kubelet's resolvConf.\n"
                     "# Pods with dnsPolicy Default (CoreDNS among them) get these servers; a resolver on\n"
                     "# the node's loopback would be the pod's own loopback, and CoreDNS would forward to\n"
                     "# itself. The servers come from the profile's dns.upstream.\n");
        for (size_t i = 0; i < nameservers->n; i++)
                buf_printf(&b, "nameserver %s\n", nameservers->items[i]);
        if (search)
                buf_printf(&b, "search %s\n", search);
        return buf_steal(&b);
}
