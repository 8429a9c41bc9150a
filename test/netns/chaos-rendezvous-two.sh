#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Chaos with two rendezvous nodes: every node registers with both; the
# one that relays a pair is killed (kill -9, not restarted) while a
# sha256-checked TCP stream runs through it, and a pair that never met
# looks each other up at that moment. Targets (issue 11): the relayed
# pair moves to the other relay and lookups to the other rendezvous
# within 5 s. Then the killed one comes back, the pair returns to it
# (both ends prefer the rendezvous whose name sorts first, so they settle
# on the same relay), and the same again.
#
#            ┌──────────── internet 198.18.0.0/24 ──────────────┐
#   rv 198.18.0.1, rv2 198.18.0.2 (rendezvous + relay, both)      │
#   [NAT .11] sym-a      [NAT .12] sym-b      [NAT .13] restr-a   [NAT .14] restr-b
#   10.101.0.2           10.102.0.2           10.103.0.2          10.104.0.2
#   sym-a <-> sym-b: relayed (both symmetric), the stream runs here
#   restr-a -> restr-b (round 1), restr-c .15 -> restr-a (round 2): first
#   contact right after the kill, through a lookup

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/chaos.sh"
ktap_header "podnet chaos: one of two rendezvous nodes killed"
transfer_timeout=${TRANSFER_TIMEOUT:-45}

nat_podnet_bed
nat_podnet_rendezvous rv2 198.18.0.2
nat_podnet_node sym-a symmetric 1
nat_podnet_node sym-b symmetric 2
nat_podnet_node restr-a restricted 3
nat_podnet_node restr-b restricted 4
nat_podnet_node restr-c restricted 5
registered_with_both() {
	local s
	for s in sym-a sym-b restr-a restr-b restr-c; do
		peer_established "$s" rv && peer_established "$s" rv2 &&
			nat_type_known "$s" || { echo "# $s: not registered with both"; return 1; }
	done
}
check "every node registers with both rendezvous nodes" wait_for 150 registered_with_both
check "sym-a reaches sym-b" wait_for 100 n "$ns_sym_a" ping -c 1 -W 1 10.77.0.12
check "... through a relay" test "$(peer_field sym-a sym-b path)" = relay

# The rendezvous whose relay the pair uses now, both ways ("split" while
# the two ends use different ones).
relay_of_pair() {
	local a b
	a=$(peer_field sym-a sym-b endpoint) || return 1
	b=$(peer_field sym-b sym-a endpoint) || return 1
	if [[ ${a%:*} != "${b%:*}" ]]; then echo split; return; fi
	case $a in
	198.18.0.1:*) echo rv ;;
	198.18.0.2:*) echo rv2 ;;
	*) echo none ;;
	esac
}
relay_settled() { [[ $(relay_of_pair) == rv* ]]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

for round in 1 2; do
	# Losing one changes nothing only when the other one knows every
	# node (after round 1, one has just been restarted).
	knows_all() {
		[[ $("$podnet" show --json --socket "$tmp/$1.sock" |
			jq '[.peers[] | select(.state == "established")] | length') -eq 5 ]]
	}
	check "round $round: rv and rv2 know all five nodes" \
		wait_for 300 bash -c "$(declare -f knows_all); podnet='$podnet' tmp='$tmp'; knows_all rv && knows_all rv2"
	stream_start "$ns_sym_a" "$ns_sym_b" 10.77.0.12 12
	sleep 3
	# Kill the relay the stream runs through, both ways.
	check "round $round: both ends use the same relay" wait_for 50 relay_settled
	victim=$(relay_of_pair)
	[[ $victim == rv ]] && other=rv2 || other=rv
	var=pid_$victim
	kill -KILL "${!var}"
	killed=$(now_ms)
	# A pair that never met finds each other through the survivor.
	if [[ $round == 1 ]]; then from=$ns_restr_a to=10.77.0.14; else from=$ns_restr_c to=10.77.0.13; fi
	if n "$from" ping -q -c 1 -i 0.05 -w 15 "$to" >/dev/null 2>&1; then
		took=$(( $(now_ms) - killed ))
	else
		took=timeout
	fi
	stream_finish
	if stream_passed; then
		check "round $round: relayed pair moved from $victim to the relay of $other in $stream_gap_ms ms (target 5000)" \
			test "$stream_gap_ms" -le 5000
	else
		not_ok "round $round: relayed stream intact across the loss of $victim (longest stall $stream_gap_ms ms)"
	fi
	runs_through() { [[ $(relay_of_pair) == "$1" ]]; }
	check "round $round: ... and runs through $other now" wait_for 30 runs_through "$other"
	check "round $round: a first lookup answered by $other, reply $took ms after the kill (target 5000)" \
		test "$took" != timeout -a "${took/timeout/99999}" -le 5000
	# The victim comes back for the next round.
	rm -f "$tmp/$victim.sock"
	start_daemon "$([[ $victim == rv ]] && echo "$ns_rv" || echo "$ns_rv2")" "$victim"
done
check "restr-a and restr-b met directly" peer_is restr-a restr-b path direct
check "restr-c and restr-a met directly" peer_is restr-c restr-a path direct

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
