#!/usr/bin/env bash
# The eviction fixer on fixture trees: the profile's thresholds merged into the kubelet flag files
# (exact contents, every other flag unchanged), the deb/rpm defaults files on a fresh node,
# idempotence, the warnings, invalid profiles refused before any fixer runs, and every
# kubeadm-flags/defaults file of the real-world corpus with a python oracle.
. "$(dirname "$0")/../lib.sh"
: "${CORPUS_DIR:=$SOURCE_ROOT/tests/corpus}"

SOFT='memory.available<500Mi,nodefs.available<5%,nodefs.inodesFree<6%'
GRACE='memory.available=300s,nodefs.available=300s,nodefs.inodesFree=300s'
RECLAIM='memory.available=0Mi,nodefs.available=500Mi,imagefs.available=2Gi'

# VAR's value as a shell that sources FILE reads it (init scripts and configuration management do);
# what the shell said on stderr goes to $WORK/sh.err.
shell_value() { # shell_value FILE VAR
        env -i /bin/bash -c 'set -a; . "$1" && printf %s "${!2}"' sh "$1" "$2" 2>"$WORK/sh.err"
}

# 1. The three fixture nodes with the default profile: a kubeadm node (an existing --eviction-soft
#    gets the new value in place with its quotes; --eviction-minimum-reclaim, already right in
#    /etc/default/kubelet in another order, is not added again), a fresh deb node
#    (/etc/default/kubelet created) and a fresh rpm node (/etc/sysconfig/kubelet's empty
#    KUBELET_EXTRA_ARGS= filled).
for node in eviction-kubeadm eviction-deb-fresh eviction-rpm-fresh; do
        T=$(new_tree $node)
        run check --root "$T" --only eviction
        expect_rc "$node: check finds the missing thresholds" 1
        contains "$node: and says so" "$OUT" "[eviction] drift: the kubelet flags lack the profile's eviction thresholds"
        run apply --root "$T" --only eviction -o json
        expect_rc "$node: apply" 0
        printf '%s' "$OUT" >"$WORK/apply.json"
        ok "$node: changed, a kubelet restart planned, the soft/hard warning names both values" $PYTHON - "$WORK/apply.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ev = [x for x in r["results"] if x["fixer"] == "eviction"][0]
assert ev["status"] == "changed" and ev["restarts"] == ["kubelet.service"], ev
want = ("eviction.soft nodefs.available<5% can never fire: the hard threshold nodefs.available<10% "
        "(the kubelet's default) is reached first")
assert len(ev["warnings"]) == 1 and ev["warnings"][0].endswith("default.yaml:23: " + want), ev["warnings"]
PY
        check_expected "$T" $node
        tree_state "$T" >"$WORK/state1"
        run apply --root "$T" --only eviction
        expect_rc "$node: second apply" 0
        contains "$node: second apply finds nothing to do" "$OUT" "[eviction] ok: the kubelet flags hold the profile's eviction thresholds"
        tree_state "$T" >"$WORK/state2"
        ok "$node: second apply changed no file" cmp -s "$WORK/state1" "$WORK/state2"
        run check --root "$T" --only eviction
        expect_rc "$node: check after apply" 0
done
T=$(new_tree eviction-deb-fresh deb-mode)
run apply --root "$T" --only eviction
ok "the created /etc/default/kubelet is mode 0644" test "$(stat -c %a "$T/etc/default/kubelet")" = 644

# 2. Which defaults file on a fresh node: /var/lib/dpkg alone says deb, /var/lib/rpm alone rpm,
#    nothing says neither (skipped, nothing written).
T=$(new_tree eviction-deb-fresh dpkg-only)
rm "$T/etc/debian_version"
run apply --root "$T" --only eviction
expect_rc "/var/lib/dpkg only" 0
same_file "/var/lib/dpkg only: /etc/default/kubelet" "$T/etc/default/kubelet" "$FIXTURES/expected/eviction-deb-fresh/etc/default/kubelet"
T=$(new_tree eviction-rpm-fresh rpm-only)
rm "$T/etc/redhat-release" "$T/etc/sysconfig/kubelet"
mkdir -p "$T/var/lib/rpm" && : >"$T/var/lib/rpm/rpmdb.sqlite"
run apply --root "$T" --only eviction
expect_rc "/var/lib/rpm only" 0
printf 'KUBELET_EXTRA_ARGS="--eviction-soft=%s --eviction-soft-grace-period=%s --eviction-minimum-reclaim=%s"\n' \
        "$SOFT" "$GRACE" "$RECLAIM" >"$WORK/want"
