#!/usr/bin/env bash
# The field guide's node1, live: kubelet 1.16 and kubeadm 1.16 on a worker of a 1.22 control plane.
# A worker has no kube-apiserver manifest; kubeprep asks the API server its kubelet.conf names
# (GET /version, TLS verified against that kubeconfig's CA) and handles the skew in the same
# `kubeprep kubeadm -- join` run: CSIMigration: false in the config.yaml join wrote, the eviction
# flags back in the kubeadm-flags.env join rewrote, --network-plugin kept (1.16 still has it), and
# the kubelet restarted. The API server is python3's http.server with ssl, a CA and certificate
# made here with openssl, at 192.0.2.1:6443 in a network namespace of its own; kubeprep runs in
# another (veth between them) with a private mount namespace over a scratch /etc and /var/lib, and
# a mock systemd (tests/dbusmock) receives the restarts. A wrong CA, an answer that is no version
# and the proxy variables are checked with `check`.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (network and mount namespaces)"
for c in ip unshare openssl busctl; do command -v $c >/dev/null || skip_all "$c not available"; done
$PYTHON -c 'import ssl, http.server, yaml' 2>/dev/null || skip_all "python3 with ssl and yaml needed"

if [ "${1:-}" != --inside ]; then
        # Again on a private bus with a mock systemd, which gets kubeadm's and kubeprep's restarts.
        exec "$SOURCE_ROOT/tests/dbusmock/run-with-mock-systemd.sh" bash "$0" --inside
fi
MOCK="$SOURCE_ROOT/tests/dbusmock/mockctl"

