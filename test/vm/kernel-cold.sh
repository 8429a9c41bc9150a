#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The first packet of a cold ping on the kernel data path (issue 11):
# podnet.ko holds it while the daemon looks the peer up and handshakes,
# then sends it. Each round starts both nodes afresh (no peer entry, no
# session on either side) and sends `ping -c 5`; a round whose first
# echo goes unanswered is counted, and its counters and logs printed.
#  (a) through the rendezvous: restr-a has never heard of none-a's
#      address (the device queue, NOTIFY_NO_ROUTE, a lookup, then the
#      peer's queue until the handshake is done);
#  (b) a configured peer: restr-a names none-a with its endpoint and
#      pings as soon as it runs, while it dials none-a (its address
#      comes with the session: the device queue, then the peer's).
# PODNET_COLD_ROUNDS rounds of each; the losses are printed and must be
# 0. The suite runs 2 (a round takes 6-8 s under TCG); to measure, e.g.
#   PODNET_COLD_ROUNDS=10 scripts/vm-run.sh -- test/vm/kernel-cold.sh
# Before eb4ab40 each node's session with the rendezvous died every
# 11 s on the kernel path ("no packets for 11 s, session is dead") and
# was redialled: a first packet that came while it was down had nobody
# to ask and was refused at once (tx_no_route; 1 of 10 through a
# lookup). Since then 0 lost in 84 cold pings.
#
#   rv 198.18.0.1 (rendezvous)   none-a .11 (public)   [NAT .12] restr-a
#   Virtual addresses: none-a 10.77.0.11, restr-a 10.77.0.12.

source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/chaos.sh"
vm_require_podnet
ktap_header "podnet.ko: the first packet of a cold ping"

rounds=${PODNET_COLD_ROUNDS:-2}
kctl=${PODNET_BUILD:-$top/build}/test/kctl

vm_load_podnet_check
nat_podnet_bed
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node none-a none 1 "DataPath = kernel"
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node restr-a restricted 2 "DataPath = kernel"
names=(none-a restr-a)
declare -A site_num=([none-a]=1 [restr-a]=2)
check "both nodes registered and know their NAT" wait_for 300 all_registered
cp "$tmp/restr-a.conf" "$tmp/restr-a.lookup.conf"
cp "$tmp/restr-a.conf" "$tmp/restr-a.static.conf"
printf '\n[Peer]\nName = none-a\nEndpoint = %s:51820\n' "$(nat_public_ip 1)" \
	>>"$tmp/restr-a.static.conf"

kstats() { n "$(nsof "$1")" "$kctl" show pod0 --json 2>/dev/null | jq -rc "$2"; }

restart() { # restart NAME...: stop, then start afresh
	local s
	for s in "$@"; do stop_daemon "$s" || return 1; done
	for s in "$@"; do start_daemon "$(nsof "$s")" "$s" || return 1; done
}

# A lost first echo: what each side saw of it.
report_loss() { # report_loss ROUND-NAME FROM-LOG-LINE TO-LOG-LINE
	sed 's/^/#   /' "$tmp/$1.ping"
	echo "#   restr-a: $(kstats restr-a '[.stats, [.peer_list[] | {id, stats}]]')"
	echo "#   none-a: $(kstats none-a '[.stats, [.peer_list[] | {id, stats}]]')"
	echo "#   --- restr-a's log"
	tail -n "+$2" "$tmp/restr-a.log" | grep -v "rendezvous\|registration" |
		head -n 40 | sed 's/^/#   /'
	echo "#   --- none-a's log"
	tail -n "+$3" "$tmp/none-a.log" | grep -v "rendezvous\|registration" |
		head -n 40 | sed 's/^/#   /'
}

# round MODE I: both nodes afresh, then a cold ping restr-a -> none-a.
# Prints "lost" when the first echo went unanswered.
round() {
	local mode=$1 i=$2 name=$1-$2 la lb held got
	cp "$tmp/restr-a.$mode.conf" "$tmp/restr-a.conf"
	stop_daemon restr-a || return 1
	stop_daemon none-a || return 1
	# Nor any mapping left on restr-a's NAT from the round before.
	nat_flush_conntrack "$(routerof restr-a)"
	la=$(($(wc -l <"$tmp/restr-a.log") + 1))
	lb=$(($(wc -l <"$tmp/none-a.log") + 1))
	if [[ $mode == lookup ]]; then
		start_daemon "$(nsof none-a)" none-a &&
			start_daemon "$(nsof restr-a)" restr-a || return 1
		wait_for 300 all_registered || { echo "# $name: not registered"; return 1; }
		n "$(nsof restr-a)" ping -n -c 5 -i 0.2 -W 10 "$(vaddr none-a)" \
			>"$tmp/$name.ping" 2>&1 || true
	else
		# none-a is up and registered; restr-a starts with it in its
		# configuration and pings at once, while it dials.
		start_daemon "$(nsof none-a)" none-a || return 1
		wait_for 300 peer_established none-a rv ||
			{ echo "# $name: none-a not registered"; return 1; }
		start_daemon "$(nsof restr-a)" restr-a || return 1
		n "$(nsof restr-a)" ping -n -c 5 -i 0.2 -W 10 "$(vaddr none-a)" \
			>"$tmp/$name.ping" 2>&1 || true
	fi
	# Which queues held it: the device's, then the peer's.
	held=$(kstats restr-a '"device \(.stats.tx_queued), peer \([.peer_list[].stats.tx_queued] | add // 0)"')
	got=$(grep -o '[0-9]* received' "$tmp/$name.ping")
	if grep -q "icmp_seq=1 " "$tmp/$name.ping"; then
		echo "# $name: first echo answered ($got; held: $held)"
	else
		echo "# $name: FIRST ECHO LOST ($got; held: $held)"
		report_loss "$name" "$la" "$lb"
		echo lost >>"$tmp/$mode.lost"
	fi
}

start=$SECONDS
for mode in lookup static; do
	: >"$tmp/$mode.lost"
	for ((r = 1; r <= rounds; r++)); do
		round "$mode" "$r" || echo "# $mode-$r: could not run"
	done
	lost=$(wc -l <"$tmp/$mode.lost")
	echo "# $mode: first packet lost in $lost of $rounds cold pings"
done
echo "# $((SECONDS - start)) s for $((2 * rounds)) cold pings"
check "cold pings through a lookup: no first packet lost" test ! -s "$tmp/lookup.lost"
check "cold pings to a configured peer: no first packet lost" test ! -s "$tmp/static.lost"

keep=${KEEP_LOGS:-${PODNET_KEEP_LOGS:-}}
[[ -z $keep ]] || cp "$tmp"/*.log "$tmp"/*.ping "$keep"/
stop_all
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
