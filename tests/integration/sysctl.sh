#!/usr/bin/env bash
# The sysctl fixer's persistent part on fixture trees (--root): exactly kubeprep's
# /etc/sysctl.d/99-kubeprep.conf and /etc/modules-load.d/kubeprep.conf, idempotent, and a value
# in a file systemd-sysctl applies later (a later name, /etc/sysctl.conf) reported, while earlier
# files, masked ones and vendor files hidden by /etc are not. The inotify limits are minimums: a
# higher value set in any other file keeps its line out of kubeprep's file (systemd-analyze
# cat-config, systemd-sysctl's own file order, says which value boots). IPv6 forwarding is
# persisted only for an IPv6 or dual-stack cluster.
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
contains "plain: ok" "$OUT" "[sysctl] ok: net.ipv4.ip_forward and the bridge netfilter settings are 1 and the inotify limits at least 8192 and 524288 in the tree's configuration"
# procps reads the file as kubeprep meant it: every assignment is a key = 1.
ok "plain: every setting line is KEY = VALUE for the five keys" $PYTHON - "$T/etc/sysctl.d/99-kubeprep.conf" <<'PY'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
kv = dict(tuple(p.strip() for p in l.split("=", 1)) for l in lines)
assert kv == {"net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1",
              "net.bridge.bridge-nf-call-ip6tables": "1", "fs.inotify.max_user_instances": "8192",
              "fs.inotify.max_user_watches": "524288"}, kv
PY

# 2. Overrides: a later /etc/sysctl.d file and /etc/sysctl.conf (slash-separated key) are reported;
#    a masked later vendor file, a vendor file hidden by a same-named /etc file and an earlier file
#    (which ours overrides) are not; a stale 99-kubeprep.conf is rewritten.
T=$(new_tree sysctl-override override)
printf 'net.bridge.bridge-nf-call-ip6tables = 0\n' >"$T/etc/sysctl.d/10-early.conf"
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
assert "remove or change those lines: applied after kubeprep\x27s file, they undo its setting at boot" in r["details"], r["details"]' "$WORK/ov.json"
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

# What systemd-sysctl applies at boot for a key: the last assignment in its files, in its own order.
boot_value() { # boot_value TREE KEY
        systemd-analyze --root="$1" cat-config sysctl.d 2>/dev/null |
                sed -n "s/^[[:space:]]*-\{0,1\}$2[[:space:]]*=[[:space:]]*//p" | tail -n 1
}
have_analyze=yes
systemd-analyze --root=/ cat-config sysctl.d >/dev/null 2>&1 || have_analyze=no

# 4. The inotify minimums: an earlier file's higher max_user_watches is kept (kubeprep's file leaves
#    that line out, and systemd-sysctl still boots the higher value); a lower one is overridden.
T=$(new_tree sysctl-plain minimums)
printf 'fs.inotify.max_user_watches = 1048576\nfs.inotify.max_user_instances = 128\n' >"$T/etc/sysctl.d/10-ide.conf"
run apply --root "$T" --only sysctl
expect_rc "minimums: apply" 0
contains "minimums: max_user_instances persisted at 8192" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "fs.inotify.max_user_instances = 8192"
not_contains "minimums: the higher max_user_watches of 10-ide.conf is not lowered by a later line" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "max_user_watches"
if [ $have_analyze = yes ]; then
        [ "$(boot_value "$T" fs.inotify.max_user_watches)" = 1048576 ] && pass "minimums: systemd-sysctl boots max_user_watches = 1048576" ||
                fail "minimums: max_user_watches at boot is $(boot_value "$T" fs.inotify.max_user_watches)"
        [ "$(boot_value "$T" fs.inotify.max_user_instances)" = 8192 ] && pass "minimums: systemd-sysctl boots max_user_instances = 8192" ||
                fail "minimums: max_user_instances at boot is $(boot_value "$T" fs.inotify.max_user_instances)"
else
        skip "minimums: systemd-analyze cat-config" "systemd-analyze --root cannot read sysctl.d here"
fi
run check --root "$T" --only sysctl
expect_rc "minimums: check after apply" 0
# The administrator lowers watches again in the earlier file: kubeprep's line comes back.
sed -i 's/1048576/65536/' "$T/etc/sysctl.d/10-ide.conf"
run check --root "$T" --only sysctl
expect_rc "minimums: a lower value in an earlier file is drift" 1
run apply --root "$T" --only sysctl
contains "minimums: max_user_watches persisted at 524288 again" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "fs.inotify.max_user_watches = 524288"
[ $have_analyze = no ] || { [ "$(boot_value "$T" fs.inotify.max_user_watches)" = 524288 ] && pass "minimums: systemd-sysctl boots 524288" ||
        fail "minimums: max_user_watches at boot is $(boot_value "$T" fs.inotify.max_user_watches)"; }
