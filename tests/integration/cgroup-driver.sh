#!/usr/bin/env bash
# The cgroup-driver fixer on fixture trees: exact file contents after apply,
# the aarch64 profile picked from the tree's ELF binaries, idempotence,
# refusals of malformed files, and the programs that read the files as oracles.
. "$(dirname "$0")/../lib.sh"

# lib.sh's check_expected, but the goldens may be named apart from the node and a removed file is not a change.
check_expected() { # check_expected TREE NODE [EXPECTED]: changed files equal the golden ones, the rest unchanged
        local tree=$1 node=$2 exp=${3:-$2} f
        while IFS= read -r f; do
                f=${f#./}
                if [ -f "$FIXTURES/expected/$exp/$f" ]; then
                        same_file "$node: $f as expected" "$tree/$f" "$FIXTURES/expected/$exp/$f"
                elif [ -f "$tree/$f" ] && ! cmp -s "$tree/$f" "$FIXTURES/nodes/$node/$f"; then
                        fail "$node: $f changed but should not have"
                fi
        done < <(cd "$FIXTURES/nodes/$node" && find . -type f)
        # Files the run creates.
        while IFS= read -r f; do
                f=${f#./}
                [ -e "$FIXTURES/nodes/$node/$f" ] || same_file "$node: $f created as expected" "$tree/$f" "$FIXTURES/expected/$exp/$f"
        done < <(cd "$FIXTURES/expected/$exp" && find . -type f)
}

# 1. The CentOS 7 sample node: containerd with the CRI disabled and SystemdCgroup = false,
#    the kubelet on cgroupfs (config.yaml and kubeadm-flags.env), docker already on systemd.
T=$(new_tree centos7)
run check --root "$T" --only cgroup-driver
expect_rc "centos7: check finds the mismatch" 1
contains "centos7: the message names every place" "$OUT" "[cgroup-driver] drift: containerd has its CRI plugin disabled, containerd uses cgroupfs, the kubelet uses cgroupfs, a kubelet flag file sets another --cgroup-driver; the profile wants systemd"
run apply --only cgroup-driver --root "$T" -o json
expect_rc "centos7: apply" 0
printf '%s' "$OUT" >"$WORK/apply.json"
ok "centos7: restarts of containerd and kubelet are left for the operator (--root), docker untouched" $PYTHON - "$WORK/apply.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x["unit"], x["status"]) for x in r["restarts"]] == [("containerd.service", "left"), ("kubelet.service", "left")], r["restarts"]
assert "--root" in r["restarts"][0]["message"], r["restarts"][0]
cg = [x for x in r["results"] if x["fixer"] == "cgroup-driver"][0]
assert cg["status"] == "changed" and cg["restarts"] == ["containerd.service", "kubelet.service"], cg
PY
check_expected "$T" centos7 centos7-cgroup-driver
run apply --only swap,cgroup-driver --root "$T"
expect_rc "centos7: second apply changes nothing" 0
contains "centos7: and says every place agrees" "$OUT" "[cgroup-driver] ok: every runtime and the kubelet use systemd"

# 2. aarch64: --profile auto reads the tree's ELF header and picks cgroupfs everywhere.
T=$(new_tree aarch64 arm)
run apply --only cgroup-driver --root "$T" -o json
expect_rc "aarch64: apply" 0
printf '%s' "$OUT" >"$WORK/arm.json"
ok "aarch64: the aarch64 profile was chosen from the tree" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["profile"] == "aarch64" and r["node"]["arch"] == "aarch64", (r["profile"], r["node"])' "$WORK/arm.json"
check_expected "$T" aarch64
run check --only cgroup-driver --root "$T"
expect_rc "aarch64: check after apply" 0

# 3. Independent parsers see exactly the intended change.
ok "config.yaml: python3-yaml sees the original with only cgroupDriver changed" $PYTHON - \
        "$FIXTURES/nodes/centos7/var/lib/kubelet/config.yaml" "$FIXTURES/expected/centos7-cgroup-driver/var/lib/kubelet/config.yaml" \
        "$FIXTURES/nodes/aarch64/var/lib/kubelet/config.yaml" "$FIXTURES/expected/aarch64/var/lib/kubelet/config.yaml" <<'PY'
import sys, yaml
for old, new, want in ((sys.argv[1], sys.argv[2], "systemd"), (sys.argv[3], sys.argv[4], "cgroupfs")):
    a, b = yaml.safe_load(open(old)), yaml.safe_load(open(new))
    a["cgroupDriver"] = want
    assert a == b, (old, a, b)
PY
ok "daemon.json: python3 json sees the same keys in the same order, driver cgroupfs" $PYTHON - \
        "$FIXTURES/nodes/aarch64/etc/docker/daemon.json" "$FIXTURES/expected/aarch64/etc/docker/daemon.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert list(a) == list(b), (list(a), list(b))
a["exec-opts"] = ["native.cgroupdriver=cgroupfs"]
assert a == b, (a, b)
PY
if command -v containerd >/dev/null; then
        for node in centos7 aarch64; do
                want=true; [ $node = aarch64 ] && want=false
                exp=$node; [ $node = centos7 ] && exp=centos7-cgroup-driver
                dump=$(containerd --config "$FIXTURES/expected/$exp/etc/containerd/config.toml" config dump 2>&1)
                contains "$node: containerd accepts the edited config.toml and runs runc with SystemdCgroup = $want" \
                        "$dump" "SystemdCgroup = $want"
        done
        contains "centos7: containerd's CRI is no longer disabled" \
                "$(containerd --config "$FIXTURES/expected/centos7-cgroup-driver/etc/containerd/config.toml" config dump 2>&1)" "disabled_plugins = []"
else
        skip "containerd config dump" "containerd is not installed"
fi

ok "the kubeadm patch is a KubeletConfiguration with the driver" $PYTHON -c '
import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
assert d == {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "cgroupDriver": "cgroupfs"}, d' \
        "$FIXTURES/expected/aarch64/etc/kubeprep/patches/kubeletconfiguration+merge.yaml"

# 4. Malformed daemon.json, config.toml and config.yaml: each refused and named, each untouched,
#    and the other fixers still fix their files.
T=$(new_tree centos7 bad)
printf '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"],\n  "log-driver": "json-file",,\n}\n' >"$T/etc/docker/daemon.json"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri"\n' >"$T/etc/containerd/config.toml"
printf 'kind: KubeletConfiguration\ncgroupDriver: cgroupfs\n  bad: indent\n' >"$T/var/lib/kubelet/config.yaml"
for f in etc/docker/daemon.json etc/containerd/config.toml var/lib/kubelet/config.yaml; do cp -p "$T/$f" "$WORK/$(basename $f).orig"; done
run apply --only swap,cgroup-driver --root "$T"
expect_rc "malformed files" 2
contains "daemon.json refused with its position" "$OUT" "/etc/docker/daemon.json: line 3"
contains "config.toml refused with its line" "$OUT" "/etc/containerd/config.toml: line 2"
contains "config.yaml refused with its line" "$OUT" "/var/lib/kubelet/config.yaml: line 3"
for f in etc/docker/daemon.json etc/containerd/config.toml var/lib/kubelet/config.yaml; do
        same_file "$f untouched" "$T/$f" "$WORK/$(basename $f).orig"
done
same_file "the swap fixer still fixed fstab" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"

# 5. No systemd in the tree: the systemd driver cannot work there; cgroupfs it is.
T=$(new_tree centos7 nosystemd)
rm -rf "$T/sbin/init" "$T/usr/lib/systemd/systemd"
run apply --dry-run --root "$T" --only cgroup-driver -v
contains "no systemd: a warning says why" "$OUT" "the profile wants the systemd cgroup driver, but the tree has no systemd; using cgroupfs"
contains "no systemd: docker is moved to cgroupfs" "$OUT" "+  \"exec-opts\": [\"native.cgroupdriver=cgroupfs\"],"

# 6. containerd configs: no version key (refused), version 3 (its own table; a v2 table is reported).
T=$(new_tree centos7 v1)
printf '[plugins.cri]\n  systemd_cgroup = false\n' >"$T/etc/containerd/config.toml"
run check --root "$T" --only cgroup-driver
expect_rc "a version 1 config.toml" 2
contains "is reported and left alone" "$OUT" "no 'version' key (a version 1 config, which kubeprep does not edit)"
T=$(new_tree centos7 v3)
cat >"$T/etc/containerd/config.toml" <<'TOML'
version = 3

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML
run apply --root "$T" --only cgroup-driver -v
expect_rc "version 3 config.toml" 0
contains "the v3 table is edited" "$(cat "$T/etc/containerd/config.toml")" "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true"
contains "a value under the v2 table is reported as having no effect" "$OUT" "SystemdCgroup is set in the table of config version 2, which this version 3 config ignores"

# 7. Missing files: created only where the runtime is installed.
T=$(new_tree centos7 fresh)
rm "$T/etc/docker/daemon.json" "$T/etc/containerd/config.toml"
run apply --root "$T" --only cgroup-driver
expect_rc "fresh node: apply" 0
printf '{\n  "exec-opts": ["native.cgroupdriver=systemd"]\n}\n' >"$WORK/want.json"
same_file "daemon.json created for the installed docker" "$T/etc/docker/daemon.json" "$WORK/want.json"
if command -v containerd >/dev/null; then
        contains "the created config.toml is accepted by containerd, runc on systemd" \
                "$(containerd --config "$T/etc/containerd/config.toml" config dump 2>&1)" "SystemdCgroup = true"
fi
T=$(new_tree centos7 nodocker)
rm "$T/etc/docker/daemon.json" "$T/usr/bin/dockerd"
run apply --root "$T" --only cgroup-driver
[ ! -e "$T/etc/docker/daemon.json" ] && pass "no daemon.json without docker" || fail "daemon.json created without docker"

done_testing
