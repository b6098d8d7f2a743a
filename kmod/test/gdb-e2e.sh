# Sourced by guest-init.sh: end-to-end gdb sessions on the kernel provider. The host's gdb
# and node run in the guest from the overlay of the host root (host-root.sh); the stub serves
# gdb over a pipe (`target remote | ...`), attached (--attach) to gdb_target, which waits for
# gdb to set `go`. LAUNCH is not offered by the module, hence the attach.
# gdb_paths: R the overlay of the host root (mounted), T gdb_target and S the stub in it.
gdb_paths() {
	R=/newroot
	ROOT=$(cat /root_path)
	T=$(cat /gdb_target_path)
	S=$ROOT/dist/bin/ntrace-gdbserver.js
	host_root
}

# gdb_session LOG NAME ARG EX...: gdb_target (given ARG, if any) started in the overlay, gdb
# running the -ex commands EX on it through the stub attached to it; gdb's output in LOG. Sets
# tpid, the target's pid (for gdb_end).
gdb_session() {
	log=$1 name=$2 arg=$3
	shift 3
	chroot $R "$T" $arg &
	tpid=$!
	t0=$(date +%s)
	timeout 240 chroot $R /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin \
		/usr/bin/gdb -batch -nx \
		-ex 'set confirm off' -ex 'set pagination off' -ex 'set sysroot /' -ex 'set remotetimeout 120' \
		-ex "target remote | exec node $S --backend kernel --attach - $tpid" \
		"$@" "$T" >"$log" 2>&1
	grc=$?
	echo "$name: exit $grc in $(($(date +%s) - t0))s"
}

# gdb_expect LOG WANT...: 0 if gdb's output in LOG matches every pattern WANT; else 1, the
# missing ones and the whole log printed.
gdb_expect() {
	log=$1
	shift
	rc=0
	for want in "$@"; do
		if ! grep -qe "$want" "$log"; then
			echo "gdb e2e: missing from gdb's output: $want"
			rc=1
		fi
	done
	[ $rc = 0 ] || sed 's/^/gdb: /' "$log"
	return $rc
}

# gdb_live LOG ARG GDBOPT...: as gdb_session, but gdb reads its commands from a FIFO
# (gdb_send) and runs until told to quit: background commands (`continue -a &`) and non-stop
# stops make progress only while gdb waits for input, which a -batch run never does. GDBOPT:
# options such as -iex 'set non-stop on'. gdb_wait PATTERN [N]: waits until LOG has N
# (default 1) lines matching PATTERN, each step waiting for the text that says it is done; the
# 240 s bound is a guard against a hang, not a measurement.
gdb_live() {
	log=$1 arg=$2
	shift 2
	chroot $R "$T" $arg &
	tpid=$!
	rm -f $R/tmp/gdb-in && mkfifo $R/tmp/gdb-in || return 1
	t0=$(date +%s)
	chroot $R /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin \
		/usr/bin/gdb -nx -q \
		-ex 'set confirm off' -ex 'set pagination off' -ex 'set width 0' -ex 'set sysroot /' \
		-ex 'set remotetimeout 120' "$@" \
		-ex "target remote | exec node $S --backend kernel --attach - $tpid" \
		"$T" <$R/tmp/gdb-in >"$log" 2>&1 &
	gpid=$!
	exec 5>$R/tmp/gdb-in
}

gdb_send() {
	echo "$*" >&5
}

gdb_wait() {
	n=${2:-1}
	i=0
	while [ "$(grep -c -e "$1" "$log")" -lt "$n" ]; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $gpid 2>/dev/null; then
			echo "gdb e2e: no '$1' (x$n) from gdb"
			sed 's/^/gdb: /' "$log"
			return 1
		fi
		sleep 0.2
	done
}

# gdb_live_end NAME: gdb told to quit (killed if it does not), its FIFO closed.
gdb_live_end() {
	gdb_send quit
	exec 5>&-
	i=0
	while kill -0 $gpid 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.2
	done
	kill -9 $gpid 2>/dev/null
	wait $gpid 2>/dev/null
	echo "$1: gdb done in $(($(date +%s) - t0))s"
}

