#!/usr/bin/env bash
# The hostname fixer on fixture trees (--root): the node name (the tree's /etc/hostname lowercased, or
# the profile's nodeName) must be an RFC 1123 subdomain and be in the tree's /etc/hosts; a missing
# line is added ("127.0.1.1 NAME", or the profile's nodeIP address), every other byte kept. The
# oracle is glibc: getent hosts NAME, with the tree's /etc/hosts bind-mounted in a private mount
# namespace. An invalid name is drift with kubeadm's --node-name, never a new hostname.
. "$(dirname "$0")/../lib.sh"

profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile named 'nodeName: node-2.example.com' 'nodeIP: 192.0.2.10'
same_text() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "got:  $2
want: $3"; }
have_oracle=
[ "$(id -u)" = 0 ] && command -v getent >/dev/null && command -v unshare >/dev/null && have_oracle=1
# getent hosts NAME as glibc answers it from TREE's /etc/hosts (and only files: no DNS, no myhostname).
lookup() { # lookup TREE NAME
        printf 'hosts: files\n' >"$WORK/nsswitch.conf"
        unshare -m --propagation private sh -c 'mount --bind "$1/etc/hosts" /etc/hosts &&
                mount --bind "$2" /etc/nsswitch.conf && getent hosts "$3"' _ "$1" "$WORK/nsswitch.conf" "$2"
}

# 1. node-1 (/etc/hostname) is not in /etc/hosts: 127.0.1.1 node-1 is added at the end.
T=$(new_tree preflight-deb)
[ -z "$have_oracle" ] || ! lookup "$T" node-1 >/dev/null && pass "before: glibc does not find node-1" || fail "node-1 resolves before"
run check --root "$T" --only hostname
expect_rc "check" 1
contains "check: the finding" "$OUT" "[hostname] drift: node-1 (/etc/hostname) is not in /etc/hosts"
contains "check: the line" "$OUT" "/etc/hosts: add 127.0.1.1 node-1"
run apply --root "$T" --only hostname
expect_rc "apply" 0
same_file "apply: /etc/hosts as expected" "$T/etc/hosts" "$FIXTURES/expected/preflight-deb-hostname/etc/hosts"
if [ -n "$have_oracle" ]; then
        same_text "apply: getent hosts node-1" "$(lookup "$T" node-1)" "127.0.1.1       node-1"
else
        skip "apply: getent oracle" "needs root (a private mount namespace)"
fi
run apply --root "$T" --only hostname
expect_rc "second apply" 0
contains "second apply: ok" "$OUT" "[hostname] ok: node-1 (/etc/hostname) is in /etc/hosts (127.0.1.1)"
run rollback --root "$T"
expect_rc "rollback" 0
same_file "rollback restores /etc/hosts" "$T/etc/hosts" "$FIXTURES/nodes/preflight-deb/etc/hosts"

# 2. The profile's nodeName and nodeIP address: "192.0.2.10 node-2.example.com"; a file without a final
#    newline keeps that form.
T=$(new_tree preflight-deb named)
printf '127.0.0.1 localhost' >"$T/etc/hosts"
run apply --root "$T" --only hostname --profile "$WORK/named.yaml"
expect_rc "nodeName: apply" 0
contains "nodeName: named as the profile's" "$OUT" "node-2.example.com (nodeName in the profile) is not in /etc/hosts"
same_file "nodeName: the line with the node's address" "$T/etc/hosts" <(printf '127.0.0.1 localhost\n192.0.2.10\tnode-2.example.com')
[ -n "$have_oracle" ] && contains "nodeName: getent hosts" "$(lookup "$T" node-2.example.com)" "192.0.2.10      node-2.example.com"

# 3. A hostname kubeadm rejects: drift with the --node-name advice; /etc/hosts and /etc/hostname untouched.
T=$(new_tree preflight-deb invalid)
printf 'K8S_Master01\n' >"$T/etc/hostname"
before=$(tree_state "$T")
run apply --root "$T" --only hostname
expect_rc "invalid: apply cannot fix it" 1
contains "invalid: why" "$OUT" "[hostname] drift: the node name k8s_master01 (/etc/hostname, lowercased) is not a valid RFC 1123 subdomain: only lowercase letters, digits, '-' and '.' are allowed"
contains "invalid: the advice" "$OUT" "run kubeadm init/join with --node-name=k8s-master01 and set nodeName: k8s-master01 in the profile (kubeprep never renames the host)"
[ "$(tree_state "$T")" = "$before" ] && pass "invalid: nothing written" || fail "invalid: the tree changed"

# 4. Upper case is lowercased as the kubelet does; /etc/hosts names match without regard to case.
T=$(new_tree preflight-deb upper)
printf '# the name\nNode-1\n' >"$T/etc/hostname"
printf '127.0.1.1 NODE-1.example.com Node-1\n' >>"$T/etc/hosts"
run check --root "$T" --only hostname
expect_rc "upper case: complies" 0
contains "upper case: found" "$OUT" "[hostname] ok: node-1 (/etc/hostname) is in /etc/hosts (127.0.1.1)"

# 5. No /etc/hostname and no nodeName: nothing to check; no /etc/hosts: created.
T=$(new_tree preflight-deb none)
rm "$T/etc/hostname" "$T/etc/hosts"
run check --root "$T" --only hostname
expect_rc "no hostname: skipped" 0
contains "no hostname: says what to set" "$OUT" "[hostname] skipped: the tree has no /etc/hostname: set nodeName in the profile"
run apply --root "$T" --only hostname --profile "$WORK/named.yaml"
expect_rc "no /etc/hosts: apply" 0
same_file "no /etc/hosts: created with the one line" "$T/etc/hosts" <(printf '192.0.2.10\tnode-2.example.com\n')
[ "$(stat -c %a "$T/etc/hosts")" = 644 ] && pass "no /etc/hosts: mode 0644" || fail "mode $(stat -c %a "$T/etc/hosts")"

done_testing
