#!/usr/bin/env bash
# The kubelet-flags fixer: flags the installed kubelet no longer accepts go
# away from every flag file (kubeadm-flags.env, /etc/default|sysconfig/kubelet,
# kubelet.service.d drop-ins), per the version each was removed in; over
# fixture trees and every flag file of the corpus. Second runs change nothing.
. "$(dirname "$0")/../lib.sh"
CORPUS_DIR=${CORPUS_DIR:-$SOURCE_ROOT/tests/corpus}

ENV=var/lib/kubelet/kubeadm-flags.env
DEFAULTS=etc/default/kubelet
DROPIN=etc/systemd/system/kubelet.service.d/10-kubeadm.conf

result() { # result FIELD: a field of the kubelet-flags result of the last JSON run
        printf '%s' "$OUT" | $PYTHON -c '
import json, sys
r = [x for x in json.load(sys.stdin)["results"] if x["fixer"] == "kubelet-flags"][0]
v = r[sys.argv[1]]
print(json.dumps(v) if not isinstance(v, str) else v)' "$1"
}
flags() { run "$@" --only kubelet-flags -o json; }
# The words systemd's EnvironmentFile= parser gives VAR in FILE (lib.sh), one a line, split at blanks
# as ExecStart= splits "$VAR"; 1 when systemd is not installed.
systemd_words() { # systemd_words FILE VAR
        local v
        v=$(systemd_env_value "$1" "$2") || return 1
        $PYTHON -c 'import shlex, sys; print("\n".join(shlex.split(sys.argv[1])))' "$v"
}
idempotent() { # idempotent NAME TREE ARGS...: a second apply is ok and changes nothing
        local name=$1 tree=$2; shift 2
        tree_state "$tree" >"$WORK/before"
        flags apply --root "$tree" "$@"
        if [ "$RC" = 0 ] && [ "$(result status)" = ok ] && tree_state "$tree" | cmp -s - "$WORK/before"; then
                pass "$name: a second apply is a no-op"
        else
                fail "$name: a second apply is a no-op (exit $RC, status $(result status))" "$OUT"
        fi
}

# 1. The version table on one tree: 1.11 keeps everything.
T=$(new_tree versions-stale v111)
tree_state "$T" >"$WORK/orig"
flags apply --root "$T" --kubelet-version 1.11.10
expect_rc "1.11" 0
ok "1.11: ok" test "$(result status)" = ok
contains "1.11: says what it checked, and where" "$(result message)" \
        "no flag removed up to kubelet 1.11.10 is set (2 checked in /var/lib/kubelet/kubeadm-flags.env, /etc/default/kubelet, /etc/systemd/system/kubelet.service.d/10-kubeadm.conf)"
ok "1.11: every flag stays" cmp -s "$WORK/orig" <(tree_state "$T")

# 1.23: --cadvisor-port (1.12) and --allow-privileged (1.15) go from the drop-in; --network-plugin stays.
T=$(new_tree versions-stale v123)
flags apply --root "$T" --kubelet-version 1.23.17
expect_rc "1.23" 0
contains "1.23: names the two" "$(result message)" "kubelet 1.23.17 no longer accepts --cadvisor-port, --allow-privileged"
for f in $ENV $DEFAULTS; do
        same_file "1.23: $f stays" "$T/$f" "$FIXTURES/nodes/versions-stale/$f"
done
sed -e 's| --allow-privileged=true"$|"|' -e 's|--cadvisor-port=0"$|"|' "$FIXTURES/nodes/versions-stale/$DROPIN" >"$WORK/dropin123"
same_file "1.23: the drop-in" "$T/$DROPIN" "$WORK/dropin123"

# 1.24: the dockershim flags go, --container-runtime and --pod-infra-container-image stay.
T=$(new_tree versions-stale v124)
flags check --root "$T" --kubelet-version 1.24.0
expect_rc "1.24: check" 1
contains "1.24: the message names each flag" "$(result message)" \
        "kubelet 1.24.0 no longer accepts --network-plugin, --docker-endpoint, --cadvisor-port, --allow-privileged, --cni-conf-dir, --cni-bin-dir"
contains "1.24: a detail per file and flag, with the reason" "$(result details)" \
        "/etc/default/kubelet: remove --docker-endpoint (removed in 1.24 with dockershim; use --container-runtime-endpoint)"
ok "1.24: a kubelet restart is planned" test "$(result restarts)" = '["kubelet.service"]'
flags apply --root "$T" --kubelet-version 1.24.0
expect_rc "1.24: apply" 0
ok "1.24: changed" test "$(result status)" = changed
for f in $ENV $DEFAULTS $DROPIN; do
        same_file "1.24: $f" "$T/$f" "$FIXTURES/expected/versions-stale/$f"
