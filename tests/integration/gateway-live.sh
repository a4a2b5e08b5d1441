#!/usr/bin/env bash
# The gateway fixer live, in a network namespace made here: a veth pair whose ends live in two
# throw-away namespaces (nothing in the host's), 192.0.2.10/24 on ours (documentation range), no
# traffic sent. kubeprep runs inside it in a private mount namespace over a scratch copy of /etc
# (with one systemd-networkd file for the veth) and a tmpfs /var/lib, so the machine's own routes
# and network configuration are never changed. Checks: no default route -> added over rtnetlink
# and persisted; an existing one untouched; an off-subnet gateway added onlink; auto address
# from the configuration; no address -> drift.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network and mount namespaces)"
for c in ip unshare; do command -v $c >/dev/null || skip_all "$c not available"; done

NS=kp-gw-$$
PEER=kp-gwp-$$
DEV=kpgw0
cleanup() {
        ip netns del "$NS" 2>/dev/null
        ip netns del "$PEER" 2>/dev/null
        cleanup_work
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

host_default=$(ip -4 route show default table main)
host_links=$(ip -o link show | awk -F': ' '{print $2}' | sort)
host_netcfg=$(ls -la /etc/systemd/network /etc/netplan /etc/network 2>&1; cat /etc/network/interfaces 2>/dev/null)

ip netns add "$NS" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ip netns add "$PEER" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
if ! err=$( { ip -n "$NS" link add $DEV type veth peer name kpgw1 netns "$PEER" &&
        ip -n "$NS" addr add 192.0.2.10/24 dev $DEV && ip -n "$NS" link set lo up &&
        ip -n "$NS" link set $DEV up && ip -n "$PEER" link set kpgw1 up; } 2>&1); then
        skip_all "cannot set up the veth pair: $err"
fi

# The scratch /etc: the machine's, minus its network configuration, plus one networkd file.
cp -a /etc "$WORK/etc"
rm -rf "$WORK"/etc/sysconfig/network-scripts "$WORK"/etc/NetworkManager/system-connections \
        "$WORK"/etc/systemd/network "$WORK"/etc/netplan "$WORK"/etc/network/interfaces
mkdir -p "$WORK/etc/systemd/network"
NETWORK="$WORK/etc/systemd/network/10-kp.network"
reset_file() { printf '[Match]\nName=%s\n\n[Network]\nAddress=192.0.2.10/24\n' $DEV >"$NETWORK"; }
profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile gw 'gateway:' '  address: 192.0.2.1'
profile gw254 'gateway:' '  address: 192.0.2.254'
profile off 'gateway:' '  address: 198.51.100.1'
profile nosuch 'gateway:' '  address: 192.0.2.1' '  interface: nosuch0'

kp() { # kp ARGS...: kubeprep, live, in the namespace; sets RC, OUT
        ip netns exec "$NS" unshare -m --propagation private bash -c '
                mount --bind "$1/etc" /etc && mount -t tmpfs tmpfs /var/lib && shift && exec "$@"
        ' _ "$WORK" "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout" "$WORK/.stderr"); ERR=$(cat "$WORK/.stderr")
}
default_route() { ip -n "$NS" -4 route show default table main; }
same_text() { # same_text NAME GOT WANT
        [ "$2" = "$3" ] && pass "$1" || fail "$1" "got:  $2
want: $3"
}

# A. No default route; the interface is found (auto); the profile's gateway is added and persisted.
reset_file
same_text "the namespace starts without a default route" "$(default_route)" ""
kp check --only gateway --profile "$WORK/gw.yaml"
expect_rc "A: check" 1
contains "A: check finds no default route" "$OUT" "[gateway] drift: no default route; /etc/systemd/network/10-kp.network has no gateway"
contains "A: the planned action" "$OUT" "route add default via 192.0.2.1 dev $DEV (planned)"
same_text "A: check added nothing" "$(default_route)" ""
kp apply --only gateway --profile "$WORK/gw.yaml"
expect_rc "A: apply" 0
contains "A: the route was added" "$OUT" "route add default via 192.0.2.1 dev $DEV (done)"
same_text "A: ip route show default" "$(default_route)" "default via 192.0.2.1 dev $DEV proto static "
same_text "A: persisted in the networkd file" "$(cat "$NETWORK")" "$(printf '[Match]\nName=%s\n\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1' $DEV)"
kp apply --only gateway --profile "$WORK/gw.yaml"
expect_rc "A: second apply" 0
contains "A: second apply finds both in place" "$OUT" "[gateway] ok: default route via 192.0.2.1 dev $DEV; /etc/systemd/network/10-kp.network keeps gateway 192.0.2.1"

# B. An existing default route (made here, proto boot) is never replaced; address auto persists it.
ip -n "$NS" route del default
ip -n "$NS" route add default via 192.0.2.1 dev $DEV
reset_file
kp apply --only gateway -v --profile "$WORK/gw254.yaml"
expect_rc "B: profile 192.0.2.254 with a route via 192.0.2.1" 0
same_text "B: the route is untouched" "$(default_route)" "default via 192.0.2.1 dev $DEV "
contains "B: says it keeps it" "$OUT" "the live default route via 192.0.2.1 is kept (kubeprep never replaces one), not 192.0.2.254"
not_contains "B: no route action" "$OUT" "route add"
reset_file
kp apply --only gateway
expect_rc "B: address auto with a live route" 0
same_text "B: the route is still untouched" "$(default_route)" "default via 192.0.2.1 dev $DEV "
contains "B: the live gateway is persisted" "$(cat "$NETWORK")" "Gateway=192.0.2.1"

# C. A gateway outside 192.0.2.0/24 is added onlink, and persisted with GatewayOnLink=yes.
ip -n "$NS" route del default
reset_file
kp apply --only gateway --profile "$WORK/off.yaml"
expect_rc "C: off-subnet gateway" 0
contains "C: the onlink route was added" "$OUT" "route add default via 198.51.100.1 dev $DEV onlink (done)"
same_text "C: ip route show default" "$(default_route)" "default via 198.51.100.1 dev $DEV proto static onlink "
same_text "C: persisted as an on-link [Route]" "$(cat "$NETWORK")" "$(printf '[Match]\nName=%s\n\n[Network]\nAddress=192.0.2.10/24\n\n[Route]\nGateway=198.51.100.1\nGatewayOnLink=yes' $DEV)"
kp check --only gateway --profile "$WORK/off.yaml"
expect_rc "C: check after apply" 0

# D. gateway.address auto: the address comes from the persistent configuration.
ip -n "$NS" route del default
printf '[Match]\nName=%s\n\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\n' $DEV >"$NETWORK"
kp apply --only gateway
expect_rc "D: address auto from the file" 0
same_text "D: ip route show default" "$(default_route)" "default via 192.0.2.1 dev $DEV proto static "

# E. No route and no address anywhere: drift, nothing added or written.
ip -n "$NS" route del default
reset_file
kp apply --only gateway -o json
expect_rc "E: no address" 1
printf '%s' "$OUT" >"$WORK/e.json"
ok "E: drift asking for gateway.address, no action" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "gateway"][0]
assert r["status"] == "drift" and r["actions"] == [] and r["changes"] == [], r
assert "configures kpgw0 without a gateway, and no default route gives one; set gateway.address in the profile" in r["message"], r' "$WORK/e.json"
same_text "E: still no default route" "$(default_route)" ""

# F. A named interface that does not exist.
kp check --only gateway --profile "$WORK/nosuch.yaml"
expect_rc "F: gateway.interface nosuch0" 1
contains "F: says so" "$OUT" "interface nosuch0 does not exist; check gateway.interface"

# The machine itself.
same_text "the host's default route is unchanged" "$(ip -4 route show default table main)" "$host_default"
same_text "the host's links are unchanged" "$(ip -o link show | awk -F': ' '{print $2}' | sort)" "$host_links"
same_text "the host's network configuration is unchanged" \
        "$(ls -la /etc/systemd/network /etc/netplan /etc/network 2>&1; cat /etc/network/interfaces 2>/dev/null)" "$host_netcfg"

done_testing
