/* SPDX-License-Identifier: MIT */
/* diagnose's pieces: the signature database (loading, its file:line errors,
 * the shipped file), the matcher on the messages users really see, --since
 * times and the timestamps of text log lines. */
#include <stdint.h>
#include <time.h>

#include "diagnose/kubelet-log.h"
#include "diagnose/log-time.h"
#include "diagnose/signatures.h"
#include "engine/datadir.h"
#include "tap.h"

#define OK_ENTRY "    pattern: x\n    fixer: swap\n    explanation: e\n"

struct error_case {
        const char *name;
        const char *text;
        const char *error;
};

static const struct error_case error_cases[] = {
        { "yaml syntax", "signatures:\n  - id: a\n    pattern: [x\n",
          "s.yaml:4: while parsing a flow sequence did not find expected ',' or ']'" },
        { "empty file", "", "s.yaml:1: expected a mapping with a 'signatures' list" },
        { "unknown top-level key", "sigs: []\n", "s.yaml:1: unknown key 'sigs'" },
        { "signatures not a list", "signatures: {}\n", "s.yaml:1: 'signatures' must be a list" },
        { "entry not a mapping", "signatures:\n  - swap\n",
          "s.yaml:2: a signature must be a mapping (id, pattern, fixer, explanation)" },
        { "unknown key", "signatures:\n  - id: a\n" OK_ENTRY "    colour: red\n",
          "s.yaml:6: unknown key 'colour'" },
        { "duplicate key", "signatures:\n  - id: a\n" OK_ENTRY "    fixer: gateway\n",
          "s.yaml:6: duplicate key 'fixer'" },
        { "missing fixer", "signatures:\n  - id: a\n    pattern: x\n    explanation: e\n",
          "s.yaml:2: signature 'a': missing 'fixer'" },
        { "missing id", "signatures:\n  - pattern: x\n    fixer: swap\n    explanation: e\n",
          "s.yaml:2: signature: missing 'id'" },
        { "bad regex", "signatures:\n  - id: a\n    pattern: 'a(('\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern 'a((': Unmatched ( or \\(" },
        { "bad regex in a list",
          "signatures:\n  - id: a\n    pattern:\n      - ok\n      - '[z-a]'\n    fixer: swap\n    "
          "explanation: e\n",
          "s.yaml:5: bad pattern '[z-a]': Invalid range end" },
        /* glibc's regcomp grows exponentially with stacked repetitions: found by fuzzing (an OOM). */
        { "a repetition of a repetition",
          "signatures:\n  - id: a\n    pattern: 'lock t++o'\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern 'lock t++o': a repetition of a repetition" },
        { "a repeated group holding a repetition",
          "signatures:\n  - id: a\n    pattern: '((a+)x)*'\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern '((a+)x)*': a repetition of a repetition" },
        { "a repeated unmatched ')'",
          "signatures:\n  - id: a\n    pattern: 'locked t)++o'\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern 'locked t)++o': an unmatched ')': write \\) for the character" },
        /* Matched inside "^.*(...)", where a ')' of its own would end the group early. */
        { "an unmatched ')'",
          "signatures:\n  - id: a\n    pattern: 'x)|y'\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern 'x)|y': an unmatched ')': write \\) for the character" },
        { "a bound", "signatures:\n  - id: a\n    pattern: 'a{9}'\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: bad pattern 'a{9}': a {bound}: use * or +" },
        { "groups nested too deep",
          "signatures:\n  - id: a\n    pattern: '((((((((((((((((((a))))))))))))))))))'\n    fixer: swap\n  "
          "  explanation: e\n",
          "s.yaml:3: bad pattern '((((((((((((((((((a))))))))))))))))))': groups nested too deep" },
        { "empty pattern list",
          "signatures:\n  - id: a\n    pattern: []\n    fixer: swap\n    explanation: e\n",
          "s.yaml:3: 'pattern' must be a regex or a list of them" },
        { "duplicate id", "signatures:\n  - id: a\n" OK_ENTRY "  - id: a\n" OK_ENTRY,
          "s.yaml:6: duplicate id 'a' (first on line 2)" },
        { "bad id", "signatures:\n  - id: Swap_On\n" OK_ENTRY,
          "s.yaml:2: id 'Swap_On': use lower case letters, digits and '-'" },
        { "bad fixer name",
          "signatures:\n  - id: a\n    pattern: x\n    fixer: 'swap now'\n    explanation: e\n",
          "s.yaml:2: signature 'a': 'swap now' is not a fixer name" },
        { "crossCheck not a bool", "signatures:\n  - id: a\n" OK_ENTRY "    crossCheck: maybe\n",
          "s.yaml:6: 'crossCheck' must be true or false" },
        { "crossCheck quoted", "signatures:\n  - id: a\n" OK_ENTRY "    crossCheck: 'true'\n",
          "s.yaml:6: 'crossCheck' must be true or false" },
        { "explanation on two lines",
          "signatures:\n  - id: a\n    pattern: x\n    fixer: swap\n    explanation: |\n      one\n      "
          "two\n",
          "s.yaml:5: 'explanation' must be one line" },
        { "empty fixer", "signatures:\n  - id: a\n    pattern: x\n    fixer: ''\n    explanation: e\n",
          "s.yaml:4: 'fixer' must not be empty" },
        { "id not a string",
          "signatures:\n  - id: [a]\n    pattern: x\n    fixer: swap\n    explanation: e\n",
          "s.yaml:2: 'id' must be a string" },
};

