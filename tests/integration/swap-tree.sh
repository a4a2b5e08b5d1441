#!/usr/bin/env bash
# The swap fixer end to end on the sample node tree: check, dry run, apply,
# idempotence, rollback, and the JSON report's shape (README: Commands, Exit codes, JSON report).
. "$(dirname "$0")/../lib.sh"

T=$(new_tree centos7)
before=$(tree_state "$T")

run check --only swap --root "$T"
expect_rc "check finds drift" 1
contains "check names the swap entry" "$OUT" "[swap] drift: 1 swap entry in /etc/fstab"
contains "check says swap.target is not masked" "$OUT" "swap.target not masked"
not_contains "check prints no diff" "$OUT" "+++ b/etc/fstab"

run apply --only swap --dry-run --root "$T"
expect_rc "dry run reports drift" 1
contains "dry run shows the fstab diff" "$OUT" "-/dev/mapper/centos-swap swap                    swap    defaults        0 0
+#/dev/mapper/centos-swap swap                    swap    defaults        0 0"
contains "dry run says what the mask links to" "$OUT" "mask swap.target (/etc/systemd/system/swap.target -> /dev/null)"
not_contains "a link is not shown as a text patch" "$OUT" "+++ b/etc/systemd/system/swap.target"
if [ "$(tree_state "$T")" = "$before" ]; then pass "dry run leaves every byte and mtime"; else fail "dry run changed the tree" "$(diff <(echo "$before") <(tree_state "$T"))"; fi

# The dry run's diff is a real patch: it applies to a copy and gives apply's result.
cp -a "$T" "$WORK/patched"
printf '%s\n' "$OUT" | sed -n '/^--- a\//,$p' | grep -v '^\[' >"$WORK/fstab.patch"
ok "the dry run's output is a patch that applies with patch -p1" patch -s -d "$WORK/patched" -p1 -i "$WORK/fstab.patch"
same_file "patched fstab equals the expected fstab" "$WORK/patched/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"

run apply --only swap --root "$T"
expect_rc "apply fixes" 0
contains "apply reports the change" "$OUT" "[swap] changed:"
same_file "fstab after apply: only the swap line commented" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"
if [ "$(readlink "$T/etc/systemd/system/swap.target")" = /dev/null ]; then pass "swap.target masked"; else fail "swap.target not masked"; fi
if [ "$(stat -c %a "$T/etc/fstab")" = "$(stat -c %a "$FIXTURES/nodes/centos7/etc/fstab")" ]; then pass "fstab mode kept"; else fail "fstab mode changed"; fi
run_id=$(ls "$T/var/lib/kubeprep/backups")
if [ -f "$T/var/lib/kubeprep/backups/$run_id/manifest.json" ]; then pass "backup manifest written"; else fail "no backup manifest"; fi
contains "apply names the backup" "$OUT" "kubeprep rollback --root $T $run_id"

after=$(tree_state "$T")
run apply --only swap --root "$T"
expect_rc "second apply changes nothing" 0
contains "second apply is ok" "$OUT" "[swap] ok:"
if [ "$(tree_state "$T")" = "$after" ]; then pass "second apply leaves the tree as it was"; else fail "second apply touched the tree"; fi
if [ "$(ls "$T/var/lib/kubeprep/backups" | wc -l)" = 1 ]; then pass "a run that changed nothing leaves no backup"; else fail "extra backup dir"; fi

run check --only swap --root "$T"
expect_rc "check after apply" 0

run rollback --root "$T"
expect_rc "rollback" 0
contains "rollback names the run" "$OUT" "run $run_id rolled back: 2 files restored"
same_file "rollback restores fstab byte for byte" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
# Directories a run created stay (empty); every file is as it was.
find "$T/etc/systemd" -depth -type d -empty -delete
ok "rollback restores every file of the tree (only kubeprep's state dir is new)" \
        diff -r --no-dereference -x kubeprep "$FIXTURES/nodes/centos7" "$T"
if [ ! -e "$T/etc/systemd/system/swap.target" ] && [ ! -L "$T/etc/systemd/system/swap.target" ]; then pass "rollback removes the mask it created"; else fail "swap.target still there"; fi
run rollback --root "$T"
expect_rc "a second rollback has nothing to undo" 2
contains "it says so" "$ERR" "no run to roll back"

# JSON (README: JSON report)
T2=$(new_tree centos7 json)
run check --only swap --root "$T2" --output json
expect_rc "json check" 1
printf '%s' "$OUT" >"$WORK/report.json"
ok "json report has the shape the README documents" $PYTHON - "$WORK/report.json" "$T2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["kubeprep"] == "0.1.0", r["kubeprep"]
assert r["command"] == "check" and r["root"] == sys.argv[2] and r["profile"] == "default", r
n = r["node"]
assert set(n) >= {"arch", "kubeletVersion", "controlPlaneVersion", "cgroupVersion", "init"}, n
assert n["arch"] == "x86_64" and n["init"] == "systemd", n
res = {x["fixer"]: x for x in r["results"]}
s = res["swap"]
assert s["status"] == "drift" and s["message"] == "1 swap entry in /etc/fstab, swap.target not masked", s
paths = [c["path"] for c in s["changes"]]
assert paths == ["/etc/fstab", "/etc/systemd/system/swap.target"], paths
assert s["changes"][0]["diff"].startswith("--- a/etc/fstab\t\n+++ b/etc/fstab\t\n@@ "), s["changes"][0]
assert s["changes"][1]["symlink"] == "/dev/null", s["changes"][1]
assert s["actions"] == [], s["actions"]
assert r["summary"] == {"ok": 0, "drift": 1, "changed": 0, "error": 0, "skipped": 0}, r["summary"]
assert r["exitCode"] == 1
PY
run apply --only swap --root "$T2" -o json
printf '%s' "$OUT" >"$WORK/apply.json"
ok "json apply reports changed with the changes as made" $PYTHON - "$WORK/apply.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["results"][0]
assert s["status"] == "changed" and len(s["changes"]) == 2, s
assert r["summary"]["changed"] == 1 and r["exitCode"] == 0 and r["runId"], r
PY

done_testing
