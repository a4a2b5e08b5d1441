#!/usr/bin/env bash
# The dns fixer against a real resolver: dnsmasq on a loopback address of a node (a network
# namespace made here) forwarding to an upstream dnsmasq, and a pod (a fresh network namespace
# joined to the node by a veth pair). A query from the pod with each candidate resolver file
# bind-mounted as its /etc/resolv.conf (getent ahosts, glibc's own resolver) is the oracle: the
# node's file, naming its loopback, resolves on the node and fails in the pod; the file kubeprep
# points the kubelet at resolves in the pod, for a dnsmasq node (dns.upstream) and a
# systemd-resolved node (its upstream list) alike.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network and mount namespaces)"
for c in ip unshare getent; do command -v $c >/dev/null || skip_all "$c not available"; done
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || skip_all "dnsmasq not installed (Debian package dnsmasq-base)"

NODE=kp-dns-node-$$
POD=kp-dns-pod-$$
trap 'for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
      ip netns del "$NODE" 2>/dev/null; ip netns del "$POD" 2>/dev/null; cleanup_work' EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$NODE" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ip netns add "$POD"
ip -n "$NODE" link set lo up
ip -n "$POD" link set lo up
ip link add kpdn$$ netns "$NODE" type veth peer name kpdp$$ netns "$POD" 2>"$WORK/veth.err" ||
        skip_all "cannot create a veth pair: $(cat "$WORK/veth.err")"
ip -n "$NODE" addr add 10.253.0.1/24 dev kpdn$$
ip -n "$POD" addr add 10.253.0.2/24 dev kpdp$$
ip -n "$NODE" link set kpdn$$ up
ip -n "$POD" link set kpdp$$ up

# dnsmasq NAME ADDRESS ARGS...: a dnsmasq in the node listening on ADDRESS:53; it forks once its
# socket is bound, so it answers when this returns.
dnsmasq_on() {
        local name=$1 addr=$2; shift 2
        ip netns exec "$NODE" "$DNSMASQ" --conf-file=/dev/null --no-hosts --no-resolv --bind-interfaces \
                --listen-address="$addr" --port=53 --user=root --pid-file="$WORK/$name.pid" "$@" 2>"$WORK/$name.err" ||
                skip_all "dnsmasq does not start: $(cat "$WORK/$name.err")"
}
# The site's upstream DNS server, on the node's network, and the node's local caches on loopback.
dnsmasq_on upstream 10.253.0.1 --address=/kubeprep-test.example/192.0.2.77
dnsmasq_on cache 127.0.0.1 --server=10.253.0.1
dnsmasq_on stub 127.0.0.53 --server=10.253.0.1

# resolves NETNS FILE: does kubeprep-test.example resolve with FILE as /etc/resolv.conf there?
resolves() {
        ip netns exec "$1" unshare -m --propagation private sh -c \
                'mount --bind "$1" /etc/resolv.conf && getent ahostsv4 kubeprep-test.example' _ "$2" 2>/dev/null |
                grep -q '^192\.0\.2\.77 '
}
expect_resolves() { # expect_resolves NAME NETNS FILE yes|no
        local got=no
        resolves "$2" "$3" && got=yes
        [ "$got" = "$4" ] && pass "$1" || fail "$1: resolves=$got, want $4" "$(cat "$3")"
}

node() { # a node tree with a kubelet; /etc/resolv.conf as given
        T=$WORK/$1
        mkdir -p "$T/usr/bin" "$T/var/lib/kubelet" "$T/etc/kubeprep/profiles"
        printf '#!/bin/sh\n' >"$T/usr/bin/kubelet"; chmod 0755 "$T/usr/bin/kubelet"
        printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n' >"$T/var/lib/kubelet/config.yaml"
}
resolv_conf_of() { # the kubelet's resolvConf after the run, as a path in the tree
        $PYTHON -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("resolvConf") or "/etc/resolv.conf")' \
                "$T/var/lib/kubelet/config.yaml"
}

# 1. A dnsmasq node: /etc/resolv.conf names its cache on 127.0.0.1.
node dnsmasq
printf 'nameserver 127.0.0.1\n' >"$T/etc/resolv.conf"
printf 'extends: default\ndns:\n  upstream: [10.253.0.1]\n' >"$T/etc/kubeprep/profiles/site.yaml"
expect_resolves "dnsmasq node: its own file resolves on the node" "$NODE" "$T/etc/resolv.conf" yes
expect_resolves "dnsmasq node: the same file fails in a pod (127.0.0.1 is the pod's own)" "$POD" "$T/etc/resolv.conf" no
run apply --root "$T" --only dns --profile site
expect_rc "dnsmasq node: apply" 0
f=$(resolv_conf_of)
[ "$f" = /etc/kubeprep/resolv.conf ] && pass "dnsmasq node: resolvConf is kubeprep's file" || fail "resolvConf $f"
expect_resolves "dnsmasq node: kubeprep's file resolves in the pod" "$POD" "$T$f" yes

# 2. A systemd-resolved node: /etc/resolv.conf is the stub (127.0.0.53); its upstream list names
#    the site's server.
node resolved
mkdir -p "$T/run/systemd/resolve"
printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\n' >"$T/run/systemd/resolve/stub-resolv.conf"
printf 'nameserver 10.253.0.1\n' >"$T/run/systemd/resolve/resolv.conf"
ln -s ../run/systemd/resolve/stub-resolv.conf "$T/etc/resolv.conf"
expect_resolves "resolved node: the stub resolves on the node" "$NODE" "$T/run/systemd/resolve/stub-resolv.conf" yes
expect_resolves "resolved node: the stub fails in a pod" "$POD" "$T/run/systemd/resolve/stub-resolv.conf" no
run apply --root "$T" --only dns
expect_rc "resolved node: apply, no dns.upstream needed" 0
f=$(resolv_conf_of)
[ "$f" = /run/systemd/resolve/resolv.conf ] && pass "resolved node: resolvConf is resolved's upstream list" || fail "resolvConf $f"
expect_resolves "resolved node: that file resolves in the pod" "$POD" "$T$f" yes

done_testing
