#!/usr/bin/env bash
# End to end on a real systemd node (tests/e2e/node.sh): kubeprep installed
# with `meson install` into a booted Debian 12 node and run there live,
# against real systemd, containerd, docker, journal and routes.
. "$(dirname "$0")/../lib.sh"
. "$SOURCE_ROOT/tests/e2e/node.sh"
why=$(node_requirements) || skip_all "$why"
case "$KUBEPREP" in *asan*) skip_all "the node has no sanitizer runtime: run from the normal build" ;; esac
trap node_cleanup EXIT
node_cache_ensure || skip_all "cannot build the node tree (debootstrap needs Debian's archive)"

# A node with kubeprep installed as a package would install it.
new_node() {
        local root
        root=$(node_new "$1")
        meson install -C "$BUILD_DIR" --no-rebuild --quiet --destdir "$root" >/dev/null 2>&1 ||
                { echo "# meson install into the node failed" >&2; return 1; }
        echo "$root"
}
# The seed's runtime mismatch: docker on cgroupfs (its default, no daemon.json),
# containerd with SystemdCgroup = false, a kubelet config.yaml on cgroupfs.
seed_mismatch() {
        local root=$1
        mkdir -p "$root/etc/containerd" "$root/var/lib/kubelet"
        cat >"$root/etc/containerd/config.toml" <<'TOML'
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = false
TOML
        printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\n' \
                >"$root/var/lib/kubelet/config.yaml"
}
kp() { node_exec /usr/local/sbin/kubeprep "$@"; }
docker_driver() { node_exec docker info --format '{{.CgroupDriver}}' 2>/dev/null; }

# 1. The runtime mismatch, fixed live: restarts through sd-bus, each once.
R=$(new_node one) || skip_all "cannot install kubeprep into the node"
seed_mismatch "$R"
node_boot one || { fail "the node boots"; done_testing; }
[ "$(node_exec systemctl is-active containerd docker | tr '\n' ' ')" = "active active " ] \
        && pass "containerd and docker are active in the node" || fail "runtimes not active"
[ "$(docker_driver)" = cgroupfs ] && pass "docker starts on cgroupfs" || fail "docker driver: $(docker_driver)"
out=$(kp apply --only cgroup-driver -o json); rc=$?
[ $rc = 0 ] && pass "apply exits 0" || fail "apply exit $rc" "$out"
printf '%s' "$out" >"$WORK/one.json"
ok "the report lists each restart once: containerd, then docker; no kubelet to restart" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert [(x["unit"], x["status"]) for x in r["restarts"]] == [("containerd.service", "done"), ("docker.service", "done"),
    ("kubelet.service", "not running")], r["restarts"]' "$WORK/one.json"
[ "$(node_exec systemctl is-active containerd docker | tr '\n' ' ')" = "active active " ] \
        && pass "both are active after the restarts" || fail "a runtime is down after apply"
[ "$(docker_driver)" = systemd ] && pass "docker info: Cgroup Driver: systemd" || fail "docker driver: $(docker_driver)"
contains "containerd config dump: SystemdCgroup = true" "$(node_exec containerd config dump 2>/dev/null)" "SystemdCgroup = true"
out=$(kp apply --only cgroup-driver -o json); rc=$?
printf '%s' "$out" >"$WORK/two.json"
ok "a second apply exits 0 and restarts nothing" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["exitCode"] == 0 and r["restarts"] == [], r["restarts"]' "$WORK/two.json"

# 2. The aarch64 profile on the same node: everything back on cgroupfs.
out=$(kp apply --only cgroup-driver --profile aarch64); rc=$?
[ $rc = 0 ] && pass "apply --profile aarch64 exits 0" || fail "exit $rc" "$out"
[ "$(node_exec systemctl is-active docker)" = active ] && pass "docker active on cgroupfs" || fail "docker down"
[ "$(docker_driver)" = cgroupfs ] && pass "docker info: Cgroup Driver: cgroupfs" || fail "docker driver: $(docker_driver)"
contains "containerd back on SystemdCgroup = false" "$(node_exec containerd config dump 2>/dev/null)" "SystemdCgroup = false"
node_poweroff

