#!/usr/bin/env bash
# Hostile trees: for every path a fixer (or the engine) reads or writes, the
# path itself, and each directory on its way, is replaced by a symlink out of
# the tree (absolute, and relative with enough ../ to climb out), and each file
# by a hard link to a file outside. `apply --root` on the sample node (every
# fixer acting) must never read or write outside the tree.
#
# What is refused and what is followed (the contract this test holds):
# - A symlink in the tree is resolved inside the tree (openat2 RESOLVE_IN_ROOT):
#   an absolute link to a host path means that path in the tree, where it is
#   usually absent. Following a link inside the root is NOT a refusal: the run
#   must behave exactly as if the outside target did not exist. Each attack is
#   therefore run twice, once with its outside target hidden (the control) and
#   once with it present: the reports and the resulting trees must be identical.
# - A hard link into the tree is a file of the tree; kubeprep replaces files by
#   rename, so the outside file keeps its bytes and mtime. The control is a
#   plain copy: same report, same tree.
# - A user's home belongs to the user: a symlink or a hard link anywhere in
#   ~/.kube, and a home that is not the user's, are refused (exit 2) with the
#   path named, and nothing is written there.
# "Outside" is checked by bytes, mtime, ctime, link count and atime (every
# outside file and directory gets an atime in 2001; a read or a directory
# listing moves it, relatime or not), and nothing may contain CANARY.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root: the trees hold homes owned by two users"

# tmpfs when there is one: hundreds of runs, each fsyncing its writes.
S=$(mktemp -d /dev/shm/kubeprep-hostile.XXXXXX 2>/dev/null) || S=$(mktemp -d "$WORK/hostile.XXXXXX")
trap 'rm -rf "$S"; cleanup_work' EXIT
OUTSIDE=$S/outside # targets of the attacks: never to be read or written
TREES=$S/trees
CTL=$S/control
BASE=$S/base
mkdir -p "$OUTSIDE" "$TREES" "$CTL"
SITE="$FIXTURES/profiles/centos7-site.yaml"
OPTS=(--profile "$SITE" --kubelet-version v1.16.15 --user dev -o json)
RUNID_RE='[0-9]{8}T[0-9]{6}\.[0-9]{6}Z'

# The sample node, plus a second user, ops, whose home is the victim of the
# attacks on dev's home.
cp -a "$FIXTURES/nodes/centos7" "$BASE"
echo 'ops:x:1001:1001:Operator:/home/ops:/bin/bash' >>"$BASE/etc/passwd"
echo 'ops:x:1001:' >>"$BASE/etc/group"
mkdir -p "$BASE/home/ops/.kube" "$BASE/var/tmp"
printf 'OPS-OWN-KUBECONFIG\n' >"$BASE/home/ops/.kube/config"
printf 'a file dev owns outside its home\n' >"$BASE/var/tmp/dev-file"
chown -R 1000:1000 "$BASE/home/dev" "$BASE/var/tmp/dev-file"
chown -R 1001:1001 "$BASE/home/ops"
chmod 700 "$BASE/home/ops/.kube"; chmod 600 "$BASE/home/ops/.kube/config"

