#!/usr/bin/env bash
# The kubelet-flags fixer: flags the installed kubelet no longer accepts go
# away from every flag file (kubeadm-flags.env, /etc/default|sysconfig/kubelet,
# kubelet.service.d drop-ins), per the version each was removed in; over
# fixture trees and every flag file of the corpus. Second runs change nothing.
. "$(dirname "$0")/../lib.sh"
CORPUS_DIR=${CORPUS_DIR:-$SOURCE_ROOT/../shared/corpus}

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

# 1. The version table on one tree: 1.23 keeps everything.
T=$(new_tree versions-stale v123)
tree_state "$T" >"$WORK/orig"
flags apply --root "$T" --kubelet-version 1.23.17
expect_rc "1.23" 0
ok "1.23: ok" test "$(result status)" = ok
contains "1.23: says so" "$(result message)" "no flag that kubelet 1.23.17 rejects"
ok "1.23: --network-plugin stays" cmp -s "$WORK/orig" <(tree_state "$T")

# 1.24: the dockershim flags go, --container-runtime and --pod-infra-container-image stay.
T=$(new_tree versions-stale v124)
flags check --root "$T" --kubelet-version 1.24.0
expect_rc "1.24: check" 1
contains "1.24: the message names each flag" "$(result message)" \
        "kubelet 1.24.0 no longer accepts --network-plugin, --docker-endpoint, --cni-conf-dir, --cni-bin-dir"
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

# 4. Every flag file of the corpus, at its place in a tree, for each version in the table:
#    exactly the removed flags' text goes away (python oracle), and a second run is a no-op.
#    (Text output and one python per file: this loop runs kubeprep ~150 times.)
oracle() { # oracle FILE OUTDIR VERSION...: OUTDIR/VERSION = FILE with the flags VERSION rejects removed, by regex
        $PYTHON - "$@" <<'PY'
import re, sys
src, out = sys.argv[1], sys.argv[2]
table = [("network-plugin", 24), ("cni-conf-dir", 24), ("cni-bin-dir", 24), ("cni-cache-dir", 24),
         ("network-plugin-mtu", 24), ("docker-endpoint", 24), ("image-pull-progress-deadline", 24),
         ("experimental-dockershim-root-directory", 24), ("container-runtime", 27), ("pod-infra-container-image", 35)]
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
VERSIONS="1.23.0 1.24.0 1.27.0 1.35.0"
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
                        *"[kubelet-flags] ok: no flag that kubelet $v rejects"*)
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
