#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Runs one command as root in a throwaway VM with Debian's installed
# kernel, for what the host's kernel cannot do (load podnet.ko). The VM
# sees the host's whole root read-only over 9p with a tmpfs on top, so
# host binaries, the built module and the test scripts run unchanged and
# may write anywhere; all writes vanish with the VM except in --rw
# directories. The command runs in the caller's directory, its output
# comes out on ours, and its exit status is ours. See doc/vm.md.
#
#   scripts/vm-run.sh [OPTIONS] [--] COMMAND [ARGS...]
#   scripts/vm-run.sh --available      exit 0 if a VM can run here
#
#   --timeout SECONDS  whole run, boot included (600)
#   --smp N            virtual CPUs (2)
#   --mem SIZE         guest memory, qemu syntax (2G)
#   --kver KVER        kernel (newest in /lib/modules with a /boot/vmlinuz,
#                      preferring one with its headers installed)
#   --rw DIR           DIR is shared writable at the same path (repeatable)
#   --allow-dmesg      a WARN/BUG/Oops in the kernel log does not fail
#
# Exit status: COMMAND's; 124 timeout; 125 no result (boot failure,
# panic, the VM stopped early) or the VM could not start; 126 the kernel
# log reports a bug (scripts/vm-dmesg-check.sh); 2 bad usage.
#
# Passed into the VM: PATH, TERM, and every PODNET_*, KTAP_* and BENCH_*
# variable; PODNET_IN_VM=1 and PODNET_VM_ACCEL (tcg or kvm) are set
# there. The kernel log of the last run is saved in
# build/vm/last-dmesg.txt, its console in build/vm/last-console.txt.
#
# Environment: PODNET_VM_DIR (cache, default build/vm), PODNET_VM_ACCEL
# (tcg or kvm; default kvm only where it is real, tcg otherwise),
# PODNET_VM_QEMU_ARGS (more qemu arguments, split on blanks: e.g. a TCG
# plugin, scripts/tcg-profile.sh).
set -eu
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vmdir=${PODNET_VM_DIR:-$top/build/vm}
timeout=600
smp=2
mem=2G
kver=
allow_dmesg=0
available=0
rw_dirs=()

usage() {
	sed -n '/^#   scripts\/vm-run.sh \[/,/^#   --allow-dmesg/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
die() { echo "vm-run: $*" >&2; exit 125; }

while [[ $# -gt 0 ]]; do
	case $1 in
	--timeout) timeout=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--kver) kver=${2:?}; shift 2 ;;
	--rw)
		d=$(cd "${2:?}" && pwd) || exit 2
		[[ $d != *$'\n'* && $d != / ]] || { echo "vm-run: --rw $d: not that" >&2; exit 2; }
		rw_dirs+=("$d")
		shift 2 ;;
	--allow-dmesg) allow_dmesg=1; shift ;;
	--available) available=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "vm-run: --timeout wants seconds" >&2; exit 2; }
