#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# make check-arm64: podnet cross-built for arm64 on this x86-64 machine,
# tested under qemu-user.
#
#   1. make CROSS=aarch64-linux-gnu-: wolfSSL with its ARMv8 assembly
#      (scripts/wolfssl-asm.sh), libpodnet.a, podnetd, podnet, the unit
#      tests and podnet-cryptobench, then every unit test under
#      qemu-aarch64-static
#   2. the same against Debian's arm64 wolfSSL (WOLFSSL=system)
#   3. that the assembly is in the binary: the AES, PMULL and SHA-256
#      instructions in each podnetd, counted with objdump
#   4. podnet-cryptobench of both under qemu: emulated, so the figures
#      only say that the two differ, not what an arm64 CPU does
#
# Prints one KTAP-like line per step and "N passed, N failed" at the end.
# Not part of make check: the first run builds wolfSSL for arm64 (a few
# minutes on 2 cores) and every test runs emulated (doc/bench.md).
#
#   scripts/cross-arm64.sh [--no-system]    --no-system: steps 1, 3, 4
#                                           for the assembly build only
set -euo pipefail

cd "$(dirname "$0")/.."
host=aarch64-linux-gnu
qemu=qemu-aarch64-static
system=1
[[ ${1:-} != --no-system ]] || system=0

scripts/deps.sh cross

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
say() { printf '[#] check-arm64: %s\n' "$*"; }
mk() { make --no-print-directory -j"$(nproc)" CROSS=$host- "$@"; }
log_dir=build/check-arm64
mkdir -p "$log_dir"

# unit_tests NAME BUILD_MAKE_ARGS...: the unit tests of one build under
# qemu, with cmocka's totals summed.
unit_tests() {
	local name=$1 log=$log_dir/unit-$1.log t0 pass fail
	shift
	t0=$(date +%s)
	if mk "$@" check-unit >"$log" 2>&1; then
		pass=$(awk '/\[  PASSED  \]/ { n += $4 } END { print n + 0 }' "$log")
		ok "$name: unit tests under $qemu, $pass cmocka tests passed ($(($(date +%s) - t0)) s)"
	else
		fail=$(grep -c '\[  FAILED  \]' "$log" || true)
		tail -n 20 "$log"
		not_ok "$name: unit tests under $qemu ($fail failed lines; $log)"
	fi
}

# build NAME BUILD_DIR MAKE_ARGS...
build() {
	local name=$1 dir=$2 t0
	shift 2
	t0=$(date +%s)
	if mk "$@" all unit-build "$dir/podnet-cryptobench" >"$log_dir/build-$name.log" 2>&1; then
		grep -E '^\[#\]|^podnet:' "$log_dir/build-$name.log" || true
		ok "$name: cross build for $host ($(($(date +%s) - t0)) s)"
		return 0
	fi
	tail -n 20 "$log_dir/build-$name.log"
	not_ok "$name: cross build for $host; $log_dir/build-$name.log"
	return 1
}

# insns BUILD_DIR: counts of the crypto extensions' instructions in podnetd.
insns() {
	"$host-objdump" -d "$1/podnetd" | awk '
		$3 ~ /^aes[ed]$/ { aes++ }
		$3 ~ /^pmull2?$/ { pmull++ }
		$3 ~ /^sha256h2?$/ { sha++ }
		END { printf "aese/aesd %d, pmull %d, sha256h %d\n", aes, pmull, sha }'
}

bench() {
	local out=$log_dir/bench-$1.txt
	# One thread: qemu-user emulates threads on host threads, which
	# other work on this machine would blur.
	if $qemu "$2/podnet-cryptobench" -t 2 -n 1 >"$out" 2>&1; then
		sed "s/^/# $1: /" "$out"
	else
		cat "$out"
		not_ok "$1: podnet-cryptobench under $qemu"
	fi
}

asm_dir=build-$host
sys_dir=build-system-$host
if build assembly "$asm_dir"; then
	if grep -q 'WOLFSSL_LINK := asm' "$asm_dir/wolfssl-auto.mk"; then
		ok "assembly: $asm_dir links wolfSSL built with --enable-armasm"
	else
		not_ok "assembly: $asm_dir fell back to Debian's library ($asm_dir/wolfssl-auto.mk)"
	fi
	unit_tests assembly
	if $qemu "$asm_dir/podnet" --version >/dev/null && $qemu "$asm_dir/podnetd" --version >/dev/null; then
		ok "assembly: podnet and podnetd --version run under $qemu"
	else
		not_ok "assembly: podnet or podnetd --version under $qemu"
	fi
fi
if ((system)) && build system "$sys_dir" WOLFSSL=system; then
	unit_tests system WOLFSSL=system
fi

if [[ -x $asm_dir/podnetd ]]; then
	a=$(insns "$asm_dir")
	echo "# assembly podnetd: $a"
	# Debian's arm64 library is portable C: none of these.
	if [[ $a =~ aese/aesd\ [1-9].*pmull\ [1-9].*sha256h\ [1-9] ]]; then
		ok "assembly: podnetd holds the ARMv8 AES, PMULL and SHA-256 instructions"
	else
		not_ok "assembly: podnetd lacks the ARMv8 crypto instructions ($a)"
	fi
	bench assembly "$asm_dir"
fi
if ((system)) && [[ -x $sys_dir/podnetd ]]; then
	echo "# Debian's arm64 wolfSSL podnetd: $(insns "$sys_dir")"
	bench system "$sys_dir"
fi
echo "# cryptobench figures are qemu-user emulation on x86-64: only the"
echo "# difference between the two builds means anything, not the GB/s"
echo "$passed passed, $failed failed"
((failed == 0))
