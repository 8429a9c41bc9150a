#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnet stays up when something changes, on the kernel data path (issue
# 11): podnetd with podnet.ko on every node, NATs and a rendezvous in
# namespaces, as test/netns/queue.sh and chaos-rebind.sh do on TUN.
#  (a) a cold `ping -c 5` to a peer found through the rendezvous loses
#      nothing: podnet.ko holds the packets while the daemon looks the
#      address up and handshakes (its device and peer queues);
#  (b) NAT rebinding (conntrack flush on the symmetric, then on the
#      port-restricted router, each paired with the public node) under
#      pings and a sha256-checked TCP stream: back within 5 s, the time
#      printed;
#  (c) direct -> relay (UDP between the sites blocked) and relay ->
#      direct (unblocked) under pings and a stream: recovered, the times
#      printed (direct -> relay within 5 s);
#  (d) a symmetric and a port-restricted node meet directly: podnet.ko
#      sends from sym-a's punch socket, and a stream arrives intact.
# The stream, the gap measurement and the node helpers are
# test/lib/chaos.sh's, shared with test/netns/chaos-rebind.sh.
#
#            ┌──────────── internet 198.18.0.0/24 ────────────┐
#   rv 198.18.0.1 (rendezvous + relay)                        │
#   none-a .11 (public)  [NAT .12] restr-a   [NAT .13] sym-a
#                        port-restricted     symmetric
#   Virtual addresses: node of site N is 10.77.0.(10+N); rv is 10.77.0.1.

source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/chaos.sh"
vm_require_podnet
ktap_header "podnet.ko: cold start, NAT rebinding, relay <-> direct"

target_ms=5000
# A 1.5 MB stream (4 s at 3 Mbit/s, paced by a qdisc: under TCG a writer
# loop would be too slow) and pings every 0.2 s through each change; the
# longest time without a ping answer is the recovery time.
stream_rate=3mbit
stream_seconds=4
# Relay -> direct: measured at 0.2-3 s (TUN's chaos-rebind.sh holds it
# to 5 s); it waits for a punch retry, which TCG slows. Bounded, and
# printed.
switch_ms=15000
kctl=${PODNET_BUILD:-$top/build}/test/kctl

vm_load_podnet_check
nat_podnet_bed
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node none-a none 1 "DataPath = kernel"
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node restr-a restricted 2 "DataPath = kernel"
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node sym-a symmetric 3 "DataPath = kernel"
names=(none-a restr-a sym-a)
declare -A site_num=([none-a]=1 [restr-a]=2 [sym-a]=3)
check "all nodes registered and know their NAT" wait_for 300 all_registered
check "... on the kernel data path" \
	test "$(iface_field restr-a datapath)" = kernel

# kstats NODE JQ: a figure of the module's own stats for NODE's device.
kstats() { n "$(nsof "$1")" "$kctl" show pod0 --json | jq -r "$2"; }

# --- (a) cold start through the rendezvous ----------------------------------
# cold_via_rv FROM TO: `ping -c 5` to an address FROM has never heard of;
# it waits 10 s for the first answer (-W; a deadline would send more).
cold_via_rv() {
	local from=$1 to=$2 out="$tmp/$1-$2.ping" held dropped
	n "$(nsof "$from")" ping -n -c 5 -i 0.2 -W 10 "$(vaddr "$to")" >"$out" 2>&1 || true
	# The first packet was lost in two runs of three on the merged tree
	# (issue 11): held and flushed, but not delivered. On that tree
	# the sessions with the rendezvous also died every 11 s, and
	# test/vm/kernel-cold.sh lost a first packet there too.
	# None lost since eb4ab40: 0 of 84 there, 0 of 8 here. On a
	# failure both modules' counters are printed.
	check "cold ping $from -> $to through a lookup: 5 of 5 answered" \
		grep -q "5 packets transmitted, 5 received" "$out"
	if ! grep -q "5 received" "$out"; then
		sed 's/^/# /' "$out"
		# What each side's module saw of it.
		echo "# $from's module: $(kstats "$from" '[.stats, .peer_list[].stats] | tostring')"
		echo "# $to's module: $(kstats "$to" '[.stats, .peer_list[].stats] | tostring')"
	fi
	held=$(kstats "$from" '.stats.tx_queued + ([.peer_list[].stats.tx_queued] | add // 0)')
	check "... podnet.ko held $held packets for it" test "${held:-0}" -gt 0
	# (The device's own IPv6 link-scope traffic, router solicitations
	# and MLD reports, is not counted here: podnet.ko drops it as
	# tx_dropped, not tx_no_route.)
	dropped=$(kstats "$from" \
		'.stats.tx_no_route + ([.peer_list[].stats | .drop_no_key + .drop_queue_full] | add // 0)')
	check "... and dropped none of them" test "$dropped" = 0
	[[ $dropped == 0 ]] ||
		echo "# $from's module: $(kstats "$from" '[.stats, .peer_list[].stats] | tostring')"
	echo "# $from -> $to: path $(peer_field "$from" "$to" path)"
}
cold_via_rv restr-a none-a
cold_via_rv none-a sym-a

# --- (b) NAT rebinding ------------------------------------------------------
# The flushed side receives the stream: it then sends only what it is
# answered, the harder case.
check "sym-a <-> none-a: direct" pair_up sym-a none-a direct
chaos_ping=10 chaos_step "symmetric side rebinds (peer public)" \
	none-a sym-a nat_flush_conntrack "$(routerof sym-a)"
check "restr-a <-> none-a: direct" pair_up restr-a none-a direct
chaos_ping=10 chaos_step "port-restricted side rebinds (peer public)" \
	none-a restr-a nat_flush_conntrack "$(routerof restr-a)"

# --- (c) direct -> relay -> direct ------------------------------------------
check "none-a <-> restr-a: direct" pair_up none-a restr-a direct
# Each side notices its own direct path go silent (podnet.ko reports
# its last direct record apart from relayed ones) and moves to the relay.
chaos_ping=18 chaos_step "direct -> relay (UDP between the sites blocked)" \
	none-a restr-a nat_block_udp "$(routerof restr-a)"
check "... the pair is relayed" pair_up none-a restr-a relay
chaos_ping=10 chaos_limit_ms=$switch_ms chaos_step "relay -> direct (UDP unblocked)" \
	none-a restr-a nat_unblock_udp "$(routerof restr-a)"
check "... the pair is direct again" pair_up none-a restr-a direct

# --- a symmetric and a port-restricted node ---------------------------------
# Behind the symmetric NAT the path runs on a punch socket of sym-a's
# (its mapping is the one restr-a's NAT lets in): podnet.ko sends from
# that socket, not from the main one.
check "sym-a <-> restr-a: direct, from sym-a's punch socket" \
	pair_up sym-a restr-a direct
stream_once() {
	stream_start "$(nsof sym-a)" "$(nsof restr-a)" "$(vaddr restr-a)" \
		"$stream_seconds" 9101 || return 1
	stream_finish
	stream_passed
}
check "... and it carries a stream (sha256 intact)" stream_once

keep=${KEEP_LOGS:-${PODNET_KEEP_LOGS:-}}
[[ -z $keep ]] || cp "$tmp"/*.log "$keep"/
stop_all
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
