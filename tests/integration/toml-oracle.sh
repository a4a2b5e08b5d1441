#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks what is written into containerd's config.toml against independent readers, for every
# containerd config in the corpus and for docker-ce's stock one (tests/fixtures/toml):
#  - the editor: toml-edit-tool sets SystemdCgroup (version 2 and 3 files); python3's tomllib must
#    read the edited file as the original plus exactly that one key;
#  - kubeprep: `apply --only cgroup-driver` on a tree holding the file, with the systemd (default)
#    and the cgroupfs (aarch64) profile. A refused file must stay byte for byte. Otherwise tomllib
#    must read the result as the original with only the changes kubeprep means (SystemdCgroup, runc's
#    runtime_type where the runc table has none, "cri" out of disabled_plugins, version = 2 for a
#    version 1 file), and `containerd config dump` (Debian 12's containerd 1.6, if installed; it
#    reads version 1 and 2 files) must show the same configuration before and after except the CRI
#    plugin enabled and, in the whole effective runc runtime, SystemdCgroup and a runtime_type that
#    was "". There is no containerd 2.x here for version 3 files: their effective runc runtime is
#    taken as containerd documents it (a runc table in the file replaces the built-in
#    io.containerd.runc.v2 one) and compared the same way on what tomllib reads.
# Usage: toml-oracle.sh TOOL CORPUS_DIR KUBEPREP        (TAP output)
set -u

usage="usage: toml-oracle.sh TOOL CORPUS_DIR KUBEPREP"
tool=${1:?$usage}
corpus=${2:?$usage}/containerd-toml
kubeprep=${3:?$usage}
stock="$(cd "$(dirname "$0")/../fixtures/toml" && pwd)/containerd.io-config.toml"
. "$(dirname "$0")/../tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

v2_table='plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options'
v3_table="plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options"

# Compare original and edited documents: equal except for the one key.
tomllib_check() { # ORIG EDITED PLUGIN_ID VALUE
        python3 - "$@" <<'EOF'
import sys, tomllib
orig_path, edited_path, plugin, value = sys.argv[1:]
with open(orig_path, "rb") as f:
    orig = tomllib.load(f)
with open(edited_path, "rb") as f:
    edited = tomllib.load(f)
t = orig
for seg in ["plugins", plugin, "containerd", "runtimes", "runc", "options"]:
    t = t.setdefault(seg, {})
t["SystemdCgroup"] = value == "true"
if orig != edited:
    sys.exit("edited file differs from the original by more than SystemdCgroup")
EOF
}

# What kubeprep wrote, against the original: the file through tomllib and, given the three dumps
# (original, result, an empty version 2 config for containerd's built-in settings), containerd.
kubeprep_check() { # ORIG EDITED VALUE [DUMP_BEFORE DUMP_AFTER DUMP_BUILTIN]
        python3 - "$@" <<'EOF'
import copy, sys, tomllib
load = lambda path: tomllib.load(open(path, "rb"))
orig, edited, want = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3] == "true"
dumps = [load(p) for p in sys.argv[4:]]
CRI_IDS = ("cri", "io.containerd.grpc.v1.cri")
RUNC_TYPE = "io.containerd.runc.v2"
version = orig.get("version", 1)
plugin = "io.containerd.cri.v1.runtime" if version >= 3 else "io.containerd.grpc.v1.cri"
errors = []

def runc_of(doc, plugin_id):
    return doc.get("plugins", {}).get(plugin_id, {}).get("containerd", {}).get("runtimes", {}).get("runc")

# 1. The file: the original with only the changes kubeprep means.
want_doc = copy.deepcopy(orig)
if "disabled_plugins" in want_doc:
    want_doc["disabled_plugins"] = [p for p in want_doc["disabled_plugins"] if p not in CRI_IDS]
if want or "SystemdCgroup" in ((runc_of(want_doc, plugin) or {}).get("options") or {}):
    t = want_doc
    for seg in ("plugins", plugin, "containerd", "runtimes", "runc", "options"):
        t = t.setdefault(seg, {})
    t["SystemdCgroup"] = want
