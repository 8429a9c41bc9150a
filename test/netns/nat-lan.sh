#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Two nodes in one site behind the same port-restricted NAT (which does not
# hairpin): only their LAN candidates can connect them, so the path found
# must be a LAN address, and nothing crosses the NAT or the relay.
#
#        internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous + relay)
#                  │
#        [router 198.18.0.11, masquerade, no hairpin]
#           lan 10.101.0.1 │          │ lan2 10.101.1.1
#     office-a 10.101.0.2  │          │ office-b 10.101.1.2
#     (podnet 10.77.0.11)             (podnet 10.77.0.12)

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: LAN candidates first"

nat_podnet_bed
nat_podnet_node office-a restricted 1
router=$router_office_a
ns_create ns_b office-b
ip link add lan2 netns "$router" type veth peer name eth0 netns "$ns_b"
n "$router" ip addr add 10.101.1.1/24 dev lan2
n "$router" ip link set lan2 up
n "$ns_b" ip addr add 10.101.1.2/24 dev eth0
n "$ns_b" ip link set eth0 up
n "$ns_b" ip route add default via 10.101.1.1
# Inside the site the router routes between its LANs without NAT.
n "$router" nft insert rule ip podnet_nat forward iifname '{ "lan", "lan2" }' \
	oifname '{ "lan", "lan2" }' accept
n "$router" nft insert rule ip podnet_nat forward iifname lan2 oifname wan accept
make_node_cert "$tmp/ca" office-b 10.77.0.12
nat_rv_config office-b "$tmp/ca" 10.77.0.12/24
start_daemon "$ns_b" office-b

check "both register" wait_for 100 peer_established office-b rv
check "... office-a too" wait_for 100 peer_established office-a rv
wait_for 50 nat_type_known office-a || true
wait_for 50 nat_type_known office-b || true
relay_counter_reset "$ns_rv"
check "office-a reaches office-b" wait_for 100 n "$ns_office_a" ping -c 1 -W 1 10.77.0.12
endpoint=$(peer_field office-a office-b endpoint)
check "the path is the LAN candidate ($endpoint)" \
	test "$endpoint" = 10.101.1.2:51820
check "... and direct" test "$(peer_field office-a office-b path)" = direct
before=$(relay_counter_total "$ns_rv")
n "$ns_office_a" ping -q -c 50 -i 0.01 -s 1000 -W 2 10.77.0.12 >/dev/null || true
check "no tunnel traffic at the relay" \
	test "$(( $(relay_counter_total "$ns_rv") - before ))" -lt 20000
check "ssh between the offices" start_sshd "$ns_b" 10.77.0.12
out=$(ssh_run "$ns_office_a" 10.77.0.12 'echo lan-ok' 2>&1 || true)
check "... runs a command" grep -q lan-ok <<<"$out"

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
