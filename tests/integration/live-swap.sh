#!/usr/bin/env bash
# The swap fixer live, against a real swap file: mkswap, swapon, then
# `kubeprep apply --only swap` turns it off. kubeprep runs in a private mount
# namespace with scratch copies bind-mounted over /etc and /var/lib/kubeprep
# (directories, since kubeprep replaces files by rename, which a file bind
# mount refuses), so the machine's own configuration is never changed.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root"
for c in unshare mkswap swapon swapoff; do command -v $c >/dev/null || skip_all "$c not available"; done

SWAP="$WORK/swapfile"
dd if=/dev/zero of="$SWAP" bs=1M count=16 status=none && chmod 600 "$SWAP"
mkswap "$SWAP" >/dev/null || skip_all "mkswap failed"
if ! swapon "$SWAP" 2>"$WORK/swapon.err"; then
        skip_all "swapon is not possible here: $(cat "$WORK/swapon.err")"
fi
trap 'swapoff "$SWAP" 2>/dev/null; cleanup_work' EXIT
grep -q "^$SWAP " /proc/swaps && pass "the swap file is active" || fail "swapon did not show in /proc/swaps"

host_fstab=$(sha256sum /etc/fstab)
cp -a /etc "$WORK/etc"
rm -f "$WORK/etc/systemd/system/swap.target"
printf '%s none swap sw 0 0\n' "$SWAP" >>"$WORK/etc/fstab"
mkdir -p "$WORK/state"
# The mount point for the scratch state dir; removed again if we made it.
[ -d /var/lib/kubeprep ] || { mkdir /var/lib/kubeprep; trap 'swapoff "$SWAP" 2>/dev/null; rmdir /var/lib/kubeprep; cleanup_work' EXIT; }

unshare -m --propagation private bash -c '
        mount --bind "$1/etc" /etc &&
        mount --bind "$1/state" /var/lib/kubeprep &&
        "$2" apply --only swap --no-restart
' _ "$WORK" "$KUBEPREP" >"$WORK/out" 2>&1
rc=$?
[ $rc = 0 ] && pass "live apply --only swap exits 0" || fail "exit $rc" "$(cat "$WORK/out")"
grep -q "swapoff $SWAP (done)" "$WORK/out" && pass "the report lists the swapoff as done" || fail "no swapoff line" "$(cat "$WORK/out")"
grep -q "^$SWAP " /proc/swaps && fail "the swap file is still active" "$(cat /proc/swaps)" || pass "/proc/swaps no longer lists it"
grep -q "^#$SWAP none swap sw 0 0$" "$WORK/etc/fstab" && pass "its fstab entry (in the scratch copy) is commented out" || fail "entry not commented" "$(cat "$WORK/etc/fstab")"
if [ "$(cat /proc/1/comm)" = systemd ]; then
        [ "$(readlink "$WORK/etc/systemd/system/swap.target")" = /dev/null ] && pass "swap.target masked in the scratch copy" || fail "swap.target not masked"
else    # swap.target means nothing to another init; kubeprep leaves it alone
        [ ! -e "$WORK/etc/systemd/system/swap.target" ] && pass "no swap.target mask without systemd as init" || fail "masked swap.target under $(cat /proc/1/comm)"
fi
ls "$WORK/state/backups/"*/manifest.json >/dev/null 2>&1 && pass "the backup went to the scratch state dir" || fail "no backup in the scratch state dir"
# A run that waits for the lock plans again from what the run before it left, live facts included:
# here "the run before" (a holder of the lock, in a private /run) turns the swap off while kubeprep
# waits, so kubeprep must not swapoff it again (swapoff would fail: it is no longer active).
swapon "$SWAP" && grep -q "^$SWAP " /proc/swaps && pass "the swap file is active again" || fail "swapon failed"
printf '%s none swap sw 0 0\n' "$SWAP" >>"$WORK/etc/fstab"
unshare -m --propagation private bash -c '
        mount --bind "$1/etc" /etc && mount --bind "$1/state" /var/lib/kubeprep &&
                mount -t tmpfs -o mode=0755 tmpfs /run || exit 99
        umask 077
        exec 9>/run/kubeprep.lock && flock -x 9 || exit 98
        "$2" apply --only swap --no-restart --lock-timeout 30 9>&- &
        kp=$!
        # kubeprep opens the lock file once its first plan (swap active) wants to commit.
        for _ in $(seq 300); do
                ls -l /proc/$kp/fd 2>/dev/null | grep -q kubeprep.lock && break
                sleep 0.1
        done
        swapoff "$3"
        flock -u 9
        wait $kp
' _ "$WORK" "$KUBEPREP" "$SWAP" >"$WORK/out" 2>&1
rc=$?
[ $rc = 0 ] && pass "after waiting for the lock, apply exits 0" || fail "exit $rc" "$(cat "$WORK/out")"
not_contains "no swapoff of the area the run before turned off" "$(cat "$WORK/out")" "swapoff $SWAP"
grep -q "^#$SWAP none swap sw 0 0$" "$WORK/etc/fstab" && pass "its new fstab entry is commented out" || fail "entry not commented" "$(cat "$WORK/etc/fstab")"
[ "$(sha256sum /etc/fstab)" = "$host_fstab" ] && pass "the machine's /etc/fstab is untouched" || fail "/etc/fstab changed!"
[ ! -e /etc/systemd/system/swap.target ] || [ -L /etc/systemd/system/swap.target ] && pass "the machine's swap.target untouched" || fail "swap.target changed"

done_testing
