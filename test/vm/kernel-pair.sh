#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Two kernel nodes with static keys (kctl): ping and 50 MB with sha256 for
# both ciphers, a rekey in the middle of a transfer without loss, control
# messages both ways (CTRL_SEND, NOTIFY_CTRL, keepalives), and records
# wrapped in relay headers.
#
#  ┌──────────────────────────┐           ┌──────────────────────────┐
#  │ $ns1: alpha              │           │ $ns2: beta               │
#  │   pod0 10.77.0.1/24      │           │   pod0 10.77.0.2/24      │
#  │   kctl up :51820 peer 1  │           │   kctl up :51820 peer 1  │
#  │   veth1 192.168.241.1    ├───────────┤   veth2 192.168.241.2    │
#  └──────────────────────────┘           └──────────────────────────┘

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko: kernel to kernel"
vm_require_podnet

vm_load_podnet_check
kernel_bed chacha
dd if=/dev/urandom of="$tmp/data" bs=1M count=50 status=none
dd if=/dev/urandom of="$tmp/data20" bs=1M count=20 status=none

check "ping alpha -> beta (ChaCha20-Poly1305)" n "$ns1" ping -c 3 -W 3 10.77.0.2
check "50 MB alpha -> beta, sha256 intact (ChaCha20-Poly1305)" transfer_check "$tmp/data"
echo "# 50 MB with ChaCha20-Poly1305: $(cat "$tmp/transfer.time") s"
check "counters: rx/tx packets on both sides" bash -c "
	[[ \$(ip netns exec $ns1 $kctl show pod0 --json | jq '.peer_list[0].stats.tx_packets > 1000') == true &&
	   \$(ip netns exec $ns2 $kctl show pod0 --json | jq '.peer_list[0].stats.rx_packets > 1000') == true ]]"

# shellcheck disable=SC2046
n "$ns1" "$kctl" key pod0 1 $(key_opts gcm a 1)
# shellcheck disable=SC2046
n "$ns2" "$kctl" key pod0 1 $(key_opts gcm b 1)
check "ping alpha -> beta (AES-GCM)" n "$ns1" ping -c 3 -W 3 10.77.0.2
check "50 MB alpha -> beta, sha256 intact (AES-GCM)" transfer_check "$tmp/data"
echo "# 50 MB with AES-GCM: $(cat "$tmp/transfer.time") s"
check "alpha: no invalid, replayed or keyless drops" no_drops "$ns1"
check "beta: no invalid, replayed or keyless drops" no_drops "$ns2"

# Rekey under a running transfer: beta (the DTLS server of a real pair)
# installs the new key as a pending secondary, alpha installs it and
# swaps; beta swaps by itself on alpha's first record under it.
rekey() {
	local tpid ppid
	transfer_check "$tmp/data20" &
	tpid=$!
	n "$ns1" ping -i 0.05 -c 100 -W 3 -q 10.77.0.2 >"$tmp/rekey-ping.txt" 2>&1 &
	ppid=$!
	sleep 1
	# shellcheck disable=SC2046
	n "$ns2" "$kctl" key pod0 1 $(key_opts chacha b 2) --slot secondary --pending || return 1
	# shellcheck disable=SC2046
	n "$ns1" "$kctl" key pod0 1 $(key_opts chacha a 2) --slot secondary || return 1
	n "$ns1" "$kctl" swap pod0 1 || return 1
	wait "$ppid" || { cat "$tmp/rekey-ping.txt"; return 1; }
	wait "$tpid" || return 1
	grep -q " 0% packet loss" "$tmp/rekey-ping.txt" || { cat "$tmp/rekey-ping.txt"; return 1; }
}
check "rekey during a 20 MB transfer: sha256 intact, 0% ping loss" rekey
check "beta swapped the pending key itself (key_swapped)" \
	grep -q '"event":"key_swapped","ifindex":[0-9]*,"peer":1' "$tmp/beta.log"
check "both primaries are the new key" bash -c "
	[[ \$(ip netns exec $ns1 $kctl show pod0 --json | jq '.peer_list[0].keys[] | select(.slot == \"primary\") | .local_index') == $((0x1002)) &&
	   \$(ip netns exec $ns2 $kctl show pod0 --json | jq '.peer_list[0].keys[] | select(.slot == \"primary\") | .local_index') == $((0x2002)) ]]"
check "alpha: no drops across the rekey" no_drops "$ns1"
check "beta: no drops across the rekey" no_drops "$ns2"
check "the old keys are deleted" bash -c "
	ip netns exec $ns1 $kctl keydel pod0 1 secondary && ip netns exec $ns2 $kctl keydel pod0 1 secondary &&
	ip netns exec $ns1 ping -c 2 -W 3 10.77.0.2"

# In-session control messages: CTRL_SEND seals under the kernel's
# sequence numbers, the other side hands them up as NOTIFY_CTRL; a
# keepalive (one byte 0) is consumed and only refreshes last_rx.
check "CTRL_SEND alpha -> beta arrives as NOTIFY_CTRL" bash -c "
	ip netns exec $ns1 $kctl ctrl pod0 1 0600112233445566 &&
	for i in \$(seq 30); do grep -q '\"event\":\"ctrl\",.*\"payload\":\"0600112233445566\"' $tmp/beta.log && exit 0; sleep 0.1; done; exit 1"
# beta's last_rx must move because of the keepalive alone: first let
# everything before it age past 2 s (a loaded TCG guest made a fixed
# 0.5 s wait after the send too short to tell), then wait for it.
last_rx_ms() { n "$ns2" "$kctl" show pod0 --json | jq '.peer_list[0].stats.last_rx_ms'; }
last_rx_fresh() { local ms; ms=$(last_rx_ms) && [[ $ms -lt 1500 ]] || { echo "# last_rx_ms $ms"; return 1; }; }
sleep 2.1
check "before the keepalive, beta heard nothing for 2 s ($(last_rx_ms) ms)" \
	test "$(last_rx_ms)" -ge 2000
check "a keepalive is sent" n "$ns1" "$kctl" ctrl pod0 1 00
check "... refreshes beta's last_rx" wait_for 30 last_rx_fresh
check "... and is consumed, neither delivered nor notified" \
	bash -c "! grep -q '\"payload\":\"00\"' $tmp/beta.log"

# Relay channels: with one set, records leave wrapped in a relay header
# (type 5); a relay datagram whose channel is the peer's is unwrapped.
# Here the two sides talk directly, so each sees the other's wrapper (and
# it comes from the peer's endpoint, which is where its relay must be).
# On another channel a record is still the kernel's to open: its replay
# window is the only one (the daemon would take replays).
n "$ns1" "$kctl" peer pod0 1 --relay 77
n "$ns2" "$kctl" peer pod0 1 --relay 77
check "ping through relay headers (channel 77 both ways)" n "$ns1" ping -c 3 -W 3 10.77.0.2
n "$ns2" "$kctl" peer pod0 1 --relay 78
check "a relay datagram on another channel is opened in the kernel, not passed up" bash -c "
	ip netns exec $ns1 ping -c 2 -W 3 10.77.0.2 >/dev/null &&
	! grep -q '\"passed_up\"' $tmp/beta.log"
n "$ns1" "$kctl" peer pod0 1 --relay 0
n "$ns2" "$kctl" peer pod0 1 --relay 0
check "direct again" n "$ns1" ping -c 2 -W 3 10.77.0.2
dmesg_clean_check
ktap_finish
