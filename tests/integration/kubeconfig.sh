#!/usr/bin/env bash
# The kubeconfig fixer on the kubeconfig-node fixture: users from --user, the
# profile and group:NAME (never root; SUDO_USER only gets a hint), exact
# content/mode/owner, idempotence, backup and rollback with the old owner and
# mode, no source -> skipped, and the attacks on a user's home (links,
# hardlinks, foreign owners) refused with nothing written. Ownership needs
# root: without it only the parts that do not depend on owners run.
. "$(dirname "$0")/../lib.sh"

NODE=kubeconfig-node
ADMIN=$FIXTURES/nodes/$NODE/etc/kubernetes/admin.conf
SECRET=Rml4dHVyZSBhZG1pbiBwcml2YXRlIGtleSBTRUNSRVQtS0VZLU1BVEVSSUFMCg== # admin.conf's client key
IS_ROOT=false; [ "$(id -u)" = 0 ] && IS_ROOT=true

# git keeps no owners: give each home in the tree to the uid:gid its passwd names.
own_homes() {
        local name uid gid home
        while IFS=: read -r name _ uid gid _ home _; do
                [ "$home" != / ] && [ -d "$1$home" ] && chown -R "$uid:$gid" "$1$home"
        done <"$1/etc/passwd"
}
# git keeps no modes either (but the executable bit).
tree() {
        local t; t=$(new_tree $NODE "$1")
        chmod 600 "$t/etc/shadow" "$t/etc/kubernetes/admin.conf" "$t/etc/kubernetes/super-admin.conf"
        chmod 644 "$t/home/bob/.kube/config"
        $IS_ROOT && own_homes "$t"
        echo "$t"
}
# "mode uid:gid" of a path, or "absent".
attrs() { stat -c '%a %u:%g' "$1" 2>/dev/null || echo absent; }
is() { # is NAME GOT WANT
        if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# Everything about a tree but times: path, type, mode, owner, size, link target, checksum.
state() {
        (cd "$1" && find . -path ./var -prune -o -printf '%p %y %m %U:%G %s %l\n' | sort &&
                find . -path ./var -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
json_field() { # json_field FILE PYTHON-EXPR (r = the report, k = the kubeconfig result)
        $PYTHON -c 'import json, sys
r = json.load(open(sys.argv[1])); k = [x for x in r["results"] if x["fixer"] == "kubeconfig"][0]
print(eval(sys.argv[2]))' "$1" "$2"
}

# 1. Who is chosen, independent of owners.
T=$(tree plain)
run check --root "$T" --only kubeconfig
expect_rc "no users" 0
contains "no users is ok, not drift" "$OUT" "[kubeconfig] ok: no users configured (--user, kubeconfig.users)"
SUDO_USER=alice run check --root "$T" --only kubeconfig
expect_rc "SUDO_USER with --root" 0
contains "SUDO_USER is ignored with --root (it is this machine's user, not the tree's)" "$OUT" "ok: no users configured"
run check --root "$T" --only kubeconfig --user root -v
expect_rc "--user root" 0
contains "root is never a target, and that is said" "$OUT" "[WARNING] root is not given a copy: root uses /etc/kubernetes/admin.conf directly"
contains "  and nobody else is" "$OUT" "ok: no non-root users to give a kubeconfig"
run check --root "$T" --only kubeconfig --user mallory -o json
expect_rc "an unknown user" 2
printf '%s' "$OUT" >"$WORK/unknown.json"
is "the unknown user is named (from the tree's passwd)" "$(json_field "$WORK/unknown.json" 'k["status"], k["message"]')" \
        "('error', \"user 'mallory' does not exist in the tree's /etc/passwd\")"
run check --root "$T" --only kubeconfig --user group:nope
expect_rc "an unknown group" 2
contains "the unknown group is named" "$OUT" "group 'nope' does not exist in the tree's /etc/group"
run check --root "$T" --only kubeconfig --user nobody
expect_rc "a user whose home does not exist" 2
contains "the missing home is named" "$OUT" "nobody: the home directory /nonexistent does not exist"

# 2. No admin kubeconfig: skipped (kubeadm has not run); super-admin.conf is never a source;
#    root's own ~/.kube/config is the fallback.
T=$(tree nosource)
rm "$T/etc/kubernetes/admin.conf"
run apply --root "$T" --only kubeconfig --user alice
expect_rc "no source" 0
contains "no source is skipped with the reason" "$OUT" "[kubeconfig] skipped: no /etc/kubernetes/admin.conf or /root/.kube/config to copy for alice: kubeadm has not run yet"
is "super-admin.conf was not used" "$(attrs "$T/home/alice/.kube")" absent
ln -s super-admin.conf "$T/etc/kubernetes/admin.conf"
run check --root "$T" --only kubeconfig --user alice
expect_rc "admin.conf linked to super-admin.conf" 2
contains "is refused" "$OUT" "/etc/kubernetes/admin.conf is a link to /etc/kubernetes/super-admin.conf, the break-glass credential; it is never copied"
# A hard link is the same file under another name: refused like the symlink (same device and inode).
rm "$T/etc/kubernetes/admin.conf" && ln "$T/etc/kubernetes/super-admin.conf" "$T/etc/kubernetes/admin.conf"
run check --root "$T" --only kubeconfig --user alice
expect_rc "admin.conf hard-linked to super-admin.conf" 2
contains "is refused like the link" "$OUT" "[kubeconfig] error: /etc/kubernetes/admin.conf is a hard link of /etc/kubernetes/super-admin.conf, the break-glass credential; it is never copied"
rm "$T/etc/kubernetes/admin.conf"
mkdir -p "$T/root/.kube" && ln "$T/etc/kubernetes/super-admin.conf" "$T/root/.kube/config"
run apply --root "$T" --only kubeconfig --user alice
expect_rc "root's ~/.kube/config hard-linked to super-admin.conf" 2
contains "is refused too" "$OUT" "[kubeconfig] error: /root/.kube/config is a hard link of /etc/kubernetes/super-admin.conf, the break-glass credential; it is never copied"
is "  and alice got nothing" "$(attrs "$T/home/alice/.kube")" absent
rm "$T/root/.kube/config"

if ! $IS_ROOT; then
        skip "ownership, attacks and rollback" "needs root to chown the fixture's homes"
        done_testing
fi

mkdir -p "$T/root/.kube"
printf 'apiVersion: v1\nkind: Config\n# root kubeconfig\n' >"$T/root/.kube/config"
rm -f "$T/etc/kubernetes/admin.conf"
run apply --root "$T" --only kubeconfig --user alice
expect_rc "root's kubeconfig as the source" 0
same_file "alice gets /root/.kube/config when there is no admin.conf" "$T/home/alice/.kube/config" "$T/root/.kube/config"

# 3. --user alice --user bob: alice has no ~/.kube, bob has a different config (0644).
T=$(tree main)
state "$T" >"$WORK/before"
run check --root "$T" --only kubeconfig --user alice --user bob -v
expect_rc "check finds both" 1
contains "the message names both" "$OUT" "[kubeconfig] drift: alice, bob need ~/.kube/config = /etc/kubernetes/admin.conf"
contains "alice's ~/.kube and config are to be created" "$OUT" "alice: create /home/alice/.kube (mode 0700) and /home/alice/.kube/config, a copy of /etc/kubernetes/admin.conf (mode 0600, owner alice:alice)"
contains "bob's different config is replaced, and the report says it is backed up" "$OUT" "bob: /home/bob/.kube/config replaces a different ~/.kube/config; the old one is in the backup"
contains "admin.conf is a cluster-admin credential (warning)" "$OUT" "[WARNING] /etc/kubernetes/admin.conf is a cluster-admin credential: alice, bob get full control of the cluster"
run apply --dry-run --root "$T" --only kubeconfig --user alice --user bob -o json
printf '%s' "$OUT" >"$WORK/dry.json"
is "JSON: drift, two changes" "$(json_field "$WORK/dry.json" 'k["status"], [c["path"] for c in k["changes"]]')" \
        "('drift', ['/home/alice/.kube/config', '/home/bob/.kube/config'])"
run apply --dry-run --root "$T" --only kubeconfig --user alice --user bob -v
not_contains "the credential never appears in a dry run's diff" "$OUT" "$SECRET"
not_contains "nor in the JSON report" "$(cat "$WORK/dry.json")" "$SECRET"
contains "the diff says why it is not shown" "$OUT" "# /home/alice/.kube/config: content not shown (a credential)"
state "$T" >"$WORK/after-dry"
same_file "check and the dry run changed nothing" "$WORK/after-dry" "$WORK/before"

run apply --root "$T" --only kubeconfig --user alice --user bob -o json
expect_rc "apply" 0
printf '%s' "$OUT" >"$WORK/apply.json"
is "JSON: changed, with a backup" "$(json_field "$WORK/apply.json" 'k["status"], r["runId"] is not None')" "('changed', True)"
not_contains "apply's report holds no credential either" "$OUT" "$SECRET"
same_file "alice: ~/.kube/config = admin.conf" "$T/home/alice/.kube/config" "$ADMIN"
same_file "bob: ~/.kube/config = admin.conf" "$T/home/bob/.kube/config" "$ADMIN"
is "alice: ~/.kube is 0700 alice:alice" "$(attrs "$T/home/alice/.kube")" "700 1000:1000"
is "alice: config is 0600 alice:alice" "$(attrs "$T/home/alice/.kube/config")" "600 1000:1000"
is "bob: config is 0600 bob:bob" "$(attrs "$T/home/bob/.kube/config")" "600 1001:1001"
is "bob: ~/.kube kept as it was" "$(attrs "$T/home/bob/.kube")" "755 1001:1001"
is "no temporary files are left" "$(find "$T/home" -name '.#*' | wc -l)" 0
run apply --root "$T" --only kubeconfig --user alice --user bob
expect_rc "second apply" 0
contains "second apply: nothing to do" "$OUT" "[kubeconfig] ok: alice, bob have ~/.kube/config = /etc/kubernetes/admin.conf"
not_contains "  and no backup" "$OUT" "backup"
run check --root "$T" --only kubeconfig --user alice --user bob
expect_rc "check after apply" 0

run rollback --root "$T"
expect_rc "rollback" 0
contains "rollback removes what the run created, the directory too" "$OUT" "/home/alice/.kube (removed: the run created it)"
same_file "bob's old config is back byte for byte" "$T/home/bob/.kube/config" "$FIXTURES/nodes/$NODE/home/bob/.kube/config"
is "  with its old mode and owner" "$(attrs "$T/home/bob/.kube/config")" "644 1001:1001"
state "$T" >"$WORK/after-rollback"
same_file "after rollback every home is as before (content, mode, owner)" "$WORK/after-rollback" "$WORK/before"

# 4. Right content, wrong mode and group: drift too; rollback restores both.
T=$(tree modes)
mkdir -p "$T/home/alice/.kube" && cp "$ADMIN" "$T/home/alice/.kube/config"
chown -R 1000:100 "$T/home/alice/.kube" && chmod 644 "$T/home/alice/.kube/config"
run check --root "$T" --only kubeconfig --user alice
expect_rc "mode and group alone" 1
contains "are reported" "$OUT" "alice: /home/alice/.kube/config has the right content; mode 0644 -> 0600, owner alice (uid 1000):users -> alice:alice"
run apply --root "$T" --only kubeconfig --user alice
is "apply fixes them" "$(attrs "$T/home/alice/.kube/config")" "600 1000:1000"
run rollback --root "$T"
is "rollback restores them" "$(attrs "$T/home/alice/.kube/config")" "644 1000:100"

# 5. The profile's users, group:NAME (member list and primary group), with --user: their union.
T=$(tree profile)
printf 'extends: default\nkubeconfig:\n  users: [group:kubeadmins, group:users, alice]\n' >"$WORK/users.yaml"
run apply --root "$T" --profile "$WORK/users.yaml" --only kubeconfig --user alice -v
expect_rc "profile users" 0
contains "command line first, then the groups' members in passwd order" "$OUT" "[kubeconfig] changed: alice, dave, carol need ~/.kube/config"
contains "root in group:kubeadmins is not a target" "$OUT" "root (in group:kubeadmins) is not given a copy"
for u in alice:1000:1000 dave:1003:1003 carol:1002:100; do
        IFS=: read -r name uid gid <<<"$u"
        same_file "$name got the copy" "$T/home/$name/.kube/config" "$ADMIN"
        is "  0600 $uid:$gid" "$(attrs "$T/home/$name/.kube/config")" "600 $uid:$gid"
done
is "bob (not chosen) is untouched" "$(attrs "$T/home/bob/.kube/config")" "644 1001:1001"
is "erin (not chosen) is untouched" "$(attrs "$T/home/erin/.kube")" absent
T=$(tree unknown-and-alice)
run apply --root "$T" --only kubeconfig --user mallory --user alice
expect_rc "an unknown user beside alice" 2
contains "  is the error" "$OUT" "[kubeconfig] error: user 'mallory' does not exist in the tree's /etc/passwd"
same_file "  and alice still gets her copy" "$T/home/alice/.kube/config" "$ADMIN"

# 6. Attacks in erin's home: each refused (exit 2) with the path named, nothing written there,
#    and alice, named in the same run, still gets her copy.
cp -p "$FIXTURES/nodes/$NODE/etc/shadow" "$WORK/shadow"
attack() { # attack NAME EXPECTED-MESSAGE; the setup was done on $T
        local name=$1 want=$2
        state "$T/home/erin" >"$WORK/erin-before"
        run apply --root "$T" --only kubeconfig --user erin --user alice -o json
        expect_rc "$name: refused" 2
        printf '%s' "$OUT" >"$WORK/attack.json"
        is "$name: the path is named" "$(json_field "$WORK/attack.json" 'k["status"] + ": " + k["message"]')" "error: $want"
        same_file "$name: the tree's /etc/shadow is untouched" "$T/etc/shadow" "$WORK/shadow"
        is "$name: /etc/shadow keeps its mode and owner" "$(attrs "$T/etc/shadow")" "600 0:0"
        state "$T/home/erin" >"$WORK/erin-after"
        same_file "$name: nothing in erin's home changed" "$WORK/erin-after" "$WORK/erin-before"
        same_file "$name: alice is still handled" "$T/home/alice/.kube/config" "$ADMIN"
        is "$name: the changes list only alice" "$(json_field "$WORK/attack.json" '[c["path"] for c in k["changes"]]')" \
                "['/home/alice/.kube/config']"
}
T=$(tree link-config)
mkdir "$T/home/erin/.kube" && ln -s /etc/shadow "$T/home/erin/.kube/config" && chown -hR 1004:1004 "$T/home/erin/.kube"
attack "~/.kube/config -> /etc/shadow" "erin: /home/erin/.kube/config is a symbolic link; nothing was written there"
is "  the link is still the link" "$(readlink "$T/home/erin/.kube/config")" /etc/shadow

T=$(tree link-dir)
mkdir -p "$T/root/.kube" && ln -s /root/.kube "$T/home/erin/.kube" && chown -h 1004:1004 "$T/home/erin/.kube"
attack "~/.kube -> /root/.kube" "erin: /home/erin/.kube is a symbolic link; nothing was written there"
is "  nothing was written in root's ~/.kube" "$(ls -A "$T/root/.kube")" ""

T=$(tree foreign-home)
chown 1000:1000 "$T/home/erin"
attack "a home owned by alice" "erin: the home directory /home/erin belongs to alice (uid 1000), not to erin; nothing was written there"

T=$(tree foreign-dir)
mkdir "$T/home/erin/.kube"
attack "a ~/.kube owned by root" "erin: /home/erin/.kube belongs to root (uid 0), not to erin; nothing was written there"

T=$(tree hardlink)
mkdir "$T/home/erin/.kube" && ln "$T/home/erin/.profile" "$T/home/erin/.kube/config" && chown -R 1004:1004 "$T/home/erin/.kube"
attack "a hardlinked ~/.kube/config" "erin: /home/erin/.kube/config has 2 hard links (it could be another user's file); nothing was written there"

T=$(tree hardlink-shadow)
mkdir "$T/home/erin/.kube" && ln "$T/etc/shadow" "$T/home/erin/.kube/config" && chown 1004:1004 "$T/home/erin/.kube"
attack "~/.kube/config hardlinked to /etc/shadow" "erin: /home/erin/.kube/config belongs to root (uid 0), not to erin; nothing was written there"

# 7. A user's sparse 1 TiB ~/.kube/config (truncate -s 1T) is refused by name instead of
#    making root's run allocate its size; alice and every other fixer are still handled.
T=$(tree huge)
mkdir "$T/home/erin/.kube" && truncate -s 1T "$T/home/erin/.kube/config" && chown -R 1004:1004 "$T/home/erin/.kube"
run check --root "$T" --user erin --user alice -o json
expect_rc "a 1 TiB ~/.kube/config" 2
printf '%s' "$OUT" >"$WORK/huge.json"
is "  is refused, naming the file and the cap" "$(json_field "$WORK/huge.json" 'k["status"] + ": " + k["message"]')" \
        "error: erin: /home/erin/.kube/config: larger than 64 MiB; nothing was written there"
is "  alice is still handled" "$(json_field "$WORK/huge.json" 'k["details"]')" \
        "['alice: create /home/alice/.kube (mode 0700) and /home/alice/.kube/config, a copy of /etc/kubernetes/admin.conf (mode 0600, owner alice:alice)', 'alice needs ~/.kube/config = /etc/kubernetes/admin.conf']"
is "  every fixer still ran" "$(json_field "$WORK/huge.json" 'len(r["results"])')" "$("$KUBEPREP" list | wc -l)"
not_contains "  no out-of-memory abort" "$ERR" "out of memory"
is "  the file is still 1 TiB" "$(stat -c %s "$T/home/erin/.kube/config")" 1099511627776

# 8. A link planted in the home after apply is not followed by rollback either.
T=$(tree late-link)
run apply --root "$T" --only kubeconfig --user alice
expect_rc "apply for alice" 0
mkdir -p "$T/srv/trap" && echo precious >"$T/srv/trap/config"
rm -r "$T/home/alice/.kube" && ln -s /srv/trap "$T/home/alice/.kube" && chown -h 1000:1000 "$T/home/alice/.kube"
run rollback --root "$T"
expect_rc "rollback through a planted link: that file is left (exit 1)" 1
contains "  naming the file" "$ERR" "[rollback] /home/alice/.kube/config: cannot remove: Too many levels of symbolic links"
is "  and the file behind the link survives" "$(cat "$T/srv/trap/config")" precious

# 9. Live, `sudo kubeprep apply` without --user or kubeconfig.users: SUDO_USER is not given the
#    cluster-admin credential (a sudoers rule for kubeprep would grant it), only a hint how to.
#    kubeprep runs in a private mount namespace with scratch copies over /etc, /home and
#    /var/lib/kubeprep, so the machine itself is never changed.
if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
        skip "SUDO_USER on a live node" "needs unshare -m"
        done_testing
fi
T=$(tree live)
cp -a /etc "$WORK/live-etc"
cp -a "$T/etc/passwd" "$T/etc/group" "$T/etc/shadow" "$T/etc/kubernetes" "$WORK/live-etc/"
mkdir -p "$WORK/live-state"
[ -d /var/lib/kubeprep ] || { mkdir /var/lib/kubeprep && trap 'rmdir /var/lib/kubeprep; cleanup_work' EXIT; }
live() { # live ARGS...: kubeprep on the scratch "live" node; $OUT, $ERR, $RC as with run
        unshare -m --propagation private bash -c '
                mount --bind "$1/live-etc" /etc && mount --bind "$2/home" /home &&
                mount --bind "$1/live-state" /var/lib/kubeprep && shift 2 && exec "$@"
        ' _ "$WORK" "$T" "$KUBEPREP" "$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
        RC=$?
        OUT=$(cat "$WORK/.stdout"); ERR=$(cat "$WORK/.stderr")
}
SUDO_USER=alice live apply --only kubeconfig -o json
expect_rc "live apply with SUDO_USER=alice and nobody named" 0
printf '%s' "$OUT" >"$WORK/sudo.json"
is "  is ok: nobody is configured" "$(json_field "$WORK/sudo.json" 'k["status"] + ": " + k["message"]')" \
        "ok: no users configured (--user, kubeconfig.users)"
is "  the hint names the command" "$(json_field "$WORK/sudo.json" 'k["warnings"]')" \
        "['SUDO_USER alice is not given a kubeconfig: only the users named with --user or kubeconfig.users are (kubeprep apply --user alice)']"
is "  alice got no copy of admin.conf" "$(attrs "$T/home/alice/.kube")" absent
SUDO_USER=alice live check --only kubeconfig
contains "  the text report shows the hint" "$OUT" "[WARNING] SUDO_USER alice is not given a kubeconfig: only the users named with --user or kubeconfig.users are (kubeprep apply --user alice)"
SUDO_USER=$'al\e]2;x\aice' live check --only kubeconfig -o json
printf '%s' "$OUT" >"$WORK/sudo-odd.json"
is "a SUDO_USER with control characters is not echoed" "$(json_field "$WORK/sudo-odd.json" 'k["warnings"]')" \
        "['SUDO_USER is not given a kubeconfig: only the users named with --user or kubeconfig.users are (kubeprep apply --user NAME)']"
SUDO_USER=root live check --only kubeconfig -o json
printf '%s' "$OUT" >"$WORK/sudo-root.json"
is "sudo from root: no hint" "$(json_field "$WORK/sudo-root.json" 'k["status"], k["warnings"]')" "('ok', [])"
SUDO_USER=alice live apply --only kubeconfig --user bob
expect_rc "live apply with SUDO_USER=alice and --user bob" 0
same_file "  bob, who is named, gets the copy" "$T/home/bob/.kube/config" "$ADMIN"
is "  alice still has none" "$(attrs "$T/home/alice/.kube")" absent

done_testing
