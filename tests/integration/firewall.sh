#!/usr/bin/env bash
# The firewall fixer on fixture trees (--root): firewalld enabled in the tree and its zone without
# the node role's ports gets them as <port> lines in /etc/firewalld/zones/ZONE.xml (copied from
# /usr/lib/firewalld/zones first). The oracle is Debian's firewalld: firewall-offline-cmd, run in a
# private mount namespace over the tree's /etc/firewalld, lists the ports, and writes the same bytes
# when it adds them itself. A zone bound to the node's interface wins over the default zone; a zone
# that accepts everything needs nothing; an enabled ufw gets its `ufw allow` commands reported.
. "$(dirname "$0")/../lib.sh"

ZONE=etc/firewalld/zones/public.xml
EXP="$FIXTURES/expected"
profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile worker 'firewall:' '  extraPorts: [8472/udp]'
profile cp 'role: control-plane'
profile eth1 'nodeIP: eth1'

have_oracle=
if [ "$(id -u)" = 0 ] && command -v firewall-offline-cmd >/dev/null && command -v unshare >/dev/null; then
        have_oracle=1
fi
# firewall-offline-cmd lists in its own order: compare sorted words.
words() { tr ' ' '\n' | sort | tr '\n' ' '; }
# firewall-offline-cmd ARGS... over TREE's /etc/firewalld (and the host's /usr/lib/firewalld, Debian 12's,
# the same files as the fixture's), never the machine's own configuration.
offline() { # offline TREE ARGS...
        local tree=$1; shift
        unshare -m --propagation private sh -c 'mount --bind "$1/etc/firewalld" /etc/firewalld && shift && exec firewall-offline-cmd "$@"' \
                _ "$tree" "$@" 2>&1
}

# 1. A worker (no control-plane manifest): 10250/tcp, 30000-32767/tcp and the profile's 8472/udp, added
#    to a copy of the vendor's public zone, the default zone of /etc/firewalld/firewalld.conf.
T=$(new_tree preflight-deb)
run check --root "$T" --only firewall --profile "$WORK/worker.yaml"
expect_rc "worker: check" 1
contains "worker: the ports the zone lacks" "$OUT" "[firewall] drift: firewalld zone public lacks 10250/tcp, 30000-32767/tcp, 8472/udp for a worker"
contains "worker: why a worker" "$OUT" "worker: role auto, no /etc/kubernetes/manifests/kube-apiserver.yaml"
contains "worker: the file, copied from the vendor's" "$OUT" "/etc/firewalld/zones/public.xml: add 10250/tcp, 30000-32767/tcp, 8472/udp (a copy of /usr/lib/firewalld/zones/public.xml)"
[ ! -e "$T/$ZONE" ] && pass "worker: check wrote nothing" || fail "worker: check wrote the zone"
run apply --root "$T" --only firewall --profile "$WORK/worker.yaml" -o json
expect_rc "worker: apply" 0
printf '%s' "$OUT" >"$WORK/worker.json"
ok "worker: changed, one file, no reload with --root" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "firewall"][0]
assert r["status"] == "changed", r
assert [c["path"] for c in r["changes"]] == ["/etc/firewalld/zones/public.xml"], r["changes"]
assert r["actions"] == [], r["actions"]' "$WORK/worker.json"
same_file "worker: the zone as expected" "$T/$ZONE" "$EXP/preflight-deb-worker/$ZONE"
[ "$(stat -c %a "$T/$ZONE")" = 644 ] && pass "worker: mode 0644" || fail "worker: mode $(stat -c %a "$T/$ZONE")"
d=$(diff -r --no-dereference -x zones -x var "$FIXTURES/nodes/preflight-deb" "$T" 2>&1)
[ -z "$d" ] && pass "worker: nothing else changed" || fail "worker: other files changed" "$d"
if [ -n "$have_oracle" ]; then
        contains "worker: firewall-offline-cmd lists the ports" "$(offline "$T" --zone=public --list-ports | words)" "10250/tcp 30000-32767/tcp 8472/udp "
        contains "worker: public is the default zone" "$(offline "$T" --get-default-zone)" "public"
        # firewalld itself, adding the same ports to the vendor's zone, writes the same bytes.
        O=$(new_tree preflight-deb oracle)
        mkdir -p "$O/etc/firewalld/zones"
        for p in 10250/tcp 30000-32767/tcp 8472/udp; do offline "$O" --zone=public --add-port=$p >/dev/null; done
        same_file "worker: the bytes firewall-offline-cmd writes" "$T/$ZONE" "$O/$ZONE"
