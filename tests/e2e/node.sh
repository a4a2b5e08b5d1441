# A real Debian 12 node for end-to-end tests: a debootstrap tree (cached
# outside the repository), booted with systemd-nspawn in its own network
# namespace, with commands run inside through nsenter. Sourced by
# tests/integration/e2e-node.sh after tests/lib.sh.
#
#   node_cache_ensure        build the cached tree once per package list (about 600 MB, a minute)
#   node_new NAME            a clean copy: an overlay over the cached tree
#   node_boot NAME           boot it in the background; waits until systemd runs
#   node_exec CMD...         run a command inside the booted node
#   node_poweroff            power it off and wait (also done on exit)

E2E_CACHE=${KUBEPREP_E2E_CACHE:-/var/cache/kubeprep-e2e}
E2E_PACKAGES=systemd,systemd-sysv,dbus,containerd,docker.io,iproute2,procps,libyaml-0-2,libcjson1,libmount1,libsystemd0,libcurl4,python3-yaml,firewalld,libpam-systemd,systemd-timesyncd
# One cached tree per package list: a branch that needs another package gets a tree of its own
# instead of one it would have to rebuild, and back, whenever branches alternate.
E2E_TREE="$E2E_CACHE/tree-$(printf '%s' "$E2E_PACKAGES" | sha256sum | cut -c1-12)"
NODE_PID=
NODE_NSPAWN=
NODE_DIR=

node_requirements() {
        [ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
        for c in debootstrap systemd-nspawn nsenter; do
                command -v $c >/dev/null || { echo "$c not installed (Debian packages debootstrap, systemd-container)"; return 1; }
        done
        grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || { echo "no overlayfs"; return 1; }
}

node_cache_ensure() {
        [ -f "$E2E_TREE/.kubeprep-complete" ] && return 0
        mkdir -p "$E2E_CACHE"
        rm -rf "$E2E_TREE.tmp"
        echo "# building the e2e node tree in $E2E_TREE (first run with these packages only)" >&2
        debootstrap --variant=minbase --include="$E2E_PACKAGES" bookworm "$E2E_TREE.tmp" \
                http://deb.debian.org/debian >"$E2E_TREE.log" 2>&1 || {
                echo "# debootstrap failed, see $E2E_TREE.log" >&2
                return 1
        }
        # No swap, no getty noise; the test talks to the node through nsenter.
        chroot "$E2E_TREE.tmp" systemctl mask console-getty.service getty.target >/dev/null 2>&1
        printf '%s\n' "$E2E_PACKAGES" >"$E2E_TREE.tmp/.kubeprep-complete"
        rm -rf "$E2E_TREE"
        mv "$E2E_TREE.tmp" "$E2E_TREE"
}

# A clean copy of the cached tree: an overlay whose upper layer lives in $WORK,
# so it survives a reboot of the node but never touches the cache.
node_new() {
        NODE_DIR="$WORK/node-$1"
        # A second node of one name would boot with the first one's changes in its upper layer.
        [ ! -e "$NODE_DIR" ] || { echo "# node_new: the node $1 exists already, name each node once" >&2; return 1; }
        mkdir -p "$NODE_DIR/upper" "$NODE_DIR/work" "$NODE_DIR/root"
        mount -t overlay overlay -o "lowerdir=$E2E_TREE,upperdir=$NODE_DIR/upper,workdir=$NODE_DIR/work" \
                "$NODE_DIR/root"
        echo "$NODE_DIR/root"
}

node_boot() {
        local root="$WORK/node-$1/root" i
        systemd-nspawn --quiet --keep-unit --register=no --private-network -b -D "$root" \
                >"$WORK/node-$1/console.log" 2>&1 </dev/null &
        NODE_NSPAWN=$!
        NODE_PID=
        for i in $(seq 1 200); do
                NODE_PID=$(pgrep -P "$NODE_NSPAWN" -x systemd | head -n1)
                [ -n "$NODE_PID" ] && break
                kill -0 "$NODE_NSPAWN" 2>/dev/null || break
                sleep 0.1
        done
        [ -n "$NODE_PID" ] || { echo "# the node did not boot:" >&2; sed 's/^/# /' "$WORK/node-$1/console.log" >&2; return 1; }
        # "running" or "degraded" once boot is over; until D-Bus is up systemctl cannot even ask.
        local state
        for i in $(seq 1 300); do
                state=$(nsenter -t "$NODE_PID" -a systemctl is-system-running 2>/dev/null)
                case "$state" in running | degraded) return 0 ;; esac
                sleep 0.2
        done
        echo "# the node did not finish booting: $state" >&2
        return 1
}

node_exec() {
        nsenter -t "$NODE_PID" -a "$@"
}

node_poweroff() {
        [ -n "$NODE_NSPAWN" ] || return 0
        if kill -0 "$NODE_NSPAWN" 2>/dev/null; then
                nsenter -t "$NODE_PID" -a systemctl poweroff >/dev/null 2>&1 || kill "$NODE_NSPAWN" 2>/dev/null
                for _ in $(seq 1 100); do kill -0 "$NODE_NSPAWN" 2>/dev/null || break; sleep 0.1; done
                kill -9 "$NODE_NSPAWN" 2>/dev/null
        fi
        wait "$NODE_NSPAWN" 2>/dev/null
        NODE_NSPAWN=
        NODE_PID=
}

node_cleanup() {
        node_poweroff
        local d
        for d in "$WORK"/node-*/root; do
                mountpoint -q "$d" && umount -l "$d"
        done
        cleanup_work
}
