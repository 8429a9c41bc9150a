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

source "$(dirname "$0")/common.sh"
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
head -c 200000000 /dev/urandom >"$tmp/blob"
before=$(peer_field alpha beta handshakes)
ip netns exec "$ns2" timeout 120 socat -u TCP-LISTEN:9000,bind=10.77.0.2,reuseaddr \
	"OPEN:$tmp/received,creat,trunc" &
receiver=$!
wait_for 50 bash -c "ip netns exec $ns2 ss -Hltn 'sport = :9000' | grep -q LISTEN"
n "$ns1" timeout 120 socat -u "OPEN:$tmp/blob" TCP:10.77.0.2:9000 && sent=0 || sent=$?
wait "$receiver" || true
check "200 MB sent across rekeys" test "$sent" -eq 0
check "... arrive intact (sha256)" \
	test "$(sha256sum <"$tmp/blob" | cut -d' ' -f1)" = "$(sha256sum <"$tmp/received" | cut -d' ' -f1)"
rekeys=$(( $(peer_field alpha beta handshakes) - before ))
echo "# $rekeys rekeys during the transfer"
check "at least 3 rekeys happened during the transfer" test "$rekeys" -ge 3
for node in alpha beta; do
	other=$([[ $node == alpha ]] && echo beta || echo alpha)
	check "$node: no record refused (drop_invalid)" \
		test "$(peer_field "$node" "$other" drop_invalid)" -eq 0
	check "$node: no record for an unknown session" \
		test "$(iface_field "$node" rx_unknown_session)" -eq 0
	check "$node: nothing dropped for want of a session" \
		test "$(peer_field "$node" "$other" drop_no_session)" -eq 0
done
rm -f "$tmp/blob" "$tmp/received"

ktap_finish
