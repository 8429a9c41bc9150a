#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnetd on podnet.ko against a replay (issue 12, F3): an attacker next
# to alpha sniffs a record beta sent it and sends it again, wrapped in a
# relay header, from beta's address, beta being alpha's rendezvous. It
# used to reach alpha's daemon, which opened it with a replay window
# that had seen nothing since the keys went to the kernel, took it, and
# moved the peer (and the kernel) onto the attacker's relay channel.
# Now the kernel opens it, finds a replay and counts it; no path moves.
#
#  ┌─ $ns1: alpha ───────────────┐          ┌─ $ns2: beta ────────────────┐
#  │ pod0 10.77.0.1  podnet.ko   │          │ pod0 10.77.0.2  podnet.ko   │
#  │ attack-sniff on veth1,      │          │ Rendezvous = yes            │
#  │ attack-spoof "from beta"    │          │                             │
#  │ veth1 192.168.246.1         ├──────────┤ veth2 192.168.246.2         │
#  └─────────────────────────────┘          └─────────────────────────────┘

source "$(dirname "$0")/common.sh"
vm_require_podnet
ktap_header "podnet.ko: podnetd does not take a relay-wrapped replay"

sniff=$build/test/attack-sniff
spoof=$build/test/attack-spoof
kctl=$build/test/kctl
if [[ ! -x $sniff || ! -x $spoof || ! -x $kctl ]]; then
	ktap_skip_all "attack tools or kctl not built (make attack-tools kernel-tools)"
fi

vm_load_podnet_check
two_node_bed 246
sed -i '/^LogLevel/a DataPath = kernel' "$tmp/alpha.conf" "$tmp/beta.conf"
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
# beta serves as rendezvous and relay; alpha knows it as one.
sed -i '/^LogLevel/a Rendezvous = yes' "$tmp/beta.conf"
echo "Rendezvous = yes" >>"$tmp/alpha.conf"

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 200 peer_established alpha beta
check "ping across the kernel path" n "$ns1" ping -c 2 -i 0.2 -W 3 10.77.0.2

# alpha's kernel view of beta: endpoint and relay channel
alpha_kpath() { n "$ns1" "$kctl" show pod0 --json | jq -r '.peer_list[0] | "\(.endpoint) \(.relay_channel)"'; }
alpha_kstat() { n "$ns1" "$kctl" show pod0 --json | jq -r ".peer_list[0].stats.$1"; }

# pings_until_sniffed: alpha pings beta until the sniffer ($sniff_pid)
# has what it waits for; at most 20 pings
pings_until_sniffed() {
	local i
	sleep 0.5
	for ((i = 0; i < 20; i++)); do
		kill -0 "$sniff_pid" 2>/dev/null || return 0
		n "$ns1" ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 || true
	done
}

# A record beta sealed for alpha (an echo reply), as it crossed veth1.
n "$ns1" "$sniff" -n 1 -t 20000 -T 2 -m 100 -p 51820 veth1 >"$tmp/seen.txt" &
sniff_pid=$!
pings_until_sniffed
wait "$sniff_pid" || true
seen=$(awk '$1 == "192.168.246.2:51820" { print $3; exit }' "$tmp/seen.txt")
check "a record from beta to alpha sniffed" test -n "$seen"

path0=$(alpha_kpath)
replay0=$(alpha_kstat drop_replay)
moves0=$(grep -c 'peer beta moved to' "$tmp/alpha.log" || true)
echo "# alpha's kernel path to beta before: $path0; drop_replay $replay0"
# The replay, relay-wrapped on channel 9, "from" beta (a rendezvous).
n "$ns1" "$spoof" 192.168.246.2:51820 192.168.246.1:51820 \
	"$(printf '05010000%08x%s' 9 "$seen")" >/dev/null
sleep 2
path1=$(alpha_kpath)
replay1=$(alpha_kstat drop_replay)
moves1=$(grep -c 'peer beta moved to' "$tmp/alpha.log" || true)
echo "# after: $path1; drop_replay $replay1; 'moved to' lines $moves0 -> $moves1"
check "alpha's kernel still sends to beta the same way" test "$path1" = "$path0"
check "alpha's daemon moved nothing" test "$moves1" -eq "$moves0"
check "the kernel counted the replay" test "$replay1" -eq $((replay0 + 1))
check "the session still works" n "$ns1" ping -c 2 -i 0.2 -W 3 10.77.0.2
stop_daemon alpha
stop_daemon beta
dmesg_clean_check
ktap_finish
