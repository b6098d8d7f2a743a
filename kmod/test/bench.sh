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
