# Sourced by guest-init.sh: the engine conformance suite (test/engine) under
# NTRACE_BACKEND=kernel, run by the host's node from a writable overlay of the host root.
node_suite() {
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
		netfs fscache 9pnet 9pnet_virtio 9p overlay; do
		insmod /mods/$m.ko || return 1
	done
	mkdir -p /host /ovl /newroot
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /host || return 1
	mount -t tmpfs tmpfs /ovl && mkdir -p /ovl/upper /ovl/work || return 1
	mount -t overlay overlay -o lowerdir=/host,upperdir=/ovl/upper,workdir=/ovl/work /newroot ||
		return 1
	mount -t proc proc /newroot/proc && mount -t sysfs sysfs /newroot/sys &&
		mount -t devtmpfs devtmpfs /newroot/dev && mount -t tmpfs tmpfs /newroot/tmp || return 1
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
