# Sourced by guest-init.sh: a writable overlay of the host root (9p, read-only) at /newroot,
# so the host's node, gdb and the built tree run in the guest through chroot. Idempotent.
host_root() {
	[ -d /newroot/work ] && return 0
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
		netfs fscache 9pnet 9pnet_virtio 9p overlay; do
		insmod /mods/$m.ko || return 1
	done
	mkdir -p /host /ovl /newroot
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /host || return 1
	mount -t tmpfs tmpfs /ovl && mkdir -p /ovl/upper /ovl/work || return 1
	mount -t overlay overlay -o lowerdir=/host,upperdir=/ovl/upper,workdir=/ovl/work /newroot ||
		return 1
	# /tmp stays the overlay's (writable, in /ovl's tmpfs): a tree cloned under the host's
	# /tmp, as CI may do, must remain visible.
	mount -t proc proc /newroot/proc && mount -t sysfs sysfs /newroot/sys &&
		mount -t devtmpfs devtmpfs /newroot/dev || return 1
}