runc = runc_of(want_doc, plugin)
if runc is not None and runc.get("runtime_type", "") == "":
    runc["runtime_type"] = RUNC_TYPE
if version == 1 and want_doc != orig:
    want_doc["version"] = 2
if edited != want_doc:
    errors.append("the file is not the original with only kubeprep's changes:\n got  %r\n want %r" % (edited, want_doc))

# 2. The effective runc runtime: the one before, with the wanted SystemdCgroup and a runtime_type
#    that was "" set. runc's options are protobuf fields, so a zero value is the same as none.
def normalized(runc):
    runc = copy.deepcopy(runc)
    runc["options"] = {k: v for k, v in (runc.get("options") or {}).items() if v is not False and v not in ("", 0, [])}
    return runc

def expect_runc(before):
    runc = normalized(before)
    runc["options"].pop("SystemdCgroup", None)
    if want:
        runc["options"]["SystemdCgroup"] = True
    if runc.get("runtime_type", "") == "":
        runc["runtime_type"] = RUNC_TYPE
    return runc

def compare_runc(before, after, builtin, where):
    # No runc before (a runtimes table without it replaces the built-in ones): kubeprep may add
    # one, which must then be the built-in one with the wanted SystemdCgroup.
    if after is None:
        if before is not None or want:
            errors.append("%s: no runc runtime after kubeprep" % where)
        return
    want_runc = expect_runc(before if before is not None else builtin)
    if normalized(after) != want_runc:
        errors.append("%s: the runc runtime is not the one before with only SystemdCgroup (and an empty runtime_type) "
                      "changed:\n before %r\n after  %r\n want   %r" % (where, before, after, want_runc))

if version >= 3:
    compare_runc(runc_of(orig, plugin) or {"runtime_type": RUNC_TYPE}, runc_of(edited, plugin), None,
                 "tomllib, containerd 2.x semantics")
elif dumps:
    before, after, builtin = dumps
    cri_before = before.get("plugins", {}).get(plugin)
    if cri_before is None:  # disabled: the dump leaves its settings out; they are the built-in ones
        cri_before = builtin["plugins"][plugin]
    cri_after = after.get("plugins", {}).get(plugin)
    if cri_after is None or set(after.get("disabled_plugins", [])) & set(CRI_IDS):
        errors.append("containerd config dump: the CRI plugin is still disabled")
    else:
        compare_runc(cri_before["containerd"]["runtimes"].get("runc"), cri_after["containerd"]["runtimes"].get("runc"),
                     builtin["plugins"][plugin]["containerd"]["runtimes"]["runc"], "containerd config dump")
        # Everything else the same: the other plugins, the CRI's other settings, the top level.
        def rest(dump, cri):
            dump = copy.deepcopy(dump)
            for key in ("version", "imports", "disabled_plugins"):
                dump.pop(key, None)
            cri = copy.deepcopy(cri)
            cri["containerd"]["runtimes"].pop("runc", None)
            dump.setdefault("plugins", {})[plugin] = cri
            return dump
        if rest(before, cri_before) != rest(after, cri_after):
            errors.append("containerd config dump: more than the CRI's runc runtime changed")
        if [p for p in before.get("disabled_plugins", []) if p not in CRI_IDS] != after.get("disabled_plugins", []):
            errors.append("containerd config dump: disabled_plugins changed beyond the CRI")
sys.exit("\n".join(errors) if errors else 0)
EOF
}

have_containerd=0
command -v containerd >/dev/null && have_containerd=1
have_tomllib=0
python3 -c 'import tomllib' 2>/dev/null && have_tomllib=1
[ $have_containerd = 1 ] && printf 'version = 2\n' >"$tmp/builtin.toml" &&
        containerd --config "$tmp/builtin.toml" config dump >"$tmp/builtin.dump" 2>/dev/null

