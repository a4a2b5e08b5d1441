# Shared helpers for the integration tests: TAP output and scratch trees.
# Each test script sources this, calls ok/fail/skip per check and ends with done_testing.
# $KUBEPREP is the binary under test, $SOURCE_ROOT the repository (set by meson).
set -u
: "${SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${KUBEPREP:=$SOURCE_ROOT/build/kubeprep}"
export KUBEPREP_DATA_DIR="${KUBEPREP_DATA_DIR:-$SOURCE_ROOT}"
FIXTURES="$SOURCE_ROOT/tests/fixtures"
PYTHON=/usr/bin/python3

_tap_n=0
_tap_failed=0
WORK=$(mktemp -d /tmp/kubeprep-test.XXXXXX)
cleanup_work() { rm -rf "$WORK"; }
trap cleanup_work EXIT

ok() { # ok "name" command...
        local name=$1; shift
        _tap_n=$((_tap_n + 1))
        if "$@" >"$WORK/.out" 2>&1; then
                echo "ok $_tap_n - $name"
        else
                _tap_failed=$((_tap_failed + 1))
                echo "not ok $_tap_n - $name"
                sed 's/^/# /' "$WORK/.out"
        fi
}
pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail() {
        _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - $1"
        [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
        return 0
}
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
# meson reads a TAP test's skip from its plan line; exit 77 is a skip only for non-TAP tests.
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
done_testing() { echo "1..$_tap_n"; [ $_tap_failed -eq 0 ]; exit $?; }

# Run kubeprep, keeping stdout in $OUT, stderr in $ERR and the exit code in $RC.
run() {
        "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout"); ERR=$(cat "$WORK/.stderr")
}
expect_rc() { # expect_rc NAME WANT
        if [ "$RC" = "$2" ]; then pass "$1 (exit $2)"; else fail "$1: exit $RC, want $2" "$OUT
$ERR"; fi
}
contains() { # contains NAME HAYSTACK NEEDLE
        case "$2" in *"$3"*) pass "$1" ;; *) fail "$1: no '$3' in output" "$2" ;; esac
}
not_contains() {
        case "$2" in *"$3"*) fail "$1: unexpected '$3' in output" "$2" ;; *) pass "$1" ;; esac
}
same_file() { # same_file NAME GOT WANT
        if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(diff -u "$3" "$2" | head -40)"; fi
}

# A fresh copy of a fixture node tree under $WORK; prints its path.
new_tree() { # new_tree FIXTURE [NAME]
        local dst="$WORK/${2:-tree}"
        rm -rf "$dst"; cp -a "$FIXTURES/nodes/$1" "$dst"; echo "$dst"
}
# A systemd node with the named programs installed (empty files are enough for --root).
runtime_tree() { # runtime_tree NAME PROGRAM...
        local t="$WORK/$1" p
        shift
        rm -rf "$t"
        mkdir -p "$t/usr/bin" "$t/usr/lib/systemd" "$t/sbin" "$t/etc"
        : >"$t/usr/lib/systemd/systemd"
        ln -s ../usr/lib/systemd/systemd "$t/sbin/init"
        for p in "$@"; do : >"$t/usr/bin/$p"; done
        echo "$t"
}
# A cluster CA (DIR/ca.crt, ca.key) and the API server's certificate it signs for 192.0.2.1
# (DIR/apiserver.crt, apiserver.key), for tests/tools/test-apiserver.py.
apiserver_certs() { # apiserver_certs DIR
        local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        openssl req -x509 "${ec[@]}" -keyout "$1/ca.key" -out "$1/ca.crt" -days 2 -subj /CN=kubernetes 2>/dev/null &&
                openssl req "${ec[@]}" -keyout "$1/apiserver.key" -out "$1/apiserver.csr" -subj /CN=kube-apiserver \
                        2>/dev/null &&
                printf 'subjectAltName=IP:192.0.2.1\n' >"$1/san.ext" &&
                openssl x509 -req -in "$1/apiserver.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -days 2 \
                        -extfile "$1/san.ext" -out "$1/apiserver.crt" 2>/dev/null
}
# A listing of every file's path, type, mode, size, mtime and checksum.
tree_state() {
        (cd "$1" && find . -printf '%p %y %m %s %T@ %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# A tree after a run against the goldens: a file of fixtures/expected/NODE must equal it, every other
# file must be byte-identical to fixtures/nodes/NODE (a removed one counts as changed), and the files
# the run creates must be the expected ones.
check_expected() { # check_expected TREE NODE
        local tree=$1 node=$2 f
        while IFS= read -r f; do
                f=${f#./}
                if [ -f "$FIXTURES/expected/$node/$f" ]; then
                        same_file "$node: $f as expected" "$tree/$f" "$FIXTURES/expected/$node/$f"
                elif ! cmp -s "$tree/$f" "$FIXTURES/nodes/$node/$f"; then
                        fail "$node: $f changed but should not have"
                fi
        done < <(cd "$FIXTURES/nodes/$node" && find . -type f)
        while IFS= read -r f; do
                f=${f#./}
                [ -e "$FIXTURES/nodes/$node/$f" ] || same_file "$node: $f created as expected" "$tree/$f" "$FIXTURES/expected/$node/$f"
        done < <(cd "$FIXTURES/expected/$node" && find . -type f)
}

# VAR's value as systemd's EnvironmentFile= parser reads FILE: its environment.d generator runs the same
# parser (parse_env_file_internal()). Returns 1 when systemd is not installed. Only for files without
# '$' (the generator expands those).
SYSTEMD_ENV_GENERATOR=/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator
systemd_env_value() { # systemd_env_value FILE VAR
        [ -x "$SYSTEMD_ENV_GENERATOR" ] || return 1
        rm -rf "$WORK/sd"; mkdir -p "$WORK/sd/environment.d"; cp "$1" "$WORK/sd/environment.d/10-kubelet.conf"
        env -i HOME=/nonexistent XDG_CONFIG_HOME="$WORK/sd" "$SYSTEMD_ENV_GENERATOR" | $PYTHON -c '
import re, sys
for line in sys.stdin:
    k, _, v = line.rstrip("\n").partition("=")
    if k == sys.argv[1]:
        if v[:1] == "\"":
            v = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v[1:-1])
        sys.stdout.write(v)' "$2"
}
