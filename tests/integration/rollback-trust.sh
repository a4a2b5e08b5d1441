#!/usr/bin/env bash
# `rollback` trusts a backup run only when the store, the run and every file in
# it are the caller's and no one else may write them; it restores only paths
# kubeprep manages, never setuid/setgid bits, and never over a file changed
# since the run (that one is listed, the others restored, exit 1).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (the planted stores belong to another user)"
same_text() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$(diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2"))"; fi; }
ID=20990101T000000.000000Z # newer than any real run: a bare `rollback` picks it
plant() { # plant TREE PATH MODE BACKUP-NAME: a run whose manifest restores BACKUP-NAME as PATH, root-owned, MODE
        local run="$1/var/lib/kubeprep/backups/$ID"
        mkdir -p -m 0700 "$1/var/lib/kubeprep/backups" "$run"
        printf '#!/bin/sh\necho planted\n' >"$run/0"
        cat >"$run/manifest.json" <<EOF
{"run": "$ID", "files": [{"path": "$2", "existed": true, "noSymlinks": false, "type": "file",
  "mode": $((8#$3)), "uid": 0, "gid": 0, "backup": "$4"}]}
EOF
        chmod 0600 "$run/0" "$run/manifest.json"
}

# 1. A tree a user owns, store and all: her planted run would restore a setuid-root program.
T=$(new_tree centos7 user)
mkdir -p "$T/usr/local/bin"
plant "$T" /usr/local/bin/rootshell 6755 0
chown -R 65534:65534 "$T"
run rollback --root "$T"
expect_rc "a store another user owns: refused" 2
same_text "named, with its owner" "$ERR" \
        "kubeprep: the backup store is not trusted: $T/var/lib/kubeprep belongs to uid 65534, not to uid 0; nothing was restored"
ok "no setuid program appears" test ! -e "$T/usr/local/bin/rootshell"

# 2. Root's own store, but a run naming a path kubeprep never writes: refused whole.
T=$(new_tree centos7 path)
mkdir -p "$T/usr/local/bin"
plant "$T" /usr/local/bin/rootshell 6755 0
run rollback --root "$T"
expect_rc "a path outside kubeprep's files: refused" 2
same_text "the path is named" "$ERR" \
        "kubeprep: backup run $ID names /usr/local/bin/rootshell, which is not a file kubeprep manages; nothing was restored"
ok "nothing restored there" test ! -e "$T/usr/local/bin/rootshell"
run rollback --root "$T" "$ID"
expect_rc "also when the run is named" 2

# 3. A managed path with setuid/setgid bits in the manifest: restored without them, said so.
T=$(new_tree centos7 suid)
plant "$T" /etc/fstab 6755 0
run rollback --root "$T"
expect_rc "a managed path: restored" 0
same_file "with the saved bytes" "$T/etc/fstab" "$T/var/lib/kubeprep/backups/$ID/0"
same_text "but no setuid/setgid bit" "$(stat -c %a "$T/etc/fstab")" 755
contains "and a line says so" "$OUT" \
        "[rollback] /etc/fstab: the saved mode 6755 has setuid/setgid bits; restored as 0755"

# 4. A backup name that climbs out of the run's directory: refused.
T=$(new_tree centos7 name)
plant "$T" /etc/fstab 644 ../../../../etc/shadow
run rollback --root "$T"
expect_rc "a backup name with a path: refused" 2
same_text "named" "$ERR" \
        "kubeprep: backup run $ID: the backup of /etc/fstab is named '../../../../etc/shadow', not a file of the run; nothing was restored"
same_file "fstab untouched" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"

# 5. Root's store, but a run directory others may write, or a link among its files: refused.
T=$(new_tree centos7 mode)
plant "$T" /etc/fstab 644 0
chmod 0770 "$T/var/lib/kubeprep/backups/$ID"
run rollback --root "$T"
expect_rc "a run directory its group may write: refused" 2
same_text "named, with its mode" "$ERR" \
        "kubeprep: backup run $ID is not trusted: $T/var/lib/kubeprep/backups/$ID may be written by its group or others (mode 0770); nothing was restored"
chmod 0700 "$T/var/lib/kubeprep/backups/$ID"
rm "$T/var/lib/kubeprep/backups/$ID/0"; ln -s /etc/passwd "$T/var/lib/kubeprep/backups/$ID/0"
run rollback --root "$T"
expect_rc "a link in the run: refused" 2
same_text "named" "$ERR" \
        "kubeprep: backup run $ID is not trusted: $T/var/lib/kubeprep/backups/$ID/0 is not a regular file; nothing was restored"
same_file "fstab untouched" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"

# 6. A real run, then the operator edits fstab: rollback restores the rest, keeps her
# edit, lists it and exits 1; the run is not marked, so a second rollback can finish.
T=$(new_tree centos7 changed)
run apply --only swap --root "$T"
expect_rc "apply" 0
id=$(ls "$T/var/lib/kubeprep/backups")
cp "$T/etc/fstab" "$WORK/fstab.applied"
printf '# edited by the operator\n' >>"$T/etc/fstab"
cp "$T/etc/fstab" "$WORK/fstab.edited"
run rollback --root "$T" -o json
expect_rc "a file changed since the run: exit 1" 1
printf '%s' "$OUT" >"$WORK/r.json"
ok "JSON: restored the mask, fstab not restored with the reason" $PYTHON - "$WORK/r.json" "$id" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); run = sys.argv[2]
assert r["exitCode"] == 1 and r["runId"] == run, r
assert r["restored"] == ["/etc/systemd/system/swap.target (removed: the run created it)"], r
assert r["notRestored"] == [{"path": "/etc/fstab", "reason": "changed since run %s: not restored" % run}], r
PY
same_file "the operator's edit is kept" "$T/etc/fstab" "$WORK/fstab.edited"
ok "the mask is gone" test ! -L "$T/etc/systemd/system/swap.target"
ok "the run is not marked rolled back" test ! -e "$T/var/lib/kubeprep/backups/$id/rolled-back"
run rollback --root "$T"
expect_rc "again, text: still exit 1" 1
same_text "the file and the reason on stderr" "$ERR" \
        "[rollback] /etc/fstab: changed since run $id: not restored
kubeprep: run $id partly rolled back: 1 file restored, 1 not (listed above); the run stays unmarked, so 'kubeprep rollback --root $T $id' tries again"
cp "$WORK/fstab.applied" "$T/etc/fstab"
run rollback --root "$T"
expect_rc "once fstab holds what the run wrote again: exit 0" 0
same_file "fstab restored" "$T/etc/fstab" "$FIXTURES/nodes/centos7/etc/fstab"
ok "and now the run is marked" test -e "$T/var/lib/kubeprep/backups/$id/rolled-back"

done_testing
