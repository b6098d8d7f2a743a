#!/bin/busybox sh
# /init of the test initramfs: load ntrace.ko, run the guest tests, report on the console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 0 >/proc/sys/kernel/printk_ratelimit 2>/dev/null

fails=0
check() { # name command...
	name=$1
	shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi
}
refuse() { ! "$@" 2>/dev/null; }

echo NTRACE-GUEST-BEGIN
echo "guest kernel $(uname -r)"
cp /bin/busybox /suid-busybox && chmod 4755 /suid-busybox
check "insmod ntrace.ko" insmod /ntrace.ko
check "/dev/ntrace is a character device with mode 0660 by default" \
	sh -c '[ -c /dev/ntrace ] && [ "$(stat -c %a /dev/ntrace)" = 660 ]'
check "rmmod of an unused module" rmmod ntrace
# The selftest's unprivileged cases (as nobody) need the device open to every user.
check "insmod ntrace.ko devmode=0666: mode 0666" \
	sh -c 'insmod /ntrace.ko devmode=0666 && [ "$(stat -c %a /dev/ntrace)" = 666 ]'
exec 3<>/dev/ntrace
check "rmmod refused while a session is open" refuse rmmod ntrace
exec 3>&-
check "ntrace_selftest" env NTRACE_SELFTEST_ONLY="$(cat /selftest_only)" /ntrace_selftest
check "rmmod after the selftest (sessions closed, targets released)" rmmod ntrace
# The unload window after a task_work callback's module_put, widened by a test parameter.
check "rmmod waits for a task_work callback that runs on after its module_put" \
	sh -c 'insmod /ntrace.ko devmode=0666 test_put_delay_ms=2000 && /ntrace_selftest --unload'

. /host-root.sh
if [ "$(cat /gdb_e2e)" != 0 ]; then
	. /gdb-e2e.sh
fi
if [ "$(cat /bench)" != 0 ]; then
	. /bench.sh
fi
if [ "$(cat /node_tests)" != 0 ]; then
	. /node-tests.sh
fi

echo "NTRACE-DMESG-BEGIN"
dmesg
echo "NTRACE-DMESG-END"
if [ $fails -eq 0 ]; then
	echo "NTRACE-GUEST-RESULT: PASS"
else
	echo "NTRACE-GUEST-RESULT: FAIL ($fails)"
fi
echo NTRACE-GUEST-END
sync
poweroff -f
