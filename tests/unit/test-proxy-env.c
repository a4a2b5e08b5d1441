/* SPDX-License-Identifier: MIT */
/* Proxy environments (formats/proxy-env.c): environment files as pam_env and systemd read them, the
 * Environment= and EnvironmentFile= lines of units, which proxy variable Go takes, and NO_PROXY
 * covering an address or a whole range as Go's httpproxy matches it. */
#include "formats/proxy-env.h"
#include "tap.h"

static char *env_text(const struct strv *env) {
        return strv_join(env, "|");
}

static void file(const char *text, const char *want, const char *name) {
        struct strv env = {};
        env_file_parse(text, strlen(text), &env);
        _cleanup_free_ char *got = env_text(&env);
        tap_streq(got, want, name);
        strv_free(&env);
}

static void unit(const char *text, const char *want, const char *want_files, const char *name) {
        struct strv env = {}, files = {};
        strv_push(&env, xstrdup("BEFORE=1"));
        unit_environment_parse(text, strlen(text), &env, &files);
        _cleanup_free_ char *got = env_text(&env), *f = strv_join(&files, "|");
        _cleanup_free_ char *all = xasprintf("%s / %s", got, f), *w = xasprintf("%s / %s", want, want_files);
        tap_streq(all, w, name);
        strv_free(&env);
        strv_free(&files);
}

static bool covers(const char *no_proxy, const char *range) {
        struct cidr c;
        return cidr_parse(range, &c) >= 0 && no_proxy_covers(no_proxy, &c);
}

int main(void) {
        file("PATH=\"/usr/bin:/bin\"\nhttps_proxy=http://proxy:3128\n",
             "PATH=/usr/bin:/bin|https_proxy=http://proxy:3128", "/etc/environment: quoted and bare values");
        file("# proxy\n; old\nexport NO_PROXY='10.0.0.0/8, .example'\n\n  HTTP_PROXY = http://p:8080  \n",
             "NO_PROXY=10.0.0.0/8, .example|HTTP_PROXY=http://p:8080",
             "comments, export, single quotes, blanks");
        file("A=1\nA=2\nnot an assignment\n1X=3\n", "A=2", "a later assignment wins; junk skipped");
        file("Q=\"a \\\"b\\\"\"\n", "Q=a \"b\"", "escaped quotes in double quotes");

        unit("[Unit]\nEnvironment=NOT=service\n[Service]\nEnvironment=\"HTTPS_PROXY=http://p:3128\" "
             "\"NO_PROXY=localhost,10.0.0.0/8\"\n",
             "BEFORE=1|HTTPS_PROXY=http://p:3128|NO_PROXY=localhost,10.0.0.0/8", "",
             "two quoted assignments on one line; only [Service] counts");
        unit("[Service]\nEnvironment=A=1 B=2\nEnvironment=A=3\n", "BEFORE=1|A=3|B=2", "",
             "bare words; a later line replaces a value");
        unit("[Service]\nEnvironment=\nEnvironment=C=1\n", "C=1", "",
             "an empty Environment= clears the list");
        unit("[Service]\nEnvironment='D=a b'\nEnvironmentFile=-/etc/default/proxy\nEnvironmentFile=/etc/x\n",
             "BEFORE=1|D=a b", "/etc/default/proxy|/etc/x",
             "single quotes; EnvironmentFile= paths, '-' dropped");
        unit("[Service]\nEnvironment=E=x\\ y\n", "BEFORE=1|E=x y", "", "a backslash escapes a blank");

        struct strv env = {};
        const char *var = NULL;
        tap_ok(!env_proxy(&env, &var), "no proxy in an empty environment");
        env_set(&env, "http_proxy", "http://low:1");
        env_set(&env, "HTTP_PROXY", "");
        tap_ok(streq_ptr(env_proxy(&env, &var), "http://low:1") && streq(var, "http_proxy"),
               "an empty HTTP_PROXY falls back to http_proxy, as Go does");
        env_set(&env, "HTTPS_PROXY", "http://high:2");
        tap_ok(streq_ptr(env_proxy(&env, &var), "http://high:2") && streq(var, "HTTPS_PROXY"),
               "HTTPS_PROXY first: kubeadm checks https URLs");
        env_set(&env, "no_proxy", "a");
        env_set(&env, "NO_PROXY", "b");
        tap_ok(streq_ptr(env_no_proxy(&env), "b"), "NO_PROXY before no_proxy");
        env_set(&env, "NO_PROXY", NULL);
        tap_ok(streq_ptr(env_no_proxy(&env), "a") && !env_get(&env, "NO_PROXY"), "unset, then no_proxy");
        strv_free(&env);

        tap_ok(covers("localhost,10.0.0.0/8", "10.96.0.0/12"), "a CIDR holding the whole range");
        tap_ok(!covers("10.96.0.1", "10.96.0.0/12"), "one address of a range is not the range");
        tap_ok(covers("10.96.0.1", "10.96.0.1"), "an address covers itself");
        tap_ok(covers(" 192.0.2.0/24 , x", "192.0.2.20"), "blanks around entries");
        tap_ok(covers("*", "fd00::/64"), "\"*\" covers everything");
        tap_ok(!covers(".example,localhost", "192.0.2.20"), "host names never cover an address");
        tap_ok(!covers("10.96.0.0/16", "10.96.0.0/12"), "a part of the range is not enough");
        tap_ok(covers("fd00:10::/32", "fd00:10:96::/112"), "IPv6 ranges");
        tap_ok(!covers(NULL, "10.96.0.0/12"), "no NO_PROXY covers nothing");
        return tap_done();
}
