#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# An attacker next to a podnet.ko node (issue 12, F3, F4, F9): records
# sniffed on the wire and sent again, bare or wrapped in a relay header
# from any source, are dropped and counted by the kernel, never handed
# up to the daemon's socket and never move a path; a relay datagram on
# the peer's channel from a source that is not its relay is dropped and
# counted; a fresh record through another relay is delivered and only
# reported (the daemon, which knows the relays, decides). And only
# CAP_NET_ADMIN may listen to the "peers" group (decrypted control
# messages, endpoints).
#
#  ┌──────────────────────────┐           ┌──────────────────────────┐
#  │ $ns1: alpha + attacker   │           │ $ns2: beta (the target)  │
#  │   pod0 10.77.0.1/24      │           │   pod0 10.77.0.2/24      │
#  │   kctl up :51820         │           │   kctl up :51820         │
#  │   attack-spoof from      │           │   attack-sniff on veth2  │
#  │   .1 .5 (any source) ────┼──────────►│                          │
#  │   veth1 192.168.241.1    ├───────────┤   veth2 192.168.241.2    │
#  └──────────────────────────┘           └──────────────────────────┘
#
# Fresh records come from alpha sending to 192.168.241.99, a neighbour
# with a MAC nobody has: they cross the wire (sniffed on veth2), beta's
# stack never takes them, so beta has not seen their sequence numbers.

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko: replays, relay wrappers and listeners an attacker tries"
vm_require_podnet

sniff=$build/test/attack-sniff
spoof=$build/test/attack-spoof
if [[ ! -x $sniff || ! -x $spoof ]]; then
	ktap_skip_all "attack tools not built (make attack-tools)"
fi

vm_load_podnet_check
kernel_bed chacha
check "ping alpha -> beta" n "$ns1" ping -c 2 -W 3 10.77.0.2

