#!/usr/bin/env bash
# Restarts after a live apply, over sd-bus, against a mock systemd on a
# private bus (tests/dbusmock). kubeprep runs live in a private mount
# namespace over scratch copies of /etc and a tmpfs /var/lib, so the
# machine's own files are never changed. Changed units are restarted once,
# in order; unchanged and inactive ones are not; a failed job fails the fix.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (live apply in a mount namespace)"
command -v unshare >/dev/null || skip_all "unshare not available"

if [ "${1:-}" != --inside ]; then
        # Re-run this script on a private bus with a mock systemd, in its own mount namespace.
        "$SOURCE_ROOT/tests/dbusmock/run-with-mock-systemd.sh" \
                unshare -m --propagation private bash "$0" --inside
        exit $?
fi

MOCK="$SOURCE_ROOT/tests/dbusmock/mockctl"
NODE="$FIXTURES/nodes/centos7"
cp -a /etc "$WORK/etc"
mount --bind "$WORK/etc" /etc || skip_all "cannot bind-mount over /etc"
mount -t tmpfs tmpfs /var/lib || skip_all "cannot mount a tmpfs over /var/lib"

# Put the sample node's runtime files in place. With the aarch64 profile (cgroupfs), docker's
# daemon.json and containerd's disabled CRI need fixing; the kubelet already agrees.
reset_node() {
        rm -rf /etc/docker /etc/containerd /var/lib/kubelet /var/lib/kubeprep
        mkdir -p /etc/docker /etc/containerd /var/lib/kubelet
        cp "$NODE/etc/docker/daemon.json" /etc/docker/
        cp "$NODE/etc/containerd/config.toml" /etc/containerd/
        cp "$NODE/var/lib/kubelet/config.yaml" "$NODE/var/lib/kubelet/kubeadm-flags.env" /var/lib/kubelet/
}
restarts() { "$MOCK" counts | tr '\n' ' '; }

for u in containerd docker kubelet; do "$MOCK" set $u.service active; done
reset_node
run apply --only cgroup-driver --profile aarch64 -o json
expect_rc "apply restarts what it changed" 0
[ "$(restarts)" = "containerd.service docker.service " ] && pass "containerd then docker restarted once each; the unchanged kubelet not" \
        || fail "restarts: $(restarts)" "$OUT"
[ "$("$MOCK" reloads)" = 1 ] && pass "systemd reloaded once" || fail "reloads: $("$MOCK" reloads)"
printf '%s' "$OUT" >"$WORK/a.json"
ok "the report lists each restart once, done" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert [(x["unit"], x["status"]) for x in r["restarts"]] == [("containerd.service", "done"), ("docker.service", "done")], r["restarts"]' "$WORK/a.json"
grep -q '"native.cgroupdriver=cgroupfs"' /etc/docker/daemon.json && pass "daemon.json written" || fail "daemon.json not written"

run apply --only cgroup-driver --profile aarch64
expect_rc "a second apply" 0
[ "$(restarts)" = "containerd.service docker.service " ] && pass "a second apply restarts nothing" || fail "restarts: $(restarts)"

# An inactive unit is not restarted.
reset_node
"$MOCK" set docker.service inactive
run apply --only cgroup-driver --profile aarch64
expect_rc "apply with docker stopped" 0
contains "the report says docker is not running" "$OUT" "restart docker.service: not running"
[ "$(restarts)" = "containerd.service docker.service containerd.service " ] && pass "docker (inactive) was not restarted" || fail "restarts: $(restarts)"
"$MOCK" set docker.service active

# A failed restart job is a failed fix: exit 1, the unit named.
reset_node
"$MOCK" result docker.service failed
run apply --only cgroup-driver --profile aarch64
expect_rc "a failing docker restart" 1
contains "the unit is named as failed" "$OUT" "restart docker.service: failed"
contains "the fixer reports it" "$OUT" "[cgroup-driver] error: the configuration was written, but restarting docker.service failed"
"$MOCK" result docker.service done

# --no-restart, and no bus at all: the restarts are left for the operator.
reset_node
before=$(restarts)
run apply --only cgroup-driver --profile aarch64 --no-restart
expect_rc "--no-restart" 0
contains "--no-restart leaves the restart to the operator" "$OUT" "restart docker.service: left: --no-restart; restart it with 'systemctl restart docker.service'"
[ "$(restarts)" = "$before" ] && pass "--no-restart restarted nothing" || fail "restarts: $(restarts)"
reset_node
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus run apply --only cgroup-driver --profile aarch64
expect_rc "no system bus: the files are still fixed" 0
contains "no bus: the restart is left, with the reason" "$OUT" "restart containerd.service: left: cannot connect to the system bus"

done_testing
