#!/usr/bin/env bash
# scripts/cloud-init/user-data.yaml: valid cloud-config (cloud-init's own
# schema check when cloud-init is installed), a profile kubeprep accepts, and
# a runcmd that applies before it joins and never joins after a failure.
. "$(dirname "$0")/../lib.sh"

UD=$SOURCE_ROOT/scripts/cloud-init/user-data.yaml
[ "$(head -n1 "$UD")" = "#cloud-config" ] && pass "starts with #cloud-config" || fail "first line: $(head -n1 "$UD")"

# Write the files cloud-init would write into a copy of the sample node, and
# the runcmd script the way cloud-init makes it (strings as they are, lists
# shell-quoted, under #!/bin/sh).
T=$(new_tree centos7)
ok "valid YAML with write_files and runcmd" $PYTHON - "$UD" "$T" "$WORK/runcmd" <<'EOF'
import os, shlex, sys, yaml
ud, root, script = sys.argv[1:]
doc = yaml.safe_load(open(ud))
files = {f["path"]: f for f in doc["write_files"]}
assert set(files) == {"/etc/kubeprep/profiles/site.yaml", "/etc/kubeprep/kubeprep.env"}, files
for path, f in files.items():
    assert f["permissions"] == "0644" and f["owner"] == "root:root", f
    os.makedirs(os.path.dirname(root + path), exist_ok=True)
    open(root + path, "w").write(f["content"])
with open(script, "w") as out:
    out.write("#!/bin/sh\n")
    for c in doc["runcmd"]:
        out.write((c if isinstance(c, str) else shlex.join(c)) + "\n")
EOF
contains "the profile extends the default" "$(cat "$T/etc/kubeprep/profiles/site.yaml")" $'\nextends: default\n'
[ "$(. "$T/etc/kubeprep/kubeprep.env"; echo "$KUBEPREP_PROFILE")" = site ] &&
        pass "kubeprep.env sets KUBEPREP_PROFILE=site" || fail "kubeprep.env" "$(cat "$T/etc/kubeprep/kubeprep.env")"
run check --root "$T" --profile site -o json
expect_rc "kubeprep reads the site profile from the node (drift, not an error)" 1
contains "the report names it" "$OUT" '"profile":	"site"'

# The runcmd script with stand-ins for systemctl, kubeprep and kubeadm that
# log their arguments; the env file is read from the tree instead of /etc.
mkdir -p "$WORK/bin"
for c in systemctl kubeprep kubeadm; do
        printf '#!/bin/sh\necho "%s $*" >>"$WORK/calls"\n[ "%s" != "${FAIL:-}" ]\n' "$c" "$c" >"$WORK/bin/$c"
        chmod +x "$WORK/bin/$c"
done
sed "s#/etc/kubeprep/kubeprep.env#$T/etc/kubeprep/kubeprep.env#" "$WORK/runcmd" >"$WORK/runcmd.sh"
export WORK
: >"$WORK/calls"
PATH=$WORK/bin:$PATH sh "$WORK/runcmd.sh" >/dev/null 2>&1
rc=$?
cat >"$WORK/want" <<'EOF'
systemctl enable kubeprep.service
kubeprep apply --profile site
kubeadm join REPLACE_WITH_API_ENDPOINT:6443 --token REPLACE_WITH_TOKEN --discovery-token-ca-cert-hash sha256:REPLACE_WITH_CA_CERT_HASH --patches /etc/kubeprep/patches
kubeprep apply --profile site
EOF
[ $rc = 0 ] && pass "runcmd succeeds" || fail "runcmd exit $rc"
same_file "runcmd: enable, apply with the site profile, join with the placeholders and kubeprep's patches, apply" "$WORK/calls" "$WORK/want"
: >"$WORK/calls"
FAIL=kubeprep PATH=$WORK/bin:$PATH sh "$WORK/runcmd.sh" >/dev/null 2>&1
rc=$?
[ $rc != 0 ] && pass "a failed kubeprep apply fails runcmd" || fail "runcmd exit 0 after kubeprep failed"
not_contains "and the node does not join" "$(cat "$WORK/calls")" "kubeadm"
for p in REPLACE_WITH_API_ENDPOINT REPLACE_WITH_TOKEN REPLACE_WITH_CA_CERT_HASH; do
        grep -q "^#   $p " "$UD" && pass "the header explains $p" || fail "$p is not explained in the header"
done

if ! command -v cloud-init >/dev/null; then
        skip "cloud-init schema accepts it" "cloud-init not installed (Debian package cloud-init)"
        skip "cloud-init schema rejects a broken copy" "cloud-init not installed"
else
        ok "cloud-init schema accepts it" cloud-init schema --config-file "$UD"
        # The check above can fail: a copy with runcmd not a list is refused.
        sed 's/^runcmd:$/runcmd: 5\nruncmd_was:/' "$UD" >"$WORK/broken.yaml"
        if cloud-init schema --config-file "$WORK/broken.yaml" >"$WORK/schema.out" 2>&1; then
                fail "cloud-init schema accepted a broken copy" "$(cat "$WORK/schema.out")"
        else
                pass "cloud-init schema rejects a broken copy"
        fi
fi

done_testing
