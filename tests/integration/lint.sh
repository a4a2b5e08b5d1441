#!/usr/bin/env bash
# `kubeprep lint [--fix] FILE...`: exact file:line reports over the static-pod
# corpus and hand-made manifests of every workload kind (block, flow, JSON,
# multi-document, List, stdin); --fix against golden files, python3-yaml as the
# oracle, idempotence, mode/owner/symlink kept; refusals named, exit 2, untouched.
. "$(dirname "$0")/../lib.sh"

LF="$FIXTURES/lint"
FX="$WORK/fx"
fresh() { rm -rf "$FX"; mkdir "$FX"; cp "$LF"/*.yaml "$LF"/*.json "$FX/"; }
in_fx() { (cd "$FX" && run "$@"; printf '%s' "$RC" >"$WORK/.rc"); RC=$(cat "$WORK/.rc"); OUT=$(cat "$WORK/.stdout"); ERR=$(cat "$WORK/.stderr"); }
same_text() { # same_text NAME GOT WANT
        if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$(diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -40)"; fi
}
SET="all-kinds.yaml flow.yaml pod.json list.yaml bootstrap.yaml"
: "${CORPUS_DIR:=$SOURCE_ROOT/tests/corpus}"

# 1. The static-pod corpus: control-plane and kube-vip pods are notes, node-exporter a finding.
if [ -d "${CORPUS_DIR:-}/static-pod" ]; then
        (cd "$CORPUS_DIR/static-pod" && "$KUBEPREP" lint ./* >"$WORK/corpus.out" 2>"$WORK/corpus.err"; echo $? >"$WORK/corpus.rc")
        same_text "corpus: exit 1 (node-exporter)" "$(cat "$WORK/corpus.rc")" 1
        same_file "corpus: exact report" "$WORK/corpus.out" <(sed 's|^|./|' "$LF/expected/corpus.txt")
        same_text "corpus: nothing on stderr" "$(cat "$WORK/corpus.err")" ""
        rm -rf "$WORK/sp"; cp -r "$CORPUS_DIR/static-pod" "$WORK/sp"; chmod -R u+w "$WORK/sp"
        (cd "$WORK/sp" && "$KUBEPREP" lint --fix ./* >"$WORK/corpus-fix.out" 2>&1; echo $? >"$WORK/corpus.rc")
        same_text "corpus --fix: exit 0" "$(cat "$WORK/corpus.rc")" 0
        same_text "corpus --fix: one fix, the notes" "$(cat "$WORK/corpus-fix.out")" \
                "$(sed -e 's|^|./|' -e 's|^\(./07-[^:]*:14: DaemonSet node-exporter: \).*|\1set dnsPolicy: ClusterFirstWithHostNet (was unset)|' "$LF/expected/corpus.txt")"
        for f in "$CORPUS_DIR"/static-pod/*; do
                b=$(basename "$f")
                case $b in
                07-*) same_file "corpus --fix: $b gains exactly one line, comments kept" "$WORK/sp/$b" \
                        <(cat "$f"; printf '\n      dnsPolicy: ClusterFirstWithHostNet') ;;
                *) same_file "corpus --fix: $b untouched" "$WORK/sp/$b" "$f" ;;
                esac
        done
        (cd "$WORK/sp" && "$KUBEPREP" lint ./* >"$WORK/corpus.out" 2>&1; echo $? >"$WORK/corpus.rc")
        same_text "corpus: lint after --fix exits 0" "$(cat "$WORK/corpus.rc")" 0
        same_text "corpus: only the notes are left" "$(cat "$WORK/corpus.out")" \
                "$(sed -e '/^07-/d' -e 's|^|./|' "$LF/expected/corpus.txt")"
else
        fail "static-pod corpus: no $CORPUS_DIR/static-pod"
fi

# 2. Every kind, block and flow, JSON, multi-document, a List, bootstrap pods.
fresh
tree_state "$FX" >"$WORK/before"
in_fx lint $SET
expect_rc "lint finds them" 1
same_file "lint: exact report" "$WORK/.stdout" "$LF/expected/report.txt"
same_text "lint: nothing on stderr" "$ERR" ""
tree_state "$FX" >"$WORK/after"
same_file "lint alone changes nothing" "$WORK/after" "$WORK/before"

# 3. --fix: golden files, mode and owner kept, a symlink still a symlink.
fresh
chmod 0640 "$FX/all-kinds.yaml"; chown 1234:2345 "$FX/all-kinds.yaml" 2>/dev/null
OWNER=$(stat -c %u:%g "$FX/all-kinds.yaml")
mkdir "$FX/links"; ln -s ../flow.yaml "$FX/links/flow.yaml"
in_fx lint --fix all-kinds.yaml links/flow.yaml pod.json list.yaml bootstrap.yaml
expect_rc "--fix: the List item is left, so exit 1" 1
same_text "--fix: exact report" "$OUT" "$(sed 's|^flow.yaml|links/flow.yaml|' "$LF/expected/fix-report.txt")"
for f in all-kinds.yaml flow.yaml pod.json bootstrap.yaml; do
        same_file "--fix: $f as expected" "$FX/$f" "$LF/expected/$f"
done
same_file "--fix: list.yaml untouched" "$FX/list.yaml" "$LF/list.yaml"
same_text "--fix: mode kept" "$(stat -c %a "$FX/all-kinds.yaml")" 640
same_text "--fix: owner kept" "$(stat -c %u:%g "$FX/all-kinds.yaml")" "$OWNER"
ok "--fix: the symlink is still a symlink" test -L "$FX/links/flow.yaml"
ok "--fix: no temp files left" test -z "$(find "$FX" -name '.#*')"

ok "--fix: python3-yaml sees the same manifests with dnsPolicy set where lint said" $PYTHON - "$LF" "$FX" <<'PY'
import sys, yaml
src, dst = sys.argv[1], sys.argv[2]
def pod_spec(d):
    k = d.get("kind")
    if k == "Pod": return d.get("spec")
    if k == "CronJob": return d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if k in ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job"): return d["spec"]["template"]["spec"]
want = {"all-kinds.yaml": 7, "flow.yaml": 3, "pod.json": 1, "bootstrap.yaml": 1}
for f, n in want.items():
    a = list(yaml.safe_load_all(open(f"{src}/{f}"))); b = list(yaml.safe_load_all(open(f"{dst}/{f}")))
    assert len(a) == len(b), f
    changed = 0
    for x, y in zip(a, b):
        if x != y:
            s = pod_spec(x)
            assert s and s.get("hostNetwork") is True and s.get("dnsPolicy") != "ClusterFirstWithHostNet", (f, x)
            s["dnsPolicy"] = "ClusterFirstWithHostNet"
            assert x == y, (f, x, y)
            changed += 1
    assert changed == n, (f, changed, n)
PY

tree_state "$FX" >"$WORK/before"
in_fx lint --fix all-kinds.yaml links/flow.yaml pod.json bootstrap.yaml
expect_rc "second --fix: nothing left to fix" 0
tree_state "$FX" >"$WORK/after"
same_file "second --fix: no file rewritten (same inodes, mtimes, bytes)" "$WORK/after" "$WORK/before"
same_text "second --fix: only the bootstrap notes" "$OUT" "$(grep '^bootstrap.yaml:[0-9]*: \(note\|warning\):' "$LF/expected/report.txt")"
in_fx lint all-kinds.yaml flow.yaml pod.json bootstrap.yaml
expect_rc "lint after --fix is clean" 0

# 4. stdin: a report with <stdin>:LINE; with --fix the manifest on stdout, the report on stderr.
run lint - <"$LF/flow.yaml"
expect_rc "stdin: findings" 1
same_text "stdin: exact report" "$OUT" "$(grep '^flow.yaml:' "$LF/expected/report.txt" | sed 's|^flow.yaml|<stdin>|')"
run lint --fix - <"$LF/flow.yaml"
expect_rc "stdin --fix" 0
same_file "stdin --fix: the fixed manifest on stdout" "$WORK/.stdout" "$LF/expected/flow.yaml"
same_text "stdin --fix: the report on stderr" "$ERR" "$(grep '^flow.yaml:' "$LF/expected/fix-report.txt" | sed 's|^flow.yaml|<stdin>|')"
run lint --fix - <"$LF/expected/flow.yaml"
expect_rc "stdin --fix of a clean manifest" 0
same_file "stdin --fix: a clean manifest passes through byte for byte" "$WORK/.stdout" "$LF/expected/flow.yaml"
run lint <(cat "$LF/pod.json")
expect_rc "a pipe (process substitution) is read too" 1

# 5. Refusals: named, exit 2, untouched; other files still done.
fresh
in_fx lint broken.yaml
expect_rc "unparsable: exit 2" 2
same_text "unparsable: named with the line" "$ERR" "broken.yaml: line 6: while parsing a flow mapping did not find expected ',' or '}'"
in_fx lint duplicate.yaml
expect_rc "duplicate key: exit 2" 2
same_text "duplicate key: named with the line" "$ERR" "duplicate.yaml: line 10: duplicate key hostNetwork"
in_fx lint anchored.yaml
expect_rc "anchored spec: lint reports it" 1
in_fx lint --fix anchored.yaml broken.yaml pod.json missing.yaml
expect_rc "--fix with refused files: exit 2" 2
same_text "--fix refusals: each named, said unchanged" "$ERR" "anchored.yaml: line 5: spec has an anchor (&podspec), an edit would change its aliases too; the file was not changed
broken.yaml: line 6: while parsing a flow mapping did not find expected ',' or '}'; the file was not changed
missing.yaml: cannot read: No such file or directory"
same_file "--fix: anchored.yaml untouched" "$FX/anchored.yaml" "$LF/anchored.yaml"
same_file "--fix: broken.yaml untouched" "$FX/broken.yaml" "$LF/broken.yaml"
same_file "--fix: the good file in the same run is fixed" "$FX/pod.json" "$LF/expected/pod.json"
in_fx lint .
expect_rc "a directory: exit 2" 2
same_text "a directory: named" "$ERR" ".: cannot read: Is a directory"

# 6. Usage.
run lint
expect_rc "lint without FILE" 2
contains "lint without FILE: says so" "$ERR" "lint needs at least one FILE (- for stdin)"
run check --fix
expect_rc "--fix elsewhere" 2
contains "--fix elsewhere: says so" "$ERR" "--fix goes with lint"
cp "$LF/pod.json" "$WORK/-dash.json"
(cd "$WORK" && "$KUBEPREP" lint -- -dash.json >"$WORK/.stdout" 2>&1; echo $? >"$WORK/.rc")
same_text "a file named like an option after --" "$(cat "$WORK/.stdout")" "$(grep '^pod.json:' "$LF/expected/report.txt" | sed 's|^pod.json|-dash.json|')"

done_testing