static void test_errors(void) {
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                const struct error_case *c = &error_cases[i];
                struct signature_db db = {};
                char *err = NULL;
                int k = signature_db_parse("s.yaml", c->text, strlen(c->text), &db, &err);
                tap_ok(k == -EBADMSG, c->name);
                tap_streq(err, c->error, c->name);
                tap_ok(db.n == 0 && !db.items && !db.path, "a refused database leaves the output untouched");
                free(err);
        }
}

static void test_parse_fields(void) {
        const char *text =
                "# comment\nsignatures:\n"
                "  - id: first\n    pattern:\n      - 'alpha [0-9]+'\n      - beta\n    fixer: swap\n"
                "    profile: aarch64\n    args: --user NAME\n    crossCheck: true\n    explanation: why\n"
                "  - id: second\n    pattern: alpha\n    fixer: gateway\n    explanation: because\n";
        struct signature_db db = {};
        char *err = NULL;
        int k = signature_db_parse("s.yaml", text, strlen(text), &db, &err);
        tap_ok(k == 0 && !err, "a database with every field parses");
        if (k < 0) {
                free(err);
                return;
        }
        tap_ok(db.n == 2, "two signatures");
        tap_streq(db.path, "s.yaml", "the path is kept");
        const struct signature *s = &db.items[0];
        tap_streq(s->id, "first", "id");
        tap_ok(s->patterns.n == 2, "a list of patterns");
        tap_streq(s->patterns.items[0], "alpha [0-9]+", "patterns as written");
        tap_streq(s->fixer, "swap", "fixer");
        tap_streq(s->profile, "aarch64", "profile");
        tap_streq(s->args, "--user NAME", "args");
        tap_ok(s->cross_check, "crossCheck: true");
        tap_streq(s->explanation, "why", "explanation");
        tap_ok(s->line == 3, "the entry's line");
        tap_ok(!db.items[1].cross_check && !db.items[1].profile && !db.items[1].args,
               "optional fields default off");

        /* The first matching signature wins; patterns are case-insensitive EREs. */
        tap_ok(signature_db_match(&db, "ALPHA 42 here") == 0, "first signature's regex matches, any case");
        tap_ok(signature_db_match(&db, "xx beta yy") == 0, "its second pattern matches");
        tap_ok(signature_db_match(&db, "alpha only") == 1,
               "the second signature takes what the first does not");
        tap_ok(signature_db_match(&db, "gamma") == -ENOENT, "no match is -ENOENT");
        signature_db_free(&db);
}

struct match_case {
        const char *message;
        const char *id; /* NULL: must match nothing */
};

/* Messages as the kubelet, containerd, docker and kubectl print them, and
 * ordinary ones that look close. */