same_file "/var/lib/rpm only: /etc/sysconfig/kubelet created" "$T/etc/sysconfig/kubelet" "$WORK/want"
T="$WORK/bare"; mkdir -p "$T/etc"; echo bare >"$T/etc/hostname"
run apply --root "$T" --only eviction -o json
expect_rc "neither deb nor rpm" 0
contains "neither deb nor rpm: skipped, saying why" "$OUT" '"status":	"skipped"'
contains "neither deb nor rpm: the message" "$OUT" "the tree is neither deb nor rpm"
ok "neither deb nor rpm: nothing written" test ! -e "$T/etc/default/kubelet" -a ! -e "$T/etc/sysconfig/kubelet"

# 3. A profile of its own: a partial hard set (warned), a soft at its hard threshold (warned with
#    both values), maxPodGracePeriod set in place in the drop-in that already has it.
cat >"$WORK/partial.yaml" <<'EOF'
extends: default
eviction:
  hard:
    memory.available: 200Mi
    nodefs.available: 5%
  soft:
    memory.available: 200Mi
  softGracePeriod:
    memory.available: 1m30s
  minimumReclaim: {}
  maxPodGracePeriod: 60
EOF
T=$(new_tree eviction-kubeadm partial)
run apply --root "$T" --only eviction --profile "$WORK/partial.yaml" -v
expect_rc "own profile: apply" 0
contains "own profile: the partial hard set is warned about" "$OUT" \
        "$WORK/partial.yaml:4: eviction.hard sets only memory.available, nodefs.available: the kubelet then drops its default hard thresholds imagefs.available<15%, nodefs.inodesFree<5% (unless mergeDefaultEvictionSettings: true, kubelet >= 1.33)"
contains "own profile: the soft that can never fire names both" "$OUT" \
        "$WORK/partial.yaml:7: eviction.soft memory.available<200Mi can never fire: the hard threshold memory.available<200Mi (eviction.hard) is reached first"
printf '%s\n' 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --eviction-soft='"'"'memory.available<200Mi'"'"' --node-labels=role=worker,zone=a --pod-infra-container-image=registry.k8s.io/pause:3.9 --eviction-hard=memory.available<200Mi,nodefs.available<5% --eviction-soft-grace-period=memory.available=1m30s"' >"$WORK/want"
same_file "own profile: kubeadm-flags.env" "$T/var/lib/kubelet/kubeadm-flags.env" "$WORK/want"
sed 's/grace-period=30/grace-period=60/' "$FIXTURES/nodes/eviction-kubeadm/etc/systemd/system/kubelet.service.d/20-grace.conf" >"$WORK/want"
same_file "own profile: the drop-in's --eviction-max-pod-grace-period set in place" \
        "$T/etc/systemd/system/kubelet.service.d/20-grace.conf" "$WORK/want"
same_file "own profile: an empty minimumReclaim leaves the flag in /etc/default/kubelet" \
        "$T/etc/default/kubelet" "$FIXTURES/nodes/eviction-kubeadm/etc/default/kubelet"
run apply --root "$T" --only eviction --profile "$WORK/partial.yaml"
expect_rc "own profile: second apply" 0
contains "own profile: second apply is a no-op" "$OUT" "[eviction] ok:"

printf 'extends: default\neviction:\n  hard: {}\n  soft: {}\n  softGracePeriod: {}\n  minimumReclaim: {}\n' >"$WORK/none.yaml"
T=$(new_tree eviction-kubeadm none)
run apply --root "$T" --only eviction --profile "$WORK/none.yaml"
expect_rc "no thresholds: apply" 0
contains "no thresholds: says so" "$OUT" "[eviction] ok: the profile sets no eviction thresholds"
ok "no thresholds: every file untouched (flags set by others stay)" diff -r "$T" "$FIXTURES/nodes/eviction-kubeadm"

