#!/usr/bin/env bash
# `kubeprep kubeadm [OPTIONS] -- init|join|upgrade apply|node|reset ARGS`: apply, then kubeadm
# (tests/tools/fake-kubeadm in PATH, which records its arguments and writes what kubeadm writes)
# with --patches when that kubeadm applies kubeletconfiguration patches (1.25 and later), then the
# fixers that read kubeadm's files. Older kubeadm, the user's own --patches or --config, upgrade,
# reset, a failing kubeadm, and the version in the JSON report.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$WORK/bin"
ln -s "$SOURCE_ROOT/tests/tools/fake-kubeadm" "$WORK/bin/kubeadm"
export FAKE_KUBEADM_ARGS="$WORK/kubeadm.args" FAKE_KUBEADM_VERSION=1.30.2

fresh() { # a node before kubeadm: the sample node without kubeadm's files
        T=$(new_tree centos7 "$1")
        rm -f "$T/var/lib/kubelet/kubeadm-flags.env" "$T/var/lib/kubelet/config.yaml" "$T/etc/kubernetes/admin.conf"
        [ "$(id -u)" = 0 ] && chown -R 1000:1000 "$T/home/dev"
        export FAKE_KUBEADM_ROOT="$T"
}
hook() { PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --profile "$FIXTURES/profiles/centos7-site.yaml" "$@"; }
after_step() { printf '%s\n' "$OUT" | sed -n '/^\[kubeadm\] Running/,$p'; }

# join: apply, kubeadm with the user's arguments plus --patches, then the kubelet's fixers and kubeconfig.
fresh join
hook -- join 192.0.2.20:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification
expect_rc "kubeprep kubeadm -- join" 0
printf 'join\n192.0.2.20:6443\n--token\nabcdef.0123456789abcdef\n--discovery-token-unsafe-skip-ca-verification\n--patches\n%s/etc/kubeprep/patches\n' "$T" >"$WORK/want.args"
same_file "kubeadm 1.30 got the user's arguments unchanged, plus --patches" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
contains "apply ran before kubeadm" "$OUT" "[swap] changed:"
# The fresh node got its eviction flags in /etc/sysconfig/kubelet before kubeadm (KUBELET_EXTRA_ARGS,
# which kubeadm never overwrites and which wins over kubeadm-flags.env): after kubeadm they still hold.
grep -q -- '--eviction-soft=memory.available<500Mi' "$T/etc/sysconfig/kubelet" \
        && pass "the eviction flags are in KUBELET_EXTRA_ARGS, which kubeadm leaves alone" || fail "no eviction flags" "$(cat "$T/etc/sysconfig/kubelet")"
contains "after kubeadm, eviction finds its flags in place" "$(after_step)" "[eviction] ok:"
grep -q -- '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock' "$T/var/lib/kubelet/kubeadm-flags.env" \
        && pass "kubeadm's own flags stay" || fail "kubeadm's flags lost"
grep -q "cgroupDriver: systemd" "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml" \
        && pass "the patch kubeadm was given carries the driver" || fail "no patch"
contains "after kubeadm, the kubelet's fixers ran again" "$(after_step)" "[kubelet-flags] "

# init: admin.conf is kubeadm's, so kubeconfig runs after it: dev gets one.
fresh init
users=(--user dev); [ "$(id -u)" = 0 ] || users=()
hook "${users[@]}" -- init
expect_rc "kubeprep kubeadm -- init" 0
if [ "$(id -u)" = 0 ]; then
        same_file "dev got a kubeconfig from the admin.conf kubeadm wrote" "$T/home/dev/.kube/config" "$T/etc/kubernetes/admin.conf"
fi

# Older kubeadm: no --patches, one line saying why; the after-step does what the patch would have.
for v in 1.24.17:"kubeadm 1.24.17 does not apply kubeletconfiguration patches (1.25 and later do): not passing --patches;" \
        1.16.0:"kubeadm 1.16.0 has no --patches (1.22 and later have it, kubeletconfiguration patches from 1.25):"; do
        fresh "old-${v%%:*}"
        FAKE_KUBEADM_VERSION=${v%%:*} hook -- join 192.0.2.20:6443 --token abcdef.0123456789abcdef
        expect_rc "kubeadm ${v%%:*}: join" 0
        printf 'join\n192.0.2.20:6443\n--token\nabcdef.0123456789abcdef\n' >"$WORK/want.args"
        same_file "kubeadm ${v%%:*}: no --patches" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
        contains "kubeadm ${v%%:*}: says why" "$OUT" "[kubeadm] ${v#*:} the after-kubeadm step fixes config.yaml"