NS=kp-skew-$$
SRV=kp-skewsrv-$$
server_pid=
cleanup() {
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        ip netns del "$NS" 2>/dev/null
        ip netns del "$SRV" 2>/dev/null
        cleanup_work
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$NS" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
ip netns add "$SRV" 2>"$WORK/ns.err" || skip_all "cannot create a network namespace: $(cat "$WORK/ns.err")"
if ! err=$( { ip -n "$NS" link add kpsk0 type veth peer name kpsk1 netns "$SRV" &&
        ip -n "$NS" addr add 192.0.2.10/24 dev kpsk0 && ip -n "$SRV" addr add 192.0.2.1/24 dev kpsk1 &&
        ip -n "$NS" link set lo up && ip -n "$NS" link set kpsk0 up && ip -n "$SRV" link set kpsk1 up; } 2>&1); then
        skip_all "cannot set up the veth pair: $err"
fi

# The cluster's CA and the API server's certificate (IP SAN 192.0.2.1); another CA for the wrong-CA case.
apiserver_certs "$WORK" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/other.key" \
                -out "$WORK/other.crt" -days 2 -subj /CN=kubernetes 2>/dev/null ||
        skip_all "openssl could not make the certificates"

# The API server: GET /version answers what $WORK/answer holds.
printf '{"major": "1", "minor": "22", "gitVersion": "v1.22.2", "platform": "linux/amd64"}\n' >"$WORK/answer"
mkfifo "$WORK/ready"
ip netns exec "$SRV" $PYTHON "$SOURCE_ROOT/tests/tools/test-apiserver.py" "$WORK/apiserver.crt" "$WORK/apiserver.key" "$WORK/answer" \
        >"$WORK/ready" 2>"$WORK/apiserver.log" &
server_pid=$!
read -r line <"$WORK/ready" # blocks until the server listens (or exits)
[ "$line" = listening ] || skip_all "the test API server did not start: $(cat "$WORK/apiserver.log")"

# node1's files: the machine's /etc without kubeadm's or the runtimes' configuration, and a /var/lib
# with the kubeadm-flags.env and config.yaml of its earlier join (the field guide's, with the
# eviction flags its operator added by hand).
cp -a /etc "$WORK/etc"
rm -rf "$WORK/etc/kubernetes" "$WORK/etc/kubeprep" "$WORK/etc/containerd" "$WORK/etc/docker" \
        "$WORK/etc/default/kubelet" "$WORK/etc/sysconfig/kubelet"
mkdir -p "$WORK/varlib/kubelet"
cp "$FIXTURES/nodes/field-guide-eviction/var/lib/kubelet/kubeadm-flags.env" "$WORK/varlib/kubelet/"
cp "$SOURCE_ROOT/tests/corpus/kubelet-config/05-joneconsulting_k8s.yaml" "$WORK/varlib/kubelet/config.yaml"
# kubelet 1.16 and kubeadm 1.16 in PATH.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\n[ "$1" = --version ] && echo "Kubernetes v1.16.0"\n' >"$WORK/bin/kubelet"
chmod +x "$WORK/bin/kubelet"
ln -s "$SOURCE_ROOT/tests/tools/fake-kubeadm" "$WORK/bin/kubeadm"
export FAKE_KUBEADM_VERSION=1.16.0 FAKE_KUBEADM_CA="$WORK/ca.crt"
# This test's fixers: the kubelet's files and kubeconfig. What acts on the machine itself (swap,
# routes, sysctls, services) or judges it (kubeadm's preflight checks) is not this test's.
ONLY=kubeconfig,eviction,csi-migration,kubelet-flags,disk-pressure

kp() { # kp ARGS...: kubeprep, live, in the namespaces; sets RC, OUT, ERR
        ip netns exec "$NS" unshare -m --propagation private bash -c '
                mount --bind "$1/etc" /etc && mount --bind "$1/varlib" /var/lib && shift && exec "$@"
        ' _ "$WORK" env PATH="$WORK/bin:$PATH" "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout"); ERR=$(cat "$WORK/.stderr")
}
json() { # json EXPR: evaluate EXPR over the JSON report r of the last run
        $PYTHON -c 'import json, sys; r = json.loads(sys.argv[2]); print(eval(sys.argv[1]))' "$1" "$OUT"
}
csi() { json '[x for x in r["results"] if x["fixer"] == "csi-migration"][0]'"$1"; }

# Before the join there is no kubelet.conf: the control plane's version is unknown.
kp check --only csi-migration -o json
[ "$(json 'r["node"]["controlPlaneVersion"]')" = None ] && pass "before the join: no control plane version" \
        || fail "a version before the join" "$OUT"

# The join, with the kubelet running (kubeadm 1.16 restarts it; kubeprep restarts it after its fixes).
"$MOCK" set kubelet.service active
kp kubeadm --only $ONLY -- join 192.0.2.1:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification
# Exit 1: kubelet 1.16 is six minors behind 1.22, outside the version skew policy, which only an
# upgrade of the kubelet fixes; everything kubeprep can do is done.
expect_rc "kubeprep kubeadm -- join: done, and the skew policy violation reported" 1
contains "kubeadm 1.16 got no --patches, and kubeprep said why" "$OUT" "[kubeadm] kubeadm 1.16.0 has no --patches"
after=$(printf '%s\n' "$OUT" | sed -n '/^This node has joined/,$p')
contains "the after-step found the skew through the kubelet.conf join wrote" "$after" \
        "[csi-migration] changed: kubelet 1.16.0 and control plane 1.22.2 are skewed and CSIMigration is not disabled; kubelet 1.16 is 6 minor versions older than the control plane 1.22 (at most 2), outside the version skew policy"
contains "every other fixer after kubeadm is done" "$after" "[apply] 2 ok, 0 drift, 2 changed, 0 error, 0 skipped"
ok "config.yaml (join's) has featureGates.CSIMigration: false" $PYTHON -c '
import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
assert c["featureGates"] == {"CSIMigration": False}, c.get("featureGates")' "$WORK/varlib/kubelet/config.yaml"
flags=$(cat "$WORK/varlib/kubelet/kubeadm-flags.env")
contains "the eviction flags are in the kubeadm-flags.env join rewrote" "$flags" \
        "--eviction-soft=memory.available<500Mi,nodefs.available<5%,nodefs.inodesFree<6%"
contains "--network-plugin is kept: kubelet 1.16 still has it" "$flags" "--network-plugin=cni"
contains "kubeprep restarted the kubelet after its fixes" "$after" "[apply] restart kubelet.service: done"
[ "$("$MOCK" counts | tr '\n' ' ')" = "kubelet.service kubelet.service " ] \
        && pass "the kubelet was restarted twice: by kubeadm, then by kubeprep" || fail "restarts: $("$MOCK" counts | tr '\n' ' ')"

# A check on the worker now shows the control plane's version without any flag; nothing is left to
# fix but the kubelet's version (exit 1 for that alone), and a second apply changes nothing.
kp check --only $ONLY
expect_rc "check after the join: only the skew policy remains" 1
contains "check shows the control plane version, found without any flag" "$OUT" \
        "[csi-migration] drift: kubelet 1.16.0 and control plane 1.22.2 are skewed; CSIMigration is disabled; kubelet 1.16 is 6 minor versions older"
contains "and where it came from" "$OUT" "control plane from https://192.0.2.1:6443/version (kubelet.conf)): upgrade the kubelet"
contains "check: every other fixer is ok" "$OUT" "[check] 4 ok, 1 drift, 0 changed, 0 error, 0 skipped"
kp apply --only $ONLY
contains "a second apply changes nothing" "$OUT" "[apply] 4 ok, 1 drift, 0 changed, 0 error, 0 skipped"
kp check --only csi-migration -o json
[ "$(json 'r["node"]["controlPlaneVersion"]')" = 1.22.2 ] && pass "JSON: controlPlaneVersion 1.22.2" || fail "controlPlaneVersion" "$OUT"
[ "$(json 'r["node"]["controlPlaneVersionFrom"]')" = "https://192.0.2.1:6443/version (kubelet.conf)" ] \
        && pass "JSON: controlPlaneVersionFrom names the API server and the kubeconfig" || fail "controlPlaneVersionFrom" "$OUT"

# A wrong CA: a note with the reason, never a version; csi-migration stays skipped and names it.
cp "$WORK/etc/kubernetes/kubelet.conf" "$WORK/kubelet.conf.good"
sed -i "s|certificate-authority-data: .*|certificate-authority-data: $(base64 -w0 "$WORK/other.crt")|" "$WORK/etc/kubernetes/kubelet.conf"
kp check --only csi-migration -o json
[ "$(json 'r["node"]["controlPlaneVersion"]')" = None ] && pass "a wrong CA: no version" || fail "a version through a wrong CA" "$OUT"
[ "$(csi '["status"]')" = skipped ] && pass "a wrong CA: csi-migration is skipped" || fail "csi-migration: $(csi '["status"]')"
contains "a wrong CA: the skip names the server and the TLS failure" "$(csi '["message"]')" \
        "control plane version unknown: https://192.0.2.1:6443/version (kubelet.conf): the server's certificate is not signed by the kubeconfig's CA"
cp "$WORK/kubelet.conf.good" "$WORK/etc/kubernetes/kubelet.conf"

# An answer that is no version.
printf '<html>it works</html>\n' >"$WORK/answer"
kp check --only csi-migration -o json
[ "$(json 'r["node"]["controlPlaneVersion"]')" = None ] && pass "not a version answer: no version" || fail "a version from HTML" "$OUT"
contains "not a version answer: the reason" "$(csi '["message"]')" "https://192.0.2.1:6443/version (kubelet.conf): the answer is not Kubernetes version JSON"
printf '{"major": "1", "minor": "22", "gitVersion": "v1.22.2"}\n' >"$WORK/answer"

# The proxy variables, as curl reads them: a proxy is used unless NO_PROXY names the server, and the
# report says which.
kp check --only csi-migration -o json
HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=localhost,192.0.2.0/24 kp check --only csi-migration -o json
[ "$(json 'r["node"]["controlPlaneVersionFrom"]')" = "https://192.0.2.1:6443/version (kubelet.conf; NO_PROXY: not through HTTPS_PROXY)" ] \
        && pass "NO_PROXY names the server: asked directly, and said so" || fail "NO_PROXY" "$OUT"
HTTPS_PROXY=http://user:secret@127.0.0.1:9 kp check --only csi-migration -o json
contains "through HTTPS_PROXY: the note names the proxy (without its password)" "$(csi '["message"]')" \
        "https://192.0.2.1:6443/version (kubelet.conf; through http://127.0.0.1:9 from HTTPS_PROXY): "
not_contains "and never the password" "$OUT" secret

done_testing
