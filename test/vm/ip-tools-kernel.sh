#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# ip-tools.sh's adoption with podnet.ko: the user makes the link with
# `ip link add pod0 type podnet` and gives it an address, MTU and route;
# podnetd adopts it, keeps them, and leaves the link when it stops. A link
# podnetd made itself carries the alias "podnetd": after a kill -9 the
# next podnetd replaces it rather than adopting it. A podnetd killed on
# the user's link leaves peers in it, which the next one removes.
#
#  ┌─ $ns1: alpha ────────────────┐          ┌─ $ns2: beta ────────────────┐
#  │ pod0 (ip link add type podnet│          │ pod0 10.77.0.2 (podnetd's)  │
#  │   10.77.0.1/24, mtu 1300,    │          │                             │
#  │   route 10.99.0.0/16)        │          │                             │
#  │ veth1 192.168.246.1          ├──────────┤ veth2 192.168.246.2         │
#  └──────────────────────────────┘          └─────────────────────────────┘

source "$(dirname "$0")/common.sh"
vm_require_podnet
ktap_header "podnet.ko: podnetd adopts a podnet link made with ip"

vm_load_podnet_check
two_node_bed 246
sed -i '/^LogLevel/a DataPath = kernel' "$tmp/alpha.conf" "$tmp/beta.conf"

link_of() { n "$ns1" ip -o link show dev pod0; }
addrs_of() { n "$ns1" ip -o -4 addr show dev pod0 | awk '{print $4}' | sort | xargs; }
has_route() { grep -q "^$1 " <<<"$(n "$ns1" ip -4 route show dev pod0)"; }

# A TUN of that name is no podnet link: refused, and left alone.
n "$ns1" ip tuntap add pod0 mode tun
out=$(n "$ns1" "$podnetd" "$tmp/alpha.conf" 2>&1) && status=0 || status=$?
check "DataPath = kernel on the user's TUN: exit 1, saying what it is" \
	test "$status" = 1 -a -n "$(grep 'is a tun link, not a podnet link' <<<"$out")"
check "... and the TUN is still there" link_of
n "$ns1" ip link del pod0

n "$ns1" ip link add pod0 type podnet
n "$ns1" ip link set pod0 mtu 1300
n "$ns1" ip addr add 10.77.0.1/24 dev pod0
n "$ns1" ip link set pod0 up
n "$ns1" ip route add 10.99.0.0/16 dev pod0

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "alpha adopted the user's podnet link" grep -q "adopted the existing link" "$tmp/alpha.log"
check "alpha runs the kernel data path" test "$(iface_field alpha datapath)" = kernel
check "the user's address is kept, none added" test "$(addrs_of)" = 10.77.0.1/24
check "the user's route is kept" has_route 10.99.0.0/16
check "the user's MTU 1300 is kept" grep -q "mtu 1300 " <<<"$(link_of)"
check "session established" wait_for 200 peer_established alpha beta
check "ping across the adopted link" n "$ns1" ping -c 3 -i 0.2 -W 2 10.77.0.2
check "beta's own link carries the alias podnetd" \
	grep -q "alias podnetd" <<<"$(n "$ns2" ip -d link show dev pod0)"

# A killed podnetd leaves its link: the next one replaces it.
kill -KILL "$pid_beta"
wait "$pid_beta" 2>/dev/null || true
# Its socket file stays too: start_daemon would not wait for the new one.
rm -f "$tmp/beta.sock"
if start_daemon "$ns2" beta; then
	ok "beta starts again after kill -9"
else
	not_ok "beta starts again after kill -9"
fi
check "... replacing the link the dead daemon left" \
	grep -q "left by a previous podnetd; replacing it" "$tmp/beta.log"
check "... and gets a session again" wait_for 200 peer_established alpha beta

# A podnetd killed on the user's link leaves its peers and keys in it;
# the next one adopts the link again and clears them out first.
kill -KILL "$pid_alpha"
wait "$pid_alpha" 2>/dev/null || true
rm -f "$tmp/alpha.sock"
if start_daemon "$ns1" alpha; then
	ok "alpha starts again on the user's link after kill -9"
else
	not_ok "alpha starts again on the user's link after kill -9"
fi
# The log is read on every try, not once when the check is made.
adopted_times() {
	test "$(grep -c 'adopted the existing link' "$tmp/alpha.log")" -eq "$1"
}
check "... adopting it again" wait_for 50 adopted_times 2
check "... removing the peer the dead daemon left in it" \
	wait_for 50 grep -q "removed 1 peers a previous podnetd left" "$tmp/alpha.log"
check "... and gets a session again" wait_for 200 peer_established alpha beta
check "... ping" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2

check "alpha stops" stop_daemon alpha
check "the user's link stays" link_of
check "... with the user's address" test "$(addrs_of)" = 10.77.0.1/24
check "... route" has_route 10.99.0.0/16
check "... and MTU" grep -q "mtu 1300 " <<<"$(link_of)"
stop_daemon beta
n "$ns1" ip link del pod0
wait_for 50 vm_unload_podnet || true
dmesg_clean_check
ktap_finish
