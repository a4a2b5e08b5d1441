#!/usr/bin/env bash
# Kubelet and control plane versions in the JSON `node` object: options first,
# then the tree's dpkg database and kube-apiserver static pod, then
# --kubeadm-config; `kubelet --version` only on the live system, with a timeout.
. "$(dirname "$0")/../lib.sh"
CORPUS_DIR=${CORPUS_DIR:-$SOURCE_ROOT/tests/corpus}

node_versions() { # node_versions ARGS...: prints "KUBELET CONTROLPLANE" from the JSON report (null when unknown)
        run check -o json --only csi-migration,kubelet-flags "$@"
        printf '%s' "$OUT" | $PYTHON -c '
import json, sys
n = json.load(sys.stdin)["node"]
print(n["kubeletVersion"] if n["kubeletVersion"] is not None else "null",
      n["controlPlaneVersion"] if n["controlPlaneVersion"] is not None else "null")' 2>&1
}
expect_versions() { # expect_versions NAME "KUBELET CONTROLPLANE" ARGS...
        local name=$1 want=$2; shift 2
        local got; got=$(node_versions "$@")
        if [ "$got" = "$want" ]; then pass "$name: $want"; else fail "$name: got '$got', want '$want'" "$OUT
$ERR"; fi
}

# 1. A Debian node: dpkg's kubelet (a held package, past a Description that quotes
#    "Package: kubelet"), and the kube-apiserver image tag.
DEB=$(new_tree versions-deb deb)
expect_versions "deb tree" "1.16.15 1.22.17" --root "$DEB"
expect_versions "options override both" "1.23.4 1.23" --root "$DEB" --kubelet-version v1.23.4 --control-plane-version 1.23
expect_versions "the manifest wins over --kubeadm-config" "1.16.15 1.22.17" --root "$DEB" \
        --kubeadm-config "$FIXTURES/nodes/versions-rpm/root/kubeadm-config.yaml"
expect_versions "--control-plane-version wins over the manifest and --kubeadm-config" "1.16.15 1.21.14" --root "$DEB" \
        --kubeadm-config "$FIXTURES/nodes/versions-rpm/root/kubeadm-config.yaml" --control-plane-version v1.21.14

# 2. An rpm tree: no text package database, so unknown; the tree's kubelet is never run,
#    nor one on PATH, with --root.
RPM=$(new_tree versions-rpm rpm)
mkdir -p "$WORK/bin" "$WORK/marker"
printf '#!/bin/sh\ntouch "%s/ran"\necho Kubernetes v1.29.3\n' "$WORK/marker" >"$WORK/bin/kubelet"
chmod +x "$WORK/bin/kubelet"
KUBEPREP_EXEC_MARKER="$WORK/marker" PATH="$WORK/bin:$PATH" expect_versions "rpm tree: unknown" "null null" --root "$RPM"
ok "with --root no kubelet binary was run" test ! -e "$WORK/marker/ran"
expect_versions "rpm tree: options" "1.24.17 null" --root "$RPM" --kubelet-version 1.24.17
expect_versions "rpm tree: --kubeadm-config's ClusterConfiguration (a multi-document file)" "null 1.25.0" --root "$RPM" \
        --kubeadm-config "$RPM/root/kubeadm-config.yaml"
for f in kubelet-config/03-patricklaux_kube-install-kubeadm-init.yaml:1.34.1 kubelet-config/16-iamyegor_install-k8s-on-debian-script.yaml:1.30.0; do
        if [ -f "$CORPUS_DIR/${f%:*}" ]; then
                expect_versions "corpus ${f%:*}" "null ${f#*:}" --root "$RPM" --kubeadm-config "$CORPUS_DIR/${f%:*}"
        else
                skip "corpus ${f%:*}" "corpus not found"
        fi
done
run check --root "$RPM" --only csi-migration --kubelet-version 1.22.0 -v
contains "an unknown control plane: csi-migration skips and names the options" "$OUT" \
        "[csi-migration] skipped: control plane version unknown: pass --control-plane-version or --kubeadm-config"
expect_rc "a skip is not drift" 0
# A worker image with a kubelet.conf: --root never asks its API server (an image build has no
# cluster), so the version stays unknown with nothing tried.
mkdir -p "$RPM/etc/kubernetes"
printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://192.0.2.1:6443", certificate-authority-data: eA==}\n' \
        >"$RPM/etc/kubernetes/kubelet.conf"
run check --root "$RPM" --only csi-migration --kubelet-version 1.22.0
contains "--root with a kubelet.conf: the API server is not asked" "$OUT" \
        "[csi-migration] skipped: control plane version unknown: pass --control-plane-version or --kubeadm-config"
rm "$RPM/etc/kubernetes/kubelet.conf"

# 3. Every static pod of the corpus as the node's kube-apiserver.yaml.
mkdir -p "$RPM/etc/kubernetes/manifests"
declare -A want_cp=([01]=1.22.17 [02]=1.8.1 [03]=1.14 [04]=1.30.0 [05]=null [06]=null [07]=null [08]=1.16.2
                    [09]=1.25.3 [10]=null [11]=null [12]=null)
