#!/usr/bin/env bash
# The sandbox-image fixer: the container runtime's sandbox (pause) image is the profile's
# sandboxImage, or, without one, the --pod-infra-container-image a kubelet flag file still
# carries, which kubelet-flags removes from kubelet 1.35 on: the same run carries it over first.
# Oracles: Debian's containerd 1.6 (`containerd config dump`), python3's tomllib.
. "$(dirname "$0")/../lib.sh"

CORPUS=${CORPUS_DIR:-$SOURCE_ROOT/tests/corpus}
GUIDE="$FIXTURES/flags/field-guide-kubeadm-flags.env"
MIRROR=registry.cn-hangzhou.aliyuncs.com/google_containers/pause:3.2
have_containerd=0
command -v containerd >/dev/null && have_containerd=1

# The sandbox image containerd 1.6 uses with the tree's /etc/containerd.
dump_sandbox() { # dump_sandbox TREE
        unshare -m sh -c 'mount --bind "$1/etc/containerd" /etc/containerd && containerd --config /etc/containerd/config.toml config dump' \
                sh "$1" 2>/dev/null | $PYTHON -c '
import sys, tomllib
print(tomllib.loads(sys.stdin.read())["plugins"]["io.containerd.grpc.v1.cri"]["sandbox_image"])'
}
can_dump=0
[ $have_containerd = 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && can_dump=1
result() { # result JSON FIXER: "status|message"
        $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == sys.argv[2]][0]
print("%s|%s" % (r["status"], r["message"]))' "$1" "$2"
}

# 1. The field guide's node (tests/fixtures/flags/field-guide-kubeadm-flags.env, byte for byte) with
#    containerd 1.6's default config (pause:3.10), upgraded to kubelet 1.35: one apply gives the
#    runtime the mirror's pause image and removes the flag the kubelet now rejects.
T=$(runtime_tree guide containerd kubelet)
mkdir -p "$T/etc/containerd" "$T/var/lib/kubelet"
cp "$GUIDE" "$T/var/lib/kubelet/kubeadm-flags.env"
cp "$CORPUS/containerd-toml/01-meezaan_kubernetes.toml" "$T/etc/containerd/config.toml"
run check --root "$T" --kubelet-version 1.35.0 --only sandbox-image
expect_rc "field guide, kubelet 1.35: check" 1
contains "field guide: the message says where the image comes from and what the runtime has" "$OUT" \
        "[sandbox-image] drift: containerd's sandbox image is registry.k8s.io/pause:3.10; --pod-infra-container-image in /var/lib/kubelet/kubeadm-flags.env wants $MIRROR"
run apply --root "$T" --kubelet-version 1.35.0 -o json
printf '%s' "$OUT" >"$WORK/guide.json"
[ "$(result "$WORK/guide.json" sandbox-image)" = "changed|containerd's sandbox image is registry.k8s.io/pause:3.10; --pod-infra-container-image in /var/lib/kubelet/kubeadm-flags.env wants $MIRROR" ] &&
        pass "field guide: sandbox-image changed the runtime" || fail "sandbox-image: $(result "$WORK/guide.json" sandbox-image)"
[ "$(result "$WORK/guide.json" kubelet-flags)" = "changed|kubelet 1.35.0 no longer accepts --network-plugin, --pod-infra-container-image" ] &&
        pass "field guide: kubelet-flags removed the flag in the same apply" || fail "kubelet-flags: $(result "$WORK/guide.json" kubelet-flags)"
ok "field guide: tomllib reads config.toml with only the CRI's sandbox_image changed" $PYTHON - \
        "$T/etc/containerd/config.toml" "$CORPUS/containerd-toml/01-meezaan_kubernetes.toml" "$MIRROR" <<'PY'
import sys, tomllib
got, want = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
want["plugins"]["io.containerd.grpc.v1.cri"]["sandbox_image"] = sys.argv[3]
assert got == want
PY
ok "field guide: the flag file keeps every other flag" $PYTHON - "$T/var/lib/kubelet/kubeadm-flags.env" "$GUIDE" <<'PY'
import shlex, sys
def args(path):
    text = open(path).read().replace("\\\n", "")
    value = text.split("=", 1)[1].strip()
    return shlex.split(shlex.split(value)[0]) if value.startswith('"') else shlex.split(value)
got, orig = args(sys.argv[1]), args(sys.argv[2])
want = [a for a in orig if not a.startswith(("--pod-infra-container-image=", "--network-plugin="))]
assert got == want, (got, want)
PY
if [ $can_dump = 1 ]; then
        [ "$(dump_sandbox "$T")" = "$MIRROR" ] && pass "field guide: containerd 1.6 pulls the mirror's pause image" ||
                fail "field guide: containerd's sandbox image: $(dump_sandbox "$T")"
else
        skip "field guide: containerd config dump" "needs containerd, root and unshare"
fi
run apply --root "$T" --kubelet-version 1.35.0 --only sandbox-image,kubelet-flags
expect_rc "field guide: a second apply" 0
contains "field guide: nothing left to carry" "$OUT" "[sandbox-image] ok:"

