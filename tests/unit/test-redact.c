/* SPDX-License-Identifier: MIT */
/* Tests for redact.c: which keys name a credential, the value masked in each
 * syntax kubeprep edits (key and separator kept), values continued on later
 * lines, diffs (headers kept), and the escaping of control characters. */
#include "basic/util.h"
#include "formats/redact.h"
#include "tap.h"

static const char *const secret_keys[] = {
        "password",
        "PASSWORD",
        "passwd",
        "passphrase",
        "psk",
        "WPA_PSK",
        "IKE_PSK",
        "wpapsk",
        "password-raw",
        "private-key-password",
        "IEEE_8021X_PASSWORD",
        "leap-password",
        "secret",
        "client_secret",
        "token",
        "--token",
        "--bootstrap-token",
        "--discovery-token",
        "identitytoken",
        "identity_token",
        "IdentityToken",
        "registrytoken",
        "tlsBootstrapToken",
        "auth",
        "phase2-auth",
        "client-key-data",
        "clientKeyData",
        "private-key",
        "PrivateKey",
        "PresharedKey",
        "wep-key0",
        "certificate-key",
        "--certificate-key",
        "KEY_AH_IN",
        "pin",
        "auth.password",
};

static const char *const plain_keys[] = {
        "key",
        "key-mgmt",
        "key-management",
        "sort-key-order",
        "keyUsage",
        "psk-flags",
        "password-flags",
        "token-file",
        "tokenFile",
        "--token-auth-file",
        "secretName",
        "auth-alg",
        "authentication",
        "authorization",
        "--authorization-mode",
        "auths",
        "PublicKey",
        "public-key",
        "tls-private-key-file",
        "PrivateKeyFile",
        "username",
        "identity",
        "SystemdCgroup",
        "cgroupDriver",
        "spinner",
        "key_id",
        "",
        "--",
};

static void test_keys(void) {
        for (size_t i = 0; i < ELEMENTSOF(secret_keys); i++) {
                _cleanup_free_ char *name = xasprintf("%s names a credential", secret_keys[i]);
                tap_ok(redact_secret_key(secret_keys[i], strlen(secret_keys[i])), name);
        }
        for (size_t i = 0; i < ELEMENTSOF(plain_keys); i++) {
                _cleanup_free_ char *name = xasprintf("'%s' does not", plain_keys[i]);
                tap_ok(!redact_secret_key(plain_keys[i], strlen(plain_keys[i])), name);
        }
}

struct text_case {
        const char *name, *in, *want;
};

static const struct text_case text_cases[] = {
        { "netplan 802.1X password", "        password: \"s3cr3t\"\n",
          "        password: \"<redacted>\"\n" },
        { "YAML plain value", "password: s3cr3t phrase\n", "password: <redacted>\n" },
        { "YAML single quotes with a doubled quote", "password: 'it''s'\n", "password: '<redacted>'\n" },
        { "kubeconfig client-key-data and token",
          "    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZ\n    token: abc.def\n",
          "    client-certificate-data: Q0VSVA==\n    client-key-data: <redacted>\n    token: "
          "<redacted>\n" },
        { "NetworkManager keyfile", "psk=my pass phrase\npsk-flags=0\nkey-mgmt=wpa-psk\n",
          "psk=<redacted>\npsk-flags=0\nkey-mgmt=wpa-psk\n" },
        { "NetworkManager 802-1x", "[802-1x]\neap=peap;\nidentity=alice\npassword=s3cr3t\n",
          "[802-1x]\neap=peap;\nidentity=alice\npassword=<redacted>\n" },
        { "ifcfg", "WPA_PSK='s3cr3t'\nIEEE_8021X_PASSWORD=\"s3cr3t\"\nDEVICE=eth0\n",
          "WPA_PSK='<redacted>'\nIEEE_8021X_PASSWORD=\"<redacted>\"\nDEVICE=eth0\n" },
        { "containerd registry auth",
          "  username = \"bob\"\n  password = \"s3cr3t\"\n"
          "  auth = \"Ym9iOnMzY3IzdA==\"\n  identitytoken = \"x\"\n",
          "  username = \"bob\"\n  password = \"<redacted>\"\n"
          "  auth = \"<redacted>\"\n  identitytoken = \"<redacted>\"\n" },
        { "TOML escaped quote", "password = \"a\\\"b\" # note\n", "password = \"<redacted>\" # note\n" },
        { "TOML multi-line string", "password = \"\"\"\nline one\nline two\"\"\"\nusername = \"bob\"\n",
          "password = \"\"\"<redacted>\n<redacted>\n<redacted>\"\"\"\nusername = \"bob\"\n" },
        { "docker config.json",
          "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"Ym9i\", \"email\": \"b@x\"}}}\n",
          "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"<redacted>\", \"email\": "
          "\"b@x\"}}}\n" },
        { "compact JSON", "{\"identitytoken\":\"x\"}\n", "{\"identitytoken\":\"<redacted>\"}\n" },
        { "flags with =", "KUBELET_EXTRA_ARGS=\"--token=abc --node-ip=192.0.2.1\"\n",
          "KUBELET_EXTRA_ARGS=\"--token=<redacted> --node-ip=192.0.2.1\"\n" },
        { "a flag and its value as two words",
          "kubeadm join 192.0.2.1:6443 --token abc.def --discovery-token-unsafe-skip-ca-verification --x\n",
          "kubeadm join 192.0.2.1:6443 --token <redacted> --discovery-token-unsafe-skip-ca-verification "
          "--x\n" },
        { "true and false stay", "--anonymous-auth=false --authentication-token-webhook=true\n",
          "--anonymous-auth=false --authentication-token-webhook=true\n" },
        { "a systemd Environment= line", "Environment=\"KUBEADM_TOKEN=abc\"\n",
          "Environment=\"KUBEADM_TOKEN=<redacted>\n" },
        { "a commented-out secret", "#password = \"old\"\n", "#password = \"<redacted>\"\n" },
        { "CRLF line keeps its CR", "psk=abc\r\nid=x\r\n", "psk=<redacted>\r\nid=x\r\n" },
        { "YAML block scalar", "token: |\n  abc\n\n  def\nother: 1\n",
          "token: |\n  <redacted>\n\n  <redacted>\nother: 1\n" },
        { "YAML value on the next line", "password:\n  s3cr3t\nother: 1\n",
          "password:\n  <redacted>\nother: 1\n" },
        { "netplan auth mapping: its keys are looked at one by one",
          "      auth:\n        key-management: 802.1x\n        password: \"x\"\n      routes:\n",
          "      auth:\n        key-management: 802.1x\n        password: \"<redacted>\"\n      routes:\n" },
        { "a list below a credential key", "tokens:\n  - abc\n  - def\nx: 1\n",
          "tokens:\n  - <redacted>\n  - <redacted>\nx: 1\n" },
        { "a TOML table header is not a key",
          "[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"r\".auth]\n",
          "[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"r\".auth]\n" },
        { "a path is not a key", "/etc/kubernetes/bootstrap-token: cannot read\n",
          "/etc/kubernetes/bootstrap-token: cannot read\n" },
        { "a passwd entry is not YAML", "not a passwd entry (name:password:uid:gid:gecos:home:shell)\n",
          "not a passwd entry (name:password:uid:gid:gecos:home:shell)\n" },
        { "a message quoting a line", "/etc/x.conf: line 3: 'password: abc' is not valid\n",
          "/etc/x.conf: line 3: 'password: <redacted>\n" },
        { "no final newline", "psk=abc", "psk=<redacted>" },
        { "empty", "", "" },
};

