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
# bench/gdb's ratio cannot resolve the kernel provider under TCG: its 2,000 hits take less
# than the spread of one node start-up. Here gdb runs `break hit if i == N-1` over N calls
# through ntrace-gdbserver on the kernel provider (N = BENCH_GDB_CALLS) and through gdbserver
# (N = 2000: about a minute under TCG), each timed by the
# guest's uptime around the `continue` from main to the true hit inside the gdb session (so
# neither the start of node and the session nor the dynamic loader's stops count), against the
# same session over 1 call (`i == 0`: its continue also goes from main to a true hit):
# rate = (N - 1) / (t_N - t_1), three pairs each, same boot.
gdb_cond_pair() { # server-command calls: prints the rate of one pair
	n=$2
	for calls in "$n" 1; do
		rm -f $R/tmp/bench-c0 $R/tmp/bench-c1
		timeout 900 chroot $R /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin \
			/usr/bin/gdb -batch -nx -ex 'set confirm off' -ex 'set pagination off' \
			-ex 'set remotetimeout 120' -ex "target remote | exec $1 /tmp/bench-gdb-target calls $calls" \
			-ex 'break main' -ex 'continue' -ex 'delete' \
			-ex 'set breakpoint condition-evaluation target' \
			-ex "break hit if i == $((calls - 1))" -ex 'shell cat /proc/uptime >/tmp/bench-c0' \
			-ex 'continue' -ex 'shell cat /proc/uptime >/tmp/bench-c1' -ex 'print i' -ex 'continue' \
			/tmp/bench-gdb-target >/tmp/bench-gdb-long.log 2>&1
		read -r t0 _ <$R/tmp/bench-c0 || return 1
		read -r t1 _ <$R/tmp/bench-c1 || return 1
		grep -qF "\$1 = $((calls - 1))" /tmp/bench-gdb-long.log ||
			{ sed 's/^/bench-gdb-long: /' /tmp/bench-gdb-long.log >&2; return 1; }
		if [ "$calls" != 1 ]; then
			tw=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
		else
			tb=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
		fi
	done
	awk -v n="$n" -v w="$tw" -v b="$tb" 'BEGIN { d = w - b; print (d > 0 ? int((n - 1) / d) : 0), w, b }'
}

gdb_cond_long() {
	R=/newroot
	ROOT=$(cat /root_path)
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
	insmod /ntrace.ko || return 1
	# A subshell: a shell error here must not end /init.
	(
		chroot $R gcc -g -O0 -o /tmp/bench-gdb-target "$ROOT/bench/gdb/target.c" || exit 1
		for server in gdbserver ntrace; do
			if [ $server = gdbserver ]; then
				cmd="gdbserver -"
				n=2000
			else
				cmd="node $ROOT/dist/bin/ntrace-gdbserver.js --backend kernel -"
				n=$(cat /bench_gdb_calls)
			fi
			rates=
			for i in 1 2 3; do
				out=$(gdb_cond_pair "$cmd" "$n") || exit 1
				set -- $out
				echo "bench-gdb-long: $server run $i: continue over $n calls $2 s, over 1 call $3 s: $1 conditional hits/s"
				rates="$rates $1"
			done
			echo "bench-gdb-long: $server median $(echo $rates | tr ' ' '\n' | sort -n | sed -n 2p) conditional hits/s"
		done
	)
	brc=$?
	rmmod ntrace || return 1
	return $brc
}
if [ "$(cat /bench_gdb_calls 2>/dev/null || echo 0)" != 0 ]; then
	check "benchmark: gdb's conditional breakpoint over many calls, gdbserver and the kernel provider" gdb_cond_long
fi
if [ "$(cat /bench_gdb 2>/dev/null || echo 0)" != 0 ]; then
	check "benchmark: gdb's conditional breakpoint, gdbserver and the kernel provider" gdb_cond_bench
fi
