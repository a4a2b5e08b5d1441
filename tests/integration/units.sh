#!/usr/bin/env bash
# The systemd units meson installs pass `systemd-analyze verify` with no
# warning at all, the kubelet drop-in is picked up next to a kubelet.service,
# and its ExecStartPre cannot keep the kubelet from starting.
. "$(dirname "$0")/../lib.sh"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not available"
UNITS="$BUILD_DIR"
[ -f "$UNITS/kubeprep.service" ] || skip_all "units not configured in $BUILD_DIR"

D="$WORK/units"
mkdir -p "$D/kubelet.service.d"
# The installed units name the installed binary; verify them against the built one.
sbindir=$(sed -n 's|^ExecStart=\(.*\)/kubeprep .*|\1|p' "$UNITS/kubeprep.service")
sed "s|$sbindir/kubeprep|$KUBEPREP|" "$UNITS/kubeprep.service" >"$D/kubeprep.service"
sed "s|$sbindir/kubeprep|$KUBEPREP|" "$UNITS/05-kubeprep.conf" >"$D/kubelet.service.d/05-kubeprep.conf"
printf '[Unit]\nDescription=stand-in kubelet\n[Service]\nExecStart=/bin/true\n' >"$D/kubelet.service"

out=$(cd "$D" && SYSTEMD_UNIT_PATH="$D:" systemd-analyze verify --man=no kubeprep.service kubelet.service 2>&1)
rc=$?
[ $rc = 0 ] && pass "systemd-analyze verify exits 0" || fail "verify exit $rc" "$out"
[ -z "$out" ] && pass "and prints no warning" || fail "verify warnings" "$out"

# A typo in the drop-in must be caught by this test (it would be by verify's output).
sed 's/ExecStartPre=/ExecStartPree=/' "$D/kubelet.service.d/05-kubeprep.conf" >"$WORK/typo.conf"
mkdir -p "$WORK/typo/kubelet.service.d" && cp "$D/kubelet.service" "$WORK/typo/" && cp "$WORK/typo.conf" "$WORK/typo/kubelet.service.d/"
typo=$(cd "$WORK/typo" && SYSTEMD_UNIT_PATH="$WORK/typo:" systemd-analyze verify --man=no kubelet.service 2>&1)
contains "verify reports a key it does not know (so the check above can fail)" "$typo" "Unknown key"

pre=$(grep '^ExecStartPre=' "$UNITS/05-kubeprep.conf")
contains "the kubelet drop-in ignores kubeprep's failure ('-' prefix)" "$pre" "ExecStartPre=-"
contains "and restarts nothing" "$pre" "--no-restart"
contains "kubeprep.service runs before the runtimes and the kubelet" "$(cat "$UNITS/kubeprep.service")" \
        "Before=containerd.service docker.service kubelet.service"
# Neither can hang what waits for it: kubeprep.service has a start timeout (a
# oneshot has none by default) longer than its lock wait, and the drop-in's
# lock wait is well under the kubelet's start timeout (systemd's default 90 s).
svc_timeout=$(sed -n 's/^TimeoutStartSec=\([0-9]*\)s$/\1/p' "$UNITS/kubeprep.service")
svc_wait=$(sed -n 's/^ExecStart=.* --lock-timeout \([0-9]*\).*/\1/p' "$UNITS/kubeprep.service")
[ -n "$svc_timeout" ] && [ -n "$svc_wait" ] && [ "$svc_wait" -lt "$svc_timeout" ] &&
        pass "kubeprep.service: TimeoutStartSec=${svc_timeout}s, lock wait ${svc_wait} s" ||
        fail "kubeprep.service: start timeout '$svc_timeout', lock wait '$svc_wait'" "$(cat "$UNITS/kubeprep.service")"
pre_wait=$(sed -n 's/^ExecStartPre=.* --lock-timeout \([0-9]*\).*/\1/p' "$UNITS/05-kubeprep.conf")
[ -n "$pre_wait" ] && [ "$pre_wait" -le 30 ] && pass "the drop-in waits at most ${pre_wait} s for the lock" ||
        fail "the drop-in's lock wait: '$pre_wait'" "$pre"
# The whole run is bounded too, not only its lock wait: a start timeout of the kubelet fails it
# whatever the '-' says, and a huge file must not take the kubelet's 90 s. coreutils' timeout
# stops kubeprep (a killed apply leaves every file old or new, crash-consistency.sh).
bound=$(sed -n 's|^ExecStartPre=-/usr/bin/timeout --kill-after=\([0-9]*\) \([0-9]*\) .*/kubeprep apply .*|\1 \2|p' "$UNITS/05-kubeprep.conf")
read -r kill_after run_bound <<<"$bound"
[ -n "$run_bound" ] && [ "$pre_wait" -lt "$run_bound" ] && [ $((run_bound + kill_after)) -le 60 ] &&
        pass "the drop-in's whole run is bounded: ${run_bound} s, killed ${kill_after} s later" ||
        fail "the drop-in's run is not bounded well inside 90 s: '$bound'" "$pre"
grep -q '^Timeout' "$UNITS/05-kubeprep.conf" && fail "the drop-in changes the kubelet's own timeouts" || pass "and leaves the kubelet's own timeouts alone"
# Every fixer the drop-in names exists.
fixers=$(sed -n 's/.*--only \([^ ]*\).*/\1/p' "$UNITS/05-kubeprep.conf")
run check --only "$fixers" --root "$FIXTURES/nodes/centos7"
[ "$RC" != 2 ] && pass "the drop-in's fixers ($fixers) are all known" || fail "unknown fixer in the drop-in" "$ERR"

done_testing
