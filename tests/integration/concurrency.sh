#!/usr/bin/env bash
# Concurrency: 8 `kubeprep apply` runs started at once on one tree (the sample
# node, every fixer acting) end with the same tree as one run, byte for byte,
# with no corrupted or temporary file, and one backup: the runs take the
# root's lock in turn, the first changes everything, the others find nothing
# left to change. Two `check` runs race with them and must never see a torn
# file. Five rounds.
. "$(dirname "$0")/../lib.sh"

N=8
ROUNDS=5
SITE="$FIXTURES/profiles/centos7-site.yaml"
OPTS=(--profile "$SITE" --kubelet-version v1.16.15 -o json)
if [ "$(id -u)" = 0 ]; then
        OPTS+=(--user dev)
else
        OPTS+=(--skip kubeconfig) # dev's home cannot be dev's
fi
fresh() { # fresh NAME: a new copy of the sample node
        local t; t=$(new_tree centos7 "$1")
        [ "$(id -u)" = 0 ] && chown -R 1000:1000 "$t/home/dev"
        echo "$t"
}
# The tree by content, mode, owner and link target; kubeprep's own state left out.
digest() {
        (cd "$1" && { find . -path ./var/lib/kubeprep -prune -o -printf '%p %y %m %U %G %l\n' | sort
                find . -path ./var/lib/kubeprep -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum; })
}
field() { # field FILE EXPR: a value from a JSON report
        $PYTHON -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# One run, and a second one, on their own: what the race must end with.
REF=$(fresh ref)
"$KUBEPREP" apply --root "$REF" "${OPTS[@]}" >"$WORK/ref1.json" 2>/dev/null; RC1=$?
"$KUBEPREP" apply --root "$REF" "${OPTS[@]}" >"$WORK/ref2.json" 2>/dev/null; RC2=$?
REF_STATUS=$(field "$WORK/ref1.json" '[x["status"] for x in r["results"]]')
REF2_STATUS=$(field "$WORK/ref2.json" '[x["status"] for x in r["results"]]')
[ "$(field "$WORK/ref1.json" 'r["runId"] is not None')" = True ] && [ "$(field "$WORK/ref2.json" 'r["runId"]')" = None ] &&
        pass "one run changes the sample node (exit $RC1), a second changes nothing (exit $RC2)" ||
        fail "the single runs" "$(cat "$WORK/ref1.json" "$WORK/ref2.json")"
REF_TREE=$(digest "$REF")

for round in $(seq 1 $ROUNDS); do
        T=$(fresh "race$round")
        D="$WORK/round$round"; mkdir -p "$D"
        # A gate: every run waits on a shared lock the test holds, then all go at once.
        exec {gate}>"$D/gate"
        flock -x "$gate"
        pids=()
        for i in $(seq 1 $N); do
                (flock -s "$D/gate" true; exec "$KUBEPREP" apply --root "$T" "${OPTS[@]}" >"$D/$i.json" 2>"$D/$i.err") &
                pids+=($!)
        done
        for i in 1 2; do
                (flock -s "$D/gate" true; exec "$KUBEPREP" check --root "$T" "${OPTS[@]}" >"$D/check$i.json" 2>&1) &
                pids+=($!)
        done
        sleep 0.2
        flock -u "$gate"; exec {gate}>&-
        rcs=()
        for p in "${pids[@]}"; do wait "$p"; rcs+=($?); done

        changed=0 bad=""
        for i in $(seq 1 $N); do
                rc=${rcs[$((i - 1))]}
                if ! id=$(field "$D/$i.json" 'r["runId"]' 2>/dev/null); then
                        bad+="run $i: no JSON report (exit $rc): $(cat "$D/$i.err")"$'\n'
                elif [ "$id" != None ]; then
                        changed=$((changed + 1))
                        [ "$rc" = "$RC1" ] || bad+="run $i changed the tree: exit $rc, one run alone exits $RC1"$'\n'
                        [ "$(field "$D/$i.json" '[x["status"] for x in r["results"]]')" = "$REF_STATUS" ] ||
                                bad+="run $i: statuses $(field "$D/$i.json" '[x["status"] for x in r["results"]]')"$'\n'
                else
                        [ "$rc" = "$RC2" ] || bad+="run $i changed nothing: exit $rc, a second run exits $RC2"$'\n'
                        [ "$(field "$D/$i.json" '[x["status"] for x in r["results"]]')" = "$REF2_STATUS" ] ||
                                bad+="run $i: statuses $(field "$D/$i.json" '[x["status"] for x in r["results"]]')"$'\n'
                fi
        done
        [ -z "$bad" ] && pass "round $round: one run changed the tree, exits as one run then a second would" ||
                fail "round $round: the runs' reports" "$bad"
        [ $changed = 1 ] && pass "round $round: exactly one report has a run id" || fail "round $round: $changed reports with a run id"
        backups=$(ls "$T/var/lib/kubeprep/backups" 2>/dev/null | wc -l)
        [ "$backups" = 1 ] && pass "round $round: one backup" || fail "round $round: $backups backups"
        now=$(digest "$T")
        [ "$now" = "$REF_TREE" ] && pass "round $round: the tree is byte for byte the single run's" ||
                fail "round $round: the tree differs from the single run's" "$(diff <(echo "$REF_TREE") <(echo "$now") | head -20)"
        temps=$(find "$T" -name '.#*' -o -name '*.kubeprep-*')
        [ -z "$temps" ] && pass "round $round: no temporary file left" || fail "round $round: temporary files left" "$temps"
        # A check racing with the applies sees each file whole, old or new: never an error.
        for i in 1 2; do
                rc=${rcs[$((N + i - 1))]}
                if [ "$rc" -le 1 ] && ! grep -q '"status":[[:space:]]*"error"' "$D/check$i.json"; then :; else
                        fail "round $round: a concurrent check saw a broken file (exit $rc)" "$(cat "$D/check$i.json")"
                fi
        done
        if [ "$round" = 1 ]; then
                "$KUBEPREP" rollback --root "$T" >/dev/null 2>&1
                find "$T" -depth -type d -empty -delete
                ok "round 1: the one backup restores the sample node" diff -r --no-dereference -x kubeprep "$FIXTURES/nodes/centos7" "$T"
        fi
done

done_testing
