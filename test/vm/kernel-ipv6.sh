#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# IPv6 inside the tunnel on podnet.ko: two podnetd nodes on the kernel
# data path with Address = v4 and v6, certificates with an IPv6 SAN. The
# daemon hands each peer's IPv6 address to the module (PODNET_A_PEER_ADDR6);
# the module routes inner IPv6 by it, checks the inner source of what
# arrives, and answers an address nobody holds with ICMPv6 unreachable.
#
#  ┌─ $ns1: alpha ───────────────┐          ┌─ $ns2: beta ────────────────┐
#  │ pod0 10.77.0.1 fd77::1      │          │ pod0 10.77.0.2 fd77::2      │
#  │      podnet.ko              │          │      podnet.ko, sshd        │
#  │ veth1 192.168.246.1         ├──────────┤ veth2 192.168.246.2         │
#  └─────────────────────────────┘          └─────────────────────────────┘

source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/../lib/chaos.sh"	# ping_gap_ms
vm_require_podnet
ktap_header "podnet.ko: IPv6 inside the tunnel"

vm_load_podnet_check
ns_create ns1 alpha
ns_create ns2 beta
veth_link "$ns1" veth1 192.168.246.1/24 "$ns2" veth2 192.168.246.2/24
make_ca "$tmp/ca" test-net
for n6 in alpha:1 beta:2; do
	"$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --name "${n6%:*}" \
		--address "10.77.0.${n6#*:}" --address "fd77::${n6#*:}" \
		--days 30 >/dev/null
done
write_config "$tmp/alpha.conf" alpha "$tmp/ca" "10.77.0.1/24, fd77::1/64" \
	51820 beta 192.168.246.2:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" "10.77.0.2/24, fd77::2/64" \
	51820 alpha 192.168.246.1:51820
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
# alpha names the kernel, beta takes it through DataPath = auto.
sed -i '/^LogLevel/a DataPath = kernel' "$tmp/alpha.conf"
sed -i '/^LogLevel/a DataPath = auto' "$tmp/beta.conf"

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 200 peer_established alpha beta
check "alpha: kernel data path with an IPv6 Address" \
	test "$(iface_field alpha datapath)" = kernel
check "beta: DataPath = auto takes the kernel too" \
	test "$(iface_field beta datapath)" = kernel
check "alpha's podnet link has fd77::1/64" \
	grep -q "inet6 fd77::1/64" <<<"$(n "$ns1" ip -6 addr show dev pod0)"
check "ping 10.77.0.2 (IPv4 still works)" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2
check "ping -6 fd77::2 across podnet.ko" \
	wait_for 20 n "$ns1" ping -6 -c 1 -W 2 fd77::2
check "ping -6 fd77::1 from beta" n "$ns2" ping -6 -c 2 -i 0.2 -W 2 fd77::1
check "a 1280-byte IPv6 packet crosses" \
	n "$ns1" ping -6 -c 1 -W 2 -M do -s 1232 fd77::2
rx6=$(peer_field beta alpha rx_packets)
check "beta's module counted them (rx_packets $rx6)" test "${rx6:-0}" -ge 4

start_sshd "$ns2" fd77::2 || true
check "ssh root@fd77::2 across the kernel path" \
	test "$(ssh_run "$ns1" fd77::2 echo over-podnet-ko6 2>/dev/null)" = over-podnet-ko6

# TCP over IPv6: GSO super-packets (TCPv6) cut up by podnet_xmit().
transfer6() { # transfer6 FROM TO ADDR FILE
	local port=9006
	rm -f "$tmp/received"
	ip netns exec "$2" timeout 60 socat -u \
		"TCP6-LISTEN:$port,bind=[$3],reuseaddr" "OPEN:$tmp/received,creat,trunc" &
	local rx=$!
	wait_for 50 _tcp_listening "$2" "$port" || { kill "$rx"; return 1; }
	local t0=$(date +%s%N)
	ip netns exec "$1" timeout 60 socat -u "OPEN:$4" \
		"TCP6:[$3]:$port,connect-timeout=10" || { kill "$rx"; return 1; }
	wait "$rx" || true
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$tmp/transfer.ms"
	[[ $(sha256sum <"$tmp/received" | cut -d' ' -f1) == \
	   $(sha256sum <"$4" | cut -d' ' -f1) ]]
}
blob_mb 10
check "10 MB over TCP/IPv6, sha256 intact" transfer6 "$ns1" "$ns2" fd77::2 "$tmp/blob"
echo "# 10 MB over IPv6 on podnet.ko (TCG) in $(cat "$tmp/transfer.ms") ms"

# Cryptokey routing of inner IPv6, both ways.
before=$(iface_field alpha tx_no_route)
out=$(n "$ns1" ping -6 -c 1 -W 2 fd77::99 2>&1 || true)
check "ping -6 to an address nobody holds: ICMPv6 unreachable" \
	grep -qi "unreachable" <<<"$out"
check "... counted as tx_no_route" \
	test "$(iface_field alpha tx_no_route)" -gt "$before"
n "$ns2" ip -6 addr add fd77::50/64 dev pod0 nodad
check "a spoofed inner IPv6 source is not delivered" \
	bash -c "! ip netns exec $ns2 ping -6 -c 2 -i 0.2 -W 1 -I fd77::50 fd77::1"
check "... and alpha's module counts it (drop_bad_source)" \
	test "$(peer_field alpha beta drop_bad_source)" -ge 2
n "$ns2" ip -6 addr del fd77::50/64 dev pod0

# beta restarts: the new session's PEER_SET gives fd77::2 back.
n "$ns1" ping -6 -n -D -i 0.2 -W 1 -w 12 fd77::2 >"$tmp/restart.ping" 2>&1 &
pinger=$!
sleep 1
stop_daemon beta
start_daemon "$ns2" beta
wait "$pinger" || true
gap=$(ping_gap_ms "$tmp/restart.ping" "$(date +%s.%N)")
echo "# beta's restart: IPv6 pings answered again after a gap of $gap ms"
check "after beta's restart: established again" wait_for 150 peer_established alpha beta
check "... and ping -6 fd77::2 works" wait_for 50 n "$ns1" ping -6 -c 1 -W 1 fd77::2
check "... ping 10.77.0.2 too" n "$ns1" ping -c 1 -W 2 10.77.0.2

stop_daemon alpha
stop_daemon beta
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
