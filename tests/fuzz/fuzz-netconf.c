/* SPDX-License-Identifier: MIT */
/* Fuzz target for the network configuration editors (netconf_get_gateway, netconf_set_gateway) in
 * all five formats. Input: byte 0 picks the format, byte 1 the interface and on-link, byte 2 the
 * gateway; the rest is the file text. Properties, each true for a correct editor:
 *  - refusal (<0): a message, out-parameters untouched; -EEXIST only when get reads a different
 *    gateway;
 *  - set 0 ("already configured"): get reads an equal gateway;
 *  - set 1: get read none before; get reads an equal gateway after; setting again returns 0; and
 *    the output is the input with one range of bytes inserted (every existing byte kept) that
 *    holds the gateway as given;
 *  - no leak (ASan/LeakSanitizer). */
#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/netconf/netconf.h"

static const char *const ifaces[] = { NULL, "eth0", "eth1", "ens3", "ens9", "enp0s3", "br0", "br-mgmt" };
static const char *const gateways[] = { "192.0.2.1", "10.0.0.254", "172.16.0.1" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[3];
        struct fuzz_input in = fuzz_split(data, size, sizeof(sel), sel);
        enum netconf_format fmt = (enum netconf_format)(sel[0] % 5);
        const char *iface = ifaces[(sel[1] >> 1) % ELEMENTSOF(ifaces)];
        bool onlink = sel[1] & 1;
        const char *gw = gateways[sel[2] % ELEMENTSOF(gateways)];
        char *out = SENTINEL, *err = NULL, *got = NULL;
        size_t out_len = SENTINEL_LEN;

        int g = netconf_get_gateway(fmt, in.text, in.len, iface, &got, NULL);
        int r = netconf_set_gateway(fmt, in.text, in.len, iface, gw, onlink, &out, &out_len, &err);
        if (r < 0) {
                CHECK(err, "refused (%d) without a message", r);
                CHECK(out == SENTINEL && out_len == SENTINEL_LEN, "refused but returned output");
                if (r == -EEXIST)
                        CHECK(g == 1 && !netconf_ipv4_equal(got, gw), "-EEXIST (%s), but get reads %d %s",
                              err, g, got ? got : "");
        } else if (r == 0) {
                CHECK(!err && out == SENTINEL && out_len == SENTINEL_LEN, "unchanged but output or message");
                CHECK(g == 1 && netconf_ipv4_equal(got, gw), "already configured, but get reads %d %s", g,
                      got ? got : "");
        } else {
                CHECK(!err && out != SENTINEL && out[out_len] == 0 && out_len == strlen(out), "bad output");
                CHECK(g == 0, "set added a gateway where get reads %d %s", g, got ? got : "");
                char *got2 = NULL, *out2 = SENTINEL;
                size_t out2_len = SENTINEL_LEN;
                int g2 = netconf_get_gateway(fmt, out, out_len, iface, &got2, &err);
                CHECK(g2 == 1 && netconf_ipv4_equal(got2, gw), "after set get reads %d %s (%s)", g2,
                      got2 ? got2 : "", err ? err : "");
                int r2 = netconf_set_gateway(fmt, out, out_len, iface, gw, onlink, &out2, &out2_len, &err);
                CHECK(r2 == 0 && out2 == SENTINEL, "second set returned %d (%s)", r2, err ? err : "");
                size_t p, s;
                common_affixes(in.text, in.len, out, out_len, &p, &s);
                CHECK(p + s == in.len, "existing bytes changed");
                size_t gl = strlen(gw), from = p > gl ? p - gl : 0,
                       to = out_len - s + gl < out_len ? out_len - s + gl : out_len;
                CHECK(mem_contains(out + from, to - from, gw), "the inserted bytes lack the gateway");
                free(got2);
                free(out);
        }
        free(err);
        free(got);
        free(in.text);
        return 0;
}
