#!/usr/bin/env bash
# The check-only fixers that mirror kubeadm's preflight, on trees (--root): leftovers
# (FileAvailable, DirAvailable) for a control plane, a worker, a joined node and under the kubeadm
# hook; programs (FileExisting-NAME) by kubelet version, with which(1) over the tree's PATH as the
# oracle; proxy (HTTPProxy, HTTPProxyCIDR) from /etc/environment and runtime drop-ins, with
# curl's NO_PROXY handling as the oracle; and the live-only ones skipped with --root. Each finding
# names kubeadm's check, in the text and in JSON's kubeadmChecks; nothing is ever written.
. "$(dirname "$0")/../lib.sh"

# The fixer's result in a JSON report.
result() { # result FILE FIXER
        $PYTHON -c 'import json, sys
print(json.dumps([x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == sys.argv[2]][0]))' "$1" "$2"
}
checks_are() { # checks_are NAME FILE FIXER CHECK...: the result's kubeadmChecks, in order
        local name=$1 file=$2 fixer=$3; shift 3
        local got want
        got=$($PYTHON -c 'import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == sys.argv[2]][0]
print(" ".join(r["kubeadmChecks"]))' "$file" "$fixer")
        want="$*"
        [ "$got" = "$want" ] && pass "$name" || fail "$name: kubeadmChecks '$got', want '$want'"
}
untouched() { # untouched NAME TREE BEFORE
        [ "$(tree_state "$2")" = "$3" ] && pass "$1: nothing written" || fail "$1: the tree changed"
}

mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/kubeadm"
chmod +x "$WORK/bin/kubeadm"

# 1. leftovers. A node where a kubeadm init stopped half way: control-plane manifests and etcd data.
T=$WORK/failed-init
mkdir -p "$T/etc/kubernetes/manifests" "$T/var/lib/etcd/member/snap" "$T/usr/bin"
for m in kube-apiserver kube-controller-manager kube-scheduler etcd; do
        printf 'apiVersion: v1\nkind: Pod\n' >"$T/etc/kubernetes/manifests/$m.yaml"
done
: >"$T/var/lib/etcd/member/snap/db"
before=$(tree_state "$T")
run check --root "$T" --only leftovers -o json
expect_rc "failed init: check" 1
printf '%s' "$OUT" >"$WORK/l1.json"
checks_are "failed init: kubeadm init's checks, in its order" "$WORK/l1.json" leftovers \
        FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml \
        FileAvailable--etc-kubernetes-manifests-kube-controller-manager.yaml \
        FileAvailable--etc-kubernetes-manifests-kube-scheduler.yaml FileAvailable--etc-kubernetes-manifests-etcd.yaml \
        DirAvailable--var-lib-etcd
run check --root "$T" --only leftovers
contains "failed init: kubeadm's own words" "$OUT" "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists"
contains "failed init: etcd's data" "$OUT" "[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty"
contains "failed init: the advice" "$OUT" "[leftovers] drift: kubeadm init would stop: a previous kubeadm run left"
contains "failed init: why init's checks" "$OUT" "the checks of kubeadm init (role auto, /etc/kubernetes/manifests/kube-apiserver.yaml)"
run apply --root "$T" --only leftovers
expect_rc "failed init: apply cannot fix it" 1
untouched "failed init: check and apply" "$T" "$before"
# An empty etcd directory is no leftover, nor is a dangling link where a manifest would be.
rm -rf "$T/var/lib/etcd/member" "$T/etc/kubernetes/manifests/"*
ln -s /nonexistent "$T/etc/kubernetes/manifests/etcd.yaml"
run check --root "$T" --only leftovers
expect_rc "an empty /var/lib/etcd and a dangling link" 0
contains "worker then: nothing in join's way" "$OUT" "[leftovers] ok: nothing a previous kubeadm run left is in kubeadm join's way"

# A worker whose kubeadm join stopped before the TLS bootstrap: the bootstrap kubeconfig and the CA.
T=$WORK/failed-join
mkdir -p "$T/etc/kubernetes/pki"
: >"$T/etc/kubernetes/bootstrap-kubelet.conf"
: >"$T/etc/kubernetes/pki/ca.crt"
run check --root "$T" --only leftovers -o json
expect_rc "failed join: check" 1
printf '%s' "$OUT" >"$WORK/l2.json"
checks_are "failed join: kubeadm join's checks" "$WORK/l2.json" leftovers \
        FileAvailable--etc-kubernetes-bootstrap-kubelet.conf FileAvailable--etc-kubernetes-pki-ca.crt
# A joined node (kubelet.conf) is a cluster member: kubeadm's checks for a new node do not apply ...
: >"$T/etc/kubernetes/kubelet.conf"
run check --root "$T" --only leftovers
expect_rc "joined node" 0
contains "joined node: says why" "$OUT" "[leftovers] ok: the node has joined a cluster (/etc/kubernetes/kubelet.conf exists): kubeadm's checks for a new node do not apply"
# ... unless the kubeadm hook is about to join it again: then kubelet.conf is kubeadm's first error.
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --only leftovers -o json -- join 192.0.2.20:6443 --token abcdef.0123456789abcdef
contains "hook join on a joined node: kubelet.conf" "$OUT" '"FileAvailable--etc-kubernetes-kubelet.conf"'
contains "hook join: kubeadm runs anyway" "$OUT" "running kubeadm anyway"
# kubeadm join --control-plane runs init's checks too, and leaves pki/ca.crt alone (it downloads it).
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --only leftovers -- join 192.0.2.20:6443 --control-plane
contains "hook join --control-plane: its checks" "$OUT" "the checks of kubeadm join --control-plane (role auto, kubeprep kubeadm -- join --control-plane)"
not_contains "hook join --control-plane: no ca.crt check" "$OUT" "pki-ca.crt"
PATH="$WORK/bin:$PATH" run kubeadm --root "$T" --only leftovers -- reset -f
contains "hook reset: nothing to say" "$OUT" "[leftovers] ok: kubeadm reset is about to run"

# 2. programs: which(1) (debianutils: a regular file with its x bit, in PATH order) over the tree's
#    PATH directories is the oracle, as for Go's exec.LookPath that kubeadm uses.
T=$WORK/programs
for d in usr/local/sbin usr/local/bin usr/sbin usr/bin sbin bin; do mkdir -p "$T/$d"; done
prog() { printf '#!/bin/sh\n' >"$T/$1"; chmod 0755 "$T/$1"; }
prog usr/bin/kubelet
prog usr/sbin/ip.real && ln -s ip.real "$T/usr/sbin/ip"        # a link inside the tree
prog usr/sbin/iptables-nft && ln -s ../usr/sbin/iptables-nft "$T/sbin/iptables"
prog bin/mount
printf '#!/bin/sh\n' >"$T/usr/bin/nsenter"; chmod 0644 "$T/usr/bin/nsenter" # not executable
mkdir -p "$T/usr/bin/socat"                                     # a directory is no program
prog usr/local/bin/ethtool
prog usr/bin/touch
oracle_missing() { # the programs which(1) cannot find in the tree's PATH
        local p missing=()
        for p in "$@"; do
                PATH="$T/usr/local/sbin:$T/usr/local/bin:$T/usr/sbin:$T/usr/bin:$T/sbin:$T/bin" /usr/bin/which "$p" >/dev/null || missing+=("$p")
        done
        echo "${missing[*]}"
}
for v in 1.30.2:"conntrack crictl ip iptables mount nsenter ebtables ethtool socat tc touch" \
         1.31.0:"conntrack crictl ip iptables mount nsenter ebtables ethtool socat tc touch" \
         1.32.1:"ip iptables mount nsenter ebtables ethtool socat tc touch" \
         1.20.15:"conntrack ip iptables mount nsenter ebtables ethtool socat tc touch"; do
        ver=${v%%:*}; progs=${v#*:}
        run check --root "$T" --only programs --kubelet-version "$ver" -o json
        printf '%s' "$OUT" >"$WORK/p.json"
        # shellcheck disable=SC2086
        want=$(oracle_missing $progs)
        checks_are "programs, kubelet $ver: exactly the ones which(1) does not find ($want)" "$WORK/p.json" programs \
                $(for p in $want; do printf 'FileExisting-%s ' "$p"; done)
done
run check --root "$T" --only programs --kubelet-version 1.30.2
expect_rc "kubelet 1.30: a missing required program is drift" 1
contains "conntrack and its packages" "$OUT" "[ERROR FileExisting-conntrack]: conntrack not found in system path: install conntrack (Debian, Ubuntu) or conntrack-tools (RHEL, Fedora)"
contains "crictl is required up to 1.30" "$OUT" "[ERROR FileExisting-crictl]: crictl not found in system path: install cri-tools"
contains "nsenter without its x bit is missing" "$OUT" "[ERROR FileExisting-nsenter]: nsenter not found in system path: install util-linux"
contains "socat is only kubeadm's warning" "$OUT" "[WARNING FileExisting-socat]: socat not found in system path: install socat"
run check --root "$T" --only programs --kubelet-version 1.31.0
contains "kubelet 1.31: crictl is a warning" "$OUT" "[WARNING FileExisting-crictl]"
# A joined node (kubelet.conf) is a cluster member: kubeadm looks for programs only before init or
# join, as for leftovers and ports; the hook's join looks again.
mkdir -p "$T/etc/kubernetes" && touch "$T/etc/kubernetes/kubelet.conf"
run check --root "$T" --only programs --kubelet-version 1.30.2
expect_rc "joined node: programs are kubeadm's check for a new node" 0
contains "joined node: says why" "$OUT" "[programs] ok: the node has joined a cluster (/etc/kubernetes/kubelet.conf exists): kubeadm's checks for a new node do not apply"
rm "$T/etc/kubernetes/kubelet.conf"
prog usr/bin/conntrack; chmod 0755 "$T/usr/bin/nsenter"
run check --root "$T" --only programs --kubelet-version 1.32.1
expect_rc "kubelet 1.32 with the required programs: only warnings" 0
contains "the warnings are counted" "$OUT" "[programs] ok: the programs kubeadm needs are installed; 3 it warns about are not (-v)"
run check --root "$T" --only programs -o json
printf '%s' "$OUT" >"$WORK/p.json"
ok "no version: a warning says which are unchecked" $PYTHON -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "programs"][0]
assert r["warnings"] == ["kubelet version unknown: conntrack and crictl, which kubeadm looks for before 1.32, were not checked; pass --kubelet-version"], r
' "$WORK/p.json"
rm "$T/usr/bin/kubelet"
run check --root "$T" --only programs
contains "no kubelet at all: skipped" "$OUT" "[programs] skipped: no kubelet installed"

# 3. proxy: /etc/environment and the runtimes' unit drop-ins, against the cluster's addresses and
#    ranges from the tree's control-plane manifests.
T=$WORK/proxy
mkdir -p "$T/etc/kubernetes/manifests" "$T/etc/systemd/system/containerd.service.d" \
        "$T/usr/lib/systemd/system" "$T/etc/systemd/system/docker.service.d"
cat >"$T/etc/kubernetes/manifests/kube-apiserver.yaml" <<'YAML'
apiVersion: v1
kind: Pod
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=192.0.2.20
    - --service-cluster-ip-range=10.96.0.0/12
    name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.30.2
YAML
cat >"$T/etc/kubernetes/manifests/kube-controller-manager.yaml" <<'YAML'
apiVersion: v1
kind: Pod
spec:
  containers:
  - command: [kube-controller-manager, --cluster-cidr=10.244.0.0/16, --allocate-node-cidrs=true]
    name: kube-controller-manager
YAML
printf 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\nhttps_proxy="http://user:secret@proxy.example:3128/"\nno_proxy=localhost,127.0.0.1,.example\n' >"$T/etc/environment"
printf '[Unit]\nDescription=containerd\n[Service]\nExecStart=/usr/bin/containerd\nEnvironment="HTTPS_PROXY=http://proxy.example:3128"\n' >"$T/usr/lib/systemd/system/containerd.service"
printf '[Service]\nEnvironment="NO_PROXY=localhost,10.0.0.0/8,192.0.2.0/24"\n' >"$T/etc/systemd/system/containerd.service.d/http-proxy.conf"
printf '[Service]\nEnvironment="HTTP_PROXY=http://proxy.example:3128" "NO_PROXY=192.0.2.20,10.96.0.0/12"\nEnvironmentFile=-/etc/docker/proxy.env\n' >"$T/etc/systemd/system/docker.service.d/proxy.conf"
before=$(tree_state "$T")
run check --root "$T" --only proxy -o json
expect_rc "proxy: check" 1
printf '%s' "$OUT" >"$WORK/x.json"
checks_are "proxy: both checks" "$WORK/x.json" proxy HTTPProxy HTTPProxyCIDR
ok "proxy: the findings, per source, with their files" $PYTHON - "$WORK/x.json" <<'PY'
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["fixer"] == "proxy"][0]
got = [d for d in r["details"] if d.startswith("[")]
want = [
 "[WARNING HTTPProxy]: /etc/environment reaches the API server's address 192.0.2.20 (/etc/kubernetes/manifests/kube-apiserver.yaml) through https_proxy=http://proxy.example:3128/: add 192.0.2.20 to its NO_PROXY",
 "[WARNING HTTPProxyCIDR]: /etc/environment reaches the Service range 10.96.0.0/12 (/etc/kubernetes/manifests/kube-apiserver.yaml) through https_proxy=http://proxy.example:3128/: add 10.96.0.0/12 to its NO_PROXY",
 "[WARNING HTTPProxyCIDR]: /etc/environment reaches the Pod range 10.244.0.0/16 (/etc/kubernetes/manifests/kube-controller-manager.yaml) through https_proxy=http://proxy.example:3128/: add 10.244.0.0/16 to its NO_PROXY",
 "[WARNING HTTPProxyCIDR]: docker.service (/etc/systemd/system/docker.service.d/proxy.conf) reaches the Pod range 10.244.0.0/16 (/etc/kubernetes/manifests/kube-controller-manager.yaml) through HTTP_PROXY=http://proxy.example:3128: add 10.244.0.0/16 to its NO_PROXY",
]
assert got == want, "\n".join(got)
assert r["message"] == "/etc/environment, docker.service send the node's or the cluster's own traffic through a proxy", r["message"]
assert "secret" not in json.dumps(r), "the proxy's password is shown"
PY
untouched "proxy" "$T" "$before"
# The oracle: curl (NO_PROXY with addresses and CIDRs, as Go) in a network namespace without
# routes goes to the proxy (127.0.0.1:9) exactly where kubeprep says a range is not covered.
if [ "$(id -u)" = 0 ] && command -v curl >/dev/null && unshare -n true 2>/dev/null; then
        via_proxy() { # via_proxy NO_PROXY ADDRESS: does curl take the proxy?
                unshare -n env -i https_proxy=http://127.0.0.1:9 no_proxy="$1" \
                        curl -sv --connect-timeout 2 "https://$2:1234/" 2>&1 | grep -q "Trying 127.0.0.1:9"
        }
        agree() { # agree NAME NO_PROXY ADDRESS WANT(proxy|direct)
                local got=direct
                via_proxy "$2" "$3" && got=proxy
                [ "$got" = "$4" ] && pass "curl agrees: $1 goes $4" || fail "curl: $1 goes $got, kubeprep says $4"
        }
        agree "/etc/environment, 192.0.2.20" "localhost,127.0.0.1,.example" 192.0.2.20 proxy
        agree "/etc/environment, 10.96.0.1" "localhost,127.0.0.1,.example" 10.96.0.1 proxy
        agree "containerd, 10.96.0.1" "localhost,10.0.0.0/8,192.0.2.0/24" 10.96.0.1 direct
        agree "containerd, 10.244.0.1" "localhost,10.0.0.0/8,192.0.2.0/24" 10.244.0.1 direct
        agree "containerd, 192.0.2.20" "localhost,10.0.0.0/8,192.0.2.0/24" 192.0.2.20 direct
        agree "docker, 10.96.0.1" "192.0.2.20,10.96.0.0/12" 10.96.0.1 direct
        agree "docker, 10.244.0.1" "192.0.2.20,10.96.0.0/12" 10.244.0.1 proxy