done
idempotent "1.24" "$T" --kubelet-version 1.24.0

# 1.27: --container-runtime goes too (and --container-runtime-endpoint stays).
T=$(new_tree versions-stale v127)
flags apply --root "$T" --kubelet-version v1.27.3
expect_rc "1.27: apply" 0
contains "1.27: --container-runtime named with its reason" "$(result details)" \
        "/var/lib/kubelet/kubeadm-flags.env: remove --container-runtime (removed in 1.27"
printf '%s\n' 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"' >"$WORK/env127"
same_file "1.27: kubeadm-flags.env" "$T/$ENV" "$WORK/env127"
same_file "1.27: the drop-in as for 1.24" "$T/$DROPIN" "$FIXTURES/expected/versions-stale/$DROPIN"
idempotent "1.27" "$T" --kubelet-version 1.27.3

# 1.35: --pod-infra-container-image goes too.
T=$(new_tree versions-stale v135)
flags apply --root "$T" --kubelet-version 1.35.0
expect_rc "1.35: apply" 0
printf '%s\n' 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock"' >"$WORK/env135"
same_file "1.35: kubeadm-flags.env" "$T/$ENV" "$WORK/env135"
contains "1.35: --pod-infra-container-image named" "$(result message)" "--pod-infra-container-image"
idempotent "1.35" "$T" --kubelet-version 1.35.0

# 2. Versions detected from the tree: dpkg's 1.26 (the stale tree), 1.16 (the deb tree), unknown (rpm).
T=$(new_tree versions-stale detected)
flags apply --root "$T"
expect_rc "dpkg 1.26.3" 0
for f in $ENV $DEFAULTS $DROPIN; do
        same_file "dpkg 1.26.3: $f" "$T/$f" "$FIXTURES/expected/versions-stale/$f"
done
flags check --root "$FIXTURES/nodes/versions-deb"
expect_rc "dpkg 1.16.15: nothing removed" 0
flags check --root "$FIXTURES/nodes/versions-rpm"
expect_rc "unknown kubelet" 0
ok "unknown kubelet: skipped" test "$(result status)" = skipped
contains "unknown kubelet: names the option" "$(result message)" "kubelet version unknown: pass --kubelet-version"
T=$(new_tree versions-rpm rpm124)
flags apply --root "$T" --kubelet-version 1.24.17
same_file "rpm 1.24: /etc/sysconfig/kubelet" "$T/etc/sysconfig/kubelet" "$FIXTURES/expected/versions-rpm/etc/sysconfig/kubelet"

# 3. A line kubeprep cannot interpret that carries a removed flag: refused, untouched.
T=$(new_tree versions-stale refused)
printf 'KUBELET_EXTRA_ARGS="--network-plugin=$(cat /etc/plugin)"\n' >"$T/$DEFAULTS"
cp "$T/$DEFAULTS" "$WORK/refused.orig"
flags apply --root "$T" --kubelet-version 1.24.0
expect_rc "an uninterpretable line" 2
contains "it is named with its line" "$(result message)" "/etc/default/kubelet: line 1"
same_file "it is untouched" "$T/$DEFAULTS" "$WORK/refused.orig"
contains "the other files' findings are still reported" "$(result details)" "kubelet 1.24.0 no longer accepts"

# 4. Flags removed long before dockershim, the three of issue 12 (C3): --cadvisor-port (1.12),
#    --allow-privileged (1.15), --dynamic-config-dir (1.24). Each stops the kubelet of its release and
#    later, none an older one; each goes at its release, with its reason.
T="$WORK/c3"; mkdir -p "$T/etc/default"; echo 12.5 >"$T/etc/debian_version"
C3_ARGS='--allow-privileged=true --node-ip=10.0.0.5 --cadvisor-port=0 --dynamic-config-dir=/var/lib/kubelet/dynamic-config --max-pods=60'
printf 'KUBELET_EXTRA_ARGS="%s"\n' "$C3_ARGS" >"$WORK/c3.orig"
c3() { # c3 VERSION WANT-ARGS WANT-MESSAGE
        cp "$WORK/c3.orig" "$T/$DEFAULTS"
        flags apply --root "$T" --kubelet-version "$1"
        printf 'KUBELET_EXTRA_ARGS="%s"\n' "$2" >"$WORK/c3.want"
        expect_rc "removed flags @ $1: apply" 0
        same_file "removed flags @ $1: /etc/default/kubelet" "$T/$DEFAULTS" "$WORK/c3.want"
        contains "removed flags @ $1: the message" "$(result message)" "$3"
}
c3 1.11.10 "$C3_ARGS" "no flag removed up to kubelet 1.11.10 is set (2 checked in /etc/default/kubelet)"
c3 1.12.0 '--allow-privileged=true --node-ip=10.0.0.5 --dynamic-config-dir=/var/lib/kubelet/dynamic-config --max-pods=60' \
        "kubelet 1.12.0 no longer accepts --cadvisor-port"
