#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Queue, don't drop: packets sent before a session is up wait for it.
#  1. static peers: a cold `ping -c 5` sent before the peer even runs, and
#     again after its session died, from either side, loses nothing;
#  2. a flood toward a peer that cannot handshake: exactly the excess over
#     128 packets is dropped and counted, the RSS stays bounded, what is
#     left ages out, and a peer removed by a reload frees what it held;
#  3. through the rendezvous: a cold `ping -c 5` to an address whose owner
#     is looked up loses nothing, direct, punched or relayed; one to an
#     address nobody holds is answered "Destination Host Unreachable".
#
#  ┌──────────────────────┐         ┌──────────────────────┐
#  │ $ns1: alpha          │         │ $ns2: beta           │
#  │   pod0 10.77.0.1/24  │         │   pod0 10.77.0.2/24  │
#  │   veth1 192.168.244.1├─────────┤   veth2 192.168.244.2│
#  └──────────────────────┘         └──────────────────────┘
#
#         internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous + relay)
#     none-a .11   [NAT .12] restr-a   [NAT .13] sym-a   [NAT .14] sym-b
#     (public)     10.102.0.2          10.103.0.2        10.104.0.2

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: packets wait for the session instead of being dropped"

two_node_bed 244
# A dead session is noticed within 4 s.
sed -i '/^LogLevel/a KeepaliveInterval = 1' "$tmp/alpha.conf" "$tmp/beta.conf"