# 3. A docker that cannot start: daemon.json holds a key docker rejects. The restart fails,
#    the report names the unit and quotes its last error, and rollback restores the file.
R=$(new_node three)
mkdir -p "$R/etc/docker"
printf '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"],\n  "no-such-docker-option": true\n}\n' >"$R/etc/docker/daemon.json"
cp "$R/etc/docker/daemon.json" "$WORK/daemon.json.orig"
node_boot three
out=$(kp apply --only cgroup-driver); rc=$?
[ $rc = 1 ] && pass "a failed restart: apply exits 1" || fail "exit $rc" "$out"
contains "the unit is named as failed" "$out" "restart docker.service: failed"
contains "with docker's own last error" "$out" "no-such-docker-option"
out=$(kp rollback); rc=$?
[ $rc = 0 ] && pass "rollback exits 0" || fail "rollback exit $rc" "$out"
same_file "rollback restores daemon.json byte for byte" "$R/etc/docker/daemon.json" "$WORK/daemon.json.orig"
node_poweroff

# 4. Networking inside the node: a veth with 192.0.2.10/24 and no default route. apply --only
#    gateway,sysctl adds the route over rtnetlink and ip_forward = 1 in the node's namespace, and
#    persists both (networkd, sysctl.d); the machine outside is untouched.
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward); host_route=$(ip -4 route show default)
R=$(new_node four)
mkdir -p "$R/etc/systemd/network" "$R/etc/kubeprep/profiles"
printf '[Match]\nName=kp0\n\n[Network]\nAddress=192.0.2.10/24\n' >"$R/etc/systemd/network/10-kp0.network"
printf 'extends: default\ngateway:\n  address: 192.0.2.1\n' >"$R/etc/kubeprep/profiles/site.yaml"
node_boot four
node_exec sh -c 'ip link add kp0 type veth peer name kp1 && ip addr add 192.0.2.10/24 dev kp0 &&
        ip link set kp0 up && ip link set kp1 up && sysctl -qw net.ipv4.ip_forward=0'
[ -z "$(node_exec ip -4 route show default)" ] && pass "the node starts with no default route" || fail "a default route exists"
out=$(kp apply --only gateway,sysctl --profile site); rc=$?
[ $rc = 0 ] && pass "apply --only gateway,sysctl exits 0" || fail "exit $rc" "$out"
contains "the default route was added over rtnetlink" "$(node_exec ip -4 route show default)" "default via 192.0.2.1 dev kp0"
[ "$(node_exec cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && pass "ip_forward = 1 in the node" || fail "ip_forward not set"
contains "the route persists in the networkd file" "$(cat "$R/etc/systemd/network/10-kp0.network")" "Gateway=192.0.2.1"
contains "ip_forward persists in sysctl.d" "$(cat "$R/etc/sysctl.d/99-kubeprep.conf")" "net.ipv4.ip_forward = 1"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] && [ "$(ip -4 route show default)" = "$host_route" ] \
        && pass "the machine's own ip_forward and default route are unchanged" || fail "the host changed"
node_poweroff

# 6. diagnose reads the node's real journal: a stand-in kubelet that fails with the cgroup driver
#    mismatch and is restarted by systemd a few times, as a failing kubelet is.
R=$(new_node six)
mkdir -p "$R/usr/local/bin"
cat >"$R/usr/local/bin/failing-kubelet" <<'SH'
#!/bin/sh
# What a kubelet on cgroupfs prints next to docker on systemd, then exits 1.
cat <<'MSG'
E1127 10:00:00.000000    4242 server.go:302] "Failed to run kubelet" err="failed to run Kubelet: misconfiguration: kubelet cgroup driver: \"cgroupfs\" is different from docker cgroup driver: \"systemd\""
MSG
exit 1
SH
chmod +x "$R/usr/local/bin/failing-kubelet"
# Restarted as a failing kubelet is, until systemd gives up after the fourth start.
printf '[Unit]\nDescription=stand-in failing kubelet\nStartLimitIntervalSec=120\nStartLimitBurst=4\n[Service]\nExecStart=/usr/local/bin/failing-kubelet\nRestart=always\nRestartSec=0.3\n' \
        >"$R/etc/systemd/system/kubelet.service"
