/* SPDX-License-Identifier: MIT */
/* Tests for the persistent network configuration editors (netconf.h): hand-made edge cases with exact
 * output, every file of the network corpus and the fixture files against golden outputs, idempotence. */
#include <dirent.h>

#include "formats/netconf/netconf.h"
#include "tap.h"
#include "test-util.h"

#define F_IFCFG NETCONF_IFCFG
#define F_KEYFILE NETCONF_KEYFILE
#define F_NETWORKD NETCONF_NETWORKD
#define F_NETPLAN NETCONF_NETPLAN
#define F_IFUPDOWN NETCONF_INTERFACES

struct edge_case {
        const char *name;
        enum netconf_format fmt;
        const char *iface;
        const char *input;
        const char *gateway;
        bool onlink;
        int expected_r;           /* of set */
        const char *expected;     /* set's output when expected_r == 1; its error when < 0 */
        const char *expected_get; /* get's gateway on the input, NULL for none, "!..." for a refusal */
};

static const struct edge_case edge_cases[] = {
        /* ifcfg */
        { "ifcfg: no final newline", F_IFCFG, NULL,
          "DEVICE=eth0\nBOOTPROTO=none\nIPADDR=10.0.0.2\nPREFIX=24", "10.0.0.1", false, 1,
          "DEVICE=eth0\nBOOTPROTO=none\nIPADDR=10.0.0.2\nPREFIX=24\nGATEWAY=10.0.0.1\n", NULL },
        { "ifcfg: crlf, single quotes, trailing comment", F_IFCFG, NULL,
          "IPADDR='10.0.0.2'\r\nPREFIX='24'\r\nONBOOT=yes # boot\r\n# end\r\n", "10.0.0.1", false, 1,
          "IPADDR='10.0.0.2'\r\nPREFIX='24'\r\nONBOOT=yes # boot\r\nGATEWAY='10.0.0.1'\r\n# end\r\n", NULL },
        { "ifcfg: GATEWAY0 counts", F_IFCFG, NULL, "IPADDR0=10.0.0.2\nPREFIX0=24\nGATEWAY0=10.0.0.1\n",
          "10.0.0.1", false, 0, NULL, "10.0.0.1" },
        { "ifcfg: last assignment wins", F_IFCFG, NULL,
          "IPADDR=10.0.0.2\nGATEWAY=10.0.0.1\nGATEWAY=10.0.0.9\n", "10.0.0.1", false, -EEXIST,
          "line 3: the default gateway is already 10.0.0.9, not replacing it with 10.0.0.1", "10.0.0.9" },
        { "ifcfg: empty GATEWAY is none", F_IFCFG, NULL, "BOOTPROTO=static\nIPADDR=10.0.0.2\nGATEWAY=\n",
          "10.0.0.1", true, 1, "BOOTPROTO=static\nIPADDR=10.0.0.2\nGATEWAY=\nGATEWAY=10.0.0.1\n", NULL },
        { "ifcfg: DEFROUTE=no", F_IFCFG, NULL, "IPADDR=10.0.0.2\nDEFROUTE=no\n", "10.0.0.1", false, -ENOTSUP,
          "line 2: DEFROUTE=no: the interface must not carry the default route", NULL },
        { "ifcfg: bootp", F_IFCFG, NULL, "BOOTPROTO=bootp\n", "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 1: BOOTPROTO=bootp: the interface gets its gateway from DHCP", NULL },
        { "ifcfg: no address", F_IFCFG, NULL, "DEVICE=eth0\nONBOOT=yes\n", "10.0.0.1", false, -ENOTSUP,
          "line 2: no IPADDR: a gateway needs a static IPv4 address", NULL },
        { "ifcfg: command substitution", F_IFCFG, NULL, "DEVICE=eth0\nIPADDR=$(hostname -i)\n", "10.0.0.1",
          false, -EBADMSG, "line 2: IPADDR= is not a plain or simply quoted value", "!line 2" },
        { "ifcfg: unterminated quote", F_IFCFG, NULL, "NAME=\"eth0\n", "10.0.0.1", false, -EBADMSG,
          "line 1: NAME= is not a plain or simply quoted value", "!line 1" },
        { "ifcfg: export", F_IFCFG, NULL, "export IPADDR=10.0.0.2\n", "10.0.0.1", false, -EBADMSG,
          "line 1: not a KEY=value assignment", "!line 1" },
        { "ifcfg: gateway not an address", F_IFCFG, NULL, "IPADDR=10.0.0.2\nGATEWAY=router\n", "10.0.0.1",
          false, -EBADMSG, "line 2: GATEWAY=router is not an IPv4 address", "!line 2" },
        { "ifcfg: bad gateway argument", F_IFCFG, NULL, "IPADDR=10.0.0.2\n", "10.0.0", false, -EINVAL,
          "'10.0.0' is not an IPv4 address", NULL },

        /* networkd */
        { "networkd: [Address] only, new [Network]", F_NETWORKD, NULL,
          "[Match]\nName=eth0\n\n[Address]\nAddress=10.0.0.2/24\n", "10.0.0.1", false, 1,
          "[Match]\nName=eth0\n\n[Address]\nAddress=10.0.0.2/24\n\n[Network]\nGateway=10.0.0.1\n", NULL },
        { "networkd: default [Route] read", F_NETWORKD, NULL,
          "[Network]\nAddress=10.0.0.2/24\n\n[Route]\nGateway=10.0.0.1\n", "10.0.0.1", true, 0, NULL,
          "10.0.0.1" },
        { "networkd: [Route] with 0.0.0.0/0", F_NETWORKD, NULL,
          "[Network]\nAddress=10.0.0.2/24\n[Route]\nDestination=0.0.0.0/0\nGateway=10.0.0.7\n", "10.0.0.1",
          false, -EEXIST, "line 5: the default gateway is already 10.0.0.7, not replacing it with 10.0.0.1",
          "10.0.0.7" },
        { "networkd: site route is not default", F_NETWORKD, NULL,
          "[Network]\nAddress=10.0.0.2/24\n# gateways "
          "below\n\n[Route]\nDestination=10.9.0.0/16\nGateway=10.0.0.254\n",
          "10.0.0.1", false, 1,
          "[Network]\nAddress=10.0.0.2/24\nGateway=10.0.0.1\n# gateways "
          "below\n\n[Route]\nDestination=10.9.0.0/16\nGateway=10.0.0.254\n",
          NULL },
        { "networkd: _dhcp4 and IPv6 gateways are not static IPv4", F_NETWORKD, NULL,
          "[Network]\nAddress=10.0.0.2/24\nGateway=_dhcp4\nGateway=fe80::1\n", "10.0.0.1", false, 1,
          "[Network]\nAddress=10.0.0.2/24\nGateway=_dhcp4\nGateway=fe80::1\nGateway=10.0.0.1\n", NULL },
        { "networkd: crlf spaced, no final newline, onlink", F_NETWORKD, NULL,
          "[Network]\r\nAddress = 10.0.0.2/32", "10.0.0.1", true, 1,
          "[Network]\r\nAddress = 10.0.0.2/32\r\n\r\n[Route]\r\nGateway = 10.0.0.1\r\nGatewayOnLink = "
          "yes\r\n",
          NULL },
        { "networkd: DHCP=yes", F_NETWORKD, NULL, "[Network]\nDHCP=yes\nAddress=10.0.0.2/24\n", "10.0.0.1",
          false, -EADDRNOTAVAIL, "line 2: DHCP=yes: the interface gets its IPv4 gateway from DHCP", NULL },
        { "networkd: IPv6-only address", F_NETWORKD, NULL, "[Network]\nAddress=fd00::2/64\n", "10.0.0.1",
          false, -ENOTSUP, "line 2: no static IPv4 Address= for the gateway to be reached from", NULL },
        { "networkd: continuation line", F_NETWORKD, NULL, "[Network]\nDNS=1.1.1.1 \\\n  8.8.8.8\n",
          "10.0.0.1", false, -EBADMSG, "line 2: continuation line (trailing backslash)", "!line 2" },
        { "networkd: garbage", F_NETWORKD, NULL, "[Network]\nAddress=10.0.0.2/24\nGateway\n", "10.0.0.1",
          false, -EBADMSG, "line 3: neither a key=value assignment, a section nor a comment", "!line 3" },

        /* keyfile */
        { "keyfile: never-default", F_KEYFILE, NULL,
          "[ipv4]\nmethod=manual\naddress1=10.0.0.2/24\nnever-default=true\n", "10.0.0.1", false, -ENOTSUP,
          "line 4: never-default=true: the connection must not carry the default route", NULL },
        { "keyfile: method=disabled", F_KEYFILE, NULL, "[connection]\nid=x\n[ipv4]\nmethod=disabled\n",
          "10.0.0.1", false, -ENOTSUP, "line 4: method=disabled: no static IPv4 addressing", NULL },
        { "keyfile: no [ipv4] means auto", F_KEYFILE, NULL, "[connection]\nid=x\n", "10.0.0.1", false,
          -EADDRNOTAVAIL, "line 1: no [ipv4] method (auto): the connection gets its IPv4 gateway from DHCP",
          NULL },
        { "keyfile: bridge port", F_KEYFILE, NULL, "[connection]\nid=x\nmaster=br0\nslave-type=bridge\n",
          "10.0.0.1", false, -ENOTSUP,
          "line 3: master=br0: the connection is a port of another device, its address and routes live "
          "there",
          NULL },
        { "keyfile: default route entry read", F_KEYFILE, NULL,
          "[ipv4]\naddress1=10.0.0.2/24\nmethod=manual\nroute1=10.9.0.0/16,10.0.0.254\nroute2=0.0.0.0/"
          "0,10.0.0.1,100\n",
          "10.0.0.1", false, 0, NULL, "10.0.0.1" },
        { "keyfile: onlink numbers after existing routes", F_KEYFILE, NULL,
          "[ipv4]\naddress1=10.0.0.2/24\nmethod=manual\nroute3=10.9.0.0/"
          "16,10.0.0.254\n\n[ipv6]\nmethod=ignore\n",
          "10.0.0.1", true, 1,
          "[ipv4]\naddress1=10.0.0.2/24\nmethod=manual\nroute3=10.9.0.0/16,10.0.0.254\nroute4=0.0.0.0/"
          "0,10.0.0.1\n"
          "route4_options=onlink=true\n\n[ipv6]\nmethod=ignore\n",
          NULL },
        { "keyfile: semicolon comment is not GLib", F_KEYFILE, NULL, "[ipv4]\n; note\nmethod=manual\n",
          "10.0.0.1", false, -EBADMSG, "line 2: neither a key=value assignment, a section nor a comment",
          "!line 2" },
        { "keyfile: key before any group", F_KEYFILE, NULL, "id=x\n[ipv4]\n", "10.0.0.1", false, -EBADMSG,
          "line 1: assignment before the first section", "!line 1" },

        /* netplan */
        { "netplan: flow routes", F_NETPLAN, NULL,
          "network:\n  ethernets:\n    eth0:\n      addresses: [10.0.0.2/24]\n      routes: []\n",
          "10.0.0.1", false, -EBADMSG, "line 5: routes is not a block sequence, not edited", NULL },
        { "netplan: to 0.0.0.0/0 read, IPv6 default ignored", F_NETPLAN, NULL,
          "network:\n  ethernets:\n    eth0:\n      routes:\n      - to: default\n        via: fe80::1\n"
          "      - {to: 0.0.0.0/0, via: 10.0.0.1}\n",
          "10.0.0.1", false, 0, NULL, "10.0.0.1" },
        { "netplan: two documents", F_NETPLAN, NULL, "network: {}\n---\nnetwork: {}\n", "10.0.0.1", false,
          -EBADMSG, "line 2: more than one YAML document", "!line 2" },
        { "netplan: duplicate gateway4", F_NETPLAN, NULL,
          "network:\n  ethernets:\n    eth0:\n      gateway4: 10.0.0.1\n      gateway4: 10.0.0.2\n",
          "10.0.0.1", false, -EBADMSG, "line 5: duplicate key 'gateway4'", "!line 5" },
        { "netplan: empty file", F_NETPLAN, NULL, "", "10.0.0.1", false, -ENOENT,
          "line 1: no interface at all in the file", NULL },
        { "netplan: iface not found", F_NETPLAN, "eth9", "network:\n  ethernets:\n    eth0: {}\n",
          "10.0.0.1", false, -ENOENT, "line 1: no interface eth9 in the file", NULL },
        { "netplan: set-name, address with options, crlf, no final newline", F_NETPLAN, "lan0",
          "network:\r\n  ethernets:\r\n    nic:\r\n      match: {macaddress: '52:54:00:00:00:01'}\r\n      "
          "set-name: lan0\r\n"
          "      addresses:\r\n        - 10.0.0.2/24:\r\n            label: lan0:1",
          "10.0.0.1", false, 1,
          "network:\r\n  ethernets:\r\n    nic:\r\n      match: {macaddress: '52:54:00:00:00:01'}\r\n      "
          "set-name: lan0\r\n"
          "      addresses:\r\n        - 10.0.0.2/24:\r\n            label: lan0:1\r\n      routes:\r\n     "
          "   - to: default\r\n"
          "          via: 10.0.0.1\r\n",
          NULL },
        { "netplan: flow interface", F_NETPLAN, NULL,
          "network:\n  ethernets:\n    eth0: {addresses: [10.0.0.2/24]}\n", "10.0.0.1", false, -EBADMSG,
          "line 3: the interface is not a block mapping, not edited", NULL },
        { "netplan: dhcp4 on", F_NETPLAN, NULL, "network:\n  ethernets:\n    eth0:\n      dhcp4: on\n",
          "10.0.0.1", false, -EADDRNOTAVAIL, "line 4: dhcp4: on: the interface gets its gateway from DHCP",
          NULL },

        /* interfaces */
        { "interfaces: no final newline, spaces", F_IFUPDOWN, "eth0",
          "iface eth0 inet static\n  address 10.0.0.2/24", "10.0.0.1", false, 1,
          "iface eth0 inet static\n  address 10.0.0.2/24\n  gateway 10.0.0.1\n", NULL },
        { "interfaces: continuation", F_IFUPDOWN, NULL, "iface eth0 inet static\n  address 10.0.0.2/24 \\\n",
          "10.0.0.1", false, -EBADMSG, "line 2: continuation line (trailing backslash)", "!line 2" },
        { "interfaces: option outside a stanza", F_IFUPDOWN, NULL, "address 10.0.0.2\n", "10.0.0.1", false,
          -EBADMSG, "line 1: option 'address' outside an iface stanza", "!line 1" },
        { "interfaces: inet manual", F_IFUPDOWN, NULL, "auto eth0\niface eth0 inet manual\n", "10.0.0.1",
          false, -ENOTSUP, "line 2: iface eth0 inet manual: no static IPv4 address", NULL },
        { "interfaces: static without address", F_IFUPDOWN, NULL, "iface eth0 inet static\n  mtu 9000\n",
          "10.0.0.1", false, -ENOTSUP, "line 1: iface eth0 inet static without an address", NULL },
        { "interfaces: only loopback", F_IFUPDOWN, NULL, "auto lo\niface lo inet loopback\n", "10.0.0.1",
          false, -ENOENT, "line 1: no inet interface stanza", NULL },
        { "interfaces: gateway not an address", F_IFUPDOWN, NULL,
          "iface eth0 inet static\n  address 10.0.0.2\n  gateway gw\n", "10.0.0.1", false, -EBADMSG,
          "line 3: gateway gw is not an IPv4 address", "!line 3" },
        { "interfaces: second static stanza keeps the first's gateway", F_IFUPDOWN, "eth0",
          "iface eth0 inet static\n  address 10.0.0.2/24\n\niface eth0 inet static\n  address 10.0.1.2/24\n "
          " gateway 10.0.1.1\n",
          "10.0.1.1", false, 0, NULL, "10.0.1.1" },
};

