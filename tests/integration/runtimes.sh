#!/usr/bin/env bash
# The container runtimes of today (issue 15) on scratch trees: containerd 2.3's config version 4,
# containerd's imports, CRI-O's config files. Oracles: python3's tomllib for what the files say,
# Debian's containerd 1.6 (`containerd config dump`) for how containerd merges version 2 imports.
. "$(dirname "$0")/../lib.sh"

CORPUS=${CORPUS_DIR:-$SOURCE_ROOT/tests/corpus}
V4="$CORPUS/containerd-toml/20-gardener_containerd-2.3-default.toml"
have_containerd=0
command -v containerd >/dev/null && have_containerd=1


# tomllib: FILE is ORIG with exactly the listed keys set (DOTTED.PATH=JSON ...), nothing else changed.
toml_is() { # toml_is FILE ORIG PATH=JSON...
        $PYTHON - "$@" <<'PY'
import json, sys, tomllib
got, want = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
for arg in sys.argv[3:]:
    path, value = arg.split("=", 1)
    keys = json.loads(path)
    t = want
    for k in keys[:-1]:
        t = t.setdefault(k, {})
    t[keys[-1]] = json.loads(value)
def diff(a, b, path=()):
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in diff(a.get(k), b.get(k), path + (k,))]
    return [] if a == b else ["%s: got %r, want %r" % (".".join(path), a, b)]
problems = diff(got, want)
assert not problems, "\n".join(problems)
PY
}

# 1. containerd 2.3 writes `version = 4` (its `config default` as published, tests/corpus/SOURCES.md).
#    The CRI plugin tables are those of version 3: SystemdCgroup is edited there, on its own line.
T=$(runtime_tree v4 containerd)
mkdir -p "$T/etc/containerd"
cp "$V4" "$T/etc/containerd/config.toml"
run check --root "$T" --only cgroup-driver
expect_rc "containerd 2.3: check finds runc on cgroupfs" 1
contains "containerd 2.3: the message" "$OUT" "[cgroup-driver] drift: containerd uses cgroupfs; the profile wants systemd"
run apply --root "$T" --only cgroup-driver -v
expect_rc "containerd 2.3: apply" 0
contains "containerd 2.3: the detail names the file and the key" "$OUT" \
        "/etc/containerd/config.toml: SystemdCgroup = true (was false)"
ok "containerd 2.3: tomllib reads the original with only runc's SystemdCgroup = true" toml_is \
        "$T/etc/containerd/config.toml" "$V4" \
        '["plugins","io.containerd.cri.v1.runtime","containerd","runtimes","runc","options","SystemdCgroup"]=true'
ok "containerd 2.3: one line changed, in place" cmp -s <(diff "$V4" "$T/etc/containerd/config.toml") \
        <(printf '%s\n' 90c90 '<             SystemdCgroup = false' --- '>             SystemdCgroup = true')
run apply --root "$T" --only cgroup-driver
contains "containerd 2.3: a second apply finds nothing to do" "$OUT" "[cgroup-driver] ok:"
# A version kubeprep does not know yet stays a refusal that names the ones it knows.
sed 's/^version = 4$/version = 5/' "$V4" >"$T/etc/containerd/config.toml"
cp "$T/etc/containerd/config.toml" "$WORK/v5.orig"
run apply --root "$T" --only cgroup-driver
expect_rc "version 5: refused" 2
contains "version 5: the message names the versions kubeprep knows" "$OUT" \
        "/etc/containerd/config.toml:3: version = 5 is not one kubeprep knows (2, 3 or 4); the file was not changed"
same_file "version 5: untouched" "$T/etc/containerd/config.toml" "$WORK/v5.orig"

