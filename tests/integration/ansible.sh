#!/usr/bin/env bash
# scripts/ansible/kubeprep.yml run by the real ansible-playbook against
# local hosts whose kubeprep_root is a fixture tree: changed from the JSON
# summary, idempotence, check mode that changes nothing, failures on exit 2
# (and on exit 1 after apply), and the inventory variables reaching the CLI.
. "$(dirname "$0")/../lib.sh"
command -v ansible-playbook >/dev/null || skip_all "ansible-playbook not installed (Debian package ansible-core)"

PLAYBOOK=$SOURCE_ROOT/scripts/ansible/kubeprep.yml
# Ansible writes under HOME and its temp dirs; keep all of it in $WORK, and
# keep any ansible.cfg of the caller's out of the way.
mkdir -p "$WORK/home" "$WORK/ansible-tmp"
: >"$WORK/ansible.cfg"
export HOME=$WORK/home ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp ANSIBLE_REMOTE_TEMP=$WORK/ansible-tmp \
        ANSIBLE_CONFIG=$WORK/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
        ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
HOSTVARS="ansible_connection=local ansible_python_interpreter=/usr/bin/python3"

# playbook INVENTORY [ansible-playbook args]: output in $PLAY, exit code in $PRC.
# The binary under test, unless the inventory names one ($BINARY=inventory).
playbook() {
        local inv=$1; shift
        [ "${BINARY:-}" = inventory ] || set -- -e kubeprep_binary="$KUBEPREP" "$@"
        (cd "$WORK" && ansible-playbook -i "$inv" "$PLAYBOOK" -e ansible_become=false "$@") >"$WORK/play.out" 2>&1
        PRC=$?
        PLAY=$(cat "$WORK/play.out")
}
# recap HOST: "changed=N failed=N" from the PLAY RECAP line of HOST.
recap() {
        sed -n '/^PLAY RECAP/,$p' "$WORK/play.out" |
                sed -n "s/^$1 *: .* \(changed=[0-9]*\) .* \(failed=[0-9]*\) .*/\1 \2/p"
}
expect_recap() { # expect_recap NAME HOST "changed=N failed=N"
        local got; got=$(recap "$2")
        if [ "$got" = "$3" ]; then pass "$1: $3"; else fail "$1: recap '$got', want '$3'" "$PLAY"; fi
}
expect_prc() {
        if [ "$PRC" = "$2" ]; then pass "$1 (ansible-playbook exit $2)"; else fail "$1: ansible-playbook exit $PRC, want $2" "$PLAY"; fi
}
same_tree() { # same_tree NAME GOT WANT: same files and bytes, backups aside
        local d; d=$(diff -r --no-dereference -x backups "$2" "$3" 2>&1)
        if [ -z "$d" ]; then pass "$1"; else fail "$1" "$d"; fi
}

# The trees run only the fixers that can fix the sample node completely, so
# that fixers still being written do not turn this test of the playbook red.
FIXERS=swap,cgroup-driver
A=$(new_tree centos7 a); B=$(new_tree centos7 b)
REF=$(new_tree centos7 ref)
"$KUBEPREP" apply --root "$REF" --only "$FIXERS" -q >/dev/null
cat >"$WORK/inv1" <<EOF
[trees]
node-a $HOSTVARS kubeprep_root=$A
node-b $HOSTVARS kubeprep_root=$B kubeprep_only=swap
[trees:vars]
kubeprep_only=$FIXERS
EOF

playbook "$WORK/inv1"
expect_prc "apply on two hosts" 0
expect_recap "node-a changed" node-a "changed=1 failed=0"
expect_recap "node-b changed" node-b "changed=1 failed=0"
same_tree "node-a's tree is what kubeprep apply makes of it" "$A" "$REF"
grep -qx '#/dev/mapper/centos-swap swap                    swap    defaults        0 0' "$A/etc/fstab" &&
        pass "the swap entry is commented out" || fail "fstab not fixed" "$(cat "$A/etc/fstab")"
same_file "node-b's host var kubeprep_only=swap wins over the group's: fstab fixed" "$B/etc/fstab" "$A/etc/fstab"
same_file "and containerd's config is untouched" "$B/etc/containerd/config.toml" "$FIXTURES/nodes/centos7/etc/containerd/config.toml"
contains "the play names what changed" "$PLAY" '"swap changed: 1 swap entry in /etc/fstab'

