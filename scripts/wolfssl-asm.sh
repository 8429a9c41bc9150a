#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Builds wolfSSL with its assembly from Debian's own source package: the
# same version and patches as the installed libwolfssl-dev, configured
# as debian/rules does, plus the assembly switch, as a static library:
# `make` links it into podnetd and podnet where the CPU has the
# instructions (scripts/wolfssl-pick.sh), so the installed binaries need
# nothing from this tree.
#
#   x86-64   --enable-intelasm: AVX2 ChaCha20 and Poly1305, AES-NI GCM,
#            chosen at run time from the CPU's features
#   aarch64  --enable-armasm: the ARMv8 crypto extensions (AES, PMULL,
#            SHA2) for AES-GCM and SHA-256, NEON ChaCha20 and Poly1305,
#            used unconditionally: only for CPUs that have them
#
#   scripts/wolfssl-asm.sh DIR [HOST]   source in DIR/src, library in
#                                       DIR/prefix; HOST (a GNU triplet,
#                                       e.g. aarch64-linux-gnu) cross-builds
#                                       with HOST-gcc
#
# Why: on this kind of machine the packaged library's portable C AEAD is
# about 70 % of podnetd's CPU under load (doc/bench.md). WOLFSSL=system
# links the packaged library instead.
#
# The source comes through apt with a private state directory (DIR/apt),
# so the machine's apt configuration is not touched: deb-src entries for
# the same mirrors as /etc/apt/sources.list.d/debian.sources. apt checks
# every file against the signed Sources index.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
	echo "usage: $0 DIR [HOST]" >&2
	exit 1
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
host=${2:-}
prefix=$dir/prefix
version=$(dpkg-query -W -f='${Version}' libwolfssl-dev 2>/dev/null) || {
	echo "wolfssl-asm: libwolfssl-dev is not installed (scripts/deps.sh)" >&2
	exit 1
}
stamp=$prefix/.podnet-version
# The version and how it was built: a change of either rebuilds.
tag="$version static${host:+ $host}"
if [[ -f $stamp && $(<"$stamp") == "$tag" ]]; then
	exit 0
fi
# Per CPU: the configure switch, and the defines it may add to the
# packaged options.h (anything else would change behaviour, not only
# speed). --enable-armasm also sets WOLFSSL_NO_HASH_RAW: it drops the
# raw SHA transform calls (wc_Sha256Transform), which podnet never uses.
cpu=${host%%-*}
cpu=${cpu:-$(uname -m)}
case $cpu in
x86_64)
	asm_switch=--enable-intelasm
	asm_defines='USE_INTEL_SPEEDUP|WOLFSSL_AESNI'
	deb_arch=amd64 ;;
aarch64)
	asm_switch=--enable-armasm
	asm_defines='WOLFSSL_ARMASM|WOLFSSL_NO_HASH_RAW'
	deb_arch=arm64 ;;
*)	echo "wolfssl-asm: no wolfSSL assembly build for $cpu (x86-64 and aarch64 only)" >&2
	exit 1 ;;
esac
if [[ -n $host ]]; then
	command -v "$host-gcc" >/dev/null || {
		echo "wolfssl-asm: $host-gcc is missing (scripts/deps.sh cross)" >&2
		exit 1
	}
fi
say() { printf '[#] wolfssl-asm: %s\n' "$*" >&2; }

