/* SPDX-License-Identifier: MIT */
/* Test driver for the network configuration editors (netconf.h), for the oracle script:
 *   netconf-tool FORMAT FILE get [IFACE]                  prints the gateway; exit 0 found, 1 none
 *   netconf-tool FORMAT FILE set IFACE GATEWAY [onlink]   prints the (edited) text; exit 0 unchanged, 1 changed
 *   netconf-tool scan ROOT                                prints "PATH<TAB>FORMAT" per file the tree's scan finds
 * FORMAT is ifcfg, keyfile, networkd, netplan, interfaces, or "auto" (guessed from FILE's path); IFACE
 * "-" means the file's own. Refusals exit 2 with "ERRNO-NAME: message" on stderr. */
#include "engine/datadir.h"
#include "fixers/shared/gateway-scan.h"
#include "formats/netconf/netconf.h"

static int parse_format(const char *name, const char *path, enum netconf_format *ret) {
        static const struct {
                const char *name;
                enum netconf_format fmt;
        } formats[] = {
                { "ifcfg", NETCONF_IFCFG },           { "keyfile", NETCONF_KEYFILE },
                { "networkd", NETCONF_NETWORKD },     { "netplan", NETCONF_NETPLAN },
                { "interfaces", NETCONF_INTERFACES },
        };
        if (streq(name, "auto"))
                return netconf_format_from_path(path, ret);
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (streq(name, formats[i].name)) {
                        *ret = formats[i].fmt;
                        return 0;
                }
        return -EINVAL;
}

static const char *errno_name(int r) {
        switch (-r) {
        case EEXIST:
                return "EEXIST";
        case EADDRNOTAVAIL:
                return "EADDRNOTAVAIL";
        case ENOTSUP:
                return "ENOTSUP";
        case ENOENT:
                return "ENOENT";
        case EINVAL:
                return "EINVAL";
        case EBADMSG:
                return "EBADMSG";
        default:
                return "ERROR";
        }
}

static int refused(const char *path, int r, const char *error) {
        fprintf(stderr, "%s: %s: %s\n", errno_name(r), path, error ? error : strerror(-r));
        return 2;
}

/* netconf_scan() on a tree, as the gateway fixer runs it; a file with several interfaces is printed once. */
static int scan(const char *path) {
        struct root *root = NULL;
        _cleanup_free_ char *error = NULL;
        struct netconf_files files = {};
        int r = root_open(path, false, &root);
        if (r < 0)
                return refused(path, r, NULL);
        struct context ctx = { .root = root };
        r = netconf_scan(&ctx, &files, &error);
        if (r < 0) {
                root_free(root);
                return refused(path, r, error);
        }
        for (size_t i = 0; i < files.n; i++)
                if (i == 0 || !streq(files.items[i].path, files.items[i - 1].path))
                        printf("%s\t%s\n", files.items[i].path,
                               netconf_format_to_string(files.items[i].format));
        netconf_files_free(&files);
        root_free(root);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_free_ char *text = NULL, *edited = NULL, *error = NULL, *gateway = NULL;
        enum netconf_format fmt;
        size_t len = 0, edited_len = 0;
        int r;

        if (argc == 3 && streq(argv[1], "scan"))
                return scan(argv[2]);
        if (argc < 4 ||
            (streq(argv[3], "get") ? argc > 5 : !streq(argv[3], "set") || argc < 6 || argc > 7)) {
                fprintf(stderr,
                        "usage: %s FORMAT FILE get [IFACE] | set IFACE GATEWAY [onlink], or: %s scan ROOT\n",
                        argv[0], argv[0]);
                return 2;
        }
        const char *path = argv[2];
        if (parse_format(argv[1], path, &fmt) < 0) {
                fprintf(stderr, "%s: unknown format '%s'\n", path, argv[1]);
                return 2;
        }
        r = read_host_file(path, &text, &len);
        if (r < 0)
                return refused(path, r, NULL);
        const char *iface = argc > 4 && !streq(argv[4], "-") ? argv[4] : NULL;

        if (streq(argv[3], "get")) {
                r = netconf_get_gateway(fmt, text, len, iface, &gateway, &error);
                if (r < 0)
                        return refused(path, r, error);
                if (r > 0)
                        printf("%s\n", gateway);
                return r > 0 ? 0 : 1;
        }
        bool onlink = argc == 7 && streq(argv[6], "onlink");
        r = netconf_set_gateway(fmt, text, len, iface, argv[5], onlink, &edited, &edited_len, &error);
        if (r < 0)
                return refused(path, r, error);
        if (r == 0)
                fwrite(text, 1, len, stdout);
        else
                fwrite(edited, 1, edited_len, stdout);
        return r > 0 ? 1 : 0;
}
