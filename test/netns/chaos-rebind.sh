#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Chaos: NAT rebinding and path switches under load. Every step runs a
# paced sha256-checked TCP stream through the tunnel while something
# changes, and prints the longest stall of that stream as its recovery
# time; the target is 5 s (issue 11), the stream must arrive intact.
#
#  - conntrack flush on every NAT kind, each side of a pair, the flushed
#    side receiving the stream (it then sends only what it is answered,
#    the harder case):
#      sym-a  <-> restr-a   flush the symmetric side, then the restricted
#      full-a <-> sym-b     flush the full-cone side, then the symmetric
#      sym-a  <-> none-a    flush the symmetric side (public peer), then
#                           the public node's own conntrack
#      sym-a  <-> sym-b     relayed; flush one side
#  - rekey during a rebinding: rk-restr rekeys with rk-sym every ~3 s;
#    rk-sym's router is flushed just before a rekey is due;
#  - direct -> relay (UDP between the sites blocked) and relay -> direct
#    (unblocked) under load: full-a <-> restr-a.
#
#            ┌───────────────────── internet 198.18.0.0/24 ──────────────────────┐
#   rv 198.18.0.1 (rendezvous + relay, byte counters)                            │
#   none-a .11  [NAT .12] full-a  [NAT .13] restr-a  [NAT .14] sym-a  [NAT .15] sym-b
#               full cone         port-restricted    symmetric        symmetric
#               [NAT .16] rk-restr (RekeyAfter 2)    [NAT .17] rk-sym (RekeyAfter 2)
#   Virtual addresses: node of site N is 10.77.0.(10+N); rv is 10.77.0.1.

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/chaos.sh"
ktap_header "podnet chaos: NAT rebinding, rekey while rebinding, relay <-> direct"

: "${transfer_timeout:=60}"
target_ms=5000
stream_seconds=8

nat_podnet_bed
NAT_PUNCH_RETRY=2 nat_podnet_node none-a none 1
NAT_PUNCH_RETRY=2 nat_podnet_node full-a fullcone 2
NAT_PUNCH_RETRY=2 nat_podnet_node restr-a restricted 3
NAT_PUNCH_RETRY=2 nat_podnet_node sym-a symmetric 4
NAT_PUNCH_RETRY=2 nat_podnet_node sym-b symmetric 5
NAT_PUNCH_RETRY=2 nat_podnet_node rk-restr restricted 6 "RekeyAfter = 2"
NAT_PUNCH_RETRY=2 nat_podnet_node rk-sym symmetric 7 "RekeyAfter = 2"
names=(none-a full-a restr-a sym-a sym-b rk-restr rk-sym)
declare -A site_num=([none-a]=1 [full-a]=2 [restr-a]=3 [sym-a]=4 [sym-b]=5
	[rk-restr]=6 [rk-sym]=7)
for s in "${names[@]}"; do
	wait_for 100 peer_established "$s" rv || true
	wait_for 50 nat_type_known "$s" || true
done
check "all nodes registered and know their NAT" all_registered

declare -A kind_of=([none-a]=public [full-a]="full-cone" [restr-a]="port-restricted"
	[sym-a]=symmetric [sym-b]=symmetric [rk-restr]="port-restricted" [rk-sym]=symmetric)

# rebind NODE: NODE's NAT forgets every mapping; a public node forgets
# its own flows (it has no NAT).
rebind() {
	local router
	router=$(routerof "$1")
	if [[ -n $router ]]; then
		nat_flush_conntrack "$router"
	else
		n "$(nsof "$1")" conntrack -F 2>/dev/null || true
	fi
}

# rebind_each_side A B: the pair is direct; A's side rebinds under a
# stream B -> A, then B's side under a stream A -> B.
rebind_each_side() {
	check "$1 <-> $2: direct" pair_up "$1" "$2" direct
	chaos_step "${kind_of[$1]} side rebinds (peer ${kind_of[$2]})" "$2" "$1" \
		rebind "$1"
	check "... and the pair is direct again" pair_up "$1" "$2" direct
	chaos_step "${kind_of[$2]} side rebinds (peer ${kind_of[$1]})" "$1" "$2" \
		rebind "$2"
}

# --- conntrack flush: each NAT kind, each side -----------------------------
rebind_each_side sym-a restr-a
rebind_each_side full-a sym-b
rebind_each_side sym-a none-a

check "sym-a <-> sym-b: relayed" pair_up sym-a sym-b relay
chaos_step "symmetric side of a relayed pair rebinds" sym-b sym-a \
	rebind sym-a

# --- rekey while rebinding -------------------------------------------------
check "rk-restr <-> rk-sym: direct" pair_up rk-restr rk-sym direct
# The client rekeys every ~3 s (RekeyAfter 2, checked each second): the
# NAT forgets 2.5 s after one rekey, so the next one starts while the path
# is dead.
rekeys_logged() { grep -c "rk-sym: rekeying" "$tmp/rk-restr.log" || true; }
rekeyed_since() { [[ $(rekeys_logged) -gt $1 ]]; }
rebind_before_rekey() {
	wait_for 50 rekeyed_since "$(rekeys_logged)" || true
	sleep 2.5
	rebind rk-sym
}
handshakes=$(peer_field rk-restr rk-sym handshakes)
stream_seconds=12
chaos_step "rekey during a rebinding of the symmetric side" rk-restr rk-sym \
	rebind_before_rekey
stream_seconds=8
check "... rekeys went on ($(peer_field rk-restr rk-sym handshakes) handshakes, $handshakes before)" \
	test "$(peer_field rk-restr rk-sym handshakes)" -gt "$handshakes"

# --- direct -> relay -> direct under load ----------------------------------
check "full-a <-> restr-a: direct" pair_up full-a restr-a direct
chaos_step "direct -> relay (UDP between the sites blocked)" full-a restr-a \
	nat_block_udp "$(routerof restr-a)"
check "... the pair is relayed" pair_up full-a restr-a relay
chaos_step "relay -> direct (UDP unblocked)" full-a restr-a \
	nat_unblock_udp "$(routerof restr-a)"
check "... the pair is direct again" pair_up full-a restr-a direct

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
