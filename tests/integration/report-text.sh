#!/usr/bin/env bash
# The text report can be trusted line by line: a file name from the tree with an escape
# sequence and newlines is shown escaped (no raw control byte, no forged "[swap] ok" line), as
# is a log line diagnose quotes; "undo with" is offered only when a file was changed; and a dry
# run's diff applies with `patch -p1` to give the bytes apply writes, also for names with spaces
# or control characters.
. "$(dirname "$0")/../lib.sh"

printf 'extends: default\ngateway:\n  address: 192.0.2.1\n' >"$WORK/gw.yaml"
# Report lines hold only printable bytes and tabs (diff headers, detail lines).
raw_control() { LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$1"; }

# 1. A netplan file whose name would forge report lines and clear the terminal.
NAME=$'50-\e[2J\n[swap] ok: forged\n.yaml'
SHOWN='50-\x1b[2J\n[swap] ok: forged\n.yaml'
T=$(new_tree gateway-netplan forged)
mv "$T/etc/netplan/50-cloud-init.yaml" "$T/etc/netplan/$NAME"
for verb in check "apply --dry-run" apply; do
        run $verb --root "$T" --only gateway --profile "$WORK/gw.yaml" -v
        [ "$(raw_control "$OUT$ERR")" = 0 ] && pass "$verb: no raw control byte in the output" ||
                fail "$verb: raw control bytes in the output" "$(printf '%s\n' "$OUT" | cat -v)"
        grep -q '^\[swap\]' <<<"$OUT" && fail "$verb: a forged [swap] line" "$OUT" || pass "$verb: no forged line"
        contains "$verb: the name is shown escaped" "$OUT" "/etc/netplan/$SHOWN"
done
contains "apply's status line is one line, with the escaped name" "$OUT" \
        "[gateway] changed: /etc/netplan/$SHOWN has no gateway"
ok "apply wrote the file under its real name" grep -q 'via: 192.0.2.1' "$T/etc/netplan/$NAME"
run rollback --root "$T"
expect_rc "rollback of the forged name" 0
[ "$(raw_control "$OUT$ERR")" = 0 ] && pass "rollback: no raw control byte in the output" ||
        fail "rollback: raw control bytes in the output" "$(printf '%s\n' "$OUT" | cat -v)"
contains "rollback: the name is shown escaped" "$OUT" "[rollback] restored /etc/netplan/$SHOWN"
run rollback --root "$T" $'../\e[2J\n[swap] ok: forged'
expect_rc "an error quoting what it was given" 2
[ "$(raw_control "$OUT$ERR")" = 0 ] && pass "an error message: no raw control byte" ||
        fail "an error message: raw control bytes" "$(printf '%s\n' "$ERR" | cat -v)"
contains "an error message: shown escaped" "$ERR" '../\x1b[2J\n[swap] ok: forged'
run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
run check --root "$T" --only gateway --profile "$WORK/gw.yaml" -o json
ok "JSON keeps the real name (cJSON escapes it)" $PYTHON -c '
import json, sys
r = json.loads(sys.argv[1])["results"][0]
assert sys.argv[2] in r["message"], r' "$OUT" "$NAME"

# 2. A dry run's diff is a patch: it applies with patch -p1 to a copy of the tree and gives
# the bytes apply writes. NetworkManager names its first wired connection with spaces.
patch_test() { # patch_test TREE FILE-NAME WHAT
        local tree=$1 name=$2 what=$3
        run apply --dry-run --root "$tree" --only gateway --profile "$WORK/gw.yaml"
        printf '%s\n' "$OUT" | sed -n '/^--- /,$p' | grep -v '^\[' >"$WORK/p.patch"
        cp -a "$tree" "$tree.patched"
        ok "$what: the dry run's diff applies with patch -p1" patch -s -d "$tree.patched" -p1 -i "$WORK/p.patch"
        run apply --root "$tree" --only gateway --profile "$WORK/gw.yaml"
        expect_rc "$what: apply" 0
        same_file "$what: patch gives the bytes apply wrote" "$tree.patched/$name" "$tree/$name"
}
T=$(new_tree gateway-keyfile spaces)
KEYFILE="etc/NetworkManager/system-connections/Wired connection 1.nmconnection"
mv "$T/etc/NetworkManager/system-connections/Wired.nmconnection" "$T/$KEYFILE"
patch_test "$T" "$KEYFILE" "Wired connection 1.nmconnection"
T=$(new_tree gateway-netplan quoted)
mv "$T/etc/netplan/50-cloud-init.yaml" "$T/etc/netplan/$NAME"
patch_test "$T" "etc/netplan/$NAME" "a name with control characters"

# 2a. diagnose quotes a log line: escaped, and masked as the report is.
T=$(new_tree centos7 diagnose)
printf 'Jun 03 08:01:40 node1 kubelet[812]: E0603 08:01:40.100 812 server.go:302] "Failed to run kubelet" err="%s"\n' \
        $'failed to run Kubelet: running with swap on is not supported\e[2J\e]0;x\a --token=s3cr3t-PLANTED-1234' \
        >"$WORK/kubelet.log"
run diagnose --root "$T" --log "$WORK/kubelet.log"
expect_rc "diagnose finds the problem" 1
[ "$(raw_control "$OUT$ERR")" = 0 ] && pass "diagnose: no raw control byte" ||
        fail "diagnose: raw control bytes" "$(printf '%s\n' "$OUT" | cat -v)"
contains "diagnose: the escape sequence is shown escaped" "$OUT" 'not supported\x1b[2J\x1b]0;x\x07 --token=<redacted>"'
run diagnose --root "$T" --log "$WORK/kubelet.log" -o json
not_contains "diagnose -o json: the token is masked" "$OUT" "s3cr3t-PLANTED-1234"

# 3. "undo with" only when a file changed: a write that fails (a read-only bind mount over
# the directory, in a private mount namespace) changes nothing and offers nothing to undo.
if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
        skip "undo with: a failed write" "needs root and unshare -m"
        done_testing
fi
readonly_run() { # readonly_run DIR ARGS...: kubeprep ARGS with DIR read-only
        unshare -m --propagation private sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
                shift && exec "$@"' sh "$1" "$KUBEPREP" "${@:2}" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout"); ERR=$(cat "$WORK/.stderr")
}
T=$(new_tree centos7 readonly)
NET=$T/etc/sysconfig/network-scripts
before=$(tree_state "$NET")
readonly_run "$NET" apply --root "$T" --only gateway --profile "$FIXTURES/profiles/centos7-site.yaml"
expect_rc "the only write fails" 1
contains "the failure names the file" "$OUT" "[gateway] error: cannot write /etc/sysconfig/network-scripts/ifcfg-eth0"
not_contains "no backup to undo is offered" "$OUT" "undo with"
contains "the summary says nothing changed" "$OUT" "0 changed, 1 error"
[ "$(tree_state "$NET")" = "$before" ] && pass "the file is as it was" || fail "the file changed"

readonly_run "$NET" apply --root "$T" --only swap,gateway --profile "$FIXTURES/profiles/centos7-site.yaml"
expect_rc "one fixer changes its files, the other's write fails" 1
contains "then the backup is offered" "$OUT" "undo with: kubeprep rollback --root $T "
run rollback --root "$T"
expect_rc "and rolling it back works" 0
same_file "fstab is back" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
done_testing
