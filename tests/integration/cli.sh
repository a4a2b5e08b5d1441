#!/usr/bin/env bash
# The command line contract: help, version, list, usage errors (exit 2),
# profiles by name and path, and the refusal of a live apply without root.
. "$(dirname "$0")/../lib.sh"

run --help
expect_rc "--help" 0
contains "--help lists the verbs" "$OUT" "kubeprep apply    [OPTIONS] [--dry-run]"
run --version
expect_rc "--version" 0
contains "--version prints the version" "$OUT" "kubeprep 0.1.0"
run list
expect_rc "list" 0
contains "list names the swap fixer" "$OUT" "swap "

run frobnicate
expect_rc "unknown command" 2
contains "unknown command is named" "$ERR" "unknown command 'frobnicate'"
run check --bogus
expect_rc "unknown option" 2
contains "unknown option is named" "$ERR" "unknown option '--bogus'"
run check --dry-run --root /
expect_rc "--dry-run without apply" 2
run check --only nosuchfixer --root "$FIXTURES/nodes/centos7"
expect_rc "unknown fixer" 2
contains "unknown fixer is named" "$ERR" "unknown fixer 'nosuchfixer'"
run check --only swap --skip swap --root /
expect_rc "--only with --skip" 2
run check --root /nonexistent-root-dir
expect_rc "missing root" 2
contains "missing root is named" "$ERR" "cannot open root /nonexistent-root-dir"
run check --output yaml
expect_rc "unknown output format" 2
run check --profile nosuchprofile --root "$FIXTURES/nodes/centos7"
expect_rc "unknown profile" 2
contains "unknown profile is named" "$ERR" "profile 'nosuchprofile' not found"

# A profile with an unknown key and one with a wrong type: file, line and key.
printf 'cgroupDriver: systemd\nswapp: disable\n' >"$WORK/typo.yaml"
run check --profile "$WORK/typo.yaml" --root "$FIXTURES/nodes/centos7"
expect_rc "profile with an unknown key" 2
contains "unknown key named with file and line" "$ERR" "$WORK/typo.yaml:2: unknown key 'swapp'"
printf 'gateway:\n  ensure: maybe\n' >"$WORK/type.yaml"
run check --profile "$WORK/type.yaml" --root "$FIXTURES/nodes/centos7"
expect_rc "profile with a wrong type" 2
contains "wrong type named" "$ERR" "$WORK/type.yaml:2: 'gateway.ensure' must be true or false"
printf 'extends: default\nswap: allow\n' >"$WORK/allow.yaml"
run check --only swap --profile "$WORK/allow.yaml" --root "$FIXTURES/nodes/centos7"
expect_rc "a profile extending default, by path (swap: allow still needs the kubelet configured)" 1
contains "swap: allow is read from the derived profile" "$OUT" "[swap] drift: swap is allowed by the profile, but the kubelet is not configured for it"

# JSON errors are JSON too.
run check --profile nosuchprofile --root "$FIXTURES/nodes/centos7" -o json
printf '%s' "$OUT" >"$WORK/err.json"
ok "an early error in JSON mode is a JSON object with exitCode 2" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["exitCode"] == 2 and "not found" in r["error"], r' "$WORK/err.json"

# -q shows only problems and the summary.
run check -q --root "$FIXTURES/nodes/centos7"
not_contains "-q drops the header" "$OUT" "Checking"
contains "-q keeps the drift" "$OUT" "[swap] drift"

# Under systemd, stdout is the journal ($JOURNAL_STREAM = its device:inode): lines carry priorities.
: >"$WORK/journal"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/journal") "$KUBEPREP" check --root "$FIXTURES/nodes/centos7" --only swap >"$WORK/journal" 2>&1
contains "a drift line has the warning priority <4> in the journal" "$(cat "$WORK/journal")" "<4>[swap] drift:"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/journal") "$KUBEPREP" check --profile nosuch --root "$FIXTURES/nodes/centos7" 2>"$WORK/journal"
contains "an error has the error priority <3>" "$(cat "$WORK/journal")" "<3>kubeprep: profile 'nosuch' not found"
run check --root "$FIXTURES/nodes/centos7" --only swap
not_contains "no prefixes on a terminal or pipe" "$OUT" "<4>"

# A live apply needs root; a non-root user gets a clear error and nothing runs.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        set +e
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$KUBEPREP" apply 2>&1)
        rc=$?
        if [ $rc = 2 ]; then pass "live apply as non-root exits 2"; else fail "live apply as non-root: exit $rc" "$out"; fi
        contains "and says it must run as root" "$out" "must run as root"
elif [ "$(id -u)" != 0 ]; then
        run apply
        expect_rc "live apply as non-root" 2
        contains "and says it must run as root" "$ERR" "must run as root"
else
        skip "live apply as non-root" "setpriv not available"
fi

done_testing
