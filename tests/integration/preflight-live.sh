#!/usr/bin/env bash
# The hostname and node-ip fixers live, in namespaces made here: a network namespace with one veth end
# holding two documentation addresses (192.0.2.10/24 and 198.51.100.7/24, nothing sent), a UTS
# namespace whose hostname is kp-node-1, and a private mount namespace over a scratch copy of /etc
# (hosts resolved from files only) and a tmpfs /var/lib, so the machine's own name, addresses and
# files are never touched. The node's addresses come from rtnetlink; whether its name resolves,
# from glibc's getaddrinfo, which is also the oracle (getent hosts, in the same namespaces).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network, UTS and mount namespaces)"
for c in ip unshare getent; do command -v $c >/dev/null || skip_all "$c not available"; done

NS=kp-pl-$$
PEER=kp-plp-$$
DEV=kppl0
cleanup() {
        ip netns del "$NS" 2>/dev/null
        ip netns del "$PEER" 2>/dev/null
        cleanup_work
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

host_name=$(hostname)
ip netns add "$NS" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ip netns add "$PEER" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
if ! err=$( { ip -n "$NS" link add $DEV type veth peer name kppl1 netns "$PEER" &&
        ip -n "$NS" addr add 192.0.2.10/24 dev $DEV && ip -n "$NS" addr add 198.51.100.7/24 dev $DEV &&
        ip -n "$NS" link set lo up && ip -n "$NS" link set $DEV up && ip -n "$PEER" link set kppl1 up; } 2>&1); then
        skip_all "cannot set up the veth pair: $err"
fi

cp -a /etc "$WORK/etc"
printf 'hosts: files\n' >"$WORK/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n' >"$WORK/etc/hosts"
rm -f "$WORK/etc/default/kubelet" "$WORK/etc/sysconfig/kubelet"
profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile net 'nodeIP: 198.51.100.0/24'
profile all 'nodeIP: 0.0.0.0/0'
profile iface "nodeIP: $DEV"
profile none 'nodeIP: 203.0.113.0/24'

inside() { # inside CMD...: in the three namespaces
        ip netns exec "$NS" unshare -m -u --propagation private bash -c '
                hostname kp-node-1 && mount --bind "$1/etc" /etc && mount -t tmpfs tmpfs /var/lib && shift && exec "$@"
        ' _ "$WORK" "$@"
}
kp() { # kp ARGS...: kubeprep live in the namespaces; sets RC, OUT
        inside "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout" "$WORK/.stderr")
}

# node-ip: two global addresses and no nodeIP: a warning that names them, no guess.
kp check --only node-ip -o json
expect_rc "no nodeIP: complies" 0
printf '%s' "$OUT" >"$WORK/none.json"
ok "no nodeIP: a warning naming both addresses" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "node-ip"][0]
assert r["status"] == "ok" and r["changes"] == [], r
assert r["warnings"] == ["several addresses could be the node'"'"'s: 192.0.2.10 (kppl0), 198.51.100.7 (kppl0); the kubelet takes the default route'"'"'s interface'"'"'s, or set nodeIP in the profile"], r["warnings"]' "$WORK/none.json"
kp apply --only node-ip --profile "$WORK/net.yaml"
expect_rc "a network matching one address: apply" 0
contains "network: the address found" "$OUT" "nodeIP 198.51.100.0/24 is 198.51.100.7 (kppl0)"
[ "$(cat "$WORK/etc/default/kubelet")" = 'KUBELET_EXTRA_ARGS="--node-ip=198.51.100.7"' ] && pass "network: the defaults file created" ||
        fail "network: /etc/default/kubelet is '$(cat "$WORK/etc/default/kubelet")'"
kp check --only node-ip --profile "$WORK/net.yaml"
expect_rc "network: complies" 0
for p in all iface; do
        kp apply --only node-ip --profile "$WORK/$p.yaml"
        expect_rc "$p: several match, never a guess" 1
        contains "$p: both named" "$OUT" "match nodeIP"
        contains "$p: the addresses" "$OUT" "192.0.2.10 (kppl0), 198.51.100.7 (kppl0): give one address"
done
kp apply --only node-ip --profile "$WORK/none.yaml"
expect_rc "no address in the network" 1
contains "none: said so" "$OUT" "[node-ip] drift: no address of this node is in nodeIP 203.0.113.0/24 (it has 192.0.2.10 (kppl0), 198.51.100.7 (kppl0))"

# hostname: kp-node-1 does not resolve (hosts from files only); apply adds it with the node's address.
same_text() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "got:  $2
want: $3"; }
same_text "hostname: getent finds nothing before" "$(inside getent hosts kp-node-1)" ""
kp check --only hostname --profile "$WORK/net.yaml"
expect_rc "hostname: check" 1
contains "hostname: the finding" "$OUT" "[hostname] drift: kp-node-1 (the kernel's hostname) does not resolve"
kp apply --only hostname --profile "$WORK/net.yaml"
expect_rc "hostname: apply" 0
same_text "hostname: the line" "$(tail -n1 "$WORK/etc/hosts")" "$(printf '198.51.100.7\tkp-node-1')"
same_text "hostname: getent hosts kp-node-1" "$(inside getent hosts kp-node-1)" "198.51.100.7    kp-node-1"
kp apply --only hostname --profile "$WORK/net.yaml"
expect_rc "hostname: second apply" 0
contains "hostname: ok" "$OUT" "[hostname] ok: kp-node-1 (the kernel's hostname) resolves to 198.51.100.7"
same_text "the machine's hostname is unchanged" "$(hostname)" "$host_name"

done_testing
