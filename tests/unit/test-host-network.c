/* SPDX-License-Identifier: MIT */
/* Unit tests for lint.c: exact reports and exact fixed text per case, the
 * refusals, and every static-pod corpus file (CORPUS_DIR) with its verdict. */
#include <sys/stat.h>

#include "basic/rootfs.h"
#include "basic/util.h"
#include "lint/host-network.h"
#include "tap.h"

struct lint_case {
        const char *name;
        const char *input;
        int want_r;         /* lint_manifest's return */
        const char *report; /* "LINE: description\n" per item, or the error */
        const char *fixed;  /* lint_fix_manifest's text, NULL: unchanged (or refused) */
        size_t unfixable;
};

#define HN                                                                                                \
        "hostNetwork: true without dnsPolicy: ClusterFirstWithHostNet; the pod resolves with the node's " \
        "resolv.conf and cannot find cluster services\n"
#define WRONG(p)                                                                                       \
        "hostNetwork: true with dnsPolicy: " p ", not ClusterFirstWithHostNet; the pod resolves with " \
        "the node's resolv.conf and cannot find cluster services\n"
#define NOTE(obj, why)                                                                             \
        "note: " obj " is a bootstrap pod (" why "): it keeps the node's resolver, since cluster " \
        "DNS needs it running first; not changed by --fix\n"

