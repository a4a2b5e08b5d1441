#!/usr/bin/env bash
# The csi-migration fixer over the version table: the gate is set for a skewed
# kubelet <= 1.24, never for 1.25+, a stale one is removed; a skew outside the
# version skew policy is drift whatever the gate. Exact files, idempotent runs.
. "$(dirname "$0")/../lib.sh"

CONFIG=var/lib/kubelet/config.yaml
PATCH=etc/kubeprep/patches/kubeletconfiguration+merge.yaml

result() { # result FIELD: a field of the csi-migration result of the last JSON run
        printf '%s' "$OUT" | $PYTHON -c '
import json, sys
r = [x for x in json.load(sys.stdin)["results"] if x["fixer"] == "csi-migration"][0]
v = r[sys.argv[1]]
print(json.dumps(v) if not isinstance(v, str) else v)' "$1"
}
expect_status() { # expect_status NAME STATUS
        local got; got=$(result status 2>&1)
        if [ "$got" = "$2" ]; then pass "$1: $2"; else fail "$1: status '$got', want '$2'" "$OUT"; fi
}
csi() { run "$@" --only csi-migration -o json; }

# 1. 1.16 kubelet (dpkg) and 1.22 control plane (static pod): the gate is set in config.yaml
#    (its comments kept) and in the kubeadm patch; the skew of 6 minors stays drift (exit 1).
T=$(new_tree versions-deb deb)
csi check --root "$T"
expect_rc "1.16/1.22: check" 1
expect_status "1.16/1.22: check" drift
contains "1.16/1.22: the message says both things" "$(result message)" \
        "kubelet 1.16.15 and control plane 1.22.17 are skewed and CSIMigration is not disabled; kubelet 1.16 is 6 minor versions older than the control plane 1.22 (at most 2), outside the version skew policy"
contains "1.16/1.22: a detail says where the versions came from" "$(result details)" \
        "kubelet from /var/lib/dpkg/status, control plane from /etc/kubernetes/manifests/kube-apiserver.yaml): upgrade the kubelet"
csi apply --root "$T"
expect_rc "1.16/1.22: apply makes the edits but the skew remains" 1
expect_status "1.16/1.22: apply" changed
same_file "1.16/1.22: config.yaml" "$T/$CONFIG" "$FIXTURES/expected/versions-deb/$CONFIG"
same_file "1.16/1.22: the kubeadm patch" "$T/$PATCH" "$FIXTURES/expected/versions-deb/$PATCH"
ok "1.16/1.22: python3-yaml sees the original plus featureGates.CSIMigration false" $PYTHON -c '
import sys, yaml
a, b = yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2]))
a["featureGates"]["CSIMigration"] = False
assert a == b, (a, b)' "$FIXTURES/nodes/versions-deb/$CONFIG" "$T/$CONFIG"
tree_state "$T" >"$WORK/state1"
csi apply --root "$T"
expect_rc "1.16/1.22: second apply: still the skew" 1
expect_status "1.16/1.22: second apply: drift with nothing to change" drift
ok "1.16/1.22: second apply changed no file" test "$(result changes)" = "[]"
contains "1.16/1.22: and says the gate is set" "$(result message)" "are skewed; CSIMigration is disabled; kubelet 1.16 is 6 minor"
tree_state "$T" >"$WORK/state2"
ok "1.16/1.22: the tree is as the first apply left it" cmp -s "$WORK/state1" "$WORK/state2"

