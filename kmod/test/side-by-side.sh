#!/bin/bash
# The engine conformance suite (test/engine) on both providers, side by side: one line per test
# with its result on the userspace provider (the host's ava TAP) and on the kernel provider (the
# guest's, "ava: "-prefixed on the QEMU console), then the counts. A test the provider skips
# for a missing capability says which ("skip:cap"; capTest puts the capability in the title);
# another skip ("skip") gives the reason its title carries.
#
# Usage: side-by-side.sh HOST_TAP GUEST_CONSOLE_LOG
# Prints, last, one machine-readable line per provider:
#   conformance-counts: userspace P F S; kernel P F S
set -uo pipefail
host=${1:?host TAP}
guest=${2:?guest console log}

# "result<TAB>title" from TAP lines; titles lose the engine › prefix and the skip note.
results() {
	tr -d '\r' | awk '
		/^(not )?ok [0-9]+ - / {
			ok = $1 == "ok"
			line = $0
			sub(/^(not )?ok [0-9]+ - /, "", line)
			skip = line ~ / # SKIP$/
			sub(/ # SKIP$/, "", line)
			res = !ok ? "FAIL" : skip ? "skip" : "pass"
			lacks = ""
			if (match(line, / \[skipped: [^]]*\]$/)) {
				lacks = substr(line, RSTART + 11, RLENGTH - 12)
				line = substr(line, 1, RSTART - 1)
				# capTest says "<provider> provider lacks <capability>"; other skips give a reason.
				if (sub(/^[a-z]+ provider lacks /, "", lacks)) {
					lacks = "lacks " lacks
					if (res == "skip")
						res = "skip:cap"
				} else {
					lacks = "skips: " lacks
				}
			}
			sub(/^engine › /, "", line)
			print res "\t" line "\t" lacks
		}'
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
files=$(cd "$ROOT/test/engine" && ls -- *.test.ts | sed 's/\.test\.ts$//' | paste -sd'|')
h=$(mktemp)
g=$(mktemp)
trap 'rm -f "$h" "$g"' EXIT
# Host: only the engine suite's tests (the full ava run holds every directory's).
results <"$host" | grep -E "^[^	]+	($files) › " >"$h"
sed -n 's/^ava: //p' "$guest" | results >"$g"

awk -F'\t' '
	FNR == NR { hr[$2] = $1; hl[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 }; next }
	{ gr[$2] = $1; gl[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
	function count(r, who) {
		if (r == "pass") c[who, "p"]++
		else if (r == "FAIL") c[who, "f"]++
		else if (r != "-") c[who, "s"]++
	}
	END {
		for (i = 0; i < n; i++) {
			t = order[i]
			u = (t in hr) ? hr[t] : "-"
			k = (t in gr) ? gr[t] : "-"
			note = ""
			if (k ~ /^skip/ && gl[t] != "") note = "  [kernel " gl[t] "]"
			if (u ~ /^skip/ && hl[t] != "") note = note "  [userspace " hl[t] "]"
			printf "row\t%s\t%-10s %-10s %s%s\n", t, u, k, t, note
			count(u, "u")
			count(k, "k")
		}
		printf "end\t\tuserspace: %d passed, %d failed, %d skipped; kernel: %d passed, %d failed, %d skipped\n",
			c["u", "p"], c["u", "f"], c["u", "s"], c["k", "p"], c["k", "f"], c["k", "s"]
		printf "end\t\tconformance-counts: userspace %d %d %d; kernel %d %d %d\n",
			c["u", "p"], c["u", "f"], c["u", "s"], c["k", "p"], c["k", "f"], c["k", "s"]
	}' "$h" "$g" >"$h.out"
printf '%-10s %-10s %s\n' userspace kernel 'engine conformance test (test/engine; -: not run there)'
grep '^row' "$h.out" | LC_ALL=C sort -t'	' -k2,2 | cut -f3-
grep '^end' "$h.out" | cut -f3-
rm -f "$h.out"
