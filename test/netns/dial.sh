#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Either side dials. zed's name sorts after alpha's, so alpha dials first
# when both can; zed must still reach an alpha that does not know where
# zed is, both starting at once must leave exactly one session, and a
# restarted zed must be back within seconds.
#
#  ┌────────────────────────┐         ┌────────────────────────┐
#  │ $ns1: alpha            │         │ $ns2: zed              │
#  │   pod0  10.77.0.1/24   │         │   pod0  10.77.0.2/24   │
#  │   veth1 192.168.245.1  ├─────────┤   veth2 192.168.245.2  │
#  │   podnetd :51820       │         │   podnetd :51820       │
#  └────────────────────────┘         └────────────────────────┘
#
#  (a) alpha has no [Peer] for zed        zed: Endpoint of alpha
#  (b) alpha: [Peer] zed, no Endpoint     zed: Endpoint of alpha
#  (c) both with Endpoints, started together; then alpha's dial lost, so
#      that zed dials too; then both dials answered and running at once
#  (d) (c)'s pair, zed killed (-9) and restarted: recovery time

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: either side dials"

ns_create ns1 alpha
ns_create ns2 zed
veth_link "$ns1" veth1 192.168.245.1/24 "$ns2" veth2 192.168.245.2/24
make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" zed 10.77.0.2

# Local helpers: only this script's.

# both_ways DESC: ping and a checked TCP transfer in each direction.
both_ways() {
	check "$1: zed pings alpha" n "$ns2" ping -c 2 -i 0.2 -W 2 10.77.0.1
	check "$1: alpha pings zed" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2
	blob_mb 2
	check "$1: TCP zed -> alpha, sha256 intact" transfer "$ns2" "$ns1" 10.77.0.1 "$tmp/blob"
	check "$1: TCP alpha -> zed, sha256 intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
}

# sessions_stable: on both sides, the same session index and handshake
# count over 3 s, and both established. Fails when a daemon does not answer.
snapshot() {
	local a b c d
	a=$(peer_field alpha zed session) && b=$(peer_field alpha zed handshakes) &&
		c=$(peer_field zed alpha session) && d=$(peer_field zed alpha handshakes) &&
		[[ -n $a && -n $b && -n $c && -n $d ]] && echo "$a/$b $c/$d"
}
sessions_stable() {
	local before after
	before=$(snapshot) || return 1
	sleep 3
	after=$(snapshot) || return 1
	echo "before: $before; after: $after"
	[[ $before == "$after" && $before != *null* ]] &&
		peer_established alpha zed && peer_established zed alpha
}
both_established() { peer_established alpha zed && peer_established zed alpha; }
handshakes_are() { # handshakes_are N: each side counts N handshakes
	[[ $(peer_field alpha zed handshakes) == "$1" &&
	   $(peer_field zed alpha handshakes) == "$1" ]]
}

# restart_pair: both daemons stopped; each case's logs are kept apart,
# so that a failure shows the logs of its own case.
case_no=0
restart_pair() {
	stop_daemon alpha || true
	stop_daemon zed || true
	case_no=$((case_no + 1))
	mv "$tmp/alpha.log" "$tmp/alpha-$case_no.log"
	mv "$tmp/zed.log" "$tmp/zed-$case_no.log"
}

zed_conf() { write_config "$tmp/zed.conf" zed "$tmp/ca" 10.77.0.2/24 51820 alpha 192.168.245.1:51820; }

# --- (a) alpha does not know zed at all ---------------------------------
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820
zed_conf
start_daemon "$ns1" alpha
start_daemon "$ns2" zed
check "(a) zed dials alpha, which has no [Peer] for it" \
	wait_for 100 peer_established zed alpha
check "(a) alpha learns zed" wait_for 30 peer_established alpha zed
check "(a) zed logs the dial at info" \
	grep -q "peer alpha: starting handshake to 192.168.245.1:51820" "$tmp/zed.log"
check "(a) zed is the DTLS client" test "$(peer_field zed alpha role)" = client
both_ways "(a)"

# --- (b) alpha names zed, without an Endpoint ---------------------------
restart_pair
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820
printf '\n[Peer]\nName = zed\n' >>"$tmp/alpha.conf"
start_daemon "$ns1" alpha
start_daemon "$ns2" zed
check "(b) zed dials alpha, whose [Peer] zed has no Endpoint" \
	wait_for 100 peer_established zed alpha
check "(b) alpha's configured peer zed is up" wait_for 30 peer_established alpha zed
both_ways "(b)"

# --- (c) both know each other and start at the same moment --------------
restart_pair
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 zed 192.168.245.2:51820
# Both at once: not through start_daemon, which waits for each in turn.
for node in alpha zed; do
	ns=$([[ $node == alpha ]] && echo "$ns1" || echo "$ns2")
	ip netns exec "$ns" "$podnetd" "$tmp/$node.conf" >>"$tmp/$node.log" 2>&1 &
	printf -v "pid_$node" %s "$!"
	daemon_pids+=("$!")
