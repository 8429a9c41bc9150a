#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The chaos tests' common part (sourced after netns.sh and nat.sh), for
# test/netns (TUN) and test/vm (podnet.ko) alike: a paced TCP stream runs
# through a change (a restart, a NAT rebinding, a path switch), its
# sha256 shows that nothing was lost, and the longest time in which the
# receiver got no byte (or, with chaos_ping, no ping answer) is the
# recovery time the test prints.
#
#   stream_start FROM_NS TO_NS ADDRESS SECONDS [PORT]
#                  ~3 MB/s for SECONDS, in the background; with
#                  $stream_rate (a tc rate, e.g. 3mbit) one socat sends
#                  SECONDS * rate through a tbf qdisc on FROM's eth0
#                  instead of a writer loop (too slow under TCG)
#   stream_finish  waits for it (bounded by $transfer_timeout); sets
#                  $stream_gap_ms, the longest stall seen by the receiver
#   stream_passed  true when every byte arrived intact
#   chaos_step DESC FROM TO CMD...
#                  a stream FROM -> TO, CMD 2 s into it; one assertion
#                  (${chaos_check:-check}) that the stream arrived intact
#                  and came back within ${chaos_limit_ms:-$target_ms},
#                  the time in its KTAP line. With chaos_ping=SECONDS,
#                  pings FROM -> TO every 0.2 s for SECONDS measure it
#                  instead (the path, not TCP's backoff)
#
# Node helpers over a nat.sh bed; the test sets names (every node) and
# site_num (name -> site number):
#   vaddr NAME, nsof NAME, routerof NAME
#   all_registered   every node has a session with rv and knows its NAT
#   pair_up A B WANT A reaches B, on a path of kind WANT (direct/relay)
#                    from both sides