/* set, check the exact result; then rerun on the output (0, same gateway read back). */
static void check_set(const char *name, enum netconf_format fmt, const char *iface, const char *input,
                      size_t len, const char *gateway, bool onlink, int expected_r, const char *expected) {
        _cleanup_free_ char *out = NULL, *error = NULL, *msg = NULL;
        size_t out_len = 0;
        int r = netconf_set_gateway(fmt, input, len, iface, gateway, onlink, &out, &out_len, &error);

        msg = xasprintf("%s: set returns %d", name, expected_r);
        if (!tap_ok(r == expected_r, msg))
                printf("# got %d (%s)\n", r, strempty(error));
        free(msg);
        if (expected_r < 0) {
                msg = xasprintf("%s: error message", name);
                tap_streq(error, expected, msg);
                return;
        }
        if (expected_r == 0) {
                msg = xasprintf("%s: nothing written", name);
                tap_ok(!out && !error, msg);
                return;
        }
        if (r != 1)
                return;
        msg = xasprintf("%s: exact output", name);
        tap_ok(out_len == strlen(out), "output length matches");
        tap_streq(out, expected, msg);
        free(msg);

        _cleanup_free_ char *again = NULL, *again_error = NULL, *got = NULL;
        size_t again_len;
        r = netconf_set_gateway(fmt, out, out_len, iface, gateway, onlink, &again, &again_len, &again_error);
        msg = xasprintf("%s: rerun changes nothing", name);
        if (!tap_ok(r == 0 && !again, msg))
                printf("# got %d (%s)\n", r, strempty(again_error));
        free(msg);
        r = netconf_get_gateway(fmt, out, out_len, iface, &got, &again_error);
        msg = xasprintf("%s: output reads back the gateway", name);
        tap_ok(r == 1 && got && streq(got, gateway), msg);
}

