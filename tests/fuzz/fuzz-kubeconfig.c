/* SPDX-License-Identifier: MIT */
/* Fuzz target for the kubeconfig reader the control plane's version comes from (a node's
 * /etc/kubernetes/kubelet.conf and its base64 credentials). The first byte chooses:
 *  even: the input is a kubeconfig for kubeconfig_target_parse;
 *  odd:  the input is base64 for base64_decode.
 * Properties, each true for a correct reader:
 *  - a refused kubeconfig is -EBADMSG with a message, and leaves the output zeroed;
 *  - a read one has a non-empty server, and each inline credential is NUL-terminated at its length;
 *  - decoded base64 is at most 3/4 of the input, NUL-terminated, and encoding it again and decoding
 *    that gives the same bytes;
 *  - no leak (ASan/LeakSanitizer), also for a kubeconfig refused halfway. */
#include <errno.h>

#include "fuzz-common.h"

#include "basic/util.h"
#include "formats/kubeconfig.h"

static void fuzz_kubeconfig(const char *text, size_t len) {
        struct kubeconfig_target t = {};
        char *err = NULL;
        int r = kubeconfig_target_parse(text, len, &t, &err);
        if (r < 0) {
                CHECK(r == -EBADMSG && err, "refused (%d) without a message", r);
                CHECK(!t.server && !t.ca_data && !t.ca_file && !t.cert_data && !t.cert_file && !t.key_data &&
                              !t.key_file,
                      "a refused kubeconfig filled the output");
                free(err);
                return;
        }
        CHECK(!err, "success with a message: %s", err);
        CHECK(t.server && *t.server, "no server");
        CHECK(!t.ca_data || t.ca_data[t.ca_len] == 0, "CA not terminated at its length");
        CHECK(!t.cert_data || t.cert_data[t.cert_len] == 0, "certificate not terminated at its length");
        CHECK(!t.key_data || t.key_data[t.key_len] == 0, "key not terminated at its length");
        kubeconfig_target_free(&t);
}

static char *base64_encode(const char *data, size_t len) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        struct buf b = {};
        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned char) data[i] << 16;
                if (i + 1 < len)
                        v |= (unsigned char) data[i + 1] << 8;
                if (i + 2 < len)
                        v |= (unsigned char) data[i + 2];
                buf_putc(&b, alphabet[v >> 18 & 63]);
                buf_putc(&b, alphabet[v >> 12 & 63]);
                buf_putc(&b, i + 1 < len ? alphabet[v >> 6 & 63] : '=');
                buf_putc(&b, i + 2 < len ? alphabet[v & 63] : '=');
        }
        return buf_steal(&b);
}

static void fuzz_base64(const char *text, size_t len) {
        char *out = NULL, *again = NULL;
        size_t n = 0, m = 0;
        if (base64_decode(text, len, &out, &n) < 0) {
                CHECK(!out, "a refused input gave output");
                return;
        }
        CHECK(n <= len / 4 * 3 + 2 && out[n] == 0, "decoded %zu bytes from %zu", n, len);
        char *enc = base64_encode(out, n);
        CHECK(base64_decode(enc, strlen(enc), &again, &m) == 0 && m == n && memcmp(again, out, n) == 0,
              "encoding and decoding again differs");
        free(enc);
        free(again);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[1];
        struct fuzz_input in = fuzz_split(data, size, 1, sel);
        if (sel[0] % 2 == 0)
                fuzz_kubeconfig(in.text, in.len);
        else
                fuzz_base64(in.text, in.len);
        free(in.text);
        return 0;
}
