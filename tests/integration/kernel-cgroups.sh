#!/usr/bin/env bash
# The kernel-cgroups fixer on fixture trees (--root): the tree's kernel is not running, so its
# controllers are known live only (tests/unit/test-preflight-fixers.c plans the live cases, the GRUB
# drop-in included, with the grub-mkconfig oracle); with --root a Raspberry Pi's one-line cmdline.txt
# gets cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset (its firmware boots the kernel
# without the memory controller). Oracle: the line stays one line, and the kernel's own reading of
# the parameters (last word wins) as a shell splits them.
. "$(dirname "$0")/../lib.sh"

PI="console=serial0,115200 console=tty1 root=PARTUUID=0a1b2c3d-02 rootfstype=ext4 fsck.repair=yes rootwait"

# 1. A tree without cmdline.txt: nothing to read with --root.
T=$(new_tree preflight-deb)
run check --root "$T" --only kernel-cgroups
expect_rc "no cmdline.txt: skipped" 0
contains "no cmdline.txt: why" "$OUT" "[kernel-cgroups] skipped: the tree's kernel is not running: its cgroup controllers are checked live (with --root only a Raspberry Pi's cmdline.txt is read)"

# 2. Raspberry Pi OS: /boot/firmware/cmdline.txt, one line; the three words are added at its end.
T=$(new_tree preflight-deb pi)
mkdir -p "$T/boot/firmware"
printf '%s\n' "$PI" >"$T/boot/firmware/cmdline.txt"
run check --root "$T" --only kernel-cgroups
expect_rc "pi: check" 1
contains "pi: the finding" "$OUT" "[kernel-cgroups] drift: /boot/firmware/cmdline.txt lacks cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset (a Raspberry Pi's firmware starts the kernel without the memory controller)"
contains "pi: the pending step" "$OUT" "then: reboot"
run apply --root "$T" --only kernel-cgroups
expect_rc "pi: apply (the tree boots with the new line)" 0
same_file "pi: cmdline.txt as expected" "$T/boot/firmware/cmdline.txt" \
        <(printf '%s cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset\n' "$PI")
[ "$(wc -l <"$T/boot/firmware/cmdline.txt")" = 1 ] && pass "pi: still one line" || fail "pi: $(wc -l <"$T/boot/firmware/cmdline.txt") lines"
# The kernel reads the words left to right, the last of each parameter winning (as the firmware's
# cgroup_disable=memory is overridden): a shell's word splitting is the same for these words.
ok "pi: cgroup_enable=memory, cgroup_memory=1 and cgroup_enable=cpuset are the last words for each" bash -c '
        set -- cgroup_disable=memory $(cat "$1"); mem= memcg= cpuset=
        for w; do case $w in cgroup_enable=memory|cgroup_disable=memory) mem=$w;; cgroup_memory=*) memcg=$w;;
                cgroup_enable=cpuset|cgroup_disable=cpuset) cpuset=$w;; esac; done
        [ "$mem $memcg $cpuset" = "cgroup_enable=memory cgroup_memory=1 cgroup_enable=cpuset" ]' _ "$T/boot/firmware/cmdline.txt"
run apply --root "$T" --only kernel-cgroups
expect_rc "pi: second apply" 0
contains "pi: ok" "$OUT" "[kernel-cgroups] ok: /boot/firmware/cmdline.txt enables the memory and cpuset controllers"
run rollback --root "$T"
expect_rc "pi: rollback" 0
same_file "pi: rollback restores the line" "$T/boot/firmware/cmdline.txt" <(printf '%s\n' "$PI")

# 3. The older /boot/cmdline.txt, a later cgroup_disable=memory of the operator's and no newline: only
#    what is not in effect is added.
T=$(new_tree preflight-deb pi-old)
mkdir -p "$T/boot"
printf 'root=/dev/mmcblk0p2 cgroup_enable=cpuset cgroup_enable=memory cgroup_disable=memory' >"$T/boot/cmdline.txt"
run apply --root "$T" --only kernel-cgroups
expect_rc "pi /boot: apply" 0
same_file "pi /boot: the two words not in effect, no newline added" "$T/boot/cmdline.txt" \
        <(printf 'root=/dev/mmcblk0p2 cgroup_enable=cpuset cgroup_enable=memory cgroup_disable=memory cgroup_enable=memory cgroup_memory=1')

# 4. A cmdline.txt of two lines is refused (the firmware reads only the first), untouched.
T=$(new_tree preflight-deb pi-bad)
mkdir -p "$T/boot/firmware"
printf '%s\ncgroup_enable=memory\n' "$PI" >"$T/boot/firmware/cmdline.txt"
cp "$T/boot/firmware/cmdline.txt" "$WORK/two-lines"
run apply --root "$T" --only kernel-cgroups
expect_rc "two lines: refused" 2
contains "two lines: file and line" "$OUT" "[kernel-cgroups] error: /boot/firmware/cmdline.txt: line 2: cmdline.txt must be a single line; the file was not changed"
same_file "two lines: untouched" "$T/boot/firmware/cmdline.txt" "$WORK/two-lines"

done_testing
