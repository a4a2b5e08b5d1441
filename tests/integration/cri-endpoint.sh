#!/usr/bin/env bash
# The cri-endpoint fixer (check only): kubeadm stops with "found multiple CRI endpoints on the
# host" when more than one of its known CRI sockets answers and no --cri-socket is given; a
# kubelet >= 1.24 on a node whose only runtime is docker needs cri-dockerd. With --root the
# runtimes installed in the tree stand for their sockets; live, the sockets listening (here: in
# a private mount and network namespace, python3 listening where the runtimes would).
. "$(dirname "$0")/../lib.sh"
if [ "${1:-}" != --inside ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
        # Everything again in a private mount and network namespace, for the live part.
        unshare -m -n --propagation private bash "$0" --inside
        exit $?
fi

KUBEADM_MSG='kubeadm stops with "found multiple CRI endpoints on the host" unless told which one: kubeadm init|join --cri-socket ENDPOINT, or nodeRegistration.criSocket in its configuration'

# 1. docker-ce with cri-dockerd: containerd (docker's) and cri-dockerd are both CRI endpoints.
T=$(runtime_tree both containerd dockerd cri-dockerd)
run check --root "$T" --only cri-endpoint -o json
expect_rc "containerd and cri-dockerd: drift" 1
printf '%s' "$OUT" >"$WORK/both.json"
ok "containerd and cri-dockerd: both named, with kubeadm's message and the exact advice" $PYTHON - "$WORK/both.json" "$KUBEADM_MSG" <<'PY'
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "cri-endpoint"][0]
assert r["status"] == "drift", r
assert r["message"] == ("2 CRI endpoints: unix:///var/run/containerd/containerd.sock (containerd), "
                        "unix:///var/run/cri-dockerd.sock (cri-dockerd); " + sys.argv[2]), r["message"]
for want in ("containerd: kubeadm init|join --cri-socket unix:///var/run/containerd/containerd.sock",
             "cri-dockerd: kubeadm init|join --cri-socket unix:///var/run/cri-dockerd.sock",
             "containerd installed (/usr/bin/containerd): its socket unix:///var/run/containerd/containerd.sock",
             "cri-dockerd installed (/usr/bin/cri-dockerd): its socket unix:///var/run/cri-dockerd.sock"):
    assert want in r["details"], (want, r["details"])
assert r["changes"] == [] and r["actions"] == [], r
PY
run apply --root "$T" --only cri-endpoint
expect_rc "containerd and cri-dockerd: apply cannot fix it, changes nothing" 1
# The kubelet already told (kubeadm wrote its endpoint): the choice is made.
mkdir -p "$T/var/lib/kubelet"
printf 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/cri-dockerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n' \
        >"$T/var/lib/kubelet/kubeadm-flags.env"
run check --root "$T" --only cri-endpoint
expect_rc "the kubelet's endpoint chosen: ok" 0
contains "the kubelet's endpoint chosen: named" "$OUT" \
        "[cri-endpoint] ok: the kubelet uses unix:///var/run/cri-dockerd.sock (cri-dockerd, /var/lib/kubelet/kubeadm-flags.env) of 2 CRI endpoints"

# 2. One runtime: nothing to choose.
T=$(runtime_tree one containerd)
run check --root "$T" --only cri-endpoint
expect_rc "containerd alone: ok" 0
contains "containerd alone: named" "$OUT" "[cri-endpoint] ok: one CRI endpoint: unix:///var/run/containerd/containerd.sock (containerd)"

# 3. docker alone with a kubelet >= 1.24: no dockershim, cri-dockerd needed; a cri-docker unit
#    (as Mirantis' packages install it) is enough.
T=$(runtime_tree docker dockerd kubelet)
run check --root "$T" --only cri-endpoint --kubelet-version 1.35.0
expect_rc "docker alone, kubelet 1.35: drift" 1
contains "docker alone: the reason and what is missing" "$OUT" \
        "[cri-endpoint] drift: docker is the only container runtime, and kubelet 1.35.0 has no dockershim (removed in 1.24): it needs cri-dockerd, but /run/cri-dockerd.sock and the cri-docker unit are missing"
run check --root "$T" --only cri-endpoint --kubelet-version 1.23.17
expect_rc "docker alone, kubelet 1.23 (dockershim): ok" 0
mkdir -p "$T/usr/lib/systemd/system"
printf '[Unit]\nDescription=CRI Interface for Docker Application Container Engine\n[Service]\nExecStart=/usr/bin/cri-dockerd\n' \
        >"$T/usr/lib/systemd/system/cri-docker.service"
run check --root "$T" --only cri-endpoint --kubelet-version 1.35.0
expect_rc "docker with the cri-docker unit: ok" 0
contains "docker with the cri-docker unit: cri-dockerd is its endpoint" "$OUT" \
        "[cri-endpoint] ok: one CRI endpoint: unix:///var/run/cri-dockerd.sock (cri-dockerd)"

# 4. Live: the sockets listening, as kubeadm finds them. Inside the private namespaces only: a
#    tmpfs /run of our own, and only this namespace's sockets.
[ "${1:-}" = --inside ] || { skip "live sockets" "needs root and unshare"; done_testing; }
mount -t tmpfs tmpfs /run || { fail "mount a tmpfs over /run"; done_testing; }
mkdir -p /run/containerd /run/crio
listen() { # listen PATH...: python3 listening on each path until killed
        $PYTHON -c '
import socket, sys, time
s = []
for p in sys.argv[1:]:
    x = socket.socket(socket.AF_UNIX); x.bind(p); x.listen(); s.append(x)
print("ready", flush=True)
time.sleep(600)' "$@" >"$WORK/listen.out" &
        LISTENER=$!
        for _ in $(seq 100); do grep -q ready "$WORK/listen.out" 2>/dev/null && return; sleep 0.05; done
}
listen /run/containerd/containerd.sock /run/cri-dockerd.sock
# A socket file nobody listens on: kubeadm's dial fails, so it does not count.
$PYTHON -c 'import socket; socket.socket(socket.AF_UNIX).bind("/run/crio/crio.sock")'
[ -S /run/crio/crio.sock ] && pass "live: a stale crio.sock exists" || fail "no stale crio.sock"
run check --only cri-endpoint -o json
expect_rc "live, containerd and cri-dockerd listening: drift" 1
printf '%s' "$OUT" >"$WORK/live.json"
ok "live: both listening sockets named, the stale one not" $PYTHON - "$WORK/live.json" <<'PY'
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "cri-endpoint"][0]
assert r["message"].startswith("2 CRI endpoints: unix:///var/run/containerd/containerd.sock (containerd), "
                               "unix:///var/run/cri-dockerd.sock (cri-dockerd); "), r["message"]
assert "unix:///var/run/crio/crio.sock: a socket, but nothing listens on it" in r["details"], r["details"]
PY
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null
rm -f /run/containerd/containerd.sock /run/cri-dockerd.sock
listen /run/containerd/containerd.sock
run check --only cri-endpoint
expect_rc "live, only containerd listening: ok" 0
contains "live, only containerd listening: named" "$OUT" "[cri-endpoint] ok: one CRI endpoint: unix:///var/run/containerd/containerd.sock (containerd)"
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null
done_testing
