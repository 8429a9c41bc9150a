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
#  │         mtu 1340, :51820         │         mtu 1340, :51820
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

(umask 077
for side in a b; do
	wg genkey >"$tmp/$side.key"
	wg pubkey <"$tmp/$side.key" >"$tmp/$side.pub"
done)

# setup_wg NS SELF PEER INNER PEER_INNER PEER_OUTER
setup_wg() {
	n "$1" ip link add wg0 type wireguard &&
	n "$1" wg set wg0 listen-port 51820 private-key "$tmp/$2.key" \
		peer "$(cat "$tmp/$3.pub")" allowed-ips "$5/32" endpoint "$6:51820" &&
	n "$1" ip addr add "$4/24" dev wg0 &&
	n "$1" ip link set wg0 mtu 1340 up
}
check "wg0 in wg-a" setup_wg "$ns1" a b 10.88.0.1 10.88.0.2 192.168.241.2
check "wg0 in wg-b" setup_wg "$ns2" b a 10.88.0.2 10.88.0.1 192.168.241.1
check "wg-b's public key as wg-a's peer, exactly" \
	test "$(n "$ns1" wg show wg0 peers)" = "$(cat "$tmp/b.pub")"

check "ping 10.88.0.2 through WireGuard" \
	wait_for 50 n "$ns1" ping -c 1 -W 1 10.88.0.2
check "... and back" n "$ns2" ping -c 2 -i 0.2 -W 2 10.88.0.1
check "a handshake is recorded" \
	bash -c "[[ \$(ip netns exec $ns1 wg show wg0 latest-handshakes | cut -f2) -gt 0 ]]"

# 20 MB of plain TCP across the tunnel, checked end to end.
head -c 20000000 /dev/urandom >"$tmp/blob"
ip netns exec "$ns2" timeout 120 socat -u TCP-LISTEN:9000,bind=10.88.0.2,reuseaddr \
	"OPEN:$tmp/received,creat,trunc" &
receiver=$!
wait_for 50 bash -c "ip netns exec $ns2 ss -Hltn 'sport = :9000' | grep -q LISTEN" || true
start_ns=$(date +%s%N)
n "$ns1" timeout 120 socat -u "OPEN:$tmp/blob" TCP:10.88.0.2:9000 && sent=0 || sent=$?
wait "$receiver" || true
echo "# 20 MB in $(( ($(date +%s%N) - start_ns) / 1000000 )) ms"
check "20 MB over TCP through WireGuard" test "$sent" -eq 0
check "... arrive intact (sha256)" \
	test "$(sha256sum <"$tmp/blob" | cut -d' ' -f1)" = "$(sha256sum <"$tmp/received" | cut -d' ' -f1)"
check "... and wg-b counts them received" \
	bash -c "[[ \$(ip netns exec $ns2 wg show wg0 transfer | cut -f2) -ge 20000000 ]]"
rm -f "$tmp/blob" "$tmp/received"

check "deleting the namespaces' devices" \
	bash -c "ip -n $ns1 link del wg0 && ip -n $ns2 link del wg0"
dmesg_clean_check
ktap_finish
