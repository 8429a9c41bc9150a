#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# What `make bench` (scripts/bench.sh) and `make bench-kernel`
# (scripts/bench-kernel.sh) measure with and report through, sourced
# after test/lib/netns.sh (n, wait_for, wait_pid_gone, $ns1, $ns2,
# $tmp) and with $bench_time and $bench_pings set. Traffic always flows
# from $ns2 to $ns1.
# shellcheck disable=SC2154 # ns1, ns2, tmp, bench_*: the caller's

say() { printf '# %s\n' "$*" >&2; }

# rtt_ms ADDRESS: average round trip from $ns2, in ms.
rtt_ms() {
	n "$ns2" ping -q -c "$bench_pings" -i 0.02 -W 2 "$1" 2>/dev/null |
		awk -F/ '/^rtt/ { print $5 }' || true
}

# iperf ADDRESS STREAMS NAME: a TCP run from $ns2 to ADDRESS in $ns1;
# prints "Gbit/s bytes" as the receiver counted them and the sender's
# retransmissions, "null" for what it could not measure.
iperf() {
	local addr=$1 streams=$2 out=$tmp/iperf-$3.json spid
	# A fresh one-shot server per run: a failed run cannot leave it
	# stuck for the next one.
	# This runs in a subshell (the caller reads our output): the
	# namespace sweep of cleanup() catches a server left behind.
	ip netns exec "$ns1" iperf3 -s -1 -p 5201 >>"$tmp/iperf-server.out" 2>&1 &
	spid=$!
	# Generous: under emulation (bench-kernel's VM) starting takes long.
	if ! wait_for 100 _iperf_listening; then
		echo "null null null"
		return
	fi
	timeout $((bench_time + 60)) ip netns exec "$ns2" iperf3 -c "$addr" \
		-p 5201 -t "$bench_time" -P "$streams" -J >"$out" 2>&1 || true
	wait_pid_gone "$spid" 50 || kill -KILL "$spid" 2>/dev/null || true
	jq -r '(.end.sum_received // {}) as $r | (.end.sum_sent // {}) as $s |
		"\(if $r.bits_per_second then $r.bits_per_second / 1e9
		    else null end) \($r.bytes // null) \($s.retransmits // null)"' \
		"$out" 2>/dev/null || echo "null null null"
}
_iperf_listening() { n "$ns1" ss -Hltn 'sport = :5201' | grep -q LISTEN; }

# calc EXPR VAR=VALUE...: awk arithmetic; "null" when an input is missing.
calc() {
	local expr=$1 args=() a
	shift
	for a in "$@"; do
		[[ -n ${a#*=} && ${a#*=} != null ]] || { echo null; return; }
		args+=(-v "$a")
	done
	awk "${args[@]}" "BEGIN { printf \"%.4f\\n\", $expr }"
}

# row KEY LABEL DECIMALS VALUE...: one metric for the table and the JSON,
# in rows[]; an empty VALUE is "null". Values stay unrounded until shown,
# so the ratios are exact.
rows=()
row() {
	local line="$1"$'\t'"$2"$'\t'"$3" x
	shift 3
	for x in "$@"; do
		[[ -n $x ]] || x=null
		line+=$'\t'"$x"
	done
	rows+=("$line")
}

# num VALUE: VALUE for jq --argjson, or null.
num() { [[ -n ${1:-} && $1 != null ]] && echo "$1" || echo null; }