# containerd as containerd 1.6 reads FILE: `config dump` with the tree's /etc/containerd mounted over
# the machine's, so the imports' absolute paths name the tree's files. Prints "PLUGIN.KEY.PATH=VALUE"
# for the settings kubeprep reads (JSON values).
dump_tree() { # dump_tree TREE
        unshare -m sh -c 'mount --bind "$1/etc/containerd" /etc/containerd && containerd --config /etc/containerd/config.toml config dump' \
                sh "$1" 2>/dev/null | $PYTHON -c '
import json, sys, tomllib
d = tomllib.loads(sys.stdin.read())
cri = d.get("plugins", {}).get("io.containerd.grpc.v1.cri", {})
runc = cri.get("containerd", {}).get("runtimes", {}).get("runc", {})
print("SystemdCgroup=%s" % json.dumps(runc.get("options", {}).get("SystemdCgroup", False)))
print("runtime_type=%s" % json.dumps(runc.get("runtime_type", "")))
print("sandbox_image=%s" % json.dumps(cri.get("sandbox_image")))
print("cri=%s" % ("disabled" if {"cri", "io.containerd.grpc.v1.cri"} & set(d.get("disabled_plugins", [])) else "enabled"))'
}
can_dump=0
[ $have_containerd = 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && can_dump=1

# 2. A drop-in imported by config.toml overrides SystemdCgroup: containerd replaces the CRI plugin's
#    whole table with the drop-in's (docs/kubernetes-facts.md 15.3), so the drop-in's value counts
#    and is the one edited; config.toml stays as it was.
T=$(runtime_tree dropin containerd)
mkdir -p "$T/etc/containerd/conf.d"
cat >"$T/etc/containerd/config.toml" <<'TOML'
version = 2
imports = ["/etc/containerd/conf.d/*.toml"]

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.cn-hangzhou.aliyuncs.com/google_containers/pause:3.2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n' \
        >"$T/etc/containerd/conf.d/10-runc.toml"
cp "$T/etc/containerd/config.toml" "$WORK/dropin-main.orig"
run check --root "$T" --only cgroup-driver -o json
expect_rc "drop-in: check finds runc on cgroupfs" 1
printf '%s' "$OUT" >"$WORK/dropin.json"
effective() { # effective JSON: the value kubeprep reports for containerd's runc runtime
        $PYTHON -c '
import json, re, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "cgroup-driver"][0]
for d in r["details"]:
    m = re.match(r"containerd.s runc runtime: SystemdCgroup = (\w+)", d)
    if m:
        print("SystemdCgroup=%s" % m.group(1))' "$1"
}
ok "drop-in: the message names the drop-in the value comes from" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "cgroup-driver"][0]
assert r["message"] == "containerd'"'"'s runc runtime has no runtime_type, containerd uses cgroupfs (from /etc/containerd/conf.d/10-runc.toml); the profile wants systemd", r["message"]
assert "containerd'"'"'s runc runtime: SystemdCgroup = false, from /etc/containerd/conf.d/10-runc.toml (imported by /etc/containerd/config.toml)" in r["details"], r["details"]' \
        "$WORK/dropin.json"
if [ $can_dump = 1 ]; then
        dump=$(dump_tree "$T")
        contains "drop-in: containerd 1.6 runs runc on cgroupfs too" "$dump" "SystemdCgroup=false"
        contains "drop-in: and lost config.toml's sandbox image with its CRI table" "$dump" "sandbox_image=\"registry.k8s.io/pause"
        [ "$(effective "$WORK/dropin.json")" = "$(grep SystemdCgroup <<<"$dump")" ] && pass "drop-in: kubeprep's effective value is containerd's" ||
                fail "drop-in: kubeprep says '$(effective "$WORK/dropin.json")', containerd '$(grep SystemdCgroup <<<"$dump")'"
else
        skip "drop-in: containerd config dump" "needs containerd, root and unshare"
fi
run apply --root "$T" --only cgroup-driver -v
expect_rc "drop-in: apply" 0
contains "drop-in: the detail names the drop-in" "$OUT" "/etc/containerd/conf.d/10-runc.toml: SystemdCgroup = true (was false)"
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n' \
        >"$WORK/dropin.want"
same_file "drop-in: edited, with runc's runtime_type (its table replaces config.toml's)" \
        "$T/etc/containerd/conf.d/10-runc.toml" "$WORK/dropin.want"
same_file "drop-in: config.toml untouched" "$T/etc/containerd/config.toml" "$WORK/dropin-main.orig"
if [ $can_dump = 1 ]; then
        contains "drop-in: containerd 1.6 now runs runc as io.containerd.runc.v2 on systemd" "$(dump_tree "$T")" \
                'SystemdCgroup=true
runtime_type="io.containerd.runc.v2"'
fi
run apply --root "$T" --only cgroup-driver
contains "drop-in: a second apply finds nothing to do" "$OUT" "[cgroup-driver] ok:"
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n' \
        >"$WORK/dropin.orig"
run rollback --root "$T"
expect_rc "drop-in: rollback" 0
same_file "drop-in: rollback restores the drop-in" "$T/etc/containerd/conf.d/10-runc.toml" "$WORK/dropin.orig"

