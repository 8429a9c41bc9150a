#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Handshakes over a lossy path: DTLS retransmission on libev timers, and
# the workaround for wolfSSL never resending the server's final flight.
# Losses are made by nftables in beta's namespace, deterministically.
#
#  ┌──────────────────────┐          ┌──────────────────────────────┐
#  │ $ns1: alpha (client) │          │ $ns2: beta (server)          │
#  │   pod0 10.77.0.1/24  │          │   pod0 10.77.0.2/24          │
#  │   veth1 192.168.243.1├──────────┤   veth2 192.168.243.2        │
#  └──────────────────────┘          │   nft: drops beta's datagrams│
#                                    └──────────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: DTLS handshakes over a lossy path"

two_node_bed 243

# The UDP payload starts with the podnet header; a handshake datagram's
# DTLS record starts 12 bytes in, i.e. at bit 160 of the transport header.
# The server's final flight is the only one that begins with a
# ChangeCipherSpec record (content type 20) from beta.
n "$ns2" nft -f - <<'EOF_NFT'
table inet loss {
	chain out {
		type filter hook output priority 0;
		udp sport 51820 @th,64,8 1 @th,160,8 20 counter name final_flight drop
	}
	counter final_flight { }
}
EOF_NFT

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
final_flights() { n "$ns2" nft -j list counter inet loss final_flight | jq '.nftables[1].counter.packets'; }
flight_dropped() { [[ $(final_flights) -ge 1 ]]; }
sleep 1.5
check "beta's final flight was dropped" wait_for 50 flight_dropped
check "no session while the final flight is lost" peer_not_established alpha beta
n "$ns2" nft flush chain inet loss out
started=$(date +%s)
check "session completes on the first handshake once the path clears" \
	wait_for 60 peer_established alpha beta
check "... without starting a new handshake" \
	test "$(grep -c 'starting handshake' "$tmp/alpha.log")" -eq 1
check "... and carries traffic" n "$ns1" ping -c 1 -W 2 10.77.0.2

# Every other handshake datagram from beta is lost: each flight needs a
# retransmission, driven by the timers.
stop_daemon alpha
stop_daemon beta
n "$ns2" nft add rule inet loss out udp sport 51820 @th,64,8 1 numgen inc mod 2 0 counter drop
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session comes up although every other handshake datagram is lost" \
	wait_for 300 peer_established alpha beta
check "... and carries traffic" n "$ns1" ping -c 1 -W 2 10.77.0.2
check "... and retransmissions were needed" \
	test "$(n "$ns2" nft -j list chain inet loss out | jq '[.nftables[] | .rule? | select(.) | .expr[] | .counter? | select(.) | .packets] | add')" -ge 1

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