c3 1.14.10 '--allow-privileged=true --node-ip=10.0.0.5 --dynamic-config-dir=/var/lib/kubelet/dynamic-config --max-pods=60' \
        "kubelet 1.14.10 no longer accepts --cadvisor-port"
c3 1.15.0 '--node-ip=10.0.0.5 --dynamic-config-dir=/var/lib/kubelet/dynamic-config --max-pods=60' \
        "kubelet 1.15.0 no longer accepts --cadvisor-port, --allow-privileged"
c3 1.23.17 '--node-ip=10.0.0.5 --dynamic-config-dir=/var/lib/kubelet/dynamic-config --max-pods=60' \
        "kubelet 1.23.17 no longer accepts --cadvisor-port, --allow-privileged"
c3 1.24.0 '--node-ip=10.0.0.5 --max-pods=60' "kubelet 1.24.0 no longer accepts --cadvisor-port, --allow-privileged, --dynamic-config-dir"
contains "removed flags: each with its release and reason" "$(result details)" \
        "/etc/default/kubelet: remove --allow-privileged (removed in 1.15: admission control decides about privileged pods)"
c3 1.35.0 '--node-ip=10.0.0.5 --max-pods=60' "kubelet 1.35.0 no longer accepts --cadvisor-port, --allow-privileged, --dynamic-config-dir"
cp "$WORK/c3.orig" "$T/$DEFAULTS"
run check --root "$T" --only kubelet-flags --kubelet-version 1.9.3
contains "a kubelet older than the table: says so" "$OUT" "[kubelet-flags] ok: kubelet 1.9.3 predates every flag removal kubeprep knows (from 1.10)"
rm "$T/$DEFAULTS"
flags check --root "$T" --kubelet-version 1.35.0
contains "no flag file: says so" "$(result message)" \
        "no flag removed up to kubelet 1.35.0 is set (36 checked; no kubelet flag file in the tree)"

# 5. The field guide's kubeadm-flags.env (tests/fixtures/flags/SOURCES): one double-quoted value
#    continued over four lines, a backslash at the end of each, which systemd reads as one value.
#    kubeprep refused it (issue 12, B1); now the removed flags leave their line, the layout stays
#    (golden tree), and systemd's own parser reads the result as the original's words without them.
GUIDE="$FIXTURES/nodes/field-guide-eviction"
T=$(new_tree field-guide-eviction guide)
flags check --root "$T" --kubelet-version 1.23.17
expect_rc "field guide @ 1.23: nothing to remove" 0
contains "field guide @ 1.23: says what it checked" "$(result message)" \
        "no flag removed up to kubelet 1.23.17 is set (9 checked in /var/lib/kubelet/kubeadm-flags.env)"
flags check --root "$T" --kubelet-version 1.35.0
expect_rc "field guide @ 1.35: check" 1
contains "field guide @ 1.35: names both flags" "$(result message)" \
        "kubelet 1.35.0 no longer accepts --network-plugin, --pod-infra-container-image"
run apply --dry-run -v --root "$T" --only kubelet-flags --kubelet-version 1.35.0
expect_rc "field guide @ 1.35: --dry-run" 1
contains "field guide @ 1.35: --dry-run shows the first line as it will be" "$OUT" \
        "+KUBELET_KUBEADM_ARGS=\"--cgroup-driver=systemd \\"
ok "field guide @ 1.35: --dry-run changes nothing" cmp -s "$T/$ENV" "$GUIDE/$ENV"
flags apply --root "$T" --kubelet-version 1.35.0
expect_rc "field guide @ 1.35: apply" 0
check_expected "$T" field-guide-eviction
idempotent "field guide @ 1.35" "$T" --kubelet-version 1.35.0
if systemd_words "$GUIDE/$ENV" KUBELET_KUBEADM_ARGS >"$WORK/guide.words"; then
        grep -v -e '^--network-plugin=' -e '^--pod-infra-container-image=' "$WORK/guide.words" >"$WORK/guide.want"
        systemd_words "$T/$ENV" KUBELET_KUBEADM_ARGS >"$WORK/guide.got"
        ok "field guide: systemd reads its six flags as six words" test "$(wc -l <"$WORK/guide.words")" = 6
        same_file "field guide @ 1.35: systemd reads the same words but the two removed" "$WORK/guide.got" "$WORK/guide.want"
else
        skip "field guide: systemd's reading" "no systemd environment.d generator"
fi

