#!/usr/bin/env bash
# One run at a time, with a lock no user can hold: the tree's
# /var/lib/kubeprep/lock (live: /run/kubeprep.lock), a root-only file. An
# apply waits for another run, gives up after --lock-timeout with exit 1
# naming the holder's PID, and a user's flock on the root stalls nothing.
# Concurrent applies end as one run would, with one backup.
. "$(dirname "$0")/../lib.sh"
command -v flock >/dev/null || skip_all "flock(1) not available"
[ "$(id -u)" = 0 ] || skip_all "needs root (the lock holder plays another user)"
command -v setpriv >/dev/null || skip_all "setpriv(1) not available"
same_text() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$(diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2"))"; fi; }
chmod 0711 "$WORK"
lock_file() { # lock_file TREE: the lock file as a run creates it
        mkdir -p -m 0700 "$1/var/lib/kubeprep" && install -m 0600 /dev/null "$1/var/lib/kubeprep/lock"
}
hold() { # hold FILE SECONDS: flock FILE in the background for SECONDS, as root; $holder is its PID
        flock "$1" -c "touch $WORK/held; sleep $2" >/dev/null 2>&1 &
        holder=$!
        while [ ! -e "$WORK/held" ]; do sleep 0.05; done
        rm "$WORK/held"
}
stop() { # stop PID: a holder and the command it runs (which inherited the locked fd)
        kill $(cat /proc/"$1"/task/*/children 2>/dev/null) "$1" 2>/dev/null; wait "$1" 2>/dev/null
}

# 1. A user's flock on the tree's root directory (the old lock) stalls nothing.
T=$(new_tree centos7)
chmod 0755 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups flock "$T" sleep 30 >/dev/null 2>&1 &
user_holder=$!
sleep 0.3
timeout 10 "$KUBEPREP" apply --only swap --root "$T" >"$WORK/a.out" 2>&1; rc=$?
stop $user_holder
[ $rc = 0 ] && pass "a user's flock on the root does not stall apply" || fail "apply exit $rc" "$(cat "$WORK/a.out")"
same_file "and the tree is fixed" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"
same_text "the lock file is root's alone" "$(stat -c '%F %U %a' "$T/var/lib/kubeprep/lock")" "regular empty file root 600"

# 2. Another run holds the lock: apply waits, and completes once it is free.
T=$(new_tree centos7 wait)
lock_file "$T"
hold "$T/var/lib/kubeprep/lock" 2
"$KUBEPREP" apply --only swap --root "$T" >"$WORK/a.out" 2>&1 &
applier=$!
sleep 1
if kill -0 $applier 2>/dev/null; then pass "apply waits while another run holds the lock"; else fail "apply did not wait for the lock" "$(cat "$WORK/a.out")"; fi
same_file "nothing written while waiting" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
wait $holder
wait $applier; rc=$?
[ $rc = 0 ] && pass "apply completes once the lock is free" || fail "apply exit $rc" "$(cat "$WORK/a.out")"
same_file "and fixes the tree" "$T/etc/fstab" "$FIXTURES/expected/centos7/etc/fstab"

# A run with nothing to change takes no lock: it does not wait behind another run.
hold "$T/var/lib/kubeprep/lock" 30
start=$(date +%s)
run apply --only swap --root "$T" --lock-timeout 10
took=$(($(date +%s) - start))
expect_rc "nothing to do while another run holds the lock" 0
[ $took -le 2 ] && pass "and no wait for the lock (${took} s)" || fail "waited $took s for a lock it did not need"
stop $holder

# 3. A holder that does not let go: apply gives up after --lock-timeout, exit 1, naming its PID.
T=$(new_tree centos7 stuck)
lock_file "$T"
hold "$T/var/lib/kubeprep/lock" 30
start=$(date +%s)
run apply --only swap --root "$T" --lock-timeout 1
took=$(($(date +%s) - start))
expect_rc "a held lock: apply gives up" 1
same_text "naming the holder's PID and the lock file" "$ERR" \
        "kubeprep: PID $holder (flock) holds $T/var/lib/kubeprep/lock; gave up after 1 s"
[ $took -le 5 ] && pass "after about the timeout (${took} s)" || fail "gave up after $took s"
same_file "nothing written" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
run rollback --root "$T" --lock-timeout 0 -o json
expect_rc "rollback gives up too" 1
printf '%s' "$OUT" >"$WORK/r.json"
ok "rollback -o json: the error and exitCode 1" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["exitCode"] == 1 and "gave up after 0 s" in r["error"], r' "$WORK/r.json"
stop $holder

run apply --only swap --root "$T" --lock-timeout soon
expect_rc "--lock-timeout needs whole seconds" 2
contains "and says so" "$ERR" "--lock-timeout takes whole seconds, not 'soon'"

# 4. A lock file another user could hold, or a link, is refused by name, nothing written.
T=$(new_tree centos7 foreign)
lock_file "$T"
chown 65534:65534 "$T/var/lib/kubeprep/lock"
run apply --only swap --root "$T" --lock-timeout 1
expect_rc "a lock file owned by another user: refused" 2
same_text "named, with its owner" "$ERR" \
        "kubeprep: refusing the lock file $T/var/lib/kubeprep/lock: it belongs to uid 65534, not to uid 0"
chown 0:0 "$T/var/lib/kubeprep/lock"; chmod 0644 "$T/var/lib/kubeprep/lock"
run apply --only swap --root "$T" --lock-timeout 1
expect_rc "a lock file others may open: refused" 2
same_text "named, with its mode" "$ERR" \
        "kubeprep: refusing the lock file $T/var/lib/kubeprep/lock: mode 0644 lets other users open (and lock) it"
rm "$T/var/lib/kubeprep/lock"; ln -s /etc/passwd "$T/var/lib/kubeprep/lock"
run apply --only swap --root "$T" --lock-timeout 1
expect_rc "a link as the lock file: refused" 2
contains "named" "$ERR" "kubeprep: cannot open the lock file $T/var/lib/kubeprep/lock: "
same_file "nothing written" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"

# 5. Live: /run/kubeprep.lock (a private /run and an empty store, in a mount namespace).
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
        mkdir "$WORK/state"
        [ -d /var/lib/kubeprep ] || { mkdir /var/lib/kubeprep; trap 'rmdir /var/lib/kubeprep; cleanup_work' EXIT; }
        unshare -m --propagation private bash -c '
                mount -t tmpfs tmpfs /run && mount --bind "$1/state" /var/lib/kubeprep || exit 99
                stop() { kill $(cat /proc/"$1"/task/*/children 2>/dev/null) "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
                setpriv --reuid=65534 --regid=65534 --clear-groups flock / sleep 30 >/dev/null 2>&1 & u=$!
                sleep 0.3
                timeout 10 "$2" rollback >"$1/user.out" 2>&1; echo $? >"$1/user.rc"
                stop $u
                flock /run/kubeprep.lock -c "touch $1/live-held; sleep 30" >/dev/null 2>&1 & h=$!
                while [ ! -e "$1/live-held" ]; do sleep 0.05; done
                echo $h >"$1/live.pid"
                "$2" rollback --lock-timeout 1 >"$1/root.out" 2>&1; echo $? >"$1/root.rc"
                stat -c "%F %U %a" /run/kubeprep.lock >"$1/lock.stat"
                stop $h
        ' _ "$WORK" "$KUBEPREP"
        same_text "live: a user's flock on / does not stall rollback (no run: exit 2)" "$(cat "$WORK/user.rc")" 2
        contains "live: it went on to look for a run" "$(cat "$WORK/user.out")" "no run to roll back"
        same_text "live: a root holder of /run/kubeprep.lock makes it give up (exit 1)" "$(cat "$WORK/root.rc")" 1
        same_text "live: naming the PID and /run/kubeprep.lock" "$(cat "$WORK/root.out")" \
                "kubeprep: PID $(cat "$WORK/live.pid") (flock) holds /run/kubeprep.lock; gave up after 1 s"
        same_text "live: /run/kubeprep.lock is root's alone" "$(cat "$WORK/lock.stat")" "regular empty file root 600"
else
        skip "live lock" "no mount namespaces here"
fi

# 6. Two applies started at once: same result as one, one backup, no temp files left.
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