done
# A kubeadm that does not say its version is treated as one without the patches.
fresh noversion
printf '#!/bin/sh\n[ "$1" = version ] && { echo "not a version"; exit 0; }\nexec %s "$@"\n' "$SOURCE_ROOT/tests/tools/fake-kubeadm" >"$WORK/odd-kubeadm"
chmod +x "$WORK/odd-kubeadm"
mkdir -p "$WORK/oddbin" && ln -sf "$WORK/odd-kubeadm" "$WORK/oddbin/kubeadm"
PATH="$WORK/oddbin:$PATH" run kubeadm --root "$T" --profile "$FIXTURES/profiles/centos7-site.yaml" -- join 192.0.2.20:6443
expect_rc "an unknown kubeadm version: join still runs" 0
contains "and says why there is no --patches" "$OUT" "[kubeadm] kubeadm's version is unknown ('kubeadm version -o short' printed no version): not passing --patches"
grep -q -- --patches "$FAKE_KUBEADM_ARGS" && fail "--patches passed to a kubeadm of unknown version" || pass "no --patches for it"

# The user's own --patches is kept, not doubled, and kubeprep's patch is copied into it, after the user's own.
fresh own
mkdir -p "$WORK/my-patches"
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 50\n' >"$WORK/my-patches/kubeletconfiguration+merge.yaml"
hook -- init --patches "$WORK/my-patches"
expect_rc "init with the user's --patches" 0
grep -qx "$WORK/my-patches" "$FAKE_KUBEADM_ARGS" && [ "$(grep -c -- --patches "$FAKE_KUBEADM_ARGS")" = 1 ] \
        && pass "the user's --patches is kept, not doubled" || fail "patches args" "$(cat "$FAKE_KUBEADM_ARGS")"
same_file "kubeprep's patch is copied into the user's directory" "$WORK/my-patches/kubeletconfiguration~kubeprep+merge.yaml" \
        "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml"
contains "and says so" "$OUT" "[kubeadm] kubeprep's patch copied to $WORK/my-patches/kubeletconfiguration~kubeprep+merge.yaml (your --patches directory)"
grep -qx 'maxPods: 50' "$T/var/lib/kubelet/config.yaml" && grep -qx 'cgroupDriver: systemd' "$T/var/lib/kubelet/config.yaml" \
        && pass "kubeadm applied both patches" || fail "config.yaml" "$(cat "$T/var/lib/kubelet/config.yaml")"
# A file of that name that kubeprep did not write is left alone.
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n' >"$WORK/my-patches/kubeletconfiguration~kubeprep+merge.yaml"
cp "$WORK/my-patches/kubeletconfiguration~kubeprep+merge.yaml" "$WORK/theirs.yaml"
hook -- init --patches="$WORK/my-patches"
expect_rc "init with --patches=DIR" 0
same_file "a file kubeprep did not write is not replaced" "$WORK/my-patches/kubeletconfiguration~kubeprep+merge.yaml" "$WORK/theirs.yaml"
contains "and the message says why" "$OUT" "exists and was not written by kubeprep; not replacing it"

# --config: kubeadm (1.23 and later) refuses --patches next to it. Without patches.directory in the
# config: no --patches, a message saying what to add; with it: the patch is copied there.
fresh config
printf 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: 192.0.2.20:6443\n' >"$WORK/join.yaml"
hook -- join --config "$WORK/join.yaml"
expect_rc "join --config" 0
printf 'join\n--config\n%s\n' "$WORK/join.yaml" >"$WORK/want.args"
same_file "--config: kubeadm gets no --patches (it would refuse the mix)" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
contains "--config: the message says what to add to the config" "$OUT" \
        "[kubeadm] kubeadm refuses --patches next to --config: to keep kubeprep's kubelet settings through kubeadm, add 'patches: {directory: /etc/kubeprep/patches}' to the JoinConfiguration in $WORK/join.yaml"
mkdir -p "$WORK/cfg-patches"
printf 'patches:\n  directory: %s\n' "$WORK/cfg-patches" >>"$WORK/join.yaml"
hook -- join --config="$WORK/join.yaml"
expect_rc "join --config with patches.directory" 0
same_file "--config with patches.directory: kubeprep's patch is copied there" "$WORK/cfg-patches/kubeletconfiguration~kubeprep+merge.yaml" \
        "$T/etc/kubeprep/patches/kubeletconfiguration+merge.yaml"
contains "and kubeadm applied it" "$OUT" "Applied patch of type"