# Every path a fixer or the engine reads or writes, and what it is in the
# sample node: f a file it has, n a file kubeprep creates, p a file only
# probed or read when present, d a directory (listed, measured or created).
# A NEW PATH IN THE CODE (fixers/*.c, preflight/*.c) MUST BE ADDED HERE.
# Paths under /home/dev (kubeconfig's writes) must be refused when attacked.
PATHS=(
        "f /etc/fstab"                                      # swap
        "n /etc/systemd/system/swap.target"                 # swap: masked with a symlink
        "f /etc/docker/daemon.json"                         # cgroup-driver
        "f /etc/containerd/config.toml"                     # cgroup-driver
        "f /usr/bin/containerd"                             # cgroup-driver: node_has_program (node.c)
        "f /usr/bin/dockerd"                                # cgroup-driver: node_has_program
        "p /usr/sbin/containerd"                            # node_has_program's other directories
        "p /usr/local/bin/dockerd"
        "p /etc/crio/crio.conf"                             # crio-config.c: cgroup-driver, sandbox-image
        "d /etc/crio/crio.conf.d"                           # crio-config.c: listed
        "p /usr/bin/cri-dockerd"                            # cri-runtimes.c: a runtime's program
        "p /lib/systemd/system/containerd.service"          # cri-runtimes.c: unit_file_path
        "p /etc/systemd/system/kubelet.service"             # boot-units: unit_file_path, masked
        "f /var/lib/kubelet/config.yaml"                    # kubelet-files.c: cgroup-driver, csi-migration
        "f /var/lib/kubelet/kubeadm-flags.env"              # kubelet-files.c: cgroup-driver, eviction, kubelet-flags
        "f /etc/sysconfig/kubelet"                          # kubelet-files.c
        "p /etc/default/kubelet"                            # kubelet-files.c
        "d /usr/lib/systemd/system/kubelet.service.d"       # kubelet-files.c: drop-ins listed
        "f /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
        "d /lib/systemd/system/kubelet.service.d"           # kubelet-files.c
        "d /etc/systemd/system/kubelet.service.d"           # kubelet-files.c
        "d /etc/kubeprep/patches"                           # the kubeadm patch dir (created)
        "n /etc/kubeprep/patches/kubeletconfiguration+merge.yaml"
        "p /etc/kubeprep/profiles/default.yaml"             # profile.c: the node's own profile by name
        "f /etc/kubernetes/admin.conf"                      # kubeconfig: the source
        "p /root/.kube/config"                              # kubeconfig: the other source
        "f /etc/passwd"                                     # passwd.c
        "f /etc/group"                                      # passwd.c
        "d /home/dev"                                       # kubeconfig: dev's home
        "d /home/dev/.kube"                                 # kubeconfig: created
        "n /home/dev/.kube/config"                          # kubeconfig: written
        "f /etc/redhat-release"                             # eviction: the distribution
        "p /etc/debian_version"                             # eviction
        "d /var/lib/dpkg"                                   # eviction
        "d /var/lib/rpm"                                    # eviction
        "f /etc/kubernetes/manifests/kube-apiserver.yaml"   # node.c: the control plane's version
        "p /var/lib/dpkg/status"                            # node.c: the kubelet's version
        "f /usr/bin/kubelet"                                # node.c: the architecture
        "p /bin/sh"                                         # node.c
        "p /usr/bin/sh"                                     # node.c
        "f /sbin/init"                                      # node.c: the init system
        "f /usr/lib/systemd/systemd"                        # node.c
        "p /lib/systemd/systemd"                            # node.c
        "d /etc/sysconfig/network-scripts"                  # netconf-scan.c: gateway
        "f /etc/sysconfig/network-scripts/ifcfg-eth0"       # gateway: edited
        "d /etc/NetworkManager/system-connections"          # netconf-scan.c
        "d /etc/systemd/network"                            # netconf-scan.c
        "d /etc/netplan"                                    # netconf-scan.c
        "p /etc/network/interfaces"                         # netconf-scan.c
        "d /etc/network/interfaces.d"                       # netconf-scan.c
        "f /etc/sysctl.conf"                                # sysctl-conf.c
        "d /etc/sysctl.d"                                   # sysctl-conf.c: listed, and written to
        "n /etc/sysctl.d/99-kubeprep.conf"                  # sysctl
        "d /run/sysctl.d"                                   # sysctl-conf.c
        "d /usr/local/lib/sysctl.d"                         # sysctl-conf.c
        "d /usr/lib/sysctl.d"                               # sysctl-conf.c
        "d /lib/sysctl.d"                                   # sysctl-conf.c
        "d /etc/modules-load.d"                             # sysctl
        "n /etc/modules-load.d/kubeprep.conf"               # sysctl
        "d /var/lib/kubelet"                                # disk-pressure: measured
        "d /var/lib"                                        # disk-pressure
        "d /var/lib/containerd"                             # disk-pressure
        "d /var/lib/docker"                                 # disk-pressure
        "d /var/lib/kubeprep/backups"                       # backup.c
        "p /etc/resolv.conf"                                # dns: the kubelet's default resolvConf
        "p /run/systemd/resolve/resolv.conf"                # dns: systemd-resolved's upstream list
        "p /etc/kubeprep/resolv.conf"                       # dns: kubeprep's own, from dns.upstream
        "p /etc/environment"                                # proxy
        "p /usr/lib/systemd/system/containerd.service"      # proxy: a runtime's unit
        "d /etc/systemd/system/containerd.service.d"        # proxy: its drop-ins
        "p /etc/kubernetes/kubelet.conf"                    # leftovers: a joined node
        "p /etc/kubernetes/manifests/etcd.yaml"             # leftovers
        "d /var/lib/etcd"                                   # leftovers: listed
        "p /etc/kubernetes/manifests/kube-controller-manager.yaml" # node.c: the Pod range
        "p /usr/sbin/iptables"                              # programs
        "d /usr/local/sbin"                                 # programs: a PATH directory
        "f /usr/lib/systemd/system/firewalld.service"       # unit-files.c: firewall, is it enabled
        "p /etc/systemd/system/firewalld.service"           # unit-files.c: a mask, or the admin's unit
        "p /etc/systemd/system/multi-user.target.wants/firewalld.service" # unit-files.c: its [Install] link
        "f /etc/firewalld/firewalld.conf"                   # firewall: DefaultZone
        "d /etc/firewalld/zones"                            # firewall: created
        "n /etc/firewalld/zones/public.xml"                 # firewall: a copy of the vendor's, with ports
        "f /usr/lib/firewalld/zones/public.xml"             # firewall
        "p /etc/firewalld/services/ssh.xml"                 # firewall: a zone's service, the admin's first
        "f /usr/lib/firewalld/services/ssh.xml"             # firewall
        "p /etc/ufw/ufw.conf"                               # firewall: ufw
        "f /etc/hostname"                                   # node.c: the node's name
        "f /etc/hosts"                                      # hostname: a line added
        "f /usr/lib/systemd/system/chronyd.service"         # time-sync: installed, [Install] read
        "d /etc/systemd/system/multi-user.target.wants"     # time-sync: created
        "n /etc/systemd/system/multi-user.target.wants/chronyd.service" # time-sync: systemctl enable's link
        "p /boot/firmware/cmdline.txt"                      # kernel-cgroups: a Raspberry Pi's
        "p /boot/cmdline.txt"                               # kernel-cgroups
)

