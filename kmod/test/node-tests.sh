# Sourced by guest-init.sh: the engine conformance suite (test/engine) under
# NTRACE_BACKEND=kernel, run by the host's node from a writable overlay of the host root.
node_suite() {
	host_root || return 1
	[ -d /newroot/work/main/dist/test/engine ] || { echo "node tests: dist/test/engine missing (run npx tsc -p . on the host)"; return 1; }
	insmod /ntrace.ko || return 1
	t0=$(date +%s)
	chroot /newroot /usr/bin/node -e 'console.log("node " + process.version + " runs in the guest")'
	echo "node startup: $(($(date +%s) - t0))s"
	if [ "$(cat /node_tests)" = debug ]; then
		# Development aid: run kmod/test/out/debug.sh from the host inside the chroot.
		timeout "$(cat /node_timeout)" chroot /newroot /bin/sh /work/main/kmod/test/out/debug.sh
		rmmod ntrace
		return 0
	fi
	# Streamed to the console as it runs; bounded so the verdict and dmesg always follow.
	timeout "$(cat /node_timeout)" chroot /newroot /usr/bin/env -i HOME=/tmp \
		PATH=/usr/local/bin:/usr/bin:/bin NTRACE_BACKEND=kernel CI=1 /bin/sh -c \
		'cd /work/main && exec node node_modules/ava/entrypoints/cli.mjs --verbose --timeout=120s dist/test/engine/ 2>&1; echo "ava-exit: $?"' |
		sed 's/^/ava: /' | tee /tmp/ava.log
	grep -q '^ava: ava-exit: 0$' /tmp/ava.log
	rc=$?
	rmmod ntrace || { echo "rmmod after the node suite failed"; return 1; }
	return $rc
}
check "engine conformance suite (node, NTRACE_BACKEND=kernel)" node_suite
