#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The kernel's own WireGuard between two namespaces, in the VM: proves
# the VM runner end to end (module autoloading, netns, veth, host tools
# from the shared root) and is the bed the kernel benchmark compares
# podnet.ko with (scripts/bench-kernel.sh).
#
#  ┌────────────────────────┐         ┌────────────────────────┐
#  │ $ns1: wg-a             │         │ $ns2: wg-b             │
#  │   wg0   10.88.0.1/24   │         │   wg0   10.88.0.2/24   │
#  │         mtu 1340, :51821         │         mtu 1340, :51821
#  │   veth1 192.168.241.1  ├─────────┤   veth2 192.168.241.2  │
#  └────────────────────────┘         └────────────────────────┘

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
ktap_header "kernel WireGuard between two namespaces (reference)"
vm_require

check "modprobe wireguard" modprobe wireguard
ns_create ns1 wg-a
ns_create ns2 wg-b
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24

# The same setup as scripts/bench-kernel.sh's (wg_setup, test/lib/netns.sh).
wg_keys a b
check "wg0 in wg-a" wg_setup "$ns1" wg0 a b 10.88.0.1 10.88.0.2 192.168.241.2
check "wg0 in wg-b" wg_setup "$ns2" wg0 b a 10.88.0.2 10.88.0.1 192.168.241.1
check "wg-b's public key as wg-a's peer, exactly" \
	test "$(n "$ns1" wg show wg0 peers)" = "$(cat "$tmp/wg-b.pub")"

check "ping 10.88.0.2 through WireGuard" \
	wait_for 50 n "$ns1" ping -c 1 -W 1 10.88.0.2
check "... and back" n "$ns2" ping -c 2 -i 0.2 -W 2 10.88.0.1
check "a handshake is recorded" \
	bash -c "[[ \$(ip netns exec $ns1 wg show wg0 latest-handshakes | cut -f2) -gt 0 ]]"

# 20 MB of plain TCP across the tunnel, checked end to end.
blob_mb 20
check "20 MB over TCP through WireGuard arrive intact (sha256)" \
	transfer "$ns1" "$ns2" 10.88.0.2 "$tmp/blob"
echo "# 20 MB in $(cat "$tmp/transfer.ms") ms"
check "... and wg-b counts them received" \
	bash -c "[[ \$(ip netns exec $ns2 wg show wg0 transfer | cut -f2) -ge 20000000 ]]"
rm -f "$tmp/blob" "$tmp/received"

check "deleting the namespaces' devices" \
	bash -c "ip -n $ns1 link del wg0 && ip -n $ns2 link del wg0"
dmesg_clean_check
ktap_finish
