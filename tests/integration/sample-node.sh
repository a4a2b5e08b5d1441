#!/usr/bin/env bash
# Every fixer on the sample node (the broken CentOS 7 kubeadm node of
# scripts/demo) with its operator's site profile: exact contents of every
# file afterwards, idempotence, what stays drift (a kubelet too old for its
# control plane; what kubeadm's preflight would refuse and only the operator
# can change: the kube-apiserver manifest a previous kubeadm init left, the
# programs kubeadm needs that the image lacks), and a rollback that restores
# the whole tree.
. "$(dirname "$0")/../lib.sh"

NODE="$FIXTURES/nodes/centos7"
EXP="$FIXTURES/expected/centos7"
SITE="$FIXTURES/profiles/centos7-site.yaml"
T=$(new_tree centos7)
opts=(--root "$T" --profile "$SITE" --kubelet-version v1.16.15)
if [ "$(id -u)" = 0 ]; then
        chown -R 1000:1000 "$T/home/dev" # git keeps no owners: dev's home is dev's
else
        opts+=(--skip kubeconfig)
fi

run check "${opts[@]}"
expect_rc "check: the sample node needs fixing" 1
for f in swap cgroup-driver eviction csi-migration gateway sysctl firewall hostname time-sync node-ip; do
        contains "check: $f has drift" "$OUT" "[$f] drift:"
done
# The preflight findings of the sample node (firewalld on, chronyd off, an unresolved hostname).
contains "firewalld's public zone lacks a control plane's ports" "$OUT" "[firewall] drift: firewalld zone public lacks 6443/tcp, 2379-2380/tcp, 10250/tcp, 10257/tcp, 10259/tcp for a control plane"
contains "the hostname is not in /etc/hosts" "$OUT" "[hostname] drift: k8s-master (/etc/hostname) is not in /etc/hosts"
contains "chronyd is not enabled" "$OUT" "[time-sync] drift: chronyd.service is installed but not enabled"
contains "the site's nodeIP" "$OUT" "[node-ip] drift: the kubelet has no --node-ip; nodeIP is 192.0.2.20"
contains "the tree's kernel is checked live only" "$OUT" "[kernel-cgroups] skipped:"
contains "the version skew is explained" "$OUT" "kubelet 1.16 is 6 minor versions older than the control plane 1.22 (at most 2), outside the version skew policy"
# kubeadm's preflight, found before kubeadm runs: what kubeadm init would stop at, by its check names.
contains "check: leftovers has drift" "$OUT" "[leftovers] drift: kubeadm init would stop: a previous kubeadm run left /etc/kubernetes/manifests/kube-apiserver.yaml"
contains "check: the manifest, by kubeadm's check name" "$OUT" "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists"
contains "check: programs has drift" "$OUT" "[programs] drift: kubeadm would stop: ip, iptables, mount, nsenter not found"
contains "check: each program with its packages" "$OUT" "[ERROR FileExisting-ip]: ip not found in system path: install iproute2 (Debian, Ubuntu) or iproute (RHEL, Fedora)"
contains "check: the live checks are skipped with --root" "$OUT" "[ports] skipped: live only"
contains "check: the sysctl file gets the inotify minimums" "$OUT" "[sysctl] drift:"

run apply "${opts[@]}" -o json
expect_rc "apply: all fixed but the version skew" 1
printf '%s' "$OUT" >"$WORK/apply.json"
ok "apply: every fixer changed or ok but the check-only ones (kernel-cgroups skipped: live only); csi-migration also reports the skew" $PYTHON - "$WORK/apply.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
st = {x["fixer"]: x["status"] for x in r["results"]}
check_only = {"leftovers": "drift", "programs": "drift", "resources": "skipped", "ports": "skipped",
              "kernel-cgroups": "skipped"}
assert st["kubelet-flags"] == "ok" and all(v in ("changed", "ok") for f, v in st.items() if f not in check_only), st
assert all(st[f] == v for f, v in check_only.items()), st
checks = {x["fixer"]: x["kubeadmChecks"] for x in r["results"]}
assert checks["leftovers"] == ["FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml"], checks
assert checks["programs"] == ["FileExisting-ip", "FileExisting-iptables", "FileExisting-mount", "FileExisting-nsenter",
                              "FileExisting-ebtables", "FileExisting-ethtool", "FileExisting-socat", "FileExisting-tc",
                              "FileExisting-touch"], checks
assert r["node"]["kubeletVersion"] == "1.16.15" and r["node"]["controlPlaneVersion"] == "1.22.17", r["node"]
PY

# Every file: the expected ones as expected, every other one as it was.
while IFS= read -r f; do
        f=${f#./}
        case "$f" in var/lib/kubeprep/*) continue ;; esac
        if [ -f "$EXP/$f" ]; then
                same_file "$f as expected" "$T/$f" "$EXP/$f"
        elif [ -f "$NODE/$f" ]; then
                cmp -s "$T/$f" "$NODE/$f" || fail "$f changed but should not have"
        elif [ "$f" != etc/systemd/system/swap.target ] && [ "$f" != etc/systemd/system/multi-user.target.wants/chronyd.service ]; then
                fail "unexpected new file $f"
        fi
done < <(cd "$T" && find . \( -type f -o -type l \) | sort)
[ "$(readlink "$T/etc/systemd/system/swap.target")" = /dev/null ] && pass "swap.target masked" || fail "swap.target not masked"
[ "$(readlink "$T/etc/systemd/system/multi-user.target.wants/chronyd.service")" = /usr/lib/systemd/system/chronyd.service ] &&
        pass "chronyd enabled as systemctl enable links it" || fail "chronyd not enabled"
if [ "$(id -u)" = 0 ]; then
        [ "$(stat -c '%a %u:%g' "$T/home/dev/.kube" "$T/home/dev/.kube/config" | tr '\n' ' ')" = "700 1000:1000 600 1000:1000 " ] \
                && pass "dev's ~/.kube 0700 and config 0600, owned by dev" || fail "kubeconfig modes: $(stat -c '%n %a %u:%g' "$T/home/dev/.kube" "$T/home/dev/.kube/config")"
fi

after=$(tree_state "$T")
run apply "${opts[@]}"
expect_rc "a second apply: only the skew remains" 1
contains "a second apply changes nothing" "$OUT" "0 changed"
contains "the skew is still drift" "$OUT" "[csi-migration] drift:"
contains "so is what kubeadm's preflight would refuse" "$OUT" "[leftovers] drift:"
[ "$(tree_state "$T")" = "$after" ] && pass "the second apply wrote nothing" || fail "the second apply touched the tree"

run rollback --root "$T"
expect_rc "rollback" 0
find "$T" -depth -type d -empty -delete
ok "rollback restores every file of the sample node" diff -r --no-dereference -x kubeprep "$NODE" "$T"

done_testing