n=0
for f in "$CORPUS_DIR"/static-pod/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        id=$(basename "$f"); id=${id%%-*}
        cp "$f" "$RPM/etc/kubernetes/manifests/kube-apiserver.yaml"
        expect_versions "static-pod $(basename "$f")" "1.24.0 ${want_cp[$id]:-missing}" --root "$RPM" --kubelet-version 1.24.0
done
[ $n -gt 0 ] || skip "static-pod corpus" "not found"
# The non-apiserver pods say why no version came from them.
cp "$CORPUS_DIR/static-pod/10-pires_kubernetes-vagrant-coreos-cluster-master-apiserver.yaml" \
        "$RPM/etc/kubernetes/manifests/kube-apiserver.yaml" 2>/dev/null &&
        { run check --root "$RPM" --only csi-migration --kubelet-version 1.22.0 -v
          contains "hyperkube:__RELEASE__ is named as no version" "$OUT" \
                  "/etc/kubernetes/manifests/kube-apiserver.yaml: the image gcr.io/google_containers/hyperkube-amd64:__RELEASE__ has no version tag"; }
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: registry.k8s.io/kube-apiserver:v1.22.0\n   name: bad\n' \
        >"$RPM/etc/kubernetes/manifests/kube-apiserver.yaml"
expect_versions "a malformed manifest is no version" "1.22.0 null" --root "$RPM" --kubelet-version 1.22.0
run check --root "$RPM" --only csi-migration --kubelet-version 1.22.0 -v
contains "the malformed manifest is named with its line" "$OUT" "/etc/kubernetes/manifests/kube-apiserver.yaml: line 6"
rm "$RPM/etc/kubernetes/manifests/kube-apiserver.yaml"

# 4. Unusable options are usage errors (exit 2) naming the option.
run check --root "$RPM" --kubelet-version foo --only kubelet-flags
expect_rc "--kubelet-version foo" 2
contains "and says why" "$OUT$ERR" "--kubelet-version 'foo' is not a Kubernetes version"
run check --root "$RPM" --control-plane-version 1.x --only csi-migration
expect_rc "--control-plane-version 1.x" 2
contains "and says why" "$OUT$ERR" "--control-plane-version '1.x' is not a Kubernetes version"
run check --root "$RPM" --kubeadm-config "$WORK/absent.yaml" --only csi-migration
expect_rc "--kubeadm-config of a missing file" 2
contains "and names it" "$OUT$ERR" "--kubeadm-config $WORK/absent.yaml: cannot read: No such file or directory"
printf 'kind: ClusterConfiguration\nkubernetesVersion: [v1.25.0\n' >"$WORK/bad-kubeadm.yaml"
run check --root "$RPM" --kubeadm-config "$WORK/bad-kubeadm.yaml" --only csi-migration
expect_rc "a malformed --kubeadm-config" 2
contains "and names its line" "$OUT$ERR" "--kubeadm-config $WORK/bad-kubeadm.yaml: line "
printf 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: stable-1.22\n' >"$WORK/stable.yaml"
expect_versions "kubernetesVersion: stable-1.22 is no version" "1.22.0 null" --root "$RPM" --kubelet-version 1.22.0 \
        --kubeadm-config "$WORK/stable.yaml"
run check --root "$RPM" --only csi-migration --kubelet-version 1.22.0 --kubeadm-config "$WORK/stable.yaml" -v
contains "and the skip says why" "$OUT" "kubernetesVersion stable-1.22 is not a version"

# 5. Live: `kubelet --version` from PATH, unless dpkg knows the kubelet; a kubelet that
#    hangs is killed after 2 s. `check` reads and never writes.
if dpkg-query -W -f '${Status}' kubelet 2>/dev/null | grep -q ' installed$'; then
        skip "live kubelet --version" "this machine has a kubelet package, which wins over the binary"
else
        PATH="$WORK/bin:$PATH" expect_versions "live: kubelet --version" "1.29.3 $(node_versions | cut -d' ' -f2)"
        ok "live: the kubelet on PATH was run" test -e "$WORK/marker/ran"
        printf '#!/bin/sh\nexec sleep 30\n' >"$WORK/bin/kubelet"
        start=$(date +%s)
        PATH="$WORK/bin:$PATH" expect_versions "live: a hanging kubelet is unknown" "null $(node_versions | cut -d' ' -f2)"
        end=$(date +%s)
        ok "live: and kubeprep waited about 2 s, not 30 ($((end - start)) s)" test $((end - start)) -le 6
        PATH="$WORK/bin:$PATH" run check --only kubelet-flags -v
        contains "live: the skip says the kubelet did not answer" "$OUT" "kubelet --version did not answer within 2 s"
        printf '#!/bin/sh\necho "Kubernetes v1.34.0-rc.0"\n' >"$WORK/bin/kubelet"
        PATH="$WORK/bin:$PATH" run check --only kubelet-flags --kubelet-version 1.27.1 -o json
        ok "live: --kubelet-version wins over the binary" $PYTHON -c '
import json, sys; assert json.loads(sys.argv[1])["node"]["kubeletVersion"] == "1.27.1"' "$OUT"
fi

done_testing
