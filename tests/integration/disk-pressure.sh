#!/usr/bin/env bash
# The disk-pressure check on real filesystems: small tmpfs mounts (in a
# private mount namespace) under a tree's /var/lib/kubelet and
# /var/lib/containerd, filled to below, near and above the thresholds.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to mount filesystems"
command -v unshare >/dev/null || skip_all "unshare not available"

if [ "${1:-}" != --inside ]; then
        unshare -m --propagation private bash "$0" --inside
        exit $?
fi

T=$(new_tree centos7)
mkdir -p "$T/var/lib/kubelet" "$T/var/lib/containerd"
# fs DIR SIZE_KIB USED_KIB [INODES]: a tmpfs at DIR with USED_KIB of it taken.
fs() {
        umount "$1" 2>/dev/null
        mount -t tmpfs -o "size=${2}k${4:+,nr_inodes=$4}" tmpfs "$1" || skip_all "cannot mount tmpfs"
        [ "$3" -gt 0 ] && dd if=/dev/zero of="$1/fill" bs=1k count="$3" status=none
        return 0
}
dp() { run check --only disk-pressure --root "$T" "$@"; }

fs "$T/var/lib/kubelet" 10240 512
fs "$T/var/lib/containerd" 10240 512
dp
expect_rc "plenty of space" 0
contains "says the thresholds hold" "$OUT" "[disk-pressure] ok: free space and inodes are above the kubelet's default hard eviction thresholds"

fs "$T/var/lib/kubelet" 10240 9728 # 5% free, below nodefs.available<10%
dp
expect_rc "the kubelet's filesystem 95% full" 1
contains "drift: the node would start under DiskPressure" "$OUT" "[disk-pressure] drift: the node will start under DiskPressure and evict pods: 1 eviction threshold is already crossed"
contains "the figures are named" "$OUT" "nodefs.available: 512.0 KiB free (5.0%) on the filesystem of /var/lib/kubelet, below nodefs.available<10% (1.0 MiB)"
run apply --only disk-pressure --root "$T"
expect_rc "apply cannot make space: exit 1" 1

fs "$T/var/lib/kubelet" 10240 9164 # 10.5% free: above 10%, within 10% of it
dp -v
expect_rc "10.5% free" 0
contains "a warning near the threshold" "$OUT" "[WARNING] nodefs.available: 1.1 MiB free (10.5%) on the filesystem of /var/lib/kubelet, within 10% of nodefs.available<10%"

fs "$T/var/lib/kubelet" 10240 0 100 # inodes: 100, of which 97 used
for i in $(seq 1 96); do : >"$T/var/lib/kubelet/f$i"; done
dp
expect_rc "inodes nearly all used" 1
contains "nodefs.inodesFree named" "$OUT" "nodefs.inodesFree:"

fs "$T/var/lib/kubelet" 10240 0
fs "$T/var/lib/containerd" 10240 8908 # 13% free, below imagefs.available<15%
dp
expect_rc "the image store 87% full" 1
contains "imagefs.available is measured on /var/lib/containerd" "$OUT" "imagefs.available: 1.3 MiB free (13.0%) on the filesystem of /var/lib/containerd, below imagefs.available<15%"

# The profile's hard thresholds replace the kubelet's defaults.
fs "$T/var/lib/containerd" 10240 0
printf 'extends: default\neviction:\n  hard:\n    nodefs.available: 1Gi\n' >"$WORK/hard.yaml"
dp --profile "$WORK/hard.yaml"
expect_rc "a profile threshold of 1Gi on a 10 MiB filesystem" 1
contains "the profile's threshold is named" "$OUT" "below nodefs.available<1Gi (1.0 GiB)"

# Before the kubelet's first start the tree may have no /var/lib, or no /var
# (a fresh image): the nearest existing directory inside the tree is measured,
# and the details say which.
F="$WORK/fresh-var"
mkdir -p "$F/var"
fs "$F/var" 10240 9728 # 5% free
run check --only disk-pressure --root "$F"
expect_rc "a tree without /var/lib, its /var 95% full" 1
contains "says /var was measured for the kubelet" "$OUT" "/var/lib/kubelet does not exist yet; measured /var"
contains "and for the image store" "$OUT" "neither /var/lib/containerd nor /var/lib/docker exists yet; measured /var"
contains "nodefs figures on /var" "$OUT" "nodefs.available: 512.0 KiB free (5.0%) on the filesystem of /var, below nodefs.available<10% (1.0 MiB)"
contains "imagefs figures on /var" "$OUT" "imagefs.available: 512.0 KiB free (5.0%) on the filesystem of /var, below imagefs.available<15%"
F="$WORK/fresh-root"
mkdir -p "$F"
fs "$F" 10240 512
mkdir "$F/etc"
run check --only disk-pressure --root "$F" -v
expect_rc "a tree without /var, plenty of space" 0
contains "still ok" "$OUT" "[disk-pressure] ok: free space and inodes are above the kubelet's default hard eviction thresholds"
contains "says the tree's root was measured" "$OUT" "/var/lib/kubelet does not exist yet; measured /"
# /var/lib present, /var/lib/kubelet not yet: /var/lib, as before.
mkdir -p "$F/var/lib/containerd"
run check --only disk-pressure --root "$F" -v
expect_rc "a tree with /var/lib only" 0
contains "says /var/lib was measured" "$OUT" "/var/lib/kubelet does not exist yet; measured /var/lib"
not_contains "the image store exists: nothing said of it" "$OUT" "/var/lib/containerd does not exist"

done_testing
