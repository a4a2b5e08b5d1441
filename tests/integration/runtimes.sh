#!/usr/bin/env bash
# The container runtimes of today (issue 15) on scratch trees: containerd 2.3's config version 4,
# containerd's imports, CRI-O's config files. Oracles: python3's tomllib for what the files say,
# Debian's containerd 1.6 (`containerd config dump`) for how containerd merges version 2 imports.
. "$(dirname "$0")/../lib.sh"

CORPUS=${CORPUS_DIR:-$SOURCE_ROOT/tests/corpus}
V4="$CORPUS/containerd-toml/20-gardener_containerd-2.3-default.toml"
have_containerd=0
command -v containerd >/dev/null && have_containerd=1

# A systemd node with the named programs installed (empty files are enough for --root).
runtime_tree() { # runtime_tree NAME PROGRAM...
        local t="$WORK/$1" p
        shift
        rm -rf "$t"
        mkdir -p "$t/usr/bin" "$t/usr/lib/systemd" "$t/sbin" "$t/etc"
        : >"$t/usr/lib/systemd/systemd"
        ln -s ../usr/lib/systemd/systemd "$t/sbin/init"
        for p in "$@"; do : >"$t/usr/bin/$p"; done
        echo "$t"
}

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

done_testing