# --- F4: who may join the "peers" group -----------------------------
out=$(timeout 5 "$kctl" monitor 2>&1) || true
check "root joins the peers group" grep -q '"ready"' <<<"$out"
out=$(timeout 5 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$kctl" monitor 2>&1) || true
echo "# as nobody: ${out//$'\n'/ | }"
if [[ $out != *ready* && $out == *"cannot join"* ]]; then
	ok "an unprivileged user cannot join the peers group"
else
	not_ok "an unprivileged user cannot join the peers group"
fi

# relay_wrap CHANNEL HEX: a relay delivery of datagram HEX on CHANNEL
relay_wrap() { printf '05010000%08x%s' "$1" "$2"; }
# to_beta FROM_IP:PORT HEX: sent from any source, from alpha's side
to_beta() { n "$ns1" "$spoof" "$1" 192.168.241.2:51820 "$2" >/dev/null; }
stat2() { local v; v=$(peer_stat "$ns2" "$1"); echo "${v/null/0}"; }
# stat_is FIELD VALUE: beta's counter FIELD of peer 1 is VALUE
stat_is() { [[ $(stat2 "$1") == "$2" ]]; }
# beta_path: beta's endpoint and relay channel for peer 1
beta_path() { kshow "$ns2" '.peer_list[0] | "\(.endpoint) \(.relay_channel)"'; }
endpoint_events() { grep -c '"event":"endpoint"' "$tmp/beta.log" || true; }

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

# --- fresh records: sealed by alpha, never seen by beta -------------
n "$ns1" ip neigh replace 192.168.241.99 lladdr 02:00:00:00:00:99 \
	dev veth1 nud permanent
n "$ns1" "$kctl" peer pod0 1 --endpoint 192.168.241.99:51820
n "$ns2" "$sniff" -n 4 -t 20000 -T 2 -p 51820 veth2 >"$tmp/fresh.txt" &
sniff_pid=$!
pings_until_sniffed
wait "$sniff_pid" || true
n "$ns1" "$kctl" peer pod0 1 --endpoint 192.168.241.2:51820
mapfile -t fresh < <(awk '$2 == "192.168.241.99:51820" { print $3 }' "$tmp/fresh.txt")
check "4 fresh records sniffed" test "${#fresh[@]}" -eq 4

# --- F3: a record beta already opened, sent again --------------------
n "$ns2" "$sniff" -n 2 -t 20000 -T 2 -p 51820 veth2 >"$tmp/seen.txt" &
sniff_pid=$!
pings_until_sniffed
wait "$sniff_pid" || true
seen=$(awk '$1 == "192.168.241.1:51820" { print $3; exit }' "$tmp/seen.txt")
check "a record beta opened sniffed on its veth" test -n "$seen"

replay0=$(stat2 drop_replay)
rx0=$(stat2 rx_packets)
to_beta 192.168.241.1:51820 "$seen"
check "the bare replay is dropped as a replay" \
	wait_for 30 stat_is drop_replay $((replay0 + 1))
to_beta 192.168.241.5:7000 "$(relay_wrap 9 "$seen")"
# Read on every try: equal, so one more drop than expected fails too.
check "the relay-wrapped replay is opened in the kernel and dropped as a replay" \
	wait_for 30 stat_is drop_replay $((replay0 + 2))
echo "# drop_replay before $replay0, after the bare and the relayed replay $(stat2 drop_replay)"
check "no path moved: beta's endpoint and channel unchanged" \
	test "$(beta_path)" = "192.168.241.1:51820 0"
check "no endpoint notification for a replay" test "$(endpoint_events)" -eq 0
check "nothing delivered by the replays" test "$(stat2 rx_packets)" -eq "$rx0"

# --- a fresh record through another relay: delivered, only reported --
# (once the direct path has been silent for 5 s: stray relayed records
# must not undo a direct path)
n "$ns1" ping -c 1 -W 3 10.77.0.2 >/dev/null	# the direct path is alive
rx0=$(stat2 rx_packets)
relayed=$(relay_wrap 9 "${fresh[0]}")
to_beta 192.168.241.5:7000 "$relayed"
check "a fresh relayed record on another channel is delivered" \
	wait_for 30 stat_is rx_packets $((rx0 + 1))
check "but not reported while the direct path is alive" \
	test "$(endpoint_events)" -eq 0
sleep 5
relayed=$(relay_wrap 9 "${fresh[3]}")
to_beta 192.168.241.5:7000 "$relayed"
check "one after 5 s of direct silence is delivered" \
	wait_for 30 stat_is rx_packets $((rx0 + 2))
check "and reported with its relay and channel (NOTIFY_ENDPOINT)" wait_for 20 \
	grep -q '"event":"endpoint",.*"peer":1,"endpoint":"192.168.241.5:7000","relay_channel":9' "$tmp/beta.log"
check "the kernel moved nothing itself" \
	test "$(beta_path)" = "192.168.241.1:51820 0"
sleep 1.2	# past the notification's once-a-second limit
replay0=$(stat2 drop_replay)
to_beta 192.168.241.5:7000 "$relayed"
check "the same relayed record again: a replay" \
	wait_for 30 stat_is drop_replay $((replay0 + 1))
sleep 0.5
check "and not reported again" test "$(endpoint_events)" -eq 1

# --- F9: a relayed peer; its channel from a source not its relay -----
n "$ns2" "$kctl" peer pod0 1 --endpoint 192.168.241.1:7000 --relay 77
rx0=$(stat2 rx_packets)
to_beta 192.168.241.5:7000 "$(relay_wrap 77 "${fresh[1]}")"
check "channel 77 from 192.168.241.5 (not the relay): dropped as drop_bad_relay" \
	wait_for 30 stat_is drop_bad_relay 1
check "and not delivered" test "$(stat2 rx_packets)" -eq "$rx0"
to_beta 192.168.241.1:7000 "$(relay_wrap 77 "${fresh[2]}")"
check "channel 77 from the relay 192.168.241.1:7000: delivered" \
	wait_for 30 stat_is rx_packets $((rx0 + 1))
n "$ns2" "$kctl" peer pod0 1 --endpoint 192.168.241.1:51820 --relay 0

check "the session still works" n "$ns1" ping -c 2 -W 3 10.77.0.2
kill -TERM "$kctl_pid_beta"
wait_for 50 grep -q '"exit"' "$tmp/beta.log"
passed=$(sed -n 's/.*"exit","passed_up":\([0-9]*\).*/\1/p' "$tmp/beta.log")
echo "# datagrams handed up to beta's socket: ${passed:-?}"
check "no record under beta's key was handed up to its socket" \
	test "${passed:-1}" -eq 0
dmesg_clean_check
ktap_finish