node_boot six
node_exec systemctl start kubelet.service >/dev/null 2>&1
for _ in $(seq 1 100); do
        [ "$(node_exec systemctl show kubelet.service -p Result --value)" = start-limit-hit ] && break
        sleep 0.2
done
# StartLimitBurst=4: four starts ran before systemd refused a fifth (start-limit-hit).
starts=4
restarts=$(node_exec systemctl show kubelet.service -p NRestarts --value)
[ "$restarts" -ge 3 ] && pass "the stand-in kubelet failed and was restarted by systemd ($restarts restarts)" || fail "only $restarts restarts"
out=$(kp diagnose -o json); rc=$?
[ $rc = 1 ] && pass "diagnose finds a known problem (exit 1)" || fail "diagnose exit $rc" "$out"
printf '%s' "$out" >"$WORK/diag.json"
ok "the mismatch is found once, counted per start, with its fixer" $PYTHON - "$WORK/diag.json" "$starts" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
probs = r["problems"]
assert len(probs) == 1, probs
p = probs[0]
assert p["fixer"] == "cgroup-driver" and p["count"] == int(sys.argv[2]), p
assert "kubeprep apply --only cgroup-driver" in p["command"], p
PY
node_poweroff

# 5. kubeprep.service enabled runs at the next boot, before containerd and docker;
#    the kubelet drop-in is loaded next to a stand-in kubelet.service. The node's own
#    profile turns the gateway off: this node's only network is its loopback.
R=$(new_node five)
seed_mismatch "$R"
mkdir -p "$R/etc/kubeprep/profiles"
printf 'extends: default\ngateway:\n  ensure: false\n' >"$R/etc/kubeprep/profiles/default.yaml"
printf '[Unit]\nDescription=stand-in kubelet\n[Service]\nExecStart=/bin/sleep infinity\n' \
        >"$R/etc/systemd/system/kubelet.service"
node_boot five
node_exec systemctl enable kubeprep.service >/dev/null 2>&1 && pass "systemctl enable kubeprep.service" || fail "enable failed"
node_exec systemctl reboot >/dev/null 2>&1
wait "$NODE_NSPAWN" 2>/dev/null; NODE_NSPAWN=
node_boot five
state=$(node_exec systemctl show kubeprep.service -p Result -p ActiveState --value | tr '\n' ' ')
[ "$state" = "success active " ] && pass "kubeprep.service ran at boot and succeeded" || fail "kubeprep.service: $state"
contains "systemctl status shows it exited successfully" "$(node_exec systemctl status kubeprep.service 2>&1)" "status=0/SUCCESS"
t_kp=$(node_exec systemctl show kubeprep.service -p ExecMainExitTimestampMonotonic --value)
for u in containerd docker; do
        t_u=$(node_exec systemctl show $u.service -p ExecMainStartTimestampMonotonic --value)
        [ "$t_kp" -gt 0 ] && [ "$t_kp" -le "$t_u" ] && pass "kubeprep finished before $u started" || fail "$u started at $t_u, kubeprep finished at $t_kp"
done
[ "$(docker_driver)" = systemd ] && pass "docker came up on systemd, fixed before it started" || fail "docker driver: $(docker_driver)"
contains "systemctl cat kubelet shows kubeprep's drop-in, its run bounded" "$(node_exec systemctl cat kubelet.service 2>&1)" "ExecStartPre=-/usr/bin/timeout --kill-after=5 40 /usr/local/sbin/kubeprep apply"
node_poweroff

