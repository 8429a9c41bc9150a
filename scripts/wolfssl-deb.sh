#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Unpacks Debian's libwolfssl-dev of another architecture, the same
# version as the installed one, into a directory: its headers (with that
# architecture's options.h) and its static libwolfssl.a. A cross build
# (make CROSS=aarch64-linux-gnu-) links it as "Debian's library", and
# scripts/wolfssl-asm.sh compares its own options.h with it.
#
#   scripts/wolfssl-deb.sh DIR ARCH     e.g. ARCH=arm64; files in DIR/root
#
# Why not install it: libwolfssl-dev is not Multi-Arch: same, so the
# arm64 package cannot sit beside the amd64 one the native build needs.
# apt-get download checks the .deb against the signed Packages index;
# it needs ARCH among dpkg's architectures (scripts/deps.sh cross).
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 DIR ARCH" >&2
	exit 1
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
arch=$2
version=$(dpkg-query -W -f='${Version}' libwolfssl-dev 2>/dev/null) || {
	echo "wolfssl-deb: libwolfssl-dev is not installed (scripts/deps.sh)" >&2
	exit 1
}
stamp=$dir/root/.podnet-version
tag="$version $arch"
if [[ -f $stamp && $(<"$stamp") == "$tag" ]]; then
	exit 0
fi
rm -rf "$dir/root" "$dir/deb"
mkdir -p "$dir/deb"
# _apt cannot write into a root-owned build tree: download as root,
# which apt says in a warning; the file is still checked.
(cd "$dir/deb" && apt-get -q -o Acquire::Retries=0 download "libwolfssl-dev:$arch=$version") \
	>"$dir/apt.log" 2>&1 || {
	tail -n 5 "$dir/apt.log" >&2
	echo "wolfssl-deb: apt-get download libwolfssl-dev:$arch=$version failed (scripts/deps.sh cross adds $arch)" >&2
	exit 1
}
dpkg-deb -x "$dir"/deb/libwolfssl-dev_*_"$arch".deb "$dir/root"
triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
[[ -f $dir/root/usr/lib/$triplet/libwolfssl.a && -f $dir/root/usr/include/wolfssl/options.h ]] || {
	echo "wolfssl-deb: libwolfssl-dev:$arch has no libwolfssl.a or options.h" >&2
	exit 1
}
echo "$tag" >"$stamp"
