#!/usr/bin/env bash
# The node-ip fixer on fixture trees (--root): the profile's nodeIP, when it is an address, becomes
# --node-ip=ADDR in KUBELET_EXTRA_ARGS of the distribution's kubelet defaults file (deb
# /etc/default/kubelet, rpm /etc/sysconfig/kubelet), and replaces another --node-ip in any flag file;
# a network or an interface needs the live addresses (tests/integration/preflight-live.sh). The
# oracle is what reads the file: a shell sourcing it, and systemd's EnvironmentFile= reading of it
# (systemd's environment generator reads the same syntax), must see --node-ip=ADDR.
. "$(dirname "$0")/../lib.sh"

profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile addr 'nodeIP: 192.0.2.10'
profile net 'nodeIP: 192.0.2.0/24'
# VAR as a shell that sources FILE reads it.
sourced() { env -i /bin/bash -c 'set -a; . "$1" && printf %s "${!2}"' sh "$1" "$2"; }
SYSTEMD_ENV_GENERATOR=
for g in /usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator \
        /lib/systemd/user-environment-generators/30-systemd-environment-d-generator; do
        [ -x "$g" ] && SYSTEMD_ENV_GENERATOR=$g && break
done
# VAR as systemd reads FILE (environment.d has EnvironmentFile='s syntax).
systemd_reads() {
        mkdir -p "$WORK/sd/environment.d" && cp "$1" "$WORK/sd/environment.d/kubelet.conf"
        env -i HOME=/nonexistent XDG_CONFIG_HOME="$WORK/sd" "$SYSTEMD_ENV_GENERATOR" | sed -n "s/^$2=//p"
}

# 1. Debian: /etc/default/kubelet's empty KUBELET_EXTRA_ARGS gets the flag.
T=$(new_tree preflight-deb)
run check --root "$T" --only node-ip --profile "$WORK/addr.yaml"
expect_rc "deb: check" 1
contains "deb: the finding" "$OUT" "[node-ip] drift: the kubelet has no --node-ip; nodeIP is 192.0.2.10"
contains "deb: the edit" "$OUT" "/etc/default/kubelet: add --node-ip=192.0.2.10 to KUBELET_EXTRA_ARGS"
run apply --root "$T" --only node-ip --profile "$WORK/addr.yaml"
expect_rc "deb: apply" 0
same_file "deb: /etc/default/kubelet" "$T/etc/default/kubelet" <(printf 'KUBELET_EXTRA_ARGS=--node-ip=192.0.2.10\n')
[ "$(sourced "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS)" = --node-ip=192.0.2.10 ] && pass "deb: a shell reads it" || fail "deb: shell reads '$(sourced "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS)'"
if [ -n "$SYSTEMD_ENV_GENERATOR" ]; then
        [ "$(systemd_reads "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS)" = --node-ip=192.0.2.10 ] && pass "deb: systemd reads it" || fail "deb: systemd reads '$(systemd_reads "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS)'"
else
        skip "deb: systemd's reading" "systemd's environment generator not installed"
fi
run apply --root "$T" --only node-ip --profile "$WORK/addr.yaml"
expect_rc "deb: second apply" 0
contains "deb: ok" "$OUT" "[node-ip] ok: the kubelet's --node-ip is 192.0.2.10 (nodeIP)"

# 2. Another address in kubeadm-flags.env is replaced there (the kubelet reads it too), and the defaults
#    file gets it; the other flags stay as they were.
T=$(new_tree preflight-deb other)
mkdir -p "$T/var/lib/kubelet"
printf 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=10.0.0.5"\n' >"$T/var/lib/kubelet/kubeadm-flags.env"
printf 'KUBELET_EXTRA_ARGS="--max-pods=50"\n' >"$T/etc/default/kubelet"
run apply --root "$T" --only node-ip --profile "$WORK/addr.yaml"
expect_rc "other: apply" 0
contains "other: the old value named" "$OUT" "/var/lib/kubelet/kubeadm-flags.env: --node-ip=192.0.2.10 (was 10.0.0.5)"
same_file "other: kubeadm-flags.env" "$T/var/lib/kubelet/kubeadm-flags.env" \
        <(printf 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=192.0.2.10"\n')
same_file "other: /etc/default/kubelet" "$T/etc/default/kubelet" <(printf 'KUBELET_EXTRA_ARGS="--max-pods=50 --node-ip=192.0.2.10"\n')

# 3. An rpm tree: /etc/sysconfig/kubelet.
T=$(new_tree centos7 rpm)
run apply --root "$T" --only node-ip --profile "$WORK/addr.yaml" --kubelet-version 1.16.15
expect_rc "rpm: apply" 0
contains "rpm: the rpm defaults file" "$OUT" "/etc/sysconfig/kubelet: add --node-ip=192.0.2.10 to KUBELET_EXTRA_ARGS"
[ "$(sourced "$T/etc/sysconfig/kubelet" KUBELET_EXTRA_ARGS)" = --node-ip=192.0.2.10 ] && pass "rpm: a shell reads it" || fail "rpm: '$(cat "$T/etc/sysconfig/kubelet")'"

# 4. A network with --root: the tree's addresses are not known; no nodeIP: nothing to do.
T=$(new_tree preflight-deb net)
run check --root "$T" --only node-ip --profile "$WORK/net.yaml"
expect_rc "network: skipped" 0
contains "network: why" "$OUT" "[node-ip] skipped: nodeIP 192.0.2.0/24 is matched against the node's addresses, which --root does not read: give an address"
run check --root "$T" --only node-ip
expect_rc "unset: complies" 0
contains "unset: said so" "$OUT" "[node-ip] ok: nodeIP is not set: the kubelet takes the address of the default route's interface"

done_testing
