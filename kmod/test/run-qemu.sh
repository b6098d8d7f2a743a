#!/bin/bash
# Boot Debian 12's own kernel in QEMU (TCG), load ntrace.ko and run the guest tests.
#
# Steps: fetch (or reuse) the linux-image package matching the installed linux-headers-amd64,
# build the module and the static selftest, pack a busybox initramfs, boot, collect the guest's
# console and dmesg, and fail on a failed test or on any oops/BUG/WARN/lockdep report.
#
# Environment: KVER (default: the installed linux-headers-*-amd64), OUT (cache dir, default
# kmod/test/out), NODE_TESTS=1 to add the node conformance suite (slow under TCG; NODE_TESTS_FILES
# names some of its files, e.g. "conditions"), GDB_E2E=1 to
# add the gdb session, SELFTEST_ONLY=security (or cond) to run that selftest group alone, BENCH=1
# (BENCH_ARGS="steps hits [backends] [conds]") to run bench/kmod (BENCH_GDB=N adds bench/gdb's
# conditional breakpoint, N runs; BENCH_GDB_CALLS=N the same through gdb over N calls, kernel
# only), QEMU_TIMEOUT and NODE_TIMEOUT (seconds; the
# guest bounds the node suite so its verdict always arrives).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KMOD=$(dirname "$HERE")
ROOT=$(dirname "$KMOD")
OUT=${OUT:-$HERE/out}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-280}
NODE_TESTS=${NODE_TESTS:-0}
start=$(date +%s)

if [ -z "${KVER:-}" ]; then
	KVER=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -1)
fi
[ -n "$KVER" ] || { echo "run-qemu: no linux-headers-*-amd64 installed" >&2; exit 2; }
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
mkdir -p "$OUT"

# 1. The kernel image and its modules, unpacked (never installed).
IMG=$OUT/img-$KVER
if [ ! -f "$IMG/boot/vmlinuz-$KVER" ]; then
	echo "run-qemu: fetching linux-image-$KVER"
	(cd "$OUT" && rm -f linux-image-"$KVER"_*.deb && apt-get download "linux-image-$KVER" >/dev/null 2>&1) ||
		{ echo "run-qemu: apt-get download linux-image-$KVER failed" >&2; exit 2; }
	rm -rf "$IMG.tmp" && dpkg -x "$OUT"/linux-image-"$KVER"_*.deb "$IMG.tmp" && mv "$IMG.tmp" "$IMG"
	rm -f "$OUT"/linux-image-"$KVER"_*.deb
fi
MODDIR=$IMG/lib/modules/$KVER/kernel

# 2. The module and the selftest.
make -s -C "$KMOD" KDIR="$KDIR" modules
gcc -static -O2 -Wall -Wextra -Werror -I"$KMOD/include" -o "$OUT/ntrace_selftest" \
	"$HERE/ntrace_selftest.c" "$HERE/selftest_lib.c" "$HERE/selftest_security.c" \
	"$HERE/selftest_cond.c" "$HERE/selftest_fork.c" -lpthread
gcc -static -g -O0 -Wall -Wextra -Werror -o "$OUT/gdb_target" "$HERE/gdb_target.c" -lpthread
gcc -m32 -nostdlib -static -o "$OUT/compat32" "$HERE/compat32.S" # an ia32 debuggee, no libc
if [ "${BENCH:-0}" != 0 ]; then
	gcc -O0 -no-pie -o "$OUT/bench_target" "$ROOT/bench/engine/target.c"
fi

# 3. The initramfs: busybox, the module, the selftest, the 9p/overlay modules for node tests.
RD=$OUT/initramfs
rm -rf "$RD" && mkdir -p "$RD"/{bin,dev,proc,sys,tmp,host,mods,root}
cp /bin/busybox "$RD/bin/busybox"
cp "$KMOD/ntrace.ko" "$OUT/ntrace_selftest" "$OUT/compat32" "$RD/"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
	drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci fs/netfs/netfs \
	fs/fscache/fscache net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
	f=$(ls "$MODDIR/$m".ko* 2>/dev/null | head -1) || true
	[ -n "$f" ] || { echo "run-qemu: module $m missing from the image" >&2; exit 2; }
	case $f in
	*.xz) xz -dc "$f" >"$RD/mods/$(basename "$m").ko" ;;
	*.zst) zstd -qdc "$f" >"$RD/mods/$(basename "$m").ko" ;;
	*) cp "$f" "$RD/mods/$(basename "$m").ko" ;;
	esac
done
cp "$HERE/guest-init.sh" "$RD/init"
cp "$HERE/node-tests.sh" "$HERE/host-root.sh" "$HERE/gdb-e2e.sh" "$HERE/bench.sh" "$RD/"
chmod +x "$RD/init"
echo "$NODE_TESTS" >"$RD/node_tests"
echo "${NODE_TESTS_FILES:-}" >"$RD/node_tests_files"
echo "${SELFTEST_ONLY:-}" >"$RD/selftest_only"
echo "${GDB_E2E:-0}" >"$RD/gdb_e2e"
echo "$ROOT" >"$RD/root_path"
echo "$OUT/gdb_target" >"$RD/gdb_target_path"
echo "${BENCH:-0}" >"$RD/bench"
echo "$OUT/bench_target" >"$RD/bench_target_path"
echo "${BENCH_ARGS:-5000 2000}" >"$RD/bench_args"
echo "${BENCH_GDB:-0}" >"$RD/bench_gdb"
echo "${BENCH_GDB_CALLS:-0}" >"$RD/bench_gdb_calls"
echo "${NODE_TIMEOUT:-$((QEMU_TIMEOUT - 90))}" >"$RD/node_timeout"
echo "$QEMU_TIMEOUT" >"$RD/qemu_timeout"
(cd "$RD" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.gz"

# 4. Boot. The guest prints its verdict as a marker line on the serial console.
LOG=$OUT/console.log
rm -f "$LOG"
echo "run-qemu: booting $KVER (TCG)"
set +e
timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1536 \
	-kernel "$IMG/boot/vmlinuz-$KVER" -initrd "$OUT/initramfs.gz" \
	-append "console=ttyS0 loglevel=5 panic=-1 oops=panic" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-display none -monitor none -serial "file:$LOG" -no-reboot </dev/null
qrc=$?
set -e
end=$(date +%s)

# 5. Verdict.
tr -d '\r' <"$LOG" | awk '/^NTRACE-GUEST-BEGIN/{on=1} /^NTRACE-DMESG-BEGIN/{on=0} on; /^NTRACE-DMESG-END/{on=1} /^NTRACE-GUEST-END/{on=0}'
status=0
if [ "$qrc" -ne 0 ]; then
	echo "run-qemu: qemu exited with $qrc (124 = timeout)"
	status=1
fi
if ! grep -q '^NTRACE-GUEST-RESULT: PASS' "$LOG"; then
	echo "run-qemu: guest did not report PASS"
	status=1
fi
# Kernel problems anywhere in the console or the guest's dmesg dump.
if grep -aE 'Oops|BUG:|WARNING:|kernel BUG|general protection|INFO: possible|lockdep|Call Trace|Kernel panic' "$LOG" >"$OUT/kernel-problems.txt"; then
	echo "run-qemu: kernel problems in the guest log:"
	head -40 "$OUT/kernel-problems.txt"
	status=1
fi
echo "run-qemu: $([ $status -eq 0 ] && echo PASS || echo FAIL) in $((end - start))s (log: $LOG)"
exit $status