/* get on the input: expected NULL (none), "!line N" (refused with that line), or the gateway. */
static void check_get(const char *name, enum netconf_format fmt, const char *iface, const char *input,
                      size_t len, const char *expected) {
        _cleanup_free_ char *got = NULL, *error = NULL, *msg = xasprintf("%s: get", name);
        int r = netconf_get_gateway(fmt, input, len, iface, &got, &error);
        bool ok;
        if (!expected)
                ok = r == 0 && !got;
        else if (expected[0] == '!')
                ok = r < 0 && error && startswith(error, expected + 1) && !got;
        else
                ok = r == 1 && got && streq(got, expected);
        if (!tap_ok(ok, msg))
                printf("# got %d '%s' (%s), want %s\n", r, strempty(got), strempty(error),
                       strempty(expected));
}

/* One parse, many questions: the parsed form answers get and set as the one-shot calls do (result,
 * gateway, new text, error), and set with no ret_text gives set's answer without the text. */
static void check_parsed(const char *name, enum netconf_format fmt, const char *iface, const char *input,
                         size_t len, const char *gateway, bool onlink) {
        _cleanup_free_ char *gw = NULL, *err = NULL, *pgw = NULL, *perr = NULL, *out = NULL, *pout = NULL,
                            *serr = NULL, *pserr = NULL, *qerr = NULL, *msg = NULL;
        size_t out_len = 0, pout_len = 0;
        struct netconf_parsed *p = NULL;
        int get = netconf_get_gateway(fmt, input, len, iface, &gw, &err);
        int set = netconf_set_gateway(fmt, input, len, iface, gateway, onlink, &out, &out_len, &serr);
        int k = netconf_parse(fmt, input, len, &p, &perr);
        int pget = k < 0 ? k : netconf_parsed_get_gateway(p, iface, &pgw, &perr);
        int pset =
                k < 0 ? k : netconf_parsed_set_gateway(p, iface, gateway, onlink, &pout, &pout_len, &pserr);
        int probe = k < 0 ? k : netconf_parsed_set_gateway(p, iface, gateway, onlink, NULL, NULL, &qerr);
        if (k < 0) /* what set says of a file that does not parse, unless the gateway is refused first */
                pserr = xstrdup(perr), qerr = xstrdup(perr);
        msg = xasprintf("%s: the parsed form answers get as get does", name);
        if (!tap_ok(pget == get && streq_ptr(pgw, gw) && streq_ptr(perr, err), msg))
                printf("# get %d %s (%s), parsed %d %s (%s)\n", get, strempty(gw), strempty(err), pget,
                       strempty(pgw), strempty(perr));
        free(msg);
        msg = xasprintf("%s: the parsed form answers set as set does", name);
        bool gateway_refused = set == -EINVAL && !netconf_is_ipv4(gateway);
        if (!tap_ok(gateway_refused ||
                            (pset == set && probe == set && pout_len == out_len && streq_ptr(pout, out) &&
                             streq_ptr(pserr, serr) && streq_ptr(qerr, serr)),
                    msg))
                printf("# set %d (%s), parsed %d (%s), probe %d (%s)\n", set, strempty(serr), pset,
                       strempty(pserr), probe, strempty(qerr));
        netconf_parsed_free(p);
}