before_a=$(tree_state "$A"); before_b=$(tree_state "$B")
playbook "$WORK/inv1"
expect_prc "second run" 0
expect_recap "node-a idempotent" node-a "changed=0 failed=0"
expect_recap "node-b idempotent" node-b "changed=0 failed=0"
[ "$(tree_state "$A")" = "$before_a" ] && [ "$(tree_state "$B")" = "$before_b" ] &&
        pass "the second run touched nothing" || fail "the second run changed a tree"

# Check mode: a fresh copy would change, a fixed one would not, a malformed
# fstab fails the host; nothing is written anywhere.
C=$(new_tree centos7 c); D=$(new_tree centos7 d)
printf '/dev/sda1 / ext4 defaults 0 0\nthis-is-not-an-fstab-line\n/dev/sda2 none swap sw 0 0\n' >"$D/etc/fstab"
cat >"$WORK/inv2" <<EOF
[trees]
node-a $HOSTVARS kubeprep_root=$A
node-c $HOSTVARS kubeprep_root=$C
node-d $HOSTVARS kubeprep_root=$D
[trees:vars]
kubeprep_only=$FIXERS
EOF
before_c=$(tree_state "$C"); before_d=$(tree_state "$D")
playbook "$WORK/inv2" --check --diff
expect_prc "check mode with a malformed host" 2
expect_recap "check mode: the fresh tree would change" node-c "changed=1 failed=0"
expect_recap "check mode: the fixed tree would not" node-a "changed=0 failed=0"
expect_recap "check mode: the malformed tree fails" node-d "changed=0 failed=1"
[ "$(tree_state "$C")" = "$before_c" ] && [ "$(tree_state "$D")" = "$before_d" ] &&
        [ "$(tree_state "$A")" = "$before_a" ] && pass "check mode wrote nothing" || fail "check mode changed a tree"
contains "check mode runs kubeprep check" "$PLAY" 'TASK [kubeprep check]'
contains "--diff shows kubeprep's diff" "$PLAY" '"+#/dev/mapper/centos-swap swap                    swap    defaults        0 0"'
contains "the failure names the file and line" "$PLAY" 'exited 2: swap: /etc/fstab: line 2:'

# apply: the malformed host fails and stays as it was, the others go on.
playbook "$WORK/inv2"
expect_prc "apply with a malformed host" 2
expect_recap "apply: the malformed tree fails" node-d "changed=0 failed=1"
expect_recap "apply: the other host still runs" node-c "changed=1 failed=0"
printf '/dev/sda1 / ext4 defaults 0 0\nthis-is-not-an-fstab-line\n/dev/sda2 none swap sw 0 0\n' >"$WORK/bad-fstab"
same_file "the malformed fstab is untouched" "$D/etc/fstab" "$WORK/bad-fstab"
contains "the failed host's task says it changed other files" "$PLAY" 'fatal: [node-d]: FAILED! => {"changed": true'
same_tree "node-c fixed" "$C" "$REF"

# --diff -v shows kubeprep's diffs and its whole JSON report: a registry password beside the
# changed line of containerd's config appears as its key only.
S=$(new_tree centos7 s)
cp "$FIXTURES/secrets/centos7/etc/containerd/config.toml" "$S/etc/containerd/config.toml"
printf '[trees]\nnode-s %s kubeprep_root=%s kubeprep_only=cgroup-driver\n' "$HOSTVARS" "$S" >"$WORK/inv-s"
playbook "$WORK/inv-s" --check --diff -v
expect_recap "check mode on a tree with registry credentials" node-s "changed=1 failed=0"
contains "--diff shows the lines around the change" "$PLAY" "\"   password = '<redacted>'\""
contains "and each header without the tab that ends its name" "$PLAY" '"--- a/etc/containerd/config.toml",'
not_contains "no credential anywhere in the play's output" "$PLAY" "s3cr3t-PLANTED-1234"

# kubeprep_profile: a profile of the node's own, looked up inside its root;
# an unknown one fails the host.
E=$(new_tree centos7 e)
mkdir -p "$E/etc/kubeprep/profiles"
printf 'extends: default\ncgroupDriver: cgroupfs\n' >"$E/etc/kubeprep/profiles/site.yaml"
cat >"$WORK/inv3" <<EOF
node-e $HOSTVARS kubeprep_root=$E kubeprep_profile=site kubeprep_only=cgroup-driver
node-f $HOSTVARS kubeprep_root=$E kubeprep_profile=no-such-profile
EOF
playbook "$WORK/inv3"
expect_recap "the node's own profile" node-e "changed=1 failed=0"
grep -qx 'cgroupDriver: cgroupfs' "$E/var/lib/kubelet/config.yaml" &&
        pass "the site profile's cgroupfs is kept" || fail "config.yaml lost cgroupfs" "$(cat "$E/var/lib/kubelet/config.yaml")"