static const struct match_case match_cases[] = {
        { "F0611 14:01:52.353546   21142 server.go:266] failed to run Kubelet: failed to create kubelet: "
          "misconfiguration: "
          "kubelet cgroup driver: \"cgroupfs\" is different from docker cgroup driver: \"systemd\"",
          "cgroup-driver-mismatch" },
        { "E0603 run.go:74] \"command failed\" err=\"failed to run Kubelet: misconfiguration: kubelet "
          "cgroup driver: "
          "\\\"systemd\\\" is different from docker cgroup driver: \\\"cgroupfs\\\"\"",
          "cgroup-driver-mismatch" },
        { "failed to run Kubelet: Running with swap on is not supported, please disable swap! or set "
          "--fail-swap-on flag "
          "to false. /proc/swaps contained: [Filename Type Size Used Priority /swapfile file 2097148 0 -2]",
          "swap-on" },
        { "E1222 17:53:24.370155  290264 kuberuntime_manager.go:818] container start failed: "
          "RunContainerError: failed to "
          "start container \"359d\": Error response from daemon: OCI runtime create failed: "
          "container_linux.go:318: "
          "starting container process caused \"process_linux.go:281: applying cgroup configuration for "
          "process caused "
          "\\\"No such device or address\\\"\": unknown",
          "aarch64-systemd-cgroup" },
        { "Error response from daemon: cgroup-parent for systemd cgroup should be a valid slice named as "
          "\"xxx.slice\"",
          "cgroup-parent-not-slice" },
        { "Failed to initialize CSINode: error updating CSINode annotation: timed out waiting for the "
          "condition; caused "
          "by: the server could not find the requested resource",
          "csinode-skew" },
        { "KubeletNotReady Failed to initialize CSINodeInfo: error updating CSINode annotation: timed out "
          "waiting for the "
          "condition; caused by: the server could not find the requested resource",
          "csinode-skew" },
        { "\"command failed\" err=\"failed to set feature gates from initial flags-based config: cannot set "
          "feature gate "
          "CSIMigration to false, feature is locked to true\"",
          "feature-gate-stale" },
        { "failed to set feature gates from initial flags-based config: unrecognized feature gate: "
          "CSIMigration",
          "feature-gate-stale" },
        { "Error: failed to parse kubelet flag: unknown flag: --network-plugin", "removed-flag" },
        { "\"command failed\" err=\"failed to parse kubelet flag: unknown flag: --container-runtime\"",
          "removed-flag" },
        { "kube-apiserver: Error: Unable to find suitable network address.error='no default routes found in "
          "\"/proc/net/route\" or \"/proc/net/ipv6_route\"'",
          "no-default-route" },
        { "Failed to create pod sandbox: rpc error: code = Unknown desc = [failed to set up sandbox "
          "container \"ab88\" "
          "network for pod \"calico\": networkPlugin cni failed to set up pod network: error getting "
          "ClusterInformation: "
          "Get \"https://[10.96.0.1]:443/apis\": dial tcp 10.96.0.1:443: connect: network is unreachable]",
          "no-default-route" },
        /* The same calico failure as the kubelet's CNI code logs it (dockershim), without "sandbox";
         * Go before 1.14 printed the URL unquoted; an IPv6 service network. */
        { "E0603 cni.go:364] Error adding kube-system_calico-kube-controllers-858fbfbc9-4l6rn/ab88 to "
          "network "
          "calico/k8s-pod-network: error getting ClusterInformation: Get "
          "\"https://[10.96.0.1]:443/apis/crd.projectcalico"
          ".org/v1/clusterinformations/default\": dial tcp 10.96.0.1:443: connect: network is unreachable",
          "no-default-route" },
        { "Error deleting kube-system_coredns-546565776c-j6bw8/9f1e from network calico/k8s-pod-network: "
          "error getting "
          "ClusterInformation: Get "
          "https://[10.96.0.1]:443/apis/crd.projectcalico.org/v1/clusterinformations/default: "
          "dial tcp 10.96.0.1:443: connect: network is unreachable",
          "no-default-route" },
        { "E0603 cni.go:361] \"Error adding pod to network\" err=\"error getting ClusterInformation: Get "
          "\\\"https://[10.96.0.1]:443/apis/crd.projectcalico.org/v1/clusterinformations/default\\\": dial "
          "tcp "
          "10.96.0.1:443: connect: network is unreachable\" pod=\"kube-system/coredns-546565776c-j6bw8\" "
          "podSandboxID={Type:docker ID:9f1e}",
          "no-default-route" },
        { "error getting ClusterInformation: Get "
          "\"https://[fd00:10:96::1]:443/apis/crd.projectcalico.org/v1/"
          "clusterinformations/default\": dial tcp [fd00:10:96::1]:443: connect: network is unreachable",
          "no-default-route" },
        { "getting status of runtime failed: rpc error: code = Unimplemented desc = unknown service "
          "runtime.v1alpha2.RuntimeService",
          "cri-disabled" },
        { "\"Status from runtime service failed\" err=\"rpc error: code = Unimplemented desc = unknown "
          "service "
          "runtime.v1.RuntimeService\"",
          "cri-disabled" },
        /* containerd's CRI, through the kubelet (kubernetes/kubernetes#90326), and an air-gapped pull
         * that ends in "network is unreachable", which is still the sandbox image's. */
        { "E0428 06:10:56.970976    1334 remote_runtime.go:105] RunPodSandbox from runtime service failed: "
          "rpc error: code = Unknown desc = failed to get sandbox image \"k8s.gcr.io/pause:3.1\": failed to "
          "pull image \"k8s.gcr.io/pause:3.1\": failed to pull and unpack image \"k8s.gcr.io/pause:3.1\"",
          "sandbox-image-pull" },
        { "E0603 08:00:00.000000 1234 log.go:32] \"RunPodSandbox from runtime service failed\" err=\"rpc "
          "error: code = Unknown desc = failed to get sandbox image \\\"registry.k8s.io/pause:3.10\\\": "
          "failed to pull image \\\"registry.k8s.io/pause:3.10\\\": dial tcp 34.96.108.209:443: connect: "
          "network is unreachable\"",
          "sandbox-image-pull" },
        { "Warning  Failed  kubelet  Failed to pull image \"registry.k8s.io/pause:3.9\": rpc error: code = "
          "DeadlineExceeded",
          "sandbox-image-pull" },
        { "W1016 09:50:55.056703 17144 eviction_manager.go:331] eviction manager: attempting to reclaim "
          "nodefs",
          "disk-pressure" },
        { "I0308 eviction_manager.go:338] \"Eviction manager: attempting to reclaim\" "
          "resourceName=\"ephemeral-storage\"",
          "disk-pressure" },
        { "I1016 eviction_manager.go:345] eviction manager: must evict pod(s) to reclaim nodefs",
          "disk-pressure" },
        { "\"Recording event message for node\" node=\"node1\" event=\"NodeHasDiskPressure\"",
          "disk-pressure" },
        { "The connection to the server localhost:8080 was refused - did you specify the right host or "
          "port?",
          "no-kubeconfig" },
        /* Near misses. */
        { "\"Recording event message for node\" node=\"node1\" event=\"NodeHasNoDiskPressure\"", NULL },
        { "\"Eviction manager: attempting to reclaim\" resourceName=\"memory\"", NULL },
        { "Flag --network-plugin has been deprecated, will be removed along with dockershim.", NULL },
        { "\"Swap is on\" /proc/swaps contents=\"Filename\" failSwapOn=false", NULL },
        { "Failed to initialize CSINode: error updating CSINode annotation: dial tcp 10.0.0.1:6443: "
          "connect: connection refused",
          NULL },
        { "Setting GA feature gate CSIMigration=true. It will be removed in a future release.", NULL },
        /* calico's other ClusterInformation errors, and unreachable addresses that are not calico's. */
        { "Error adding kube-system_coredns/0c3d to network calico/k8s-pod-network: error getting "
          "ClusterInformation: "
          "connection is unauthorized: Unauthorized",
          NULL },
        { "error getting ClusterInformation: Get \"https://[10.96.0.1]:443/apis/crd.projectcalico.org/v1/"
          "clusterinformations/default\": dial tcp 10.96.0.1:443: i/o timeout",
          NULL },
        { "error getting ClusterInformation: Get \"https://[10.96.0.1]:443/apis\": dial tcp 10.96.0.1:443: "
          "connect: "
          "connection refused",
          NULL },
        { "error getting ClusterInformation: Get \"https://[10.96.0.1]:443/apis\": dial tcp 10.96.0.1:443: "
          "i/o timeout; "
          "Get \"https://registry-1.docker.io/v2/\": dial tcp 54.85.56.253:443: connect: network is "
          "unreachable",
          NULL },
        { "PullImage \"calico/cni:v3.14.2\" from image service failed: rpc error: code = Unknown desc = "
          "Error response "
          "from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp 54.85.56.253:443: connect: "
          "network is "
          "unreachable",
          NULL },
        { "Failed to initialize CSINodeInfo: error updating CSINode annotation: timed out waiting for the "
          "condition; caused "
          "by: Get https://10.217.95.95:6443/apis/storage.k8s.io/v1/csinodes/svr: dial tcp "
          "10.217.95.95:6443: connect: "
          "network is unreachable",
          NULL },
        { "\"Creating Container Manager object based on Node Config\" nodeConfig={CgroupDriver:systemd}",
          NULL },
        { "The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?",
          NULL },
        { "", NULL },
};

