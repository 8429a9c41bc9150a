#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Chaos: a peer dies (kill -9) in the middle of a TCP stream and starts
# again at once. Its old peer still holds the dead session; traffic must
# flow both ways again within 5 s (issue 11; WireGuard's peer needs ~15 s),
# and the stream, whose sockets outlive the daemon, must arrive intact.
# Once for each side: the node that dials first (alpha) and the other;
# then once more where the restarted node has no Endpoint for its peer
# (the README's server, dialled by a laptop): only the peer can dial.
#
#  ┌──────────────────────┐          ┌──────────────────────┐
#  │ $ns1: alpha          │          │ $ns2: beta           │
#  │   pod0 10.77.0.1/24  │          │   pod0 10.77.0.2/24  │
#  │   veth1 192.168.247.1├──────────┤   veth2 192.168.247.2│
#  └──────────────────────┘          └──────────────────────┘
#        stream alpha -> beta, beta killed and restarted
#        stream beta -> alpha, alpha killed and restarted
#        beta without alpha's Endpoint: stream alpha -> beta, beta killed;
#        then beta killed again with only pings crossing

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/chaos.sh"
ktap_header "podnet chaos: a peer restarts under a stream"

two_node_bed 247
# The restart, not the debug log, is the point.
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 100 peer_established alpha beta

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Both ways, each with its own short ping (0.3 s), so that a reply lost
# while the session comes up costs little of the measured time.
both_ways() {
	n "$ns1" ping -c 1 -W 0.3 10.77.0.2 >/dev/null 2>&1 &&
		n "$ns2" ping -c 1 -W 0.3 10.77.0.1 >/dev/null 2>&1
}

# kill_and_restart VICTIM VICTIM_NS WHAT: kill -9, start again at once,
# and measure until traffic flows both ways.
kill_and_restart() {
	local victim=$1 t0 took pidvar=pid_$1
	t0=$(now_ms)
	kill -KILL "${!pidvar}"
	wait "${!pidvar}" 2>/dev/null || true
	# Not through check (a subshell): the pid must come back here.
	if start_daemon "$2" "$victim"; then
		ok "$victim restarted at once after kill -9 ($3)"
	else
		not_ok "$victim restarted at once after kill -9 ($3)"
	fi
	if wait_for 100 both_ways; then
		took=$(( $(now_ms) - t0 ))
		ok "$victim killed: traffic both ways again in $took ms (target 5000)"
		check "... within the target" test "$took" -le 5000
	else
		not_ok "$victim killed: no traffic both ways within 10 s"
	fi
}

# restart_under_stream VICTIM VICTIM_NS OTHER FROM_NS TO_NS TO_ADDR
restart_under_stream() {
	stream_start "$4" "$5" "$6" 8
	sleep 2
	kill_and_restart "$1" "$2" "under a stream"
	stream_finish
	check "... the stream through it arrives intact (longest stall $stream_gap_ms ms)" \
		stream_passed
	check "... $3 holds an established session again" peer_established "$3" "$1"
	check "... and so does $1" peer_established "$1" "$3"
}

restart_under_stream beta "$ns2" alpha "$ns1" "$ns2" 10.77.0.2
restart_under_stream alpha "$ns1" beta "$ns2" "$ns1" 10.77.0.1

# beta learns where alpha is only from alpha's dial; restarted, it knows
# nothing of alpha while alpha still sends under the dead session.
stop_daemon alpha
stop_daemon beta
sed -i '/^Endpoint/d' "$tmp/beta.conf"
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "without beta's Endpoint for alpha: session established" \
	wait_for 100 peer_established alpha beta
restart_under_stream beta "$ns2" alpha "$ns1" "$ns2" 10.77.0.2
check "... beta asked alpha to dial again (tx_handshake_asks)" \
	iface_above beta tx_handshake_asks 0

# The same with only pings crossing: records too small to be answered
# with a request, so alpha must notice the silence itself.
kill_and_restart beta "$ns2" "only pings crossing"

ktap_finish
