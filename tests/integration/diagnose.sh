#!/usr/bin/env bash
# `kubeprep diagnose` on real journal files, made by systemd-journal-remote from
# the export-format fixtures in tests/fixtures/journal (make-fixtures.py), read
# through --journal-dir, --root and --log - (journalctl's own text output):
# each signature found once with its fixer, count and time; three problems in
# a noisy log; --since; the cross-check with the fixers; links out of a tree;
# and the errors (exit 2).
. "$(dirname "$0")/../lib.sh"

REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$REMOTE" ] || skip_all "systemd-journal-remote is not installed (Debian package systemd-journal-remote)"
command -v journalctl >/dev/null || skip_all "journalctl is not installed"
export TZ=UTC
JF="$FIXTURES/journal"
MACHINE=5f2c0a7d3b8e4e6f9a1b2c3d4e5f6a7b
BOOT=7e3f1a2b4c5d6e7f8091a2b3c4d5e6f7

journal_of() { # journal_of NAME: a directory holding NAME.export as a journal file
        local dir="$WORK/journals/$1"
        if [ ! -d "$dir" ]; then
                mkdir -p "$dir"
                "$REMOTE" --output="$dir/x.journal" "$JF/$1.export" >/dev/null 2>&1 || { echo "cannot convert $1" >&2; return 1; }
        fi
        echo "$dir"
}

# A tree where swap and cgroup-driver have nothing to fix, and one where they do.
CLEAN=$(new_tree centos7 clean)
run apply --root "$CLEAN" --only swap,cgroup-driver
run check --root "$CLEAN" --only swap,cgroup-driver
expect_rc "the clean tree has nothing for swap and cgroup-driver" 0
DIRTY=$(new_tree centos7 dirty)

# 1. One fixture per signature: found once, with its fixer, count and last time,
#    the same text from containerd not counted; the same through --log -.
declare -A FIXER=(
        [aarch64-systemd-cgroup]=cgroup-driver [cgroup-driver-mismatch]=cgroup-driver
        [cgroup-parent-not-slice]=cgroup-driver [swap-on]=swap [cri-disabled]=cgroup-driver
        [csinode-skew]=csi-migration [feature-gate-stale]=csi-migration [removed-flag]=kubelet-flags
        [no-default-route]=gateway [disk-pressure]=disk-pressure [no-kubeconfig]=kubeconfig
)
declare -A EXTRA=([aarch64-systemd-cgroup]="--profile aarch64 " [no-kubeconfig]="")
for id in "${!FIXER[@]}"; do
        [ -f "$JF/sig-$id.export" ] || { fail "$id: no fixture sig-$id.export"; continue; }
        D=$(journal_of "sig-$id")
        want_cmd="kubeprep apply --root $CLEAN ${EXTRA[$id]:-}--only ${FIXER[$id]}"
        [ "$id" = no-kubeconfig ] && want_cmd="$want_cmd --user NAME"
        run diagnose --journal-dir "$D" --root "$CLEAN" -o json
        expect_rc "$id: found in the journal" 1
        printf '%s' "$OUT" >"$WORK/sig.json"
        ok "$id: once, fixer ${FIXER[$id]}, twice, last 08:01:40, the fix command" $PYTHON - "$WORK/sig.json" \
                "$id" "${FIXER[$id]}" "$want_cmd" "$BOOT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
