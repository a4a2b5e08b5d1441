#!/usr/bin/env bash
# Symlinks inside a --root tree never lead out of it: an absolute or a
# relative link to /etc/fstab resolves inside the tree, and the host's
# files are neither read nor written.
. "$(dirname "$0")/../lib.sh"

# A host file that looks like an fstab with swap, outside every tree.
HOST="$WORK/host-fstab"
printf '/dev/sdz9 none swap sw 0 0\n' >"$HOST"
host_sum=$(sha256sum "$HOST")

# 1. etc/fstab -> absolute path of the host file: inside the root that path does not exist.
T=$(new_tree centos7 abs)
rm "$T/etc/fstab"; ln -s "$HOST" "$T/etc/fstab"
run apply --only swap --root "$T"
expect_rc "absolute link out of the tree: nothing to fix in fstab" 0
not_contains "the host file's entry is never seen" "$OUT" "/dev/sdz9"
[ "$(sha256sum "$HOST")" = "$host_sum" ] && pass "host file untouched (absolute link)" || fail "host file changed"
[ -L "$T/etc/fstab" ] && pass "the link itself is left alone" || fail "the link was replaced"

# 2. The same path exists inside the tree: the link resolves there, and that copy is edited.
T=$(new_tree centos7 abs-in)
mkdir -p "$T$(dirname "$HOST")"; cp "$FIXTURES/nodes/centos7/etc/fstab" "$T$HOST"
rm "$T/etc/fstab"; ln -s "$HOST" "$T/etc/fstab"
run apply --only swap --root "$T"
expect_rc "absolute link resolved inside the tree" 0
same_file "the in-tree target was edited" "$T$HOST" "$FIXTURES/expected/centos7/etc/fstab"
[ "$(sha256sum "$HOST")" = "$host_sum" ] && pass "host file untouched (in-tree target)" || fail "host file changed"
[ -L "$T/etc/fstab" ] && pass "the link stays a link" || fail "the link was replaced by a file"
run rollback --root "$T"
same_file "rollback restores the link's target" "$T$HOST" "$FIXTURES/nodes/centos7/etc/fstab"

# 3. A relative link climbing with .. past the root is clamped at the root.
T=$(new_tree centos7 rel)
depth=$(echo "$T/etc" | tr -cd / | wc -c)
up=$(printf '../%.0s' $(seq 1 $((depth + 3))))
rm "$T/etc/fstab"; ln -s "${up}${HOST#/}" "$T/etc/fstab"
run apply --only swap --root "$T"
expect_rc "relative link past the root" 0
[ "$(sha256sum "$HOST")" = "$host_sum" ] && pass "host file untouched (relative link)" || fail "host file changed"

# 4. A directory component that is an absolute link: /etc -> /realetc inside the tree.
T=$(new_tree centos7 dir)
mv "$T/etc" "$T/realetc"; ln -s /realetc "$T/etc"
run apply --only swap --root "$T"
expect_rc "directory link resolved inside the tree" 0
same_file "fstab edited through the directory link" "$T/realetc/fstab" "$FIXTURES/expected/centos7/etc/fstab"

# 5. A link loop is an error naming the file, not a hang.
T=$(new_tree centos7 loop)
rm "$T/etc/fstab"; ln -s /etc/fstab "$T/etc/fstab"
run check --only swap --root "$T"
expect_rc "a link loop" 2
contains "the loop is named" "$OUT" "/etc/fstab"

# 6. A FIFO where fstab should be is refused, not read (a read would block).
T=$(new_tree centos7 fifo)
rm "$T/etc/fstab"; mkfifo "$T/etc/fstab"
run check --only swap --root "$T"
expect_rc "a FIFO as fstab" 2

done_testing
