#!/usr/bin/env bash
# Limits that say what happened: a file over the 64 MiB cap (READ_FILE_MAX) is refused with its
# name and left as it is; running out of memory names the last file read (a ulimit makes a 40 MB
# config.yaml too much: kubeprep holds it and its edit), instead of a bare "out of memory".
. "$(dirname "$0")/../lib.sh"

T=$(new_tree centos7 big)
truncate -s 65M "$T/var/lib/kubelet/config.yaml"
run check --only cgroup-driver --root "$T"
expect_rc "config.yaml of 65 MiB: refused" 2
contains "the refusal names the file and the cap" "$OUT$ERR" "/var/lib/kubelet/config.yaml: cannot read: larger than 64 MiB"
run apply --only cgroup-driver --root "$T"
expect_rc "apply refuses it too" 2
[ "$(stat -c %s "$T/var/lib/kubelet/config.yaml")" = $((65 << 20)) ] && pass "the file is untouched" ||
        fail "the file changed"

if ldd "$KUBEPREP" | grep -q libasan; then
        skip "out of memory names the file" "ASan reserves more address space than the ulimit allows"
else
        T=$(new_tree centos7 oom)
        "$PYTHON" - "$T/var/lib/kubelet/config.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n")
    f.writelines(f"key{i:07d}: value-{i}\n" for i in range(1600000))
    f.write("cgroupDriver: cgroupfs\n")
PY
        (ulimit -v 60000; exec "$KUBEPREP" check --only cgroup-driver --root "$T") >"$WORK/oom.out" 2>&1
        RC=$?
        expect_rc "check with 60 MB of address space and a 40 MB config.yaml: aborted" 134
        contains "out of memory names the file" "$(cat "$WORK/oom.out")" \
                "kubeprep: out of memory; the last file read was /var/lib/kubelet/config.yaml"
fi
done_testing