# 2. 1.24 kubelet, 1.25 control plane from --kubeadm-config: gate set in a flow mapping; within policy.
T=$(new_tree versions-rpm rpm)
ARGS=(--root "$T" --kubelet-version 1.24.17 --kubeadm-config "$T/root/kubeadm-config.yaml")
csi apply "${ARGS[@]}"
expect_rc "1.24/1.25: apply" 0
expect_status "1.24/1.25: apply" changed
same_file "1.24/1.25: config.yaml (flow mapping)" "$T/$CONFIG" "$FIXTURES/expected/versions-rpm/$CONFIG"
same_file "1.24/1.25: the kubeadm patch" "$T/$PATCH" "$FIXTURES/expected/versions-rpm/$PATCH"
csi apply "${ARGS[@]}"
expect_rc "1.24/1.25: second apply" 0
expect_status "1.24/1.25: second apply" ok
same_file "1.24/1.25: config.yaml unchanged by the second run" "$T/$CONFIG" "$FIXTURES/expected/versions-rpm/$CONFIG"

# 3. 1.26 kubelet with a stale CSIMigration: false (config.yaml and patch): removed, comments kept.
T=$(new_tree versions-stale stale)
csi check --root "$T"
expect_rc "1.26/1.26: check" 1
contains "1.26/1.26: the message says why" "$(result message)" \
        "kubelet 1.26.3 exits on a CSIMigration gate (locked to true in 1.25 and 1.26)"
csi apply --root "$T"
expect_rc "1.26/1.26: apply" 0
same_file "1.26/1.26: config.yaml" "$T/$CONFIG" "$FIXTURES/expected/versions-stale/$CONFIG"
same_file "1.26/1.26: the kubeadm patch" "$T/$PATCH" "$FIXTURES/expected/versions-stale/$PATCH"
csi apply --root "$T"
expect_rc "1.26/1.26: second apply" 0
expect_status "1.26/1.26: second apply" ok
contains "1.26/1.26: the message also names the control plane's version" "$(result message)" \
        "kubelet 1.26.3: no CSIMigration gate, as it needs (GA since 1.25); control plane 1.26."
# 1.25 accepts CSIMigration: true (locked to true); 1.27 rejects the gate whatever its value.
T=$(new_tree versions-stale true)
sed -i 's/CSIMigration: false   # vSphere volumes/CSIMigration: true/' "$T/$CONFIG"
rm "$T/$PATCH"
cp "$T/$CONFIG" "$WORK/true.yaml"
csi apply --root "$T" --kubelet-version 1.25.16
expect_rc "1.25 with CSIMigration: true" 0
expect_status "1.25 with CSIMigration: true: kept" ok
same_file "1.25: config.yaml unchanged" "$T/$CONFIG" "$WORK/true.yaml"
csi apply --root "$T" --kubelet-version 1.27.0 --control-plane-version 1.27.4
expect_rc "1.27 with CSIMigration: true" 0
contains "1.27: the message says why" "$(result message)" "unrecognized feature gate since 1.27"
same_file "1.27: the gate is gone, nothing else" "$T/$CONFIG" "$FIXTURES/expected/versions-stale/$CONFIG"
ok "1.27: no kubeadm patch is created to remove a gate" test ! -e "$T/$PATCH"

# 4. 1.28/1.28: nothing to do, nothing written.
T=$(new_tree versions-deb same)
csi apply --root "$T" --kubelet-version 1.28.0 --control-plane-version 1.28.2
expect_rc "1.28/1.28" 0
expect_status "1.28/1.28" ok
ok "1.28/1.28: no patch written" test ! -e "$T/$PATCH"
same_file "1.28/1.28: config.yaml unchanged" "$T/$CONFIG" "$FIXTURES/nodes/versions-deb/$CONFIG"
# Same minor, older kubelet patch: not skewed. A newer kubelet patch is skewed (within policy).
csi check --root "$T" --kubelet-version 1.22.3 --control-plane-version 1.22.17
expect_status "1.22.3/1.22.17: not skewed" ok
csi check --root "$T" --kubelet-version 1.22.5 --control-plane-version 1.22.2
expect_rc "1.22.5/1.22.2: the kubelet is newer by a patch" 1
contains "1.22.5/1.22.2: skewed but within policy" "$(result message)" \
        "kubelet 1.22.5 and control plane 1.22.2 are skewed and CSIMigration is not disabled"