/* A file of many interfaces, each asked about through one parse: interface i's stanza answers for
 * interface i (the index by name), and a name defined twice is still refused. */
static void test_parsed_many(void) {
        struct buf nb = {}, ib = {};
        buf_puts(&nb, "network:\n  ethernets:\n");
        buf_puts(&ib, "auto lo\niface lo inet loopback\n");
        for (int i = 0; i < 500; i++) {
                if (i % 3 == 0)
                        buf_printf(&nb, "    e%d:\n      dhcp4: true\n", i);
                else
                        buf_printf(&nb, "    e%d:\n      addresses: [10.0.%d.%d/16]\n%s", i, i / 256,
                                   i % 256, i % 3 == 2 ? "      gateway4: 10.0.0.1\n" : "");
                buf_printf(&ib, "iface e%d inet %s\n%s", i, i % 3 == 0 ? "dhcp" : "static",
                           i % 3 == 0   ? ""
                           : i % 3 == 1 ? "  address 10.0.0.2/16\n"
                                        : "  address 10.0.0.2/16\n  gateway 10.0.0.1\n");
        }
        buf_puts(&nb, "    e7:\n      dhcp4: true\n");
        const struct {
                enum netconf_format fmt;
                struct buf *b;
        } files[] = { { F_NETPLAN, &nb }, { F_IFUPDOWN, &ib } };
        for (size_t f = 0; f < ELEMENTSOF(files); f++) {
                struct netconf_parsed *p = NULL;
                int k = netconf_parse(files[f].fmt, files[f].b->data, files[f].b->len, &p, NULL);
                bool all = k == 0;
                for (int i = 0; all && i < 500; i++) {
                        _cleanup_free_ char *iface = xasprintf("e%d", i), *gw = NULL, *err = NULL;
                        int want = i == 7 && files[f].fmt == F_NETPLAN ? -EBADMSG
                                   : i % 3 == 0                        ? -EADDRNOTAVAIL
                                   : i % 3 == 1                        ? 1
                                                                       : 0;
                        int r = netconf_parsed_get_gateway(p, iface, &gw, &err);
                        if (r == 0 || want == -EBADMSG)
                                r = netconf_parsed_set_gateway(p, iface, "10.0.0.1", false, NULL, NULL,
                                                               &err);
                        else if (r == 1)
                                r = 0;
                        all = r == want;
                        if (!all)
                                printf("# %s: %d, want %d (%s)\n", iface, r, want, strempty(err));
                }
                tap_ok(all, files[f].fmt == F_NETPLAN ? "netplan: 500 interfaces through one parse"
                                                      : "interfaces: 500 stanzas through one parse");
                netconf_parsed_free(p);
        }
        buf_free(&nb);
        buf_free(&ib);
}