# cold_ping_start NS ADDRESS NAME: `ping -c 5 -i 0.2` with no session
# yet, in the background; its output in $tmp/NAME.ping. It waits 10 s for
# the first answer (a deadline, -w, would make it send more than 5).
cold_ping_start() {
	n "$1" ping -n -c 5 -i 0.2 -W 10 "$2" >"$tmp/$3.ping" 2>&1 &
	ping_pid=$!
}
# lost_none NAME: all five answered.
lost_none() {
	grep -q "5 packets transmitted, 5 received" "$tmp/$1.ping" ||
		{ sed 's/^/# /' "$tmp/$1.ping"; return 1; }
}
# peer_delta NODE PEER FIELD BEFORE N: FIELD went up by exactly N.
peer_delta() {
	local v
	v=$(peer_field "$1" "$2" "$3") || return 1
	[[ $((v - $4)) -eq $5 ]] ||
		{ echo "# $1 -> $2: $3 went from $4 to $v, not up by $5"; return 1; }
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# --- 1. static peers ----------------------------------------------------
start_daemon "$ns1" alpha
# beta is not even running: alpha's handshake cannot finish yet.
cold_ping_start "$ns1" 10.77.0.2 static
sleep 0.5
start_daemon "$ns2" beta
wait "$ping_pid" || true
check "cold ping to a static peer before its handshake: 5 of 5 answered" \
	lost_none static
check "... they waited for the session" \
	grep -q "peer beta: sending [0-9]* queued packets" "$tmp/alpha.log"
check "... nothing counted as no route" test "$(iface_field alpha tx_no_route)" = 0
check "... nor dropped for want of a session" peer_is alpha beta drop_no_session 0

# The session dies with beta; the route to beta's address stays.
stop_daemon beta
check "alpha notices that beta's session is dead" \
	wait_for 100 peer_not_established alpha beta
cold_ping_start "$ns1" 10.77.0.2 restart
sleep 0.5
start_daemon "$ns2" beta
wait "$ping_pid" || true
check "cold ping to a known peer whose session died: 5 of 5 answered" \
	lost_none restart
check "... nothing dropped for want of a session" peer_is alpha beta drop_no_session 0
check "... nor counted as no route" test "$(iface_field alpha tx_no_route)" = 0

# The same from the server's side: beta waits for alpha's first record on
# the new session before it sends what waited (the handshake's last
# flight could be lost).
stop_daemon alpha
check "beta notices that alpha's session is dead" \
	wait_for 100 peer_not_established beta alpha
cold_ping_start "$ns2" 10.77.0.1 server
sleep 0.5
start_daemon "$ns1" alpha
wait "$ping_pid" || true
check "cold ping from the server side: 5 of 5 answered" lost_none server
check "... they waited for the session" \
	grep -q "peer alpha: sending [0-9]* queued packets" "$tmp/beta.log"
check "... nothing dropped for want of a session" peer_is beta alpha drop_no_session 0

# An address no peer holds, and no rendezvous to ask: the sender hears
# so at once. (The ICMP comes from that address: one from alpha's own
# would be a martian to alpha's kernel, dropped before ping saw it.)
out=$(n "$ns1" ping -n -c 1 -W 5 10.77.0.99 2>&1 || true)
sed 's/^/#   /' <<<"$out" | head -2
check "ping to an address nobody holds, no rendezvous: Destination Host Unreachable" \
	grep -q "From 10.77.0.99 icmp_seq=1 Destination Host Unreachable" <<<"$out"

# --- 2. a flood toward a peer that cannot handshake ----------------------
stop_daemon beta
check "beta gone again, alpha's session with it is dead" \
	wait_for 100 peer_not_established alpha beta
full=$(peer_field alpha beta drop_queue_full)
nosession=$(peer_field alpha beta drop_no_session)
rss_before=$(rss_kb "$pid_alpha")
# 300 pings of 1028 bytes in 1.5 s: the queue keeps the newest 128.
n "$ns1" ping -n -q -c 300 -i 0.005 -s 1000 -W 1 10.77.0.2 >"$tmp/flood.ping" 2>&1 || true
check "the flood sent 300 packets" grep -q "^300 packets transmitted" "$tmp/flood.ping"
check "... 128 of them wait" peer_is alpha beta queued 128
check "... exactly the 172 others were dropped as queue full" \
	peer_delta alpha beta drop_queue_full "$full" 172
check "... and alpha still runs" daemons_alive alpha
rss_after=$(rss_kb "$pid_alpha")
echo "# alpha RSS before the flood ${rss_before} kB, after ${rss_after} kB"
check "... with its RSS up by less than 4 MB" test $((rss_after - rss_before)) -lt 4096
"$podnet" show --socket "$tmp/alpha.sock" >"$tmp/show.out"
check "podnet show says what waits and what was dropped" \
	grep -q "queued: 128 packets" "$tmp/show.out"
check "... with the queue-full count" grep -q "172 queue full" "$tmp/show.out"
check "waiting packets age out within 10 s" wait_for 120 peer_is alpha beta queued 0
check "... counted as dropped for want of a session" \
	peer_delta alpha beta drop_no_session "$nosession" 128

# A peer removed by a reload frees what waits for it (ASan would tell).
n "$ns1" ping -n -q -c 50 -i 0.005 -s 1000 -W 1 10.77.0.2 >/dev/null 2>&1 || true
check "50 packets wait for beta" peer_is alpha beta queued 50
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820
kill -HUP "$pid_alpha"
check "a reload without beta removes it" wait_for 50 peer_absent alpha beta
check "... and drops its 50 waiting packets" \
	grep -q "peer beta: 50 queued packets dropped" "$tmp/alpha.log"
check "... and alpha still runs" daemons_alive alpha
stop_daemon alpha

# --- 3. through the rendezvous ------------------------------------------
rm -rf "$tmp/ca"	# the NAT bed makes its own
NAT_KEEPALIVE=3 nat_podnet_bed
NAT_KEEPALIVE=3 nat_podnet_node none-a none 1
NAT_KEEPALIVE=3 nat_podnet_node restr-a restricted 2
NAT_KEEPALIVE=3 nat_podnet_node sym-a symmetric 3
NAT_KEEPALIVE=3 nat_podnet_node sym-b symmetric 4
all_registered() {
	local s
	for s in none-a restr-a sym-a sym-b; do
		peer_established "$s" rv && nat_type_known "$s" ||
			{ echo "# $s: not registered or NAT unknown"; return 1; }
	done
}
check "all nodes registered and know their NAT" wait_for 150 all_registered

# cold_via_rv FROM FROM_NS TO TO_ADDRESS: a cold ping found by lookup.
cold_via_rv() {
	local before
	before=$(iface_field "$1" tx_no_route)
	cold_ping_start "$2" "$4" "$1-$3"
	wait "$ping_pid" || true
	check "cold ping $1 -> $3 through a lookup: 5 of 5 answered" lost_none "$1-$3"
	check "... they waited for the session" \
		grep -q "peer $3: sending [0-9]* queued packets" "$tmp/$1.log"
	check "... nothing counted as no route" \
		test "$(iface_field "$1" tx_no_route)" = "$before"
	echo "# $1 -> $3: path $(peer_field "$1" "$3" path)"
}
cold_via_rv restr-a "$ns_restr_a" none-a 10.77.0.11
cold_via_rv sym-a "$ns_sym_a" sym-b 10.77.0.14
check "... relayed" test "$(peer_field sym-a sym-b path)" = relay
cold_via_rv restr-a "$ns_restr_a" sym-a 10.77.0.13

# The first flights of a handshake lost (a NAT or uplink that drops a
# burst): restr-a's router drops every datagram over 120 bytes towards
# sym-b for 2.5 s, punches (smaller) pass. Meanwhile the rendezvous
# introduces both again: sym-b's relayed session with sym-a goes quiet
# and sym-b registers anew, which looks up the peers it has no session
# with. The socket sym-b punched must stay open for restr-a's
# retransmitted handshake, and what waited must go where sym-b is heard.
n "$ns_sym_b" ping -n -q -c 3 -i 0.2 -W 5 10.77.0.13 >/dev/null 2>&1 || true
printf 'table ip hold {\n chain big {\n  type filter hook forward priority -10;\n  ip daddr %s udp length > 120 counter drop\n }\n}\n' \
	"$(nat_public_ip 4)" | n "$router_restr_a" nft -f -
cold_ping_start "$ns_restr_a" 10.77.0.14 held
sleep 2.5
held=$(n "$router_restr_a" nft list table ip hold | grep -o 'packets [0-9]*' | cut -d' ' -f2)
n "$router_restr_a" nft delete table ip hold
wait "$ping_pid" || true
check "cold ping restr-a -> sym-b, its first handshake flights lost: 5 of 5 answered" \
	lost_none held
check "... the router dropped them for 2.5 s ($held datagrams)" test "${held:-0}" -gt 0
echo "# restr-a -> sym-b: $(grep -o 'time=[0-9.]* ms' "$tmp/held.ping" | head -1 | sed 's/time=/first answer after /'), path $(peer_field restr-a sym-b path)"

# An address nobody holds: the rendezvous says so, the packet is dropped
# and its sender hears so, as when neighbour resolution fails: an ICMP
# host unreachable, so `ping` and `ssh` say "unreachable" instead of
# timing out. A young rendezvous (for its keepalive interval + 2 s after
# its start, 17 s here) says "not found" only then, as the holder may
# have yet to register again; by then the packet has aged out of the
# queue (8 s). So first let the rendezvous grow out of that.
rv_age=$(ps -o etimes= -p "$pid_rv")
(( rv_age >= 18 )) || sleep $((18 - rv_age))
before=$(iface_field none-a tx_no_route)
t0=$(now_ms)
out=$(n "$ns_none_a" ping -n -c 1 -W 10 10.77.0.99 2>&1 || true)
echo "# ping answered after $(( $(now_ms) - t0 )) ms:"
sed 's/^/#   /' <<<"$out" | head -2
check "an address the rendezvous does not know is dropped as no route" \
	wait_for 150 iface_above none-a tx_no_route "$before"
check "... and the ping that waited for the lookup hears Destination Host Unreachable" \
	grep -q "From 10.77.0.99 icmp_seq=1 Destination Host Unreachable" <<<"$out"

ktap_finish
