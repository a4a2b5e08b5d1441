#!/usr/bin/env bash
# `kubeprep kubeadm [OPTIONS] -- init|join|reset ARGS`: apply, then kubeadm
# (a stand-in in PATH that records its arguments and writes what kubeadm
# writes) with --patches, then the fixes that need kubeadm's files.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$WORK/bin"
cat >"$WORK/bin/kubeadm" <<'SH'
#!/bin/sh
# Stand-in kubeadm: records its arguments; init/join write the kubelet's files
# as kubeadm does (kubeadm-flags.env without eviction flags, config.yaml on
# cgroupfs, admin.conf); exits $KUBEADM_EXIT.
printf '%s\n' "$@" >"$KUBEADM_ARGS"
case "$1" in init | join)
        mkdir -p "$KUBEADM_ROOT/var/lib/kubelet" "$KUBEADM_ROOT/etc/kubernetes"
        printf 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n' \
                >"$KUBEADM_ROOT/var/lib/kubelet/kubeadm-flags.env"
        printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n' \
                >"$KUBEADM_ROOT/var/lib/kubelet/config.yaml"
        printf 'apiVersion: v1\nkind: Config\nclusters: []\n' >"$KUBEADM_ROOT/etc/kubernetes/admin.conf" ;;
esac
exit "${KUBEADM_EXIT:-0}"
SH
chmod +x "$WORK/bin/kubeadm"
export KUBEADM_ARGS="$WORK/kubeadm.args"

fresh() { # a node before kubeadm: the sample node without kubeadm's files
        T=$(new_tree centos7 "$1")
        rm -f "$T/var/lib/kubelet/kubeadm-flags.env" "$T/var/lib/kubelet/config.yaml" "$T/etc/kubernetes/admin.conf"
        [ "$(id -u)" = 0 ] && chown -R 1000:1000 "$T/home/dev"
        export KUBEADM_ROOT="$T"
}
hook() { PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --profile "$FIXTURES/profiles/centos7-site.yaml" "$@"; }

# join: apply, kubeadm with the user's arguments plus --patches, then kubeconfig and eviction.
fresh join
users=(--user dev); [ "$(id -u)" = 0 ] || users=()
hook "${users[@]}" -- join 192.0.2.20:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification
expect_rc "kubeprep kubeadm -- join" 0
printf 'join\n192.0.2.20:6443\n--token\nabcdef.0123456789abcdef\n--discovery-token-unsafe-skip-ca-verification\n--patches\n%s/etc/kubeprep/patches\n' "$T" >"$WORK/want.args"
same_file "kubeadm got the user's arguments unchanged, plus --patches" "$KUBEADM_ARGS" "$WORK/want.args"
contains "apply ran before kubeadm" "$OUT" "[swap] changed:"
# The fresh node got its eviction flags in /etc/sysconfig/kubelet before kubeadm (KUBELET_EXTRA_ARGS,
# which kubeadm never overwrites and which wins over kubeadm-flags.env): after kubeadm they still hold.
grep -q -- '--eviction-soft=memory.available<500Mi' "$T/etc/sysconfig/kubelet" \
        && pass "the eviction flags are in KUBELET_EXTRA_ARGS, which kubeadm leaves alone" || fail "no eviction flags" "$(cat "$T/etc/sysconfig/kubelet")"
contains "after kubeadm, eviction finds its flags in place" "$OUT" "[eviction] ok:"
grep -q -- '--container-runtime-endpoint=unix:///run/containerd/containerd.sock' "$T/var/lib/kubelet/kubeadm-flags.env" \
        && pass "kubeadm's own flags stay" || fail "kubeadm's flags lost"
if [ "$(id -u)" = 0 ]; then
        same_file "dev got a kubeconfig from the admin.conf kubeadm wrote" "$T/home/dev/.kube/config" "$T/etc/kubernetes/admin.conf"
fi
grep -q "cgroupDriver: systemd" "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml" \
        && pass "the patch kubeadm was given carries the driver" || fail "no patch"

# The user's own --patches wins; reset gets no --patches and no after-steps.
fresh own
hook -- init --patches /srv/my-patches
grep -qx /srv/my-patches "$KUBEADM_ARGS" && [ "$(grep -c -- --patches "$KUBEADM_ARGS")" = 1 ] \
        && pass "the user's --patches is kept, not doubled" || fail "patches args" "$(cat "$KUBEADM_ARGS")"
hook -- reset -f
expect_rc "reset" 0
printf 'reset\n-f\n' >"$WORK/want.args"
same_file "reset gets exactly the user's arguments" "$KUBEADM_ARGS" "$WORK/want.args"

# A failing kubeadm: its exit code is kept, the after-steps skipped.
fresh failing
KUBEADM_EXIT=3 hook -- join 192.0.2.20:6443
expect_rc "a failing kubeadm's exit code is kept" 3
contains "and the after-steps are skipped" "$ERR" "kubeadm join exited 3; the after-kubeadm fixes were skipped"
grep -q -- '--eviction' "$T/var/lib/kubelet/kubeadm-flags.env" && fail "after-steps ran after a failed kubeadm" || pass "no eviction flags written after the failure"

# No kubeadm in PATH; a wrong subcommand; nothing after --.
fresh missing
if command -v kubeadm >/dev/null; then
        skip "kubeadm missing from PATH" "this machine has a kubeadm in PATH"
else
        run kubeadm --root "$T" -- join x
        expect_rc "kubeadm missing from PATH" 2
        contains "a clear error" "$ERR" "kubeadm not found in PATH"
fi

# A node that ran kubeadm before: apply puts the eviction flags into its kubeadm-flags.env, kubeadm
# join rewrites that file, and the after-step puts them back.
T=$(new_tree centos7 rejoin); export KUBEADM_ROOT="$T"
hook --skip kubeconfig -- join 192.0.2.20:6443
expect_rc "a re-join" 0
grep -q -- '--eviction-soft=memory.available<500Mi' "$T/var/lib/kubelet/kubeadm-flags.env" \
        && pass "the after-step put the eviction flags into the kubeadm-flags.env kubeadm rewrote" || fail "no eviction flags after kubeadm" "$(cat "$T/var/lib/kubelet/kubeadm-flags.env")"
grep -q -- '--container-runtime-endpoint' "$T/var/lib/kubelet/kubeadm-flags.env" && pass "next to kubeadm's flags" || fail "kubeadm's flags lost"
after_step=$(printf '%s\n' "$OUT" | sed -n '/^\[kubeadm\] Running/,$p')
contains "the after-step ran eviction" "$after_step" "[eviction] changed:"
not_contains "and honoured --skip kubeconfig" "$after_step" "[kubeconfig]"
contains "it names the one kubelet restart" "$after_step" "restart kubelet.service"
hook -- upgrade apply v1.30.0
expect_rc "an unsupported subcommand" 2
run kubeadm --root "$T"
expect_rc "no kubeadm arguments" 2
contains "says where they go" "$ERR" "kubeadm needs its arguments after '--'"

# A fresh image without /var: disk-pressure measures the nearest directory there is (the tree's root)
# instead of failing, so kubeadm runs.
fresh novar
rm -f "$KUBEADM_ARGS"
rm -rf "$T/var"
hook -v -- init
[ "$(head -n1 "$KUBEADM_ARGS")" = init ] && pass "kubeadm init ran on a tree without /var" || fail "kubeadm did not run" "$OUT
$ERR"
contains "disk-pressure measured the tree's root" "$OUT" "/var/lib/kubelet does not exist yet; measured /"
not_contains "and did not stop the run" "$ERR" "not running kubeadm"

done_testing