static void test_shipped(void) {
        const char *src = getenv("SOURCE_ROOT");
        _cleanup_free_ char *path = xasprintf("%s/profiles/signatures.yaml", src ? src : ".");
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len = 0;
        if (read_host_file(path, &text, &len) < 0) {
                tap_skip("the shipped database", "profiles/signatures.yaml not found (set SOURCE_ROOT)");
                return;
        }
        struct signature_db db = {};
        int k = signature_db_parse(path, text, len, &db, &err);
        tap_ok(k == 0, "the shipped database loads");
        if (k < 0) {
                tap_diag(err);
                return;
        }
        /* Fixer names are the design's stable ones (README: What it fixes). */
        static const char *const fixers[] = {
                "swap",          "cgroup-driver", "kubeconfig",    "eviction", "csi-migration", "gateway",
                "kubelet-flags", "sysctl",        "disk-pressure", "dns",      "sandbox-image",
        };
        for (size_t i = 0; i < db.n; i++) {
                bool known = false;
                for (size_t j = 0; j < ELEMENTSOF(fixers); j++)
                        known = known || streq(db.items[i].fixer, fixers[j]);
                _cleanup_free_ char *name =
                        xasprintf("%s names a known fixer (%s)", db.items[i].id, db.items[i].fixer);
                tap_ok(known, name);
        }
        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                const struct match_case *c = &match_cases[i];
                int m = signature_db_match(&db, c->message);
                const char *got = m >= 0 ? db.items[m].id : "(none)";
                _cleanup_free_ char *name = xasprintf("match %zu: %s", i, c->id ? c->id : "nothing");
                tap_streq(got, c->id ? c->id : "(none)", name);
        }
        signature_db_free(&db);
}