#    The same on a containerd 2.3 node: its default config imports /etc/containerd/conf.d/*.toml.
#    No containerd 2.x here: the oracle is containerd's merge (a later file's plugin table replaces
#    the earlier one whole) done by python over tomllib.
T=$(runtime_tree v4-dropin containerd)
mkdir -p "$T/etc/containerd/conf.d"
cp "$V4" "$T/etc/containerd/config.toml"
printf "version = 4\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n  BinaryName = '/usr/local/sbin/runc'\n" \
        >"$T/etc/containerd/conf.d/20-runc.toml"
cp "$T/etc/containerd/conf.d/20-runc.toml" "$WORK/v4-dropin.orig"
merged() { # merged TREE: runc's options as containerd merges config.toml and conf.d/*.toml
        $PYTHON - "$1" <<'PY'
import glob, sys, tomllib
root = sys.argv[1]
files = [root + "/etc/containerd/config.toml"] + sorted(glob.glob(root + "/etc/containerd/conf.d/*.toml"))
plugins = {}
for f in files:
    plugins.update(tomllib.load(open(f, "rb")).get("plugins", {}))
runc = plugins["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]["runc"]
print("SystemdCgroup=%s BinaryName=%s" % (runc["options"].get("SystemdCgroup", False), runc["options"].get("BinaryName")))
PY
}
[ "$(merged "$T")" = "SystemdCgroup=False BinaryName=/usr/local/sbin/runc" ] && pass "containerd 2.3 drop-in: merged, runc on cgroupfs" ||
        fail "containerd 2.3 drop-in before: $(merged "$T")"
run apply --root "$T" --only cgroup-driver
expect_rc "containerd 2.3 drop-in: apply" 0
contains "containerd 2.3 drop-in: named" "$OUT" "containerd uses cgroupfs (from /etc/containerd/conf.d/20-runc.toml)"
[ "$(merged "$T")" = "SystemdCgroup=True BinaryName=/usr/local/sbin/runc" ] && pass "containerd 2.3 drop-in: merged, runc on systemd, the rest kept" ||
        fail "containerd 2.3 drop-in after: $(merged "$T")"
ok "containerd 2.3 drop-in: one line of the drop-in changed" cmp -s <(diff "$WORK/v4-dropin.orig" "$T/etc/containerd/conf.d/20-runc.toml") \
        <(printf '%s\n' 7c7 '<   SystemdCgroup = false' --- '>   SystemdCgroup = true')
same_file "containerd 2.3 drop-in: config.toml untouched" "$T/etc/containerd/config.toml" "$V4"

# 3. The imports' rules: a relative glob from config.toml's directory (containerd >= 2.0; 1.x took
#    it from its working directory: a warning says so), files in glob order, each file once, a later
#    file over an earlier one; disabled_plugins added up over every file.
T=$(runtime_tree rules containerd)
mkdir -p "$T/etc/containerd/conf.d"
printf 'version = 2\nimports = ["conf.d/*.toml", "/etc/containerd/conf.d/20-b.toml"]\n' >"$T/etc/containerd/config.toml"
printf 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n' \
        >"$T/etc/containerd/conf.d/10-a.toml"
printf '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n    SystemdCgroup = false\n' \
        >"$T/etc/containerd/conf.d/20-b.toml"
run apply --root "$T" --only cgroup-driver -v
expect_rc "rules: apply" 0
contains "rules: the relative glob is read from config.toml's directory, with a warning" "$OUT" \
        "/etc/containerd/config.toml: imports \"conf.d/*.toml\" relative to /etc/containerd (containerd 2.0 and later); containerd 1.x reads it relative to its working directory"
contains "rules: the CRI is enabled where it was disabled" "$OUT" "/etc/containerd/conf.d/10-a.toml: remove \"cri\" from disabled_plugins"
contains "rules: the later file's SystemdCgroup is the one edited" "$OUT" "/etc/containerd/conf.d/20-b.toml: SystemdCgroup = true (was false)"
ok "rules: 10-a.toml has only the CRI enabled" cmp -s "$T/etc/containerd/conf.d/10-a.toml" \
        <(printf 'version = 2\ndisabled_plugins = []\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n')
if [ $can_dump = 1 ]; then
        dump=$(cd "$T/etc/containerd" && dump_tree "$T")
        contains "rules: containerd 1.6 (run from config.toml's directory) agrees" "$dump" 'SystemdCgroup=true'
        contains "rules: and has its CRI enabled" "$dump" 'cri=enabled'
fi

# 4. What kubeprep does not edit: a package's file (under /usr) or one outside /etc/containerd is
#    drift with its path; an import that does not exist, or of another version, is refused.
T=$(runtime_tree vendor containerd)
mkdir -p "$T/etc/containerd" "$T/usr/share/containerd/conf.d"
printf 'version = 2\nimports = ["/usr/share/containerd/conf.d/*.toml"]\n' >"$T/etc/containerd/config.toml"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n    SystemdCgroup = false\n' \
        >"$T/usr/share/containerd/conf.d/50-vendor.toml"
state=$(tree_state "$T")
run apply --root "$T" --only cgroup-driver
expect_rc "a package's drop-in: drift apply cannot fix" 1
contains "a package's drop-in: named, with the advice" "$OUT" \
        "/usr/share/containerd/conf.d/50-vendor.toml (a package's file, imported by /etc/containerd/config.toml) sets SystemdCgroup = false"
[ "$(tree_state "$T")" = "$state" ] && pass "a package's drop-in: nothing written" || fail "a package's drop-in: the tree changed"
printf 'version = 2\nimports = ["/etc/containerd/missing.toml"]\n' >"$T/etc/containerd/config.toml"
run apply --root "$T" --only cgroup-driver
expect_rc "a missing import: refused" 2
contains "a missing import: named, and why it matters" "$OUT" \
        "/etc/containerd/missing.toml: imported by /etc/containerd/config.toml, but missing: containerd does not start (\"failed to load TOML\"); the files were not changed"
printf 'version = 2\nimports = ["/usr/share/containerd/conf.d/*.toml"]\n' >"$T/etc/containerd/config.toml"
sed -i 's/^version = 2$/version = 3/' "$T/usr/share/containerd/conf.d/50-vendor.toml"
run apply --root "$T" --only cgroup-driver
expect_rc "an import of another version: refused" 2
contains "an import of another version: named" "$OUT" \
        "/usr/share/containerd/conf.d/50-vendor.toml:1: version = 3, but /etc/containerd/config.toml is version 2: kubeprep does not mix config versions; the files were not changed"

# CRI-O as CRI-O reads it: crio.conf, then every file of crio.conf.d (walked, names sorted), a
# later file's key over an earlier one's (crio.conf.d(5)). Prints the settings kubeprep reads.
crio_effective() { # crio_effective TREE
        $PYTHON - "$1" <<'PY'
import os, sys, tomllib
root = sys.argv[1] + "/etc/crio"
files = [root + "/crio.conf"] if os.path.exists(root + "/crio.conf") else []
for d, dirs, names in os.walk(root + "/crio.conf.d"):
    dirs.sort()
    files += [os.path.join(d, n) for n in sorted(names)]
def merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            merge(a[k], v)
        else:
            a[k] = v
conf = {}
for f in files:
    merge(conf, tomllib.load(open(f, "rb")))
crio = conf.get("crio", {})
print("cgroup_manager=%s" % crio.get("runtime", {}).get("cgroup_manager", "systemd (default)"))
print("conmon_cgroup=%s" % crio.get("runtime", {}).get("conmon_cgroup", "(default)"))
print("pause_image=%s" % crio.get("image", {}).get("pause_image", "(default)"))
PY
}
CRIO="$CORPUS/crio"
printf 'extends: default\ncgroupDriver: cgroupfs\n' >"$WORK/cgroupfs.yaml"

# 5. CRI-O, with the files it ships (tests/corpus/SOURCES.md). An OpenShift node: crio.conf, all
#    comments but for a few keys, and crio.conf.d/00-default (no .conf suffix: CRI-O reads every
#    file) that sets cgroup_manager and conmon_cgroup.
T=$(runtime_tree crio-ocp crio)
mkdir -p "$T/etc/crio/crio.conf.d"
cp "$CRIO/01-vrutkovs_sno-etc-crio.conf" "$T/etc/crio/crio.conf"
cp "$CRIO/02-vrutkovs_sno-etc-crio.conf.d-00-default" "$T/etc/crio/crio.conf.d/00-default"
run check --root "$T" --only cgroup-driver
expect_rc "CRI-O (OpenShift files), systemd profile: check" 0
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml" -o json
expect_rc "CRI-O (OpenShift files), cgroupfs profile: apply" 0
printf '%s' "$OUT" >"$WORK/crio.json"
ok "CRI-O: the message names the file, crio.service is restarted" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "cgroup-driver"][0]
assert r["message"] == "CRI-O uses systemd (from /etc/crio/crio.conf.d/00-default); the profile wants cgroupfs", r["message"]
assert r["restarts"] == ["crio.service"], r["restarts"]
assert "/etc/crio/crio.conf.d/00-default: cgroup_manager = \"cgroupfs\" (was \"systemd\")" in r["details"], r["details"]' "$WORK/crio.json"
ok "CRI-O: tomllib reads 00-default with only cgroup_manager changed" toml_is "$T/etc/crio/crio.conf.d/00-default" \
        "$CRIO/02-vrutkovs_sno-etc-crio.conf.d-00-default" '["crio","runtime","cgroup_manager"]="cgroupfs"'