# 2. The profile's sandboxImage wins over a flag. containerd 2.3 (version 4): pinned_images.sandbox.
printf 'extends: default\nsandboxImage: registry.example.com/pause:3.10\n' >"$WORK/mirror.yaml"
T=$(runtime_tree v4 containerd)
mkdir -p "$T/etc/containerd"
V4="$CORPUS/containerd-toml/20-gardener_containerd-2.3-default.toml"
cp "$V4" "$T/etc/containerd/config.toml"
run check --root "$T" --only sandbox-image
expect_rc "no profile key, no flag: no opinion" 0
contains "no opinion: says so" "$OUT" "[sandbox-image] ok: no sandbox image wanted"
run apply --root "$T" --only sandbox-image --profile "$WORK/mirror.yaml" -v
expect_rc "containerd 2.3, profile sandboxImage: apply" 0
contains "containerd 2.3: the detail" "$OUT" \
        "/etc/containerd/config.toml: sandbox = \"registry.example.com/pause:3.10\" (was \"registry.k8s.io/pause:3.10.2\")"
ok "containerd 2.3: tomllib reads only pinned_images.sandbox changed" $PYTHON - "$T/etc/containerd/config.toml" "$V4" <<'PY'
import sys, tomllib
got, want = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
want["plugins"]["io.containerd.cri.v1.images"]["pinned_images"]["sandbox"] = "registry.example.com/pause:3.10"
assert got == want
PY

# 3. A drop-in's CRI table drops config.toml's sandbox_image (containerd replaces the table whole):
#    the image is written into the drop-in, which containerd reads.
T=$(runtime_tree dropin containerd)
mkdir -p "$T/etc/containerd/conf.d"
printf 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n' \
        "$MIRROR" >"$T/etc/containerd/config.toml"
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' \
        >"$T/etc/containerd/conf.d/10-registry.toml"
printf 'extends: default\nsandboxImage: %s\n' "$MIRROR" >"$WORK/guide-mirror.yaml"
run check --root "$T" --only sandbox-image --profile "$WORK/guide-mirror.yaml"
expect_rc "drop-in: check sees the image lost" 1
contains "drop-in: names the drop-in" "$OUT" \
        "containerd's sandbox image is its default (from /etc/containerd/conf.d/10-registry.toml); the profile's sandboxImage wants $MIRROR"
if [ $can_dump = 1 ]; then
        dump_sandbox "$T" | grep -q '^registry.k8s.io/pause' && pass "drop-in: containerd 1.6 agrees: its default" ||
                fail "drop-in: containerd's sandbox image: $(dump_sandbox "$T")"
fi
run apply --root "$T" --only sandbox-image --profile "$WORK/guide-mirror.yaml"
expect_rc "drop-in: apply" 0
ok "drop-in: the image goes into the drop-in's CRI table" cmp -s "$T/etc/containerd/conf.d/10-registry.toml" \
        <(printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' "$MIRROR")
if [ $can_dump = 1 ]; then
        [ "$(dump_sandbox "$T")" = "$MIRROR" ] && pass "drop-in: containerd 1.6 now pulls the mirror's image" ||
                fail "drop-in: containerd's sandbox image: $(dump_sandbox "$T")"
fi

# 4. CRI-O: pause_image in [crio.image], where CRI-O takes it from (OpenShift's 00-default).
T=$(runtime_tree crio crio)
mkdir -p "$T/etc/crio/crio.conf.d"
cp "$CORPUS/crio/01-vrutkovs_sno-etc-crio.conf" "$T/etc/crio/crio.conf"
cp "$CORPUS/crio/02-vrutkovs_sno-etc-crio.conf.d-00-default" "$T/etc/crio/crio.conf.d/00-default"
run apply --root "$T" --only sandbox-image --profile "$WORK/mirror.yaml" -o json
expect_rc "CRI-O: apply" 0
printf '%s' "$OUT" >"$WORK/crio.json"
ok "CRI-O: crio.service restarted" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sandbox-image"][0]
assert r["restarts"] == ["crio.service"], r' "$WORK/crio.json"
ok "CRI-O: tomllib reads 00-default with only pause_image changed" $PYTHON - "$T/etc/crio/crio.conf.d/00-default" \
        "$CORPUS/crio/02-vrutkovs_sno-etc-crio.conf.d-00-default" <<'PY'
import sys, tomllib
got, want = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
want["crio"]["image"]["pause_image"] = "registry.example.com/pause:3.10"
assert got == want
PY
same_file "CRI-O: crio.conf untouched" "$T/etc/crio/crio.conf" "$CORPUS/crio/01-vrutkovs_sno-etc-crio.conf"

# 5. A value that is no image reference is refused, the files untouched.
printf 'extends: default\nsandboxImage: "pause:3.10 --evil"\n' >"$WORK/bad.yaml"
run apply --root "$T" --only sandbox-image --profile "$WORK/bad.yaml"
expect_rc "a sandboxImage with a blank: refused" 2
contains "a sandboxImage with a blank: the reason" "$OUT" "sandboxImage 'pause:3.10 --evil' is not an image reference"

done_testing