# 4. Invalid profiles: exit 2 before any fixer runs (the swap fixer does not comment out fstab),
#    naming file:line: key; JSON says the same.
invalid() { # invalid NAME EVICTION-YAML WANT
        printf 'extends: default\neviction:\n%s' "$2" >"$WORK/bad.yaml"
        local T; T=$(new_tree swapallow-node bad)
        tree_state "$T" >"$WORK/before"
        run apply --root "$T" --profile "$WORK/bad.yaml"
        expect_rc "invalid: $1" 2
        contains "invalid: $1: named" "$ERR" "$WORK/bad.yaml:$3"
        tree_state "$T" >"$WORK/after"
        ok "invalid: $1: no fixer ran, the tree is untouched" cmp -s "$WORK/before" "$WORK/after"
}
invalid "unknown signal" $'  hard:\n    memory.free: 100Mi\n' "4: 'eviction.hard.memory.free': unknown eviction signal"
invalid "not a quantity" $'  hard:\n    memory.available: 100MB\n' "4: 'eviction.hard.memory.available': '100MB' is neither a quantity"
invalid "percentage over 100" $'  soft: {nodefs.available: 150%}\n  softGracePeriod: {nodefs.available: 1m}\n' \
        "3: 'eviction.soft.nodefs.available': '150%' is over 100%"
invalid "zero threshold" $'  hard: {pid.available: 0}\n' "3: 'eviction.hard.pid.available': '0': a threshold must be above zero"
invalid "bad grace period" $'  softGracePeriod:\n    memory.available: 5 minutes\n' \
        "4: 'eviction.softGracePeriod.memory.available': '5 minutes' is not a duration"
invalid "soft without a grace period" $'  soft:\n    memory.available: 1Gi\n    imagefs.available: 20%\n  softGracePeriod: {memory.available: 1m}\n' \
        "5: 'eviction.soft.imagefs.available': a soft threshold needs a grace period"
invalid "negative minimum reclaim" $'  minimumReclaim: {imagefs.available: -2Gi}\n' \
        "3: 'eviction.minimumReclaim.imagefs.available': '-2Gi' is negative"
invalid "maxPodGracePeriod not seconds" $'  maxPodGracePeriod: 2m\n' \
        "3: 'eviction.maxPodGracePeriod' must be a whole number of seconds"
run check --root "$(new_tree swapallow-node badjson)" --profile "$WORK/bad.yaml" -o json
printf '%s' "$OUT" >"$WORK/bad.json"
ok "invalid: JSON has the error and exit code 2" $PYTHON -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert r["exitCode"] == 2 and "maxPodGracePeriod" in r["error"] and "results" not in r, r' "$WORK/bad.json"

# 5. A flag file kubeprep cannot read safely is refused and left alone.
T=$(new_tree eviction-kubeadm malformed)
printf 'KUBELET_KUBEADM_ARGS="--eviction-soft=$(cat /etc/soft) --v=2"\n' >"$T/var/lib/kubelet/kubeadm-flags.env"
cp "$T/var/lib/kubelet/kubeadm-flags.env" "$WORK/malformed.orig"
run apply --root "$T" --only eviction
expect_rc "malformed kubeadm-flags.env refused" 2
contains "malformed: the file and line are named" "$OUT" "/var/lib/kubelet/kubeadm-flags.env: line 1"
same_file "malformed: untouched" "$T/var/lib/kubelet/kubeadm-flags.env" "$WORK/malformed.orig"

# 6. Rollback puts the kubeadm node back byte for byte.
T=$(new_tree eviction-kubeadm rollback)
run apply --root "$T" --only eviction
run rollback --root "$T"
expect_rc "rollback" 0
ok "rollback: kubeadm-flags.env as before" cmp -s "$T/var/lib/kubelet/kubeadm-flags.env" \
        "$FIXTURES/nodes/eviction-kubeadm/var/lib/kubelet/kubeadm-flags.env"