same_file "CRI-O: crio.conf untouched" "$T/etc/crio/crio.conf" "$CRIO/01-vrutkovs_sno-etc-crio.conf"
[ "$(crio_effective "$T" | head -2 | tr '\n' ' ')" = "cgroup_manager=cgroupfs conmon_cgroup=pod " ] &&
        pass "CRI-O reads cgroupfs, with conmon in the pod's cgroup" || fail "CRI-O reads: $(crio_effective "$T")"
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
contains "CRI-O: a second apply finds nothing to do" "$OUT" "[cgroup-driver] ok:"
run rollback --root "$T"
expect_rc "CRI-O: rollback" 0
same_file "CRI-O: rollback restores 00-default" "$T/etc/crio/crio.conf.d/00-default" "$CRIO/02-vrutkovs_sno-etc-crio.conf.d-00-default"

#    CRI-O's own packages (pkgs.k8s.io): no crio.conf, crio.conf.d/10-crio.conf without either key.
#    cgroupfs needs both keys; they go into its [crio.runtime].
T=$(runtime_tree crio-pkg crio)
mkdir -p "$T/etc/crio/crio.conf.d"
cp "$CRIO/03-cri-o_packaging-10-crio.conf" "$T/etc/crio/crio.conf.d/10-crio.conf"
run check --root "$T" --only cgroup-driver
expect_rc "CRI-O (packaging), systemd profile: its default is systemd" 0
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml" -v
expect_rc "CRI-O (packaging), cgroupfs profile: apply" 0
contains "CRI-O (packaging): the message" "$OUT" \
        "CRI-O uses its default (systemd), CRI-O's conmon_cgroup is not \"pod\", which cgroupfs needs; the profile wants cgroupfs"
