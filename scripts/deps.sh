#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Installs the Debian packages that podnet's build, demo and tests need,
# and nothing when they are all there already. Used by the README's two
# commands and by .ci/run, so the three never disagree.
#
#   scripts/deps.sh          build, tests, demo
#   scripts/deps.sh bench    the same plus what `make bench` compares with
set -euo pipefail

packages=(
	# build
	build-essential pkg-config libwolfssl-dev libmnl-dev libev-dev
	# unit tests and fuzzing
	libcmocka-dev clang libclang-rt-14-dev
	# netns tests and demo
	iproute2 nftables openssh-server openssh-client iputils-ping jq
	procps iperf3 tcpdump conntrack socat openssl
	# the kernel module: its build, and the VM that loads it
	# (scripts/vm-run.sh, make vm-check), with kernel WireGuard as the
	# reference the VM tests and bench-kernel compare with
	linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
	kmod cpio xz-utils wireguard-tools
	# wolfSSL with its assembly, built from Debian's source package
	# (scripts/wolfssl-asm.sh, make WOLFSSL=asm)
	dpkg-dev autoconf automake libtool
)
# Only `make bench` needs this: the userspace WireGuard it compares with.
if [[ ${1:-} == bench ]]; then
	packages+=(wireguard-go)
elif [[ $# -gt 0 ]]; then
	echo "usage: $0 [bench]" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
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
# The VM boots the kernel with an initramfs of its own: no initrd (twice
# 30 MB and ~35 s) for linux-image-amd64.
export INITRD=No
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
