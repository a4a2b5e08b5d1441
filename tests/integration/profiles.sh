#!/usr/bin/env bash
# Profiles found in a node tree cannot read the host: the tree's own
# /etc/kubeprep/profiles/default.yaml saying `extends: /some/host/file` is read
# inside the tree; the operator's --profile may extend host files. A message
# quotes a short escaped excerpt of a file, never a whole line of it, and a
# deeply nested profile is refused by file and line instead of costing seconds.
. "$(dirname "$0")/../lib.sh"

NODE=centos7
# A stand-in for the host's /etc/shadow, outside the tree: a root line with a SHA-512 hash.
SALT='Qm9vQmFyQmF6UXV4'
HASH="PLANTEDHASHx0Vh3Kq0Zfb1uYw9QZk2k1Jm8rJ0pZ0a3lS7b3t3aH0cXy1Nd2z4qP5mW9sR7vT1uY3wX5zA7bC9dE1fG3hTAILOFHASH"
printf 'root:$6$%s$%s:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n' "$SALT" "$HASH" >"$WORK/shadow"

# 1. The tree's default profile extends the host file: it is looked for inside the tree.
T=$(new_tree $NODE tree)
mkdir -p "$T/etc/kubeprep/profiles"
printf 'extends: %s\n' "$WORK/shadow" >"$T/etc/kubeprep/profiles/default.yaml"
run check --root "$T" --profile default
expect_rc "a tree profile extending a host file" 2
not_contains "the host file's hash is in no output" "$OUT$ERR" "$HASH"
not_contains "  not even its first bytes" "$OUT$ERR" "PLANTEDHASH"
contains "the message names the tree's profile and says why it was refused" "$ERR" \
        "kubeprep: $T/etc/kubeprep/profiles/default.yaml: 'extends: $WORK/shadow' is read inside the tree $T, never on the host: No such file or directory"
run check --root "$T" --profile default -o json
expect_rc "the same, as JSON" 2
not_contains "the JSON report holds no hash either" "$OUT$ERR" "PLANTEDHASH"
contains "  and the reason" "$OUT" "is read inside the tree $T, never on the host"

# 2. An absolute path in a tree profile is the tree's file.
mkdir -p "$T/srv/kubeprep"
printf 'swap: allow\n' >"$T/srv/kubeprep/site.yaml"
printf 'extends: /srv/kubeprep/site.yaml\n' >"$T/etc/kubeprep/profiles/default.yaml"
run check --root "$T" --profile default --only swap
expect_rc "a tree profile extending a file of the tree" 1
contains "  reads the tree's /srv/kubeprep/site.yaml (swap: allow)" "$OUT" \
        "[swap] drift: swap is allowed by the profile, but the kubelet is not configured for it"

# 3. The tree's own /etc/shadow: what a message quotes of it is a short excerpt, not the line.
cp "$WORK/shadow" "$T/etc/shadow"
printf 'extends: /etc/shadow\n' >"$T/etc/kubeprep/profiles/default.yaml"
run check --root "$T" --profile default
expect_rc "a tree profile extending the tree's /etc/shadow" 2
contains "  quotes 40 bytes of the line" "$ERR" "kubeprep: $T/etc/shadow:1: unknown key 'root:\$6\$$SALT\$PLANTEDHASHx0Vh...'"
not_contains "  never the rest of the hash" "$OUT$ERR" "TAILOFHASH"

# 4. The operator's own --profile may extend a host file; the excerpt rule holds there too.
printf 'extends: %s\n' "$WORK/shadow" >"$WORK/operator.yaml"
run check --root "$T" --profile "$WORK/operator.yaml"
expect_rc "the operator's profile extending a host file" 2
contains "  reads it (it is the operator's own file)" "$ERR" "kubeprep: $WORK/shadow:1: unknown key 'root:"
not_contains "  and quotes no whole line" "$OUT$ERR" "TAILOFHASH"

# 5. 120 KB of nested brackets: refused at once by file and line (libyaml alone takes seconds).
$PYTHON -c 'import sys; n = 60000; sys.stdout.write("gateway: " + "[" * n + "]" * n + "\n")' >"$WORK/nested.yaml"
run check --root "$T" --profile "$WORK/nested.yaml"
expect_rc "a deeply nested profile" 2
contains "  is refused by file and line" "$ERR" "kubeprep: $WORK/nested.yaml:1: nesting deeper than 256 levels"

done_testing
