# Sourced by guest-init.sh with BENCH=1: bench/kmod/run.js (steps/s and breakpoint hits/s
# through the kernel provider and the userspace engine) in the guest, via host-root.sh.
kmod_bench() {
	R=/newroot
	ROOT=$(cat /root_path)
	host_root || return 1
	[ -e "$R$ROOT/dist/bench/kmod/run.js" ] || { echo "bench: dist/bench/kmod/run.js missing"; return 1; }
	insmod /ntrace.ko || return 1
	timeout 600 chroot $R /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin \
		node "$ROOT/dist/bench/kmod/run.js" "$(cat /bench_target_path)" $(cat /bench_args)
	brc=$?
	rmmod ntrace || return 1
	return $brc
}
check "benchmark: kernel and userspace providers (bench/kmod)" kmod_bench

# BENCH_GDB=N (host): also bench/gdb's conditional breakpoint (gdb's `break hit if i == 1999`,
# condition-evaluation target), gdbserver beside ntrace-gdbserver on the kernel provider, median
# of N runs each, in the same guest.
gdb_cond_bench() {
	R=/newroot
	ROOT=$(cat /root_path)
	[ -e "$R$ROOT/dist/bench/gdb/run.js" ] || { echo "bench: dist/bench/gdb/run.js missing"; return 1; }
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up # gdb and the servers use TCP
	insmod /ntrace.ko || return 1
	timeout 900 chroot $R /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin \
		NTRACE_BACKEND=kernel node "$ROOT/dist/bench/gdb/run.js" --only conditional \
		--runs "$(cat /bench_gdb)" --servers gdbserver,ntrace >/tmp/bench-gdb.log 2>&1
	brc=$?
	sed 's/^/bench-gdb: /' /tmp/bench-gdb.log
	rmmod ntrace || return 1
	return $brc
}
if [ "$(cat /bench_gdb 2>/dev/null || echo 0)" != 0 ]; then
	check "benchmark: gdb's conditional breakpoint, gdbserver and the kernel provider" gdb_cond_bench
fi
