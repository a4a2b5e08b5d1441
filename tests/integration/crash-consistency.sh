#!/usr/bin/env bash
# Crash consistency: `kubeprep apply` SIGKILLed at every call that changes the
# file system (write, fsync, rename, mkdir, symlink, chmod, chown, create;
# tests/crash/killshim.c), before and after the call, on the sample node with
# work for every fixer. After each kill every file is its old or its new state
# (content, symlink target, mode, owner), the backup manifest is whole, the
# next apply completes with exactly the tree an uninterrupted run makes and
# removes the temp files the killed run left; rolling back both runs (the
# completed one, then the interrupted one) restores the original tree, and so
# does rolling back the interrupted run alone.
#   crash-consistency.sh KILLSHIM.so
. "$(dirname "$0")/../lib.sh"

SHIM=${1:-${KILLSHIM:-$BUILD_DIR/tests/killshim.so}}
[ "$(id -u)" = 0 ] || skip_all "needs root (the tree has a user's home owned by the user)"
[ -f "$SHIM" ] || skip_all "no kill shim at $SHIM"
# An ASan binary wants its runtime first in the preload list.
preload=$SHIM
asan=$(ldd "$KUBEPREP" 2>/dev/null | awk '/libasan/ {print $3}')
[ -n "$asan" ] && preload="$asan:$SHIM"
export KILLSHIM_PRELOAD=$preload