struct since_case {
        const char *text;
        int ret;
        uint64_t usec;
};

#define T0 1717401600ULL /* 2024-06-03 08:00:00 UTC, "now" below */
#define S 1000000ULL

static const struct since_case since_cases[] = {
        { "2024-06-03", 0, (T0 - 8 * 3600) * S },
        { "2024-06-03 08:00", 0, T0 *S },
        { "2024-06-03 08:00:30", 0, (T0 + 30) * S },
        { "2024-06-03T08:00:30", 0, (T0 + 30) * S },
        { "2024-06-03 08:00:30Z", 0, (T0 + 30) * S },
        { "2024-06-03 08:00:30 UTC", 0, (T0 + 30) * S },
        { "@1717401600", 0, T0 *S },
        { "-3h", 0, (T0 - 3 * 3600) * S },
        { "-90s", 0, (T0 - 90) * S },
        { "2 days ago", 0, (T0 - 2 * 86400) * S },
        { "30min ago", 0, (T0 - 1800) * S },
        { "1 week ago", 0, (T0 - 604800) * S },
        { "now", 0, T0 *S },
        { "today", 0, (T0 - 8 * 3600) * S },
        { "yesterday", 0, (T0 - 8 * 3600 - 86400) * S },
        { "garbage", -EINVAL, 0 },
        { "", -EINVAL, 0 },
        { "3h", -EINVAL, 0 },
        { "-3x", -EINVAL, 0 },
        { "- 3h", -EINVAL, 0 },
        { "2024-13-01", -EINVAL, 0 },
        { "2024-06-03 8:00", -EINVAL, 0 },
        { "2024-06-03 08:00 tomorrow", -EINVAL, 0 },
        { "@", -EINVAL, 0 },
        { "@12x", -EINVAL, 0 },
        { "ago", -EINVAL, 0 },
};