home_path() { case "$1" in /home/dev | /home/dev/* | /home) return 0 ;; esac; return 1; }
id_of() { local s=${2//\//_}; echo "$1${s//+/_}"; }
# A relative link from node path $1 climbing out of any root, to host path $2.
climb() { local depth; depth=$(echo "$TREES/x$1" | tr -cd / | wc -c); printf '../%.0s' $(seq 1 "$depth"); echo "${2#/}"; }

# Cases: "attack path". abs/rel: the path is a symlink out; hard: a hard link
# to a file outside; dabs/drel: a directory on the way is a symlink out.
CASES=()
declare -A KIND DIRS
for e in "${PATHS[@]}"; do
        k=${e%% *} p=${e#* }
        KIND[$p]=$k
        CASES+=("abs $p" "rel $p")
        [ "$k" != d ] && CASES+=("hard $p")
        d=$p
        [ "$k" = d ] || d=${p%/*}
        while [ -n "$d" ]; do DIRS[$d]=1; d=${d%/*}; done
done
for d in $(printf '%s\n' "${!DIRS[@]}" | sort); do CASES+=("dabs $d" "drel $d"); done

canary_content() { # the bytes an outside file holds: the real ones plus a marker where that stays valid
        local p=$1
        case "$p" in
        *.json) printf '{"CANARY": true}\n' ;;
        *) printf '# CANARY %s\n' "$p"; [ -f "$BASE$p" ] && [ ! -L "$BASE$p" ] && cat "$BASE$p" ;;
        esac
}
prepare_outside() { # prepare_outside ID ATTACK PATH: what the attack points to, outside every tree
        local o="$OUTSIDE/$1" a=$2 p=$3
        mkdir -p "$o"
        case "$a" in
        abs | rel)
                if [ "${KIND[$p]}" = d ]; then
                        mkdir -p "$o/canary"
                        [ -d "$BASE$p" ] && cp -a "$BASE$p/." "$o/canary/"
                        printf '# CANARY\nnet.ipv4.ip_forward = 0\n' >"$o/canary/00-CANARY.conf"
                        printf 'DEVICE=CANARY\nGATEWAY=203.0.113.99\n' >"$o/canary/ifcfg-CANARY"
                else
                        canary_content "$p" >"$o/canary"
                fi ;;
        hard)
                if [ "${KIND[$p]}" = f ] && [ ! -L "$BASE$p" ]; then cp -a "$BASE$p" "$o/canary"; else canary_content "$p" >"$o/canary"; fi
                home_path "$p" && chown 1000:1000 "$o/canary" ;;
        dabs | drel)
                mkdir -p "$o/canary"
                cp -a "$BASE$p/." "$o/canary/" 2>/dev/null
                printf '# CANARY\n' >"$o/canary/00-CANARY.conf" ;;
        esac
}
plant() { # plant ID ATTACK PATH [copy]: a fresh tree with the attack (none: no attack); copy: the hard link's control
        local t="$TREES/$1" a=$2 p=$3 target="$OUTSIDE/$1/canary"
        rm -rf "$t"; cp -a "$BASE" "$t"
        [ "$a" = none ] && return
        if [ ! -d "$t${p%/*}" ]; then
                mkdir -p "$t${p%/*}"
                # dev's own ~/.kube: so that the attack, not the owner, is what is refused
                [ "${p%/*}" = /home/dev/.kube ] && chown 1000:1000 "$t/home/dev/.kube" && chmod 700 "$t/home/dev/.kube"
        fi
        rm -rf "${t:?}$p"
        case "$a" in
        abs | dabs) ln -s "$target" "$t$p" ;;
        rel | drel) ln -s "$(climb "$p" "$target")" "$t$p" ;;
        hard) if [ "${4:-}" = copy ]; then cp -a "$target" "$t$p"; else ln "$target" "$t$p"; fi ;;
        esac
}
normalize() { sed -E "s/$RUNID_RE/RUNID/g"; }
# The tree by content (not times, not inodes), backups left out (named by run id).
digest() {
        (cd "$1" && { find . -path ./var/lib/kubeprep -prune -o -printf '%p %y %m %U %G %s %l\n' | sort
                find . -path ./var/lib/kubeprep -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum; } |
                grep -v -E "$RUNID_RE")
}
apply_tree() { # apply_tree ID: kubeprep apply on that tree; $RC, $OUT (stdout+stderr, normalized)
        "$KUBEPREP" apply --root "$TREES/$1" "${OPTS[@]}" >"$S/out" 2>&1
        RC=$?
        OUT=$(normalize <"$S/out")
}

# The untouched base: the sample node's run (every fixer acting), so that an
# attack judged "as without the outside target" is judged on a real run.
plant ref none /
apply_tree ref
[ "$RC" = 1 ] && [ "$(grep -c '"status":[[:space:]]*"changed"' <<<"$OUT")" = 12 ] &&
        pass "the base tree: 12 fixers change something, the version skew stays (exit 1)" ||
        fail "the base tree does not act as the sample node (exit $RC)" "$OUT"

# Pass 0: the outside targets. Pass 1: each attack with its target hidden (or copied).
for c in "${CASES[@]}"; do prepare_outside "$(id_of ${c%% *} "${c#* }")" ${c%% *} "${c#* }"; done
# For rollback (below): an /etc and an fstab outside.
mkdir -p "$OUTSIDE/rb-etc" "$OUTSIDE/rb-fstab" "$OUTSIDE/rb-backup"
cp -a "$BASE/etc" "$OUTSIDE/rb-etc/canary"
canary_content /etc/fstab >"$OUTSIDE/rb-fstab/canary"
canary_content /etc/fstab >"$OUTSIDE/rb-backup/canary"
# For diagnose (below): a journal directory outside.
mkdir -p "$OUTSIDE/journal/canary"; printf 'CANARY\n' >"$OUTSIDE/journal/canary/system.journal"
for c in "${CASES[@]}"; do
        a=${c%% *} p=${c#* } id=$(id_of "$a" "$p")
        if [ "$a" = hard ]; then
                plant "$id" "$a" "$p" copy
        else
                plant "$id" "$a" "$p"; mv "$OUTSIDE/$id" "$OUTSIDE/$id.away"
        fi
        apply_tree "$id"
        printf '%s\n' "$RC" >"$CTL/$id.rc"; printf '%s\n' "$OUT" >"$CTL/$id.out"; digest "$TREES/$id" >"$CTL/$id.tree"
        [ "$a" = hard ] || mv "$OUTSIDE/$id.away" "$OUTSIDE/$id"
        rm -rf "${TREES:?}/$id"
done

# The outside as it is now: bytes, then every file and directory with an atime
# of long ago. A hard link's target is read through the tree by design: only
# its bytes and mtime count.
(cd "$OUTSIDE" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$S/outside.sha"
find "$OUTSIDE" -print0 | xargs -0 touch -h -a -d '2001-01-01 00:00:00'
mapfile -t HARD_LIST < <(find "$OUTSIDE" -path "$OUTSIDE/hard*/canary" | sort)
mapfile -t OLIST < <(find "$OUTSIDE" ! -path "$OUTSIDE/hard*/canary" | sort)
outside_state() {
        stat -c '%n %s %Y' "${HARD_LIST[@]}" 2>&1
        stat -c '%n %F %a %s %Y %Z %X %h' "${OLIST[@]}" 2>&1
}
BEFORE=$(outside_state)

# Pass 2: the attacks.
n_cases=0 n_refused=0 n_other_refused=0 failed_before=$_tap_failed
for c in "${CASES[@]}"; do
        a=${c%% *} p=${c#* } id=$(id_of "$a" "$p")
        n_cases=$((n_cases + 1))
        plant "$id" "$a" "$p"
        apply_tree "$id"
        what="$a $p"
        now=$(outside_state)
        if [ "$now" != "$BEFORE" ]; then
                fail "$what: something outside the tree was read or written" "$(diff <(echo "$BEFORE") <(echo "$now") | head -20)
$OUT"
                BEFORE=$now # the next case is judged on its own
        fi
        # (A hard link is a file of the tree: reading it is no escape, only writing to it would be.)
        if [ "$a" != hard ]; then
                case "$OUT" in *CANARY*) fail "$what: the report shows the outside file's content" "$OUT" ;; esac
                grep -rlq CANARY "$TREES/$id" && fail "$what: outside content ended up in the tree" "$(grep -rl CANARY "$TREES/$id")"
        fi
        if [ "$a" = hard ] && home_path "$p"; then
                : # refused below, where its control, a plain copy, is not
        elif [ "$RC" != "$(cat "$CTL/$id.rc")" ] || [ "$OUT" != "$(cat "$CTL/$id.out")" ]; then
                fail "$what: the report differs from the run without the outside target (exit $RC, control $(cat "$CTL/$id.rc"))" \
                        "$(diff <(cat "$CTL/$id.out") <(echo "$OUT") | head -30)"
        elif ! dg=$(digest "$TREES/$id") || [ "$dg" != "$(cat "$CTL/$id.tree")" ]; then
                fail "$what: the tree differs from the run without the outside target" \
                        "$(diff "$CTL/$id.tree" <(echo "$dg") | head -20)"
        fi
        # A refusal says which path; attacks on dev's home are always refused.
        if home_path "$p"; then
                n_refused=$((n_refused + 1))
                [ "$RC" = 2 ] || fail "$what: an attack on dev's home is not refused (exit $RC)" "$OUT"
                case "$OUT" in *"$p"*) ;; *) fail "$what: the refusal does not name $p" "$OUT" ;; esac
                if [ -d "$TREES/$id/home/ops" ] && [ ! -L "$TREES/$id/home" ] &&
                        [ "$(cd "$TREES/$id/home/ops" && find . -printf '%p %m %U %s %T@\n' | sort)" != \
                          "$(cd "$BASE/home/ops" && find . -printf '%p %m %U %s %T@\n' | sort)" ]; then
                        fail "$what: ops's home was changed"
                fi
        elif [ "$RC" = 2 ]; then
                n_other_refused=$((n_other_refused + 1))
                case "$OUT" in *"$p"*) ;; *) fail "$what: exit 2 without naming $p" "$OUT" ;; esac
        fi
        rm -rf "${TREES:?}/$id"
