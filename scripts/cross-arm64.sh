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
#      and podnetd's refusal on a CPU without the extensions, faked
#   2. the same against Debian's arm64 wolfSSL (WOLFSSL=system)
#   3. that the assembly is in the binary: the AES, PMULL and SHA-256
#      instructions in each podnetd, counted with objdump
#   4. that it runs: test_record_kat (the same records, pinned to the
#      bytes Debian's portable C seals) under qemu with every executed
#      block logged, and the instructions executed in each primitive's
#      functions counted for both builds (scripts/qemu-insns.py)
#   5. test/netns/arm64-wire.sh: the arm64 podnetd under qemu in a
#      network namespace, against the native one on Debian's library,
#      every cipher, data intact both ways
#   6. podnet-cryptobench of both under qemu: emulated, where qemu runs
#      each crypto instruction through a helper function, so its GB/s
#      say nothing about an arm64 CPU (doc/bench.md)
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
qemu="qemu-aarch64-static"
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
	# The progress lines of the wolfSSL build show as they come.
	mk "$@" all unit-build "$dir/podnet-cryptobench" 2>&1 | tee "$log_dir/build-$name.log" |
		{ grep --line-buffered -E '^\[#\]|^podnet:' || true; }
	if ((PIPESTATUS[0] == 0)); then
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
	# qemu's CPUs all have the extensions: a CPU without them is faked
	# through getauxval (test/cross/fake-hwcap.c).
	fake=$log_dir/fake-hwcap.so
	if "$host-gcc" -shared -fPIC -O2 -Wall -Wextra -Werror -o "$fake" test/cross/fake-hwcap.c &&
		out=$($qemu -E LD_PRELOAD="$fake" "$asm_dir/podnetd" /dev/null 2>&1; echo "rc=$?") &&
		[[ $out == *"which this CPU lacks"*rc=1 ]]; then
		ok "assembly: podnetd refuses to start on a CPU without aes/pmull/sha2 (faked)"
	else
		echo "# ${out:-}"
		not_ok "assembly: podnetd on a CPU without the crypto extensions"
	fi
fi
if ((system)) && build system "$sys_dir" WOLFSSL=system; then
	unit_tests system WOLFSSL=system
fi

# run_insns BUILD_DIR NAME: executed instructions of test_record_kat.
run_insns() {
	local log=$log_dir/exec-$2.log
	(cd test/unit && $qemu -d in_asm,exec,nochain -D "../../$log" "../../$1/test/test_record_kat") >/dev/null 2>&1 || return 1
	scripts/qemu-insns.py "$log" >"$log_dir/insns-$2.txt"
	rm -f "$log"
}
if ((system)) && [[ -x $asm_dir/test/test_record_kat && -x $sys_dir/test/test_record_kat ]]; then
	if run_insns "$asm_dir" assembly && run_insns "$sys_dir" system; then
		echo "# instructions executed by test_record_kat under qemu (seal, open, digest):"
		paste -d ' ' "$log_dir/insns-assembly.txt" "$log_dir/insns-system.txt" |
			awk '$1 != "crypto-insns" && $2 > 0 {
				printf "#   %-18s assembly %9d  Debian C %9d  %.1fx fewer\n", $1, $2, $4, $4 / $2 }'
		a=$(awk '$1 == "crypto-insns" { print $2 }' "$log_dir/insns-assembly.txt")
		c=$(awk '$1 == "crypto-insns" { print $2 }' "$log_dir/insns-system.txt")
		echo "#   ARMv8 crypto instructions executed: assembly $a, Debian C $c"
		if ((a > 0 && c == 0)); then
			ok "assembly: its AES, PMULL and SHA-256 instructions ran ($a executed)"
		else
			not_ok "assembly: crypto instructions executed: assembly $a, Debian C $c"
		fi
	else
		not_ok "test_record_kat under $qemu -d exec"
	fi
fi

# The wire: the native podnetd on Debian's library (portable C, quick
# to build) against the arm64 assembly one.
if [[ -x $asm_dir/podnetd ]]; then
	if make --no-print-directory -j"$(nproc)" WOLFSSL=system all >"$log_dir/build-native.log" 2>&1; then
		PODNET_BUILD=$PWD/build-system PODNET_ARM64_BUILD=$PWD/$asm_dir \
			test/netns/arm64-wire.sh >"$log_dir/arm64-wire.log" 2>&1 || true
		if grep -q '^# all passed' "$log_dir/arm64-wire.log"; then
			ok "assembly: test/netns/arm64-wire.sh, $(grep -c '^ok' "$log_dir/arm64-wire.log") checks: x86-64 Debian C <-> arm64 assembly, every cipher"
		else
			grep -E '^not ok|^#' "$log_dir/arm64-wire.log" | tail -n 15
			not_ok "assembly: test/netns/arm64-wire.sh ($log_dir/arm64-wire.log)"
		fi
	else
		tail -n 20 "$log_dir/build-native.log"
		not_ok "native WOLFSSL=system build for the wire test"
	fi
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
echo "# cryptobench under qemu-user is emulation: qemu runs each NEON and"
echo "# crypto instruction through a helper function, so the assembly comes"
echo "# out slower here; neither figure says what an arm64 CPU does"
echo "$passed passed, $failed failed"
((failed == 0))
