#!/usr/bin/env bash
# The gateway fixer's persistent part on fixture trees (--root, nothing live): each network stack
# gets exactly the expected gateway line, reruns change nothing, `auto` takes the address from the
# configuration, and what kubeprep cannot decide (unknown stack, no address, several interfaces,
# a different existing gateway) is drift with a message, never a guess or a replacement.
. "$(dirname "$0")/../lib.sh"

profile() { # profile NAME YAML-LINES...: a profile extending the default one, in $WORK/NAME.yaml
        local name=$1; shift
        { echo "extends: default"; printf '%s\n' "$@"; } >"$WORK/$name.yaml"
}
profile gw 'gateway:' '  address: 192.0.2.1'
profile gw-eth1 'gateway:' '  address: 198.51.100.1' '  interface: eth1'
profile off 'gateway:' '  ensure: false'
profile bad 'gateway:' '  address: 192.0.2.300'

# The files the run changed equal the golden ones; every other file is byte-identical (a TAP line
# each, unlike lib.sh's check_expected).
check_expected() { # check_expected TREE NODE
        local tree=$1 node=$2 f
        while IFS= read -r f; do
                f=${f#./}
                if [ -f "$FIXTURES/expected/$node/$f" ]; then
                        same_file "$node: $f as expected" "$tree/$f" "$FIXTURES/expected/$node/$f"
                else
                        cmp -s "$tree/$f" "$FIXTURES/nodes/$node/$f" && pass "$node: $f unchanged" || fail "$node: $f changed"
                fi
        done < <(cd "$FIXTURES/nodes/$node" && find . -type f)
}
result() { # result FIELD: a field of the gateway result in the JSON report in $OUT
        printf '%s' "$OUT" | $PYTHON -c '
import json, sys
r = [x for x in json.load(sys.stdin)["results"] if x["fixer"] == "gateway"][0]
print(r[sys.argv[1]] if not isinstance(r[sys.argv[1]], list) else "\n".join(map(str, r[sys.argv[1]])))' "$1"
}

# 1. Every stack: a static interface without a gateway gets the profile's, in its own syntax.
declare -A file=(
        [ifcfg]=/etc/sysconfig/network-scripts/ifcfg-eth0
        [keyfile]=/etc/NetworkManager/system-connections/Wired.nmconnection
        [networkd]=/etc/systemd/network/10-wired.network
        [netplan]=/etc/netplan/50-cloud-init.yaml
        [interfaces]=/etc/network/interfaces
)
declare -A iface=([ifcfg]=eth0 [keyfile]=ens3 [networkd]=enp1s0 [netplan]=ens3 [interfaces]=eth0)
for stack in ifcfg keyfile networkd netplan interfaces; do
        node=gateway-$stack
        T=$(new_tree $node $stack)
        run check --root "$T" --only gateway --profile "$WORK/gw.yaml"
        expect_rc "$stack: check finds no gateway" 1
        contains "$stack: the message names the file" "$OUT" "[gateway] drift: ${file[$stack]} has no gateway"
        contains "$stack: the detail names the gateway and interface" "$OUT" "${file[$stack]} ("
        contains "$stack: ... gateway 192.0.2.1 for ${iface[$stack]}" "$OUT" "): gateway 192.0.2.1 for ${iface[$stack]}"
        before=$(tree_state "$T")
        run apply --dry-run --root "$T" --only gateway --profile "$WORK/gw.yaml"
        expect_rc "$stack: dry run" 1
        [ "$(tree_state "$T")" = "$before" ] && pass "$stack: the dry run changed nothing" || fail "$stack: dry run changed the tree"
        run apply --root "$T" --only gateway --profile "$WORK/gw.yaml" -o json
        expect_rc "$stack: apply" 0
        [ "$(result status)" = changed ] && pass "$stack: status changed" || fail "$stack: status $(result status)" "$OUT"
        check_expected "$T" $node
        run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
        expect_rc "$stack: a second apply changes nothing" 0
        contains "$stack: and says the file keeps the gateway" "$OUT" "[gateway] ok: ${file[$stack]} keeps gateway 192.0.2.1"
        # gateway.address: auto takes the address the configuration now has.
        run check --root "$T" --only gateway
        expect_rc "$stack: check with address auto after apply" 0
done

# 2. The default profile (address auto) on a static file without a gateway: ask, change nothing.
T=$(new_tree gateway-ifcfg noaddr)
before=$(tree_state "$T")
run apply --root "$T" --only gateway -o json
expect_rc "no address anywhere: apply cannot fix it" 1
[ "$(result status)" = drift ] && pass "no address: status stays drift" || fail "no address: status $(result status)" "$OUT"
contains "no address: asks for gateway.address" "$(result message)" \
        "/etc/sysconfig/network-scripts/ifcfg-eth0 configures eth0 without a gateway; set gateway.address in the profile"
[ "$(tree_state "$T")" = "$before" ] && pass "no address: nothing written" || fail "no address: the tree changed"
ls "$T/var/lib/kubeprep/backups" >/dev/null 2>&1 && fail "no address: a backup was made" || pass "no address: no backup"

# 3. DHCP provides the gateway: ok, with or without an address in the profile.
T=$(new_tree gateway-dhcp dhcp)
for p in default "$WORK/gw.yaml"; do
        run check --root "$T" --only gateway --profile "$p"
        expect_rc "dhcp ($p): ok" 0
        contains "dhcp ($p): says DHCP provides it" "$OUT" \
                "[gateway] ok: eth0 uses DHCP, which provides the gateway (/etc/sysconfig/network-scripts/ifcfg-eth0)"
done
check_expected "$T" gateway-dhcp
T=$(new_tree gateway-cloud cloud)
run check --root "$T" --only gateway
expect_rc "Debian cloud image (eth0 in /etc/network/interfaces.d): ok" 0
contains "cloud: DHCP in interfaces.d" "$OUT" \
        "[gateway] ok: eth0 uses DHCP, which provides the gateway (/etc/network/interfaces.d/50-cloud-init)"

# 4. A stack kubeprep does not know (ifupdown with loopback only, or nothing): drift, no guess.
for node in gateway-unknown swap-empty; do
        if [ $node = swap-empty ]; then T=$WORK/empty; mkdir -p "$T/etc"; else T=$(new_tree $node unknown); fi
        before=$(tree_state "$T")
        run apply --root "$T" --only gateway --profile "$WORK/gw.yaml" -o json
        expect_rc "$node: unknown stack" 1
        [ "$(result status)" = drift ] && pass "$node: status drift" || fail "$node: status $(result status)"
        contains "$node: the message says why" "$(result message)" "no network configuration kubeprep recognises (network-scripts ifcfg, NetworkManager keyfiles, systemd-networkd, netplan, /etc/network/interfaces), so a default route would not survive a reboot"
        [ "$(tree_state "$T")" = "$before" ] && pass "$node: nothing written" || fail "$node: the tree changed"
done

# 5. An existing different gateway is never replaced; address auto keeps it.
T=$(new_tree gateway-existing existing)
run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
expect_rc "existing gateway 10.0.0.1, profile 192.0.2.1" 1
contains "existing: says it will not replace it" "$OUT" \
        "[gateway] drift: /etc/sysconfig/network-scripts/ifcfg-eth0 already has the default gateway 10.0.0.1, not 192.0.2.1 from the profile; kubeprep never replaces one: change gateway.address or the file"
check_expected "$T" gateway-existing
run check --root "$T" --only gateway
expect_rc "existing: address auto takes it from the file" 0
contains "existing: ok message" "$OUT" "[gateway] ok: /etc/sysconfig/network-scripts/ifcfg-eth0 keeps gateway 10.0.0.1"

# 6. Several static interfaces: ask for gateway.interface; given one, edit only its entry.
T=$(new_tree gateway-several several)
run check --root "$T" --only gateway --profile "$WORK/gw.yaml"
expect_rc "several: interface auto" 1
contains "several: asks for gateway.interface" "$OUT" \
        "[gateway] drift: several interfaces have a static IPv4 address (eth0, eth1); set gateway.interface in the profile"
run apply --root "$T" --only gateway --profile "$WORK/gw-eth1.yaml"
expect_rc "several: interface eth1" 0
check_expected "$T" gateway-several
run apply --root "$T" --only gateway --profile "$WORK/gw-eth1.yaml"
expect_rc "several: second apply" 0
contains "several: eth1 keeps its gateway" "$OUT" "[gateway] ok: /etc/netplan/01-net.yaml keeps gateway 198.51.100.1"
if command -v netplan >/dev/null; then
        mkdir -p "$WORK/np/etc/netplan" && cp "$T/etc/netplan/01-net.yaml" "$WORK/np/etc/netplan/" && chmod 600 "$WORK/np/etc/netplan/01-net.yaml"
        if netplan generate --root-dir "$WORK/np" 2>"$WORK/np.err"; then
                grep -qx 'Gateway=198.51.100.1' "$WORK/np/run/systemd/network/10-netplan-eth1.network" &&
                        pass "netplan generate turns the route into networkd's Gateway= for eth1" ||
                        fail "netplan output lacks the gateway" "$(cat "$WORK"/np/run/systemd/network/*eth1* 2>&1)"
        else
                fail "netplan generate rejects the edited file" "$(cat "$WORK/np.err")"
        fi
else
        skip "netplan generate on the edited file" "netplan not installed"
fi

# 6b. A .network file whose Name= lists many interfaces: the message names the first ten and counts
# the other distinct ones (eth3 twice, lo never), instead of a line of every name.
T=$WORK/many; rm -rf "$T"; mkdir -p "$T/etc/systemd/network"
printf '[Match]\nName=eth0 eth1 eth2 eth3 lo eth3\nName=eth4 eth5 eth6 eth7 eth8 eth9 eth10 eth11 eth0\n\n[Network]\nAddress=192.0.2.10/24\n' \
        >"$T/etc/systemd/network/10-many.network"
run check --root "$T" --only gateway --profile "$WORK/gw.yaml"
expect_rc "many names: interface auto" 1
contains "many names: ten named, two more counted" "$OUT" \
        "[gateway] drift: several interfaces have a static IPv4 address (eth0, eth1, eth2, eth3, eth4, eth5, eth6, eth7, eth8, eth9 and 2 more); set gateway.interface in the profile"

# 7. Not managed, and a bad profile address.
T=$(new_tree gateway-unknown off)
run check --root "$T" --only gateway --profile "$WORK/off.yaml"
expect_rc "gateway.ensure false" 0
contains "ensure false: not managed" "$OUT" "[gateway] ok: not managed (gateway.ensure: false)"
run check --root "$T" --only gateway --profile "$WORK/bad.yaml"
expect_rc "gateway.address not an IPv4 address" 2
contains "bad address: names the profile and value" "$OUT" "bad.yaml: gateway.address '192.0.2.300' is neither auto nor an IPv4 address"

# 8. A malformed configuration file is refused and left alone.
T=$(new_tree gateway-netplan broken)
printf 'network:\n  ethernets:\n    ens3: [unclosed\n' >"$T/etc/netplan/50-cloud-init.yaml"
before=$(tree_state "$T")
run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
expect_rc "malformed netplan" 2
contains "malformed: names the file" "$OUT" "[gateway] error: /etc/netplan/50-cloud-init.yaml: line"
[ "$(tree_state "$T")" = "$before" ] && pass "malformed: nothing written" || fail "malformed: the tree changed"

# 9. NetworkManager keyfiles without the .nmconnection suffix (left by upgrades; NetworkManager still
#    loads every file there but hidden ones, "~" backups, names ending in a dot and six letters or
#    digits (its temp files, .rpmnew, .nmmeta), .pem and .der, and files not owned by root or open to
#    group or others). The node with "Wired connection 1" also holds one file of each kind it skips.
if [ "$(id -u)" = 0 ]; then
        declare -A nmfile=([gateway-keyfile-nosuffix]="Wired connection 1" [gateway-keyfile-eth0]=eth0)
        declare -A nmiface=([gateway-keyfile-nosuffix]=ens3 [gateway-keyfile-eth0]=eth0)
        for node in gateway-keyfile-nosuffix gateway-keyfile-eth0; do
                T=$(new_tree $node $node)
                D=$T/etc/NetworkManager/system-connections
                f="/etc/NetworkManager/system-connections/${nmfile[$node]}"
                find "$D" -type f -exec chown 0:0 {} + -exec chmod 600 {} + # as NetworkManager writes them
                [ -f "$D/README" ] && chmod 644 "$D/README"
                run check --root "$T" --only gateway --profile "$WORK/gw.yaml"
                expect_rc "$node: check finds no gateway" 1
                contains "$node: the message names the file" "$OUT" "[gateway] drift: $f has no gateway"
                contains "$node: the detail names the gateway and interface" "$OUT" \
                        "$f (NetworkManager keyfile): gateway 192.0.2.1 for ${nmiface[$node]}"
                run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
                expect_rc "$node: apply" 0
                check_expected "$T" $node
                [ "$(stat -c '%a %u' "$T$f")" = "600 0" ] && pass "$node: the file stays 0600 root" \
                        || fail "$node: the file is now $(stat -c '%a %u' "$T$f")"
                run apply --root "$T" --only gateway --profile "$WORK/gw.yaml"
                expect_rc "$node: a second apply changes nothing" 0
                contains "$node: and says the file keeps the gateway" "$OUT" "[gateway] ok: $f keeps gateway 192.0.2.1"
        done
        # A keyfile group or others may read, or another user owns, is not loaded by NetworkManager.
        for how in "chmod 644" "chmod 640" "chown 1000:0"; do
                T=$(new_tree gateway-keyfile-eth0 perm)
                chown 0:0 "$T/etc/NetworkManager/system-connections/eth0"
                chmod 600 "$T/etc/NetworkManager/system-connections/eth0"
                $how "$T/etc/NetworkManager/system-connections/eth0"
                run check --root "$T" --only gateway --profile "$WORK/gw.yaml"
                expect_rc "eth0 after $how: not NetworkManager's" 1
                contains "eth0 after $how: no configuration recognised" "$OUT" "no network configuration kubeprep recognises"
        done
else
        skip "NetworkManager keyfiles without a suffix" "NetworkManager loads only root's files: needs root"
fi

done_testing