static void test_since(void) {
        /* Local times are the machine's: pin the zone. */
        setenv("TZ", "UTC", 1);
        tzset();
        for (size_t i = 0; i < ELEMENTSOF(since_cases); i++) {
                const struct since_case *c = &since_cases[i];
                uint64_t got = 12345;
                int k = parse_since(c->text, T0 * S, &got);
                _cleanup_free_ char *name = xasprintf("--since '%s'", c->text);
                if (c->ret < 0)
                        tap_ok(k == c->ret && got == 12345, name);
                else {
                        if (!tap_ok(k == 0 && got == c->usec, name))
                                printf("# got %d %llu, want %llu\n", k, (unsigned long long) got,
                                       (unsigned long long) c->usec);
                }
        }
}

struct stamp_case {
        const char *line;
        size_t len;
};

static const struct stamp_case stamp_cases[] = {
        { "Jun 28 11:20:54 fit06 kubelet[170771]: Error: failed to parse kubelet flag", 15 },
        { "Jun  8 01:02:03.123456 host kubelet[1]: x", 22 },
        { "2024-06-28T11:20:54+0000 host kubelet[1]: x", 24 },
        { "2024-06-28T11:20:54.123456+02:00 host kubelet[1]: x", 32 },
        { "2024-06-28T11:20:54.123Z x", 24 },
        { "2024-06-28 11:20:54 x", 19 },
        { "E0628 11:20:54.123456   1234 server.go:1] x", 21 },
        { "Error: failed to parse kubelet flag: unknown flag: --network-plugin", 0 },
        { "Junk 28 11:20:54", 0 },
        { "X0628 11:20:54.1 x", 0 },
        { "", 0 },
};

static void test_stamps(void) {
        for (size_t i = 0; i < ELEMENTSOF(stamp_cases); i++) {
                size_t got = log_line_stamp_len(stamp_cases[i].line);
                _cleanup_free_ char *name = xasprintf("stamp of '%.30s'", stamp_cases[i].line);
                if (!tap_ok(got == stamp_cases[i].len, name))
                        printf("# got %zu, want %zu\n", got, stamp_cases[i].len);
        }
}

struct collected {
        struct buf b;
};

static int collect(const struct log_entry *e, void *userdata) {
        struct collected *c = userdata;
        buf_printf(&c->b, "%u|%s|%s|%llu\n", e->line, e->stamp ? e->stamp : "-", e->message,
                   (unsigned long long) e->realtime_usec);
        return 0;
}

static int long_line(const struct log_entry *e, void *userdata) {
        struct buf *b = userdata;
        buf_printf(b, "%u:%zu:%.8s\n", e->line, strlen(e->message), e->message);
        return 0;
}

/* A line longer than LOG_LINE_MAX is kept up to it, the rest dropped, and the next line still
 * counts as the next one. */
static void test_text_log_long_line(void) {
        char path[] = "/tmp/test-signatures.XXXXXX";
        _cleanup_close_ int fd = mkstemp(path);
        _cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(TAKE_FD(fd), "w") : NULL;
        for (size_t i = 0; f && i < 3 * LOG_LINE_MAX; i++)
                putc("sandbox "[i % 8], f);
        if (f)
                fputs("\nafter\n", f);
        tap_ok(f && fflush(f) == 0, "write a log with a 3 MiB line");
        struct log_source src = { .kind = LOG_SOURCE_TEXT, .path = path };
        struct buf b = {};
        struct log_summary sum = {};
        _cleanup_free_ char *err = NULL, *want = xasprintf("1:%zu:sandbox \n2:5:after\n", LOG_LINE_MAX);
        tap_ok(kubelet_log_read(&src, long_line, &b, &sum, &err) == 0, "it reads");
        tap_streq(b.data, want, "the long line is kept up to LOG_LINE_MAX, the next line is line 2");
        log_summary_free(&sum);
        buf_free(&b);
        unlink(path);
}

