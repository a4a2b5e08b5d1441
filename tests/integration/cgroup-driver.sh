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

# 6. containerd configs: version 1 with plugin tables, imports or other disabled plugins (refused,
#    untouched), version 3 (its own table; a v2 table is reported).
v1_advice="the file was not changed: convert it with 'containerd config migrate' (containerd 2.0 and later) or regenerate it with 'containerd config default'"
for case in "plugin tables|[plugins.cri]\n  systemd_cgroup = false\n|with plugin tables" \
        "dotted plugin keys|disabled_plugins = [\"cri\"]\nplugins.linux.runtime = \"runc\"\n|with plugin tables" \
        "imports|disabled_plugins = [\"cri\"]\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n|that imports other files" \
        "another disabled plugin|disabled_plugins = [\"cri\", \"aufs\"]\n|whose disabled_plugins names other plugins than the CRI" \
        "required plugins|required_plugins = [\"cri\"]\n|whose required_plugins names plugins"; do
        IFS='|' read -r what text why <<<"$case"
        T=$(new_tree centos7 v1)
        printf "$text" >"$T/etc/containerd/config.toml"
        cp "$T/etc/containerd/config.toml" "$WORK/v1.orig"
        run apply --root "$T" --only cgroup-driver
        expect_rc "a version 1 config.toml with $what" 2
        contains "version 1 with $what: the reason and the advice" "$OUT" \
                "/etc/containerd/config.toml: a version 1 config (no 'version' key) $why, which kubeprep does not migrate; $v1_advice"
        same_file "version 1 with $what: left alone" "$T/etc/containerd/config.toml" "$WORK/v1.orig"
done
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
# containerd reads a runc table without runtime_type as a runtime of type "": kubeprep adds it (C1).
cat >"$WORK/v3.want" <<'TOML'
version = 3

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML
same_file "the v3 table is edited, and runc gets its runtime_type" "$T/etc/containerd/config.toml" "$WORK/v3.want"
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

# containerd's effective runc runtime and CRI plugin, as `containerd config dump` shows them.
dump_runc() { # dump_runc CONFIG: "cri=enabled|disabled runtime_type=... SystemdCgroup=..."
        containerd --config "$1" config dump 2>/dev/null | $PYTHON -c '
import sys, tomllib
d = tomllib.loads(sys.stdin.read())
# A disabled plugin has no configuration in the dump.
runc = d.get("plugins", {}).get("io.containerd.grpc.v1.cri", {}).get("containerd", {}).get("runtimes", {}).get("runc", {})
cri = "disabled" if {"cri", "io.containerd.grpc.v1.cri"} & set(d.get("disabled_plugins", [])) else "enabled"
print("cri=%s runtime_type=%s SystemdCgroup=%s" % (cri, runc.get("runtime_type", "(none)"),
      str(runc.get("options", {}).get("SystemdCgroup", False)).lower()))'
}
have_containerd=0
command -v containerd >/dev/null && have_containerd=1

