#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks the TOML editor against independent readers: for every containerd
# config in the corpus, set SystemdCgroup with toml-edit-tool, then
#  - python3's tomllib must read the edited file as the original plus exactly
#    that one key (all files with version 2 or 3), and
#  - `containerd config dump` (Debian 12's containerd 1.6, if installed) must
#    show the new value in the runc options (version 2 files only).
# Usage: toml-oracle.sh TOOL CORPUS_DIR        (TAP output)
set -u

tool=${1:?usage: toml-oracle.sh TOOL CORPUS_DIR}
corpus=${2:?usage: toml-oracle.sh TOOL CORPUS_DIR}/containerd-toml
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

have_containerd=0
command -v containerd >/dev/null && have_containerd=1
have_tomllib=0
python3 -c 'import tomllib' 2>/dev/null && have_tomllib=1

for f in "$corpus"/*.toml; do
        name=$(basename "$f")
        if ! version=$("$tool" "$f" get "" version 2>"$tmp/err"); then
                if [ -s "$tmp/err" ]; then
                        skip "$name" "refused by the scanner: $(cat "$tmp/err")"
                else
                        skip "$name" "no version key"
                fi
                continue
        fi
        case "$version" in
        2) table=$v2_table plugin=io.containerd.grpc.v1.cri ;;
        3) table=$v3_table plugin=io.containerd.cri.v1.runtime ;;
        *) skip "$name" "version $version"; continue ;;
        esac
        for value in true false; do
                edited="$tmp/$name.$value"
                if ! "$tool" "$f" set "$table" SystemdCgroup "$value" >"$edited" 2>"$tmp/err"; then
                        not_ok "$name: set SystemdCgroup = $value" "$(cat "$tmp/err")"
                        continue
                fi
                ok "$name: set SystemdCgroup = $value"

                if [ $have_tomllib = 1 ]; then
                        if out=$(tomllib_check "$f" "$edited" "$plugin" "$value" 2>&1); then
                                ok "$name: tomllib sees only SystemdCgroup = $value changed"
                        else
                                not_ok "$name: tomllib sees only SystemdCgroup = $value changed" "$out"
                        fi
                else
                        skip "$name: tomllib check" "python3 tomllib not available"
                fi

                [ "$version" = 2 ] || continue
                if [ $have_containerd = 0 ]; then
                        skip "$name: containerd config dump" "containerd not installed"
                        continue
                fi
                # config dump prints the merged config; read the runc options from it.
                if ! containerd --config "$edited" config dump >"$tmp/dump" 2>"$tmp/err"; then
                        not_ok "$name: containerd config dump ($value)" "$(cat "$tmp/err")"
                        continue
                fi
                got=$("$tool" "$tmp/dump" get "$v2_table" SystemdCgroup 2>&1)
                if [ $have_tomllib = 1 ]; then
                        got=$(python3 -c 'import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
o = d["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["runc"]["options"]
print(str(o.get("SystemdCgroup")).lower())' "$tmp/dump" 2>&1)
                fi
                if [ "$got" = "$value" ] && grep -q "SystemdCgroup = $value" "$tmp/dump"; then
                        ok "$name: containerd config dump shows SystemdCgroup = $value"
                else
                        not_ok "$name: containerd config dump shows SystemdCgroup = $value" "got: $got"
                fi
        done
done

echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ $failed = 0 ]