# 7. The field guide's kubeadm-flags.env (tests/fixtures/flags/SOURCES): a double-quoted value continued
#    over four lines, a backslash at the end of each. kubeprep refused it (issue 12, B1). Its thresholds
#    are the default profile's: nothing to do. With other thresholds, --eviction-soft gets its new value
#    on its line and --eviction-hard goes at the end of the last one, the layout kept (golden file);
#    systemd's own parser reads exactly the intended flags.
GUIDE="$FIXTURES/nodes/field-guide-eviction/var/lib/kubelet/kubeadm-flags.env"
T=$(new_tree field-guide-eviction guide)
run check --root "$T" --only eviction
expect_rc "field guide: check" 0
contains "field guide: its thresholds are the profile's" "$OUT" "[eviction] ok: the kubelet flags hold the profile's eviction thresholds"
run apply --root "$T" --only eviction
expect_rc "field guide: apply" 0
same_file "field guide: apply leaves it as it is" "$T/var/lib/kubelet/kubeadm-flags.env" "$GUIDE"
printf 'extends: default\neviction:\n  hard:\n    memory.available: 200Mi\n  soft:\n    memory.available: 1Gi\n    nodefs.available: 5%%\n    nodefs.inodesFree: 6%%\n' >"$WORK/guide.yaml"
run check --root "$T" --only eviction --profile "$WORK/guide.yaml"
expect_rc "field guide, other thresholds: check" 1
run apply --dry-run -v --root "$T" --only eviction --profile "$WORK/guide.yaml"
expect_rc "field guide, other thresholds: --dry-run" 1
contains "field guide, other thresholds: --dry-run shows the second line as it will be" "$OUT" \
        "+--eviction-soft=memory.available<1Gi,nodefs.available<5%,nodefs.inodesFree<6%  \\"
same_file "field guide, other thresholds: --dry-run changes nothing" "$T/var/lib/kubelet/kubeadm-flags.env" "$GUIDE"
run apply --root "$T" --only eviction --profile "$WORK/guide.yaml"
expect_rc "field guide, other thresholds: apply" 0
same_file "field guide, other thresholds: kubeadm-flags.env" "$T/var/lib/kubelet/kubeadm-flags.env" \
        "$FIXTURES/expected/field-guide-eviction-thresholds/var/lib/kubelet/kubeadm-flags.env"
tree_state "$T" >"$WORK/state1"
run apply --root "$T" --only eviction --profile "$WORK/guide.yaml"
contains "field guide, other thresholds: second apply finds nothing to do" "$OUT" "[eviction] ok:"
ok "field guide, other thresholds: second apply changed no file" cmp -s "$WORK/state1" <(tree_state "$T")
if before=$(systemd_env_value "$GUIDE" KUBELET_KUBEADM_ARGS); then
        after=$(systemd_env_value "$T/var/lib/kubelet/kubeadm-flags.env" KUBELET_KUBEADM_ARGS)
        want="${before/memory.available<500Mi/memory.available<1Gi} --eviction-hard=memory.available<200Mi"
        if [ "$after" = "$want" ]; then pass "field guide: systemd reads the intended value"; else fail "field guide: systemd reads the intended value" "got:  $after
want: $want"; fi
else
        skip "field guide: systemd's reading" "no systemd environment.d generator"
fi