# 8. docker-ce on CentOS 7: containerd.io's stock config.toml (version 1, the CRI disabled, the rest
#    commented) becomes version 2 with the CRI enabled and runc on systemd; docker and the kubelet too.
T=$(new_tree docker-ce-centos7 dockerce)
run check --root "$T" --only cgroup-driver
expect_rc "docker-ce: check finds the mismatch" 1
contains "docker-ce: the message names every place" "$OUT" "[cgroup-driver] drift: docker uses its default driver, containerd has its CRI plugin disabled, containerd uses cgroupfs, the kubelet uses cgroupfs; the profile wants systemd"
run apply --root "$T" --only cgroup-driver -v
expect_rc "docker-ce: apply" 0
contains "docker-ce: says the config became version 2" "$OUT" "/etc/containerd/config.toml: version = 2 (it had no 'version' key: a version 1 config without plugin tables)"
contains "docker-ce: says runc gets its runtime_type" "$OUT" "/etc/containerd/config.toml: runtime_type = \"io.containerd.runc.v2\" for runc"
check_expected "$T" docker-ce-centos7
state=$(tree_state "$T")
run apply --root "$T" --only cgroup-driver
expect_rc "docker-ce: second apply" 0
contains "docker-ce: second apply finds every place agreeing" "$OUT" "[cgroup-driver] ok: every runtime and the kubelet use systemd"
[ "$(tree_state "$T")" = "$state" ] && pass "docker-ce: second apply changes no file" || fail "docker-ce: second apply changed files"
T=$(new_tree docker-ce-centos7 dockerce-arm)
run apply --root "$T" --only cgroup-driver --profile aarch64
expect_rc "docker-ce, cgroupfs profile: apply" 0
$PYTHON - "$FIXTURES/nodes/docker-ce-centos7/etc/containerd/config.toml" "$WORK/arm.want" <<'PY'
import sys
src = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(src.replace('disabled_plugins = ["cri"]\n', 'disabled_plugins = []\nversion = 2\n', 1))
PY
same_file "docker-ce, cgroupfs profile: version 2 with the CRI enabled, no runc table needed" \
        "$T/etc/containerd/config.toml" "$WORK/arm.want"
if [ $have_containerd = 1 ]; then
        contains "docker-ce: containerd had the CRI disabled" \
                "$(dump_runc "$FIXTURES/nodes/docker-ce-centos7/etc/containerd/config.toml")" "cri=disabled"
        contains "docker-ce: containerd runs the CRI, runc as io.containerd.runc.v2 on systemd" \
                "$(dump_runc "$FIXTURES/expected/docker-ce-centos7/etc/containerd/config.toml")" \
                "cri=enabled runtime_type=io.containerd.runc.v2 SystemdCgroup=true"
        contains "docker-ce, cgroupfs profile: containerd runs the CRI, its built-in runc on cgroupfs" \
                "$(dump_runc "$T/etc/containerd/config.toml")" "cri=enabled runtime_type=io.containerd.runc.v2 SystemdCgroup=false"
else
        skip "docker-ce: containerd config dump" "containerd is not installed"
fi

