#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Chaos: the rendezvous is killed (kill -9) and restarted at once while a
# relayed pair carries a sha256-checked TCP stream and a direct pair a
# ping every 50 ms. Targets (issue 11): the relayed pair carries traffic
# again within 10 s; the direct pair does not notice; while nothing
# works, `podnet show` says why. Last, the rendezvous stays away until
# the relayed session has died: the pair is back within 10 s of its
# return too.
#
#            ┌──────────── internet 198.18.0.0/24 ──────────────┐
#   rv 198.18.0.1 (rendezvous + relay; killed and restarted)      │
#   [NAT .11] sym-a      [NAT .12] sym-b      [NAT .13] restr-a   [NAT .14] restr-b
#   10.101.0.2           10.102.0.2           10.103.0.2          10.104.0.2
#   sym-a <-> sym-b: relayed (both symmetric), the stream runs here
#   restr-a <-> restr-b: direct (punched), pinged every 50 ms

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/chaos.sh"
ktap_header "podnet chaos: rendezvous kill -9 and restart"
# A stream that never recovers should fail the step, not hang the test.
transfer_timeout=${TRANSFER_TIMEOUT:-45}

nat_podnet_bed
nat_podnet_node sym-a symmetric 1
nat_podnet_node sym-b symmetric 2
nat_podnet_node restr-a restricted 3
nat_podnet_node restr-b restricted 4
for name in sym-a sym-b restr-a restr-b; do
	wait_for 100 peer_established "$name" rv || true
	wait_for 50 nat_type_known "$name" || true
done
check "sym-a reaches sym-b" wait_for 100 n "$ns_sym_a" ping -c 1 -W 1 10.77.0.12
check "... through the relay" test "$(peer_field sym-a sym-b path)" = relay
check "restr-a reaches restr-b" wait_for 100 n "$ns_restr_a" ping -c 1 -W 1 10.77.0.14
check "... directly" wait_for 100 peer_is restr-a restr-b path direct

# restart_rendezvous: kill -9, and a fresh podnetd at once.
restart_rendezvous() {
	kill -KILL "$pid_rv"
	wait "$pid_rv" 2>/dev/null || true
	rm -f "$tmp/rv.sock"
	start_daemon "$ns_rv" rv
}

# --- kill -9 and restart, a stream through the relay -----------------------
for round in 1 2; do
	direct_handshakes=$(peer_field restr-a restr-b handshakes)
	# A count, not a deadline (-w): at a deadline the last echo may
	# still be on its way, and ping counts it lost.
	n "$ns_restr_a" ping -q -i 0.05 -c 300 -W 2 10.77.0.14 >"$tmp/direct.ping" 2>&1 &
	pinger=$!
	stream_start "$ns_sym_a" "$ns_sym_b" 10.77.0.12 14
	sleep 3
	restart_rendezvous
	stream_finish
	wait "$pinger" || true
	if stream_passed; then
		check "round $round: relayed pair back after rendezvous restart in $stream_gap_ms ms (target 10000)" \
			test "$stream_gap_ms" -le 10000
	else
		not_ok "round $round: relayed stream intact across the rendezvous restart (longest stall $stream_gap_ms ms)"
	fi
	lost=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$tmp/direct.ping")
	check "round $round: the direct pair lost no ping (${lost:-?} % of 300 lost)" test "${lost:-100}" = 0
	check "round $round: ... nor its session" \
		peer_is restr-a restr-b handshakes "$direct_handshakes"
	check "round $round: ... and stayed direct" peer_is restr-a restr-b path direct
done
check "every node registered with the restarted rendezvous" \
	wait_for 100 bash -c "[[ \$('$podnet' show --json --socket '$tmp/rv.sock' | jq '[.peers[] | select(.state == \"established\")] | length') -eq 4 ]]"

# --- no path: `podnet show` says so, and why -------------------------------
kill -KILL "$pid_rv"
wait "$pid_rv" 2>/dev/null || true
# With the relay gone, sym-a <-> sym-b has no path left at all.
no_path() {
	local why
	why=$(peer_field sym-a sym-b no_path) || return 1
	[[ $why == *"rendezvous unreachable"* ]] || { echo "# no_path: '$why'"; return 1; }
}
n "$ns_sym_a" ping -q -c 3 -i 0.3 -W 1 10.77.0.12 >/dev/null 2>&1 || true
check "show --json: sym-b has no path, because the rendezvous is unreachable" \
	wait_for 600 no_path
check "show: the text says so too" bash -c \
	"'$podnet' show --socket '$tmp/sym-a.sock' | grep -q '^  no path: .*rendezvous unreachable'"
check "restr-a still reaches restr-b" n "$ns_restr_a" ping -c 2 -i 0.2 -W 1 10.77.0.14

# --- down longer than a session lives, then back ---------------------------
# The relayed session dies meanwhile; the handshakes that follow go to a
# relay channel the returning rendezvous will not know.
check "sym-a's session with sym-b dies while the rendezvous is away" \
	wait_for 900 peer_not_established sym-a sym-b
rm -f "$tmp/rv.sock"
start_daemon "$ns_rv" rv
if took=$(first_reply_ms "$ns_sym_a" 10.77.0.12 30); then
	check "relayed pair back $took ms after the rendezvous returned (target 10000)" \
		test "$took" -le 10000
else
	not_ok "relayed pair back within 30 s of the rendezvous' return"
fi
check "... and no path is reported any more" peer_is sym-a sym-b no_path null

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