# 7 and 8: the field guide's two nodes through `kubeprep kubeadm -- join`, with tests/tools/fake-kubeadm
# as kubeadm and a stand-in kubelet under a real kubelet.service (the kubeadm package's drop-in, and
# kubeprep's), so kubeadm's restart and kubeprep's are systemd's. The stand-in records the config.yaml
# and the arguments of each start.
kubelet_node() { # kubelet_node NAME KUBELET-VERSION: a node with the kubelet and kubeadm installed
        local r
        r=$(new_node "$1") || return 1
        mkdir -p "$r/usr/bin" "$r/usr/local/bin" "$r/etc/systemd/system/kubelet.service.d" "$r/etc/kubeprep/profiles"
        cp "$SOURCE_ROOT/tests/tools/fake-kubeadm" "$r/usr/local/bin/kubeadm"
        echo "$2" >"$r/etc/stub-kubelet-version"
        cat >"$r/usr/bin/kubelet" <<'SH'
#!/bin/sh
# A stand-in kubelet: answers --version; otherwise records what it starts with, and stays up.
[ "$1" = --version ] && { echo "Kubernetes v$(cat /etc/stub-kubelet-version)"; exit 0; }
{ echo "start $*"; sha256sum /var/lib/kubelet/config.yaml; } >>/run/stub-kubelet.log 2>&1
exec sleep infinity
SH
        chmod +x "$r/usr/bin/kubelet"
        printf '[Unit]\nDescription=stand-in kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\nRestartSec=1\n' \
                >"$r/etc/systemd/system/kubelet.service"
        # The kubeadm package's drop-in (its last line, with curly quotes, is that repository's own mistake).
        sed '$d' "$SOURCE_ROOT/tests/corpus/kubeadm-dropin/04-CY-Gu_Kubernetes_install_tutorial-10-kubeadm.conf" \
                >"$r/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
        echo "$r"
}
# The kubelet is up, and its last start read the config.yaml now on disk. kubeadm's restart is a job
# systemd may still be running when kubeadm returns (its drop-in runs kubeprep first): wait for it.
kubelet_settled() {
        local want i
        want=$(sha256sum "$R/var/lib/kubelet/config.yaml" | cut -d' ' -f1)
        for i in $(seq 1 100); do
                [ "$(node_exec systemctl is-active kubelet.service)" = active ] &&
                        [ "$(node_exec tail -n 1 /run/stub-kubelet.log 2>/dev/null | cut -d' ' -f1)" = "$want" ] && return 0
                sleep 0.1
        done
        return 1
}

# 7. The aarch64 worker: its profile (aarch64 without the gateway, this node has no network) for
#    kubeprep and for the drop-in; kubeadm 1.30 writes cgroupDriver: systemd, the patch says cgroupfs.
R=$(kubelet_node seven 1.30.2) || fail "cannot install kubeprep into the node"
printf 'extends: aarch64\ngateway:\n  ensure: false\n' >"$R/etc/kubeprep/profiles/arm-node.yaml"
echo KUBEPREP_PROFILE=arm-node >"$R/etc/kubeprep/kubeprep.env"
node_boot seven
out=$(node_exec env FAKE_KUBEADM_VERSION=1.30.2 /usr/local/sbin/kubeprep kubeadm --profile arm-node -- \
        join 192.0.2.1:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification 2>&1); rc=$?
[ $rc = 0 ] && pass "aarch64 worker: kubeprep kubeadm -- join exits 0" || fail "exit $rc" "$out"
contains "aarch64 worker: kubeadm 1.30 got kubeprep's patch" "$out" "--patches /etc/kubeprep/patches"
grep -qx 'cgroupDriver: cgroupfs' "$R/var/lib/kubelet/config.yaml" && pass "aarch64 worker: config.yaml says cgroupfs" \
        || fail "config.yaml" "$(cat "$R/var/lib/kubelet/config.yaml")"
kubelet_settled && pass "aarch64 worker: the kubelet runs, started on the final config.yaml" \
        || fail "the kubelet is not running on the final config.yaml" "$(node_exec cat /run/stub-kubelet.log)"
out=$(node_exec /usr/local/sbin/kubeprep check --profile arm-node); rc=$?
[ $rc = 0 ] && pass "aarch64 worker: the check afterwards is clean" || fail "check exit $rc" "$out"
node_poweroff

