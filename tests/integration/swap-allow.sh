#!/usr/bin/env bash
# `swap: allow`: the kubelet configured for swap by version (failSwapOn: false, LimitedSwap, the
# NodeSwap gate on 1.28-1.29), swap disabled for a kubelet older than 1.28, warnings for what is
# unknown; and, read-only on this machine, what statfs says about its cgroups (NoSwap and
# failCgroupV1 on cgroup v1). The same decisions on a cgroup v1 tree are in test-kubelet-cgroups.
. "$(dirname "$0")/../lib.sh"

CONFIG=var/lib/kubelet/config.yaml
PATCH="etc/kubeprep/patches/kubeletconfiguration+merge.yaml"

# config.yaml is the original with exactly these settings changed (python3-yaml).
yaml_is() { # yaml_is NAME FILE PYTHON-DICT-OF-CHANGES
        ok "$1" $PYTHON - "$FIXTURES/nodes/swapallow-node/$CONFIG" "$2" "$3" <<'PY'
import ast, sys, yaml
a, b = yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2]))
a.update(ast.literal_eval(sys.argv[3]))
assert a == b, (a, b)
PY
}

# 1. Kubelet 1.30: failSwapOn false and LimitedSwap in config.yaml and the kubeadm patch; swap
#    itself is left alone (fstab, swap.target); the unknown cgroup version of a tree is warned about.
T=$(new_tree swapallow-node k130)
run check --root "$T" --only swap --profile swap-allow --kubelet-version 1.30.0
expect_rc "1.30: check finds the kubelet not configured for swap" 1
contains "1.30: says so" "$OUT" "[swap] drift: swap is allowed by the profile, but the kubelet is not configured for it"
run apply --root "$T" --only swap --profile swap-allow --kubelet-version 1.30.0 -o json
expect_rc "1.30: apply" 0
printf '%s' "$OUT" >"$WORK/k130.json"
ok "1.30: changed, kubelet restart planned, the cgroup warning given" $PYTHON - "$WORK/k130.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = [x for x in r["results"] if x["fixer"] == "swap"][0]
assert s["status"] == "changed" and s["restarts"] == ["kubelet.service"] and s["actions"] == [], s
assert s["warnings"] == ["the cgroup version is unknown with --root: LimitedSwap needs cgroup v2 "
                         "(on a cgroup v1 node the kubelet needs NoSwap)"], s["warnings"]
PY
check_expected "$T" swapallow-node
yaml_is "1.30: python3-yaml sees only failSwapOn and memorySwap changed" "$T/$CONFIG" \
        "{'failSwapOn': False, 'memorySwap': {'swapBehavior': 'LimitedSwap'}}"
ok "1.30: swap.target is not masked" test ! -e "$T/etc/systemd/system/swap.target"
tree_state "$T" >"$WORK/s1"
run apply --root "$T" --only swap --profile swap-allow --kubelet-version 1.30.0
expect_rc "1.30: second apply" 0
contains "1.30: second apply finds it configured" "$OUT" "[swap] ok: swap is allowed: the kubelet is configured for it (failSwapOn: false, LimitedSwap)"
tree_state "$T" >"$WORK/s2"
ok "1.30: second apply changed nothing" cmp -s "$WORK/s1" "$WORK/s2"

# 2. Kubelet 1.28: NodeSwap is beta and off by default, so the gate is set too.
T=$(new_tree swapallow-node k128)
run apply --root "$T" --only swap --profile swap-allow --kubelet-version v1.28.4
expect_rc "1.28: apply" 0
yaml_is "1.28: failSwapOn false, LimitedSwap, featureGates NodeSwap true" "$T/$CONFIG" \
        "{'failSwapOn': False, 'memorySwap': {'swapBehavior': 'LimitedSwap'}, 'featureGates': {'NodeSwap': True}}"
ok "1.28: the kubeadm patch has the same three" $PYTHON -c '
import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
assert d == {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "failSwapOn": False,
             "memorySwap": {"swapBehavior": "LimitedSwap"}, "featureGates": {"NodeSwap": True}}, d' "$T/$PATCH"
same_file "1.28: fstab untouched" "$T/etc/fstab" "$FIXTURES/nodes/swapallow-node/etc/fstab"
run check --root "$T" --only swap --profile swap-allow --kubelet-version v1.28.4
expect_rc "1.28: check after apply" 0

