#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# IPv6 lookups through the rendezvous on podnet.ko: laptop knows only
# the rendezvous; a packet to office's fd77::11 finds no peer in the
# module, waits in the device queue, the module says NOTIFY_NO_ROUTE with
# the 16-byte address, podnetd asks the rendezvous (a lookup by IPv6
# address), and the packet goes once the session is up: a cold
# `ping -6 -c 5` loses nothing. An IPv6 address nobody holds: the
# rendezvous says so, podnetd sends ROUTE_DROP with it, and the module
# answers the waiting packet with ICMPv6 unreachable.
#
#   rv 198.18.0.1 (rendezvous, TUN)   office .11   laptop .12 (both podnet.ko)
#   10.77.0.1 fd77::1                 .11 ::11     .12 ::12

source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/../lib/nat.sh"
vm_require_podnet
ktap_header "podnet.ko: IPv6 lookups through the rendezvous"

vm_load_podnet_check
cert() { make_node_cert_addrs "$tmp/ca" "$@"; }
internet_create
public_host_create ns_rv rv "$nat_rendezvous"
make_ca "$tmp/ca" v6-rv-kernel
cert rv 10.77.0.1 fd77::1
write_config "$tmp/rv.conf" rv "$tmp/ca" "10.77.0.1/24, fd77::1/64" 51820
sed -i "/^LogLevel/a Rendezvous = yes\nRelayLimit = 200\nDataPath = tun\nKeepaliveInterval = 3" "$tmp/rv.conf"
start_daemon "$ns_rv" rv
rv_started=$SECONDS
node() { # node NAME N
	local __node __router
	site_create __node __router "$1" none "$2"
	printf -v "ns_$1" '%s' "$__node"
	cert "$1" "10.77.0.1$2" "fd77::1$2"
	nat_rv_config "$1" "$tmp/ca" "10.77.0.1$2/24, fd77::1$2/64"
	sed -i "/^LogLevel/a KeepaliveInterval = 3\nDataPath = kernel" "$tmp/$1.conf"
	sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/$1.conf"
	start_daemon "$__node" "$1"
}
node office 1
node laptop 2
check "office registered with the rendezvous" wait_for 300 peer_established office rv
check "laptop registered with the rendezvous" wait_for 300 peer_established laptop rv
laptop_up=$SECONDS
check "laptop: kernel data path" test "$(iface_field laptop datapath)" = kernel
check "laptop has no session with office yet" peer_not_established laptop office

out=$(n_timeout 60 "$ns_laptop" ping -6 -n -c 5 -i 0.3 -W 10 fd77::11 2>&1 || true)
echo "# cold ping -6 fd77::11 on podnet.ko: $(grep -m1 'time=' <<<"$out" | sed 's/.*time=/first answer in /')"
check "cold ping -6 -c 5 to fd77::11 through the rendezvous: 5 of 5 answered" \
	grep -q "5 packets transmitted, 5 received" <<<"$out"
check "... laptop's module has a session with office" peer_established laptop office
check "... and nothing went as no route" test "$(iface_field laptop tx_no_route)" = 0

before=$(iface_field laptop tx_no_route)
# A rendezvous younger than its keepalive interval + 2 s (5 s here)
# answers only then: the holder may have yet to register again
# (lookup_hold.c). The module keeps the packet 8 s at most, and drops it
# unanswered after that: ask once the rendezvous is past that age. (With
# the default 15 s keepalive the answer came 8.7 s after the ping on a
# slow run, and the ICMP error never.)
while ((SECONDS < rv_started + 6)); do sleep 0.5; done
out=$(n_timeout 30 "$ns_laptop" ping -6 -n -c 1 -W 20 fd77::99 2>&1 || true)
check "ping -6 fd77::99 (nobody's): ICMPv6 unreachable once the rendezvous said so" \
	grep -qi "unreachable" <<<"$out"
check "... counted as no route" wait_for 100 iface_above laptop tx_no_route "$before"
# The rendezvous' answers reach the daemon through the module: they
# count as UDP heard, so no node falls back to TCP (it did ~10 s after
# registering, with nothing listening on TCP to fall back to).
while ((SECONDS < laptop_up + 15)); do sleep 0.5; done
check "15 s on, both nodes still reach the rendezvous on UDP" \
	test "$(iface_field laptop transport) $(iface_field office transport)" = "udp udp"
check "every daemon alive" daemons_alive rv office laptop

stop_daemon laptop
stop_daemon office
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