# 8. The guide's node1: kubelet and kubeadm 1.16, the eviction flags its operator put into the old
#    kubeadm-flags.env, and a control plane 1.22 at 192.0.2.1:6443 (tests/tools/test-apiserver.py, run in the
#    node's network namespace, with a CA and certificate made here).
R=$(kubelet_node eight 1.16.0)
printf 'extends: default\ngateway:\n  ensure: false\n' >"$R/etc/kubeprep/profiles/default.yaml"
mkdir -p "$R/var/lib/kubelet"
cp "$FIXTURES/nodes/field-guide-eviction/var/lib/kubelet/kubeadm-flags.env" "$R/var/lib/kubelet/"
apiserver_certs "$WORK" && cp "$WORK/ca.crt" "$R/root/ca.crt" || fail "openssl could not make the certificates"
printf '{"major": "1", "minor": "22", "gitVersion": "v1.22.2"}' >"$WORK/answer"
node_boot eight
node_exec ip addr add 192.0.2.1/32 dev lo
mkfifo "$WORK/ready"
nsenter -t "$NODE_PID" -n $PYTHON "$SOURCE_ROOT/tests/tools/test-apiserver.py" "$WORK/apiserver.crt" \
        "$WORK/apiserver.key" "$WORK/answer" >"$WORK/ready" 2>"$WORK/apiserver.log" &
server=$!
read -r line <"$WORK/ready"
[ "$line" = listening ] && pass "node1: the control plane's API server listens in the node's network" \
        || fail "no API server" "$(cat "$WORK/apiserver.log")"
out=$(node_exec env FAKE_KUBEADM_VERSION=1.16.0 FAKE_KUBEADM_CA=/root/ca.crt /usr/local/sbin/kubeprep kubeadm -- \
        join 192.0.2.1:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification 2>&1); rc=$?
# Exit 1: 1.16 against 1.22 is outside the version skew policy; only upgrading the kubelet fixes that.
[ $rc = 1 ] && pass "node1: kubeprep kubeadm -- join exits 1 (the skew policy)" || fail "exit $rc" "$out"
contains "node1: kubeadm 1.16 got no --patches, and kubeprep said why" "$out" "[kubeadm] kubeadm 1.16.0 has no --patches"
ok "node1: config.yaml has featureGates.CSIMigration: false" $PYTHON -c '
import sys, yaml; c = yaml.safe_load(open(sys.argv[1])); assert c["featureGates"] == {"CSIMigration": False}, c' \
        "$R/var/lib/kubelet/config.yaml"
flags=$(cat "$R/var/lib/kubelet/kubeadm-flags.env")
contains "node1: the eviction flags are in the new kubeadm-flags.env" "$flags" "--eviction-soft=memory.available<500Mi"
contains "node1: --network-plugin kept" "$flags" "--network-plugin=cni"
kubelet_settled && pass "node1: the kubelet runs, started on the final config.yaml" \
        || fail "the kubelet is not running on the final config.yaml" "$(node_exec cat /run/stub-kubelet.log)"
contains "node1: and got the eviction flags" "$(node_exec tail -n 2 /run/stub-kubelet.log)" "--eviction-soft=memory.available<500Mi"
out=$(node_exec /usr/local/sbin/kubeprep check -o json); rc=$?
printf '%s' "$out" >"$WORK/node1.json"
ok "node1: the check afterwards finds only the skew, and names the API server" $PYTHON - "$WORK/node1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["node"]["controlPlaneVersion"] == "1.22.2", r["node"]
assert r["node"]["controlPlaneVersionFrom"] == "https://192.0.2.1:6443/version (kubelet.conf)", r["node"]
bad = [(x["fixer"], x["status"], x["message"]) for x in r["results"] if x["status"] not in ("ok", "skipped")]
assert [b[:2] for b in bad] == [("csi-migration", "drift")] and "outside the version skew policy" in bad[0][2], bad
PY
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
node_poweroff

# 9. A containerd drop-in overriding SystemdCgroup: config.toml imports conf.d/*.toml and
#    runs runc on systemd, but 10-runc.toml replaces the CRI plugin's table with SystemdCgroup = false.
#    kubeprep edits the drop-in, containerd restarts for real and its own `config dump` shows runc
#    on systemd. boot-units enables a stand-in kubelet.service and does not start it.
R=$(new_node nine)
mkdir -p "$R/etc/containerd/conf.d"
cat >"$R/etc/containerd/config.toml" <<'TOML'
version = 2
imports = ["/etc/containerd/conf.d/*.toml"]

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
TOML
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n' \
        >"$R/etc/containerd/conf.d/10-runc.toml"
