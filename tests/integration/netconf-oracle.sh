#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks the persistent gateway editors (netconf.h) against the real readers:
#  - netplan: every interface of every netplan file (corpus + fixtures) that the editor changes is
#    written into a scratch root and `netplan generate --root-dir` (Debian package netplan.io) must
#    put the default route into the generated networkd file (on-link too, when asked);
#  - NetworkManager keyfiles: every fixture keyfile, edited, must load with `nmcli --offline
#    connection modify` (reads the keyfile on stdin; Debian 12's network-manager 1.42 has it) and
#    with libnm's own reader (nm_keyfile_read via python3-gi + gir1.2-nm-1.0, then verify()); both
#    must see the gateway (or the on-link default route). A missing reader is a TAP skip.
#  - which files of system-connections the NetworkManager daemon loads (by name, owner and mode):
#    exactly those kubeprep's scan takes as keyfiles.
# Usage: netconf-oracle.sh TOOL CORPUS_DIR SOURCE_ROOT        (TAP output)
set -u

# netconf-oracle.sh --nm-inside TMP DIR, run by the script itself in network and mount namespaces of
# its own: NetworkManager (keyfile plugin only, its keyfile directory DIR, /run and its state on
# tmpfs) on a private D-Bus; prints "FILENAME<TAB>GATEWAY" per connection it loaded.
if [ "${1:-}" = --nm-inside ]; then
        t=$2 dir=$3
        # Never mount over the machine's /run: only in a mount namespace unshare made for us, not our parent's.
        own=$(readlink /proc/self/ns/mnt) parent=$(readlink "/proc/$PPID/ns/mnt")
        if [ -z "$own" ] || [ -z "$parent" ] || [ "$own" = "$parent" ]; then
                echo "--nm-inside: not in a mount namespace of its own" >&2
                exit 1
        fi
        mount -t tmpfs tmpfs /run && mkdir /run/NetworkManager || exit 1
        if [ -d /var/lib/NetworkManager ]; then mount -t tmpfs tmpfs /var/lib/NetworkManager || exit 1; fi
        cat >"$t/bus.conf" <<BUS
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=$t/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy>
</busconfig>
BUS
        printf '[main]\nplugins=keyfile\ndns=none\nrc-manager=unmanaged\nno-auto-default=*\nhostname-mode=none\nauth-polkit=false\n[keyfile]\npath=%s\n' \
                "$dir" >"$t/NM.conf"
        mkdir -p "$t/conf.d"
        dbus-daemon --config-file="$t/bus.conf" --fork --print-pid >"$t/dbus.pid" || exit 1
        export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$t/bus
        NetworkManager --no-daemon --config="$t/NM.conf" --config-dir="$t/conf.d" --state-file="$t/nm.state" \
                --pid-file="$t/nm.pid" >"$t/nm.log" 2>&1 &
        nm=$! rc=1
        for _ in $(seq 1 100); do # it has read every keyfile before it answers
                if nmcli -t -f UUID,FILENAME connection show >"$t/nm.list" 2>>"$t/nm.log"; then
                        rc=0
                        break
                fi
                kill -0 $nm 2>/dev/null || break
                sleep 0.1
        done
        while IFS=: read -r uuid file; do
                printf '%s\t%s\n' "$file" "$(nmcli -g ipv4.gateway connection show "$uuid")"
        done <"$t/nm.list"
        kill $nm
        wait $nm
        kill "$(cat "$t/dbus.pid")"
        exit $rc
fi

tool=${1:?usage: netconf-oracle.sh TOOL CORPUS_DIR SOURCE_ROOT}
corpus=${2:?usage: netconf-oracle.sh TOOL CORPUS_DIR SOURCE_ROOT}/network
inputs=${3:?usage: netconf-oracle.sh TOOL CORPUS_DIR SOURCE_ROOT}/tests/fixtures/netconf/inputs
fixtures=$3/tests/fixtures
py=/usr/bin/python3
. "$(dirname "$0")/../tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "IFACE GATEWAY" per netplan interface: the first host of its first IPv4 address's subnet that is
# not the address itself, or "-" when it has no IPv4 address.
netplan_ifaces() { # FILE
        $py - "$1" <<'EOF'
import ipaddress, sys, yaml
try:
    doc = yaml.safe_load(open(sys.argv[1])) or {}
except yaml.YAMLError:
    sys.exit(0)
for kind, devs in ((doc.get("network") or {}).items()):
    if not isinstance(devs, dict) or kind in ("version", "renderer"):
        continue
    for name, d in devs.items():
        gw = "-"
        for a in (d or {}).get("addresses") or []:
            a = next(iter(a)) if isinstance(a, dict) else a
            try:
                i = ipaddress.ip_interface(str(a))
            except ValueError:
                continue
            if i.version == 4:
                hosts = [h for h in list(i.network.hosts())[:2] if h != i.ip] or [i.ip + 1]
                gw = str(hosts[0])
                break
        print(name, gw)
EOF
}