static const struct lint_case cases[] = {
        { "pod block",
          "kind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true # host ports\n  containers: []\n", 0,
          "5: Pod p: " HN,
          "kind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true # host ports\n  containers: []\n"
          "  dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "deployment wrong policy kept quoted",
          "kind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n"
          "  template:\n    spec:\n      hostNetwork: true\n      dnsPolicy: 'Default'  # old\n",
          0, "7: Deployment n/d: " WRONG("Default"),
          "kind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  template:\n    spec:\n"
          "      hostNetwork: true\n      dnsPolicy: 'ClusterFirstWithHostNet'  # old\n",
          0 },
        { "daemonset yaml 1.1 yes",
          "kind: DaemonSet\nspec:\n  template:\n    spec:\n      hostNetwork: yes\n", 0,
          "5: DaemonSet (unnamed): " HN,
          "kind: DaemonSet\nspec:\n  template:\n    spec:\n      hostNetwork: yes\n"
          "      dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "statefulset", "kind: StatefulSet\nspec:\n  template:\n    spec:\n      hostNetwork: true\n", 0,
          "5: StatefulSet (unnamed): " HN,
          "kind: StatefulSet\nspec:\n  template:\n    spec:\n      hostNetwork: true\n"
          "      dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "replicaset flow", "{kind: ReplicaSet, spec: {template: {spec: {hostNetwork: true}}}}\n", 0,
          "1: ReplicaSet (unnamed): " HN,
          "{kind: ReplicaSet, spec: {template: {spec: {hostNetwork: true, dnsPolicy: "
          "ClusterFirstWithHostNet}}}}\n",
          0 },
        { "job json", "{\"kind\": \"Job\", \"spec\": {\"template\": {\"spec\": {\"hostNetwork\": true}}}}",
          0, "1: Job (unnamed): " HN,
          "{\"kind\": \"Job\", \"spec\": {\"template\": {\"spec\": {\"hostNetwork\": true, \"dnsPolicy\": "
          "\"ClusterFirstWithHostNet\"}}}}",
          0 },
        { "cronjob",
          "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
          "          hostNetwork: true\n          dnsPolicy: ClusterFirst\n",
          0, "8: CronJob (unnamed): " WRONG("ClusterFirst"),
          "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
          "          hostNetwork: true\n          dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "multi-document, second and fourth",
          "kind: Pod\nspec:\n  hostNetwork: false\n---\nkind: Pod\nspec:\n"
          "  hostNetwork: true\n---\nkind: Service\nspec:\n  hostNetwork: true\n---\nkind: Pod\nspec:\n"
          "  hostNetwork: True\n",
          0, "7: Pod (unnamed): " HN "15: Pod (unnamed): " HN,
          "kind: Pod\nspec:\n  hostNetwork: false\n---\nkind: Pod\nspec:\n  hostNetwork: true\n"
          "  dnsPolicy: ClusterFirstWithHostNet\n---\nkind: Service\nspec:\n  hostNetwork: true\n---\nkind: "
          "Pod\n"
          "spec:\n  hostNetwork: True\n  dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "already right", "kind: Pod\nspec:\n  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet\n",
          0, "", NULL, 0 },
        { "dnsPolicy None is deliberate", "kind: Pod\nspec:\n  hostNetwork: true\n  dnsPolicy: None\n", 0,
          "", NULL, 0 },
        { "quoted true is not a bool", "kind: Pod\nspec:\n  hostNetwork: \"true\"\n", 0, "", NULL, 0 },
        { "no spec, null spec",
          "kind: Pod\n---\nkind: Deployment\nspec:\n  template:\n---\nkind: Pod\nspec: ~\n", 0, "", NULL,
          0 },
        { "not a manifest", "- a\n- b\n---\njust text\n---\n", 0, "", NULL, 0 },
        { "empty", "", 0, "", NULL, 0 },
        { "list item reported, not fixed",
          "kind: List\nitems:\n- kind: Pod\n  spec:\n    hostNetwork: true\n", 0, "5: Pod (unnamed): " HN,
          NULL, 1 },
        { "bootstrap by image",
          "kind: Pod\nmetadata: {name: lb, namespace: kube-system}\nspec:\n"
          "  hostNetwork: true\n  containers:\n  - image: reg.example:5000/lb/haproxy:2.8\n",
          0, "4: " NOTE("Pod kube-system/lb", "haproxy"), NULL, 0 },
        { "bootstrap by arch image",
          "kind: Pod\nspec:\n  hostNetwork: true\n  initContainers:\n"
          "  - image: gcr.io/google_containers/kube-scheduler-amd64:v1.8.1\n",
          0, "3: " NOTE("Pod (unnamed)", "kube-scheduler"), NULL, 0 },
        { "bootstrap by kubeadm label",
          "kind: Pod\nmetadata:\n  labels: {component: kube-controller-manager}\n"
          "spec:\n  hostNetwork: true\n",
          0, "5: " NOTE("Pod (unnamed)", "kube-controller-manager"), NULL, 0 },
        { "bootstrap by tier label in a template",
          "kind: DaemonSet\nspec:\n  template:\n    metadata:\n"
          "      labels:\n        tier: control-plane\n    spec:\n      hostNetwork: true\n",
          0, "8: " NOTE("DaemonSet (unnamed)", "control-plane"), NULL, 0 },
        { "bootstrap static pod by name", "kind: Pod\nmetadata: {name: etcd}\nspec: {hostNetwork: true}\n",
          0, "3: " NOTE("Pod etcd", "etcd"), NULL, 0 },
        { "a Deployment named etcd is a workload",
          "kind: Deployment\nmetadata: {name: etcd}\nspec:\n  template:\n"
          "    spec: {hostNetwork: true}\n",
          0, "5: Deployment etcd: " HN,
          "kind: Deployment\nmetadata: {name: etcd}\nspec:\n  template:\n"
          "    spec: {hostNetwork: true, dnsPolicy: ClusterFirstWithHostNet}\n",
          0 },
        { "not bootstrap: similar image names",
          "kind: Pod\nspec:\n  hostNetwork: true\n  containers:\n"
          "  - image: haproxy-ingress:1\n  - image: example.org/node:1\n  - image: my-etcd:3\n",
          0, "3: Pod (unnamed): " HN,
          "kind: Pod\nspec:\n  hostNetwork: true\n  containers:\n  - image: haproxy-ingress:1\n"
          "  - image: example.org/node:1\n  - image: my-etcd:3\n  dnsPolicy: ClusterFirstWithHostNet\n",
          0 },
        { "bootstrap given cluster DNS",
          "kind: Pod\nspec:\n  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet\n"
          "  containers: [{image: ghcr.io/kube-vip/kube-vip:v0.7.0}]\n",
          0,
          "4: warning: Pod (unnamed) is a bootstrap pod (kube-vip) with dnsPolicy: ClusterFirstWithHostNet: "
          "it "
          "cannot resolve names until cluster DNS runs, which needs it first; not changed by --fix\n",
          NULL, 0 },

        /* refusals */
        { "parse error", "kind: Pod\nspec: {hostNetwork: true\n", -EBADMSG,
          "line 3: while parsing a flow mapping did not find expected ',' or '}'", NULL, 0 },
        { "duplicate hostNetwork", "kind: Pod\nspec:\n  hostNetwork: false\n  hostNetwork: true\n", -EBADMSG,
          "line 4: duplicate key hostNetwork", NULL, 0 },
        { "merge key in the pod spec", "kind: Pod\nx: &d {hostNetwork: true}\nspec:\n  <<: *d\n", -EBADMSG,
          "line 4: merge key (<<) in a pod spec's path, refusing to guess", NULL, 0 },
        { "alias as the spec", "kind: Pod\nx: &d {hostNetwork: true}\nspec: *d\n", -EBADMSG,
          "line 3: spec is an alias (*d), refusing to guess", NULL, 0 },
        { "template is a sequence", "kind: Job\nspec:\n  template:\n  - spec: {}\n", -EBADMSG,
          "line 4: template is a sequence, not a mapping", NULL, 0 },
        { "dnsPolicy not a scalar", "kind: Pod\nspec:\n  hostNetwork: true\n  dnsPolicy: [Default]\n",
          -EBADMSG, "line 4: dnsPolicy is not a scalar", NULL, 0 },
};

