#!/usr/bin/env bash
# The sysctl fixer's persistent part on fixture trees (--root): exactly kubeprep's
# /etc/sysctl.d/99-kubeprep.conf and /etc/modules-load.d/kubeprep.conf, idempotent, and a value
# in a file systemd-sysctl applies later (a later name, /etc/sysctl.conf) reported, while earlier
# files, masked ones and vendor files hidden by /etc are not.
. "$(dirname "$0")/../lib.sh"

EXP="$FIXTURES/expected/sysctl-plain/etc"

# 1. A Debian-like tree: both files created exactly; nothing else touched.
T=$(new_tree sysctl-plain)
run check --root "$T" --only sysctl
expect_rc "plain: check" 1
contains "plain: names both files" "$OUT" "[sysctl] drift: /etc/sysctl.d/99-kubeprep.conf missing, /etc/modules-load.d/kubeprep.conf missing"
not_contains "plain: an earlier file with ip_forward = 0 is overridden, not reported" "$OUT" "10-docker-old.conf"
not_contains "plain: live values are not read with --root" "$OUT" " is 0"
run apply --root "$T" --only sysctl -o json
expect_rc "plain: apply" 0
printf '%s' "$OUT" >"$WORK/plain.json"
ok "plain: status changed, two files, no live action" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sysctl"][0]
assert r["status"] == "changed", r
assert sorted(c["path"] for c in r["changes"]) == ["/etc/modules-load.d/kubeprep.conf", "/etc/sysctl.d/99-kubeprep.conf"], r
assert r["actions"] == [], r' "$WORK/plain.json"
same_file "plain: 99-kubeprep.conf exactly" "$T/etc/sysctl.d/99-kubeprep.conf" "$EXP/sysctl.d/99-kubeprep.conf"
same_file "plain: modules-load.d/kubeprep.conf exactly" "$T/etc/modules-load.d/kubeprep.conf" "$EXP/modules-load.d/kubeprep.conf"
[ "$(stat -c %a "$T/etc/sysctl.d/99-kubeprep.conf" "$T/etc/modules-load.d/kubeprep.conf" | tr '\n' ' ')" = "644 644 " ] &&
        pass "plain: both files mode 0644" || fail "plain: modes $(stat -c %a "$T/etc/sysctl.d/99-kubeprep.conf" "$T/etc/modules-load.d/kubeprep.conf")"
d=$(diff -r --no-dereference -x var -x kubeprep.conf -x 99-kubeprep.conf "$FIXTURES/nodes/sysctl-plain" "$T" 2>&1)
[ -z "$d" ] && pass "plain: every other file unchanged" || fail "plain: other files changed" "$d"
run apply --root "$T" --only sysctl
expect_rc "plain: second apply" 0
contains "plain: ok" "$OUT" "[sysctl] ok: net.ipv4.ip_forward and the bridge netfilter settings are 1 in the tree's configuration"
# procps reads the file as kubeprep meant it: every assignment is a key = 1.
ok "plain: every setting line is KEY = 1 for the three keys" $PYTHON - "$T/etc/sysctl.d/99-kubeprep.conf" <<'PY'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
kv = dict(tuple(p.strip() for p in l.split("=", 1)) for l in lines)
assert kv == {"net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1",
              "net.bridge.bridge-nf-call-ip6tables": "1"}, kv
PY

# 2. Overrides: a later /etc/sysctl.d file and /etc/sysctl.conf (slash-separated key) are reported;
#    a masked later vendor file and a vendor file hidden by a same-named /etc file are not; a stale
#    99-kubeprep.conf is rewritten.
T=$(new_tree sysctl-override override)
run apply --root "$T" --only sysctl -o json
expect_rc "override: apply fixes its files but not the others" 1
printf '%s' "$OUT" >"$WORK/ov.json"
ok "override: exactly the two winning lines are reported, status changed, files written" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sysctl"][0]
m = r["message"]
assert "/etc/sysctl.d/99-zzz-router.conf:2 sets net.ipv4.ip_forward = 0 and is applied after /etc/sysctl.d/99-kubeprep.conf at boot" in m, m
assert "/etc/sysctl.conf:1 sets net.bridge.bridge-nf-call-iptables = 0 and is applied after /etc/sysctl.d/99-kubeprep.conf at boot" in m, m
assert "99-zz-vendor" not in m and "99-zz-same" not in m and "ip6tables" not in m, m
assert r["status"] == "changed", r
assert "remove or change those lines so the setting is 1" in r["details"], r["details"]' "$WORK/ov.json"
same_file "override: the stale 99-kubeprep.conf rewritten exactly" "$T/etc/sysctl.d/99-kubeprep.conf" "$EXP/sysctl.d/99-kubeprep.conf"
for f in etc/sysctl.d/99-zzz-router.conf etc/sysctl.conf usr/lib/sysctl.d/99-zz-vendor.conf etc/sysctl.d/99-zz-same.conf; do
        cmp -s "$T/$f" "$FIXTURES/nodes/sysctl-override/$f" && pass "override: $f not touched" || fail "override: $f changed"
done
[ "$(readlink "$T/etc/sysctl.d/99-zz-vendor.conf")" = /dev/null ] && pass "override: the mask is kept" || fail "override: mask changed"
run check --root "$T" --only sysctl
expect_rc "override: check still reports the winning files" 1
contains "override: the message" "$OUT" "[sysctl] drift: /etc/sysctl.d/99-zzz-router.conf:2 sets net.ipv4.ip_forward = 0"
# Once the operator fixes them, the node complies.
sed -i 's/=0/=1/' "$T/etc/sysctl.d/99-zzz-router.conf"
rm "$T/etc/sysctl.conf"
run check --root "$T" --only sysctl
expect_rc "override: after the operator's fix" 0

# 3. Debian's 99-sysctl.conf -> ../sysctl.conf link: /etc/sysctl.conf's setting wins through it.
T=$(new_tree sysctl-plain linked)
echo 'net.ipv4.ip_forward=0' >>"$T/etc/sysctl.conf"
run check --root "$T" --only sysctl
expect_rc "linked sysctl.conf with ip_forward=0" 1
contains "linked: reported (sysctl --system applies /etc/sysctl.conf last)" "$OUT" \
        "/etc/sysctl.conf:5 sets net.ipv4.ip_forward = 0 and is applied after /etc/sysctl.d/99-kubeprep.conf at boot"

done_testing