check_netplan() { # FILE IFACE GATEWAY [onlink]
        local f=$1 iface=$2 gw=$3 onlink=${4:-} name root rc existing
        name="$(basename "$f") $iface${onlink:+ onlink}"
        # A gateway already there is kept as it is (on-link or not): check that one is generated.
        if existing=$("$tool" netplan "$f" get "$iface" 2>/dev/null); then
                gw=$existing onlink=
        fi
        root="$tmp/root"
        rm -rf "$root" && mkdir -p "$root/etc/netplan"
        "$tool" netplan "$f" set "$iface" "$gw" $onlink >"$root/etc/netplan/50-test.yaml" 2>"$tmp/err"
        rc=$?
        if [ $rc = 2 ]; then
                skip "$name: netplan generate" "the editor refuses: $(cat "$tmp/err")"
                return
        fi
        chmod 600 "$root/etc/netplan/50-test.yaml"
        if ! netplan generate --root-dir "$root" >"$tmp/out" 2>&1; then
                not_ok "$name: netplan generate accepts the edited file" "$(cat "$tmp/out")"
                return
        fi
        ok "$name: netplan generate accepts the edited file"
        local unit
        unit=$(grep -l "^Name=$iface\$" "$root"/run/systemd/network/*.network 2>/dev/null | head -1)
        if [ -z "$unit" ]; then
                not_ok "$name: networkd file for $iface generated" "$(ls -R "$root/run" 2>&1)"
                return
        fi
        # netplan writes a default route as [Route] Destination=0.0.0.0/0 Gateway=GW (or Gateway= in [Network]).
        if $py - "$unit" "$gw" "$onlink" <<'EOF'; then
import sys
path, gw, onlink = sys.argv[1:]
sections, cur = [], None
for line in open(path):
    line = line.strip()
    if line.startswith("["):
        cur = {"name": line, "keys": {}}
        sections.append(cur)
    elif "=" in line and cur is not None:
        k, v = line.split("=", 1)
        cur["keys"][k] = v
for s in sections:
    k = s["keys"]
    if s["name"] == "[Network]" and k.get("Gateway") == gw and not onlink:
        sys.exit(0)
    if s["name"] == "[Route]" and k.get("Gateway") == gw and k.get("Destination", "0.0.0.0/0") == "0.0.0.0/0":
        if not onlink or k.get("GatewayOnLink") in ("true", "yes"):
            sys.exit(0)
sys.exit(1)
EOF
                ok "$name: generated $(basename "$unit") routes default via $gw${onlink:+ on-link}"
        else
                not_ok "$name: generated $(basename "$unit") routes default via $gw${onlink:+ on-link}" "$(cat "$unit")"
        fi
}

if ! command -v netplan >/dev/null; then
        skip "netplan generate" "netplan not installed (apt-get install netplan.io)"
elif ! $py -c 'import yaml' 2>/dev/null; then
        skip "netplan generate" "$py has no yaml module (python3-yaml)"
else
        for f in "$corpus"/*netplan*.yaml "$inputs"/*.yaml; do
                [ -e "$f" ] || continue
                while read -r iface gw; do
                        if [ "$gw" = - ]; then
                                skip "$(basename "$f") $iface: netplan generate" "no static IPv4 address to pick a gateway from"
                                continue
                        fi
                        check_netplan "$f" "$iface" "$gw"
                        check_netplan "$f" "$iface" "$gw" onlink
                done < <(netplan_ifaces "$f")
        done
fi

# ---- NetworkManager keyfiles ----
# nmcli 1.42 reads a keyfile on stdin with `--offline connection modify` and prints it back as
# NetworkManager writes it; "ipv4.method manual" is a no-op on every file the editor changes.
nmcli_offline=0
nmcli_reason=
if ! command -v nmcli >/dev/null; then
        nmcli_reason="nmcli not installed (apt-get install network-manager)"
elif ! out=$(printf '[connection]\nid=probe\ntype=ethernet\n[ipv4]\nmethod=auto\n' |
        nmcli --offline connection modify ipv4.method auto 2>&1); then
        nmcli_reason="nmcli $(nmcli --version | awk '{print $NF}') cannot read a keyfile offline: $out"
else
        nmcli_offline=1
fi

# Print "GATEWAY" or "route:GATEWAY:onlink|-" lines from nmcli's rewrite of a keyfile.
nmcli_read() { # FILE
        nmcli --offline connection modify ipv4.method manual <"$1" >"$tmp/nmcli.out" 2>&1 || { cat "$tmp/nmcli.out"; return 1; }
        $py - "$tmp/nmcli.out" <<'EOF'
import re, sys
ipv4, section = {}, None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("["):
        section = line
    elif section == "[ipv4]" and "=" in line:
        k, v = line.split("=", 1)
        ipv4[k] = v
for k, v in ipv4.items():
    if k == "gateway":
        print(v)
    elif re.fullmatch(r"address\d+", k) and "," in v:
        print(v.split(",")[1])
    elif re.fullmatch(r"route\d+", k) and v.startswith("0.0.0.0/0,"):
        onlink = "onlink=true" in ipv4.get(k + "_options", "")
        print("route:%s:%s" % (v.split(",")[1], "onlink" if onlink else "-"))
EOF
}

# Load a keyfile with libnm; print "GATEWAY" or "route:GATEWAY:onlink" lines, exit 1 if it does not load.
libnm_read() { # FILE
        $py - "$1" <<'EOF'
import sys
import gi
gi.require_version("NM", "1.0")
from gi.repository import GLib, NM
kf = GLib.KeyFile()
kf.load_from_file(sys.argv[1], GLib.KeyFileFlags.NONE)
c = NM.keyfile_read(kf, "/etc/NetworkManager/system-connections", NM.KeyfileHandlerFlags.NONE, None)
c.normalize()
c.verify()
ip4 = c.get_setting_ip4_config()
if ip4 and ip4.get_gateway():
    print(ip4.get_gateway())
for i in range(ip4.get_num_routes() if ip4 else 0):
    r = ip4.get_route(i)
    if r.get_prefix() == 0:
        a = r.get_attribute("onlink")
        print("route:%s:%s" % (r.get_next_hop(), "onlink" if a and a.get_boolean() else "-"))
EOF
}

# The first host of address1's subnet that is not the address.
keyfile_gateway() { # FILE
        $py - "$1" <<'EOF'
import ipaddress, re, sys
for line in open(sys.argv[1]):
    m = re.match(r"\s*address(?:es)?\d*\s*=\s*([0-9.]+)[/;](\d+)", line)
    if m:
        i = ipaddress.ip_interface("%s/%s" % m.groups())
        print(next(h for h in i.network.hosts() if h != i.ip))
        break
EOF
}

have_libnm=1
$py -c 'import gi; gi.require_version("NM", "1.0")' 2>/dev/null || have_libnm=0
[ $have_libnm = 1 ] || skip "libnm reads the edited keyfiles" "python3-gi with gir1.2-nm-1.0 not installed"
[ $nmcli_offline = 1 ] || skip "nmcli --offline reads the edited keyfiles" "$nmcli_reason"

# READER (libnm_read or nmcli_read) must load FILE and find WANT (a grep -x pattern).
expect_read() { # LABEL READER FILE WANT
        local got
        if ! got=$("$2" "$3" 2>&1); then
                not_ok "$1: $2 loads the keyfile" "$got"
        elif grep -qx -e "$4" <<<"$got"; then
                ok "$1: $2 finds $4"
        else
                not_ok "$1: $2 finds $4" "read: $got"
        fi
}

readers=()
[ $have_libnm = 1 ] && readers+=(libnm_read)
[ $nmcli_offline = 1 ] && readers+=(nmcli_read)
for f in "$inputs"/*.nmconnection; do
        [ ${#readers[@]} -gt 0 ] || break
        name=$(basename "$f")
        gw=$("$tool" keyfile "$f" get 2>/dev/null) || gw=
        if [ -n "$gw" ]; then
                # Already configured: the editor must read what NetworkManager reads.
                for reader in "${readers[@]}"; do
                        expect_read "$name (unchanged)" "$reader" "$f" "$gw\|route:$gw:.*"
                done
                continue
        fi
        gw=$(keyfile_gateway "$f")
        for onlink in "" onlink; do
                label="$name${onlink:+ onlink}"
                "$tool" keyfile "$f" set - "${gw:-10.0.0.1}" $onlink >"$tmp/edited.nmconnection" 2>"$tmp/err"
                if [ $? = 2 ]; then
                        skip "$label: NetworkManager readers" "the editor refuses: $(cat "$tmp/err")"
                        continue
                fi
                want=$gw
                [ -n "$onlink" ] && want="route:$gw:onlink"
                for reader in "${readers[@]}"; do
                        expect_read "$label" "$reader" "$tmp/edited.nmconnection" "$want"
                done
        done
done

# ---- Which files of system-connections NetworkManager loads ----
# The daemon's keyfile plugin decides by name (in /etc no suffix is needed), owner and mode, so the
# daemon itself is the reader (--nm-inside above). The files it loads from a tree's
# system-connections must be exactly those kubeprep's scan (netconf-tool scan) takes as keyfiles, and
# the gateway fixture nodes' files without a suffix, as kubeprep edits them, load with their gateway.
# (A .nmconnection file is kubeprep's whatever its mode: every candidate here has no suffix or 0600.)
nm_reason=
if [ "$(id -u)" != 0 ]; then
        nm_reason="needs root (namespaces; NetworkManager loads only root's files)"
elif ! command -v NetworkManager >/dev/null || ! command -v nmcli >/dev/null || ! command -v dbus-daemon >/dev/null; then
        nm_reason="NetworkManager, nmcli or dbus-daemon not installed (apt-get install network-manager dbus)"
elif ! unshare -n -m true 2>/dev/null; then
        nm_reason="cannot make network and mount namespaces here"
fi
if [ -n "$nm_reason" ]; then
        skip "NetworkManager loads what kubeprep takes as keyfiles" "$nm_reason"
else
        nmroot=$tmp/nmroot
        d=$nmroot/etc/NetworkManager/system-connections
        mkdir -p "$d/subdir" "$tmp/nm"
        # candidate NAME MODE OWNER: a valid keyfile (its own uuid and interface) only its name, mode or owner may exclude.
        i=0
        candidate() {
                i=$((i + 1))
                printf '[connection]\nid=candidate %s\nuuid=5c8b7a3e-1f0d-4b5e-9a6c-%012d\ntype=ethernet\ninterface-name=eth%s\n\n[ipv4]\naddress1=198.51.100.%s/24\nmethod=manual\n' \
                        $i $i $i $i >"$d/$1"
                chown "$3:0" "$d/$1" && chmod "$2" "$d/$1"
        }
        for name in eth0.nmconnection eth0.bak eth0.rpmsave eth0.dpkg-old eth0.ab3-e9 eth0.ab3de9x pem x.pem~1 \
                .eth0.swp eth0~ eth0.rpmnew eth0.Ab3dE9 ca.pem client.DER client.Pem \
                5c8b7a3e-1f0d-4b5e-9a6c-2d3e4f5a6b7c.nmmeta; do
                candidate "$name" 600 0
        done
        candidate open 644 0
        candidate group-readable 640 0
        candidate others-only 604 0
        candidate owner-read-only 400 0
        candidate not-root 600 1000
        # A relative link to a root-owned 0600 file: NetworkManager follows it (stat), so does the scan.
        candidate ../link-target 600 0
        ln -s ../link-target "$d/link"
        for node in gateway-keyfile-nosuffix gateway-keyfile-eth0; do
                for f in "$fixtures/expected/$node/etc/NetworkManager/system-connections/"*; do
                        cp "$f" "$d/" && chown 0:0 "$d/${f##*/}" && chmod 600 "$d/${f##*/}"
                done
        done
        if ! unshare -n -m --propagation private bash "$0" --nm-inside "$tmp/nm" "$d" >"$tmp/nm.loaded" 2>"$tmp/nm.err"; then
                not_ok "NetworkManager starts and lists its connections" "$(cat "$tmp/nm.err" "$tmp/nm/nm.log" 2>/dev/null | tail -20)"
        elif ! "$tool" scan "$nmroot" >"$tmp/scan.out" 2>&1; then
                not_ok "netconf-tool scan reads the tree" "$(cat "$tmp/scan.out")"
        else
                while IFS= read -r -d '' f; do
                        name=${f#"$d/"}
                        cut -f1 "$tmp/nm.loaded" | grep -qxF "$d/$name" && nm=loads || nm=skips
                        grep -qxF "/etc/NetworkManager/system-connections/$name"$'\tNetworkManager keyfile' "$tmp/scan.out" &&
                                kp=loads || kp=skips
                        what="'$name' ($(stat -c '%a, uid %u' "$f"))"
                        if [ $nm = $kp ]; then
                                ok "$what: NetworkManager $nm it, and so does kubeprep's scan"
                        else
                                not_ok "$what: NetworkManager $nm it, kubeprep's scan $kp it"
                        fi
                done < <(find "$d" -mindepth 1 -maxdepth 1 \( -type f -o -type l \) -print0 | sort -z)
                for f in "Wired connection 1" eth0; do
                        if grep -qxF "$d/$f"$'\t192.0.2.1' "$tmp/nm.loaded"; then
                                ok "'$f' as kubeprep edits it: NetworkManager loads it with gateway 192.0.2.1"
                        else
                                not_ok "'$f' as kubeprep edits it: NetworkManager loads it with gateway 192.0.2.1" "$(cat "$tmp/nm.loaded")"
                        fi
                done
        fi
fi

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