ok "CRI-O (packaging): tomllib reads 10-crio.conf with the two keys added" toml_is \
        "$T/etc/crio/crio.conf.d/10-crio.conf" "$CRIO/03-cri-o_packaging-10-crio.conf" \
        '["crio","runtime","cgroup_manager"]="cgroupfs"' '["crio","runtime","conmon_cgroup"]="pod"'
ok "CRI-O (packaging): added after [crio.runtime]'s last key" cmp -s <(sed -n 4,7p "$T/etc/crio/crio.conf.d/10-crio.conf") \
        <(printf '[crio.runtime]\ndefault_runtime = "crun"\ncgroup_manager = "cgroupfs"\nconmon_cgroup = "pod"\n')

#    A hand-written crio.conf on cgroupfs without conmon_cgroup: moved to systemd by the default
#    profile; with a cgroupfs profile it only gains conmon_cgroup = "pod".
T=$(runtime_tree crio-hand crio)
mkdir -p "$T/etc/crio"
cp "$CRIO/04-sk8s-co_kubelet-crio.conf" "$T/etc/crio/crio.conf"
run apply --root "$T" --only cgroup-driver
expect_rc "CRI-O (hand-written), systemd profile: apply" 0
ok "CRI-O (hand-written): only cgroup_manager changed" toml_is "$T/etc/crio/crio.conf" \
        "$CRIO/04-sk8s-co_kubelet-crio.conf" '["crio","runtime","cgroup_manager"]="systemd"'
cp "$CRIO/04-sk8s-co_kubelet-crio.conf" "$T/etc/crio/crio.conf"
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
expect_rc "CRI-O (hand-written), cgroupfs profile: apply" 0
ok "CRI-O (hand-written): only conmon_cgroup = \"pod\" added" toml_is "$T/etc/crio/crio.conf" \
        "$CRIO/04-sk8s-co_kubelet-crio.conf" '["crio","runtime","conmon_cgroup"]="pod"'

#    CRI-O installed without any file: cgroupfs gets the drop-in the Kubernetes documentation shows.
T=$(runtime_tree crio-none crio)
run apply --root "$T" --only cgroup-driver --profile "$WORK/cgroupfs.yaml"
expect_rc "CRI-O without a config file, cgroupfs profile: apply" 0
[ "$(crio_effective "$T" | head -2 | tr '\n' ' ')" = "cgroup_manager=cgroupfs conmon_cgroup=pod " ] &&
        pass "CRI-O without a config file: a drop-in sets cgroupfs and pod" || fail "CRI-O reads: $(crio_effective "$T")"

done_testing
