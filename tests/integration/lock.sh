#!/usr/bin/env bash
# One lock per root: an apply waits while another run holds the root, and
# concurrent applies end as one run would, with one backup.
. "$(dirname "$0")/../lib.sh"
command -v flock >/dev/null || skip_all "flock(1) not available"

T=$(new_tree centos7)
# Hold the root's lock (flock on the root directory) as another run would.
flock "$T" -c "touch $WORK/held; sleep 2" &
holder=$!
while [ ! -e "$WORK/held" ]; do sleep 0.05; done
"$KUBEPREP" apply --only swap --root "$T" >"$WORK/a.out" 2>&1 &
applier=$!
sleep 1
if kill -0 $applier 2>/dev/null; then pass "apply waits while the root is locked"; else fail "apply did not wait for the lock" "$(cat "$WORK/a.out")"; fi
same_file "nothing written while waiting" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
wait $holder
wait $applier; rc=$?
[ $rc = 0 ] && pass "apply completes once the lock is free" || fail "apply exit $rc" "$(cat "$WORK/a.out")"
same_file "and fixes the tree" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"

# Two applies started at once: same result as one, one backup, no temp files left.
T=$(new_tree centos7 two)
"$KUBEPREP" apply --only swap --root "$T" >"$WORK/1.out" 2>&1 & p1=$!
"$KUBEPREP" apply --only swap --root "$T" >"$WORK/2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ] && pass "both concurrent applies exit 0" || fail "exits $r1 $r2" "$(cat "$WORK/1.out" "$WORK/2.out")"
same_file "the tree is fixed once" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"
n=$(ls "$T/var/lib/kubeprep/backups" | wc -l)
[ "$n" = 1 ] && pass "exactly one backup (the run that changed something)" || fail "$n backups"
grep -q "changed:" "$WORK/1.out" "$WORK/2.out" && grep -q "\[swap\] ok:" "$WORK/1.out" "$WORK/2.out" \
        && pass "one run changed, the other found nothing to do" || fail "unexpected outputs" "$(cat "$WORK/1.out" "$WORK/2.out")"
leftovers=$(find "$T" -name '.#*' | wc -l)
[ "$leftovers" = 0 ] && pass "no temporary files left" || fail "$leftovers temporary files left"

done_testing