[[ $smp =~ ^[1-9][0-9]*$ ]] || { echo "vm-run: --smp wants a number" >&2; exit 2; }
[[ $available -eq 1 || $# -gt 0 ]] || usage

# ------------------------------------------------------- what we boot

# The newest kernel that has its modules, an image and its headers: podnet.ko
# is built against the newest headers (the Makefile's KVER), and a kernel
# without them (say a -rt one that came in as a package's recommendation)
# would refuse it as "Invalid module format". Else the newest with modules
# and an image, for commands that need no module.
if [[ -z $kver ]]; then
	for need_headers in 1 0; do
		for d in $(printf '%s\n' /lib/modules/* | sed 's|.*/||' | sort -rV); do
			if [[ -f /boot/vmlinuz-$d && -d /lib/modules/$d/kernel ]] &&
				{ [[ $need_headers == 0 ]] || [[ -e /lib/modules/$d/build ]]; }; then
				kver=$d
				break 2
			fi
		done
	done
fi
qemu=$(command -v qemu-system-x86_64 || true)
busybox=/bin/busybox
why=
if [[ -z $kver ]]; then
	why="no kernel: no /lib/modules/KVER with a /boot/vmlinuz-KVER (linux-image-amd64)"
elif [[ ! -e /boot/vmlinuz-$kver ]]; then
	why="no /boot/vmlinuz-$kver"
elif [[ ! -r /boot/vmlinuz-$kver ]]; then
	why="cannot read /boot/vmlinuz-$kver (run as root, or install linux-image-amd64)"
elif [[ ! -f /lib/modules/$kver/modules.dep ]]; then
	why="no /lib/modules/$kver/modules.dep"
elif [[ -z $qemu ]]; then
	why="no qemu-system-x86_64 (qemu-system-x86)"
elif [[ ! -x $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
	# A dynamic busybox would need its libraries in the initramfs.
	why="no static busybox (busybox-static)"
elif ! command -v cpio >/dev/null || ! command -v xz >/dev/null; then
	why="no cpio or xz (cpio, xz-utils) to build the initramfs"
fi
if [[ $available -eq 1 ]]; then
	if [[ -n $why ]]; then
		echo "vm-run: not available: $why" >&2
		exit 1
	fi
	echo "vm-run: available: kernel $kver, $qemu"
	exit 0
fi
[[ -z $why ]] || die "$why"
case $PWD/ in
/run/* | /proc/* | /sys/* | /dev/*)
	die "the VM mounts its own $PWD: run from elsewhere" ;;
esac

# Real KVM only: /dev/kvm of kvm_pvm runs only kernels built for it.
accel=${PODNET_VM_ACCEL:-}
if [[ -z $accel ]]; then
	accel=tcg
	if [[ -r /dev/kvm && -w /dev/kvm && ! -d /sys/module/kvm_pvm ]] &&
		[[ -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ]]; then
		accel=kvm
	fi
fi
case $accel in
tcg) cpu=qemu64 ;;
kvm) cpu=host ;;
*) die "PODNET_VM_ACCEL: tcg or kvm, not $accel" ;;
esac

# ------------------------------------------------ cached boot artefacts

cache=$vmdir/$kver
mkdir -p "$cache"

# The kernel's image is a bzImage with a compressed vmlinux inside. The
# plain vmlinux boots through its PVH entry, which skips the in-guest
# decompression: boot to init in about 2 s instead of 4 s under TCG.
# Falls back to the bzImage when that cannot be done.
extract_vmlinux() {
	local z=/boot/vmlinuz-$kver out=$cache/vmlinux setup off len magic

	grep -q '^CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null || return 1
	# bzImage header: setup_sects at 0x1f1; payload_offset and
	# payload_length at 0x248 and 0x24c (Documentation/x86/boot.rst).
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$z" | tr -d ' ')
	off=$(od -An -tu4 -j $((0x248)) -N4 "$z" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$z" | tr -d ' ')
	[[ -n $setup && -n $off && -n $len ]] || return 1
	off=$(((setup + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$off" -N4 "$z" | tr -d ' ')
	# The payload ends with its size, which the decompressors must skip.
	case $magic in
	fd377a58) tail -c +$((off + 1)) "$z" | head -c "$len" | xz -dc --single-stream >"$out.tmp" ;;
	28b52ffd) tail -c +$((off + 1)) "$z" | head -c "$len" | zstd -dcq >"$out.tmp" 2>/dev/null || true ;;
	1f8b*) tail -c +$((off + 1)) "$z" | head -c "$len" | gzip -dc >"$out.tmp" 2>/dev/null || true ;;
	*) return 1 ;;
	esac
	[[ $(od -An -tx1 -N4 "$out.tmp" | tr -d ' ') == 7f454c46 ]] || return 1
	mv "$out.tmp" "$out"
}

# The initramfs: static busybox, scripts/vm-init as /init, and the
# modules that reach the host's root, in the order modprobe loads them.
build_initramfs() {
	local root=$cache/initramfs.d line ko
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/modules"
	cp "$busybox" "$root/bin/busybox"
	cp "$top/scripts/vm-init" "$root/init"
	chmod 0755 "$root/init"
	modprobe -S "$kver" -a --show-depends virtio_pci 9pnet_virtio 9p overlay |
	while read -r line; do
		case $line in insmod\ *) ;; *) continue ;; esac
		ko=${line#insmod }
		ko=${ko%% *}
		grep -qxF "$(basename "${ko%.[gx]z}")" "$root/modules/order" 2>/dev/null && continue
		case $ko in
		*.ko.xz) xz -dc "$ko" >"$root/modules/$(basename "${ko%.xz}")" ;;
		*.ko.gz) gzip -dc "$ko" >"$root/modules/$(basename "${ko%.gz}")" ;;
		*.ko) cp "$ko" "$root/modules/" ;;
		*) continue ;;
		esac
		basename "${ko%.[gx]z}" >>"$root/modules/order"
	done
	[[ -s $root/modules/order ]] || return 1
	# Uncompressed: unpacking under TCG costs more than loading it.
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet) >"$cache/initramfs.cpio.tmp"
	mv "$cache/initramfs.cpio.tmp" "$cache/initramfs.cpio"
	rm -rf "$root"
}

# Rebuilt when the kernel or the generator changes; one builder at a time.
kstamp="$kver $(stat -c '%s %Y' "/boot/vmlinuz-$kver")"
istamp="$kstamp $(cat "$0" "$top/scripts/vm-init" "$busybox" | sha256sum | cut -c1-16)"
exec 9>"$cache/.lock"
flock -w 300 9 || die "cache $cache is locked"
if [[ ! -f $cache/vmlinux.stamp || $(<"$cache/vmlinux.stamp") != "$kstamp" ]]; then
	echo "vm-run: unpacking the kernel $kver into $cache" >&2
	rm -f "$cache/vmlinux"
	if extract_vmlinux; then
		echo "$kstamp" >"$cache/vmlinux.stamp"
	else
		rm -f "$cache/vmlinux.tmp"
		echo "vm-run: no PVH vmlinux from $kver, booting its bzImage" >&2
	fi
fi
if [[ ! -f $cache/initramfs.stamp || $(<"$cache/initramfs.stamp") != "$istamp" ]]; then
	echo "vm-run: building the initramfs in $cache" >&2
	build_initramfs || die "cannot build the initramfs"
	echo "$istamp" >"$cache/initramfs.stamp"
fi
exec 9>&-
kernel=/boot/vmlinuz-$kver
[[ -f $cache/vmlinux.stamp ]] && kernel=$cache/vmlinux

# ------------------------------------------------------------ the run

rundir=$(mktemp -d "$vmdir/run.XXXXXX")
qemu_pid=

# Every exit path: qemu killed by its pid, the run's directory removed.
# shellcheck disable=SC2317 # a trap
finish() {
	local status=$?
	set +e
	trap - EXIT INT TERM HUP
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null
		for _ in $(seq 1 20); do
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
	fi
	[[ -f $rundir/dmesg.txt ]] && cp "$rundir/dmesg.txt" "$vmdir/last-dmesg.txt"
	[[ -f $rundir/console.txt ]] && cp "$rundir/console.txt" "$vmdir/last-console.txt"
	rm -rf "$rundir"
	exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Read by the guest's busybox from the share: a change needs no new
# initramfs.
cp "$top/scripts/vm-dmesg-check.sh" "$rundir/dmesg-check.sh"

# run.sh: the caller's directory, the variables we pass, the command.
{
	echo "cd -- $(printf '%q' "$PWD") || exit 127"
	echo "export HOME=/root LANG=C.UTF-8"
	while read -r var; do
		case $var in
		PATH | TERM | PODNET_* | KTAP_* | BENCH_*)
			printf 'export %s=%q\n' "$var" "${!var}" ;;
		esac
	done < <(compgen -e)
	# Tests tell the VM from the host by this (test/vm/common.sh).
	echo "export PODNET_IN_VM=1 PODNET_VM_ACCEL=$accel"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$rundir/run.sh"

# vm.conf: "key value" lines for the guest's /init (busybox sh).
virtfs=(-virtfs "local,path=/,mount_tag=podnet_root,readonly=on,security_model=none,multidevs=remap")
virtfs+=(-virtfs "local,path=$rundir,mount_tag=podnet_run,security_model=none")
{
	echo "allow_dmesg $allow_dmesg"
	# The guest's own tmpfs on /tmp would hide a working directory there.
	case $PWD/ in
	/tmp/*) echo "tmp_tmpfs 0" ;;
	*) echo "tmp_tmpfs 1" ;;
	esac
	for i in "${!rw_dirs[@]}"; do
		virtfs+=(-virtfs "local,path=${rw_dirs[$i]},mount_tag=podnet_rw$i,security_model=none")
		echo "rw podnet_rw$i ${rw_dirs[$i]}"
	done
} >"$rundir/vm.conf"

# quiet + loglevel=1: only emergencies (a panic) reach the console; the
# whole log is checked and saved after the command. panic=-1 reboots at
# once, which stops qemu: a panic becomes "no result" instead of a hang.
# A soft lockup panics too, so a module that spins fails the run at once;
# PODNET_VM_CMDLINE adds to the command line (e.g. loglevel=7 to watch).
append="console=ttyS0 quiet loglevel=1 panic=-1 mitigations=off tsc=reliable lpj=10000000"
append+=" softlockup_panic=1 ${PODNET_VM_CMDLINE:-}"
# qboot instead of SeaBIOS: faster, and it prints nothing.
bios=()
[[ -f /usr/share/qemu/qboot.rom ]] && bios=(-bios qboot.rom)
# stdin is not the terminal: qemu must never put it into raw mode.
# shellcheck disable=SC2086 # PODNET_VM_QEMU_ARGS is split on purpose
"$qemu" -nodefaults -no-user-config -nographic -no-reboot \
	-machine pc "${bios[@]}" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-chardev "stdio,id=console,signal=off,logfile=$rundir/console.txt" \
	-serial chardev:console \
	-kernel "$kernel" -initrd "$cache/initramfs.cpio" -append "$append" \
	"${virtfs[@]}" ${PODNET_VM_QEMU_ARGS:-} </dev/null &
qemu_pid=$!

# Bounded: polls until qemu is gone or the time is up.
deadline=$((SECONDS + timeout))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if ((SECONDS >= deadline)); then
		echo "vm-run: timed out after $timeout s; stopping the VM" >&2
		exit 124
	fi
	sleep 0.05
done
wait "$qemu_pid" && qemu_status=0 || qemu_status=$?
qemu_pid=

if [[ ! -f $rundir/result ]]; then
	echo "vm-run: no result from the VM (qemu exit $qemu_status): boot failure," \
		"kernel panic or the guest stopped early; console: $vmdir/last-console.txt" >&2
	tail -n 10 "$rundir/console.txt" 2>/dev/null | sed 's/^/vm-run: | /' >&2
	exit 125
fi
status=$(sed -n 's/^status=//p' "$rundir/result")
dmesg_bad=$(sed -n 's/^dmesg_bad=//p' "$rundir/result")
if [[ $dmesg_bad == 1 && $allow_dmesg -eq 0 ]]; then
	echo "vm-run: the kernel log reports a bug (command exit $status); see $vmdir/last-dmesg.txt" >&2
	exit 126
fi
exit "${status:-125}"