not_contains "1.22.5/1.22.2: no policy violation" "$(result message)" "outside the version skew policy"

# 5. Unknown versions: skipped with the option to pass.
T=$(new_tree versions-rpm unknown)
csi check --root "$T"
expect_rc "unknown kubelet" 0
expect_status "unknown kubelet" skipped
contains "unknown kubelet: the option" "$(result message)" "kubelet version unknown: pass --kubelet-version"
csi check --root "$T" --kubelet-version 1.22.0
expect_status "1.22, unknown control plane" skipped
contains "unknown control plane: the options" "$(result message)" \
        "control plane version unknown: pass --control-plane-version or --kubeadm-config"
csi check --root "$FIXTURES/nodes/versions-stale" --kubelet-version 1.28.1 --control-plane-version 1.28.1
expect_status "1.28 kubelet: the stale gate needs no control plane version" drift
T=$(new_tree versions-stale nocp)
rm "$T/etc/kubernetes/manifests/kube-apiserver.yaml"
csi check --root "$T"
expect_status "1.26 kubelet, unknown control plane: the stale gate is still removed" drift
contains "and a warning asks for the control plane version" "$(result warnings)" "control plane version unknown"

# 6. Skew outside the policy with no gate to change: drift, and apply cannot fix it.
T=$(new_tree versions-deb newer)
csi apply --root "$T" --kubelet-version 1.29.0 --control-plane-version 1.28.3
expect_rc "1.29/1.28: apply cannot fix a kubelet newer than the control plane" 1
expect_status "1.29/1.28" drift
contains "1.29/1.28: the reason" "$(result message)" \
        "kubelet 1.29 is newer than the control plane 1.28, outside the version skew policy"
contains "1.29/1.28: the advice" "$(result details)" "upgrade the control plane first, or install a matching kubelet"
same_file "1.29/1.28: config.yaml unchanged" "$T/$CONFIG" "$FIXTURES/nodes/versions-deb/$CONFIG"
csi check --root "$T" --kubelet-version 1.25.0 --control-plane-version 1.28.0
expect_rc "1.25/1.28: 3 minors are allowed since 1.28" 0
csi check --root "$T" --kubelet-version 1.24.0 --control-plane-version 1.27.0
contains "1.24/1.27: 3 minors are not allowed before 1.28" "$(result message)" \
        "kubelet 1.24 is 3 minor versions older than the control plane 1.27 (at most 2), outside the version skew policy"
csi check --root "$T" --kubelet-version 1.13.5 --control-plane-version 1.14.0
contains "1.13: predates the gate, nothing written" "$(result message)" "kubelet 1.13.5 predates the CSIMigration gate"
ok "1.13: no change planned" test "$(result changes)" = "[]"

# 7. Before kubeadm ran: no config.yaml, the gate goes only into the patch.
T=$(new_tree versions-deb prekubeadm)
rm "$T/$CONFIG"
csi apply --root "$T" --kubelet-version 1.23.0 --control-plane-version 1.24.0
expect_rc "no config.yaml: apply" 0
same_file "no config.yaml: the kubeadm patch" "$T/$PATCH" "$FIXTURES/expected/versions-deb/$PATCH"
ok "no config.yaml: none is created" test ! -e "$T/$CONFIG"

# 8. A malformed config.yaml is refused and left alone.
T=$(new_tree versions-stale bad)
printf 'featureGates:\n  CSIMigration: false\n bad: indent\n' >"$T/$CONFIG"
cp "$T/$CONFIG" "$WORK/bad.yaml"
csi apply --root "$T"
expect_rc "malformed config.yaml" 2
contains "malformed config.yaml: named with its line" "$(result message)" "/var/lib/kubelet/config.yaml: line 3"
same_file "malformed config.yaml: untouched" "$T/$CONFIG" "$WORK/bad.yaml"

done_testing