done
[ "$_tap_failed" = "$failed_before" ] && pass "$n_cases attacks ($((${#PATHS[@]})) paths, ${#DIRS[@]} directories): nothing outside read or written, reports and trees as without the outside targets"
echo "# $n_refused attacks on dev's home refused; $n_other_refused others exit 2 (a file then missing from the tree), naming it"

# Attacks on dev's home from inside the tree: into ops's home, or a hard link.
# Each is refused with the path and the reason; the other fixers still act;
# ops's home is not touched.
ops_state() { (cd "$1/home/ops" && find . -printf '%p %y %m %U %G %s %T@ %n\n' | sort && sha256sum .kube/config); }
OPS_BEFORE=$(ops_state "$BASE")
home_case() { # home_case NAME WANT-MESSAGE: after the caller planted the attack in $T
        local name=$1 want=$2
        apply_tree "${T##*/}"
        expect_rc "$name: refused" 2
        contains "$name: the message names the path and why" "$OUT" "$want"
        contains "$name: the other fixers still act" "$OUT" '"summary"'
        [ "$(grep -c '"status":[[:space:]]*"changed"' <<<"$OUT")" = 11 ] || fail "$name: not the 11 other fixers changed" "$OUT"
        [ "$(ops_state "$T")" = "$OPS_BEFORE" ] && pass "$name: ops's home untouched" || fail "$name: ops's home changed"
}
T=$TREES/e1; plant e1 none /; mkdir -m 700 "$T/home/dev/.kube"; chown 1000:1000 "$T/home/dev/.kube"
ln -s /home/ops/.kube/config "$T/home/dev/.kube/config"
home_case "~/.kube/config -> /home/ops/.kube/config" "dev: /home/dev/.kube/config is a symbolic link; nothing was written there"
T=$TREES/e2; plant e2 none /; mkdir -m 700 "$T/home/dev/.kube"; chown 1000:1000 "$T/home/dev/.kube"
ln -s ../../ops/.kube/config "$T/home/dev/.kube/config"
home_case "~/.kube/config -> ../../ops/.kube/config" "dev: /home/dev/.kube/config is a symbolic link; nothing was written there"
T=$TREES/e3; plant e3 none /; ln -s /home/ops/.kube "$T/home/dev/.kube"
home_case "~/.kube -> /home/ops/.kube" "dev: /home/dev/.kube is a symbolic link; nothing was written there"
T=$TREES/e4; plant e4 none /; mkdir -m 700 "$T/home/dev/.kube"; chown 1000:1000 "$T/home/dev/.kube"
ln "$T/home/ops/.kube/config" "$T/home/dev/.kube/config"
OPS_BEFORE_E4=$OPS_BEFORE; OPS_BEFORE=$(ops_state "$T") # the hard link counts as ops's file's second name
home_case "~/.kube/config a hard link to ops's kubeconfig" \
        "dev: /home/dev/.kube/config belongs to ops (uid 1001), not to dev; nothing was written there"
