#!/usr/bin/env bash
# The live checks of kubeadm's preflight that read the running machine: ports (Port-N) with real
# listeners in a network namespace made here, each held by a process named as a kubelet, an API
# server or something else (prctl(PR_SET_NAME)); `ss -ltnp`, which reads the same sockets through
# sock_diag, is the oracle for which process holds which port. And resources (NumCPU, Mem) for a
# control plane, with kubeprep pinned to one CPU by taskset(1); nproc(1) and free(1) are the
# oracles. Nothing is written: these fixers only check.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network and mount namespaces)"
for c in ip ss unshare taskset nproc free; do command -v $c >/dev/null || skip_all "$c not available"; done

NS=kp-ports-$$
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; ip netns del "$NS" 2>/dev/null; cleanup_work' EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$NS" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ip netns exec "$NS" ip link set lo up

mkdir -p "$WORK/bin" "$WORK/empty"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/kubeadm" # the hook's kubeadm: does nothing
chmod +x "$WORK/bin/kubeadm"

# listen NAME ADDRESS PORT: a process called NAME listening there in the namespace, ready when this
# returns (it writes to a FIFO after listen(2)).
listen() {
        local fifo=$WORK/ready.$3
        mkfifo "$fifo"
        ip netns exec "$NS" "$PYTHON" -c '
import ctypes, socket, sys, time
name, addr, port, fifo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: /proc/PID/comm
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen()
open(fifo, "w").write("ready\n")
time.sleep(3600)' "$1" "$2" "$3" "$fifo" &
        PIDS+=($!)
        read -r _ <"$fifo"
}
# kubeprep live in the namespace, with an empty /etc/kubernetes (this machine's own, if it has one,
# must not make it a cluster member); sets RC, OUT.
kp() {
        ip netns exec "$NS" unshare -m --propagation private bash -c '
                w=$1; shift
                if [ -d /etc/kubernetes ]; then mount --bind "$w/empty" /etc/kubernetes || exit 99; fi
                exec "$@"' _ "$WORK" env PATH="$WORK/bin:$PATH" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout" "$WORK/.stderr"); ERR=$(cat "$WORK/.stderr")
}

# Nothing listens yet: a worker's and a control plane's ports are free.
kp "$KUBEPREP" check --only ports
expect_rc "no listeners: check" 0
contains "no listeners: a worker's port is free" "$OUT" "[ports] ok: the ports kubeadm join needs are free"

listen kubelet 0.0.0.0 10250
listen kube-apiserver :: 6443
listen etcd 127.0.0.1 2379
listen webapp 0.0.0.0 8080
# The oracle: which process ss says holds each of kubeadm's ports.
ss_owners=$(ip netns exec "$NS" ss -Hltnp | $PYTHON -c '
import re, sys
want = {6443, 10250, 10257, 10259, 2379, 2380}
for line in sys.stdin:
    f = line.split()
    port = int(f[3].rsplit(":", 1)[1])
    m = re.search(r"\(\"([^\"]+)\",pid=(\d+)", line)
    if port in want and m:
        print(port, m.group(1), m.group(2))' | sort)
[ "$(echo "$ss_owners" | wc -l)" = 3 ] && pass "ss sees the three listeners on kubeadm's ports" || fail "ss: $ss_owners"
owners() { # the port, process and PID of each finding, from the JSON report in $1
        $PYTHON -c '
import json, re, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "ports"][0]
for d in r["details"]:
    m = re.match(r"\[ERROR Port-(\d+)\]: port \d+ is in use by (\S+) \(PID (\d+),", d)
    if m:
        print(*m.groups())' "$1" | sort
}

# A worker (no hook): only the kubelet's port is kubeadm join's business.
kp "$KUBEPREP" check --only ports -o json
expect_rc "worker: check" 1
printf '%s' "$OUT" >"$WORK/w.json"
ok "worker: only Port-10250, the kubelet, said to be a previous kubeadm run" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "ports"][0]
assert r["kubeadmChecks"] == ["Port-10250"], r
assert r["message"] == "kubeadm join would stop: port 10250 is in use", r["message"]
d = [x for x in r["details"] if x.startswith("[ERROR")]
assert len(d) == 1 and d[0].endswith("listening on 0.0.0.0): a previous kubeadm run is still there: kubeadm reset"), d
' "$WORK/w.json"
[ "$(owners "$WORK/w.json")" = "$(echo "$ss_owners" | grep '^10250 ')" ] && pass "worker: kubeprep and ss agree on who holds 10250" ||
        fail "worker: kubeprep says '$(owners "$WORK/w.json")', ss says '$(echo "$ss_owners" | grep '^10250 ')'"

# kubeadm init through the hook: the control plane's ports, in kubeadm's order; etcd is named but
# not taken for a kubeadm leftover; the web app on 8080 is none of kubeadm's business.
kp "$KUBEPREP" kubeadm --only ports -o json -- init
printf '%s' "$OUT" | sed -n '/^{/,/^}/p' >"$WORK/cp.json"
ok "init: Port-6443, Port-10250, Port-2379" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "ports"][0]
assert r["kubeadmChecks"] == ["Port-6443", "Port-10250", "Port-2379"], r["kubeadmChecks"]
d = [x for x in r["details"] if x.startswith("[ERROR")]
assert d[0].startswith("[ERROR Port-6443]: port 6443 is in use by kube-apiserver (PID ") and d[0].endswith("listening on ::): a previous kubeadm run is still there: kubeadm reset"), d
assert d[2].startswith("[ERROR Port-2379]: port 2379 is in use by etcd (PID ") and d[2].endswith("listening on 127.0.0.1)"), d
assert not any("8080" in x for x in r["details"]), r["details"]
' "$WORK/cp.json"
[ "$(owners "$WORK/cp.json")" = "$ss_owners" ] && pass "init: kubeprep and ss agree on every holder" ||
        fail "init: kubeprep says '$(owners "$WORK/cp.json")', ss says '$ss_owners'"

# kubeadm reset through the hook: the ports are what reset is about to free.
kp "$KUBEPREP" kubeadm --only ports -- reset -f
contains "reset: not checked" "$OUT" "[ports] ok: kubeadm reset is about to run"

# resources, for a control plane (kubeadm init through the hook): pinned to one CPU, NumCPU fails
# as kubeadm's would, with nproc's count; the RAM is what free(1) says.
cpus=$(taskset -c 0 nproc)
kp taskset -c 0 "$KUBEPREP" kubeadm --only resources -- init
contains "one CPU: NumCPU" "$OUT" "[ERROR NumCPU]: the number of available CPUs $cpus is less than the required 2"
mem=$(free -m | awk '/^Mem:/ {print $2}')
if [ "$(nproc)" -ge 2 ] && [ "$mem" -ge 1700 ]; then
        kp "$KUBEPREP" kubeadm --only resources -o json -- init
        contains "all CPUs and this machine's RAM: ok, with free's figure" "$OUT" "$(nproc) CPUs and $mem MB of RAM, at least the 2 CPUs and 1700 MB kubeadm init needs"
else
        skip "resources ok" "this machine has fewer than 2 CPUs or 1700 MB"
fi
kp taskset -c 0 "$KUBEPREP" check --only resources
contains "a worker: no minimum" "$OUT" "[resources] ok: a worker (role auto, no /etc/kubernetes/manifests/kube-apiserver.yaml); kubeadm checks CPUs and memory on a control plane only"

done_testing
