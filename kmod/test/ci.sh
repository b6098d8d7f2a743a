#!/bin/bash
# CI entry for the kernel provider: boots Debian's 6.1 kernel in QEMU (run-qemu.sh), runs the
# selftest and, when the TypeScript build is present, the engine conformance suite with
# NTRACE_BACKEND=kernel. Prints one summary line; exits non-zero on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"

if [ -z "${NODE_TESTS:-}" ]; then
	if [ -d "$ROOT/dist/test/engine" ] && [ -f "$ROOT/build/Release/ntrace.node" ]; then
		NODE_TESTS=1
	else
		NODE_TESTS=0
	fi
fi
export NODE_TESTS
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-$([ "$NODE_TESTS" = 0 ] && echo 200 || echo 420)}

start=$(date +%s)
"$HERE/run-qemu.sh" 2>&1 | tee "$OUT/ci.log"
rc=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))

LOG=$OUT/console.log
self_pass=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -cE '^ok [0-9]+ ')
self_fail=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -cE '^not ok [0-9]+ ')
guest_fail=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -cE '^not ok - ')
node=""
if [ "$NODE_TESTS" != 0 ]; then
	ava=$(tr -d '\r' <"$LOG" 2>/dev/null | grep '^ava:')
	node=", node suite: $(grep -c '✔' <<<"$ava") passed, $(grep -c '✘' <<<"$ava") failed, $(grep -c '\[skip\]' <<<"$ava") skipped"
fi
verdict=$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)
echo "kmod-ci: $verdict in ${secs}s: selftest $self_pass passed, $self_fail failed; guest checks failed: $guest_fail$node"
exit "$rc"