else
        skip "worker: firewall-offline-cmd oracle" "needs root and firewall-offline-cmd (Debian package firewalld)"
fi
run apply --root "$T" --only firewall --profile "$WORK/worker.yaml"
expect_rc "worker: second apply" 0
contains "worker: ok" "$OUT" "[firewall] ok: firewalld zone public allows the worker's ports (10250/tcp, 30000-32767/tcp, 8472/udp)"
run rollback --root "$T"
expect_rc "worker: rollback" 0
[ ! -e "$T/$ZONE" ] && pass "worker: rollback removes the copy" || fail "worker: the zone is still there"

# 2. A control plane (its kube-apiserver manifest) whose own public zone already allows 6443/tcp and the
#    kubelet service (10250/tcp, from /usr/lib/firewalld/services/kubelet.xml): only the rest is added,
#    after its last <port>.
T=$(new_tree preflight-deb cp)
mkdir -p "$T/etc/kubernetes/manifests" "$T/etc/firewalld/zones"
touch "$T/etc/kubernetes/manifests/kube-apiserver.yaml"
printf '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <service name="kubelet"/>\n  <port port="6443" protocol="tcp"/>\n</zone>\n' >"$T/$ZONE"
chmod 600 "$T/$ZONE"
run apply --root "$T" --only firewall
expect_rc "control plane: apply" 0
contains "control plane: only what is missing" "$OUT" "/etc/firewalld/zones/public.xml: add 2379-2380/tcp, 10257/tcp, 10259/tcp"
same_file "control plane: the zone as expected" "$T/$ZONE" "$EXP/preflight-deb-control-plane/$ZONE"
[ "$(stat -c %a "$T/$ZONE")" = 600 ] && pass "control plane: the file keeps its mode" || fail "control plane: mode $(stat -c %a "$T/$ZONE")"
if [ -n "$have_oracle" ]; then
        contains "control plane: firewall-offline-cmd reads the zone" "$(offline "$T" --zone=public --list-ports | words)" "10257/tcp 10259/tcp 2379-2380/tcp 6443/tcp "
        contains "control plane: and its services" "$(offline "$T" --zone=public --list-services | words)" "kubelet ssh "
fi
run check --root "$T" --only firewall
expect_rc "control plane: complies" 0
contains "control plane: ok, with the role's reason" "$OUT" "[firewall] ok: firewalld zone public allows the control plane's ports (6443/tcp, 2379-2380/tcp, 10250/tcp, 10257/tcp, 10259/tcp)"
run check --root "$T" --only firewall --profile "$WORK/worker.yaml"
expect_rc "control plane: extraPorts apply to every role" 1
contains "control plane: auto still finds the manifest" "$OUT" "[firewall] drift: firewalld zone public lacks 8472/udp for a control plane"

# 3. The zone of the node's interface: nodeIP names eth1, which /etc/firewalld/zones/internal.xml binds.
T=$(new_tree preflight-deb eth1)
mkdir -p "$T/etc/firewalld/zones"
printf '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Internal</short>\n  <interface name="eth1"/>\n  <service name="ssh"/>\n</zone>\n' >"$T/etc/firewalld/zones/internal.xml"
run apply --root "$T" --only firewall --profile "$WORK/eth1.yaml"
expect_rc "interface zone: apply" 0
contains "interface zone: internal, not public" "$OUT" "firewalld zone internal (bound to eth1) lacks 10250/tcp, 30000-32767/tcp"
same_file "interface zone: the file as expected" "$T/etc/firewalld/zones/internal.xml" "$EXP/preflight-deb-interface/etc/firewalld/zones/internal.xml"
[ ! -e "$T/$ZONE" ] && pass "interface zone: the default zone is left" || fail "interface zone: public written"
[ -n "$have_oracle" ] && contains "interface zone: firewall-offline-cmd agrees" "$(offline "$T" --get-zone-of-interface=eth1)" "internal"