OPS_BEFORE=$OPS_BEFORE_E4
T=$TREES/e5; plant e5 none /; mkdir -m 700 "$T/home/dev/.kube"; chown 1000:1000 "$T/home/dev/.kube"
ln "$T/var/tmp/dev-file" "$T/home/dev/.kube/config"
home_case "~/.kube/config a hard link to a file dev owns elsewhere" \
        "dev: /home/dev/.kube/config has 2 hard links (it could be another user's file); nothing was written there"
same_file "the hard-linked file keeps its bytes" "$T/var/tmp/dev-file" "$BASE/var/tmp/dev-file"
T=$TREES/e6; plant e6 none /; rm -rf "$T/home/dev"; ln -s /home/ops "$T/home/dev"
home_case "/home/dev -> /home/ops" \
        "dev: the home directory /home/ops belongs to ops (uid 1001), not to dev; nothing was written there"
T=$TREES/e7; plant e7 none /; mkdir -m 700 "$T/home/dev/.kube"; chown 1001:1001 "$T/home/dev/.kube"
home_case "~/.kube owned by ops" "dev: /home/dev/.kube belongs to ops (uid 1001), not to dev; nothing was written there"
[ -z "$(ls -A "$T/home/dev/.kube")" ] && pass "nothing written into ops's ~/.kube" || fail "something written into ops's ~/.kube"

