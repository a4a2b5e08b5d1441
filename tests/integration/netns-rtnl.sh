#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs tests/unit/test-rtnl inside a throw-away network namespace with one veth end at
# 192.0.2.10/24, so its route and ip_forward changes never reach the host. Documentation
# addresses only; the host end stays down, so no packet leaves. Usage: netns-rtnl.sh TEST-BINARY
# Prints TAP (the binary's lines plus checks of the host's own state); exit 0 ok or skipped (a TAP "1..0 # SKIP" plan), 1 failed.
set -u
. "$(dirname "$0")/../tap.sh"

test_binary=${1:?usage: netns-rtnl.sh TEST-BINARY}
test_binary=$(realpath "$test_binary")

if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # SKIP not root"
        exit 0
fi
command -v ip >/dev/null || { echo "1..0 # SKIP ip (iproute2) not installed"; exit 0; }

netns=kp-test-$$
outer=kpo$$
inner=kpi$$

# shellcheck disable=SC2317  # called from the trap
cleanup() {
        ip netns del "$netns" 2>/dev/null
        # Deleting the namespace takes the inner end and with it the pair; this is for a half setup.
        ip link del "$outer" 2>/dev/null
        return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

host_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
host_default_before=$(ip -4 route show default table main)

if ! err=$(ip netns add "$netns" 2>&1); then
        echo "1..0 # SKIP cannot create a network namespace: $err"
        exit 0
fi
if ! err=$( { ip link add "$outer" type veth peer name "$inner" netns "$netns" &&
        ip -n "$netns" addr add 192.0.2.10/24 dev "$inner" &&
        ip -n "$netns" link set lo up &&
        ip -n "$netns" link set "$inner" up; } 2>&1); then
        echo "1..0 # SKIP cannot set up the veth pair: $err"
        exit 0
fi

output=$(KP_TEST_NETNS=$netns KP_TEST_IFNAME=$inner ip netns exec "$netns" "$test_binary" 2>&1)
status=$?

# The binary's lines without its plan; our own checks continue its numbering.
printf '%s\n' "$output" | grep -v '^1\.\.[0-9]*$'
n=$(printf '%s\n' "$output" | grep -Ec '^(not )?ok [0-9]+')
[ "$status" -eq 0 ] || failed=1

check "the test ran inside the namespace (no live-test skip)" \
        test -z "$(printf '%s\n' "$output" | grep 'live route and ip_forward tests # SKIP')"
check "host net.ipv4.ip_forward unchanged ($host_forward_before)" \
        test "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward_before"
check "host default route unchanged" \
        test "$(ip -4 route show default table main)" = "$host_default_before"
check "test binary exited 0" test "$status" -eq 0

echo "1..$n"
[ "$failed" -eq 0 ]