static void test_edge_cases(void) {
        for (size_t i = 0; i < ELEMENTSOF(edge_cases); i++) {
                const struct edge_case *c = &edge_cases[i];
                check_parsed(c->name, c->fmt, c->iface, c->input, strlen(c->input), c->gateway, c->onlink);
                const char *expected_get = c->expected_get;
                /* Refusals of the whole file also refuse get; others read "none" unless stated. */
                check_get(c->name, c->fmt, c->iface, c->input, strlen(c->input), expected_get);
                check_set(c->name, c->fmt, c->iface, c->input, strlen(c->input), c->gateway, c->onlink,
                          c->expected_r, c->expected);
        }
}

/* Files under a directory: the network corpus or tests/fixtures/netconf/inputs. */
struct file_case {
        const char *name;
        enum netconf_format fmt;
        const char *iface;
        const char *expected_get; /* as in check_get */
        const char *gateway;
        bool onlink;
        int expected_r;
        const char *expected; /* golden file name under expected/ when 1; error message when < 0 */
};

#define CORPUS_02 "02-wegitit_master-ifcfg-eth0"
#define CORPUS_11 "11-SgrAlpha_ubuntu-transparent-proxy-netplan.yaml"
#define CORPUS_13 "13-neo-shisui_OpenStack-Ansible-netplan.yaml"
#define CORPUS_15 "15-arbu_lan-router-eth0.network"