# gdb_end NAME: the target killed and the module unloaded (1 if rmmod fails).
gdb_end() {
	kill -9 $tpid 2>/dev/null
	wait $tpid 2>/dev/null
	rmmod ntrace || { echo "rmmod after the $1 failed"; return 1; }
}

gdb_e2e() {
	gdb_paths || return 1
	for f in "$T" "$S" "$ROOT/build/Release/ntrace.node" /usr/bin/gdb /usr/bin/node; do
		[ -e "$R$f" ] || { echo "gdb e2e: $f missing (build on the host first)"; return 1; }
	done
	insmod /ntrace.ko || return 1
	gdb_session /tmp/gdb.log "gdb session" "" \
		-ex 'break work' -ex 'set var go = 1' -ex 'set var bonus = 5' \
		-ex 'continue' \
		-ex 'print x' -ex 'info registers rip' -ex 'print $rdi' \
		-ex 'set $a = $pc' -ex 'stepi' -ex 'print $pc != $a' \
		-ex 'print bonus' -ex 'x/1dw &bonus' \
		-ex 'delete' -ex 'continue'
	gdb_expect /tmp/gdb.log 'Breakpoint 1, work (x=1)' '$1 = 1' 'rip .*<work+' '$2 = 1' \
		'$3 = 1' '$4 = 5' '<bonus>:	5' 'exited with code 013'
	rc=$?
	gdb_end "gdb session" || return 1
	return $rc
}
check "gdb session on the kernel provider (break, registers, stepi, memory, exit)" gdb_e2e

# gdb's catch fork / catch vfork over the module's fork events (the children detached, as
# gdb's default detach-on-fork does).
gdb_e2e_fork() {
	gdb_paths || return 1
	insmod /ntrace.ko || return 1
	gdb_session /tmp/gdb-fork.log "gdb fork session" fork \
		-ex 'catch fork' -ex 'catch vfork' -ex 'set var go = 1' \
		-ex 'continue' -ex 'continue' -ex 'continue'
	gdb_expect /tmp/gdb-fork.log 'Catchpoint 1 (forked process' 'Catchpoint 2 (vforked process' \
		'exited with code 0116'
	rc=$?
	gdb_end "gdb fork session" || return 1
	return $rc
}
check "gdb catch fork and catch vfork on the kernel provider (children detached, exit 78)" gdb_e2e_fork

# Non-stop (gdb's `set non-stop on`, the stub's QNonStop over the module): a thread at a
# breakpoint while another runs, `print` in the stopped one, `interrupt` of the running one
# alone, `continue -a` to the end. And `catch syscall`: gdb needs entry and return stops, and the
# module has no entry stops (README), so the stub does not offer QCatchSyscalls and gdb
# refuses the catchpoint cleanly when it resumes (as with a gdbserver without it); the rest
# goes on. gdb_target threads: the second thread calls work(1..3), the main thread joins it.
gdb_e2e_nonstop() {
	gdb_paths || return 1
	insmod /ntrace.ko || return 1
	gdb_live /tmp/gdb-ns.log threads -iex 'set non-stop on'
	rc=0
	{
		gdb_wait '(gdb) ' &&
			gdb_send 'catch syscall getppid' && gdb_send 'break work' &&
			gdb_send 'set var go = 1' && gdb_send 'continue -a &' &&
			gdb_wait 'hit Breakpoint 2, work (x=1)' &&
			gdb_send 'info threads' && gdb_wait '^\* 1 .*(running)' &&
			gdb_send 'thread 2' && gdb_send 'print x' && gdb_wait '\$1 = 1' &&
			gdb_send 'thread 1' && gdb_send 'interrupt' && gdb_wait 'Thread 1 .* stopped' 2 &&
			gdb_send 'delete' && gdb_send 'continue -a &' &&
			gdb_wait 'exited with code 06' &&
			gdb_expect /tmp/gdb-ns.log 'Error inserting catchpoint 1: Your system does not support'
	} || rc=1
	gdb_live_end "gdb non-stop session"
	gdb_end "gdb non-stop session" || return 1
	return $rc
}
check "gdb non-stop session on the kernel provider (one thread at a breakpoint while another runs, interrupt of one, catch syscall refused cleanly, exit 6)" gdb_e2e_nonstop