_, sig, fixer, cmd, boot = sys.argv[1:6]
assert r["exitCode"] == 1 and r["command"] == "diagnose", r
assert r["source"].endswith(", boot " + boot), r["source"]
assert r["entries"] == 14, r["entries"]
ps = r["problems"]
assert [(p["id"], p["fixer"], p["count"]) for p in ps] == [(sig, fixer, 2)], ps
assert ps[0]["lastSeen"] == "2024-06-03T08:01:40Z", ps[0]
assert ps[0]["command"] == cmd, (ps[0]["command"], cmd)
assert ps[0]["explanation"] and "\n" not in ps[0]["explanation"]
assert "08:01:40" in ps[0]["message"], ps[0]["message"]
PY
        journalctl -D "$D" -u kubelet.service -o short --no-pager >"$WORK/sig.log" 2>/dev/null
        "$KUBEPREP" diagnose --log - --root "$CLEAN" -o json <"$WORK/sig.log" >"$WORK/siglog.json" 2>"$WORK/.stderr"
        RC=$?
        expect_rc "$id: found in journalctl's text on stdin" 1
        ok "$id: the same problem, count and fixer from the text, last seen at its line" $PYTHON - \
                "$WORK/siglog.json" "$id" "${FIXER[$id]}" "$WORK/sig.log" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sig, fixer, log = sys.argv[2:5]
ps = r["problems"]
assert [(p["id"], p["fixer"], p["count"]) for p in ps] == [(sig, fixer, 2)], ps
lines = open(log).read().split("\n")
assert ps[0]["lastSeen"] == "Jun 03 08:01:40", ps[0]
assert lines[ps[0]["lastLine"] - 1].startswith("Jun 03 08:01:40 node1 kubelet[")
assert r["source"] == "standard input" and r["kubeletVersion"] == "1.24.17", r
PY
done

# 2. The noisy log: three problems among 400 ordinary lines (and near misses).
N=$(journal_of noisy)
run diagnose --journal-dir "$N" --root "$DIRTY" -o json
expect_rc "noisy: found" 1
printf '%s' "$OUT" >"$WORK/noisy.json"
ok "noisy: exactly swap-on x4, removed-flag x7, disk-pressure x3, newest boot only" $PYTHON - "$WORK/noisy.json" "$BOOT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
got = [(p["id"], p["fixer"], p["count"], p["lastSeen"]) for p in r["problems"]]
assert got == [("swap-on", "swap", 4, "2024-06-03T09:00:00Z"),
               ("removed-flag", "kubelet-flags", 7, "2024-06-03T09:30:00Z"),
               ("disk-pressure", "disk-pressure", 3, "2024-06-03T09:45:00Z")], got
assert r["entries"] == 414 and r["source"].endswith("boot " + sys.argv[2]), r
swap = r["problems"][0]
assert swap["check"]["status"] == "drift" and swap["check"]["agrees"] is True, swap["check"]
PY
run diagnose --journal-dir "$N" --root "$DIRTY"
contains "noisy text: the problem, count and time" "$OUT" "[swap-on] 4 times, last 2024-06-03 09:00:00"
contains "noisy text: the exact fix" "$OUT" "    fix: kubeprep apply --root $DIRTY --only swap"
contains "noisy text: check agrees" "$OUT" "    check agrees: drift (1 swap entry in /etc/fstab"
contains "noisy text: the summary" "$OUT" "3 known problems found."
contains "noisy text: what was read" "$OUT" "Read 414 entries from the kubelet's journal in $N, boot $BOOT (kubelet 1.24.17)."
run diagnose --journal-dir "$N" --root "$CLEAN"
contains "noisy on a clean tree: check finds nothing" "$OUT" "[swap-on] 4 times"
contains "noisy on a clean tree: check finds nothing for swap" "$OUT" "    check finds nothing (swap is off in the tree's configuration)"

