#!/bin/bash
# CI entry for the kernel provider: boots Debian's 6.1 kernel in QEMU once (run-qemu.sh), runs
# the selftest and, with NODE_TESTS=1, the engine conformance suite with NTRACE_BACKEND=kernel,
# with GDB_E2E=1 a gdb session. Prints one summary line; exits non-zero on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
rm -f "$OUT/console.log" # no stale results if this run fails before the guest boots

# NODE_TESTS=1 adds the engine conformance suite (4-7 minutes under TCG: every ava test file
# starts node and compiles its gcc fixtures, all emulated), GDB_E2E=1 the gdb session (30-90 s),
# BENCH=1 the bench/kmod run; all in the same boot. .ci/run sets NODE_TESTS=1 GDB_E2E=1.
# Without them the run takes under a minute.
NODE_TESTS=${NODE_TESTS:-0}
if [ "$NODE_TESTS" != 0 ] || [ "${GDB_E2E:-0}" != 0 ]; then
	if [ ! -d "$ROOT/dist/test/engine" ] || [ ! -f "$ROOT/build/Release/ntrace.node" ]; then
		echo "kmod-ci: NODE_TESTS/GDB_E2E need dist/ and build/Release/ntrace.node (npm run build)"
		exit 2
	fi
fi
export NODE_TESTS
export GDB_E2E=${GDB_E2E:-0}
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-$([ "$NODE_TESTS" = 0 ] && [ "${BENCH:-0}" = 0 ] && echo 240 || echo 900)}

start=$(date +%s)
"$HERE/run-qemu.sh" 2>&1 | tee "$OUT/ci.log"
rc=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))

LOG=$OUT/console.log
self_pass=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -cE '^ok [0-9]+ ')
self_fail=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -cE '^not ok [0-9]+ ')
# Guest checks other than the two that wrap the selftest and the node suite (counted by test).
wrapper='^(not )?ok - (ntrace_selftest|engine conformance suite)'
guest_pass=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -E '^ok - ' | grep -cvE "$wrapper")
guest_fail=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -E '^not ok - ' | grep -cvE "$wrapper")
node=""
if [ "$NODE_TESTS" != 0 ]; then
	# The guest's ava TAP: "ok N - title", "ok N - title # SKIP", "not ok N - title".
	ava=$(tr -d '\r' <"$LOG" 2>/dev/null | sed -n 's/^ava: //p')
	npass=$(grep -E '^ok [0-9]+ - ' <<<"$ava" | grep -vc '# SKIP')
	nskip=$(grep -E '^ok [0-9]+ - ' <<<"$ava" | grep -c '# SKIP')
	nfail=$(grep -cE '^not ok [0-9]+ - ' <<<"$ava")
	grep -q '^ava-exit: 0$' <<<"$ava" || [ "$nfail" -gt 0 ] || nfail=1 # no verdict: a failure
	node=", node suite: $npass passed, $nfail failed, $nskip skipped"
fi
verdict=$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)
echo "kmod-ci: $verdict in ${secs}s: selftest $self_pass passed, $self_fail failed; guest checks $guest_pass passed, $guest_fail failed$node"
exit "$rc"
