#!/usr/bin/env bash
# The sysctl fixer live, inside a network namespace made here: net.ipv4.ip_forward and the
# net.bridge.* settings are per namespace, so kubeprep sets them there while the machine's own
# values stay as they are (checked). It runs in a private mount namespace over a scratch /etc,
# empty vendor sysctl.d directories and a tmpfs /var/lib, so no file of the machine changes. The
# inotify limits are not per network namespace: a scratch directory is mounted over
# /proc/sys/fs/inotify in that mount namespace, so kubeprep reads and writes its files instead of
# the machine's limits (a lower value raised, a higher one left, a read-only one only reported).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network and mount namespaces)"
for c in ip unshare; do command -v $c >/dev/null || skip_all "$c not available"; done

NS=kp-sc-$$
trap 'ip netns del "$NS" 2>/dev/null; cleanup_work' EXIT
trap 'exit 1' INT TERM HUP

host_values() { cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/bridge/bridge-nf-call-ip*tables 2>/dev/null | tr '\n' ' '; }
host_before=$(host_values)
host_files=$(ls -la /etc/sysctl.d /etc/modules-load.d 2>&1)

ip netns add "$NS" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ns_get() { ip netns exec "$NS" cat "/proc/sys/$(echo "$1" | tr . /)" 2>/dev/null; }
ns_set() { ip netns exec "$NS" sh -c "echo $2 >/proc/sys/$(echo "$1" | tr . /)"; }
ns_set net.ipv4.ip_forward 0 || skip_all "cannot write /proc/sys in the namespace"
bridge=no
if [ -n "$(ns_get net.bridge.bridge-nf-call-iptables)" ]; then
        bridge=yes   # br_netfilter is loaded (built in or a module), and its settings are per namespace here
        ns_set net.bridge.bridge-nf-call-iptables 0
        ns_set net.bridge.bridge-nf-call-ip6tables 0
fi
[ "$(host_values)" = "$host_before" ] && pass "setting up the namespace left the host's values alone" || fail "host values changed by the setup"