else
        skip "curl as the NO_PROXY oracle" "needs root, curl and a network namespace"
fi
# Fixed by the operator: NO_PROXY covers all, the proxy check is ok.
printf 'https_proxy=http://proxy.example:3128\nNO_PROXY=192.0.2.20,10.96.0.0/12,10.244.0.0/16\n' >"$T/etc/environment"
mkdir -p "$T/etc/docker"
printf 'NO_PROXY=192.0.2.0/24,10.0.0.0/8\n' >"$T/etc/docker/proxy.env"
run check --root "$T" --only proxy
expect_rc "proxy: covered everywhere (docker's EnvironmentFile= wins over its Environment=)" 0
contains "proxy: ok names the sources" "$OUT" "[proxy] ok: the proxy of /etc/environment, containerd.service, docker.service leaves the node's address and the cluster's ranges alone (NO_PROXY)"
# An empty Environment= clears what came before, as in systemd.
printf '[Service]\nEnvironment=\n' >"$T/etc/systemd/system/containerd.service.d/zz-clear.conf"
run check --root "$T" --only proxy
not_contains "proxy: containerd's environment cleared" "$OUT" "containerd.service"

# 4. resources and ports are the running machine's: skipped with --root.
run check --root "$T" --only resources,ports
expect_rc "live-only checks with --root" 0
contains "resources skipped" "$OUT" "[resources] skipped: live only"
contains "ports skipped" "$OUT" "[ports] skipped: live only"

done_testing