# upgrade node|apply: the same steps; kubeadm rewrites config.yaml, not kubeadm-flags.env.
T=$(new_tree centos7 upgrade); export FAKE_KUBEADM_ROOT="$T"
hook --skip kubeconfig -- upgrade node
expect_rc "kubeprep kubeadm -- upgrade node" 0
printf 'upgrade\nnode\n--patches\n%s/etc/kubeprep/patches\n' "$T" >"$WORK/want.args"
same_file "upgrade node with kubeadm 1.30: --patches" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
contains "upgrade node: the kubelet's fixers ran after it" "$(after_step)" "[cgroup-driver] ok:"
FAKE_KUBEADM_VERSION=1.24.17 hook --skip kubeconfig -- upgrade apply v1.24.17 -y
expect_rc "kubeprep kubeadm -- upgrade apply" 0
printf 'upgrade\napply\nv1.24.17\n-y\n' >"$WORK/want.args"
same_file "upgrade apply with kubeadm 1.24: no --patches" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
contains "upgrade apply: the after-step fixes what kubeadm 1.24 overwrote" "$(after_step)" "[cgroup-driver] ok:"
hook -- upgrade plan
expect_rc "upgrade plan is not one kubeprep runs" 2
contains "it says which it runs" "$ERR" "kubeprep kubeadm runs kubeadm init, join, upgrade apply|node or reset, not 'upgrade'"

# reset gets exactly the user's arguments and no after-steps.
hook --skip kubeconfig -- reset -f
expect_rc "reset" 0
printf 'reset\n-f\n' >"$WORK/want.args"
same_file "reset gets exactly the user's arguments" "$FAKE_KUBEADM_ARGS" "$WORK/want.args"
not_contains "reset: no after-step" "$(after_step)" "[apply] Checking"

# A failing kubeadm: its exit code is kept, the after-steps skipped.
fresh failing
FAKE_KUBEADM_EXIT=3 hook -- join 192.0.2.20:6443
expect_rc "a failing kubeadm's exit code is kept" 3
contains "and the after-steps are skipped" "$ERR" "kubeadm join exited 3; the after-kubeadm fixes were skipped"

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
T=$(new_tree centos7 rejoin); export FAKE_KUBEADM_ROOT="$T"
hook --skip kubeconfig -- join 192.0.2.20:6443
expect_rc "a re-join" 0
grep -q -- '--eviction-soft=memory.available<500Mi' "$T/var/lib/kubelet/kubeadm-flags.env" \
        && pass "the after-step put the eviction flags into the kubeadm-flags.env kubeadm rewrote" || fail "no eviction flags after kubeadm" "$(cat "$T/var/lib/kubelet/kubeadm-flags.env")"
grep -q -- '--container-runtime-endpoint' "$T/var/lib/kubelet/kubeadm-flags.env" && pass "next to kubeadm's flags" || fail "kubeadm's flags lost"
contains "the after-step ran eviction" "$(after_step)" "[eviction] changed:"
not_contains "and honoured --skip kubeconfig" "$(after_step)" "[kubeconfig] ok"
contains "it names the one kubelet restart" "$(after_step)" "restart kubelet.service"
hook -- version
expect_rc "an unsupported subcommand" 2
run kubeadm --root "$T"
expect_rc "no kubeadm arguments" 2
contains "says where they go" "$ERR" "kubeadm needs its arguments after '--'"

# The version of the kubeadm that runs is in the JSON report of the runs around it; a tree's own
# kubeadm package is read by check --root.
fresh json
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" -o json -- join 192.0.2.20:6443
printf '%s' "$OUT" | sed -n '1,/^}$/p' >"$WORK/before.json"
ok "the hook's JSON: node.kubeadmVersion 1.30.2 from kubeadm version -o short" $PYTHON -c '
import json, sys; n = json.load(open(sys.argv[1]))["node"]
assert (n["kubeadmVersion"], n["kubeadmVersionFrom"]) == ("1.30.2", "kubeadm version -o short"), n' "$WORK/before.json"
mkdir -p "$T/var/lib/dpkg"
printf 'Package: kubeadm\nStatus: install ok installed\nVersion: 1.28.15-1.1\n\n' >"$T/var/lib/dpkg/status"
run check --root "$T" --only swap -o json
printf '%s' "$OUT" >"$WORK/check.json"
ok "check --root: node.kubeadmVersion from the tree's package database" $PYTHON -c '
import json, sys; n = json.load(open(sys.argv[1]))["node"]
assert (n["kubeadmVersion"], n["kubeadmVersionFrom"]) == ("1.28.15", "/var/lib/dpkg/status"), n' "$WORK/check.json"

# A fresh image without /var: disk-pressure measures the nearest directory there is (the tree's root)
# instead of failing, so kubeadm runs.
fresh novar
rm -f "$FAKE_KUBEADM_ARGS"
rm -rf "$T/var"
hook -v -- init
[ "$(head -n1 "$FAKE_KUBEADM_ARGS")" = init ] && pass "kubeadm init ran on a tree without /var" || fail "kubeadm did not run" "$OUT
$ERR"
contains "disk-pressure measured the tree's root" "$OUT" "/var/lib/kubelet does not exist yet; measured /"
not_contains "and did not stop the run" "$ERR" "not running kubeadm"

done_testing
