#!/usr/bin/env bash
# Issue 18's inputs stay linear, counted in work, never in time: each input of
# scripts/bench-inputs/issue18/inputs.list runs at its two guard sizes (10x apart) under
# `perf stat -e instructions:u`, and the larger may cost at most 15x the smaller (skipped, with
# the reason, where perf cannot count: no PMU in a VM; issue 17's scripts/check-scaling has a
# valgrind fallback). And an apply that writes 200 users' kubeconfigs writes the backup
# manifest once, not once per file (counted with the crash test's shim).
#   scaling-guard.sh [KILLSHIM.so]
. "$(dirname "$0")/../lib.sh"

INPUTS="$SOURCE_ROOT/scripts/bench-inputs/issue18"
SHIM=${1:-$BUILD_DIR/tests/killshim.so}
LIMIT=15

# ---- the backup manifest: one write for a commit of many files (runs everywhere)
if [ "$(id -u)" = 0 ] && [ -f "$SHIM" ] && ! ldd "$KUBEPREP" | grep -q libasan; then
        T=$(new_tree centos7 users)
        args=$("$INPUTS/kubeconfig-users" "$T" 200 | grep -v '^!')
        mapfile -t argv <<<"$args"
        LD_PRELOAD=$SHIM KILLSHIM_LOG="$WORK/calls.log" "$KUBEPREP" "${argv[@]}" >"$WORK/out" 2>&1
        RC=$?
        expect_rc "apply --only kubeconfig for 200 users" 0
        manifests=$(grep -c ' manifest.json$' "$WORK/calls.log")
        configs=$(grep -c ' config$' "$WORK/calls.log")
        fsyncs=$(grep -c ' fsync ' "$WORK/calls.log")
        [ "$configs" = 200 ] && [ "$manifests" = 1 ] && pass "200 kubeconfigs written, the manifest once" ||
                fail "200 kubeconfigs written, the manifest once: $configs configs, $manifests manifest renames"
        [ "$fsyncs" -le 1000 ] && pass "at most 5 fsyncs per written file ($fsyncs for 200)" ||
                fail "$fsyncs fsyncs for 200 files"
else
        skip "the backup manifest is written once" "needs root and the kill shim (not under ASan)"
fi

# ---- instructions per input
if ! command -v perf >/dev/null; then
        skip "instruction counts" "perf is not installed (Debian package linux-perf)"
        done_testing
fi
probe=$(perf stat -x, -e instructions:u true 2>&1 >/dev/null | tail -1)
case "$probe" in
[0-9]*) ;;
*)
        skip "instruction counts" "perf cannot count instructions:u here (${probe%%,*}: no PMU, e.g. in a VM)"
        done_testing
        ;;
esac

count() { # count NAME SIZE: user-space instructions of one run
        local tree="$WORK/$1-$2" stdin=/dev/null line
        local -a argv=()
        rm -rf "$tree"
        cp -a "$FIXTURES/nodes/centos7" "$tree"
        while IFS= read -r line; do
                case "$line" in
                "<"*) stdin=${line#<} ;;
                "!fresh") ;;
                *) argv+=("$line") ;;
                esac
        done < <("$INPUTS/$1" "$tree" "$2")
        perf stat -x, -e instructions:u "$KUBEPREP" "${argv[@]}" <"$stdin" 2>&1 >/dev/null |
                awk -F, '/instructions/ {print $1}'
        rm -rf "$tree"
}

while IFS='|' read -r name guard _ what; do
        case "$name" in "" | "#"*) continue ;; esac
        read -r small large <<<"$guard"
        a=$(count "$name" "$small")
        b=$(count "$name" "$large")
        if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -le 0 ]; then
                fail "$name: cannot count ($a, $b)"
        elif [ $((b)) -le $((LIMIT * a)) ]; then
                pass "$name: $((b / a))x the work for 10x the input ($what)"
        else
                fail "$name: $((b / a))x the work for 10x the input, more than $LIMIT ($what)" "$small: $a, $large: $b"
        fi
done <"$INPUTS/inputs.list"
done_testing