static char *report_of(const struct lint_result *res) {
        struct buf b = {};
        buf_append(&b, "", 0);
        for (size_t i = 0; i < res->n; i++) {
                _cleanup_free_ char *d = lint_item_describe(&res->items[i]);
                buf_printf(&b, "%u: %s\n", res->items[i].line, d);
        }
        return buf_steal(&b);
}

static void run_case(const struct lint_case *c) {
        struct lint_result res = {};
        _cleanup_free_ char *err = NULL, *fixed = NULL, *name = NULL, *fix_err = NULL;
        size_t len = strlen(c->input), fixed_len = 0, unfixable = 99;

        int r = lint_manifest(c->input, len, &res, &err);
        name = xasprintf("%s: lint returns %d", c->name, c->want_r);
        tap_ok(r == c->want_r, name);
        free(name);
        name = xasprintf("%s: report", c->name);
        if (r < 0) {
                tap_streq(err, c->report, name);
                return;
        }
        _cleanup_free_ char *report = report_of(&res);
        tap_streq(report, c->report, name);

        r = lint_fix_manifest(c->input, len, &res, &fixed, &fixed_len, &unfixable, &fix_err);
        free(name);
        name = xasprintf("%s: fix returns %d, %zu unfixable", c->name, c->fixed ? 1 : 0, c->unfixable);
        tap_ok(r == (c->fixed ? 1 : 0) && unfixable == c->unfixable, name);
        if (c->fixed) {
                free(name);
                name = xasprintf("%s: fixed text", c->name);
                tap_streq(fixed, c->fixed, name);
                tap_ok(fixed_len == strlen(c->fixed), "fixed length matches");

                /* Idempotent: the fixed text has nothing left to fix. */
                struct lint_result again = {};
                _cleanup_free_ char *err2 = NULL, *fixed2 = NULL;
                size_t l2 = 0, u2 = 0;
                int r2 = lint_manifest(fixed, fixed_len, &again, &err2);
                r2 = r2 < 0 ? r2 : lint_fix_manifest(fixed, fixed_len, &again, &fixed2, &l2, &u2, &err2);
                free(name);
                name = xasprintf("%s: a second fix changes nothing", c->name);
                tap_ok(r2 == 0 && !fixed2, name);
                lint_result_free(&again);
        }
        lint_result_free(&res);
}