# A file applied after kubeprep's with a lower value undoes the minimum: reported, never edited.
printf 'fs.inotify.max_user_instances=256\n' >"$T/etc/sysctl.d/99-zzz-small.conf"
run check --root "$T" --only sysctl
expect_rc "minimums: a later, lower value" 1
contains "minimums: the later file is named" "$OUT" "/etc/sysctl.d/99-zzz-small.conf:1 sets fs.inotify.max_user_instances = 256 and is applied after /etc/sysctl.d/99-kubeprep.conf at boot"
# A later, higher one is fine: kubeprep's line is not needed any more and goes.
printf 'fs.inotify.max_user_instances=65536\n' >"$T/etc/sysctl.d/99-zzz-small.conf"
run apply --root "$T" --only sysctl
expect_rc "minimums: a later, higher value: apply" 0
not_contains "minimums: kubeprep's max_user_instances line is left out" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "max_user_instances"
[ $have_analyze = no ] || { [ "$(boot_value "$T" fs.inotify.max_user_instances)" = 65536 ] && pass "minimums: systemd-sysctl boots 65536" ||
        fail "minimums: max_user_instances at boot is $(boot_value "$T" fs.inotify.max_user_instances)"; }
run check --root "$T" --only sysctl
expect_rc "minimums: then the node complies" 0

# 5. IPv6: a dual-stack cluster (an IPv6 podSubnet in --kubeadm-config, or an IPv6 Service range in
#    the tree's kube-apiserver manifest) gets IPv6 forwarding persisted too; an IPv4 one does not.
T=$(new_tree sysctl-plain ipv6)
cat >"$WORK/kubeadm-dual.yaml" <<'YAML'
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
kubernetesVersion: v1.30.2
networking:
  podSubnet: 10.244.0.0/16,fd00:10:244::/56
  serviceSubnet: 10.96.0.0/16,fd00:10:96::/112
YAML
run apply --root "$T" --only sysctl --kubeadm-config "$WORK/kubeadm-dual.yaml" -o json
expect_rc "ipv6: apply" 0
printf '%s' "$OUT" >"$WORK/ipv6.json"
ok "ipv6: the detail names the IPv6 range and where it came from" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "sysctl"][0]
want = "IPv6 forwarding too: the cluster is IPv6 or dual-stack (the Service range fd00:10:96::/112 (--kubeadm-config %s))" % sys.argv[2]
assert want in r["details"], r["details"]' "$WORK/ipv6.json" "$WORK/kubeadm-dual.yaml"
for key in net.ipv6.conf.all.forwarding net.ipv6.conf.default.forwarding; do
        contains "ipv6: $key = 1 persisted" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "$key = 1"
        [ $have_analyze = no ] || { [ "$(boot_value "$T" "$key")" = 1 ] && pass "ipv6: systemd-sysctl boots $key = 1" || fail "ipv6: $key at boot: $(boot_value "$T" "$key")"; }
done
run check --root "$T" --only sysctl --kubeadm-config "$WORK/kubeadm-dual.yaml"
expect_rc "ipv6: check after apply" 0
contains "ipv6: the ok message says so" "$OUT" "net.ipv4.ip_forward, IPv6 forwarding and the bridge netfilter settings are 1"
run check --root "$T" --only sysctl
expect_rc "ipv6: without the config the cluster is IPv4 and the file is rewritten without IPv6" 1
T=$(new_tree sysctl-plain ipv6-manifest)
mkdir -p "$T/etc/kubernetes/manifests"
cat >"$T/etc/kubernetes/manifests/kube-apiserver.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=2001:db8::20
    - --service-cluster-ip-range=fd00:10:96::/112
    image: registry.k8s.io/kube-apiserver:v1.30.2
    name: kube-apiserver
YAML
run apply --root "$T" --only sysctl
contains "ipv6: an IPv6 cluster's manifest is enough" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "net.ipv6.conf.default.forwarding = 1"
run check --root "$T" --only sysctl -v
contains "ipv6: the manifest is named" "$OUT" "the Service range fd00:10:96::/112 (/etc/kubernetes/manifests/kube-apiserver.yaml)"
# kubeadm join adds its IPv6 check when the endpoint it joins is IPv6: so does kubeprep under the hook.
T=$(new_tree sysctl-plain ipv6-join)
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/kubeadm"; chmod +x "$WORK/bin/kubeadm"
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --only sysctl -v -- join "[fd00::20]:6443" --token abcdef.0123456789abcdef
contains "ipv6: a join to an IPv6 endpoint" "$OUT" "IPv6 forwarding too: the cluster is IPv6 or dual-stack (the API endpoint [fd00::20]:6443 (the kubeadm arguments))"
contains "ipv6: persisted for the join" "$(cat "$T/etc/sysctl.d/99-kubeprep.conf")" "net.ipv6.conf.default.forwarding = 1"
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --only sysctl -v -- join 192.0.2.20:6443 --token abcdef.0123456789abcdef
not_contains "ipv6: not for an IPv4 endpoint" "$OUT" "IPv6 forwarding too"

done_testing