# Rollback after links were planted: it puts files back inside the tree only,
# and never through a link in a user's home.
rollback_tree() { # rollback_tree NAME: an applied tree $T; the caller plants, then calls rollback_run
        T=$TREES/$1; plant "$1" none /
        "$KUBEPREP" apply --root "$T" "${OPTS[@]}" >/dev/null 2>&1
}
rollback_run() {
        "$KUBEPREP" rollback --root "$T" >"$S/out" 2>&1; RC=$?; OUT=$(cat "$S/out"); ERR=
}
outside_unchanged() {
        local now; now=$(outside_state)
        [ "$now" = "$BEFORE" ] && pass "$1: nothing outside the tree read or written" ||
                { fail "$1: something outside the tree was read or written" "$(diff <(echo "$BEFORE") <(echo "$now") | head)"; BEFORE=$now; }
}
rollback_tree r1; mv "$T/etc" "$T/etc.moved"; ln -s "$OUTSIDE/rb-etc/canary" "$T/etc"
rollback_run
expect_rc "rollback, /etc a link out of the tree (its passwd with it): the run is refused" 2
contains "the file it cannot vouch for is named, with why" "$OUT" \
        "names /home/dev/.kube/config, which is not a file kubeprep manages (no user's home is: /etc/passwd: "