static const struct file_case corpus_cases[] = {
        { "01-sreep1207_etckeeper-netplan.yaml", F_NETPLAN, NULL, NULL, "192.168.1.1", false, -EADDRNOTAVAIL,
          "line 9: dhcp4: true: the interface gets its gateway from DHCP" },
        { CORPUS_02, F_IFCFG, NULL, NULL, "192.168.1.1", false, 1, CORPUS_02 },
        { "03-a4649_linux-networking-examples-ifcfg-eth0", F_IFCFG, NULL, "192.168.99.254", "192.168.99.254",
          false, 0, NULL },
        { "03-a4649_linux-networking-examples-ifcfg-eth0", F_IFCFG, NULL, "192.168.99.254", "192.168.99.1",
          false, -EEXIST,
          "line 11: the default gateway is already 192.168.99.254, not replacing it with 192.168.99.1" },
        { "04-markkolich_config-ifcfg-eth0", F_IFCFG, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 3: BOOTPROTO=dhcp: the interface gets its gateway from DHCP" },
        { "05-sirdy_kvm-ifcfg-eth0", F_IFCFG, NULL, NULL, "10.0.0.1", false, -ENOTSUP,
          "line 3: BRIDGE=br0: the interface is a port of another device, its address and routes live "
          "there" },
        { "06-casjay-dotfiles_server-ifcfg-eth0", F_IFCFG, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 5: BOOTPROTO=dhcp: the interface gets its gateway from DHCP" },
        { "07-TrellixVulnTeam_AWS-EC2_6D2K-ifcfg-eth0", F_IFCFG, NULL, NULL, "10.0.0.1", false,
          -EADDRNOTAVAIL, "line 3: BOOTPROTO=dhcp: the interface gets its gateway from DHCP" },
        { "08-ClementCastel_ubuntu-2204-netplan.yaml", F_NETPLAN, "enp0s2", NULL, "10.0.0.1", false,
          -EADDRNOTAVAIL, "line 9: dhcp4: true: the interface gets its gateway from DHCP" },
        { "09-noraworld_netplan-conf-netplan.yaml", F_NETPLAN, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 9: dhcp4: true: the interface gets its gateway from DHCP" },
        { "10-AmpereComputing_openstack-kolla-ampere-aio-scripts-netplan.yaml", F_NETPLAN, NULL,
          "!line 9: the file configures several interfaces (enp1s0, enx00051bb122ed); name one", "10.0.0.1",
          false, -EINVAL,
          "line 9: the file configures several interfaces (enp1s0, enx00051bb122ed); name one" },
        { "10-AmpereComputing_openstack-kolla-ampere-aio-scripts-netplan.yaml", F_NETPLAN, "enx00051bb122ed",
          NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 10: dhcp4: yes: the interface gets its gateway from DHCP" },
        { CORPUS_11, F_NETPLAN, "enp2s0f0", "10.10.10.1", "10.10.10.1", true, 0, NULL },
        { CORPUS_11, F_NETPLAN, "ens9", NULL, "192.168.100.254", false, 1, CORPUS_11 ".ens9" },
        { CORPUS_11, F_NETPLAN, "ens9", NULL, "192.168.100.254", true, 1, CORPUS_11 ".ens9.onlink" },
        { "12-GDog1985_lancache-installer-netplan.yaml", F_NETPLAN, NULL, "!line 30", "10.0.0.1", false,
          -EBADMSG, "line 30: gateway lc-host-gateway is not an IPv4 address" },
        { CORPUS_13, F_NETPLAN, "br-ext", "192.1.1.1", "192.1.1.1", false, 0, NULL },
        { CORPUS_13, F_NETPLAN, "br-mgmt", NULL, "172.29.236.1", false, 1, CORPUS_13 ".br-mgmt" },
        { CORPUS_13, F_NETPLAN, "br-vlan", NULL, "172.29.236.1", false, -ENOTSUP,
          "line 67: interface br-vlan has no static IPv4 address" },
        { CORPUS_13, F_NETPLAN, "bond0", NULL, "172.29.236.1", false, -ENOTSUP,
          "line 9: interface bond0 has no static IPv4 address" },
        { "14-jicarretero_kolla-ansible-testing-netplan.yaml", F_NETPLAN, NULL, "192.168.122.1",
          "192.168.122.254", false, -EEXIST,
          "line 7: the default gateway is already 192.168.122.1, not replacing it with 192.168.122.254" },
        { CORPUS_15, F_NETWORKD, NULL, NULL, "10.13.37.56", false, 1, CORPUS_15 },
        { CORPUS_15, F_NETWORKD, NULL, NULL, "10.13.37.56", true, 1, CORPUS_15 ".onlink" },
        { "16-keks24_raspberry-pi-headless-eth0.network", F_NETWORKD, NULL, "192.168.1.1", "192.168.1.1",
          false, 0, NULL },
        { "17-jdmasa_lxc-ubuntu-docker-template-eth0.network", F_NETWORKD, NULL, "192.168.1.1",
          "192.168.1.254", false, -EEXIST,
          "line 7: the default gateway is already 192.168.1.1, not replacing it with 192.168.1.254" },
        { "18-hololeap_gentoo-files-eth0.network", F_NETWORKD, NULL, NULL, "10.0.0.1", false, -ENOTSUP,
          "line 7: Unmanaged=yes: networkd does not configure this link" },
        { "19-FalconChristmas_fpp-10-eth0.network", F_NETWORKD, NULL, NULL, "10.0.0.1", false,
          -EADDRNOTAVAIL, "line 9: DHCP=ipv4: the interface gets its IPv4 gateway from DHCP" },
        { "20-Rusk85_bind9-servfail-fix-20-wired.network", F_NETWORKD, NULL, NULL, "192.168.1.1", false,
          -ENOTSUP,
          "line 6: Bridge=br0: the link is a port of another device, its address and routes live there" },
        { "21-serbe_rp4c-20-wired.network", F_NETWORKD, NULL, "192.168.1.1", "192.168.1.1", true, 0, NULL },
        { "22-jessfraz_dotfiles-20-wired.network", F_NETWORKD, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 5: DHCP=ipv4: the interface gets its IPv4 gateway from DHCP" },
};

static const struct file_case fixture_cases[] = {
        { "static-nogw.nmconnection", F_KEYFILE, NULL, NULL, "10.0.0.1", false, 1,
          "static-nogw.nmconnection" },
        { "static-nogw.nmconnection", F_KEYFILE, NULL, NULL, "10.0.0.1", true, 1,
          "static-nogw.nmconnection.onlink" },
        { "static-gateway.nmconnection", F_KEYFILE, NULL, "192.168.50.1", "192.168.50.1", false, 0, NULL },
        { "static-gateway.nmconnection", F_KEYFILE, NULL, "192.168.50.1", "192.168.50.2", false, -EEXIST,
          "line 10: the default gateway is already 192.168.50.1, not replacing it with 192.168.50.2" },
        { "address-gateway.nmconnection", F_KEYFILE, NULL, "10.0.0.1", "10.0.0.1", false, 0, NULL },
        { "old-addresses.nmconnection", F_KEYFILE, NULL, "192.168.1.1", "192.168.1.1", false, 0, NULL },
        { "dhcp.nmconnection", F_KEYFILE, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 9: method=auto: the connection gets its IPv4 gateway from DHCP" },
        { "crlf-spaced.nmconnection", F_KEYFILE, NULL, NULL, "172.16.0.1", false, 1,
          "crlf-spaced.nmconnection" },
        { "interfaces-static", F_IFUPDOWN, NULL, NULL, "192.168.10.1", false, 1, "interfaces-static" },
        { "interfaces-dhcp", F_IFUPDOWN, NULL, NULL, "10.0.0.1", false, -EADDRNOTAVAIL,
          "line 5: iface eth0 inet dhcp: the interface gets its gateway from DHCP" },
        { "interfaces-two", F_IFUPDOWN, "eth0", "10.1.0.1", "10.1.0.1", false, 0, NULL },
        { "interfaces-two", F_IFUPDOWN, "eth1", NULL, "10.2.0.1", false, 1, "interfaces-two.eth1" },
        { "netplan-routes.yaml", F_NETPLAN, NULL, NULL, "10.20.30.1", false, 1, "netplan-routes.yaml" },
        { "netplan-onlink.yaml", F_NETPLAN, "enp3s0", NULL, "192.168.0.1", true, 1,
          "netplan-onlink.yaml.onlink" },
};

static void test_file_cases(const char *dir, const char *expected_dir, const struct file_case *cases,
                            size_t n) {
        for (size_t i = 0; i < n; i++) {
                const struct file_case *c = &cases[i];
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, c->name), *text = NULL, *golden = NULL;
                _cleanup_free_ char *name = xasprintf("%s%s%s%s", c->name, c->iface ? " " : "",
                                                      strempty(c->iface), c->onlink ? " onlink" : "");
                size_t len, golden_len;
                text = read_file_or_null(path, &len);
                if (!tap_ok(text != NULL, path))
                        continue;
                check_get(name, c->fmt, c->iface, text, len, c->expected_get);
                const char *expected = c->expected;
                if (c->expected_r == 1) {
                        _cleanup_free_ char *golden_path = xasprintf("%s/%s", expected_dir, c->expected);
                        golden = read_file_or_null(golden_path, &golden_len);
                        if (!tap_ok(golden != NULL, golden_path))
                                continue;
                        expected = golden;
                }
                check_set(name, c->fmt, c->iface, text, len, c->gateway, c->onlink, c->expected_r, expected);
        }
}

/* Every file in the directory has at least one case: a new corpus file cannot go untested. */
static void test_every_file_covered(const char *dir, const struct file_case *cases, size_t n) {
        DIR *d = opendir(dir);
        unsigned files = 0;
        if (!tap_ok(d != NULL, dir))
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                bool covered = false;
                files++;
                for (size_t i = 0; i < n && !covered; i++)
                        covered = streq(cases[i].name, de->d_name);
                _cleanup_free_ char *msg = xasprintf("%s has a test case", de->d_name);
                tap_ok(covered, msg);
        }
        closedir(d);
        tap_ok(files > 0, "directory is not empty");
}

static void test_format_from_path(void) {
        static const struct {
                const char *path;
                int r;
                enum netconf_format fmt;
        } cases[] = {
                { "/etc/sysconfig/network-scripts/ifcfg-eth0", 0, NETCONF_IFCFG },
                { "/etc/sysconfig/network-scripts/ifcfg-lo", -EINVAL, 0 },
                { "/etc/sysconfig/network-scripts/route-eth0", -EINVAL, 0 },
                { "/etc/NetworkManager/system-connections/Wired connection 1.nmconnection", 0,
                  NETCONF_KEYFILE },
                { "/etc/NetworkManager/system-connections/Wired connection 1", 0, NETCONF_KEYFILE },
                { "/etc/systemd/network/10-eth0.network", 0, NETCONF_NETWORKD },
                { "/run/systemd/network/10-netplan-eth0.network", 0, NETCONF_NETWORKD },
                { "/etc/systemd/network/10-eth0.netdev", -EINVAL, 0 },
                { "/etc/netplan/50-cloud-init.yaml", 0, NETCONF_NETPLAN },
                { "/etc/kubernetes/manifests/etcd.yaml", -EINVAL, 0 },
                { "/etc/network/interfaces", 0, NETCONF_INTERFACES },
                { "/etc/network/interfaces.d/eth0", 0, NETCONF_INTERFACES },
                { "/etc/hosts", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                enum netconf_format fmt = 99;
                int r = netconf_format_from_path(cases[i].path, &fmt);
                _cleanup_free_ char *msg = xasprintf("format of %s", cases[i].path);
                tap_ok(r == cases[i].r && (r < 0 ? fmt == (enum netconf_format) 99 : fmt == cases[i].fmt),
                       msg);
        }
}

/* Which files of /etc/NetworkManager/system-connections NetworkManager loads (its keyfile plugin's
 * name rules for /etc, and its owner and mode check). */
static void test_keyfile_loaded(void) {
        static const struct {
                const char *name;
                bool loaded;
        } names[] = {
                { "Wired connection 1", true },
                { "eth0", true },
                { "eth0.nmconnection", true },
                { "eth0.bak", true },      /* three letters: not a temp file */
                { "eth0.rpmsave", true },  /* seven */
                { "eth0.dpkg-old", true }, /* a dash */
                { "eth0.pemx", true },
                { "x.pem~1", true },
                { ".pem", false }, /* hidden; also nothing before the suffix */
                { "pem", true },
                { ".eth0.swp", false }, /* vim's swap file: hidden */
                { ".nmconnection", false },
                { "eth0~", false },
                { "eth0.rpmnew", false }, /* a dot and six letters */
                { "eth0.Ab3dE9", false }, /* g_file_set_contents()'s temp file */
                { "eth0.ab3-e9", true },
                { "eth0.ab3de9x", true },
                { "5c8b7a3e-1f0d-4b5e-9a6c-2d3e4f5a6b7c.nmmeta", false },
                { "ca.pem", false },
                { "client.DER", false },
                { "client.Pem", false },
                { "", false },
        };
        struct stat st = { .st_mode = S_IFREG | 0600, .st_uid = 0 };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *msg =
                        xasprintf("'%s' %s", names[i].name, names[i].loaded ? "loaded" : "skipped");
                tap_ok(netconf_keyfile_loaded(names[i].name, &st) == names[i].loaded, msg);
        }
        static const struct {
                mode_t mode;
                uid_t uid;
                bool loaded;
        } stats[] = {
                { S_IFREG | 0600, 0, true },     { S_IFREG | 0400, 0, true },  { S_IFREG | 0700, 0, true },
                { S_IFREG | 0644, 0, false },    { S_IFREG | 0640, 0, false }, { S_IFREG | 0601, 0, false },
                { S_IFREG | 0600, 1000, false }, { S_IFDIR | 0700, 0, false }, { S_IFIFO | 0600, 0, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(stats); i++) {
                st = (struct stat){ .st_mode = stats[i].mode, .st_uid = stats[i].uid };
                _cleanup_free_ char *msg =
                        xasprintf("eth0 mode %o uid %u %s", (unsigned) stats[i].mode,
                                  (unsigned) stats[i].uid, stats[i].loaded ? "loaded" : "skipped");
                tap_ok(netconf_keyfile_loaded("eth0", &st) == stats[i].loaded, msg);
        }
}

int main(void) {
        const char *corpus = getenv("CORPUS_DIR");
        const char *root = getenv("SOURCE_ROOT");
        _cleanup_free_ char *inputs = xasprintf("%s/tests/fixtures/netconf/inputs", root ? root : ".");
        _cleanup_free_ char *expected = xasprintf("%s/tests/fixtures/netconf/expected", root ? root : ".");

        test_edge_cases();
        test_parsed_many();
        test_format_from_path();
        test_keyfile_loaded();
        test_every_file_covered(inputs, fixture_cases, ELEMENTSOF(fixture_cases));
        test_file_cases(inputs, expected, fixture_cases, ELEMENTSOF(fixture_cases));
        if (corpus) {
                _cleanup_free_ char *network = xasprintf("%s/network", corpus);
                test_every_file_covered(network, corpus_cases, ELEMENTSOF(corpus_cases));
                test_file_cases(network, expected, corpus_cases, ELEMENTSOF(corpus_cases));
        } else
                tap_skip("network corpus", "CORPUS_DIR not set");
        return tap_done();
}
