#!/usr/bin/env bash
# The normal build's binary under valgrind memcheck: no error and no leak
# (definite, indirect or possible) for check, apply, a second apply, apply
# --dry-run, rollback, diagnose, lint, list and --help, on the sample node
# with every fixer acting, and on the error paths (refusals, bad usage). Each
# run must also answer exactly as the same run without valgrind does.
# (The ASan+UBSan build runs the whole suite instead: valgrind cannot run it.)
. "$(dirname "$0")/../lib.sh"
# Skipped with exit 0, not 77: meson's TAP protocol counts any other exit
# status as an error, and the ASan build runs this suite too.
skip_suite() { echo "1..0 # SKIP $1"; exit 0; }
command -v valgrind >/dev/null || skip_suite "valgrind is not installed (Debian package valgrind)"
if ldd "$KUBEPREP" 2>/dev/null | grep -q -E 'lib(a|ub)san'; then
        skip_suite "$KUBEPREP is a sanitizer build: valgrind and ASan do not mix"
fi

VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
        --errors-for-leak-kinds=definite,indirect,possible --track-fds=no)
[ -f "$SOURCE_ROOT/tests/valgrind.supp" ] && VG+=("--suppressions=$SOURCE_ROOT/tests/valgrind.supp")

# valgrind before 3.20 answers openat2(2) with ENOSYS; kubeprep has no fallback
# on purpose, so such a valgrind gets tests/valgrind/openat2-shim.c preloaded.
mkdir -p "$WORK/empty"
"${VG[@]}" --log-file="$WORK/probe.vg" "$KUBEPREP" check --root "$WORK/empty" --only swap >"$WORK/probe.out" 2>&1
if grep -q 'Function not implemented' "$WORK/probe.out"; then
        CC=${CC:-cc}
        command -v "$CC" >/dev/null || skip_suite "this valgrind lacks openat2 and there is no C compiler for the shim"
        "$CC" -std=gnu11 -O1 -g -shared -fPIC -o "$WORK/openat2-shim.so" "$SOURCE_ROOT/tests/valgrind/openat2-shim.c" -ldl ||
                skip_suite "cannot build the openat2 shim"
        VG=(env LD_PRELOAD="$WORK/openat2-shim.so" "${VG[@]}")
        echo "# $(valgrind --version) lacks openat2: the shim emulates it"
fi

SITE="$FIXTURES/profiles/centos7-site.yaml"
A=$(new_tree centos7 a) # valgrind's
B=$(new_tree centos7 b) # the same runs without valgrind
if [ "$(id -u)" = 0 ]; then
        chown -R 1000:1000 "$A/home/dev" "$B/home/dev"
        USER_OPT=(--user dev)
else
        USER_OPT=(--skip kubeconfig)
fi
# Run ids and the prometheus timestamp differ between two runs made a second apart.
normalize() {
        sed -E -e 's/[0-9]{8}T[0-9]{6}\.[0-9]{6}Z/RUNID/g' -e "s|$A|TREE|g; s|$B|TREE|g" \
                -e 's/^(kubeprep_last_run_timestamp_seconds(\{[^}]*\})?) [0-9.e+]+$/\1 TIME/'
}