# 4. A default zone that accepts everything (target ACCEPT) needs no port; firewalld not enabled needs nothing.
T=$(new_tree preflight-deb trusted)
sed -i 's/^DefaultZone=.*/DefaultZone=trusted/' "$T/etc/firewalld/firewalld.conf"
mkdir -p "$T/etc/firewalld/zones"
printf '<?xml version="1.0" encoding="utf-8"?>\n<zone target="ACCEPT">\n  <short>Trusted</short>\n</zone>\n' >"$T/etc/firewalld/zones/trusted.xml"
run check --root "$T" --only firewall
expect_rc "trusted: complies" 0
contains "trusted: said so" "$OUT" "[firewall] ok: firewalld zone trusted accepts all traffic (target ACCEPT)"
# systemctl disable firewalld: both links go; the D-Bus alias alone would not start it at boot.
rm "$T/etc/systemd/system/multi-user.target.wants/firewalld.service"
run check --root "$T" --only firewall
expect_rc "not enabled: complies" 0
contains "not enabled: said so" "$OUT" "[firewall] ok: neither firewalld nor ufw is enabled"

# 5. A zone file kubeprep cannot read is refused, untouched; so is a default zone without any file.
T=$(new_tree preflight-deb bad)
mkdir -p "$T/etc/firewalld/zones"
printf '<?xml version="1.0"?>\n<!DOCTYPE zone [<!ENTITY p "6443">]>\n<zone>\n  <port port="&p;" protocol="tcp"/>\n</zone>\n' >"$T/$ZONE"
cp "$T/$ZONE" "$WORK/bad.xml"
run apply --root "$T" --only firewall
expect_rc "malformed zone: refused" 2
contains "malformed zone: file and line" "$OUT" "[firewall] error: /etc/firewalld/zones/public.xml: line 2: a DOCTYPE or other declaration, which firewalld's files do not have; the file was not changed"
same_file "malformed zone: untouched" "$T/$ZONE" "$WORK/bad.xml"
rm "$T/$ZONE"
sed -i 's/^DefaultZone=.*/DefaultZone=nosuch/' "$T/etc/firewalld/firewalld.conf"
run check --root "$T" --only firewall
expect_rc "unknown zone: refused" 2
contains "unknown zone: said so" "$OUT" "[firewall] error: zone nosuch (DefaultZone in /etc/firewalld/firewalld.conf): neither /etc/firewalld/zones/nosuch.xml nor /usr/lib/firewalld/zones/nosuch.xml exists"

# 6. ufw enabled: the ports its rules lack, as `ufw allow` commands; nothing is edited, so apply stays drift.
T=$(new_tree preflight-deb ufw)
rm "$T/etc/systemd/system/multi-user.target.wants/firewalld.service" "$T/etc/systemd/system/dbus-org.fedoraproject.FirewallD1.service"
mkdir -p "$T/etc/ufw"
printf '# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=low\n' >"$T/etc/ufw/ufw.conf"
printf '*filter\n### RULES ###\n\n### tuple ### allow tcp 10250 0.0.0.0/0 any 0.0.0.0/0 in\n-A ufw-user-input -p tcp --dport 10250 -j ACCEPT\n### END RULES ###\nCOMMIT\n' >"$T/etc/ufw/user.rules"
before=$(tree_state "$T")
run apply --root "$T" --only firewall --profile "$WORK/worker.yaml"
expect_rc "ufw: apply cannot fix it" 1
contains "ufw: the missing ports" "$OUT" "[firewall] drift: ufw is enabled and does not allow 30000-32767/tcp, 8472/udp for a worker"
contains "ufw: the command for a range" "$OUT" "run: ufw allow 30000:32767/tcp"
contains "ufw: the command for the extra port" "$OUT" "run: ufw allow 8472/udp"
not_contains "ufw: the allowed port is not repeated" "$OUT" "ufw allow 10250/tcp"
[ "$(tree_state "$T")" = "$before" ] && pass "ufw: nothing written" || fail "ufw: the tree changed"

done_testing
