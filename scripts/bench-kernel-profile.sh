#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make bench-kernel-profile`: where the guest's CPU goes under kernel
# WireGuard and under podnet.ko, counted, not sampled. The VM runs with
# a TCG plugin (test/bench/tcg-insns.c) that counts the instructions of
# every translated block; the guest opens a window around each iperf3
# run, and afterwards the counts are put to the guest's symbols
# (scripts/tcg-insns-report.py): instructions per KB of payload, per
# function, side by side, with each run's Gbit/s and idle share. perf
# inside a TCG guest cannot do this (doc/vm.md). A measurement, never a
# test. The bed is bench-kernel's (scripts/lib-bench-kernel.sh).
#
# Environment:
#   BENCH_TIME=12      seconds per iperf3 run (one stream)
#   BENCH_ROUNDS=2     rounds of every bed
#   BENCH_PROFILE_BEDS="wg pod pod:crypt_local=0,shared_ring=0"
#                      what to measure in each round, in turn: wg, or
#                      pod with podnet.ko's runtime parameters (comma-
#                      separated; every bed starts from the defaults)
#   BENCH_PROFILE_TOP=40   functions in the report
# Results: build/profile/ (NAME.insns, NAME.json, kallsyms, report.txt).

# $build, $tmp, $ns1, $ns2 come from test/vm/common.sh.
# shellcheck disable=SC2154
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PODNET_BUILD=${PODNET_BUILD:-$top/build}
out=$PODNET_BUILD/profile
plugin=$PODNET_BUILD/test/tcg-insns.so

if [[ ${PODNET_IN_VM:-0} != 1 ]]; then
	[[ -f $plugin ]] || { echo "bench-kernel-profile: no $plugin (make $plugin)" >&2; exit 2; }
	rm -rf "$out"
	mkdir -p "$out"
	PODNET_VM_QEMU_ARGS="-plugin $plugin,control=$out/control,out=$out" \
		"$top/scripts/vm-run.sh" --timeout 900 --rw "$PODNET_BUILD" -- "$0" "$@"
	"$top/scripts/tcg-insns-report.py" "$out" | tee "$out/report.txt"
	exit 0
fi

bench_time=${BENCH_TIME:-12}
# shellcheck source=../test/vm/common.sh
source "$top/test/vm/common.sh"
# say, iperf helpers
# shellcheck source=lib-bench.sh
source "$top/scripts/lib-bench.sh"
# shellcheck source=../test/vm/lib-kernel.sh
source "$top/test/vm/lib-kernel.sh"
# shellcheck source=lib-bench-kernel.sh
source "$top/scripts/lib-bench-kernel.sh"
# r: what wg_up records (lib-bench-kernel.sh)
# shellcheck disable=SC2034
declare -A r

# window NAME ADDRESS: one iperf3 stream to ADDRESS in $ns1 (lib-bench.sh's
# iperf, its one-shot server's start inside the window), counted.
window() {
	local f=$out/$1 gbps
	grep '^cpu ' /proc/stat >"$f.stat"
	echo "start $1" >"$out/control"
	read -r gbps _ < <(iperf "$2" 1 "$1")
	echo stop >"$out/control"
	grep '^cpu ' /proc/stat >>"$f.stat"
	cp "$tmp/iperf-$1.json" "$f.json"
	# The plugin polls every 20 ms: the file must be there before the
	# next window starts.
	wait_for 50 test -s "$f.insns" || say "$1: no counts from the plugin"
	say "$1: $gbps Gbit/s"
}


bed
wg_up
pod_up
params_remember
cat /proc/kallsyms >"$out/kallsyms"
for round in $(seq "${BENCH_ROUNDS:-2}"); do
	for b in ${BENCH_PROFILE_BEDS:-wg pod}; do
		case $b in
		wg) window "wg-$round" 10.88.0.1 ;;
		pod | pod:*)
			params=${b#pod}
			params=${params#:}
			params_set "${params:-default}"
			window "pod${params:+_${params//[,=]/_}}-$round" 10.77.0.1 ;;
		*) say "BENCH_PROFILE_BEDS: wg or pod[:PARAMS], not $b"; exit 2 ;;
		esac
	done
done
params_set default
