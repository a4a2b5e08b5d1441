#!/usr/bin/env bash
# --output prometheus prints node_exporter textfile metrics that promtool
# accepts: one gauge per fixer and status, the run's time and exit code, and
# kubeprep's version; also for a run that fails before any fixer.
. "$(dirname "$0")/../lib.sh"
command -v promtool >/dev/null || skip_all "promtool not installed (Debian package prometheus)"

T=$(new_tree centos7)
run check --root "$T" -o prometheus
expect_rc "check with prometheus output" 1
printf '%s\n' "$OUT" >"$WORK/m.prom"
ok "promtool check metrics accepts it" promtool check metrics <"$WORK/m.prom"
contains "swap's drift is 1" "$OUT" 'kubeprep_fixer_status{fixer="swap",status="drift"} 1'
contains "swap's ok is 0" "$OUT" 'kubeprep_fixer_status{fixer="swap",status="ok"} 0'
# The preflight fixers have their gauges too: the sample node's findings.
for f in firewall hostname time-sync; do
        contains "$f's drift is 1" "$OUT" "kubeprep_fixer_status{fixer=\"$f\",status=\"drift\"} 1"
done
contains "kernel-cgroups is skipped with --root" "$OUT" 'kubeprep_fixer_status{fixer="kernel-cgroups",status="skipped"} 1'
contains "node-ip is ok without nodeIP" "$OUT" 'kubeprep_fixer_status{fixer="node-ip",status="ok"} 1'
contains "the exit code" "$OUT" 'kubeprep_exit_code 1'
contains "the version and profile" "$OUT" 'kubeprep_info{version="0.1.0",command="check",profile="default"} 1'
contains "a kubeadm preflight check the node would fail" "$OUT" 'kubeprep_kubeadm_check_failing{fixer="leftovers",check="FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml"} 1'
[ "$(grep -c '^kubeprep_kubeadm_check_failing{fixer="programs",' "$WORK/m.prom")" = 9 ] &&
        pass "one series per failing check (9 programs the sample node lacks)" || fail "programs' series" "$(grep kubeadm_check "$WORK/m.prom")"
n=$(grep -c '^kubeprep_fixer_status{' "$WORK/m.prom")
fixers=$("$KUBEPREP" list | wc -l)
[ "$n" = $((fixers * 5)) ] && pass "one gauge per fixer and status ($n)" || fail "$n status gauges for $fixers fixers"
now=$(date +%s); ts=$(sed -n 's/^kubeprep_last_run_timestamp_seconds //p' "$WORK/m.prom")
[ $((now - ts)) -ge 0 ] && [ $((now - ts)) -lt 60 ] && pass "the run's time is now" || fail "timestamp $ts, now $now"

run apply --root "$T" -o prometheus
contains "after apply: changed" "$OUT" 'kubeprep_fixer_status{fixer="swap",status="changed"} 1'
run check --root "$T" --profile no-such-profile -o prometheus
expect_rc "a bad profile" 2
printf '%s\n' "$OUT" >"$WORK/e.prom"
ok "an early error is still valid metrics" promtool check metrics <"$WORK/e.prom"
contains "with exit code 2" "$OUT" 'kubeprep_exit_code 2'

done_testing
