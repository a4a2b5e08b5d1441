#!/usr/bin/env bash
# libsystemd is loaded when kubeprep first talks to systemd or reads a journal, and only then
# (preflight/system/libsystemd.h): the binary does not link it, declares it for packagers in a
# .note.dlopen ELF note, a check never loads it, diagnose of a journal does, and without it diagnose
# says why and exits 2. Built with -Dlibsystemd=linked, only the last two hold.
. "$(dirname "$0")/../lib.sh"

grep -q '^#define KUBEPREP_LIBSYSTEMD_LINKED 1' "$BUILD_DIR/config.h" && LINKED=1 || LINKED=
# LD_DEBUG=files lists every library the dynamic linker loads, at start and by dlopen().
loaded() { LD_DEBUG=files "$KUBEPREP" "$@" 2>&1 >/dev/null | grep -o 'file=[^ ]*' | sort -u; }

if [ -n "$LINKED" ]; then
        skip "the binary does not link libsystemd" "built with -Dlibsystemd=linked"
        skip "the .note.dlopen names libsystemd.so.0" "built with -Dlibsystemd=linked"
        skip "check and --version do not load libsystemd" "built with -Dlibsystemd=linked"
elif command -v readelf >/dev/null; then
        needed=$(readelf -d "$KUBEPREP" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
        case "$needed" in
        *libsystemd*) fail "the binary does not link libsystemd" "NEEDED: $needed" ;;
        *) pass "the binary does not link libsystemd (NEEDED: $needed)" ;;
        esac
        note=$(readelf -n "$KUBEPREP" | grep -A1 'FDO' | grep -c '0x407c0c0a')
        json=$(grep -a -o '\[{"soname":\["libsystemd.so.0"\][^]]*"priority":"recommended"}\]' "$KUBEPREP")
        [ "$note" = 1 ] && [ -n "$json" ] && pass "the .note.dlopen names libsystemd.so.0, recommended" ||
                fail "the .note.dlopen names libsystemd.so.0, recommended" "$(readelf -n "$KUBEPREP")"
        T=$(new_tree centos7)
        libs="$(loaded --version) $(loaded check --root "$T")"
        case "$libs" in
        *libsystemd*) fail "check and --version do not load libsystemd" "$libs" ;;
        *) pass "check and --version do not load libsystemd" ;;
        esac
else
        skip "the binary does not link libsystemd" "readelf is not installed (Debian package binutils)"
fi

mkdir -p "$WORK/journal"
case "$(loaded diagnose --journal-dir "$WORK/journal")" in
*libsystemd.so.0*) pass "diagnose of a journal loads libsystemd" ;;
*) fail "diagnose of a journal loads libsystemd" ;;
esac
run diagnose --journal-dir "$WORK/journal"
expect_rc "diagnose of an empty journal directory" 2
contains "  says so" "$ERR" "kubeprep: $WORK/journal holds no journal files"

# Without the library (an empty file mounted over it, in a mount namespace of this test's own).
lib=$(ldconfig -p 2>/dev/null | sed -n 's/^\tlibsystemd.so.0 (libc6,x86-64) => //p' | head -1)
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ -z "$lib" ] || [ -n "$LINKED" ]; then
        skip "diagnose without libsystemd says why" "needs root, unshare, an x86-64 libsystemd.so.0 and a dlopen build"
else
        unshare -m --propagation private bash -c 'mount --bind /dev/null "$1" && shift && "$@"' _ "$lib" \
                "$KUBEPREP" diagnose --journal-dir "$WORK/journal" >"$WORK/out" 2>"$WORK/err"
        RC=$? OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
        expect_rc "diagnose without libsystemd" 2
        contains "  says it cannot load it, and why" "$ERR" "kubeprep: cannot load libsystemd.so.0: $lib: file too short"
fi
done_testing
