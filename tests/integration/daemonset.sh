#!/usr/bin/env bash
# scripts/daemonset: the manifest checked structurally (the node's / read-only
# at /host, `kubeprep check --root /host --output prometheus`, no privileges,
# every mount backed by a volume), its loop script run for real on a fixture
# tree, and the Containerfile's layout and runtime libraries checked against
# the build. No container runtime or cluster is needed.
. "$(dirname "$0")/../lib.sh"

DIR=$SOURCE_ROOT/scripts/daemonset
MANIFEST=$DIR/kubeprep-daemonset.yaml
CONTAINERFILE=$DIR/Containerfile

# The structural checker: prints one line per problem, exits 1 if any.
cat >"$WORK/check.py" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = []
def want(cond, msg):
    if not cond:
        problems.append(msg)
ds = [d for d in docs if d.get("kind") == "DaemonSet"]
want(len(ds) == 1, "not exactly one DaemonSet")
ds = ds[0]
want(ds.get("apiVersion") == "apps/v1", "apiVersion is not apps/v1")
ns = ds["metadata"].get("namespace")
want(ns == "kube-system" or any(d.get("kind") == "Namespace" and d["metadata"]["name"] == ns for d in docs),
     "namespace %s is neither kube-system nor defined here" % ns)
for d in docs:
    if d.get("kind") == "Namespace":
        want(d["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "privileged",
             "the namespace's Pod Security level does not allow hostPath")
    else:
        want(d["metadata"].get("namespace") == ns, "%s is not in namespace %s" % (d.get("kind"), ns))
spec = ds["spec"]
tmpl = spec["template"]
want(all(tmpl["metadata"]["labels"].get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
     "the selector does not match the template's labels")
pod = tmpl["spec"]
for k in ("hostNetwork", "hostPID", "hostIPC"):
    want(not pod.get(k, False), k + " is set")
want(pod.get("automountServiceAccountToken") is False, "the pod gets a service account token")
want(any(t.get("key") == "node-role.kubernetes.io/control-plane" and t.get("operator") == "Exists"
         for t in pod.get("tolerations", [])), "no toleration for control-plane nodes")
psc = pod.get("securityContext", {})
want(not (psc.get("runAsUser") == 0 and psc.get("runAsNonRoot")), "runAsUser 0 with runAsNonRoot")
volumes = {v["name"]: v for v in pod.get("volumes", [])}
want(len(volumes) == len(pod.get("volumes", [])), "two volumes with one name")
containers = pod.get("containers", []) + pod.get("initContainers", [])
want(containers, "no containers")
mounted = set()
for c in containers:
    name = c.get("name")
    sc = c.get("securityContext", {})
    want(sc.get("privileged", False) is False, name + ": privileged")
    want(sc.get("allowPrivilegeEscalation") is False, name + ": allowPrivilegeEscalation is not false")
    want(sc.get("readOnlyRootFilesystem") is True, name + ": readOnlyRootFilesystem is not true")
    want(sc.get("capabilities", {}).get("drop") == ["ALL"], name + ": capabilities do not drop ALL")
    want(not sc.get("capabilities", {}).get("add"), name + ": capabilities added")
    seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {}))
    want(seccomp.get("type") == "RuntimeDefault", name + ": seccompProfile is not RuntimeDefault")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        want(set(res.get(kind, {})) >= {"cpu", "memory"}, "%s: no cpu and memory %s" % (name, kind))
    for m in c.get("volumeMounts", []):
        mounted.add(m["name"])
        want(m["name"] in volumes, "%s: volumeMount %s has no volume" % (name, m["name"]))
    by_path = {v["hostPath"]["path"]: v["name"] for v in volumes.values() if "hostPath" in v}
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    root = mounts.get(by_path.get("/"))
    want(root and root["mountPath"] == "/host" and root.get("readOnly") is True,
         name + ": the host's / is not mounted read-only at /host")
    text = mounts.get(by_path.get("/var/lib/node_exporter/textfile"))
    want(text and not text.get("readOnly", False), name + ": no read-write mount of the textfile directory")
    script = " ".join(c.get("command", []) + c.get("args", []))
    want("check --root /host --output prometheus" in " ".join(script.split()),
         name + ": does not run kubeprep check --root /host --output prometheus")
    if text:
        out = text["mountPath"].rstrip("/") + "/kubeprep.prom"
        want(out in script and "mv " in script and "sleep " in script,
             name + ": does not write %s with mv in a sleep loop" % out)
