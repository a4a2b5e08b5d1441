#!/usr/bin/env bash
# `lint --fix` run by root on a manifest in a directory another user owns: she
# can swap the name for a symbolic link at any moment, but no file outside her
# directory ever changes. A link she planted is refused by name; a link only
# root can change is still followed; a huge file is refused before it is read.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (the swapper runs as another uid)"
command -v setpriv >/dev/null || skip_all "setpriv(1) not available"

U=65534 # nobody: a user with no business in root's files
chmod 0711 "$WORK"
D="$WORK/home"
mkdir -m 0755 "$D" "$WORK/victim"
chown $U:$U "$D"
VICTIM="$WORK/victim/passwd"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$VICTIM"
chmod 0644 "$VICTIM"
cp "$VICTIM" "$WORK/victim.orig"
victim_intact() { # victim_intact NAME: same bytes, still root's 0644 regular file
        if cmp -s "$VICTIM" "$WORK/victim.orig" && [ ! -L "$VICTIM" ] && [ "$(stat -c %u:%g:%a "$VICTIM")" = 0:0:644 ] &&
                [ "$(ls -A "$WORK/victim")" = passwd ]; then
                pass "$1"
        else
                fail "$1" "$(ls -la "$WORK/victim"; diff "$WORK/victim.orig" "$VICTIM")"
        fi
}
same_text() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$(diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2"))"; fi; }
as_user() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }

# 1. A link she planted before the run: refused, named, nothing followed.
as_user ln -s "$VICTIM" "$D/pod.json"
run lint --fix "$D/pod.json"
expect_rc "a link in her directory: refused" 2
same_text "the link is named, with who can change it" "$ERR" \
        "$D/pod.json: refused: $D/pod.json is a symbolic link in a directory that uid $U can change; it is not followed; the file was not changed"
victim_intact "the link's target keeps its bytes and owner"
run lint "$D/pod.json"
expect_rc "lint without --fix does not follow it either" 2
same_text "and says so" "$ERR" \
        "$D/pod.json: refused: $D/pod.json is a symbolic link in a directory that uid $U can change; it is not followed"
as_user rm "$D/pod.json"

# 2. A directory on the way that is her link: refused at that link.
as_user ln -s "$WORK/victim" "$D/m"
run lint --fix "$D/m/passwd"
expect_rc "a directory link in her directory: refused" 2
same_text "the directory link is named" "$ERR" \
        "$D/m/passwd: refused: $D/m is a symbolic link in a directory that uid $U can change; it is not followed; the file was not changed"
victim_intact "nothing written through the directory link"
as_user rm "$D/m"

# 3. Her own file is fixed and stays hers (owner and mode of the inode read).
as_user cp "$FIXTURES/lint/pod.json" "$D/own.json"
as_user chmod 0640 "$D/own.json"
run lint --fix "$D/own.json"
expect_rc "her real file is fixed" 0
same_file "with the fix" "$D/own.json" "$FIXTURES/lint/expected/pod.json"
same_text "still hers, mode kept" "$(stat -c %u:%g:%a "$D/own.json")" "$U:$U:640"

# 4. A link in a directory only root can change is followed, as before.
mkdir -m 0755 "$WORK/rootdir"
cp "$FIXTURES/lint/pod.json" "$WORK/rootdir/real.json"
ln -s real.json "$WORK/rootdir/link.json"
run lint --fix "$WORK/rootdir/link.json"
expect_rc "root's own link is followed" 0
same_file "its target fixed" "$WORK/rootdir/real.json" "$FIXTURES/lint/expected/pod.json"
ok "the link is still a link" test -L "$WORK/rootdir/link.json"

# 5. A huge (sparse) file is refused before it is read, named, untouched.
as_user truncate -s 1T "$D/huge.yaml"
run lint --fix "$D/huge.yaml"
expect_rc "a 1 TiB manifest: refused" 2
same_text "named, with the limit" "$ERR" "$D/huge.yaml: cannot read: larger than 64 MiB; the file was not changed"
same_text "left as it was" "$(stat -c %s:%u "$D/huge.yaml")" "1099511627776:$U"
head -c $((64 << 20)) /dev/zero | tr '\0' '#' >"$WORK/big.yaml"; printf '\n' >>"$WORK/big.yaml"
run lint - <"$WORK/big.yaml"
expect_rc "more than 64 MiB on stdin: refused" 2
same_text "stdin named" "$ERR" "<stdin>: cannot read: larger than 64 MiB"
rm -f "$WORK/big.yaml" "$D/huge.yaml"

# 6. The race: she flips pod.json between her manifest and a link to the victim
# (rename(2), so the name always exists) while root runs lint --fix 100 times.
as_user cp "$FIXTURES/lint/pod.json" "$D/src.json"
# setpriv execs python3: $! is the swapper itself, so that kill stops it.
setpriv --reuid=$U --regid=$U --clear-groups /usr/bin/python3 - "$D" "$VICTIM" <<'PY' &
import os, sys
d, victim = sys.argv[1], sys.argv[2]
os.chdir(d)
data = open("src.json", "rb").read()
n = 0
while True:
    with open("r.tmp", "wb") as f:
        f.write(data)
    os.rename("r.tmp", "pod.json")
    try:
        os.unlink("l.tmp")
    except FileNotFoundError:
        pass
    os.symlink(victim, "l.tmp")
    os.rename("l.tmp", "pod.json")
    n += 1
    if n == 100:
        open("flipping", "w").close()
PY
swapper=$!
for _ in $(seq 200); do [ -e "$D/flipping" ] && break; sleep 0.05; done
declare -A outcome=()
for _ in $(seq 100); do
        "$KUBEPREP" lint --fix "$D/pod.json" >/dev/null 2>"$WORK/race.err"
        rc=$?
        case $(cat "$WORK/race.err") in
        *"is a symbolic link"*) outcome[link]=$((${outcome[link]:-0} + 1)) ;;
        *"changed while kubeprep ran"*) outcome[changed]=$((${outcome[changed]:-0} + 1)) ;;
        *) outcome[rc$rc]=$((${outcome[rc$rc]:-0} + 1)) ;;
        esac
done
kill "$swapper"; wait "$swapper" 2>/dev/null
echo "# 100 runs: $(for k in "${!outcome[@]}"; do printf '%s=%s ' "$k" "${outcome[$k]}"; done)"
[ -e "$D/flipping" ] && pass "the swapper was flipping during the runs" || fail "the swapper never got going"
victim_intact "after 100 racing runs the victim keeps its bytes, owner and mode"
leftover=$(find "$WORK/victim" "$D" -name '.#*')
[ -z "$leftover" ] && pass "no temporary file left anywhere" || fail "temporary files left" "$leftover"

done_testing
