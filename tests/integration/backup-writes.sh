#!/usr/bin/env bash
# An apply that writes 200 users' kubeconfigs writes the backup manifest once, not once per file,
# and fsyncs a bounded number of times per file (counted with the crash test's shim). That every
# input stays linear is the scaling test's (scripts/check-scaling).
#   backup-writes.sh [KILLSHIM.so]
. "$(dirname "$0")/../lib.sh"

INPUTS="$SOURCE_ROOT/scripts/bench-inputs/issue18"
SHIM=${1:-$BUILD_DIR/tests/killshim.so}

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

done_testing
