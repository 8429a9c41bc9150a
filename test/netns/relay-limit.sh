#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The relay limit on both ends: a rendezvous shows its RelayLimit, tells
# each node at registration (RV_RELAY_LIMIT, doc/wire.md), and a node
# shows it on its rendezvous and on every peer it reaches through that
# relay, in `podnet show` and --json. The middle namespace does not
# route, so alpha and beta can only meet through the relay; a reload of
# the rendezvous with another limit reaches the nodes at their next
# registration.
#
#  ┌─ $ns1: alpha ─────────┐   ┌─ $ns3: rv ──────────────────┐   ┌─ $ns2: beta ──────────┐
#  │ veth1 192.168.237.2   ├───┤ 192.168.237.1 192.168.238.1 ├───┤ veth2 192.168.238.2   │
#  │ pod0  10.77.0.1       │   │ pod0 10.77.0.3, RelayLimit  │   │ pod0  10.77.0.2       │
#  └───────────────────────┘   └─────────────────────────────┘   └───────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: the relay limit, shown by the rendezvous and the nodes it relays"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 rv
veth_link "$ns1" veth1 192.168.237.2/24 "$ns3" rva 192.168.237.1/24
veth_link "$ns2" veth2 192.168.238.2/24 "$ns3" rvb 192.168.238.1/24
n "$ns3" sysctl -qw net.ipv4.ip_forward=0

make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" rv 10.77.0.3
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" beta 10.77.0.2
write_config "$tmp/rv.conf" rv "$tmp/ca" 10.77.0.3/24 51820
sed -i "/^LogLevel/a Rendezvous = yes\nRelayLimit = 250" "$tmp/rv.conf"
for side in alpha:1:192.168.237.1:beta beta:2:192.168.238.1:alpha; do
	IFS=: read -r name num rv_ip peer <<<"$side"
	write_config "$tmp/$name.conf" "$name" "$tmp/ca" "10.77.0.$num/24" 51820 \
		rv "$rv_ip:51820"
	sed -i "/^Endpoint = $rv_ip:51820/a Rendezvous = yes" "$tmp/$name.conf"
	sed -i "/^LogLevel/a PunchTimeout = 1" "$tmp/$name.conf"
	printf '\n[Peer]\nName = %s\n' "$peer" >>"$tmp/$name.conf"
done

start_daemon "$ns3" rv
start_daemon "$ns1" alpha
start_daemon "$ns2" beta
show_text() { n "$1" "$podnet" show --socket "$tmp/$2.sock" 2>&1; }
# field_is NODE PEER FIELD VALUE: for wait_for, which runs it again.
field_is() { [[ $(peer_field "$1" "$2" "$3") == "$4" ]]; }

check "rendezvous --json: relay_limit_mbps 250" \
	test "$(iface_field rv relay_limit_mbps)" = 250
check "rendezvous text: up to 250 Mbit/s per node" \
	grep -q "role.*rendezvous and relay, up to 250 Mbit/s per node" <<<"$(show_text "$ns3" rv)"

wait_for 100 field_is beta rv relay_limit_mbps 250
check "beta --json: its rendezvous relays it at 250" \
	test "$(peer_field beta rv relay_limit_mbps)" = 250
check "beta logs the limit" grep -q "rendezvous rv relays this node at up to 250 Mbit/s" "$tmp/beta.log"

# The first packet asks for the introduction; punching fails (no route),
# the relay carries the session.
n "$ns2" ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 || true
wait_for 150 peer_established beta alpha
check "alpha and beta meet through the relay" \
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.77.0.1
check "beta's path to alpha is the relay" test "$(peer_field beta alpha path)" = relay
check "beta --json: alpha's relayed path is held to 250" \
	test "$(peer_field beta alpha relay_limit_mbps)" = 250
check "alpha --json: beta's relayed path is held to 250" \
	test "$(peer_field alpha beta relay_limit_mbps)" = 250
out=$(show_text "$ns2" beta)
check "beta text: relay limit on the rendezvous" \
	grep -q "relay limit: 250 Mbit/s for this node" <<<"$out"
check "beta text: the limit on the relayed path" \
	grep -q "path: relay.*, at most 250 Mbit/s from this node" <<<"$out"
check "no control message refused as invalid" \
	test "$(peer_field beta rv drop_invalid)" = 0

# A new limit (reload) reaches a node when it registers again: restart
# beta, which registers at once.
sed -i 's/^RelayLimit = 250/RelayLimit = 0/' "$tmp/rv.conf"
stop_daemon rv
start_daemon "$ns3" rv
check "rendezvous text: RelayLimit = 0 is no relay" \
	grep -q "role.*rendezvous, no relay (RelayLimit = 0)" <<<"$(show_text "$ns3" rv)"
stop_daemon beta
start_daemon "$ns2" beta
check "beta learns the new limit (0: no relay)" \
	wait_for 150 field_is beta rv relay_limit_mbps 0
check "beta text: this rendezvous relays nothing" \
	grep -q "relay limit: none, this rendezvous relays nothing" <<<"$(show_text "$ns2" beta)"

ktap_finish
