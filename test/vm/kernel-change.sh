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
#      printed.
#
#            ┌──────────── internet 198.18.0.0/24 ────────────┐
#   rv 198.18.0.1 (rendezvous + relay)                        │
#   none-a .11 (public)  [NAT .12] restr-a   [NAT .13] sym-a
#                        port-restricted     symmetric
#   Virtual addresses: node of site N is 10.77.0.(10+N); rv is 10.77.0.1.

source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/../lib/nat.sh"
vm_require_podnet
ktap_header "podnet.ko: cold start, NAT rebinding, relay <-> direct"

target_ms=5000
# Relay <-> direct: measured here at about 10.5 s for direct -> relay and
# 1-3 s back (TUN's chaos-rebind.sh holds both to 5 s); the kernel path
# notices a dead path about 1 s later (the daemon polls the module's
# counters) and TCG slows the rest. Bounded, and printed.
switch_ms=15000
kctl=${PODNET_BUILD:-$top/build}/test/kctl

vm_load_podnet_check
nat_podnet_bed
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node none-a none 1 "DataPath = kernel"
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node restr-a restricted 2 "DataPath = kernel"
NAT_KEEPALIVE=3 NAT_PUNCH_RETRY=2 nat_podnet_node sym-a symmetric 3 "DataPath = kernel"
names=(none-a restr-a sym-a)
declare -A site_num=([none-a]=1 [restr-a]=2 [sym-a]=3)
vaddr() { echo "10.77.0.$((10 + ${site_num[$1]}))"; }
nsof() { local v=ns_${1//-/_}; echo "${!v}"; }
routerof() { local v=router_${1//-/_}; echo "${!v}"; }

all_registered() {
	local s
	for s in "${names[@]}"; do
		peer_established "$s" rv && nat_type_known "$s" ||
			{ echo "# $s: not registered or NAT unknown"; return 1; }
	done
}
check "all nodes registered and know their NAT" wait_for 300 all_registered
check "... on the kernel data path" \
	test "$(iface_field restr-a datapath)" = kernel

# kstats NODE JQ: a figure of the module's own stats for NODE's device.
kstats() { n "$(nsof "$1")" "$kctl" show pod0 --json | jq -r "$2"; }

# --- (a) cold start through the rendezvous ----------------------------------
# cold_via_rv FROM TO: `ping -c 5` to an address FROM has never heard of;
# it waits 10 s for the first answer (-W; a deadline would send more).
cold_via_rv() {
	local from=$1 to=$2 out="$tmp/$1-$2.ping" held
	n "$(nsof "$from")" ping -n -c 5 -i 0.2 -W 10 "$(vaddr "$to")" >"$out" 2>&1 || true
	# The first packet is still lost in about one run of three (issue
	# 11): held and flushed, but not delivered.
	check_todo "issue 11: the first held packet is sometimes lost" \
		"cold ping $from -> $to through a lookup: 5 of 5 answered" \
		grep -q "5 packets transmitted, 5 received" "$out"
	grep -q "5 received" "$out" || sed 's/^/# /' "$out"
	held=$(kstats "$from" '.stats.tx_queued + ([.peer_list[].stats.tx_queued] | add // 0)')
	check "... podnet.ko held $held packets for it" test "${held:-0}" -gt 0
	check "... and dropped none of them" test "$(kstats "$from" \
		'.stats.tx_no_route + ([.peer_list[].stats | .drop_no_key + .drop_queue_full] | add // 0)')" = 0
	echo "# $from -> $to: path $(peer_field "$from" "$to" path)"
}
cold_via_rv restr-a none-a
cold_via_rv none-a sym-a

# change_step DESC LIMIT_MS SECONDS FROM TO CMD...: a 1.5 MB TCP stream
# FROM -> TO, paced by a 3 Mbit/s qdisc on FROM's eth0 (one process: under
# TCG a writer loop would be too slow), and pings FROM -> TO every 0.2 s
# for SECONDS; CMD 2 s into it. The longest time without a ping answer is the recovery time,
# printed in the KTAP line; the stream must arrive intact.
change_step() {
	local desc=$1 limit=$2 seconds=$3 from=$4 to=$5 pinger gap ping_end
	shift 5
	head -c 1500000 /dev/urandom >"$tmp/blob"
	n "$(nsof "$from")" tc qdisc add dev eth0 root tbf rate 3mbit \
		burst 32kb latency 400ms
	if ! transfer_start "$(nsof "$from")" "$(nsof "$to")" "$(vaddr "$to")" \
		"$tmp/blob" 9100; then
		n "$(nsof "$from")" tc qdisc del dev eth0 root
		not_ok "$desc: the stream did not start"
		return
	fi
	n "$(nsof "$from")" ping -n -D -i 0.2 -W 1 -w "$seconds" "$(vaddr "$to")" \
		>"$tmp/change.ping" 2>&1 &
	pinger=$!
	sleep 2
	"$@"
	wait "$pinger" || true
	ping_end=$(date +%s.%N)
	transfer_finish
	n "$(nsof "$from")" tc qdisc del dev eth0 root
	# Answers carry "[unix time]"; the end of the run counts as one, so a
	# path that never came back shows as a long gap.
	gap=$( { grep -o '^\[[0-9.]*\] [0-9]* bytes from' "$tmp/change.ping" |
		tr -d '[]' | cut -d' ' -f1; echo "$ping_end"; } |
		awk 'NR > 1 && ($1 - t) * 1000 > max { max = ($1 - t) * 1000 }
		     { t = $1 } END { printf "%d\n", max }')
	change_ok() {
		transfer_passed || return 1
		[[ $gap -le $limit ]] || { echo "# longest silence $gap ms"; return 1; }
	}
	${change_check:-check} "$desc: back in $gap ms (target $limit), stream intact" change_ok
	echo "# $desc: stream of 1.5 MB in $(cat "$tmp/transfer.ms") ms, $(grep -o '[0-9]* received' "$tmp/change.ping")"
}

# pair_up A B WANT: A reaches B, on a path of kind WANT from both sides.
pair_up() {
	wait_for 150 n "$(nsof "$1")" ping -c 1 -W 1 "$(vaddr "$2")" &&
		wait_for 150 peer_is "$1" "$2" path "$3" &&
		wait_for 150 peer_is "$2" "$1" path "$3"
}

# --- (b) NAT rebinding ------------------------------------------------------
# The flushed side receives the stream: it then sends only what it is
# answered, the harder case.
check "sym-a <-> none-a: direct" pair_up sym-a none-a direct
change_step "symmetric side rebinds (peer public)" "$target_ms" 10 \
	none-a sym-a nat_flush_conntrack "$(routerof sym-a)"
check "restr-a <-> none-a: direct" pair_up restr-a none-a direct
change_step "port-restricted side rebinds (peer public)" "$target_ms" 10 \
	none-a restr-a nat_flush_conntrack "$(routerof restr-a)"

# --- (c) direct -> relay -> direct ------------------------------------------
check "none-a <-> restr-a: direct" pair_up none-a restr-a direct
# Known not to hold yet (issue 11): 10-16 s, and the stream may stall
# on the relay while pings pass.
change_check="check_todo issue-11:direct-to-relay-on-podnet.ko" \
change_step "direct -> relay (UDP between the sites blocked)" "$switch_ms" 18 \
	none-a restr-a nat_block_udp "$(routerof restr-a)"
check "... the pair is relayed" pair_up none-a restr-a relay
change_step "relay -> direct (UDP unblocked)" "$switch_ms" 10 \
	none-a restr-a nat_unblock_udp "$(routerof restr-a)"
check "... the pair is direct again" pair_up none-a restr-a direct

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
stop_all
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