expect_recap "an unknown profile fails" node-f "changed=0 failed=1"
contains "and says so" "$PLAY" 'no-such-profile'

# The command line from the variables, and each exit code's meaning, with a
# stand-in kubeprep: the profile name says what it exits with (p-RC-CHANGED).
cat >"$WORK/fake-kubeprep" <<'EOF'
#!/bin/sh
# Records its arguments and answers as the profile name says: p-RC-CHANGED.
prev= profile=
for a; do [ "$prev" = --profile ] && profile=$a; prev=$a; done
printf '%s\n' "$@" >"$FAKE_DIR/argv.$profile"
printf '%s\n' "${SUDO_USER-unset}" >"$FAKE_DIR/sudo-user.$profile"
set -- $(echo "$profile" | tr - ' ')
[ "$3" = nojson ] && { echo 'not json'; exit "$2"; }
printf '{"results": [], "summary": {"changed": %s, "drift": 0}, "exitCode": %s}\n' "$3" "$2"
exit "$2"
EOF
chmod +x "$WORK/fake-kubeprep"
export FAKE_DIR=$WORK
cat >"$WORK/inv4" <<EOF
[all:vars]
kubeprep_binary=$WORK/fake-kubeprep
[fake]
h-ok $HOSTVARS kubeprep_profile=p-0-0
h-changed $HOSTVARS kubeprep_profile=p-0-2 kubeprep_only=swap,cgroup-driver
h-unfixed $HOSTVARS kubeprep_profile=p-1-1
h-error $HOSTVARS kubeprep_profile=p-2-0
h-text $HOSTVARS kubeprep_profile=p-0-nojson
h-vars $HOSTVARS kubeprep_profile=p-0-0-vars kubeprep_root=/srv/image
h-missing $HOSTVARS kubeprep_profile=p-0-0 kubeprep_binary=$WORK/no-such-binary
EOF
# Lists come in as JSON extra vars, as they would from group_vars.
printf '%s\n' '{"kubeprep_users": ["alice", "bob"]}' >"$WORK/users.json"
# become sets SUDO_USER to the account Ansible connects as; the play must not hand it to
# kubeprep, or an older kubeprep gives that account a copy of admin.conf.
SUDO_USER=deploy BINARY=inventory playbook "$WORK/inv4" -l 'all:!h-vars'
expect_recap "exit 0, summary.changed 0: ok" h-ok "changed=0 failed=0"
expect_recap "exit 0, summary.changed 2: changed" h-changed "changed=1 failed=0"
expect_recap "apply exit 1 (could not fix): failed" h-unfixed "changed=0 failed=1"
expect_recap "exit 2: failed" h-error "changed=0 failed=1"
expect_recap "exit 0 without JSON: not changed, not failed" h-text "changed=0 failed=0"
argv() { tr '\n' ' ' <"$WORK/argv.$1"; }
[ "$(argv p-0-0)" = "apply --output json --profile p-0-0 " ] &&
        pass "root / is live: no --root, no --only, no --user" || fail "argv: $(argv p-0-0)"
[ "$(cat "$WORK/sudo-user.p-0-0")" = "" ] &&
        pass "kubeprep sees no SUDO_USER: only kubeprep_users get a kubeconfig" ||
        fail "SUDO_USER reached kubeprep: '$(cat "$WORK/sudo-user.p-0-0")'"
[ "$(argv p-0-2)" = "apply --output json --profile p-0-2 --only swap,cgroup-driver " ] &&
        pass "kubeprep_only as a string" || fail "argv: $(argv p-0-2)"
expect_recap "a missing binary (kubeprep_binary from the inventory) fails the host" h-missing "changed=0 failed=1"
# Check mode; the extra vars apply to every host, only h-vars's argv is looked at.
BINARY=inventory playbook "$WORK/inv4" -l 'h-vars:h-unfixed:h-error' --check -e @"$WORK/users.json" \
        -e '{"kubeprep_only": ["swap", "cgroup-driver"]}'
expect_recap "check mode, exit 0" h-vars "changed=0 failed=0"
expect_recap "check mode, exit 1: would change, not failed" h-unfixed "changed=1 failed=0"
expect_recap "check mode, exit 2: failed" h-error "changed=0 failed=1"
[ "$(argv p-0-0-vars)" = "check --output json --profile p-0-0-vars --root /srv/image --only swap,cgroup-driver --user=alice --user=bob " ] &&
        pass "check mode, kubeprep_root, kubeprep_only as a list, kubeprep_users" || fail "argv: $(argv p-0-0-vars)"

done_testing