static void test_text(void) {
        for (size_t i = 0; i < ELEMENTSOF(text_cases); i++) {
                _cleanup_free_ char *got = redact_text(text_cases[i].in);
                tap_streq(got, text_cases[i].want, text_cases[i].name);
        }
}

static void test_diff(void) {
        /* The header names a file with "token" in it; a removed line "-- x" starts with "---". */
        const char *in = "--- a/etc/token=x\t\n"
                         "+++ b/etc/token=x\t\n"
                         "@@ -1,4 +1,4 @@\n"
                         " password: |\n"
                         "   abc\n"
                         "--- password: x\n"
                         "+-- password: y\n"
                         " psk=z\n"
                         "\\ No newline at end of file\n"
                         "@@ -10,2 +10,2 @@\n"
                         "   def\n"
                         "-a\n";
        const char *want = "--- a/etc/token=x\t\n"
                           "+++ b/etc/token=x\t\n"
                           "@@ -1,4 +1,4 @@\n"
                           " password: |\n"
                           "   <redacted>\n"
                           "--- password: <redacted>\n"
                           "+-- password: <redacted>\n"
                           " psk=<redacted>\n"
                           "\\ No newline at end of file\n"
                           "@@ -10,2 +10,2 @@\n"
                           "   def\n"
                           "-a\n";
        _cleanup_free_ char *got = redact_diff(in);
        tap_streq(got, want, "diff: hunk lines masked, headers kept, a new hunk ends a block");
}

static void test_escape(void) {
        struct buf b = {};
        const char s[] = "a\tb\nc\rd\033[2Je\x7f\\f";
        buf_put_escaped(&b, s, sizeof(s) - 1, false);
        tap_streq(b.data, "a\\tb\\nc\\rd\\x1b[2Je\\x7f\\f", "escape: \\n \\r \\t \\xHH, a backslash stays");
        buf_free(&b);
        buf_put_escaped(&b, "a\tb", 3, true);
        tap_streq(b.data, "a\tb", "escape: keep_tab keeps a tab");
        buf_free(&b);
        _cleanup_free_ char *t = redact_for_terminal("/etc/netplan/x\n[swap] ok psk=abc\033");
        tap_streq(t, "/etc/netplan/x\\n[swap] ok psk=<redacted>", "for the terminal: masked, then escaped");
        _cleanup_free_ char *e = redact_for_terminal("");
        tap_streq(e, "", "for the terminal: an empty string");
}

int main(void) {
        test_keys();
        test_text();
        test_diff();
        test_escape();
        return tap_done();
}
