#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A handshake flood (issue 12, F2, F8, item 4). An attacker host that
# receives at a whole /16 (an AnyIP route) sends beta 100,000 ClientHellos
# within 40 s, from 65,534 source addresses: half cookie-less, half
# answering the HelloVerifyRequest with a valid cookie and then going
# silent. Meanwhile alpha's session to beta answers every ping, alpha
# rekeys with beta (RekeyAfter = 8) and a restarted alpha is back in
# seconds; beta's CPU and memory stay bounded. Before handshake budgets
# per source, the strangers' cookie'd hellos filled the one global pool of
# 64 handshakes and every rekey starved.
#
# Before the flood, F8: a handshake in progress is bound to its source; a
# fatal alert forged for its index from another address is ignored.
#
#  ┌─────────────────────┐        ┌─────────────────────┐        ┌───────────────────┐
#  │ $ns1: alpha (client)│        │ $ns2: beta (server) │        │ $nsa: attacker    │
#  │  pod0 10.77.0.1/24  │        │  pod0 10.77.0.2/24  │        │  local 10.66/16   │
#  │  veth1 .246.1       ├────────┤  veth2 .246.2       │        │  (AnyIP on lo)    │
#  └─────────────────────┘        │  veth3 .247.1       ├────────┤  veth4 .247.2     │
#                                 │  10.66/16 via .247.2│        └───────────────────┘
#                                 └─────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: a handshake flood from a /16 starves no rekey"

# The attacker may come from another build than the daemons (a check
# of an older daemon against this attack).
flood=${ATTACK_BUILD:-$build}/test/attack-flood
HELLOS=${FLOOD_HELLOS:-100000}
SECONDS_FLOOD=${FLOOD_SECONDS:-40}
CPU_MAX=${FLOOD_CPU_MAX:-50}		# % of one core, averaged over the flood
RSS_MAX_KB=${FLOOD_RSS_MAX_KB:-65536}	# peak resident set of beta
# AddressSanitizer keeps freed memory in quarantine (256 MB) and adds its
# shadow: there, only a bound on runaway growth means anything.
if grep -q __asan_init "$podnetd" 2>/dev/null; then
	RSS_MAX_KB=${FLOOD_RSS_MAX_KB:-524288}
fi

two_node_bed 246
ns_create nsa attacker
veth_link "$ns2" veth3 192.168.247.1/24 "$nsa" veth4 192.168.247.2/24
n "$ns2" ip route add 10.66.0.0/16 via 192.168.247.2
n "$nsa" ip route add local 10.66.0.0/16 dev lo
sed -i '/^LogLevel/a RekeyAfter = 8' "$tmp/alpha.conf" "$tmp/beta.conf"
# Tens of thousands of refusals: the info log is enough.
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 100 peer_established alpha beta
check "traffic flows" wait_for 50 n "$ns1" ping -c 1 -W 1 10.77.0.2

# --- F8: a handshake in progress is bound to its source ------------------
n "$nsa" "$flood" bind 192.168.247.1:51820 10.66.250.1 10.66.250.2 \
	>"$tmp/bind.out" 2>&1 || true
sed 's/^/# /' "$tmp/bind.out"
check "F8: an alert forged from another address leaves a handshake alive" \
	grep -qx alive "$tmp/bind.out"
check "F8: the forged datagrams are counted" iface_above beta rx_handshake_wrong_source 0

# --- F2: the flood ---------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid_beta/stat"; }
status_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid_beta/status"; }
hz=$(getconf CLK_TCK)
rss_before=$(status_kb VmRSS)
ticks_before=$(cpu_ticks)
handshakes_before=$(peer_field alpha beta handshakes)
t0=$(date +%s%N)
n "$nsa" "$flood" flood 192.168.247.1:51820 10.66.0.0/16 "$HELLOS" "$SECONDS_FLOOD" \
	>"$tmp/flood.out" 2>&1 &
flood_pid=$!

# Pings through the live session for most of the flood: every one answered.
sleep 1
n "$ns1" ping -q -c 100 -i 0.25 -W 2 10.77.0.2 >"$tmp/ping.out" 2>&1 || true
handshakes_mid=$(peer_field alpha beta handshakes)
rekeys=$((handshakes_mid - handshakes_before))
echo "# pings: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$tmp/ping.out")"
echo "# rekeys during the flood's first $(( ($(date +%s%N) - t0) / 1000000000 )) s: $rekeys"
check "F2: every ping through the live session answered during the flood" \
	grep -q ' 0% packet loss' "$tmp/ping.out"
check "F2: rekeys complete during the flood (at least 2)" test "$rekeys" -ge 2

# A node that comes back during the flood (a restart) is let in at once.
if kill -0 "$flood_pid" 2>/dev/null; then
	stop_daemon alpha
	start_daemon "$ns1" alpha
	ms=$(first_reply_ms "$ns1" 10.77.0.2 15) || ms=never
	echo "# alpha restarted during the flood: first reply after $ms ms"
	check "F2: a restarted peer re-establishes within 5 s during the flood" \
		test "$ms" != never -a "${ms/never/0}" -lt 5000
else
	not_ok "F2: the flood ended before the restart (too slow a machine?)"
fi

wait "$flood_pid" || true
rss_peak=$(status_kb VmHWM)
t1=$(date +%s%N)
ticks_after=$(cpu_ticks)
rss_after=$(status_kb VmRSS)
elapsed_ms=$(( (t1 - t0) / 1000000 ))
cpu_pct=$(( (ticks_after - ticks_before) * 100 * 1000 / hz / elapsed_ms ))
sed 's/^/# attacker: /' "$tmp/flood.out"
echo "# beta during the flood: CPU ${cpu_pct}% of one core over $((elapsed_ms / 1000)) s," \
	"RSS ${rss_before} -> ${rss_after} kB (peak ${rss_peak} kB)"
for f in rx_handshake_refused rx_handshake_rejected rx_malformed; do
	echo "# beta $f: $(iface_field beta $f)"
done
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$tmp/flood.out")
took=$(sed -n 's/.*seconds=\([0-9]*\).*/\1/p' "$tmp/flood.out")
cookied=$(sed -n 's/.*cookied=\([0-9]*\).*/\1/p' "$tmp/flood.out")
check "the attacker sent $HELLOS hellos within 60 s" \
	test "${sent:-0}" -ge "$HELLOS" -a "${took:-99}" -le 60
check "a third of them or more carried a valid cookie" test "${cookied:-0}" -ge $((HELLOS / 3))
check "beta's CPU stayed under $CPU_MAX% of one core" test "$cpu_pct" -lt "$CPU_MAX"
check "beta's peak RSS stayed under $RSS_MAX_KB kB" test "$rss_peak" -lt "$RSS_MAX_KB"
check "beta is alive" daemons_alive beta
check "the session is back after the flood" wait_for 100 n "$ns1" ping -c 1 -W 1 10.77.0.2

ktap_finish
