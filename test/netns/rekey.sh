#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Rekey under load: sessions are replaced by fresh handshakes every second
# or two while 200 MB cross the tunnel; the data arrives intact and not a
# single record is refused for its keys (no invalid, no unknown session).
# Both daemons seal and open on three threads (Threads = 3), so parallel
# crypto meets session changes in the middle of its batches.
#
#  ┌──────────────────────┐          ┌──────────────────────┐
#  │ $ns1: alpha (client) │          │ $ns2: beta (server)  │
#  │   pod0 10.77.0.1/24  │          │   pod0 10.77.0.2/24  │
#  │   veth1 192.168.244.1├──────────┤   veth2 192.168.244.2│
#  │   RekeyAfter = 1     │          │   RekeyAfter = 1     │
#  │   Threads = 3        │          │   Threads = 3        │
#  └──────────────────────┘          └──────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: rekey without loss"

two_node_bed 244
sed -i '/^LogLevel/a RekeyAfter = 1\nThreads = 3' "$tmp/alpha.conf" "$tmp/beta.conf"
# Rekey timing is the point here, not the debug log.
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
threads_logged() { grep -q '3 crypto threads' "$tmp/$1.log"; }
check "alpha runs three crypto threads" threads_logged alpha
check "beta runs three crypto threads" threads_logged beta
check "session established" wait_for 100 peer_established alpha beta
check "traffic flows" wait_for 50 n "$ns1" ping -c 1 -W 1 10.77.0.2

# Slow enough (tc) that the transfer spans several rekeys.
n "$ns1" tc qdisc add dev veth1 root tbf rate 200mbit burst 256kb latency 100ms
blob_mb 200
before=$(peer_field alpha beta handshakes)
check "200 MB sent across rekeys arrive intact (sha256)" \
	transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
rekeys=$(( $(peer_field alpha beta handshakes) - before ))
echo "# $rekeys rekeys during the transfer"
check "at least 3 rekeys happened during the transfer" test "$rekeys" -ge 3
for pair in "alpha beta" "beta alpha"; do
	set -- $pair
	check "$1: no record refused (drop_invalid)" peer_is "$1" "$2" drop_invalid 0
	check "$1: no record for an unknown session" \
		test "$(iface_field "$1" rx_unknown_session)" -eq 0
	check "$1: nothing dropped for want of a session" peer_is "$1" "$2" drop_no_session 0
done
rm -f "$tmp/blob" "$tmp/received"

ktap_finish