want(mounted >= set(volumes), "a volume nobody mounts")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF
ok "the manifest passes the structural checks" $PYTHON "$WORK/check.py" "$MANIFEST"

# Each check can fail: mutants of the manifest, each with the problem it must show.
cat >"$WORK/mutate.py" <<'EOF'
import sys, yaml
src, dst, what = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(src)) if d]
ds = next(d for d in docs if d["kind"] == "DaemonSet")
pod = ds["spec"]["template"]["spec"]
c = pod["containers"][0]
root = next(m for m in c["volumeMounts"] if m["mountPath"] == "/host")
{
    "rw-root": lambda: root.update(readOnly=False),
    "privileged": lambda: c["securityContext"].update(privileged=True),
    "escalation": lambda: c["securityContext"].pop("allowPrivilegeEscalation"),
    "rw-rootfs": lambda: c["securityContext"].update(readOnlyRootFilesystem=False),
    "caps": lambda: c["securityContext"]["capabilities"].update(add=["SYS_ADMIN"]),
    "seccomp": lambda: pod["securityContext"].pop("seccompProfile"),
    "hostpid": lambda: pod.update(hostPID=True),
    "no-volume": lambda: c["volumeMounts"].append({"name": "extra", "mountPath": "/x"}),
    "apply": lambda: c["args"].__setitem__(0, c["args"][0].replace("check --root", "apply --root")),
    "no-textfile": lambda: c["volumeMounts"].pop(),
    "no-limits": lambda: c["resources"].pop("limits"),
    "no-toleration": lambda: pod.pop("tolerations"),
}[what]()
yaml.safe_dump_all(docs, open(dst, "w"))
EOF
mutant() { # mutant WHAT EXPECTED-PROBLEM
        $PYTHON "$WORK/mutate.py" "$MANIFEST" "$WORK/m.yaml" "$1" || { fail "mutant $1"; return; }
        local out; out=$($PYTHON "$WORK/check.py" "$WORK/m.yaml")
        if [ $? -ne 0 ] && [[ $out == *"$2"* ]]; then pass "rejects $1: $2"; else fail "mutant $1 not rejected with '$2'" "$out"; fi
}
mutant rw-root "the host's / is not mounted read-only at /host"
mutant privileged "kubeprep: privileged"
mutant escalation "allowPrivilegeEscalation is not false"
mutant rw-rootfs "readOnlyRootFilesystem is not true"
mutant caps "capabilities added"
mutant seccomp "seccompProfile is not RuntimeDefault"
mutant hostpid "hostPID is set"
mutant no-volume "volumeMount extra has no volume"
mutant apply "does not run kubeprep check --root /host --output prometheus"
mutant no-textfile "no read-write mount of the textfile directory"
mutant no-limits "no cpu and memory limits"
mutant no-toleration "no toleration for control-plane nodes"

# The container's loop, run for real: /host is a fixture tree whose
# kubeprep.env names a profile of its own, /textfile a scratch directory.
T=$(new_tree centos7)
mkdir -p "$T/etc/kubeprep/profiles" "$WORK/textfile"
printf 'extends: default\n' >"$T/etc/kubeprep/profiles/site.yaml"
printf 'KUBEPREP_PROFILE="site"\n' >"$T/etc/kubeprep/kubeprep.env"
before=$(tree_state "$T")
$PYTHON -c '
import sys, yaml
ds = next(d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "DaemonSet")
c = ds["spec"]["template"]["spec"]["containers"][0]
assert c["command"] == ["/bin/sh", "-c"], c["command"]
print(c["args"][0])' "$MANIFEST" >"$WORK/loop.sh"
sed -i -e "s#/host#$T#g" -e "s#/textfile#$WORK/textfile#g" -e "s#/usr/sbin/kubeprep#$KUBEPREP#g" "$WORK/loop.sh"
KUBEPREP_INTERVAL_SECONDS=1 sh "$WORK/loop.sh" 2>"$WORK/loop.err" &
loop=$!
for _ in $(seq 50); do [ -s "$WORK/textfile/kubeprep.prom" ] && break; sleep 0.1; done
sleep 1.5 # at least one more round, replacing the file
kill -TERM $loop
for _ in $(seq 30); do kill -0 $loop 2>/dev/null || break; sleep 0.1; done
if kill -0 $loop 2>/dev/null; then
        fail "the loop ignores SIGTERM"; kill -KILL $loop