cp -a /etc "$WORK/etc"
rm -rf "$WORK"/etc/sysctl.d/* "$WORK/etc/sysctl.conf" "$WORK/etc/modules-load.d/kubeprep.conf"
mkdir -p "$WORK/etc/sysctl.d" "$WORK/empty" "$WORK/inotify"
host_inotify=$(cat /proc/sys/fs/inotify/max_user_instances /proc/sys/fs/inotify/max_user_watches | tr '\n' ' ')
echo 128 >"$WORK/inotify/max_user_instances"
echo 1048576 >"$WORK/inotify/max_user_watches"
INOTIFY_RO=no
kp() { # kp ARGS...: kubeprep, live, in the namespace; sets RC, OUT
        ip netns exec "$NS" unshare -m --propagation private bash -c '
                w=$1; shift
                mount --bind "$w/etc" /etc && mount -t tmpfs tmpfs /var/lib || exit 99
                mount --bind "$w/inotify" /proc/sys/fs/inotify || exit 99
                if [ "$INOTIFY_RO" = yes ]; then mount -o remount,bind,ro /proc/sys/fs/inotify || exit 99; fi
                for d in /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
                        [ -d "$d" ] && ! [ -L "$d" ] && { mount --bind "$w/empty" "$d" || exit 99; }
                done
                exec "$@"
        ' _ "$WORK" "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout" "$WORK/.stderr"); ERR=$(cat "$WORK/.stderr")
}

kp check --only sysctl
expect_rc "check in the namespace" 1
contains "check reads the live ip_forward" "$OUT" "net.ipv4.ip_forward is 0"
contains "check plans the live write" "$OUT" "sysctl net.ipv4.ip_forward=1 (planned)"
[ "$(ns_get net.ipv4.ip_forward)" = 0 ] && pass "check changed nothing live" || fail "check wrote ip_forward"

kp apply --only sysctl -o json
expect_rc "apply in the namespace" 0
printf '%s' "$OUT" >"$WORK/a.json"
want_actions='["net.ipv4.ip_forward=1", "fs.inotify.max_user_instances=8192"]'
[ $bridge = yes ] && want_actions='["net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1", "net.bridge.bridge-nf-call-ip6tables=1", "fs.inotify.max_user_instances=8192"]'
ok "the report lists each live write as done" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sysctl"][0]
assert r["status"] == "changed", r
assert [(a["action"], a["target"], a["status"]) for a in r["actions"]] == [("sysctl", t, "done") for t in json.loads(sys.argv[2])], r["actions"]
' "$WORK/a.json" "$want_actions"
[ "$(ns_get net.ipv4.ip_forward)" = 1 ] && pass "ip_forward is 1 in the namespace" || fail "ip_forward is $(ns_get net.ipv4.ip_forward)"
[ "$(cat "$WORK/inotify/max_user_instances")" = 8192 ] && pass "max_user_instances raised from 128 to 8192" || fail "max_user_instances: $(cat "$WORK/inotify/max_user_instances")"
[ "$(cat "$WORK/inotify/max_user_watches")" = 1048576 ] && pass "max_user_watches 1048576, above the minimum, left as it is" || fail "max_user_watches: $(cat "$WORK/inotify/max_user_watches")"
if [ $bridge = yes ]; then
        [ "$(ns_get net.bridge.bridge-nf-call-iptables)$(ns_get net.bridge.bridge-nf-call-ip6tables)" = 11 ] &&
                pass "bridge-nf-call-iptables and -ip6tables are 1 in the namespace" || fail "bridge settings not set"
else
        skip "bridge settings live" "br_netfilter is not loaded"
        contains "the report says br_netfilter is not loaded" "$OUT" "br_netfilter is not loaded"
fi
same_file "99-kubeprep.conf written in the scratch /etc" "$WORK/etc/sysctl.d/99-kubeprep.conf" "$FIXTURES/expected/sysctl-plain/etc/sysctl.d/99-kubeprep.conf"
same_file "modules-load.d/kubeprep.conf written in the scratch /etc" "$WORK/etc/modules-load.d/kubeprep.conf" "$FIXTURES/expected/sysctl-plain/etc/modules-load.d/kubeprep.conf"

kp apply --only sysctl
expect_rc "a second apply" 0
contains "a second apply finds everything set" "$OUT" "[sysctl] ok: net.ipv4.ip_forward and the bridge netfilter settings are 1 and the inotify limits at least 8192 and 524288, live and persisted"

# /proc/sys read-only, as in a container: a low inotify limit is the host's to raise, said as a
# warning, and nothing is planned for it.
echo 128 >"$WORK/inotify/max_user_instances"
INOTIFY_RO=yes
export INOTIFY_RO
kp apply --only sysctl -o json
INOTIFY_RO=no
expect_rc "read-only inotify limits: apply" 0
printf '%s' "$OUT" >"$WORK/ro.json"
ok "read-only: a warning, no action, status ok" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sysctl"][0]
assert r["status"] == "ok" and r["actions"] == [], r
assert "fs.inotify.max_user_instances is 128, below 8192, and /proc/sys is read-only here: raise it on the host" in r["warnings"], r["warnings"]
' "$WORK/ro.json"
[ "$(cat "$WORK/inotify/max_user_instances")" = 128 ] && pass "read-only: max_user_instances left at 128" || fail "written through a read-only mount"
[ "$(cat /proc/sys/fs/inotify/max_user_instances /proc/sys/fs/inotify/max_user_watches | tr '\n' ' ')" = "$host_inotify" ] &&
        pass "the host's inotify limits are unchanged ($host_inotify)" || fail "host inotify limits changed"

[ "$(host_values)" = "$host_before" ] && pass "the host's ip_forward and bridge settings are unchanged ($host_before)" || fail "host values changed: $(host_values), were $host_before"
[ "$(ls -la /etc/sysctl.d /etc/modules-load.d 2>&1)" = "$host_files" ] && pass "the host's sysctl.d and modules-load.d are unchanged" || fail "host files changed"

done_testing