static void test_text_log(void) {
        char path[] = "/tmp/test-signatures.XXXXXX";
        int fd = mkstemp(path);
        const char *text =
                "Jun 28 11:20:54 n1 kubelet[7]: one\r\n\nplain two\n-- Boot abc --\nlast without newline";
        tap_ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t) strlen(text), "write a text log");
        close(fd);
        struct log_source src = { .kind = LOG_SOURCE_TEXT, .path = path };
        struct collected c = {};
        struct log_summary sum = {};
        char *err = NULL;
        int k = kubelet_log_read(&src, collect, &c, &sum, &err);
        tap_ok(k == 0, "a text log reads");
        tap_streq(c.b.data,
                  "1|Jun 28 11:20:54|Jun 28 11:20:54 n1 kubelet[7]: one|0\n"
                  "3|-|plain two|0\n"
                  "4|-|-- Boot abc --|0\n"
                  "5|-|last without newline|0\n",
                  "every non-empty line is an entry, with its line number and stamp, CR LF stripped");
        tap_ok(sum.n_entries == 4, "four entries");
        tap_streq(sum.description, path, "the source is named by its path");
        log_summary_free(&sum);
        buf_free(&c.b);
        unlink(path);

        src.path = "/nonexistent/kubelet.log";
        k = kubelet_log_read(&src, collect, &c, &sum, &err);
        tap_ok(k == -ENOENT, "a missing log is -ENOENT");
        tap_streq(err, "cannot read /nonexistent/kubelet.log: No such file or directory",
                  "and says which file");
        tap_ok(!sum.description, "the summary is untouched on failure");
        free(err);
        buf_free(&c.b);
}

/* The shipped 'sandbox.*network is unreachable' on long lines repeating its first word: matched in
 * one pass (glibc used to restart at every "sandbox", minutes for a megabyte), with the same answers;
 * and a pattern's own anchors keep their meaning inside the wrapping. */
static void test_long_lines(void) {
        struct signature_db db;
        _cleanup_free_ char *err = NULL;
        static const char yaml[] = "signatures:\n"
                                   "  - id: a\n    pattern: 'sandbox.*network is unreachable'\n"
                                   "    fixer: gateway\n    explanation: e\n"
                                   "  - id: b\n    pattern: ['^starts here', 'ends here$', 'qq|y z']\n"
                                   "    fixer: swap\n    explanation: e\n";
        if (!tap_ok(signature_db_parse("s.yaml", yaml, strlen(yaml), &db, &err) == 0,
                    "long lines: parsed")) {
                tap_diag(strempty(err));
                return;
        }
        size_t n = 4 << 20;
        _cleanup_free_ char *line = xmalloc(n + 64);
        for (size_t i = 0; i < n; i++)
                line[i] = "sandbox "[i % 8];
        line[n] = 0;
        tap_ok(signature_db_match(&db, line) == -ENOENT, "4 MiB of 'sandbox ': no match");
        strcpy(line + n, "network is unreachable");
        tap_ok(signature_db_match(&db, line) == 0, "4 MiB of 'sandbox ' then the rest: a match");
        tap_ok(signature_db_match(&db, "starts here, then") == 1, "^ still anchors at the start");
        tap_ok(signature_db_match(&db, "it starts here") == -ENOENT, "^ does not match inside");
        tap_ok(signature_db_match(&db, "it ends here") == 1, "$ still anchors at the end");
        tap_ok(signature_db_match(&db, "it ends here.") == -ENOENT, "$ does not match inside");
        tap_ok(signature_db_match(&db, "only qq") == 1 && signature_db_match(&db, "y z") == 1 &&
                       signature_db_match(&db, "only y") == -ENOENT,
               "an alternation stays one alternation");
        signature_db_free(&db);
}

int main(void) {
        test_errors();
        test_long_lines();
        test_parse_fields();
        test_shipped();
        test_since();
        test_stamps();
        test_text_log();
        test_text_log_long_line();
        return tap_done();
}
