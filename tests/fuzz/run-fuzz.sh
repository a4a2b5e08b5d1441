#!/bin/bash
# SPDX-License-Identifier: MIT
# Fuzz one libFuzzer target for a fixed time and print one TAP line with the executions count.
# usage: run-fuzz.sh FUZZ_BINARY SECONDS WORK_DIR SEED_DIR... ($FUZZ_SECONDS overrides SECONDS) ; new inputs go to WORK_DIR/corpus,
# a crashing input to WORK_DIR/crash-* (copy it to tests/fuzz/regressions/NAME/ once fixed).
set -u
bin=$1 seconds=${FUZZ_SECONDS:-$2} work=$3
shift 3
name=$(basename "$bin")
mkdir -p "$work/corpus"
seeds=()
for d in "$@"; do
        [ -d "$d" ] && seeds+=("$d")
done
echo "1..1"
log="$work/fuzz.log"
# The first directory receives what the fuzzer finds; the seed directories are only read.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" "${seeds[@]}" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
if [ "$rc" -eq 0 ]; then
        echo "ok 1 - $name: ${runs:-?} executions in ${seconds}s, no finding"
else
        sed 's/^/# /' "$log" | tail -n 60
        echo "not ok 1 - $name: finding (exit $rc), input saved under $work/"
fi
exit 0