# --since widens past the boot, or narrows within it.
run diagnose --journal-dir "$N" --root "$DIRTY" --since "2024-06-01" -o json
expect_rc "--since 2024-06-01" 1
printf '%s' "$OUT" >"$WORK/since.json"
ok "--since reaches the older boot's driver mismatch" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
got = [(p["id"], p["count"]) for p in r["problems"]]
assert got == [("cgroup-driver-mismatch", 4), ("swap-on", 4), ("removed-flag", 7), ("disk-pressure", 3)], got
assert r["problems"][0]["check"]["status"] == "drift", r["problems"][0]
assert r["entries"] == 454 and "since 2024-06-01 00:00:00" in r["source"], r' "$WORK/since.json"
run diagnose --journal-dir "$N" --root "$DIRTY" --since "2024-06-03 09:10" -o json
printf '%s' "$OUT" >"$WORK/since2.json"
ok "--since 09:10 keeps the later entries only" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
got = [(p["id"], p["count"]) for p in r["problems"]]
assert got == [("removed-flag", 4), ("disk-pressure", 3)], got' "$WORK/since2.json"
run diagnose --journal-dir "$N" --since "2024-06-03 09:46"
expect_rc "nothing known after the last problem" 0
contains "and says so" "$OUT" "No known problem found."

# The same noisy log as journalctl prints it (this boot), on stdin.
journalctl -D "$N" -u kubelet.service _BOOT_ID=$BOOT --no-pager >"$WORK/noisy.log" 2>/dev/null
"$KUBEPREP" diagnose --log - --root "$DIRTY" -o json <"$WORK/noisy.log" >"$WORK/noisylog.json" 2>/dev/null
RC=$?
expect_rc "noisy --log -" 1
ok "noisy --log -: the same three problems and counts" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
got = [(p["id"], p["fixer"], p["count"], p["lastSeen"]) for p in r["problems"]]
assert got == [("swap-on", "swap", 4, "Jun 03 09:00:00"), ("removed-flag", "kubelet-flags", 7, "Jun 03 09:30:00"),
               ("disk-pressure", "disk-pressure", 3, "Jun 03 09:45:00")], got' "$WORK/noisylog.json"
run diagnose --log "$WORK/noisy.log" --root "$DIRTY"
contains "--log FILE, text: the line it was last seen on" "$OUT" "[swap-on] 4 times, last on line"

# 3. With --root the tree's own /var/log/journal/MACHINE-ID is read.
T=$(new_tree centos7 withjournal)
mkdir -p "$T/var/log/journal/$MACHINE"
cp "$N/x.journal" "$T/var/log/journal/$MACHINE/system.journal"
run diagnose --root "$T" -o json
expect_rc "--root reads the tree's journal" 1
printf '%s' "$OUT" >"$WORK/root.json"
ok "--root: the same three problems, the tree's journal named" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert [(p["id"], p["count"]) for p in r["problems"]] == [("swap-on", 4), ("removed-flag", 7), ("disk-pressure", 3)], r
assert r["source"].startswith("the kubelet" + chr(39) + "s journal in " + sys.argv[2] + "/var/log/journal, boot "), r' \
        "$WORK/root.json" "$T"

# A link in the tree's journal directory is not followed out of the tree.
T=$(new_tree centos7 linkdir)
mkdir -p "$T/var/log/journal"
ln -s "$N" "$T/var/log/journal/$MACHINE"
run diagnose --root "$T"
expect_rc "a machine-id directory that links out of the tree is refused" 2
contains "and named" "$ERR" "$T/var/log/journal/$MACHINE is a symbolic link; kubeprep does not follow links"
T=$(new_tree centos7 linkfile)
mkdir -p "$T/var/log/journal"
ln -s "$N/x.journal" "$T/var/log/journal/system.journal"
run diagnose --root "$T"
expect_rc "a journal file that links out of the tree is refused" 2
T=$(new_tree centos7 linkjournal)
mkdir -p "$T/var/log"
ln -s "$N" "$T/var/log/journal"
run diagnose --root "$T"
expect_rc "/var/log/journal linking to a host path resolves inside the tree (absent there)" 2
contains "and is reported missing" "$ERR" "cannot open the journal directory $T/var/log/journal: No such file or directory"
not_contains "the host's journal was not read" "$OUT" "swap-on"