/* A fix that yaml-edit refuses leaves the text alone and says why. */
static void test_fix_refused(void) {
        const char *in = "kind: Pod\nspec: &s\n  hostNetwork: true\n";
        struct lint_result res = {};
        _cleanup_free_ char *err = NULL, *fixed = NULL;
        size_t len = 0, unfixable = 7;
        tap_ok(lint_manifest(in, strlen(in), &res, &err) == 0 && res.n == 1, "anchored spec: one finding");
        int r = lint_fix_manifest(in, strlen(in), &res, &fixed, &len, &unfixable, &err);
        tap_ok(r == -EBADMSG && !fixed && unfixable == 7, "anchored spec: fix refused, outputs untouched");
        tap_streq(err, "line 2: spec has an anchor (&s), an edit would change its aliases too",
                  "anchored: message");
        lint_result_free(&res);
}

/* Every static-pod corpus file, by its number: the verdicts lint gives. */
static const struct {
        const char *prefix;
        const char *report;
} corpus[] = {
        { "01-", "98: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "02-", "60: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "03-", "67: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "04-", "94: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "05-", "" },
        { "06-", "66: " NOTE("Pod kube-system/etcd", "etcd") },
        { "07-", "14: DaemonSet node-exporter: " HN },
        { "08-", "65: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "09-", "93: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "10-", "7: " NOTE("Pod kube-system/kube-apiserver", "kube-apiserver") },
        { "11-", "66: " NOTE("DaemonSet kube-system/kube-vip-ds", "kube-vip") },
        { "12-", "76: " NOTE("DaemonSet kube-system/kube-vip-ds", "kube-vip") },
};

static void test_corpus(void) {
        const char *dir = getenv("CORPUS_DIR");
        if (!dir) {
                tap_skip("static-pod corpus", "CORPUS_DIR is not set");
                return;
        }
        _cleanup_free_ char *sp = xasprintf("%s/static-pod", dir);
        struct root *root = NULL;
        struct strv names = {};
        if (root_open(sp, false, &root) < 0 || root_list_dir(root, "/", &names) < 0) {
                tap_skip("static-pod corpus", "cannot list it");
                root_free(root);
                return;
        }
        tap_ok(names.n == ELEMENTSOF(corpus), "every corpus file has an expected verdict");
        for (size_t i = 0; i < names.n; i++) {
                const char *want = NULL;
                for (size_t k = 0; k < ELEMENTSOF(corpus); k++)
                        if (startswith(names.items[i], corpus[k].prefix))
                                want = corpus[k].report;
                _cleanup_free_ char *path = xasprintf("/%s", names.items[i]), *text = NULL, *err = NULL;
                _cleanup_free_ char *fixed = NULL, *report = NULL,
                                    *name = xasprintf("corpus %s", names.items[i]);
                size_t len = 0, fixed_len = 0, unfixable = 0;
                struct lint_result res = {};
                int r = root_read_file(root, path, &text, &len, NULL);
                r = r < 0 ? r : lint_manifest(text, len, &res, &err);
                if (!tap_ok(r == 0 && want, name))
                        continue;
                report = report_of(&res);
                tap_streq(report, want, name);
                r = lint_fix_manifest(text, len, &res, &fixed, &fixed_len, &unfixable, &err);
                if (startswith(names.items[i], "07-")) {
                        /* Comments on every line, no final newline: one line appended, nothing else. */
                        _cleanup_free_ char *expect =
                                xasprintf("%s\n      dnsPolicy: ClusterFirstWithHostNet", text);
                        tap_ok(r == 1, "corpus 07: fixed");
                        tap_streq(fixed, expect,
                                  "corpus 07: exactly one line added at the pod spec's level");
                } else
                        tap_ok(r == 0 && !fixed, "corpus: bootstrap pods and clean files are not changed");
                lint_result_free(&res);
        }
        strv_free(&names);
        root_free(root);
}

int main(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                run_case(&cases[i]);
        test_fix_refused();
        test_corpus();
        return tap_done();
}
