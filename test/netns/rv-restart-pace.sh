#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A restarted rendezvous tells the nodes of <ControlSocket>.nodes that it
# lost their sessions, paced (rv_state.c): 50 every 10 ms. Here the file
# holds two real nodes behind NATs and 16,000 more lines for a sink (one
# address, a port each) behind a slow link (tbf, 4 Mbit/s: ~7,000 notices
# a second). All at once, the burst filled the socket's send buffer while
# the link drained it, and the nodes past it were never told (EAGAIN);
# paced, every one is told, none fails, and it takes ~3.2 s, which the
# test prints. The real nodes (keepalive 25 s) register again at once.
# Then a restart with 20,000 over a link slower than the pace (800
# kbit/s): the send buffer fills, and the sends that found it full are
# tried again until every node is told.
#
#            ┌──────────── internet 198.18.0.0/24 ─────────────┐
#   rv 198.18.0.1 (rendezvous; killed -9 and restarted)         │
#    └ pnsk0 10.250.0.1 ── tbf 4mbit ── sink eth0 10.250.0.2    │
#   [NAT .11] restricted: a                [NAT .12] symmetric: b

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: a restarted rendezvous tells its nodes paced, none lost"
sniff=$build/test/attack-sniff
SINKS=16000

NAT_KEEPALIVE=25
nat_podnet_bed
nat_podnet_node a restricted 1
nat_podnet_node b symmetric 2
ns_create ns_sink sink
veth_link "$ns_rv" pnsk0 10.250.0.1/24 "$ns_sink" eth0 10.250.0.2/24
# A large queue: the link, not the qdisc, is the bottleneck, and what
# waits in it counts against the rendezvous' socket buffer.
n "$ns_rv" tc qdisc add dev pnsk0 root tbf rate 4mbit burst 1600 limit 50000000

both_registered() { peer_established rv a && peer_established rv b; }
check "both nodes registered with the rendezvous" wait_for 150 both_registered
nodes_saved() { [[ $(grep -c '^198\.18\.0\.1[12]:' "$tmp/rv.sock.nodes" 2>/dev/null) -eq 2 ]]; }
check "... and are in rv.sock.nodes" wait_for 50 nodes_saved

# restart_with_sinks COUNT TIMEOUT_MS: kill -9 the rendezvous, add COUNT
# sink lines (and one that is not understood) to rv.sock.nodes, start it
# again with the sink listening; sets took (ms from the first notice
# counted to the final log line), received and ports (at the sink).
restart_with_sinks() {
	local count=$1 limit=$2 sniffer log_lines first='' done='' i now v
	kill -KILL "$pid_rv"
	wait "$pid_rv" 2>/dev/null || true
	rm -f "$tmp/rv.sock"
	grep '^198\.18\.' "$tmp/rv.sock.nodes" >"$tmp/nodes.real"
	{
		cat "$tmp/nodes.real"
		echo "not an address 1234"
		awk -v n="$count" 'BEGIN { for (i = 1; i <= n; i++) printf "10.250.0.2:%d %08x\n", 20000 + i, i }'
	} >"$tmp/rv.sock.nodes"
	n "$ns_sink" "$sniff" -n "$count" -t "$limit" -p 51820 eth0 >"$tmp/sink.out" 2>"$tmp/sink.err" &
	sniffer=$!
	sleep 0.3
	log_lines=$(wc -l <"$tmp/rv.log")
	start_daemon "$ns_rv" rv
	# The counter climbs as the notices go; the log line says when all went.
	for ((i = 0; i < limit / 50; i++)); do
		now=$(now_ms)
		if [[ -z $first ]] && v=$(iface_field rv rv_restart_notices) && [[ ${v:-0} -gt 0 ]]; then
			first=$now
		fi
		if tail -n "+$((log_lines + 1))" "$tmp/rv.log" | grep -q 'rendezvous: told '; then
			done=$now
			break
		fi
		sleep 0.05
	done
	took=-1
	[[ -z $first || -z $done ]] || took=$((done - first))
	tail -n "+$((log_lines + 1))" "$tmp/rv.log" >"$tmp/rv.restart.log"
	wait "$sniffer" 2>/dev/null || true
	received=$(wc -l <"$tmp/sink.out")
	ports=$(awk '{ print $2 }' "$tmp/sink.out" | sort -u | wc -l)
}

# --- a link fast enough for the pace ----------------------------------
restart_with_sinks "$SINKS" 20000
total=$((SINKS + 2))
echo "# $total notices: first seen at the counter to the final log line in $took ms (paced: ~$((total / 5)) ms)"
check "all told, over at least 1.5 s (paced, not one burst): $took ms" test "$took" -ge 1500
check "... and within 12 s" test "$took" -ge 0 -a "$took" -le 12000
check "rv_restart_notices counts all $total" test "$(iface_field rv rv_restart_notices)" = "$total"
check "... rv_restart_notices_failed none" test "$(iface_field rv rv_restart_notices_failed)" = 0
check "... the log says so, and that one line was not understood" \
	grep -q "told $total nodes .*(0 could not be sent, 1 lines of the file not understood)" "$tmp/rv.restart.log"
echo "# the sink received $received notices for $ports addresses"
check "the sink received a notice for each of its $SINKS addresses" \
	test "$received" -eq "$SINKS" -a "$ports" -eq "$SINKS"
# Told, the real nodes register again at once, not at their keepalive.
check "both real nodes registered again within 10 s (keepalive 25 s)" wait_for 100 both_registered

# --- a link slower than the pace: the socket buffer fills --------------
# 800 kbit/s carries ~1,600 notices a second: at 5,000 a second the
# rendezvous' send buffer (at most 8 MB, ~10,700 of them queued) is full
# well before 20,000 have gone. The sends that find it full are tried
# again at the next tick, until the link has drained enough.
SLOW=20000
fresh_file() { nodes_saved && ! grep -q '^10\.250\.' "$tmp/rv.sock.nodes"; }
check "the rendezvous rewrote rv.sock.nodes with the two real nodes only" wait_for 50 fresh_file
n "$ns_rv" tc qdisc change dev pnsk0 root tbf rate 800kbit burst 1600 limit 50000000
restart_with_sinks "$SLOW" 40000
echo "# $((SLOW + 2)) notices over 800 kbit/s: all sent in $took ms; $(grep -c 'sendmsg: Resource temporarily unavailable' "$tmp/rv.restart.log") EAGAIN log lines (rate-limited)"
check "the send buffer filled (EAGAIN logged)" grep -q 'sendmsg: Resource temporarily unavailable' "$tmp/rv.restart.log"
check "... yet rv_restart_notices counts all $((SLOW + 2))" test "$(iface_field rv rv_restart_notices)" = "$((SLOW + 2))"
check "... and rv_restart_notices_failed none" test "$(iface_field rv rv_restart_notices_failed)" = 0
echo "# the sink received $received notices for $ports addresses"
check "the sink received a notice for each of its $SLOW addresses" \
	test "$received" -eq "$SLOW" -a "$ports" -eq "$SLOW"
check "both real nodes registered again" wait_for 100 both_registered
check "podnetd is alive" daemons_alive rv a b

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
