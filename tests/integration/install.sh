#!/usr/bin/env bash
# `meson install` puts everything where a distribution package would, and the
# installed binary finds its data in the installed location (not the source tree).
. "$(dirname "$0")/../lib.sh"
D="$WORK/dest"
meson install -C "$BUILD_DIR" --no-rebuild --quiet --destdir "$D" >"$WORK/install.log" 2>&1 \
        || { fail "meson install --destdir" "$(cat "$WORK/install.log")"; done_testing; }
pass "meson install --destdir"
prefix=$(meson introspect "$BUILD_DIR" --buildoptions | $PYTHON -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
P="$D$prefix"
for f in sbin/kubeprep share/kubeprep/profiles/default.yaml share/kubeprep/profiles/aarch64.yaml \
        share/kubeprep/profiles/signatures.yaml share/man/man8/kubeprep.8 share/bash-completion/completions/kubeprep; do
        [ -e "$P/$f" ] && pass "installed: $prefix/$f" || fail "missing: $prefix/$f" "$(cd "$D" && find . -type f)"
done
unit=$(cd "$D" && find . -name kubeprep.service | head -n1)
dropin=$(cd "$D" && find . -path '*kubelet.service.d/05-kubeprep.conf' | head -n1)
[ -n "$unit" ] && pass "kubeprep.service installed (${unit#.})" || fail "no kubeprep.service"
[ -n "$dropin" ] && pass "the kubelet drop-in installed (${dropin#.})" || fail "no kubelet drop-in"
contains "the unit runs the installed binary" "$(cat "$D/$unit")" "ExecStart=$prefix/sbin/kubeprep apply"

# The man page renders without a warning.
if command -v man >/dev/null; then
        warn=$(MANWIDTH=80 man --warnings -l "$P/share/man/man8/kubeprep.8" 2>&1 >/dev/null)
        [ -z "$warn" ] && pass "man -l renders kubeprep(8) without warnings" || fail "man warnings" "$warn"
fi
# The completion script loads in bash and completes verbs.
ok "bash completion completes verbs" bash -c '
        . "$1"; COMP_WORDS=(kubeprep ap); COMP_CWORD=1; _kubeprep; [ "${COMPREPLY[*]}" = apply ]' _ \
        "$P/share/bash-completion/completions/kubeprep"

# The installed binary, run where it was installed (its prefix bind-mounted in a
# private mount namespace), finds the profiles there without KUBEPREP_DATA_DIR.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
        made=; [ -d "$prefix/share/kubeprep" ] || { mkdir -p "$prefix/share/kubeprep"; made=1; }
        out=$(env -u KUBEPREP_DATA_DIR unshare -m --propagation private sh -c '
                mount --bind "$1/share/kubeprep" "$2/share/kubeprep" && "$1/sbin/kubeprep" check --root "$3" --only swap -o json
        ' _ "$P" "$prefix" "$FIXTURES/nodes/aarch64" 2>&1)
        [ -n "$made" ] && rmdir "$prefix/share/kubeprep" 2>/dev/null
        contains "the installed binary loads the aarch64 profile from $prefix/share/kubeprep" "$out" '"profile":	"aarch64"'
        out=$(env -u KUBEPREP_DATA_DIR "$P/sbin/kubeprep" check --root "$FIXTURES/nodes/aarch64" 2>&1)
        [ -d "$prefix/share/kubeprep/profiles" ] && skip "without the install" "kubeprep is installed on this machine" ||
                contains "without its data dir it says where it looked (never the source tree)" "$out" "profile 'aarch64' not found"
else
        skip "the installed binary finds its data" "needs root for a mount namespace"
fi
done_testing
