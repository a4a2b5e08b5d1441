#!/usr/bin/env bash
# No credential in any output: a secret planted in every kind of file kubeprep edits or shows
# beside an edit (a netplan 802.1X password, a NetworkManager psk, containerd registry
# auth/password/identitytoken, an ifcfg 802.1X password, a kubeconfig's client-key-data and
# token, a kubeadm join --token in a flags file and on kubeprep kubeadm's command line) never
# appears in check -v, apply --dry-run, JSON, Prometheus, apply or rollback output, while
# the diffs still show each such line with its key, and apply writes the real bytes.
# The planted files (tests/fixtures/secrets/*, laid over fixture nodes) are written for
# this test in each program's documented syntax.
. "$(dirname "$0")/../lib.sh"

SECRET=s3cr3t-PLANTED-1234
ALL=$WORK/all-output # every stdout and stderr of the test, appended
: >"$ALL"
kp() { # kp ARGS...: run kubeprep, keep $OUT/$ERR/$RC, and add both streams to $ALL
        run "$@"
        printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL"
}
planted() { # planted NAME OVERLAY: fixture node NAME with tests/fixtures/secrets/OVERLAY laid over it
        local t
        t=$(new_tree "$1" "$2")
        cp -a "$FIXTURES/secrets/$2/." "$t/"
        echo "$t"
}
secret_files() { # "FILE:COUNT" for each file of a tree holding the secret, kubeprep's backups aside
        (cd "$1" && grep -r -c --exclude-dir=backups -- "$SECRET" . | grep -v ':0$' | sort)
}
printf 'extends: default\ngateway:\n  address: 192.0.2.1\n' >"$WORK/gw.yaml"

# every_output TREE PROFILE ARGS...: every verb and output format on copies of TREE.
every_output() {
        local tree=$1 profile=$2; shift 2
        local before; before=$(secret_files "$tree")
        kp check --root "$tree" --profile "$profile" "$@" -v
        kp check --root "$tree" --profile "$profile" "$@" -o json
        kp check --root "$tree" --profile "$profile" "$@" -o prometheus
        kp apply --dry-run --root "$tree" --profile "$profile" "$@"
        DRY=$OUT
        kp apply --dry-run --root "$tree" --profile "$profile" "$@" -v -o json
        local copy=$tree-copy
        cp -a "$tree" "$copy"
        kp apply --root "$tree" --profile "$profile" "$@" -v
        # (a new file may hold it too: the user's copy of admin.conf)
        local lost; lost=$(comm -23 <(printf '%s\n' "$before") <(secret_files "$tree"))
        [ -z "$lost" ] && pass "$(basename "$tree"): apply kept every secret in the files it wrote" ||
                fail "$(basename "$tree"): apply changed the secrets in $lost"
        kp rollback --root "$tree"
        kp apply --root "$copy" --profile "$profile" "$@" -o json
        kp rollback --root "$copy" -o json
}

# 1. containerd registry credentials, an ifcfg 802.1X password, a join token in kubeadm-flags.env
# and the admin kubeconfig a user gets a copy of, on the sample node.
T=$(planted centos7 centos7)
[ "$(id -u)" = 0 ] && chown -R 1000:1000 "$T/home/dev"
every_output "$T" "$FIXTURES/profiles/centos7-site.yaml" --kubelet-version 1.22.2
contains "containerd: the changed table still shows its neighbours' keys" "$DRY" '   identitytoken = "<redacted>"'
contains "containerd: auth" "$DRY" '   auth = "<redacted>"'
contains "containerd: a single-quoted password" "$DRY" "   password = '<redacted>'"
contains "ifcfg: IEEE_8021X_PASSWORD" "$DRY" ' IEEE_8021X_PASSWORD="<redacted>"'
contains "a join command in a flags file keeps the flag, not the token" "$DRY" \
        ' # joined with: kubeadm join 192.0.2.20:6443 --token <redacted> --discovery-token-ca-cert-hash'
contains "the kubeconfig copy is not shown at all" "$DRY" '# /home/dev/.kube/config: content not shown (a credential)'

# 2. A netplan 802.1X password and a NetworkManager psk beside the gateway the fixer adds.
T=$(planted gateway-netplan netplan)
every_output "$T" "$WORK/gw.yaml" --only gateway
contains "netplan: the auth block's password" "$DRY" '         password: "<redacted>"'
contains "netplan: its other keys stay visible" "$DRY" '         identity: "alice@example.com"'
T=$(planted gateway-keyfile keyfile)
rm "$T/etc/NetworkManager/system-connections/Wired.nmconnection"
every_output "$T" "$WORK/gw.yaml" --only gateway
contains "keyfile: psk" "$DRY" ' psk=<redacted>'
contains "keyfile: the lines around it stay" "$DRY" ' [wifi-security]'

# 3. kubeprep kubeadm prints the kubeadm command it runs: not the token.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/kubeadm"
chmod +x "$WORK/bin/kubeadm"
T=$(planted centos7 centos7)
PATH="$WORK/bin:$PATH" kp kubeadm --root "$T" --profile "$FIXTURES/profiles/centos7-site.yaml" --only sysctl -- \
        join 192.0.2.20:6443 --token "$SECRET" --discovery-token-ca-cert-hash sha256:0123456789abcdef
contains "kubeadm's command line is shown without the token" "$OUT" \
        "kubeadm join 192.0.2.20:6443 --token <redacted> --discovery-token-ca-cert-hash "

n=$(grep -c -- "$SECRET" "$ALL")
[ "$n" = 0 ] && pass "the planted secret appears in no output ($(wc -l <"$ALL") lines read)" ||
        fail "the planted secret appears in $n output lines" "$(grep -- "$SECRET" "$ALL" | head -40)"
done_testing
