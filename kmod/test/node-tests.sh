# Sourced by guest-init.sh: the engine conformance suite (test/engine) under
# NTRACE_BACKEND=kernel, run by the host's node from a writable overlay of the host root.
node_suite() {
	host_root || return 1
	[ -d "/newroot$(cat /root_path)/dist/test/engine" ] || { echo "node tests: dist/test/engine missing (run npx tsc -p . on the host)"; return 1; }
	insmod /ntrace.ko || return 1
	t0=$(date +%s)
	chroot /newroot /usr/bin/node -e 'console.log("node " + process.version + " runs in the guest")'
	echo "node startup: $(($(date +%s) - t0))s"
	if [ "$(cat /node_tests)" = debug ]; then
		# Development aid: run kmod/test/out/debug.sh from the host inside the chroot.
		timeout "$(cat /node_timeout)" chroot /newroot /bin/sh "$(cat /root_path)/kmod/test/out/debug.sh"
		rmmod ntrace
		return 0
	fi
	# Bounded by NODE_TIMEOUT and by what is left of QEMU_TIMEOUT (guest uptime ~ time since
	# qemu started), keeping 40 s for rmmod, dmesg and the verdict.
	limit=$(cat /node_timeout)
	left=$(($(cat /qemu_timeout) - $(cut -d. -f1 /proc/uptime) - 40))
	[ "$left" -lt "$limit" ] && limit=$left
	[ "$limit" -gt 0 ] || { echo "node tests: no time left (QEMU_TIMEOUT)"; return 1; }
	# TAP (as the host's run prints it, for .ci/run's side-by-side table), streamed to the
	# console as it runs; bounded so the verdict and dmesg always follow.
	# NODE_TESTS_FILES (host): some files only, by name ("conditions threads").
	files=
	for f in $(cat /node_tests_files 2>/dev/null); do files="$files dist/test/engine/$f.test.js"; done
	# The host's GNU timeout signals its whole process group (ava's workers too): busybox's
	# signals only its child, and the workers kept the pipe open until qemu was killed.
	chroot /newroot /usr/bin/timeout -k 5 "$limit" /usr/bin/env -i HOME=/tmp \
		PATH=/usr/local/bin:/usr/bin:/bin NTRACE_BACKEND=kernel CI=1 R="$(cat /root_path)" \
		NTRACE_FIXTURE_CACHE=/tmp/ntrace-fixture-cache \
		FILES="${files:-dist/test/engine/}" /bin/sh -c \
		'cd "$R" && node node_modules/ava/entrypoints/cli.mjs --tap --timeout=120s $FILES 2>&1; echo "ava-exit: $?"' |
		sed 's/^/ava: /' | tee /tmp/ava.log
	grep -q '^ava: ava-exit: 0$' /tmp/ava.log
	rc=$?
	# A suite cut by the timeout leaves its killed workers closing their sessions: retry.
	unloaded=
	for try in 1 2 3 4 5; do
		rmmod ntrace 2>/dev/null && unloaded=1 && break
		sleep 1
	done
	[ -n "$unloaded" ] || { echo "rmmod after the node suite failed ($try tries)"; return 1; }
	return $rc
}
check "engine conformance suite (node, NTRACE_BACKEND=kernel)" node_suite
