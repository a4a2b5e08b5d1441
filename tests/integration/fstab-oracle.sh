#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks the fstab editor against util-linux's own reading of fstab (findmnt), on every corpus fstab
# and every edge-case fixture. Usage: fstab-oracle.sh TOOL CORPUS_DIR   (prints TAP, exits 0/1)
# TOOL is tests/unit/fstab-edit-tool: exit 0 unchanged, 1 changed, 2 refused.
set -u

tool=${1:?usage: fstab-oracle.sh TOOL CORPUS_DIR}
corpus=${2:?usage: fstab-oracle.sh TOOL CORPUS_DIR}
[ -d "$corpus/fstab" ] && corpus=$corpus/fstab
edge_dir=$(cd "$(dirname "$0")/../fixtures/fstab/edge" && pwd)

command -v findmnt >/dev/null || { echo "1..0 # SKIP findmnt not installed"; exit 0; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/../tap.sh"

# Line numbers findmnt reports as unparsable (it skips those lines), one per line.
parse_error_lines() {
        findmnt --verify --tab-file "$1" 2>&1 | sed -n 's/.*parse error at line \([0-9]*\).*/\1/p'
}

# Every entry as libmount sees it, one per line: SOURCE TARGET FSTYPE OPTIONS. --fstab makes
# findmnt read the file as fstab, the way mount and findmnt --verify do; without it findmnt guesses
# the format from the first entry (two numbers: mountinfo).
entries() {
        findmnt --fstab --tab-file "$1" -n -r -o SOURCE,TARGET,FSTYPE,OPTIONS 2>/dev/null
}

# The edit may add parse errors the original did not have: none.
no_new_parse_errors() {
        local new
        new=$(comm -13 <(parse_error_lines "$1" | sort -u) <(parse_error_lines "$2" | sort -u))
        [ -z "$new" ] || { echo "# new parse errors at lines: $new"; return 1; }
}

# The entries that are not swap keep every field; no swap entry is left.
non_swap_entries_kept() {
        local before after
        before=$(entries "$1" | awk '$3 != "swap"')
        after=$(entries "$2")
        [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | sed 's/^/# /'; return 1; }
}

# Byte for byte the original except a '#' in front of as many lines as there were swap entries.
only_swap_lines_commented() {
        local swaps changed
        swaps=$(entries "$1" | awk '$3 == "swap"' | wc -l)
        changed=$(awk 'NR == FNR { orig[FNR] = $0; n = FNR; next }
                       $0 != orig[FNR] { if ($0 != "#" orig[FNR]) bad = 1; c++ }
                       END { if (bad || FNR != n) print -1; else print c + 0 }' "$1" "$2")
        [ "$changed" = "$swaps" ] || { echo "# changed lines: $changed, swap entries: $swaps"; return 1; }
        [ $(($(stat -c %s "$1") + swaps)) -eq "$(stat -c %s "$2")" ] || { echo "# sizes differ"; return 1; }
        [ "$(tail -c 1 "$1" | od -An -tx1)" = "$(tail -c 1 "$2" | od -An -tx1)" ] || { echo "# last byte differs"; return 1; }
}

# A refusal names a line that findmnt cannot parse either, or (our one extra rule) an entry whose
# type field cannot be a filesystem type, such as "kk# /dev/sda3 LABEL=arch".
refusal_justified() {
        local file=$1 message=$2 line type
        line=$(sed -n 's/^[^:]*: line \([0-9]*\): .*/\1/p' <<<"$message")
        [ -n "$line" ] || { echo "# no line number in: $message"; return 1; }
        if parse_error_lines "$file" | grep -qx "$line"; then
                return 0
        fi
        type=$(tr -d '\0' <"$file" | awk -v n="$line" 'NR == n { print $3 }' | tr -d '\r')
        if [ -n "$type" ] && ! [[ $type =~ ^[A-Za-z0-9._+,-]+$ ]]; then
                return 0
        fi
        echo "# findmnt parses line $line and its type '$type' looks valid: $message"
        return 1
}

run_one() { # run_one FILE LABEL
        local file=$1 label=$2 rc message
        "$tool" "$file" >"$work/edited" 2>"$work/stderr"
        rc=$?
        message=$(head -n 1 "$work/stderr")
        case $rc in
        0)
                check "$label: unchanged, output identical" cmp -s "$file" "$work/edited"
                check "$label: unchanged, libmount sees no active swap entry" \
                        bash -c '! findmnt --fstab --tab-file "$1" -n -r -o FSTYPE 2>/dev/null | grep -qx swap' _ "$file"
                ;;
        1)
                check "$label: no new parse error" no_new_parse_errors "$file" "$work/edited"
                check "$label: non-swap entries unchanged, no swap left" non_swap_entries_kept "$file" "$work/edited"
                check "$label: only swap lines got a '#'" only_swap_lines_commented "$file" "$work/edited"
                ;;
        2)
                check "$label: refusal is justified ($message)" refusal_justified "$file" "$message"
                ;;
        *)
                check "$label: tool exit code $rc is 0, 1 or 2 ($message)" false
                ;;
        esac
        # For the hand-made fixtures the table also says which way it must go.
        local base=${file%.fstab}
        if [ -e "$base.refused" ]; then
                check "$label: refused as the fixture expects" test "$rc" = 2
        elif [ -e "$base.expected" ]; then
                check "$label: output equals the fixture's expected text" cmp -s "$base.expected" "$work/edited"
        fi
}

shopt -s nullglob
files=("$corpus"/* "$edge_dir"/*.fstab)
[ ${#files[@]} -gt 0 ] || { echo "not ok 1 - no input files"; echo "1..1"; exit 1; }
for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        case $f in
        "$edge_dir"/*) label=edge/$(basename "$f") ;;
        *) label=corpus/$(basename "$f") ;;
        esac
        run_one "$f" "$label"
done

echo "1..$n"
[ "$failed" -eq 0 ]
