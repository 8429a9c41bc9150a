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

kill -KILL "$pid_rv"
wait "$pid_rv" 2>/dev/null || true
rm -f "$tmp/rv.sock"
# The sink's lines, and one that is not understood.
echo "not an address 1234" >>"$tmp/rv.sock.nodes"
awk -v n="$SINKS" 'BEGIN { for (i = 1; i <= n; i++) printf "10.250.0.2:%d %08x\n", 20000 + i, i }' \
	>>"$tmp/rv.sock.nodes"
total=$((SINKS + 2))

n "$ns_sink" "$sniff" -n "$SINKS" -t 20000 -p 51820 eth0 >"$tmp/sink.out" 2>"$tmp/sink.err" &
sniffer=$!
sleep 0.3
log_lines=$(wc -l <"$tmp/rv.log")
start_daemon "$ns_rv" rv

# The counter climbs as the notices go; the log line says when all went.
told_logged() { tail -n "+$((log_lines + 1))" "$tmp/rv.log" | grep -q 'rendezvous: told '; }
first='' done=''
for ((i = 0; i < 400; i++)); do
	now=$(now_ms)
	if [[ -z $first ]] && v=$(iface_field rv rv_restart_notices) && [[ ${v:-0} -gt 0 ]]; then
		first=$now
	fi
	if told_logged; then
		done=$now
		break
	fi
	sleep 0.05
done
took=$(( ${done:-0} - ${first:-0} ))
echo "# $total notices: first seen at the counter to the final log line in $took ms (paced: ~$((total / 5)) ms)"
check "all told, over at least 1.5 s (paced, not one burst): $took ms" \
	test -n "$done" -a -n "$first" -a "$took" -ge 1500
check "... and within 12 s" test -n "$done" -a "$took" -le 12000
check "rv_restart_notices counts all $total" test "$(iface_field rv rv_restart_notices)" = "$total"
check "... rv_restart_notices_failed none" test "$(iface_field rv rv_restart_notices_failed)" = 0
check "... the log says so, and that one line was not understood" \
	grep -q "told $total nodes .*(0 could not be sent, 1 lines of the file not understood)" "$tmp/rv.log"

wait "$sniffer" 2>/dev/null || true
received=$(wc -l <"$tmp/sink.out")
ports=$(awk '{ print $2 }' "$tmp/sink.out" | sort -u | wc -l)
echo "# the sink received $received notices for $ports addresses"
check "the sink received a notice for each of its $SINKS addresses" \
	test "$received" -eq "$SINKS" -a "$ports" -eq "$SINKS"

# Told, the real nodes register again at once, not at their keepalive.
check "both real nodes registered again within 10 s (keepalive 25 s)" wait_for 100 both_registered
check "podnetd is alive" daemons_alive rv a b

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