done
check "(c) both daemons up" \
	wait_for 50 test -S "$tmp/alpha.sock" -a -S "$tmp/zed.sock"
check "(c) session established on both sides" wait_for 100 both_established
check "(c) one session: indices and handshake counts stable for 3 s" sessions_stable
check "(c) one handshake on each side" handshakes_are 1
both_ways "(c)"

# Now make both dial: alpha's handshakes to zed's listener (receiver index
# 0) are lost, so zed's request goes unanswered and zed dials as well.
restart_pair
n "$ns2" nft -f - <<'EOF_NFT'
table inet dial {
	chain in {
		type filter hook input priority 0;
		udp dport 51820 @th,64,8 1 @th,96,32 0 ip saddr 192.168.245.1 counter name lost drop
	}
	counter lost { }
}
EOF_NFT
start_daemon "$ns1" alpha
start_daemon "$ns2" zed
check "(c) both dialled; alpha's unanswered dial yields to zed's" \
	wait_for 100 grep -q "both sides dialled; keeping session .* (theirs), abandoning our handshake" "$tmp/alpha.log"
check "(c) ... alpha's lost dial was what was lost" \
	test "$(n "$ns2" nft -j list counter inet dial lost | jq '.nftables[1].counter.packets')" -ge 1
n "$ns2" nft delete table inet dial
check "(c) session established on both sides after the tie-break" \
	wait_for 100 both_established
sleep 2	# alpha's abandoned handshake would retransmit within this
check "(c) after the tie-break: one session, stable for 3 s" sessions_stable
check "(c) ... one handshake on each side" handshakes_are 1
check "(c) ... zed is the client of the session left" \
	test "$(peer_field zed alpha role)" = client
both_ways "(c, unanswered dial)"

# Both dials answered and under way at once. zed knows alpha by a second
# address (.3), so alpha's dial, which comes from .1, does not look like
# alpha's to zed; and alpha's client flight (the datagram that starts with
# its Certificate, at UDP payload byte 25) is lost until zed has dialled
# too. The session alpha dialled (the smaller name's) must be the one
# left, on both sides.
restart_pair
n "$ns1" ip addr add 192.168.245.3/24 dev veth1
write_config "$tmp/zed.conf" zed "$tmp/ca" 10.77.0.2/24 51820 alpha 192.168.245.3:51820
n "$ns2" nft -f - <<'EOF_NFT'
table inet dial {
	chain in {
		type filter hook input priority 0;
		udp dport 51820 @th,64,8 1 @th,160,8 22 @th,264,8 11 ip saddr 192.168.245.1 counter name held drop
	}
	counter held { }
}
EOF_NFT
start_daemon "$ns1" alpha
start_daemon "$ns2" zed
check "(c) both dials answered: alpha keeps its own, drops zed's" \
	wait_for 100 grep -q "both sides dialled; keeping our handshake" "$tmp/alpha.log"
check "(c) ... while alpha's client flight was held back" \
	test "$(n "$ns2" nft -j list counter inet dial held | jq '.nftables[1].counter.packets')" -ge 1
n "$ns2" nft delete table inet dial
check "(c) ... and zed abandons its own for alpha's" \
	wait_for 200 grep -q "both sides dialled; keeping session .* (theirs), abandoning our handshake" "$tmp/zed.log"
check "(c) session established on both sides after the duel" \
	wait_for 100 both_established
sleep 2
check "(c) after the duel: one session, stable for 3 s" sessions_stable
check "(c) ... one handshake on each side" handshakes_are 1
check "(c) ... alpha is the client of the session left" \
	test "$(peer_field alpha zed role)" = client
both_ways "(c, duel)"
n "$ns1" ip addr del 192.168.245.3/24 dev veth1
zed_conf

# --- (d) zed killed and restarted: how fast does traffic flow again ------
restart_pair
start_daemon "$ns1" alpha
start_daemon "$ns2" zed
check "(d) session established" wait_for 100 peer_established alpha zed
check "(d) traffic flows before the restart" n "$ns1" ping -c 1 -W 2 10.77.0.2
# A steady state first: alpha answers a request at most once per 2 s
# after its last dial.
sleep 3
kill -KILL "$pid_zed"
wait_pid_gone "$pid_zed" 50
start=$(date +%s%N)
start_daemon "$ns2" zed
# Both directions must work: a ping answered proves the two ways. Short
# pings, so that the time measured is the tunnel's, not ping's timeout.
wait_for 100 n "$ns1" ping -c 1 -W 0.1 10.77.0.2 && back=0 || back=1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "(d) after kill -9 and a restart of zed, alpha reaches zed again (recovered in $ms ms)" \
	test "$back" -eq 0 -a "$ms" -lt 5000
check "(d) ... and zed reaches alpha" n "$ns2" ping -c 1 -W 2 10.77.0.1
blob_mb 2
check "(d) ... TCP zed -> alpha, sha256 intact" transfer "$ns2" "$ns1" 10.77.0.1 "$tmp/blob"
check "(d) ... TCP alpha -> zed, sha256 intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"

ktap_finish