# 9. A runc options table must not replace containerd's built-in runc runtime: whenever the runc
#    table exists or is created without runtime_type, kubeprep writes runtime_type (containerd
#    otherwise runs runc as a runtime of type "", see containerd issue 6964).
runc_case() { # runc_case NAME INPUT WANT RUNTIME_TYPE [CHECK-MESSAGE]
        local name=$1 type=$4
        T=$(new_tree centos7 runc)
        printf "$2" >"$T/etc/containerd/config.toml"
        printf "$3" >"$WORK/runc.want"
        if [ $# -gt 4 ]; then
                run check --root "$T" --only cgroup-driver
                contains "$name: check reports it" "$OUT" "$5"
        fi
        run apply --root "$T" --only cgroup-driver
        expect_rc "$name: apply" 0
        same_file "$name: config.toml" "$T/etc/containerd/config.toml" "$WORK/runc.want"
        if [ $have_containerd = 1 ]; then
                contains "$name: containerd runs runc as $type on systemd" \
                        "$(dump_runc "$T/etc/containerd/config.toml")" "runtime_type=$type SystemdCgroup=true"
        fi
}
v2cri='[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.9"\n'
v2runc='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
v2opts='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n'
runc_case "no runc table" "version = 2\n\n$v2cri" "version = 2\n\n$v2cri\n$v2runc\n$v2opts" io.containerd.runc.v2
runc_case "no runc table, no final newline" "version = 2\n\n${v2cri%\\n}" "version = 2\n\n$v2cri\n$v2runc\n${v2opts%\\n}" \
        io.containerd.runc.v2
runc_case "only the options table" "version = 2\n\n$v2opts" "version = 2\n\n$v2runc\n$v2opts" io.containerd.runc.v2 \
        "[cgroup-driver] drift: containerd's runc runtime has no runtime_type, the kubelet uses cgroupfs"
runc_case "a runc table without runtime_type" \
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n    privileged_without_host_devices = false\n    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n      SystemdCgroup = false\n" \
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n    privileged_without_host_devices = false\n    runtime_type = \"io.containerd.runc.v2\"\n    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n      SystemdCgroup = true\n" \
        io.containerd.runc.v2 "containerd's runc runtime has no runtime_type, containerd uses cgroupfs"
runc_case "an empty runtime_type" "version = 2\n${v2runc/io.containerd.runc.v2/}$v2opts" "version = 2\n$v2runc$v2opts" io.containerd.runc.v2
runc_case "runc.v1 is left alone" "version = 2\n${v2runc/runc.v2/runc.v1}\n${v2opts/true/false}" \
        "version = 2\n${v2runc/runc.v2/runc.v1}\n$v2opts" io.containerd.runc.v1

# 10. The field guide's kubeadm-flags.env (tests/fixtures/flags/SOURCES): a double-quoted value continued
#    over four lines, a backslash at the end of each; kubeprep refused it (issue 12, B1). Its
#    --cgroup-driver=systemd is the profile's and stays; with a cgroupfs profile it changes on its line,
#    every other byte stays (golden tree), and systemd's own parser reads that one change.
GUIDE="$FIXTURES/nodes/field-guide-eviction/var/lib/kubelet/kubeadm-flags.env"
T=$(new_tree field-guide-eviction guide)
run apply --root "$T" --only cgroup-driver
expect_rc "field guide: apply" 0
contains "field guide: the flag file agrees" "$OUT" "[cgroup-driver] changed: every runtime and the kubelet use systemd"
same_file "field guide: kubeadm-flags.env stays" "$T/var/lib/kubelet/kubeadm-flags.env" "$GUIDE"
printf 'extends: default\ncgroupDriver: cgroupfs\n' >"$WORK/cgroupfs.yaml"
T=$(new_tree field-guide-eviction guide-cgroupfs)
run check --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
expect_rc "field guide, cgroupfs: check" 1
contains "field guide, cgroupfs: names the flag file" "$OUT" "a kubelet flag file sets another --cgroup-driver; the profile wants cgroupfs"
run apply --dry-run -v --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
expect_rc "field guide, cgroupfs: --dry-run" 1
contains "field guide, cgroupfs: --dry-run shows the first line as it will be" "$OUT" \
        "+KUBELET_KUBEADM_ARGS=\"--cgroup-driver=cgroupfs --network-plugin=cni"
same_file "field guide, cgroupfs: --dry-run changes nothing" "$T/var/lib/kubelet/kubeadm-flags.env" "$GUIDE"
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
expect_rc "field guide, cgroupfs: apply" 0
contains "field guide, cgroupfs: the detail" "$OUT" "/var/lib/kubelet/kubeadm-flags.env: --cgroup-driver=cgroupfs (was systemd)"
check_expected "$T" field-guide-eviction field-guide-eviction-cgroupfs
tree_state "$T" >"$WORK/state1"
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
contains "field guide, cgroupfs: second apply finds nothing to do" "$OUT" "[cgroup-driver] ok:"
ok "field guide, cgroupfs: second apply changed no file" cmp -s "$WORK/state1" <(tree_state "$T")
if before=$(systemd_env_value "$GUIDE" KUBELET_KUBEADM_ARGS); then
        after=$(systemd_env_value "$T/var/lib/kubelet/kubeadm-flags.env" KUBELET_KUBEADM_ARGS)
        if [ "$after" = "${before/--cgroup-driver=systemd/--cgroup-driver=cgroupfs}" ] && [ "$after" != "$before" ]; then
                pass "field guide, cgroupfs: systemd reads the one change"
        else
                fail "field guide, cgroupfs: systemd reads the one change" "before: $before
after:  $after"
        fi
else
        skip "field guide, cgroupfs: systemd's reading" "no systemd environment.d generator"
fi

done_testing
