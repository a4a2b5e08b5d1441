#!/usr/bin/env bash
# The boot-units fixer: the CRI runtime and kubelet.service are enabled at boot, never started.
# With --root the tree gets the links systemctl makes (oracle: `systemctl --root=TREE
# is-enabled`, and the links `systemctl --root enable` makes on a copy); live, systemd is asked
# (EnableUnitFiles), here the mock systemd of tests/dbusmock in a private mount namespace.
. "$(dirname "$0")/../lib.sh"
if [ "${1:-}" != --inside ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
        # Live, kubeprep asks PID 1's name for the init: in a PID namespace of its own this script
        # runs as PID 1 from a copy of bash named systemd, with the mock systemd on the bus.
        cp "$(command -v bash)" "$WORK/systemd"
        "$SOURCE_ROOT/tests/dbusmock/run-with-mock-systemd.sh" \
                unshare -m -p -f --mount-proc --propagation private "$WORK/systemd" "$0" --inside
        exit $?
fi
command -v systemctl >/dev/null || skip_all "systemctl not installed (the oracle)"

# A Debian-like node: /lib a link to usr/lib, the units where the packages put them.
unit_tree() { # unit_tree NAME PROGRAM...
        local t
        t=$(runtime_tree "$@")
        mkdir -p "$t/usr/lib/systemd/system" "$t/etc/systemd/system"
        ln -s usr/lib "$t/lib"
        echo "$t"
}
unit() { # unit TREE NAME INSTALL-LINES: a unit file in /lib/systemd/system
        printf '[Unit]\nDescription=%s\n\n[Service]\nExecStart=/usr/bin/true\n\n[Install]\n%b' "$2" "$3" \
                >"$1/usr/lib/systemd/system/$2"
}
links() { (cd "$1" && find etc -type l -printf '%p -> %l\n' | sort); }
is_enabled() { systemctl --root="$1" is-enabled "${@:2}" 2>/dev/null | tr '\n' ' '; }

# 1. containerd and the kubelet installed, neither enabled: enabled as systemctl would.
T=$(unit_tree node containerd kubelet)
unit "$T" containerd.service 'WantedBy=multi-user.target\n'
unit "$T" kubelet.service 'WantedBy=multi-user.target\n'
[ "$(is_enabled "$T" containerd.service kubelet.service)" = "disabled disabled " ] &&
        pass "systemctl: both disabled before" || fail "before: $(is_enabled "$T" containerd.service kubelet.service)"
cp -a "$T" "$WORK/oracle"
systemctl --root="$WORK/oracle" enable containerd.service kubelet.service >/dev/null 2>&1
run check --root "$T" --only boot-units
expect_rc "containerd and the kubelet disabled: drift" 1
contains "the message" "$OUT" "[boot-units] drift: containerd.service and kubelet.service are not enabled at boot"
run apply --root "$T" --only boot-units -v
expect_rc "apply" 0
contains "the detail shows the link" "$OUT" \
        "/etc/systemd/system/multi-user.target.wants/kubelet.service -> /lib/systemd/system/kubelet.service (enable kubelet.service)"
[ "$(is_enabled "$T" containerd.service kubelet.service)" = "enabled enabled " ] &&
        pass "systemctl --root is-enabled: both enabled" || fail "after: $(is_enabled "$T" containerd.service kubelet.service)"
[ "$(links "$T")" = "$(links "$WORK/oracle")" ] && pass "the links are those systemctl --root enable makes" ||
        fail "links differ" "kubeprep:
$(links "$T")
systemctl:
$(links "$WORK/oracle")"
run apply --root "$T" --only boot-units
contains "a second apply: ok" "$OUT" "[boot-units] ok: containerd.service and kubelet.service are enabled at boot"
run rollback --root "$T"
expect_rc "rollback" 0
[ "$(is_enabled "$T" containerd.service kubelet.service)" = "disabled disabled " ] &&
        pass "rollback: both disabled again" || fail "after rollback: $(is_enabled "$T" containerd.service kubelet.service)"

# 2. CRI-O's unit as it ships (Alias=cri-o.service): the alias link too.
T=$(unit_tree crio crio kubelet)
unit "$T" crio.service 'WantedBy=multi-user.target\nAlias=cri-o.service\n'
unit "$T" kubelet.service 'WantedBy=multi-user.target\n'
run apply --root "$T" --only boot-units
expect_rc "CRI-O: apply" 0
[ "$(is_enabled "$T" crio.service cri-o.service kubelet.service)" = "enabled alias enabled " ] &&
        pass "CRI-O: enabled, with its alias" || fail "CRI-O: $(is_enabled "$T" crio.service cri-o.service kubelet.service)"

# 3. A masked kubelet stays masked: the operator's choice, reported.
T=$(unit_tree masked containerd kubelet)
unit "$T" containerd.service 'WantedBy=multi-user.target\n'
unit "$T" kubelet.service 'WantedBy=multi-user.target\n'
mkdir -p "$T/etc/systemd/system/multi-user.target.wants"
ln -s /lib/systemd/system/containerd.service "$T/etc/systemd/system/multi-user.target.wants/containerd.service"
ln -s /dev/null "$T/etc/systemd/system/kubelet.service"
state=$(tree_state "$T")
run apply --root "$T" --only boot-units
expect_rc "a masked kubelet: drift apply leaves" 1
contains "a masked kubelet: named" "$OUT" "[boot-units] drift: kubelet.service is masked"
contains "a masked kubelet: how to undo it" "$OUT" "kubeprep does not unmask a unit the operator masked: systemctl unmask kubelet.service"
[ "$(tree_state "$T")" = "$state" ] && pass "a masked kubelet: nothing written" || fail "the tree changed"

# 4. Two runtimes and no choice made: the kubelet only, and a warning.
T=$(unit_tree two containerd cri-dockerd kubelet)
unit "$T" containerd.service 'WantedBy=multi-user.target\n'
unit "$T" cri-docker.service 'WantedBy=multi-user.target\n'
unit "$T" kubelet.service 'WantedBy=multi-user.target\n'
run apply --root "$T" --only boot-units -v
expect_rc "two runtimes: apply" 0
contains "two runtimes: a warning says why none is enabled" "$OUT" \
        "several CRI runtimes are installed (containerd, cri-dockerd) and the kubelet is told none: kubeprep enables none of them (see cri-endpoint)"
[ "$(is_enabled "$T" containerd.service cri-docker.service kubelet.service)" = "disabled disabled enabled " ] &&
        pass "two runtimes: only the kubelet enabled" || fail "two runtimes: $(is_enabled "$T" containerd.service cri-docker.service kubelet.service)"

# 5. Live, against the mock systemd: EnableUnitFiles for the kubelet, a reload, no start.
if [ "${1:-}" != --inside ]; then
        skip "live EnableUnitFiles" "needs root, unshare and the mock systemd"
        done_testing
fi
MOCK="$SOURCE_ROOT/tests/dbusmock/mockctl"
cp -a /etc "$WORK/etc"
mount --bind "$WORK/etc" /etc || skip_all "cannot bind-mount over /etc"
rm -f /etc/systemd/system/kubelet.service /etc/systemd/system/*.wants/kubelet.service
printf '[Unit]\nDescription=stand-in kubelet\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
        >/etc/systemd/system/kubelet.service
"$MOCK" set kubelet.service inactive
run check --only boot-units
expect_rc "live: the kubelet not enabled: drift" 1
contains "live: named" "$OUT" "kubelet.service"
run apply --only boot-units -o json
printf '%s' "$OUT" >"$WORK/live.json"
ok "live: the enable action is done" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "boot-units"][0]
acts = [(a["action"], a["target"], a["status"]) for a in r["actions"]]
assert ("enable", "kubelet.service", "done") in acts, r' "$WORK/live.json"
contains "live: systemd was asked to enable kubelet.service" "$("$MOCK" enabled | tr '\n' ' ')" "kubelet.service"
calls=$("$MOCK" calls | tr '\n' ' ')
contains "live: then reloaded" "$calls" "EnableUnitFiles Reload"
not_contains "live: the kubelet was not started or restarted" "$calls" "kubelet.service"
done_testing
