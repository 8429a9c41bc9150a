#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The relay and moving paths, behind real NATs:
#  1. symmetric <-> symmetric through the relay: 50 MB with sha256, and a
#     capture at the relay never shows a marker sent through the tunnel;
#  2. relay -> direct: punching is blocked at first, the relay carries a
#     running transfer, the block is lifted, the session moves to the
#     direct path and the transfer finishes intact;
#  3. NAT rebinding mid-transfer: the router of a port-restricted site
#     changes its mapping and forgets every flow; the transfer finishes.
#  4. a relayed peer restarts (kill -9), each side in turn: traffic
#     flows both ways again within 5 s (issue 11's bound for a restart),
#     through the relay.
#
#            ┌──────────── internet 198.18.0.0/24 ─────────────┐
#   rv 198.18.0.1 (rendezvous + relay, tcpdump)                 │
#   none-a .11   [NAT .12] restr-a   [NAT .13] restr-b   [NAT .14] sym-a   [NAT .15] sym-b
#                 10.102.0.2          10.103.0.2          10.104.0.2        10.105.0.2
#   Traffic from restr-a is shaped to 20 Mbit/s (tc on its LAN side) so
#   transfers last long enough for things to happen during them.

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: relay, relay -> direct, NAT rebinding"

NAT_PUNCH_RETRY=2 nat_podnet_bed
nat_podnet_node none-a none 1
NAT_PUNCH_RETRY=2 nat_podnet_node restr-a restricted 2
NAT_PUNCH_RETRY=2 nat_podnet_node restr-b restricted 3
nat_podnet_node sym-a symmetric 4
nat_podnet_node sym-b symmetric 5
for name in none-a restr-a restr-b sym-a sym-b; do
	wait_for 100 peer_established "$name" rv || true
	wait_for 50 nat_type_known "$name" || true
done
all_registered() {
	local s
	for s in none-a restr-a restr-b sym-a sym-b; do
		peer_established "$s" rv && nat_type_known "$s" ||
			{ echo "# $s: not registered or NAT unknown"; return 1; }
	done
}
check "all nodes registered and know their NAT" all_registered

# --- 1. through the relay, which cannot read ------------------------------
marker=PODNET-CLEARTEXT-MARKER-7f3a9c
{ head -c 10000000 < <(yes "$marker"); head -c 40000000 /dev/urandom; } >"$tmp/blob"
check "sym-a reaches sym-b" wait_for 100 n "$ns_sym_a" ping -c 1 -W 1 10.77.0.15
check "sym-a <-> sym-b is relayed" test "$(peer_field sym-a sym-b path)" = relay
ip netns exec "$ns_rv" tcpdump -i eth0 -U -s 0 -w "$tmp/relay.pcap" udp \
	>"$tmp/tcpdump.log" 2>&1 &
tcpdump_pid=$!
wait_for 50 grep -q "listening on" "$tmp/tcpdump.log" || true
relay_counter_reset "$ns_rv"
check "50 MB sym-a -> sym-b through the relay, intact (sha256)" \
	transfer "$ns_sym_a" "$ns_sym_b" 10.77.0.15 "$tmp/blob"
check "... and went through the relay (> 100 MB in and out there)" \
	test "$(relay_counter_total "$ns_rv")" -gt 100000000
kill -INT "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
check "the relay captured the transfer (> 50 MB of UDP)" \
	test "$(stat -c %s "$tmp/relay.pcap")" -gt 50000000
check "the marker never appears in clear at the relay" \
	test "$(grep -ac "$marker" "$tmp/relay.pcap")" -eq 0
check "the marker did cross the tunnel" grep -aq "$marker" "$tmp/received"
rm -f "$tmp/relay.pcap" "$tmp/received"
check "the relay accounts the bytes it carried" \
	test "$(show_json rv | jq '[.peers[] | .relayed_bytes // 0] | add')" -gt 50000000

# --- 2. relay -> direct during a transfer ---------------------------------
n "$ns_restr_a" tc qdisc add dev eth0 root tbf rate 20mbit burst 64kb latency 400ms
nat_block_udp "$router_restr_a"
check "restr-a reaches restr-b while punching is blocked" \
	wait_for 150 n "$ns_restr_a" ping -c 1 -W 1 10.77.0.13
check "... through the relay" test "$(peer_field restr-a restr-b path)" = relay
check "... which says why" \
	test "$(peer_field restr-a restr-b reason)" = "no reply from any candidate"
handshakes=$(peer_field restr-a restr-b handshakes)
blob_mb 40
transfer_start "$ns_restr_a" "$ns_restr_b" 10.77.0.13 "$tmp/blob"
sleep 2
check "the relay carries the running transfer" \
	test "$(relay_counter_total "$ns_rv")" -gt 1000000
nat_unblock_udp "$router_restr_a"
check "the session moves to the direct path" \
	wait_for 150 peer_is restr-a restr-b path direct
check "... while the transfer still runs" kill -0 "$transfer_sender"
transfer_finish
check "the transfer finishes intact (sha256)" transfer_passed
check "... with no new handshake" \
	test "$(peer_field restr-a restr-b handshakes)" = "$handshakes"
relay_counter_reset "$ns_rv"
n "$ns_restr_a" ping -q -c 50 -i 0.01 -s 1000 -W 2 10.77.0.13 >/dev/null || true
check "... and traffic no longer touches the relay" \
	test "$(relay_counter_total "$ns_rv")" -lt 50000

# --- 3. NAT rebinding mid-transfer ----------------------------------------
check "restr-a reaches none-a directly" \
	wait_for 100 n "$ns_restr_a" ping -c 1 -W 1 10.77.0.11
old_endpoint=$(peer_field none-a restr-a endpoint)
handshakes=$(peer_field none-a restr-a handshakes)
transfer_start "$ns_restr_a" "$ns_none_a" 10.77.0.11 "$tmp/blob"
sleep 2
# The router now maps to other ports and forgets every flow it had.
n "$router_restr_a" nft flush chain ip podnet_nat postrouting
n "$router_restr_a" nft add rule ip podnet_nat postrouting oifname wan \
	meta l4proto udp snat to 198.18.0.12:20000-20999
n "$router_restr_a" nft add rule ip podnet_nat postrouting oifname wan masquerade
nat_flush_conntrack "$router_restr_a"
transfer_finish
check "the transfer finishes across the rebinding, intact (sha256)" transfer_passed
new_endpoint=$(peer_field none-a restr-a endpoint)
check "none-a follows restr-a to its new mapping ($old_endpoint -> $new_endpoint)" \
	bash -c "[[ '$new_endpoint' == 198.18.0.12:20* ]]"
check "... without a new handshake" \
	test "$(peer_field none-a restr-a handshakes)" = "$handshakes"

# --- 4. a relayed peer restarts -------------------------------------------
# Both ways: the restarted node must be reachable and reach back.
sym_both_ways() {
	pings "$ns_sym_a" 10.77.0.15 && pings "$ns_sym_b" 10.77.0.14
}
check "sym-a <-> sym-b still relayed" wait_for 100 sym_both_ways
for name in sym-b sym-a; do
	ns_var=ns_${name//-/_}
	t0=$(now_ms)
	kill9_restart "${!ns_var}" "$name"
	recovery_check "relayed $name killed (-9) and restarted: both ways" "$t0" 5 \
		sym_both_ways
	check "... through the relay" test "$(peer_field sym-a sym-b path)" = relay
done

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
