# Sourced by guest-init.sh: one end-to-end gdb session on the kernel provider. The host's gdb
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