# The field guide's calico symptom (fixtures/journal/SOURCES): a node without a gateway, where calico
# cannot reach the kubernetes service. The kubelet's own lines lack the word "sandbox"; calico's other
# ClusterInformation errors and other unreachable addresses are not this problem. The cross-check asks
# the gateway fixer, which finds the ifcfg without a gateway.
G=$(new_tree centos7 nogateway)
run diagnose --log "$JF/calico-kubelet.log" --root "$G" -o json
expect_rc "calico's ClusterInformation lines in the kubelet's log" 1
printf '%s' "$OUT" >"$WORK/calico.json"
ok "calico: no-default-route x3, last at 08:01:40, gateway agrees" $PYTHON - "$WORK/calico.json" "$G" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
got = [(p["id"], p["fixer"], p["count"], p["lastSeen"], p["lastLine"]) for p in r["problems"]]
assert got == [("no-default-route", "gateway", 3, "Jun 03 08:01:40", 10)], got
p = r["problems"][0]
assert p["command"] == "kubeprep apply --root %s --only gateway" % sys.argv[2], p["command"]
assert p["check"]["status"] == "drift" and p["check"]["agrees"] is True, p["check"]
assert r["entries"] == 10, r
PY
run diagnose --log "$JF/calico-kubelet.log" --root "$G"
contains "calico text: the problem" "$OUT" "[no-default-route] 3 times, last on line 10"
contains "calico text: the gateway fix" "$OUT" "    fix: kubeprep apply --root $G --only gateway"
contains "calico text: check agrees" "$OUT" "    check agrees: drift (/etc/sysconfig/network-scripts/ifcfg-eth0 configures eth0 without a gateway"
run diagnose --log "$JF/calico-guide.log" --root "$G" -o json
printf '%s' "$OUT" >"$WORK/guide.json"
ok "the guide's kubectl describe text: its sandbox line, as before" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
got = [(p["id"], p["fixer"], p["count"], p["lastLine"]) for p in r["problems"]]
assert got == [("no-default-route", "gateway", 1, 3)], got' "$WORK/guide.json"

# 4. Errors: exit 2 with a message (a JSON object with -o json).
run diagnose --journal-dir /nonexistent-journal
expect_rc "a missing journal directory" 2
contains "is named" "$ERR" "cannot open the journal directory /nonexistent-journal: No such file or directory"
mkdir -p "$WORK/emptyjournal"
run diagnose --journal-dir "$WORK/emptyjournal" -o json
expect_rc "a directory without journal files" 2
printf '%s' "$OUT" >"$WORK/err.json"
ok "the error is a JSON object with exitCode 2" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["exitCode"] == 2 and r["command"] == "diagnose" and r["error"].endswith("holds no journal files"), r' "$WORK/err.json"
run diagnose --log /nonexistent.log
expect_rc "a missing --log file" 2
contains "is named" "$ERR" "cannot read /nonexistent.log: No such file or directory"
run diagnose --journal-dir "$N" --since "last tuesday"
expect_rc "a --since that is not a time" 2
contains "is named" "$ERR" "--since 'last tuesday' is not a time"
run diagnose --log - --since -1h
expect_rc "--log with --since" 2
run diagnose --log - --journal-dir "$N"
expect_rc "--log with --journal-dir" 2
run check --journal-dir "$N"
expect_rc "--journal-dir without diagnose" 2
mkdir -p "$WORK/data/profiles"
printf 'signatures:\n  - id: a\n    pattern: x\n    fixer: swap\n    colour: red\n' >"$WORK/data/profiles/signatures.yaml"
KUBEPREP_DATA_DIR="$WORK/data" run diagnose --journal-dir "$N"
expect_rc "a broken signature database" 2
contains "is named with file and line" "$ERR" "$WORK/data/profiles/signatures.yaml:5: unknown key 'colour'"

# 5. Live: reads this system's journal when it has one; either way no crash.
run diagnose
case $RC in 0|1|2) pass "live diagnose exits 0, 1 or 2 (exit $RC)" ;; *) fail "live diagnose: exit $RC" "$ERR" ;; esac

done_testing