# 8. /etc/default/kubelet is sourced by shells too: a bare KUBELET_EXTRA_ARGS the thresholds are added to
#    gets double quotes, or the '<' and the blanks would make the shell fail (issue 12, C6). bash and
#    systemd both read the old flags and the added ones.
T=$(new_tree eviction-deb-fresh bare)
mkdir -p "$T/etc/default"
printf '# Set by the image build.\nKUBELET_EXTRA_ARGS=--node-ip=10.0.0.5\n' >"$T/etc/default/kubelet"
run apply --root "$T" --only eviction
expect_rc "bare KUBELET_EXTRA_ARGS: apply" 0
want="--node-ip=10.0.0.5 --eviction-soft=$SOFT --eviction-soft-grace-period=$GRACE --eviction-minimum-reclaim=$RECLAIM"
printf '# Set by the image build.\nKUBELET_EXTRA_ARGS="%s"\n' "$want" >"$WORK/want"
same_file "bare KUBELET_EXTRA_ARGS: quoted" "$T/etc/default/kubelet" "$WORK/want"
got=$(shell_value "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS)
ok "bare KUBELET_EXTRA_ARGS: bash sources it without a complaint" test ! -s "$WORK/sh.err"
if [ "$got" = "$want" ]; then pass "bare KUBELET_EXTRA_ARGS: bash reads the flags"; else fail "bare KUBELET_EXTRA_ARGS: bash reads the flags" "got:  $got"; fi
if got=$(systemd_env_value "$T/etc/default/kubelet" KUBELET_EXTRA_ARGS); then
        if [ "$got" = "$want" ]; then pass "bare KUBELET_EXTRA_ARGS: systemd reads the same"; else fail "bare KUBELET_EXTRA_ARGS: systemd reads the same" "got:  $got"; fi
else
        skip "bare KUBELET_EXTRA_ARGS: systemd's reading" "no systemd environment.d generator"
fi
T=$(new_tree eviction-rpm-fresh rpm-shell)
run apply --root "$T" --only eviction
got=$(shell_value "$T/etc/sysconfig/kubelet" KUBELET_EXTRA_ARGS)
ok "empty KUBELET_EXTRA_ARGS: bash sources it without a complaint" test ! -s "$WORK/sh.err"
want="--eviction-soft=$SOFT --eviction-soft-grace-period=$GRACE --eviction-minimum-reclaim=$RECLAIM"
if [ "$got" = "$want" ]; then pass "empty KUBELET_EXTRA_ARGS: bash reads the flags"; else fail "empty KUBELET_EXTRA_ARGS: bash reads the flags" "got:  $got"; fi

# 9. The corpus: every file, placed as its name says (kubeadm-flags.env, or /etc/default/kubelet on a
#    deb tree, /etc/sysconfig/kubelet on an rpm tree). A python oracle reads the file as systemd
#    does and checks that every other variable, line and flag (order included) is unchanged and the
#    eviction flags are the profile's; the second run changes nothing.
n=0
for f in "$CORPUS_DIR"/kubeadm-flags/*; do
        name=$(basename "$f"); n=$((n + 1))
        T="$WORK/corpus-$n"; rm -rf "$T"; mkdir -p "$T/etc" "$T/var/lib/kubelet"
        case $name in
        *sysconfig-kubelet) dest=etc/sysconfig/kubelet var=KUBELET_EXTRA_ARGS; echo "CentOS Linux release 7.9.2009 (Core)" >"$T/etc/redhat-release" ;;
        *default-kubelet) dest=etc/default/kubelet var=KUBELET_EXTRA_ARGS; echo 12.5 >"$T/etc/debian_version" ;;
        *) dest=var/lib/kubelet/kubeadm-flags.env var=KUBELET_KUBEADM_ARGS ;;
        esac
        mkdir -p "$T/$(dirname $dest)"; cp "$f" "$T/$dest"
        run apply --root "$T" --only eviction
        expect_rc "corpus $name: apply" 0
        ok "corpus $name: oracle" $PYTHON - "$f" "$T/$dest" "$var" "$SOFT" "$GRACE" "$RECLAIM" <<'PY'
import re, shlex, sys
orig, new, var, soft, grace, reclaim = sys.argv[1:]
want = {"--eviction-soft": soft, "--eviction-soft-grace-period": grace, "--eviction-minimum-reclaim": reclaim}
ASSIGN = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$')
def parse(path):
    text = open(path).read()
    lines, env = [], {}
    for line in text.split("\n"):
        m = ASSIGN.match(line)
        if m and m.group(1) == var:
            v = m.group(2).strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
                v = v[1:-1]
            env[var] = shlex.split(v)   # systemd splits "$VAR" at whitespace, removing quotes
        else:
            lines.append(line)          # every other line, byte for byte
    return text, lines, env.get(var, [])
def split_eviction(words):
    rest, ev, i = [], {}, 0
    while i < len(words):
        w = words[i]
        name = w.split("=", 1)[0]
        if name in want:
            if "=" in w:
                ev[name] = w.split("=", 1)[1]
            else:
                ev[name] = words[i + 1]; i += 1
        else:
            rest.append(w)
        i += 1
    return rest, ev
otext, olines, owords = parse(orig)
ntext, nlines, nwords = parse(new)
orest, _ = split_eviction(owords)
nrest, nev = split_eviction(nwords)
assert olines == nlines, ("other lines changed", olines, nlines)
assert orest == nrest, ("other flags changed", orest, nrest)
assert nev == want, ("eviction flags", nev)
assert otext.endswith("\n") == ntext.endswith("\n"), "final newline convention"
PY
        case $name in
        *default-kubelet | *sysconfig-kubelet)
                got=$(shell_value "$T/$dest" KUBELET_EXTRA_ARGS)
                ok "corpus $name: a shell sourcing it reads the eviction flags" $PYTHON -c '
import shlex, sys
words = shlex.split(sys.argv[1])
assert [w for w in words if w.startswith("--eviction-")] == sys.argv[2:], words' "$got" \
                        "--eviction-soft=$SOFT" "--eviction-soft-grace-period=$GRACE" "--eviction-minimum-reclaim=$RECLAIM" ;;
        esac
        cp "$T/$dest" "$WORK/corpus.first"
        run apply --root "$T" --only eviction
        contains "corpus $name: second apply is a no-op" "$OUT" "[eviction] ok:"
        same_file "corpus $name: unchanged by the second apply" "$T/$dest" "$WORK/corpus.first"
        # Exact results for a few shapes: a value with trailing blanks after the quote, no final
        # newline, no such variable yet, an unquoted value.
        case $name in
        02-*) printf 'KUBELET_KUBEADM_ARGS="--cgroup-driver=cgroupfs --pod-infra-container-image=k8s.gcr.io/pause:3.1 --resolv-conf=/run/systemd/resolve/resolv.conf --eviction-soft=%s --eviction-soft-grace-period=%s --eviction-minimum-reclaim=%s"    \n' "$SOFT" "$GRACE" "$RECLAIM" >"$WORK/want" ;;
        09-*) printf 'KUBELET_KUBEADM_ARGS="--cgroup-driver=systemd --eviction-soft=%s --eviction-soft-grace-period=%s --eviction-minimum-reclaim=%s"' "$SOFT" "$GRACE" "$RECLAIM" >"$WORK/want" ;;
        10-*) { cat "$f"; printf 'KUBELET_EXTRA_ARGS="--eviction-soft=%s --eviction-soft-grace-period=%s --eviction-minimum-reclaim=%s"\n' "$SOFT" "$GRACE" "$RECLAIM"; } >"$WORK/want" ;;
        11-*) printf 'KUBELET_EXTRA_ARGS="--runtime-cgroups=/systemd/system.slice --kubelet-cgroups=/systemd/system.slice --eviction-soft=%s --eviction-soft-grace-period=%s --eviction-minimum-reclaim=%s"\n\n' "$SOFT" "$GRACE" "$RECLAIM" >"$WORK/want" ;;
        12-*) printf "KUBELET_EXTRA_ARGS='%s'\n" '--node-labels=${node_labels} --network-plugin=cni --cni-conf-dir=/etc/cni/net.d --cni-bin-dir=/opt/cni/bin --cluster-domain=cluster.local --cert-dir=/var/lib/kubelet/pki'" --eviction-soft=$SOFT --eviction-soft-grace-period=$GRACE --eviction-minimum-reclaim=$RECLAIM" >"$WORK/want" ;;
        *) continue ;;
        esac
        same_file "corpus $name: exact result" "$T/$dest" "$WORK/want"
done
ok "the corpus has its 13 files" test $n -ge 13

done_testing
