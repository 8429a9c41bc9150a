#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Installs the Debian packages of one or more sets, and nothing when they
# are all there already. Used by the README, .ci/run, the demo and the
# Makefile, so that none of them keeps a list of its own.
#
#   scripts/deps.sh             = test: everything the build, make check
#                                 and the demo need
#   scripts/deps.sh SET...      the union of these sets:
#     runtime   what a node needs to run podnetd: the five libraries
#               and iproute2
#     build     runtime plus a compiler, the -dev packages and what
#               builds wolfSSL's assembly from Debian's source (make,
#               make install)
#     module    build plus the kernel headers and kmod (make module,
#               make module-install, modprobe)
#     test      everything make check needs: the above, the unit and fuzz
#               tests, netns tests, the VM, the assembly wolfSSL build
#     bench     test plus what `make bench` compares with (wireguard-go,
#               nebula)
#     cross     build plus the arm64 cross compiler, qemu-user and the
#               arm64 -dev libraries (dpkg --add-architecture arm64 first):
#               make CROSS=aarch64-linux-gnu- and make check-arm64
#
# A node that only runs podnet: scripts/deps.sh runtime build (README).
set -euo pipefail

runtime=(libwolfssl35 libmnl0 libev4 libc-ares2 libldns3 iproute2)
build=("${runtime[@]}" build-essential make pkg-config libwolfssl-dev libmnl-dev libev-dev libc-ares-dev libldns-dev
	# wolfSSL with its assembly, built from Debian's source package by
	# make (scripts/wolfssl-asm.sh)
	dpkg-dev autoconf automake libtool)
module=("${build[@]}" linux-headers-amd64 kmod)
test=(
	"${module[@]}"
	# unit tests and fuzzing
	libcmocka-dev clang libclang-rt-14-dev
	# netns tests and demo
	nftables openssh-server openssh-client iputils-ping jq
	# DNS queries in test/netns/dns.sh
	ldnsutils
	procps iperf3 tcpdump conntrack socat openssl
	# the internet client and the node's web server (test/netns/publish.sh)
	curl python3
	# the DNS server whose answer changes (test/netns/endpoint-dns.sh)
	dnsmasq-base
	# the HTTP CONNECT proxy and the WebSocket gateway of
	# test/netns/tcp-fallback.sh
	tinyproxy nginx-light
	# the installed unit, checked by test/netns/readme-install.sh
	systemd
	# the VM that loads the module (scripts/vm-run.sh, make vm-check),
	# with kernel WireGuard as the reference the VM tests and
	# bench-kernel compare with
	linux-image-amd64 qemu-system-x86 busybox-static cpio xz-utils
	wireguard-tools
)
# Only `make bench` needs these: the userspace WireGuard and the Nebula
# it compares with.
bench=("${test[@]}" wireguard-go nebula)
# Only `make check-arm64` and CROSS=aarch64-linux-gnu- builds: the cross
# compiler, qemu-user to run the tests, and the libraries as arm64
# packages beside the native ones (Debian multiarch). Debian's arm64
# wolfSSL is unpacked, not installed (scripts/wolfssl-deb.sh).
cross=("${build[@]}" gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static
	pkgconf:arm64 libc6-dev:arm64 libmnl-dev:arm64 libev-dev:arm64 libc-ares-dev:arm64
	libldns-dev:arm64 libcmocka-dev:arm64)

sets=("$@")
[[ ${#sets[@]} -gt 0 ]] || sets=(test)
packages=()
for s in "${sets[@]}"; do
	case $s in
	runtime) packages+=("${runtime[@]}") ;;
	build) packages+=("${build[@]}") ;;
	module) packages+=("${module[@]}") ;;
	test) packages+=("${test[@]}") ;;
	bench) packages+=("${bench[@]}") ;;
	cross) packages+=("${cross[@]}") ;;
	--list) ;;
	*)
		echo "usage: $0 [runtime|build|module|test|bench|cross|--list]..." >&2
		exit 1
		;;
	esac
done
# --list: print the packages instead of installing them.
if [[ " ${sets[*]} " == *" --list "* ]]; then
	printf '%s\n' "${packages[@]}" | sort -u
	exit 0
fi

missing=()
for p in $(printf '%s\n' "${packages[@]}" | sort -u); do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "podnet needs these Debian packages: ${missing[*]}" >&2
	echo "run this script as root to install them" >&2
	exit 1
fi
echo "[#] apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Foreign-architecture packages need their architecture known to dpkg.
# libldns-dev's arm64 and amd64 packages carry differing copies of one
# generated HTML file, which stops the second from unpacking: then that
# directory is left out (documentation only).
dpkg_opts=()
for arch in $(printf '%s\n' "${missing[@]}" | sed -n 's/.*:\([a-z0-9]*\)$/\1/p' | sort -u); do
	dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
	dpkg_opts=(-o 'Dpkg::Options::=--path-exclude=/usr/share/doc/libldns-dev/*')
done
# The VM boots the kernel with an initramfs of its own: no initrd (twice
# 30 MB and ~35 s) for linux-image-amd64.
export INITRD=No
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${dpkg_opts[@]}" "${missing[@]}" >/dev/null