# 3. Kubelet 1.27 cannot run with swap: warned, and swap is disabled as by the default profile.
T=$(new_tree swapallow-node k127)
run apply --root "$T" --only swap --profile swap-allow --kubelet-version 1.27.9 -v
expect_rc "1.27: apply" 0
contains "1.27: the warning says why swap is disabled" "$OUT" \
        "the profile allows swap, but kubelet 1.27.9 cannot run with swap (1.28 or newer can): disabling swap as with swap: disable"
contains "1.27: the normal disable plan" "$OUT" "/etc/fstab: comment out the swap entry /swapfile"
sed 's|^/swapfile |#/swapfile |' "$FIXTURES/nodes/swapallow-node/etc/fstab" >"$WORK/fstab.want"
same_file "1.27: the fstab swap entry is commented out" "$T/etc/fstab" "$WORK/fstab.want"
ok "1.27: swap.target masked" test "$(readlink "$T/etc/systemd/system/swap.target")" = /dev/null
same_file "1.27: config.yaml untouched" "$T/$CONFIG" "$FIXTURES/nodes/swapallow-node/$CONFIG"
ok "1.27: no kubeadm patch" test ! -e "$T/$PATCH"
run apply --root "$T" --only swap --profile swap-allow --kubelet-version 1.27.9
expect_rc "1.27: second apply" 0
contains "1.27: second apply is a no-op" "$OUT" "[swap] ok: swap is off"

# 4. Unknown kubelet version: configured for swap, with a warning about kubelets before 1.28.
T=$(new_tree swapallow-node unknown)
run apply --root "$T" --only swap --profile swap-allow -v
expect_rc "unknown version: apply" 0
contains "unknown version: warned" "$OUT" \
        "the kubelet version is unknown (give --kubelet-version): swap is configured, but a kubelet older than 1.28 cannot use it"
yaml_is "unknown version: failSwapOn false and LimitedSwap" "$T/$CONFIG" \
        "{'failSwapOn': False, 'memorySwap': {'swapBehavior': 'LimitedSwap'}}"

# 5. Live and read-only (apply --dry-run plans, writes nothing): the cgroup version statfs reports
#    for this machine decides NoSwap or LimitedSwap, and failCgroupV1 for a 1.35 kubelet on v1.
fs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)
case $fs in
cgroup2fs) want_cg=2 want_behavior=LimitedSwap ;;
tmpfs) want_cg=1 want_behavior=NoSwap ;;
*) want_cg= ;;
esac
if [ -z "$want_cg" ]; then
        skip "live cgroup version" "/sys/fs/cgroup is $fs"
else
        run apply --dry-run --only swap --profile "$FIXTURES/nodes/swapallow-node/etc/kubeprep/profiles/swap-allow.yaml" \
                --kubelet-version 1.30.0 -o json
        printf '%s' "$OUT" >"$WORK/live.json"
        ok "live: cgroup v$want_cg (statfs) gives $want_behavior" $PYTHON - "$WORK/live.json" "$want_cg" "$want_behavior" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); cg, want = int(sys.argv[2]), sys.argv[3]
assert r["node"]["cgroupVersion"] == cg, r["node"]
s = [x for x in r["results"] if x["fixer"] == "swap"][0]
diffs = "".join(c["diff"] for c in s["changes"])
other = "NoSwap" if want == "LimitedSwap" else "LimitedSwap"
# A node already configured shows no diff; one that is not shows the right behaviour.
assert other not in diffs and (want in diffs or s["status"] == "ok"), s
assert (cg == 1) == any("cgroup v1" in w for w in s["warnings"]), s["warnings"]
PY
        run apply --dry-run --only cgroup-driver --kubelet-version 1.35.0 -v
        if [ "$want_cg" = 1 ]; then
                contains "live cgroup v1, kubelet 1.35: failCgroupV1: false planned" "$OUT" "failCgroupV1: false"
                contains "live cgroup v1, kubelet 1.35: deprecation warning" "$OUT" \
                        "this node uses cgroup v1, which is deprecated: kubelet 1.35.0 runs on it only with failCgroupV1: false"
        else
                not_contains "live cgroup v2, kubelet 1.35: no failCgroupV1" "$OUT" "failCgroupV1"
        fi
        run apply --dry-run --only cgroup-driver --kubelet-version 1.34.0 -v
        not_contains "live, kubelet 1.34: no failCgroupV1" "$OUT" "failCgroupV1"
fi

done_testing
