#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A paced TCP stream for the chaos tests (sourced after netns.sh): it runs
# through a change (a restart, a NAT rebinding, a path switch), its sha256
# shows that nothing was lost, and the longest time between two samples
# in which the receiver got no byte is the recovery time the test prints.
#
#   stream_start FROM_NS TO_NS ADDRESS SECONDS [PORT]
#                  ~3 MB/s for SECONDS, in the background
#   stream_finish  waits for it (bounded by $transfer_timeout); sets
#                  $stream_gap_ms, the longest stall seen by the receiver
#   stream_passed  true when every byte arrived intact

stream_chunk=65536
stream_interval=0.02

stream_start() {
	local from=$1 to=$2 addr=$3 seconds=$4 port=${5:-9100} chunks
	chunks=$((seconds * 50))
	head -c $((chunks * stream_chunk)) /dev/urandom >"$tmp/stream.blob"
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