outside_unchanged "rollback through /etc -> outside"

# A file replaced since the run (here by a link out of the tree) is someone else's change: left alone.
rollback_tree r2; rm "$T/etc/fstab"; ln -s "$OUTSIDE/rb-fstab/canary" "$T/etc/fstab"
rollback_run
expect_rc "rollback, /etc/fstab since a link out of the tree: not restored, the rest is (exit 1)" 1
contains "the file left alone is named, with why" "$OUT" "[rollback] /etc/fstab: changed since run "
[ "$(readlink "$T/etc/fstab")" = "$OUTSIDE/rb-fstab/canary" ] && pass "the link is left as it is" ||
        fail "etc/fstab after rollback: $(ls -l "$T/etc/fstab")"
outside_unchanged "rollback over /etc/fstab -> outside"

rollback_tree r3; mv "$T/home/dev/.kube" "$T/home/dev/.kube.moved"; ln -s /home/ops/.kube "$T/home/dev/.kube"
rollback_run
expect_rc "rollback, ~/.kube a link to ops's: that file is left (exit 1)" 1
contains "the path is named" "$OUT" "[rollback] /home/dev/.kube/config: cannot remove: Too many levels of symbolic links"
[ "$(ops_state "$T")" = "$OPS_BEFORE" ] && pass "rollback did not remove ops's kubeconfig" || fail "ops's home changed by rollback"

rollback_tree r4; mv "$T/home/dev" "$T/home/dev.moved"; ln -s /home/ops "$T/home/dev"
rollback_run
expect_rc "rollback, /home/dev a link to ops's home: that file is left (exit 1)" 1
contains "the path is named" "$OUT" "[rollback] /home/dev/.kube/config: cannot remove: Too many levels of symbolic links"
[ "$(ops_state "$T")" = "$OPS_BEFORE" ] && pass "rollback did not touch ops's home" || fail "ops's home changed by rollback"

rollback_tree r5; rm "$T/home/dev/.kube/config"; ln "$T/home/ops/.kube/config" "$T/home/dev/.kube/config"
rollback_run
expect_rc "rollback, ~/.kube/config now a hard link to ops's: not what the run wrote, left (exit 1)" 1
contains "the path is named" "$OUT" "[rollback] /home/dev/.kube/config: changed since run "
same_file "ops's kubeconfig keeps its bytes" "$T/home/ops/.kube/config" "$BASE/home/ops/.kube/config"

rollback_tree r6
b=$(grep -l '"/etc/fstab"' "$T"/var/lib/kubeprep/backups/*/manifest.json)
n=$($PYTHON -c 'import json,sys; print([f["backup"] for f in json.load(open(sys.argv[1]))["files"] if f["path"]=="/etc/fstab"][0])' "$b")
rm "${b%/*}/$n"; ln -s "$OUTSIDE/rb-backup/canary" "${b%/*}/$n"
rollback_run
expect_rc "rollback, a saved file replaced by a link out of the tree: the run is refused" 2
contains "the link is named" "$OUT" "/$n is not a regular file; nothing was restored"
not_contains "the outside file is not put in its place" "$(cat "$T/etc/fstab")" CANARY
outside_unchanged "rollback reading a backup -> outside"

# diagnose --root reads the tree's /var/log/journal (preflight/kubelet-log.c):
# a link from there out of the tree is resolved inside it, where it is absent.
for how in abs rel; do
        T=$TREES/j-$how; plant "j-$how" none /; mkdir -p "$T/var/log"
        if [ $how = abs ]; then ln -s "$OUTSIDE/journal/canary" "$T/var/log/journal"
        else ln -s "$(climb /var/log/journal "$OUTSIDE/journal/canary")" "$T/var/log/journal"; fi
        "$KUBEPREP" diagnose --root "$T" >"$S/out" 2>&1; RC=$?; OUT=$(cat "$S/out")
        expect_rc "diagnose, /var/log/journal a $how link out of the tree: no journal" 2
        contains "diagnose: the tree's own journal directory is named" "$OUT" \
                "cannot open the journal directory $T/var/log/journal: No such file or directory"
        outside_unchanged "diagnose through a $how /var/log/journal link"
done

ok "every outside file keeps its bytes" sh -c "cd '$OUTSIDE' && sha256sum --quiet -c '$S/outside.sha'"

done_testing