n_vg=0
# vg NAME WANT-RC [--stdin FILE] ARGS...: ARGS run under valgrind and plainly; TREE in ARGS is $A or $B.
vg() {
        local name=$1 want=$2 in=/dev/null; shift 2
        if [ "$1" = --stdin ]; then in=$2; shift 2; fi
        n_vg=$((n_vg + 1))
        local log="$WORK/vg.$n_vg"
        "${VG[@]}" --log-file="$log" "$KUBEPREP" "${@//TREE/$A}" <"$in" >"$WORK/vg.out" 2>"$WORK/vg.err"
        local rc=$?
        "$KUBEPREP" "${@//TREE/$B}" <"$in" >"$WORK/plain.out" 2>"$WORK/plain.err"
        local plain_rc=$?
        if [ $rc = 99 ] || [ -s "$log" ]; then
                fail "$name: valgrind reports errors or leaks (exit $rc)" "$(head -60 "$log")"
        elif [ $rc != "$want" ] || [ $plain_rc != "$want" ]; then
                fail "$name: exit $rc under valgrind, $plain_rc without, want $want" "$(cat "$WORK/vg.out" "$WORK/vg.err")"
        elif [ "$(normalize <"$WORK/vg.out")" != "$(normalize <"$WORK/plain.out")" ]; then
                fail "$name: another answer under valgrind" "$(diff <(normalize <"$WORK/plain.out") <(normalize <"$WORK/vg.out") | head -20)"
        else
                pass "$name: no error, no leak (exit $want)"
        fi
}
OPTS=(--root TREE --profile "$SITE" --kubelet-version v1.16.15 "${USER_OPT[@]}")

vg "--help" 0 --help
vg "--version" 0 --version
vg "list" 0 list
vg "check, every fixer with drift" 1 check "${OPTS[@]}"
vg "check -o prometheus" 1 check "${OPTS[@]}" -o prometheus
vg "apply --dry-run -o json" 1 apply --dry-run "${OPTS[@]}" -o json
vg "apply" 1 apply "${OPTS[@]}" -v
vg "a second apply" 1 apply "${OPTS[@]}" -o json
vg "rollback" 0 rollback --root TREE
vg "rollback with nothing left to roll back" 2 rollback --root TREE
vg "apply once more" 1 apply "${OPTS[@]}"

# Error paths: bad usage, a bad profile, files refused.
vg "an unknown option" 2 check --bogus
vg "an unknown fixer" 2 check --root TREE --only nope
vg "a profile that does not exist" 2 check --root TREE --profile "$WORK/none.yaml"
for t in "$A" "$B"; do
        printf 'not-an-fstab-line\n' >>"$t/etc/fstab"
        printf '{"exec-opts": [' >"$t/etc/docker/daemon.json"
        printf 'x: [\n' >>"$t/var/lib/kubelet/config.yaml"
        printf 'version = = 2\n' >>"$t/etc/containerd/config.toml"
        printf 'GATEWAY="unterminated\n' >>"$t/etc/sysconfig/network-scripts/ifcfg-eth0"
        rm -rf "$t/home/dev/.kube"; ln -s /home/nobody "$t/home/dev/.kube"
done
vg "apply on malformed files and a link in a home: refused" 2 apply "${OPTS[@]}" --user nosuchuser -o json

# diagnose: a real journal (systemd-journal-remote), its text on stdin, a tree without one.
REMOTE=/lib/systemd/systemd-journal-remote
if [ -x "$REMOTE" ] && command -v journalctl >/dev/null; then
        mkdir -p "$WORK/journal"
        "$REMOTE" --output="$WORK/journal/x.journal" "$FIXTURES/journal/noisy.export" >/dev/null 2>&1
        journalctl -D "$WORK/journal" -o short --no-pager >"$WORK/journal.txt" 2>/dev/null
        vg "diagnose --journal-dir" 1 diagnose --journal-dir "$WORK/journal" --root TREE
        vg "diagnose --journal-dir -o json" 1 diagnose --journal-dir "$WORK/journal" -o json
        vg "diagnose --log -" 1 --stdin "$WORK/journal.txt" diagnose --log - --root TREE
else
        skip "diagnose on a journal" "systemd-journal-remote or journalctl missing"
fi
vg "diagnose, a tree with no journal" 2 diagnose --root TREE

# lint: a report, and --fix on a copy.
vg "lint" 1 lint "$FIXTURES/lint/all-kinds.yaml" "$FIXTURES/lint/pod.json"
cp "$FIXTURES/lint/all-kinds.yaml" "$A/lint.yaml"; cp "$FIXTURES/lint/all-kinds.yaml" "$B/lint.yaml"
vg "lint --fix" 0 lint --fix TREE/lint.yaml

done_testing