# Private apt state: only deb-src lines, only this directory.
apt_dir=$dir/apt
rm -rf "$apt_dir"
mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
: >"$apt_dir/sources.list"
found=0
for f in /etc/apt/sources.list.d/*.sources; do
	[[ -f $f ]] || continue
	grep -q '^Types:.*\bdeb\b' "$f" || continue
	sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/parts/$(basename "$f")"
	found=1
done
if [[ -f /etc/apt/sources.list ]]; then
	sed -nE 's/^deb (.*)/deb-src \1/p' /etc/apt/sources.list >"$apt_dir/sources.list"
	[[ -s $apt_dir/sources.list ]] && found=1
fi
if ((!found)); then
	echo "wolfssl-asm: no Debian apt sources found to take deb-src from" >&2
	exit 1
fi
# A mirror that cannot be reached fails fast: the caller falls back.
apt_opts=(-q -o Acquire::Retries=0 -o Acquire::http::Timeout=20 -o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/parts"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")

say "fetching Debian's wolfssl $version source"
apt-get "${apt_opts[@]}" update >"$dir/apt.log" 2>&1 || {
	cat "$dir/apt.log" >&2
	echo "wolfssl-asm: apt-get update of the deb-src lists failed" >&2
	exit 1
}
rm -rf "$dir/src"
mkdir -p "$dir/src"
# apt-get source unpacks with dpkg-source and applies Debian's patches.
(cd "$dir/src" && apt-get "${apt_opts[@]}" source "wolfssl=$version") \
	>>"$dir/apt.log" 2>&1 || {
	tail -n 20 "$dir/apt.log" >&2
	echo "wolfssl-asm: apt-get source wolfssl=$version failed" >&2
	exit 1
}
src=$(find "$dir/src" -mindepth 1 -maxdepth 1 -type d -name 'wolfssl-*' | head -n 1)
[[ -n $src && -f $src/configure.ac ]] || {
	echo "wolfssl-asm: no unpacked wolfssl source under $dir/src" >&2
	exit 1
}
# debian/rules' own flags; if Debian ever changes them, say so rather
# than build a library that differs in more than its assembly.
for flag in --enable-distro --enable-pkcs11 --disable-examples; do
	grep -q -- "$flag" "$src/debian/rules" || {
		echo "wolfssl-asm: debian/rules no longer passes $flag: update this script" >&2
		exit 1
	}
done

say "configuring and building${host:+ for $host} (about a minute)"
log=$dir/build.log
cross=()
[[ -z $host ]] || cross=(--host="$host" CC="$host-gcc")
(
	cd "$src"
	autoreconf -fi
	# The hardening flags dpkg-buildpackage would use, for the target's
	# Debian architecture.
	export DEB_HOST_ARCH=$deb_arch
	CFLAGS=$(dpkg-buildflags --get CFLAGS) \
	CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS) \
	LDFLAGS=$(dpkg-buildflags --get LDFLAGS) \
	./configure "${cross[@]}" --prefix="$prefix" --enable-distro --enable-pkcs11 \
		--disable-examples --disable-silent-rules "$asm_switch" \
		--enable-static --disable-shared
	make -j"$(nproc)"
	rm -rf "$prefix"
	make install
) >"$log" 2>&1 || {
	tail -n 30 "$log" >&2
	echo "wolfssl-asm: build failed, whole log in $log" >&2
	exit 1
}
# make install leaves out the options.h that every user of the headers
# must see: it fixes struct layouts to this build's configuration.
install -m 0644 "$src/wolfssl/options.h" "$prefix/include/wolfssl/options.h"

# The one intended difference: the assembly switches. Anything else
# would change behaviour, not only speed. The reference is Debian's
# package for the same CPU: the installed one, or for a cross build the
# target's, unpacked (scripts/wolfssl-deb.sh).
ref=/usr/include/wolfssl/options.h
if [[ $(dpkg-query -W -f='${Architecture}' libwolfssl-dev) != "$deb_arch" ]]; then
	"$(dirname "$0")/wolfssl-deb.sh" "$dir/debian-$deb_arch" "$deb_arch"
	ref=$dir/debian-$deb_arch/root/usr/include/wolfssl/options.h
fi
diff_defines=$(diff <(grep -E '^#define' "$ref" | sort -u) \
	<(grep -E '^#define' "$prefix/include/wolfssl/options.h" | sort -u) |
	grep -E '^[<>]' | grep -v -E "^> #define ($asm_defines)\$" || true)
if [[ -n $diff_defines ]]; then
	echo "wolfssl-asm: options.h differs from the packaged one beyond the assembly:" >&2
	echo "$diff_defines" >&2
	exit 1
fi
echo "$tag" >"$stamp"
say "built $prefix/lib/libwolfssl.a ($version, $asm_switch${host:+, for $host})"