vaddr() { echo "10.77.0.$((10 + ${site_num[$1]}))"; }
nsof() { local v=ns_${1//-/_}; echo "${!v}"; }
routerof() { local v=router_${1//-/_}; echo "${!v}"; }

all_registered() {
	local s
	for s in "${names[@]}"; do
		peer_established "$s" rv && nat_type_known "$s" ||
			{ echo "# $s: not registered or NAT unknown"; return 1; }
	done
}

pair_up() {
	wait_for 150 n "$(nsof "$1")" ping -c 1 -W 1 "$(vaddr "$2")" &&
		wait_for 150 peer_is "$1" "$2" path "$3" &&
		wait_for 150 peer_is "$2" "$1" path "$3"
}

stream_chunk=65536
stream_interval=0.02

stream_start() {
	local from=$1 to=$2 addr=$3 seconds=$4 port=${5:-9100} chunks bits
	chunks=$((seconds * 50))
	if [[ -n ${stream_rate:-} ]]; then
		bits=${stream_rate%mbit}
		head -c $((seconds * bits * 125000)) /dev/urandom >"$tmp/stream.blob"
	else
		head -c $((chunks * stream_chunk)) /dev/urandom >"$tmp/stream.blob"
	fi
	rm -f "$tmp/stream.received" "$tmp/stream.samples"
	ip netns exec "$to" timeout "$transfer_timeout" socat -u \
		"TCP-LISTEN:$port,bind=$addr,reuseaddr" \
		"OPEN:$tmp/stream.received,creat,trunc" &
	stream_receiver=$!
	if ! wait_for 50 _tcp_listening "$to" "$port"; then
		echo "# stream: nothing listens on $addr:$port in $to" >&2
		kill -TERM "$stream_receiver" 2>/dev/null
		return 1
	fi
	stream_from=$from
	if [[ -n ${stream_rate:-} ]]; then
		# Paced by the qdisc: one process, whatever the CPU.
		ip netns exec "$from" tc qdisc add dev eth0 root tbf \
			rate "$stream_rate" burst 32kb latency 400ms
		ip netns exec "$from" timeout "$transfer_timeout" socat -u \
			"OPEN:$tmp/stream.blob" "TCP:$addr:$port,connect-timeout=10" &
		stream_sender=$!
		_stream_sample &
		stream_sampler=$!
		return 0
	fi
	# Paced by the writer, so the stream is still running when the
	# change comes; dd reads whole chunks of the one file the sha256
	# is taken of.
	ip netns exec "$from" timeout "$transfer_timeout" bash -c '
		for ((i = 0; i < '"$chunks"'; i++)); do
			dd if="$0" bs='"$stream_chunk"' skip=$i count=1 status=none
			sleep '"$stream_interval"'
		done | socat -u - "TCP:$1,connect-timeout=10"' \
		"$tmp/stream.blob" "$addr:$port" &
	stream_sender=$!
	_stream_sample &
	stream_sampler=$!
}

# One line "ns bytes" per 50 ms while the receiver runs (bounded by it).
_stream_sample() {
	local size
	while kill -0 "$stream_receiver" 2>/dev/null; do
		size=$(stat -c %s "$tmp/stream.received" 2>/dev/null) || size=0
		echo "$(date +%s%N) $size"
		sleep 0.05
	done >"$tmp/stream.samples"
}

stream_finish() {
	stream_sent=0
	wait "$stream_sender" || stream_sent=$?
	wait "$stream_receiver" || true
	wait "$stream_sampler" 2>/dev/null || true
	[[ -z ${stream_rate:-} ]] ||
		ip netns exec "$stream_from" tc qdisc del dev eth0 root 2>/dev/null || true
	# The longest time the received size stood still, from the first
	# byte on (the connect itself is not a stall) to the last sample (a
	# stream that never came back stalled until it was given up).
	stream_gap_ms=$(awk '
		$2 > 0 && !started { started = 1; last_t = $1; last_s = $2; next }
		started && $2 != last_s { gap = ($1 - last_t) / 1e6;
			if (gap > max) max = gap; last_t = $1; last_s = $2 }
		{ now = $1 }
		END { # a stream that never came back stalled until the end
			if (started && (now - last_t) / 1e6 > max) max = (now - last_t) / 1e6
			printf "%d\n", max }' "$tmp/stream.samples")
}

stream_passed() {
	local want got
	want=$(sha256sum <"$tmp/stream.blob" | cut -d' ' -f1)
	got=$(sha256sum <"$tmp/stream.received" 2>/dev/null | cut -d' ' -f1) || got=
	[[ $stream_sent -eq 0 && $got == "$want" ]] && return 0
	echo "# stream: sender exit $stream_sent, received" \
		"$(stat -c %s "$tmp/stream.received" 2>/dev/null || echo 0) of" \
		"$(stat -c %s "$tmp/stream.blob") bytes"
	return 1
}

# The longest time between two ping answers in FILE (ping -D), the end
# of the run (unix time END) counting as one: a path that never came
# back shows as a long gap.
ping_gap_ms() {
	{ grep -o '^\[[0-9.]*\] [0-9]* bytes from' "$1" | tr -d '[]' |
		cut -d' ' -f1; echo "$2"; } |
		awk 'NR > 1 && ($1 - t) * 1000 > max { max = ($1 - t) * 1000 }
		     { t = $1 } END { printf "%d\n", max }'
}

chaos_step() {
	local desc=$1 from=$2 to=$3 limit=${chaos_limit_ms:-$target_ms} pinger= gap
	shift 3
	if ! stream_start "$(nsof "$from")" "$(nsof "$to")" "$(vaddr "$to")" \
		"$stream_seconds"; then
		not_ok "$desc: the stream did not start"
		return
	fi
	if [[ -n ${chaos_ping:-} ]]; then
		n "$(nsof "$from")" ping -n -D -i 0.2 -W 1 -w "$chaos_ping" \
			"$(vaddr "$to")" >"$tmp/chaos.ping" 2>&1 &
		pinger=$!
	fi
	sleep 2
	"$@"
	if [[ -n $pinger ]]; then
		wait "$pinger" || true
		gap=$(ping_gap_ms "$tmp/chaos.ping" "$(date +%s.%N)")
	fi
	stream_finish
	gap=${gap:-$stream_gap_ms}
	_chaos_ok() {
		stream_passed || return 1
		[[ $gap -le $limit ]] || { echo "# longest silence $gap ms"; return 1; }
	}
	${chaos_check:-check} "$desc: back in $gap ms (target $limit), stream intact" _chaos_ok
	[[ -z $pinger ]] || echo "# $desc: the stream stalled at most $stream_gap_ms ms;" \
		"$(grep -o '[0-9]* received' "$tmp/chaos.ping") pings answered"
}
