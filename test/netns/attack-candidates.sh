#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Issue 12, F7: members of the network (valid certificates, attack-member)
# register hostile LAN candidates with the rendezvous and keep asking for
# the victim, so that the rendezvous introduces them and the victim punches
# towards the candidates: an address outside any LAN of the victim's
# (the reflection target), loopback, multicast, unspecified, broadcast, and
# one private address. The rendezvous must drop what cannot be a host, the
# victim must not probe the target at all and the private address only a
# few times; the peers the introductions make the victim learn stay under
# LearnedPeerMax and are forgotten after LearnedPeerIdle, and so is a real
# peer it learnt (with a session, a route) once that peer is gone.
#
#        internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous + relay)
#           │            │            │
#     mallory 198.18.0.5 │      target 198.18.0.6 + 198.19.5.6 (reflection
#     (attack-member:    │      target: nothing of the victim's may arrive)
#      mallory-1..6)     │
#                 victim 198.18.0.11 (10.77.0.11, LearnedPeerMax 3,
#                        │             LearnedPeerIdle 6 s)
#                 friend 198.18.0.12 (10.77.0.12)

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: hostile LAN candidates, learned peers bounded and forgotten"

member=$build/test/attack-member
[[ -x $member ]] || { echo "# $member missing: make attack-tools"; exit 1; }
# Not in any subnet of the victim's: 198.18.0.6 is in its /24, which the
# victim may probe (a LAN it shares), so the target holds another address.
target=198.19.5.6
private=10.66.0.9

nat_podnet_bed
public_host_create ns_m mallory 198.18.0.5
public_host_create ns_t target 198.18.0.6
n "$ns_t" ip addr add "$target/32" dev eth0
NAT_KEEPALIVE=2 nat_podnet_node victim none 1 \
	'LearnedPeerMax = 3\nLearnedPeerIdle = 6'
n "$ns_victim" ip route add "$target/32" via 198.18.0.6

# What the victim sends to the target and to the private candidate;
# what arrives at the target from it.
n "$ns_victim" nft -f - <<-EOF
table inet atk {
	counter to_target {}
	counter to_private {}
	chain out {
		type filter hook output priority filter; policy accept;
		ip daddr $target counter name to_target
		ip daddr $private counter name to_private
	}
}
EOF
n "$ns_t" nft -f - <<-EOF
table inet atk {
	counter reflected {}
	chain in {
		type filter hook input priority filter; policy accept;
		ip saddr 198.18.0.11 ip daddr $target counter name reflected
	}
}
EOF
nft_packets() { # NS COUNTER
	n "$1" nft -j list counter inet atk "$2" |
		jq '[.nftables[] | .counter? // empty | .packets] | add // 0'
}

# learned_peers_at_most NODE N: NODE shows at most N mallory-* peers.
max_seen=0
learned_peers_at_most() {
	local count
	count=$(show_json "$1" | jq '[.peers[] | select(.name | startswith("mallory-"))] | length') || return 1
	((count > max_seen)) && max_seen=$count
	((count <= $2))
}

check "victim registers" wait_for 100 peer_established victim rv
wait_for 50 nat_type_known victim || true

# Six members, each registering the same hostile candidates, each asking
# for the victim every 0.3 s for 8 s.
n "$ns_m" "$member" -t 8 -i 300 "$tmp/ca" mallory 6 198.18.0.1:51820 victim \
	"$target:9" 127.0.0.1:51820 224.0.0.1:51820 0.0.0.0:51820 \
	255.255.255.255:51820 '[::1]:51820' "$private:51820" \
	>"$tmp/member.out" 2>&1 &
pid_member=$!
daemon_pids+=("$pid_member")
cap_held=true
for ((i = 0; i < 90; i++)); do
	kill -0 "$pid_member" 2>/dev/null || break
	learned_peers_at_most victim 3 || cap_held=false
	sleep 0.1
done
wait "$pid_member" && member_ok=true || member_ok=false
echo "# $(grep -c '^CANDIDATES' "$tmp/member.out" || true) introductions seen by the members; $(tail -n 1 "$tmp/member.out")"
check "every hostile member registered" $member_ok
check "the members were introduced to each other" \
	grep -q '^CANDIDATES mallory-1 ' "$tmp/member.out"
bad=$(grep '^CANDIDATES' "$tmp/member.out" |
	grep -E ' (127\.0\.0\.1|224\.0\.0\.1|0\.0\.0\.0|255\.255\.255\.255|\[::1\]):' | head -n 1 || true)
check "the rendezvous passes on no loopback, multicast, unspecified or broadcast candidate" \
	test -z "$bad"
refused=$(iface_field rv rv_candidates_refused)
check "... and counts them ($refused)" test "$refused" -ge 5
check "daemons alive" daemons_alive rv victim
to_target=$(nft_packets "$ns_victim" to_target)
reflected=$(nft_packets "$ns_t" reflected)
check "the victim sent nothing to the reflection target ($to_target sent, $reflected arrived)" \
	test "$to_target" -eq 0 -a "$reflected" -eq 0
to_private=$(nft_packets "$ns_victim" to_private)
# Per address at most 3 punches at once, then one every 4 s: in 8 s 5
# punches of at most 15 probes (5 a second for PunchTimeout 3 s).
check "the private candidate was probed in few punches ($to_private probes)" \
	test "$to_private" -le 75
check "the victim counts the candidates it refused" \
	iface_above victim candidates_refused 0
check "at most LearnedPeerMax learned peers at any time (most: $max_seen)" $cap_held
check "... the longest idle made room" iface_above victim learned_peers_evicted 0

# Quiet now: the learnt peers go after LearnedPeerIdle (6 s).
check "the learnt peers are forgotten once idle" \
	wait_for 150 learned_peers_at_most victim 0
check "... and counted" iface_above victim learned_peers_expired 0

# A real peer learnt through the rendezvous, with a session and a route,
# is forgotten too once it is gone and idle.
NAT_KEEPALIVE=2 nat_podnet_node friend none 2
check "friend registers" wait_for 100 peer_established friend rv
check "friend reaches the victim through a lookup" \
	wait_for 100 n "$ns_friend" ping -c 1 -W 1 10.77.0.11
check "the victim learnt friend, with its address" \
	test "$(peer_field victim friend address)" = 10.77.0.12
stop_daemon friend
# Session dead after 3 missed keepalives (7 s), then idle 6 s.
check "the victim forgets friend" wait_for 300 peer_absent victim friend
check "... its address has no route any more" \
	test "$(show_json victim | jq '[.peers[] | select(.address == "10.77.0.12")] | length')" -eq 0
check "... nothing reaches 10.77.0.12" \
	bash -c "! ip netns exec $ns_victim ping -c 1 -W 2 10.77.0.12"
check "daemons alive at the end" daemons_alive rv victim

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$tmp/member.out" "$KEEP_LOGS"/
ktap_finish
