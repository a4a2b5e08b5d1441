#!/usr/bin/env bash
# The field guide's aarch64 worker through `kubeprep kubeadm -- join` (tests/tools/fake-kubeadm
# as kubeadm): a fresh image with aarch64 binaries and no /var/lib/kubelet yet. kubeadm (1.22
# and later) writes cgroupDriver: systemd into the config.yaml it generates; the aarch64 profile
# wants cgroupfs. With kubeadm 1.30 the setting reaches kubeadm through --patches; with 1.22
# (no kubeletconfiguration patches) the after-kubeadm step sets it. Either way the final
# config.yaml is kubeadm's own with that one line changed, and a check afterwards is clean.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$WORK/bin"
ln -s "$SOURCE_ROOT/tests/tools/fake-kubeadm" "$WORK/bin/kubeadm"
export FAKE_KUBEADM_ARGS="$WORK/kubeadm.args"
KUBELET_FIXERS=swap,cgroup-driver,eviction,csi-migration,kubelet-flags

image() { # image NAME: the aarch64 worker image, as an image build leaves it
        local t="$WORK/$1"
        rm -rf "$t"
        mkdir -p "$t/usr/lib/systemd" "$t/bin" "$t/etc/netplan" "$t/var/lib/dpkg"
        # An aarch64 ELF header is all auto needs to pick the aarch64 profile.
        head -c 64 "$FIXTURES/nodes/aarch64/usr/bin/kubelet" >"$t/usr/lib/systemd/systemd"
        head -c 64 "$FIXTURES/nodes/aarch64/usr/bin/kubelet" >"$t/bin/sh"
        printf 'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n' >"$t/etc/netplan/01-netcfg.yaml"
        : >"$t/var/lib/dpkg/status"
        echo "$t"
}
hook() { PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --no-restart "$@"; }

# What kubeadm itself writes on this join, without any patch: the reference for "nothing else changed".
mkdir -p "$WORK/ref"
FAKE_KUBEADM_VERSION=1.30.2 FAKE_KUBEADM_ROOT="$WORK/ref" "$WORK/bin/kubeadm" join 192.0.2.1:6443 --token abcdef.0123456789abcdef >/dev/null
grep -qx 'cgroupDriver: systemd' "$WORK/ref/var/lib/kubelet/config.yaml" \
        && pass "kubeadm 1.30 alone writes cgroupDriver: systemd" || fail "the reference has no systemd driver"
sed 's/^cgroupDriver: systemd$/cgroupDriver: cgroupfs/' "$WORK/ref/var/lib/kubelet/config.yaml" >"$WORK/want-config.yaml"

for kv in 1.30.2 1.22.17; do
        T=$(image "arm-$kv")
        export FAKE_KUBEADM_VERSION=$kv FAKE_KUBEADM_ROOT="$T"
        hook -- join 192.0.2.1:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification
        expect_rc "kubeadm $kv: kubeprep kubeadm -- join" 0
        contains "kubeadm $kv: the aarch64 profile was picked from the image" "$OUT" 'against profile "aarch64"'
        grep -qx 'cgroupDriver: cgroupfs' "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml" \
                && pass "kubeadm $kv: the patch carries cgroupDriver: cgroupfs, though no config.yaml exists yet" \
                || fail "kubeadm $kv: no cgroupDriver in the patch" "$(cat "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml" 2>&1)"
        same_file "kubeadm $kv: config.yaml is kubeadm's, with cgroupDriver: cgroupfs and nothing else changed" \
                "$T/var/lib/kubelet/config.yaml" "$WORK/want-config.yaml"
        printf 'join\n192.0.2.1:6443\n--token\nabcdef.0123456789abcdef\n--discovery-token-unsafe-skip-ca-verification\n' >"$WORK/want.args"
        if [ $kv = 1.30.2 ]; then
                printf -- '--patches\n%s/etc/kubeprep/patches\n' "$T" >>"$WORK/want.args"
                contains "kubeadm $kv: kubeadm applied the patch" "$OUT" 'Applied patch of type "application/merge-patch+json" to target "kubeletconfiguration"'
                after=$(printf '%s\n' "$OUT" | sed -n '/^This node has joined/,$p')
                contains "kubeadm $kv: the after-step finds the driver in place" "$after" "[cgroup-driver] ok:"
        else
                contains "kubeadm $kv: one line says why there is no --patches" "$OUT" \
                        "[kubeadm] kubeadm 1.22.17 does not apply kubeletconfiguration patches (1.25 and later do): not passing --patches; the after-kubeadm step fixes config.yaml"
                after=$(printf '%s\n' "$OUT" | sed -n '/^This node has joined/,$p')
                contains "kubeadm $kv: the after-step sets the driver kubeadm overwrote" "$after" "[cgroup-driver] changed: the kubelet uses systemd; the profile wants cgroupfs"
        fi
        same_file "kubeadm $kv: kubeadm got the user's arguments$([ $kv = 1.30.2 ] && echo ', plus --patches')" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
        for f in $(echo $KUBELET_FIXERS | tr , ' ') kubeconfig; do
                contains "kubeadm $kv: the after-step ran $f" "$after" "[$f] "
        done
        run check --root "$T" --only $KUBELET_FIXERS
        expect_rc "kubeadm $kv: check afterwards is clean" 0
done

# The run before kubeadm created the patch; rolling back the runs removes it again.
for _ in 1 2 3 4; do run rollback --root "$T"; [ "$RC" = 0 ] || break; done
[ ! -e "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml" ] && pass "rollback removes the kubeadm patch" \
        || fail "the patch survived rollback" "$OUT
$ERR"

done_testing