else
        wait $loop; rc=$?
        [ $rc = 0 ] && pass "the loop exits 0 on SIGTERM" || fail "the loop exited $rc" "$(cat "$WORK/loop.err")"
fi
P=$WORK/textfile/kubeprep.prom
[ -s "$P" ] && pass "it writes kubeprep.prom" || fail "no kubeprep.prom" "$(cat "$WORK/loop.err")"
contains "the node's drift" "$(cat "$P")" 'kubeprep_fixer_status{fixer="swap",status="drift"} 1'
contains "checked against the profile the node's kubeprep.env names" "$(cat "$P")" 'command="check",profile="site"'
[ "$(stat -c %a "$P")" = 644 ] && pass "node_exporter can read it (0644)" || fail "mode $(stat -c %a "$P")"
[ "$(ls "$WORK/textfile")" = kubeprep.prom ] && pass "no temporary files left" || fail "left: $(ls "$WORK/textfile")"
if command -v promtool >/dev/null; then
        ok "promtool check metrics accepts it" promtool check metrics <"$P"
else
        skip "promtool check metrics accepts it" "promtool not installed (Debian package prometheus)"
fi
[ "$(tree_state "$T")" = "$before" ] && pass "the node's tree is untouched" || fail "the loop changed the tree"

# The Containerfile: built with meson --prefix /usr, run on Debian slim with
# the packages of every library the binary links, and the binary and its
# data copied to where that build looks for them.
CF=$(cat "$CONTAINERFILE")
[ "$(grep -c '^FROM ' "$CONTAINERFILE")" = 2 ] && pass "two stages" || fail "not two stages" "$(grep '^FROM' "$CONTAINERFILE")"
contains "a Debian 12 build stage" "$CF" "FROM docker.io/library/debian:12 AS build"
contains "a Debian 12 slim runtime" "$CF" "FROM docker.io/library/debian:12-slim"
contains "meson setup with --prefix /usr" "$CF" "meson setup /build --prefix /usr"
contains "meson install" "$CF" "DESTDIR=/out meson install -C /build"
runtime=$(sed -n '/^FROM docker.io\/library\/debian:12-slim/,$p' "$CONTAINERFILE")
for pkg in libyaml-0-2 libcjson1 libmount1 libsystemd0; do
        [[ $runtime =~ [[:space:]]$pkg[[:space:]] ]] && pass "the runtime installs $pkg" || fail "the runtime lacks $pkg"
done
# Every library the binary needs comes from a package the runtime installs
# (libc6 is in every image; a sanitizer build's own libraries are not shipped).
for soname in $(readelf -d "$KUBEPREP" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        pkg=$(dpkg -S "*/$soname" 2>/dev/null | sed -n "s#^\([^:]*\):[^:]*: .*/$soname\$#\1#p" | head -n1)
        case $pkg in libc6 | libasan* | libubsan* | libgcc-s1 | libstdc++*) continue ;; "") fail "no package has $soname"; continue ;; esac
        [[ $runtime =~ [[:space:]]$pkg[[:space:]] ]] && pass "$soname ($pkg) is in the runtime" ||
                fail "$soname (package '$pkg') is not installed in the runtime stage"
done
grep -q "install_dir : get_option('sbindir')" "$SOURCE_ROOT/meson.build" &&
        grep -q "pkgdatadir = get_option('prefix') / get_option('datadir') / 'kubeprep'" "$SOURCE_ROOT/meson.build" &&
        grep -q "install_dir : pkgdatadir / 'profiles'" "$SOURCE_ROOT/meson.build" &&
        pass "meson installs to sbindir and datadir/kubeprep/profiles" || fail "meson.build's install layout changed"
contains "the binary is copied to /usr/sbin" "$runtime" "COPY --from=build /out/usr/sbin/kubeprep /usr/sbin/kubeprep"
if [[ $runtime == *"COPY --from=build /out/usr/share/kubeprep/ /usr/share/kubeprep/"* ]] ||
        [[ $runtime == *"COPY --from=build /out/usr/share/kubeprep/profiles/ /usr/share/kubeprep/profiles/"* ]]; then
        pass "the profiles are copied to /usr/share/kubeprep/profiles"
else
        fail "the profiles are not copied to where a --prefix /usr build looks"
fi
grep -q '/usr/sbin/kubeprep check --root /host --output prometheus' "$MANIFEST" &&
        pass "the manifest runs the binary where the image has it" || fail "the manifest's kubeprep path"

done_testing
