# TAP output for the scripts that check a test tool rather than kubeprep (the oracles, netns-rtnl) and
# so do not source lib.sh (no scratch tree, no $KUBEPREP): one line per check, counted in $n and $failed.
# The caller prints the plan ("1..$n") at the end.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check NAME COMMAND...: one TAP line for the outcome of COMMAND (its output is not captured)
        local name=$1
        shift
        if "$@"; then
                ok "$name"
        else
                not_ok "$name"
        fi
        return 0
}