# 6. Every flag file of the corpus, at its place in a tree, for each version in the table:
#    exactly the removed flags' text goes away (python oracle), and a second run is a no-op.
#    (Text output and one python per file: this loop runs kubeprep ~150 times.)
oracle() { # oracle FILE OUTDIR VERSION...: OUTDIR/VERSION = FILE with the flags VERSION rejects removed, by regex
        $PYTHON - "$@" <<'PY'
import re, sys
src, out = sys.argv[1], sys.argv[2]
table = [("require-kubeconfig", 10), ("init-config-dir", 10), ("cadvisor-port", 12), ("docker-disable-shared-pid", 12),
         ("allow-privileged", 15), ("host-network-sources", 15), ("host-pid-sources", 15), ("host-ipc-sources", 15),
         ("containerized", 16), ("network-plugin", 24), ("cni-conf-dir", 24), ("cni-bin-dir", 24), ("cni-cache-dir", 24),
         ("network-plugin-mtu", 24), ("docker-endpoint", 24), ("image-pull-progress-deadline", 24),
         ("experimental-dockershim-root-directory", 24), ("experimental-check-node-capabilities-before-mount", 24),
         ("dynamic-config-dir", 24)] + [(f, 26) for f in ("log-dir", "log-file", "log-file-max-size", "logtostderr",
         "alsologtostderr", "one-output", "stderrthreshold", "skip-log-headers", "add-dir-header", "skip-headers",
         "log-backtrace-at")] + [("container-runtime", 27), ("master-service-namespace", 27), ("keep-terminated-pod-volumes", 31),
         ("cloud-config", 34), ("register-schedulable", 34), ("pod-infra-container-image", 35)]
for version in sys.argv[3:]:
    text = open(src, newline="").read()
    minor = int(version.split(".")[1])
    for flag, removed in table:
        if minor < removed:
            continue
        name = "".join("[-_]" if c == "-" else re.escape(c) for c in flag)
        value = r"(?:=[^\s\"']*)?(?=[\s\"']|$)"
        text = re.sub(r"[ \t]+--" + name + value, "", text)                 # after another word
        text = re.sub(r"(?<=[=\"'])--" + name + value + r"[ \t]*", "", text)  # the first word
    open(f"{out}/{version}", "w", newline="").write(text)
PY
}
VERSIONS="1.11.0 1.15.0 1.23.0 1.24.0 1.27.0 1.35.0"
n=0
for f in "$CORPUS_DIR"/kubeadm-flags/* "$CORPUS_DIR"/kubeadm-dropin/*; do
        [ -f "$f" ] || continue
        b=$(basename "$f")
        case "$b" in
        *sysconfig-kubelet) dest=etc/sysconfig/kubelet ;;
        *default-kubelet) dest=etc/default/kubelet ;;
        *.env) dest=$ENV ;;
        *.conf) dest=etc/systemd/system/kubelet.service.d/$(printf '%s' "$b" | grep -oE '[0-9]{2}-[a-z-]+\.conf$') ;;
        *) fail "corpus $b: no place for it"; continue ;;
        esac
        rm -rf "$WORK/want"; mkdir "$WORK/want"
        oracle "$f" "$WORK/want" $VERSIONS
        for v in $VERSIONS; do
                n=$((n + 1))
                T="$WORK/corpus"
                rm -rf "$T"; mkdir -p "$T/$(dirname "$dest")"; cp "$f" "$T/$dest"
                run apply --root "$T" --only kubelet-flags --kubelet-version $v
                if [ "$RC" != 0 ]; then
                        fail "corpus $b @ $v: exit $RC" "$OUT"
                        continue
                fi
                if cmp -s "$f" "$WORK/want/$v"; then
                        case "$OUT" in
                        *"[kubelet-flags] ok: no flag removed up to kubelet $v is set"*)
                                same_file "corpus $b @ $v: nothing to remove, untouched" "$T/$dest" "$f" ;;
                        *) fail "corpus $b @ $v: nothing to remove, but not ok" "$OUT" ;;
                        esac
                        continue
                fi
                same_file "corpus $b @ $v: only the rejected flags' text went away" "$T/$dest" "$WORK/want/$v"
                tree_state "$T" >"$WORK/before"
                run apply --root "$T" --only kubelet-flags --kubelet-version $v
                case "$RC $OUT" in
                "0 "*"[kubelet-flags] ok: "*) ok "corpus $b @ $v: a second apply is a no-op" cmp -s "$WORK/before" <(tree_state "$T") ;;
                *) fail "corpus $b @ $v: a second apply is a no-op" "$OUT" ;;
                esac
        done
done
[ $n -gt 0 ] || skip "corpus flag files" "not found"

done_testing
