#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Decides which wolfSSL a build directory links, and writes the decision
# as a makefile fragment on stdout (the Makefile includes it as
# BUILD/wolfssl-MODE.mk, so each build directory decides once).
#
#   scripts/wolfssl-pick.sh auto|asm|system ASM_DIR [HOST]
#
#   auto    wolfSSL with its assembly (scripts/wolfssl-asm.sh, built once
#           into ASM_DIR) on x86-64 with AES-NI, PCLMULQDQ and AVX2, and
#           on aarch64 with the ARMv8 crypto extensions (AES, PMULL,
#           SHA2); Debian's packaged library where it cannot be had (other
#           CPU, missing tools, no deb-src reachable, build failure),
#           saying why in one line at every make
#   asm     the assembly build or an error
#   system  Debian's packaged library
#
# HOST (a GNU triplet) is a cross build (make CROSS=aarch64-linux-gnu-):
# the target's CPU cannot be seen from here, so auto builds the assembly
# and says at every make that the target needs the extensions (podnetd
# and podnet refuse to start without them, userspace/lib/cpu_check.c).
#
# Why auto is the default: with Debian's portable C the AEAD takes most
# of podnetd's CPU; the assembly build of the same source and options is
# 3x faster per stream on x86-64 here (doc/bench.md).
set -euo pipefail

mode=${1:?usage: $0 auto|asm|system ASM_DIR [HOST]}
asm_dir=${2:?usage: $0 auto|asm|system ASM_DIR [HOST]}
host=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
# PODNET_MACHINE and PODNET_CPUINFO stand in for uname -m and
# /proc/cpuinfo in tests of this script.
cpu=${host%%-*}
cpu=${cpu:-${PODNET_MACHINE:-$(uname -m)}}
cpuinfo=${PODNET_CPUINFO:-/proc/cpuinfo}

# asm_possible: 0, or 1 with $why set.
why=
asm_possible() {
	local flags f t need what=
	case $cpu in
	x86_64)
		# /proc/cpuinfo's "flags" line
		need=(aes pclmulqdq avx2)
		flags=$(awk -F': ' '/^flags/ { print " " $2 " "; exit }' "$cpuinfo") ;;
	aarch64)
		# its "Features" line; the ARMv8 assembly uses them without
		# asking the CPU first
		need=(aes pmull sha2)
		what=" (ARMv8 crypto extensions)"
		flags=$(awk -F': ' '/^Features/ { print " " $2 " "; exit }' "$cpuinfo") ;;
	*)
		why="$cpu CPU: the assembly build is for x86-64 and aarch64"
		return 1 ;;
	esac
	# A cross build's target is not this CPU.
	for f in "${need[@]}"; do
		if [[ -z $host && $flags != *" $f "* ]]; then
			why="the CPU has no $f$what"
			return 1
		fi
	done
	for t in dpkg-source autoreconf libtoolize apt-get ${host:+$host-gcc}; do
		if ! command -v "$t" >/dev/null; then
			why="$t is missing (scripts/deps.sh build installs it)"
			return 1
		fi
	done
	return 0
}

system() {
	echo "WOLFSSL_LINK := system"
	[[ -z $1 ]] || echo "\$(info podnet: linking Debian's packaged wolfSSL (portable C, $([[ $cpu == x86_64 ]] && echo "about 3x slower" || echo slower)): $1; make clean or WOLFSSL=asm to try again, WOLFSSL=system to silence)"
}

case $mode in
system)
	system ""
	exit 0
	;;
asm)
	asm_possible || { echo "wolfssl-pick: WOLFSSL=asm: $why" >&2; exit 1; }
	"$top/scripts/wolfssl-asm.sh" "$asm_dir" $host >&2
	echo "WOLFSSL_LINK := asm"
[[ -z $host ]] || echo "\$(info podnet: cross build for $host with wolfSSL's assembly: the target CPU needs aes, pmull and sha2 (ARMv8 crypto extensions; podnetd refuses to start without them); WOLFSSL=system for one without)"
	exit 0
	;;
auto) ;;
*)
	echo "wolfssl-pick: WOLFSSL=$mode: expected asm, system, or nothing" >&2
	exit 1
	;;
esac

if ! asm_possible; then
	system "$why"
	exit 0
fi
mkdir -p "$asm_dir"
# Its progress lines stay visible (the first build takes a while); its
# errors go to a log, and one line says what happened.
log=$asm_dir/pick.log
set +e
"$top/scripts/wolfssl-asm.sh" "$asm_dir" $host 2>&1 >/dev/null | tee "$log" |
	{ grep '^\[#\]' >&2 || true; }
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
	why=$(grep -v '^\[#\]' "$log" | tail -n 1)
	system "${why:-the assembly build failed}; see $log"
	exit 0
fi
echo "WOLFSSL_LINK := asm"
[[ -z $host ]] || echo "\$(info podnet: cross build for $host with wolfSSL's assembly: the target CPU needs aes, pmull and sha2 (ARMv8 crypto extensions; podnetd refuses to start without them); WOLFSSL=system for one without)"