cp "$R/etc/containerd/config.toml" "$WORK/nine-main.orig"
printf '[Unit]\nDescription=stand-in kubelet\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' \
        >"$R/etc/systemd/system/kubelet.service"
node_boot nine
runc_dump() { # SystemdCgroup and runtime_type of runc, as the node's containerd merges its files
        node_exec containerd config dump 2>/dev/null | $PYTHON -c '
import sys, tomllib
runc = tomllib.loads(sys.stdin.read())["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["runc"]
print("SystemdCgroup=%s runtime_type=%s" % (runc.get("options", {}).get("SystemdCgroup", False), runc.get("runtime_type", "")))'
}
[ "$(node_exec systemctl is-active containerd)" = active ] && pass "drop-in node: containerd active" || fail "containerd not active"
[ "$(runc_dump)" = "SystemdCgroup=False runtime_type=" ] && pass "drop-in node: containerd runs runc on cgroupfs, from the drop-in" ||
        fail "drop-in node: containerd before: $(runc_dump)"
pid_before=$(node_exec systemctl show containerd.service -p MainPID --value)
out=$(kp check --only cgroup-driver); rc=$?
[ $rc = 1 ] && pass "drop-in node: check exits 1" || fail "check exit $rc" "$out"
contains "drop-in node: check names the drop-in" "$out" "containerd uses cgroupfs (from /etc/containerd/conf.d/10-runc.toml)"
out=$(kp apply --only cgroup-driver,boot-units -o json); rc=$?
[ $rc = 0 ] && pass "drop-in node: apply exits 0" || fail "apply exit $rc" "$out"
printf '%s' "$out" >"$WORK/nine.json"
# docker (on cgroupfs by default) gets systemd too, as in 1.
ok "drop-in node: containerd restarted once (then docker), the kubelet enabled, not restarted" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert [(x["unit"], x["status"]) for x in r["restarts"]] == [("containerd.service", "done"), ("docker.service", "done")], r["restarts"]
b = [x for x in r["results"] if x["fixer"] == "boot-units"][0]
assert [(a["action"], a["target"], a["status"]) for a in b["actions"]] == [("enable", "kubelet.service", "done")], b' "$WORK/nine.json"
pid_after=$(node_exec systemctl show containerd.service -p MainPID --value)
[ "$(node_exec systemctl is-active containerd)" = active ] && [ "$pid_after" != "$pid_before" ] &&
        pass "drop-in node: containerd really restarted (pid $pid_before -> $pid_after) and is active" ||
        fail "drop-in node: containerd pid $pid_before -> $pid_after, $(node_exec systemctl is-active containerd)"
[ "$(runc_dump)" = "SystemdCgroup=True runtime_type=io.containerd.runc.v2" ] &&
        pass "drop-in node: containerd config dump: runc as io.containerd.runc.v2 on systemd" || fail "drop-in node: containerd after: $(runc_dump)"
same_file "drop-in node: config.toml untouched" "$R/etc/containerd/config.toml" "$WORK/nine-main.orig"
[ "$(node_exec systemctl is-enabled kubelet.service)" = enabled ] && pass "drop-in node: systemctl is-enabled kubelet: enabled" ||
        fail "kubelet: $(node_exec systemctl is-enabled kubelet.service)"
[ "$(node_exec systemctl is-active kubelet.service)" = inactive ] && pass "drop-in node: the kubelet was not started" ||
        fail "kubelet: $(node_exec systemctl is-active kubelet.service)"
out=$(kp apply --only cgroup-driver,boot-units -o json)
printf '%s' "$out" >"$WORK/nine2.json"
ok "drop-in node: a second apply changes and restarts nothing" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["exitCode"] == 0 and r["restarts"] == [], r' "$WORK/nine2.json"
node_poweroff

# 10. The preflight fixers live, against the node's real firewalld, systemd and NSS: a worker's ports
#    (and the profile's extra one) into firewalld's public zone, then a reload over D-Bus, read back
#    from the running firewalld; the hostname into /etc/hosts, read back with getent; a disabled
#    systemd-timesyncd enabled over sd-bus (EnableUnitFiles, StartUnit: in a container its
#    ConditionVirtualization keeps it stopped), with the profile's server in kubeprep's drop-in.
R=$(new_node ten)
rm -f "$R/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service" \
        "$R/etc/systemd/system/dbus-org.freedesktop.timesync1.service"
mkdir -p "$R/etc/kubeprep/profiles"
printf 'extends: default\nrole: worker\nfirewall:\n  extraPorts: [8472/udp]\nntp:\n  servers: [ntp1.example.com]\n' \
        >"$R/etc/kubeprep/profiles/site.yaml"
node_boot ten
name=$(node_exec hostname)
[ "$(node_exec systemctl is-active firewalld)" = active ] && pass "firewalld runs in the node" || fail "firewalld is not active"
[ "$(node_exec systemctl is-enabled systemd-timesyncd)" = disabled ] && pass "systemd-timesyncd starts disabled" || fail "timesyncd is enabled"
[ -z "$(node_exec getent hosts "$name")" ] && pass "the hostname $name does not resolve yet" || fail "$name resolves before"
out=$(kp check --only firewall,hostname,time-sync --profile site); rc=$?
[ $rc = 1 ] && pass "check finds drift (exit 1)" || fail "check exit $rc" "$out"
contains "the zone lacks the worker's ports" "$out" "[firewall] drift: firewalld zone public lacks 10250/tcp, 30000-32767/tcp, 8472/udp for a worker"
contains "a reload is planned" "$out" "reload firewalld (planned)"
contains "the hostname does not resolve" "$out" "[hostname] drift: $name (the kernel's hostname) does not resolve"
contains "timesyncd is to be enabled and started" "$out" "enable --now systemd-timesyncd.service (planned)"
out=$(kp apply --only firewall,hostname,time-sync --profile site -o json); rc=$?
[ $rc = 0 ] && pass "apply exits 0" || fail "apply exit $rc" "$out"
printf '%s' "$out" >"$WORK/seven.json"
ok "the reload and the enable were done over D-Bus" $PYTHON -c '
import json, sys
r = {x["fixer"]: x for x in json.load(open(sys.argv[1]))["results"]}
acts = [(a["action"], a["target"], a["status"]) for f in ("firewall", "time-sync") for a in r[f]["actions"]]
assert acts == [("reload", "firewalld", "done"), ("enable --now", "systemd-timesyncd.service", "done")], acts
assert all(r[f]["status"] == "changed" for f in ("firewall", "hostname", "time-sync")), r' "$WORK/seven.json"
ports=$(node_exec firewall-cmd --zone=public --list-ports | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$ports" = "10250/tcp 30000-32767/tcp 8472/udp " ] && pass "firewall-cmd: the running firewalld has the ports" || fail "firewall-cmd --list-ports: $ports"
[ "$(node_exec firewall-cmd --state)" = running ] && pass "firewalld still runs after the reload" || fail "firewalld state: $(node_exec firewall-cmd --state)"
contains "getent hosts resolves the hostname" "$(node_exec getent hosts "$name")" "127.0.1.1"
[ "$(node_exec systemctl is-enabled systemd-timesyncd)" = enabled ] && pass "systemctl is-enabled systemd-timesyncd: enabled" || fail "timesyncd: $(node_exec systemctl is-enabled systemd-timesyncd)"
contains "systemd-analyze cat-config shows kubeprep's server" "$(node_exec systemd-analyze cat-config systemd/timesyncd.conf)" "NTP=ntp1.example.com"
out=$(kp apply --only firewall,hostname,time-sync --profile site -o json); rc=$?
printf '%s' "$out" >"$WORK/seven2.json"
ok "a second apply exits 0 with nothing to do" $PYTHON -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exitCode"] == 0, r["exitCode"]
assert all(x["status"] == "ok" and x["actions"] == [] and x["changes"] == [] for x in r["results"]), r["results"]' "$WORK/seven2.json"
node_poweroff

done_testing