editor_checks() { # FILE NAME VERSION
        local f=$1 name=$2 version=$3 table plugin value edited
        case "$version" in
        2) table=$v2_table plugin=io.containerd.grpc.v1.cri ;;
        3 | 4) table=$v3_table plugin=io.containerd.cri.v1.runtime ;; # 4 (containerd 2.3): 3's CRI tables
        *) skip "$name: editor" "version $version"; return ;;
        esac
        for value in true false; do
                edited="$tmp/$name.$value"
                if ! "$tool" "$f" set "$table" SystemdCgroup "$value" >"$edited" 2>"$tmp/err"; then
                        not_ok "$name: set SystemdCgroup = $value" "$(cat "$tmp/err")"
                        continue
                fi
                ok "$name: set SystemdCgroup = $value"
                if [ $have_tomllib = 0 ]; then
                        skip "$name: tomllib check" "python3 tomllib not available"
                elif out=$(tomllib_check "$f" "$edited" "$plugin" "$value" 2>&1); then
                        ok "$name: tomllib sees only SystemdCgroup = $value changed"
                else
                        not_ok "$name: tomllib sees only SystemdCgroup = $value changed" "$out"
                fi
        done
}

kubeprep_checks() { # FILE NAME VERSION
        local f=$1 name=$2 version=$3 profile value t rc dumps
        for profile in default aarch64; do
                value=true
                [ $profile = aarch64 ] && value=false
                t="$tmp/tree"
                rm -rf "$t"
                mkdir -p "$t/etc/containerd" "$t/usr/bin" "$t/usr/lib/systemd" "$t/sbin"
                : >"$t/usr/bin/containerd"
                : >"$t/usr/lib/systemd/systemd"
                ln -s ../usr/lib/systemd/systemd "$t/sbin/init"
                cp "$f" "$t/etc/containerd/config.toml"
                "$kubeprep" apply --root "$t" --only cgroup-driver --profile "$profile" >"$tmp/out" 2>&1
                rc=$?
                if [ $rc = 2 ] && cmp -s "$f" "$t/etc/containerd/config.toml"; then
                        skip "$name: kubeprep, SystemdCgroup = $value" \
                                "refused, file untouched: $(grep -o '/etc/containerd/config.toml: .*' "$tmp/out" | head -1)"
                        continue
                elif [ $rc != 0 ]; then
                        not_ok "$name: kubeprep, SystemdCgroup = $value: exit $rc" "$(cat "$tmp/out")"
                        continue
                fi
                ok "$name: kubeprep, SystemdCgroup = $value: apply"
                [ $have_tomllib = 1 ] || continue
                dumps=()
                if [ "$version" != 3 ] && [ "$version" != 4 ] && [ $have_containerd = 1 ]; then
                        if containerd --config "$f" config dump >"$tmp/before.dump" 2>"$tmp/err" &&
                                containerd --config "$t/etc/containerd/config.toml" config dump >"$tmp/after.dump" 2>>"$tmp/err"; then
                                dumps=("$tmp/before.dump" "$tmp/after.dump" "$tmp/builtin.dump")
                        else
                                not_ok "$name: kubeprep, SystemdCgroup = $value: containerd config dump" "$(cat "$tmp/err")"
                                continue
                        fi
                fi
                local what="tomllib"
                [ ${#dumps[@]} -gt 0 ] && what="tomllib and containerd config dump"
                case "$version" in 3 | 4) what="tomllib (containerd 2.x runc semantics)" ;; esac
                if out=$(kubeprep_check "$f" "$t/etc/containerd/config.toml" "$value" "${dumps[@]}" 2>&1); then
                        ok "$name: kubeprep, SystemdCgroup = $value: $what see only the intended change"
                else
                        not_ok "$name: kubeprep, SystemdCgroup = $value: $what see only the intended change" "$out"
                fi
        done
}

for f in "$corpus"/*.toml "$stock"; do
        name=$(basename "$f")
        if ! version=$("$tool" "$f" get "" version 2>"$tmp/err"); then
                if [ -s "$tmp/err" ]; then
                        skip "$name" "refused by the scanner: $(cat "$tmp/err")"
                        kubeprep_checks "$f" "$name" none
                        continue
                fi
                version=1
        fi
        editor_checks "$f" "$name" "$version"
        kubeprep_checks "$f" "$name" "$version"
done

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
