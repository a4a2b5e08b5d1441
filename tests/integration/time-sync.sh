#!/usr/bin/env bash
# The time-sync fixer on fixture trees (--root): a time service is installed and enabled, as
# `systemctl enable` links it (its [Install] WantedBy= and Alias=), and the profile's ntp.servers go
# into a drop-in of kubeprep's. Oracles: systemctl --root=TREE is-enabled, and systemd-analyze
# --root=TREE cat-config systemd/timesyncd.conf. Nothing installed, or masked: drift for the operator.
. "$(dirname "$0")/../lib.sh"

profile() { # profile NAME YAML-LINES...
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile servers 'ntp:' '  servers: [ntp1.example.com, 192.0.2.123]'
TS=systemd-timesyncd.service
have_systemctl=
command -v systemctl >/dev/null && have_systemctl=1
is_enabled() { systemctl --root="$1" is-enabled "$2" 2>&1; }

# 1. systemd-timesyncd installed, not enabled: the links systemctl enable makes; the servers' drop-in.
T=$(new_tree preflight-deb)
[ -z "$have_systemctl" ] || [ "$(is_enabled "$T" $TS)" = disabled ] && pass "before: systemctl says disabled" || fail "before: $(is_enabled "$T" $TS)"
run check --root "$T" --only time-sync --profile "$WORK/servers.yaml"
expect_rc "timesyncd: check" 1
contains "timesyncd: the finding" "$OUT" "[time-sync] drift: systemd-timesyncd.service is installed but not enabled"
contains "timesyncd: the links" "$OUT" "enable systemd-timesyncd.service: /etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service -> /lib/systemd/system/systemd-timesyncd.service"
contains "timesyncd: the drop-in" "$OUT" "/etc/systemd/timesyncd.conf.d/50-kubeprep.conf: NTP=ntp1.example.com 192.0.2.123"
run apply --root "$T" --only time-sync --profile "$WORK/servers.yaml" -o json
expect_rc "timesyncd: apply" 0
printf '%s' "$OUT" >"$WORK/ts.json"
ok "timesyncd: two links and the drop-in; the restart left to the operator with --root" $PYTHON -c '
import json, sys
r = json.load(open(sys.argv[1]))
x = [x for x in r["results"] if x["fixer"] == "time-sync"][0]
assert x["status"] == "changed", x
got = sorted((c["path"], c.get("symlink")) for c in x["changes"])
assert got == [("/etc/systemd/system/dbus-org.freedesktop.timesync1.service", "/lib/systemd/system/systemd-timesyncd.service"),
               ("/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service", "/lib/systemd/system/systemd-timesyncd.service"),
               ("/etc/systemd/timesyncd.conf.d/50-kubeprep.conf", None)], got
assert x["actions"] == [], x["actions"]' "$WORK/ts.json"
[ "$(readlink "$T/etc/systemd/system/sysinit.target.wants/$TS")" = /lib/systemd/system/$TS ] && pass "timesyncd: the WantedBy link" || fail "timesyncd: no link"
same_file "timesyncd: the drop-in as expected" "$T/etc/systemd/timesyncd.conf.d/50-kubeprep.conf" \
        "$FIXTURES/expected/preflight-deb-time-sync/etc/systemd/timesyncd.conf.d/50-kubeprep.conf"
if [ -n "$have_systemctl" ]; then
        [ "$(is_enabled "$T" $TS)" = enabled ] && pass "timesyncd: systemctl --root is-enabled: enabled" || fail "timesyncd: $(is_enabled "$T" $TS)"
        cat_config=$(systemd-analyze --root="$T" cat-config systemd/timesyncd.conf 2>&1)
        contains "timesyncd: systemd-analyze cat-config reads the drop-in" "$cat_config" "# $T/etc/systemd/timesyncd.conf.d/50-kubeprep.conf"
        contains "timesyncd: with the servers" "$cat_config" "NTP=ntp1.example.com 192.0.2.123"
else
        skip "timesyncd: systemctl oracles" "systemctl not installed"
fi
run apply --root "$T" --only time-sync --profile "$WORK/servers.yaml"
expect_rc "timesyncd: second apply" 0
contains "timesyncd: ok" "$OUT" "[time-sync] ok: systemd-timesyncd.service is enabled; its servers are ntp.servers' (/etc/systemd/timesyncd.conf.d/50-kubeprep.conf)"
run rollback --root "$T"
expect_rc "timesyncd: rollback" 0
[ ! -e "$T/etc/systemd/system/sysinit.target.wants/$TS" ] && [ ! -e "$T/etc/systemd/timesyncd.conf.d/50-kubeprep.conf" ] &&
        pass "timesyncd: rollback removes the links and the drop-in" || fail "timesyncd: rollback left files"
[ -z "$have_systemctl" ] || [ "$(is_enabled "$T" $TS)" = disabled ] && pass "timesyncd: disabled again" || fail "after rollback: $(is_enabled "$T" $TS)"

# 2. chrony (Debian's unit and chrony.conf, whose sourcedir reads /etc/chrony/sources.d): chrony is
#    preferred to timesyncd, enabled with its alias chronyd.service; the servers as a .sources file.
T=$(new_tree preflight-deb chrony)
cp "$FIXTURES/preflight/chrony.service" "$T/usr/lib/systemd/system/"
mkdir -p "$T/etc/chrony"
cp "$FIXTURES/preflight/chrony.conf" "$T/etc/chrony/chrony.conf"
run apply --root "$T" --only time-sync --profile "$WORK/servers.yaml"
expect_rc "chrony: apply" 0
contains "chrony: chosen over timesyncd" "$OUT" "[time-sync] changed: chrony.service is installed but not enabled"
[ "$(readlink "$T/etc/systemd/system/chronyd.service")" = /lib/systemd/system/chrony.service ] && pass "chrony: the alias" || fail "chrony: no alias"
same_file "chrony: the sources file" "$T/etc/chrony/sources.d/kubeprep.sources" \
        <(printf '# Written by kubeprep (the time-sync fixer) from ntp.servers in its profile, which it rewrites.\nserver ntp1.example.com iburst\nserver 192.0.2.123 iburst\n')
if [ -n "$have_systemctl" ]; then
        [ "$(is_enabled "$T" chrony.service)" = enabled ] && pass "chrony: systemctl is-enabled" || fail "chrony: $(is_enabled "$T" chrony.service)"
        [ "$(is_enabled "$T" $TS)" = disabled ] && pass "chrony: timesyncd stays disabled" || fail "timesyncd: $(is_enabled "$T" $TS)"
fi
run check --root "$T" --only time-sync --profile "$WORK/servers.yaml"
expect_rc "chrony: complies" 0

# 3. Already enabled: nothing to do, and no servers asked for: no drop-in.
T=$(new_tree preflight-deb enabled)
mkdir -p "$T/etc/systemd/system/sysinit.target.wants"
ln -s /lib/systemd/system/$TS "$T/etc/systemd/system/sysinit.target.wants/$TS"
run check --root "$T" --only time-sync
expect_rc "enabled: complies" 0
contains "enabled: ok" "$OUT" "[time-sync] ok: systemd-timesyncd.service is enabled"

# 4. Masked: the operator's choice, reported, not undone.
T=$(new_tree preflight-deb masked)
ln -s /dev/null "$T/etc/systemd/system/$TS"
before=$(tree_state "$T")
run apply --root "$T" --only time-sync
expect_rc "masked: drift apply cannot fix" 1
contains "masked: said so" "$OUT" "[time-sync] drift: systemd-timesyncd.service is masked: unmask it (systemctl unmask systemd-timesyncd.service) or install another time service"
[ "$(tree_state "$T")" = "$before" ] && pass "masked: nothing written" || fail "masked: the tree changed"

# 5. Nothing installed: install one. Not a systemd tree: skipped.
T=$(new_tree preflight-deb none)
rm "$T/usr/lib/systemd/system/$TS"
run apply --root "$T" --only time-sync
expect_rc "none installed: drift" 1
contains "none installed: said so" "$OUT" "[time-sync] drift: no time synchronisation service is installed (systemd-timesyncd, chrony, ntpsec, ntp, openntpd)"
contains "none installed: what to do" "$OUT" "install one: apt-get install systemd-timesyncd (or chrony)"
rm "$T/usr/lib/systemd/systemd"
run check --root "$T" --only time-sync
expect_rc "no systemd: skipped" 0
contains "no systemd: said so" "$OUT" "[time-sync] skipped: not a systemd node: kubeprep enables time services through systemd"

done_testing
