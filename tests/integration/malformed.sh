#!/usr/bin/env bash
# A file kubeprep cannot parse completely is refused: exit 2, the message
# names the file and the line, and the file stays as it was.
. "$(dirname "$0")/../lib.sh"

T=$(new_tree centos7)
printf '/dev/sda1 / ext4 defaults 0 0\nthis-is-not-an-fstab-line\n/dev/sda2 none swap sw 0 0\n' >"$T/etc/fstab"
touch -d '2020-01-01 00:00:00' "$T/etc/fstab"
before=$(tree_state "$T")
run apply --only swap --root "$T"
expect_rc "malformed fstab" 2
contains "the error names the file and line" "$OUT" "[swap] error: /etc/fstab: line 2:"
contains "and says the file was not changed" "$OUT" "the file was not changed"
if [ "$(tree_state "$T")" = "$before" ]; then pass "nothing in the tree changed"; else fail "the tree changed" "$(diff <(echo "$before") <(tree_state "$T"))"; fi
[ ! -e "$T/var/lib/kubeprep/backups" ] && pass "no backup for a run that changed nothing" || fail "a backup dir was made"
run check --only swap --root "$T" -o json
printf '%s' "$OUT" >"$WORK/r.json"
ok "JSON status error, exitCode 2" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
s = r["results"][0]; assert s["status"] == "error" and "/etc/fstab: line 2" in s["message"], s
assert r["exitCode"] == 2 and r["summary"]["error"] == 1' "$WORK/r.json"

done_testing
