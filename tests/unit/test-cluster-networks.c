/* SPDX-License-Identifier: MIT */
/* A cluster's networks from kubeadm's files (formats/cluster-networks.c): a kubeadm configuration
 * stream of several documents, and flags in a static pod's command or args. */
#include "formats/cluster-networks.h"
#include "tap.h"

static const char config[] = "apiVersion: kubeadm.k8s.io/v1beta3\n"
                             "kind: InitConfiguration\n"
                             "localAPIEndpoint:\n"
                             "  advertiseAddress: 192.0.2.20\n"
                             "---\n"
                             "apiVersion: kubeadm.k8s.io/v1beta3\n"
                             "kind: ClusterConfiguration\n"
                             "networking:\n"
                             "  serviceSubnet: \"10.96.0.0/16, fd00:10:96::/112\"\n"
                             "  podSubnet: 10.244.0.0/16\n"
                             "---\n"
                             "apiVersion: kubeadm.k8s.io/v1beta3\n"
                             "kind: JoinConfiguration\n"
                             "discovery:\n"
                             "  bootstrapToken:\n"
                             "    apiServerEndpoint: \"[fd00::20]:6443\"\n";

static const char manifest[] = "apiVersion: v1\n"
                               "kind: Pod\n"
                               "spec:\n"
                               "  containers:\n"
                               "  - name: sidecar\n"
                               "    args: [--other=1]\n"
                               "  - name: kube-apiserver\n"
                               "    command:\n"
                               "    - kube-apiserver\n"
                               "    - --service-cluster-ip-range=10.96.0.0/12,fd00::/108\n"
                               "    args:\n"
                               "    - --advertise-address\n"
                               "    - 192.0.2.20\n";

int main(void) {
        struct cluster_networks n = {};
        _cleanup_free_ char *err = NULL;
        int k = kubeadm_config_networks(config, strlen(config), &n, &err);
        _cleanup_free_ char *svc = strv_join(&n.service_subnets, " "), *pod = strv_join(&n.pod_subnets, " ");
        tap_ok(k == 0, "a three-document config parses");
        tap_streq(svc, "10.96.0.0/16 fd00:10:96::/112", "serviceSubnet split at the comma, trimmed");
        tap_streq(pod, "10.244.0.0/16", "podSubnet");
        tap_streq(n.advertise_address, "192.0.2.20", "InitConfiguration's advertiseAddress");
        tap_streq(n.api_endpoint, "[fd00::20]:6443", "JoinConfiguration's apiServerEndpoint");
        cluster_networks_free(&n);

        n.advertise_address = xstrdup("198.51.100.1");
        strv_push(&n.pod_subnets, xstrdup("10.0.0.0/8"));
        kubeadm_config_networks(config, strlen(config), &n, &err);
        tap_ok(streq(n.advertise_address, "198.51.100.1") && n.pod_subnets.n == 1 &&
                       streq(n.pod_subnets.items[0], "10.0.0.0/8"),
               "what is already known is kept");
        cluster_networks_free(&n);

        free(err);
        err = NULL;
        k = kubeadm_config_networks("kind: [\n", 8, &n, &err);
        tap_ok(k < 0 && err, "a config that does not parse is refused with a reason");

        _cleanup_free_ char *range = NULL, *addr = NULL, *none = NULL;
        tap_ok(manifest_command_flag(manifest, strlen(manifest), "--service-cluster-ip-range", &range,
                                     &err) == 1 &&
                       streq(range, "10.96.0.0/12,fd00::/108"),
               "a --flag=value in command");
        tap_ok(manifest_command_flag(manifest, strlen(manifest), "--advertise-address", &addr, &err) == 1 &&
                       streq(addr, "192.0.2.20"),
               "a --flag value pair in args, in the second container");
        tap_ok(manifest_command_flag(manifest, strlen(manifest), "--cluster-cidr", &none, &err) == 0 &&
                       !none,
               "a flag not there");
        tap_ok(manifest_command_flag(manifest, strlen(manifest), "--service-cluster-ip", &none, &err) == 0,
               "a prefix of a flag is not the flag");

        static const char *const endpoints[][2] = {
                { "192.0.2.20:6443", "192.0.2.20" }, { "[fd00::20]:6443", "fd00::20" },
                { "fd00::20", "fd00::20" },          { "192.0.2.20", "192.0.2.20" },
                { "cp.example:6443", NULL },         { "[cp.example]:6443", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(endpoints); i++) {
                _cleanup_free_ char *a = cluster_endpoint_address(endpoints[i][0]);
                _cleanup_free_ char *name = xasprintf("endpoint %s: %s", endpoints[i][0],
                                                      endpoints[i][1] ? endpoints[i][1] : "no address");
                tap_ok(streq_ptr(a, endpoints[i][1]), name);
        }

        struct strv v = {};
        cluster_networks_add_list(&v, " a ,, b,a ");
        _cleanup_free_ char *joined = strv_join(&v, "|");
        tap_streq(joined, "a|b", "a list: trimmed, empty and repeated entries dropped");
        strv_free(&v);
        return tap_done();
}
