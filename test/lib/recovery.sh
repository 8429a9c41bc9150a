#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Recovery times (sourced after netns.sh): every feature must survive a
# peer's restart, the rendezvous' restart and a NAT rebinding, and the
# test that causes one prints how long traffic took to flow again.
#
#   now_ms              the wall clock in ms
#   kill9_restart NS NAME
#                       kill -9 podnetd NAME and start it again at once
#                       (its stale control socket removed first)
#   recovery_check DESC T0_MS LIMIT_S CMD...
#                       retries CMD every 0.1 s (at most LIMIT_S + 10 s);
#                       one KTAP line with the time from T0_MS to its first
#                       success, which must be within LIMIT_S
#   pings NS ADDRESS [PING ARGS...]
#                       one echo request answered within 1 s (for CMD)
#   pinger_start FILE NS ADDRESS LIMIT_S [PING ARGS...]
#   pinger_check DESC FILE T0_MS LIMIT_S
#                       the same measure for a second path at once: pings
#                       every 0.2 s in the background until one answers
#                       (at most LIMIT_S + 10 s), then its KTAP line
#   first_answer_ms FILE T0_MS
#                       ms from T0_MS to the first answer in FILE (ping -D)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

kill9_restart() {
	local ns=$1 name=$2 var=pid_${2//-/_}
	kill -KILL "${!var}" 2>/dev/null || true
	wait "${!var}" 2>/dev/null || true
	rm -f "$tmp/$name.sock"
	start_daemon "$ns" "$name"
}

pings() {
	local ns=$1 addr=$2
	shift 2
	n "$ns" ping "$@" -n -q -c 1 -W 1 "$addr" >/dev/null 2>&1
}

recovery_check() {
	local desc=$1 t0=$2 limit=$3 took='' end i
	shift 3
	end=$(( $(now_ms) + (limit + 10) * 1000 ))
	# Bounded by the count too (CMD itself may take a second).
	for ((i = 0; i < (limit + 10) * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			took=$(( $(now_ms) - t0 ))
			break
		fi
		[[ $(now_ms) -lt $end ]] || break
		sleep 0.1
	done
	if [[ -n $took ]]; then
		check "$desc: traffic again after $took ms (bound $((limit * 1000)) ms)" \
			test "$took" -le $((limit * 1000))
		echo "# recovery: $desc: $took ms"
	else
		not_ok "$desc: no traffic within $((limit + 10)) s"
	fi
}

pinger_start() {
	local file=$1 ns=$2 addr=$3 limit=$4
	shift 4
	n "$ns" ping "$@" -n -D -c 1 -i 0.2 -W 1 -w $((limit + 10)) "$addr" >"$file" 2>&1 &
	pinger_pids[$file]=$!
}
declare -gA pinger_pids=()

first_answer_ms() {
	local t
	t=$(grep -m1 -o '^\[[0-9.]*\] [0-9]* bytes from' "$1" | tr -d '[' | cut -d']' -f1)
	if [[ -n $t ]]; then
		# ping -D prints microseconds after the point.
		echo $(( ${t/./} / 1000 - $2 ))
	else
		echo never
	fi
}

pinger_check() {
	local desc=$1 file=$2 t0=$3 limit=$4 took
	wait "${pinger_pids[$file]}" 2>/dev/null || true
	took=$(first_answer_ms "$file" "$t0")
	if [[ $took == never ]]; then
		not_ok "$desc: no traffic within $((limit + 10)) s"
		return
	fi
	check "$desc: traffic again after $took ms (bound $((limit * 1000)) ms)" \
		test "$took" -le $((limit * 1000))
	echo "# recovery: $desc: $took ms"
}
