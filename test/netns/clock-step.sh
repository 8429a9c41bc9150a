#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The wall clock steps under a running podnetd, as NTP's first sync at
# boot, a resumed VM or `date -s` step a machine's. Only alpha's daemon
# sees it, through test/clock/clockshift.c (LD_PRELOAD); the machine's
# clock is left alone. podnetd ages what it holds on the monotonic clock,
# so:
#  - an hour forward ages nothing: no early rekey, the pings go on;
#  - four minutes back (within the certificates' 5 minutes of backdating)
#    freezes nothing: the next rekey comes on time, and packets queued
#    for an address nobody holds are still dropped after 8 s.
#
#  ┌──────────────────────────────┐       ┌────────────────────────┐
#  │ $ns1: alpha (clock stepped)  │       │ $ns2: beta             │
#  │   pod0  10.77.0.1/24         │       │   pod0  10.77.0.2/24   │
#  │   RekeyAfter = 12            │       │                        │
#  │   peer gamma: never answers  │       │                        │
#  │   veth1 192.168.251.1        ├───────┤   veth2 192.168.251.2  │
#  └──────────────────────────────┘       └────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/chaos.sh"	# ping_gap_ms
ktap_header "podnet: the wall clock steps under a running daemon"

shim=$build/test/libclockshift.so
if [[ ! -f $shim ]]; then
	echo "1..0 # SKIP $shim is not built (make check-netns builds it)"
	exit 0
fi

ns_create ns1 alpha
ns_create ns2 beta
veth_link "$ns1" veth1 192.168.251.1/24 "$ns2" veth2 192.168.251.2/24
make_ca "$tmp/ca" "test-net"
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" beta 10.77.0.2
make_node_cert "$tmp/ca" gamma 10.77.0.3
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.251.2:51820 gamma 192.168.251.9:51820
sed -i '/^LogLevel/a RekeyAfter = 12' "$tmp/alpha.conf"
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 \
	alpha 192.168.251.1:51820

# clock_shift SECONDS: alpha's wall clock from now on, against the real one.
clock_shift() { printf '%-63s\n' "$1" | dd of="$tmp/alpha.shift" conv=notrunc status=none; }
clock_shift 0
# The shim is not built with the sanitizers: ASan must not insist on
# coming first.
CLOCKSHIFT_FILE=$tmp/alpha.shift LD_PRELOAD=$shim \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	start_daemon "$ns1" alpha
start_daemon "$ns2" beta
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
handshakes() { peer_field alpha beta handshakes; }
more_handshakes() { [[ $(handshakes) -gt $1 ]]; }

n "$ns1" ping -n -D -i 0.2 -W 1 -w 45 10.77.0.2 >"$tmp/steps.ping" 2>&1 &
pinger=$!

# --- an hour forward --------------------------------------------------------
# Right after a rekey, so that the next one is 12 s away: the step must
# not bring it forward.
h0=$(handshakes)
check "a rekey comes after RekeyAfter = 12" wait_for 160 more_handshakes "$h0"
h1=$(handshakes)
clock_shift 3600
sleep 4
check "an hour forward: no early rekey in the next 4 s ($h1 handshakes, still)" \
	test "$(handshakes)" -eq "$h1"
check "... the session stays up" peer_established alpha beta
# The shim works: what alpha logs now carries the time an hour ahead.
kill -HUP "$pid_alpha"
check "... alpha's log is an hour ahead of the machine's clock" \
	wait_for 30 grep -q "^$(date -d '+1 hour' +%Y-%m-%dT%H:%M)" "$tmp/alpha.log"

# --- four minutes back -------------------------------------------------------
h2=$(handshakes)
step_back=$(date +%s%N)
clock_shift -240
check "four minutes back: the next rekey still comes within 12-13 s of the last" \
	wait_for 150 more_handshakes "$h2"
echo "# rekey $(( ($(date +%s%N) - step_back) / 1000000 )) ms after the step back"

# Queued for gamma, who never answers and might hold 10.77.0.99: kept at
# most 8 s, then counted as no route. The step comes while they wait.
before=$(iface_field alpha tx_no_route)
clock_shift 0
n "$ns1" ping -c 2 -i 0.2 -W 1 10.77.0.99 >/dev/null 2>&1 || true
clock_shift -240
sleep 2
check "... packets to an address nobody holds wait while gamma might hold it" \
	test "$(iface_field alpha tx_no_route)" -eq "$before"
queue_dropped() { test "$(iface_field alpha tx_no_route)" -ge $((before + 2)); }
check "... and still go after 8 s, the step back notwithstanding" \
	wait_for 100 queue_dropped

wait "$pinger" || true
gap=$(ping_gap_ms "$tmp/steps.ping" "$(date +%s.%N)")
echo "# pings across both steps: longest gap $gap ms"
check "pings across both steps: no gap above 1.5 s" test "$gap" -lt 1500
check "daemons still running" daemons_alive alpha beta
ktap_finish