# Hundreds of runs, each with dozens of fsyncs: on tmpfs when there is one.
TREES=$(mktemp -d /dev/shm/kubeprep-crash.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$TREES"; cleanup_work' EXIT
ORIG=$TREES/orig
cp -a "$FIXTURES/nodes/centos7" "$ORIG"
chown -R 1000:1000 "$ORIG/home/dev" # git keeps no owners: dev's home is dev's
# A dnsmasq on the node's loopback, and the site's upstream DNS server in the profile: dns has work.
printf 'nameserver 127.0.0.1\n' >"$ORIG/etc/resolv.conf"
printf 'extends: %s\ndns:\n  upstream: [192.0.2.53]\n' "$FIXTURES/profiles/centos7-site.yaml" >"$TREES/site.yaml"
# boot-units has work too: a kubelet unit that is not enabled (a link and its directory to make).
printf '[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\n[Install]\nWantedBy=multi-user.target\n' \
        >"$ORIG/usr/lib/systemd/system/kubelet.service"

# Every fixer that writes has work: kubelet 1.24 on a 1.25 control plane loses
# --network-plugin and gets CSIMigration disabled; the site profile names dev,
# the gateway and the DNS server; disk-pressure and cri-endpoint only check, and
# the other check-only fixers (which never write) are left out; kernel-cgroups
# reads the running kernel, so with --root it skips the sample node (no cmdline.txt).
"$PYTHON" - "$KUBEPREP" "$ORIG" "$TREES" \
        --profile "$TREES/site.yaml" --kubelet-version 1.24.17 \
        --control-plane-version 1.25.16 --user dev --skip resources,ports,leftovers,programs,proxy <<'PY'
import json, os, re, shutil, stat, subprocess, sys

kubeprep, orig_root, work = sys.argv[1:4]
opts = sys.argv[4:]
STATE = "var/lib/kubeprep"
TEMP = re.compile(r"^\.#.*\.kubeprep-\d+-[0-9a-f]+$")
n_tap = 0
failed = 0

def tap(ok, name, detail=""):
    global n_tap, failed
    n_tap += 1
    if not ok:
        failed += 1
    print(("ok" if ok else "not ok"), n_tap, "-", name)
    if not ok and detail:
        for line in str(detail).splitlines()[:30]:
            print("#", line)
    sys.stdout.flush()

def snapshot(root):
    """path -> (type, mode, uid, gid, content or target) for everything but kubeprep's state."""
    snap = {}
    for dirpath, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirs + files:
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel == STATE or rel.startswith(STATE + "/"):
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                data = ("link", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                data = ("dir", None)
            else:
                with open(full, "rb") as f:
                    data = ("file", f.read())
            snap[rel] = (data[0], stat.S_IMODE(st.st_mode) if data[0] != "link" else 0, st.st_uid, st.st_gid, data[1])
    return snap

def temps(snap):
    return sorted(p for p in snap if TEMP.match(os.path.basename(p)))

def show(v):
    if v is None:
        return "absent"
    kind, mode, uid, gid, data = v
    if kind == "file":
        data = "%d bytes %r" % (len(data), data[:60])
    return "%s %o %d:%d %s" % (kind, mode, uid, gid, data)

def compare(got, want, ignore_new_empty_dirs=False):
    """Differences between two snapshots, as text lines. Rollback leaves the
    directories a run made on the way to a new file (/etc/systemd/system),
    but nothing in them."""
    out = []
    for p in sorted(set(got) | set(want)):
        g, w = got.get(p), want.get(p)
        if g == w:
            continue
        if ignore_new_empty_dirs and w is None and g[0] == "dir" and \
                all(got[q][0] == "dir" for q in got if q.startswith(p + "/")):
            continue
        out.append("%s: %s, want %s" % (p, show(g), show(w)))
    return out

def kp(root, *args, shim_at=None, when="before", log=None):
    env = dict(os.environ)
    if shim_at is not None or log:
        env["LD_PRELOAD"] = os.environ["KILLSHIM_PRELOAD"]
        env["KILLSHIM_AT"] = str(shim_at or 0)
        env["KILLSHIM_WHEN"] = when
        if log:
            env["KILLSHIM_LOG"] = log
    p = subprocess.run([kubeprep, *args, "--root", root], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr

def fresh(name, src=orig_root):
    dst = os.path.join(work, name)
    shutil.rmtree(dst, ignore_errors=True)
    subprocess.run(["cp", "-a", src, dst], check=True)
    return dst

def runs_to_roll_back(root):
    bdir = os.path.join(root, STATE, "backups")
    return [r for r in (os.listdir(bdir) if os.path.isdir(bdir) else [])
            if os.path.exists(os.path.join(bdir, r, "manifest.json"))
            and not os.path.exists(os.path.join(bdir, r, "rolled-back"))]

def rollback_all(root):
    """Roll back every run with a manifest, newest first (what a bare
    `rollback` picks); returns (runs rolled back, error)."""
    n = len(runs_to_roll_back(root))
    for i in range(n):
        rc, out = kp(root, "rollback")
        if rc != 0:
            return i, out
    left = runs_to_roll_back(root)
    return n, ("runs left: %s" % left) if left else None

def manifest_problems(root):
    """Every backup manifest parses and names backup files that exist."""
    bdir = os.path.join(root, STATE, "backups")
    probs = []
    for run in sorted(os.listdir(bdir)) if os.path.isdir(bdir) else []:
        m = os.path.join(bdir, run, "manifest.json")
        if not os.path.exists(m):
            continue # a run killed before its first manifest: rollback skips it
        try:
            doc = json.load(open(m))
            for e in doc["files"]:
                if e.get("backup") and not os.path.isfile(os.path.join(bdir, run, e["backup"])):
                    probs.append("%s: backup %s of %s missing" % (run, e["backup"], e["path"]))
        except Exception as ex:
            probs.append("%s: %s" % (m, ex))
    return probs

orig = snapshot(orig_root)

# The uninterrupted run: what it changes, and how many steps it takes.
ref = fresh("ref")
log = os.path.join(work, "calls.log")
ref_rc, ref_out = kp(ref, "apply", "-o", "json", *opts, log=log)
tap(ref_rc == 0, "the uninterrupted apply exits 0", ref_out)
try:
    st = {r["fixer"]: r["status"] for r in json.loads(ref_out)["results"]}
except Exception as ex:
    st = {"unparsable": str(ex)}
CHECK_ONLY = ("disk-pressure", "cri-endpoint")
tap(all(v == "changed" for f, v in st.items() if f not in CHECK_ONLY + ("kernel-cgroups",))
    and all(st.get(f) == "ok" for f in CHECK_ONLY) and st.get("kernel-cgroups") == "skipped"
    and len(st) >= 17 and st.get("dns") == "changed",
    "every fixer but disk-pressure, cri-endpoint (check-only) and kernel-cgroups (live only) has work", st)
final = snapshot(ref)
touched = {p for p in set(orig) | set(final) if orig.get(p) != final.get(p)}
steps = sum(1 for _ in open(log))
t = fresh("t", ref)
runs, err = rollback_all(t)
rc, out = kp(t, "rollback")
tap(runs == 1 and not err and rc == 2 and "no run to roll back" in out and
    not compare(snapshot(t), orig, ignore_new_empty_dirs=True),
    "the uninterrupted run rolls back to the original tree, and then there is nothing left to roll back",
    "%d %s %d %s" % (runs, err, rc, out))
tap(steps >= 100, "the shim counts the run's steps (%d)" % steps, open(log).read())
print("# %d paths changed by the run, %d kill points" % (len(touched), steps))

for when in ("before", "after"):
    bad = {"torn": [], "other": [], "manifest": [], "killed": [], "next": [], "temps": [], "rb-int": [], "rb-all": []}
    covered = 0
    n = 0
    while True:
        n += 1
        t = fresh("t")
        rc, out = kp(t, "apply", *opts, shim_at=n, when=when)
        if rc != -9:
            bad["killed"] += [] if n == steps + 1 and rc == ref_rc else ["N=%d: not killed, exit %d, after %d steps" % (n, rc, steps)]
            break
        covered += 1
        now = snapshot(t)
        for p in sorted(set(now) | touched):
            if p in touched:
                if now.get(p) not in (orig.get(p), final.get(p)):
                    bad["torn"].append("N=%d %s: %s; old %s; new %s" % (n, p, show(now.get(p)), show(orig.get(p)), show(final.get(p))))
            elif now.get(p) != orig.get(p) and not TEMP.match(os.path.basename(p)):
                bad["other"].append("N=%d %s: %s, was %s" % (n, p, show(now.get(p)), show(orig.get(p))))
        bad["manifest"] += ["N=%d %s" % (n, x) for x in manifest_problems(t)]
        # The interrupted run alone rolls back to the original tree.
        t2 = fresh("t2", t)
        runs, err = rollback_all(t2)
        diff = compare(snapshot(t2), orig, ignore_new_empty_dirs=True)
        if err or runs > 1 or diff:
            bad["rb-int"].append("N=%d (%d runs rolled back) %s %s" % (n, runs, err or "", "; ".join(diff[:5])))
        # The next apply completes, leaves what an uninterrupted run leaves, and no temp files.
        rc2, out2 = kp(t, "apply", *opts)
        after = snapshot(t)
        diff = compare(after, final)
        if rc2 != ref_rc or [d for d in diff if not TEMP.match(os.path.basename(d.split(":")[0]))]:
            bad["next"].append("N=%d exit %d: %s %s" % (n, rc2, "; ".join(diff[:5]), out2[-300:]))
        if temps(after):
            bad["temps"].append("N=%d: %s" % (n, " ".join(temps(after))))
        # Rolling back the completed run, then the interrupted one: the original tree.
        runs, err = rollback_all(t)
        diff = compare(snapshot(t), orig, ignore_new_empty_dirs=True)
        if err or diff:
            bad["rb-all"].append("N=%d (%d runs) %s %s" % (n, runs, err or "", "; ".join(diff[:5])))
    w = "killed %s a call" % when
    tap(not bad["killed"] and covered == steps, "%s: %d kill points, the run completes at N=%d" % (w, covered, n), "\n".join(bad["killed"]))
    tap(not bad["torn"], "%s: every file it touches is old or new (content, target, mode, owner)" % w, "\n".join(bad["torn"]))
    tap(not bad["other"], "%s: nothing else changes" % w, "\n".join(bad["other"]))
    tap(not bad["manifest"], "%s: the backup manifest is whole" % w, "\n".join(bad["manifest"]))
    tap(not bad["rb-int"], "%s: rolling back the interrupted run restores the original tree" % w, "\n".join(bad["rb-int"]))
    tap(not bad["next"], "%s: the next apply completes with the uninterrupted run's tree" % w, "\n".join(bad["next"]))
    tap(not bad["temps"], "%s: the next apply leaves no temp files" % w, "\n".join(bad["temps"]))
    tap(not bad["rb-all"], "%s: rolling back both runs restores the original tree" % w, "\n".join(bad["rb-all"]))

print("1..%d" % n_tap)
sys.exit(1 if failed else 0)
PY
