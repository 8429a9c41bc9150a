#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# IPv6 inside the tunnel (userspace data path): certificates with an IPv6
# SAN, Address with both families, ping -6, ssh and a sha256-checked TCP
# transfer over the v6 virtual address (TSO/GSO super-packets of TCP over
# IPv6), cryptokey routing of inner IPv6 both ways, ICMPv6 errors, a
# v6-only node, and v6 traffic back after a peer's restart and after its
# outer address changed (a NAT rebinding, without the NAT).
#
#  ┌──────────────────────────┐       ┌──────────────────────────┐
#  │ $ns1: alpha              │       │ $ns2: beta               │
#  │  pod0 10.77.0.1/24       │       │  pod0 10.77.0.2/24       │
#  │       fd77::1/64         │       │       fd77::2/64, sshd   │
#  │  veth1 192.168.241.1     ├───────┤  veth2 192.168.241.2     │
#  │  veth3 192.168.243.1     │       └──────────────────────────┘
#  └────────────┬─────────────┘
#               │                     ┌──────────────────────────┐
#               └─────────────────────┤ $ns3: gamma (v6 only)    │
#                                     │  pod0 fd77::3/64         │
#                                     │  veth4 192.168.243.3     │
#                                     └──────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/chaos.sh"	# ping_gap_ms
ktap_header "podnet: IPv6 inside the tunnel"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 gamma
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
veth_link "$ns1" veth3 192.168.243.1/24 "$ns3" veth4 192.168.243.3/24

make_ca "$tmp/ca" "test-net"
cert6() { make_node_cert_addrs "$tmp/ca" "$@"; }
cert6 alpha 10.77.0.1 fd77::1
cert6 beta 10.77.0.2 fd77::2
cert6 gamma fd77::3

json=$("$podnet" cert show --json "$tmp/ca/alpha.crt")
check "cert show --json: both addresses from the SANs" \
	test "$(jq -r '.address + " " + .address6' <<<"$json")" = "10.77.0.1 fd77::1"
json=$("$podnet" cert show --json "$tmp/ca/gamma.crt")
check "a v6-only certificate: address null, address6 fd77::3" \
	test "$(jq -r '"\(.address) \(.address6)"' <<<"$json")" = "null fd77::3"
out=$("$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp" --name two6 \
	--address fd77::8 --address fd77::9 2>&1) && status=0 || status=$?
check "a second IPv6 address is refused" \
	grep -q "one IPv6 address per certificate" <<<"$out"

write_config "$tmp/alpha.conf" alpha "$tmp/ca" "10.77.0.1/24, fd77::1/64" \
	51820 beta 192.168.241.2:51820 gamma 192.168.243.3:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" "10.77.0.2/24, fd77::2/64" \
	51820 alpha 192.168.241.1:51820
write_config "$tmp/gamma.conf" gamma "$tmp/ca" "fd77::3/64" 51820 \
	alpha 192.168.243.1:51820

# --- preflight: Address against the certificate ---------------------------
sed 's|^Address = .*|Address = 10.77.0.1/24, fd77::7/64|' "$tmp/alpha.conf" >"$tmp/wrong6.conf"
out=$("$podnetd" --check "$tmp/wrong6.conf" 2>&1) && status=0 || status=$?
check "preflight: an IPv6 Address the certificate lacks is refused" \
	bash -c "[[ $status -ne 0 ]] && grep -q 'holds fd77::1' <<<'$out'"
sed 's|^Address = .*|Address = 10.77.0.1/24, fd77::1/64\nDataPath = kernel|' "$tmp/alpha.conf" >"$tmp/kernel6.conf"
sed -i 's|^ControlSocket = .*|ControlSocket = '"$tmp"'/kernel6.sock|' "$tmp/kernel6.conf"
out=$(n "$ns1" "$podnetd" "$tmp/kernel6.conf" 2>&1) && status=0 || status=$?
# podnet.ko carries IPv6 too (test/vm/kernel-ipv6.sh): only the missing
# module (this host cannot load one) stops it here.
check "DataPath = kernel with an IPv6 Address is not refused for IPv6" \
	bash -c "[[ $status -ne 0 ]] && ! grep -q 'IPv4 only' <<<'$out' &&
		grep -q 'kernel module is not loaded' <<<'$out'"

start_daemon "$ns1" alpha
start_daemon "$ns2" beta
start_daemon "$ns3" gamma
check "alpha's pod0 has fd77::1/64" \
	grep -q "inet6 fd77::1/64" <<<"$(n "$ns1" ip -6 addr show dev pod0)"
check "alpha's pod0 has 10.77.0.1/24 too" \
	grep -q "inet 10.77.0.1/24" <<<"$(n "$ns1" ip -4 addr show dev pod0)"
check "alpha has the route to fd77::/64 on pod0" \
	grep -q "fd77::/64" <<<"$(n "$ns1" ip -6 route show dev pod0)"
check "gamma's pod0 has fd77::3/64 and no IPv4 address" \
	bash -c "ip netns exec $ns3 ip -6 addr show dev pod0 | grep -q 'inet6 fd77::3/64' &&
		! ip netns exec $ns3 ip -4 addr show dev pod0 | grep -q inet"
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
check "alpha -> gamma session established" wait_for 100 peer_established alpha gamma

# --- traffic ---------------------------------------------------------------
check "ping -6 fd77::2 from alpha" n "$ns1" ping -6 -c 2 -i 0.2 -W 2 fd77::2
check "ping -6 fd77::1 from beta" n "$ns2" ping -6 -c 2 -i 0.2 -W 2 fd77::1
check "ping 10.77.0.2 from alpha still works" n "$ns1" ping -c 1 -W 2 10.77.0.2
check "a 1280-byte IPv6 packet crosses" \
	n "$ns1" ping -6 -c 1 -W 2 -M do -s 1232 fd77::2

start_sshd "$ns2" fd77::2 || true
ssh_out=$(ssh_run "$ns1" fd77::2 'echo podnet-ssh6-ok' 2>&1 || true)
check "ssh root@fd77::2 runs a command across the tunnel" \
	grep -q podnet-ssh6-ok <<<"$ssh_out"

# TCP over IPv6: the TUN hands TSO super-packets (GSO_TCPV6) to podnetd.
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
blob_mb 30
tso_before=$(iface_field alpha tx_tso_super)
check "30 MB over TCP/IPv6 across the tunnel arrive intact (sha256)" \
	transfer6 "$ns1" "$ns2" fd77::2 "$tmp/blob"
echo "# 30 MB over IPv6 in $(cat "$tmp/transfer.ms") ms"
tso_after=$(iface_field alpha tx_tso_super)
echo "# TSO super-packets split by alpha: $((tso_after - tso_before))"
check "... sent as TSO super-packets (GSO_TCPV6) that alpha split" \
	test "$((tso_after - tso_before))" -gt 100
check "... and nothing from alpha's TUN was malformed" \
	test "$(iface_field alpha tx_bad_packet)" = 0
check "30 MB back from beta over TCP/IPv6 arrive intact" \
	transfer6 "$ns2" "$ns1" fd77::1 "$tmp/blob"
rm -f "$tmp/blob" "$tmp/received"

# --- podnet show -------------------------------------------------------------
json=$(show_json alpha)
check "show --json: address and address6 of the interface" \
	test "$(jq -r '.address + " " + .address6' <<<"$json")" = "10.77.0.1/24 fd77::1/64"
check "show --json: peer beta's address6 from its certificate" \
	test "$(jq -r '.peers[] | select(.name=="beta") | .address6' <<<"$json")" = fd77::2
check "show --json: v6-only gamma has address6 and no address" \
	test "$(jq -r '.peers[] | select(.name=="gamma") | "\(.address) \(.address6)"' <<<"$json")" = "null fd77::3"
ping_json=$("$podnet" ping --socket "$tmp/alpha.sock" --count 1 --json fd77:0::2 2>&1 || true)
check "podnet ping fd77:0::2 finds beta by its IPv6 address" \
	grep -q '"peer": "beta"' <<<"$ping_json"
pretty=$("$podnet" show --socket "$tmp/alpha.sock")
check "show: 'address6: fd77::1/64'" grep -q "^  address6: fd77::1/64" <<<"$pretty"
check "show --json: DNS on both addresses, domain pod" \
	test "$(jq -c '[.dns_domain, .dns_listen, .dns_resolved]' <<<"$json")" = '["pod",["10.77.0.1","fd77::1"],false]'
check "show: '  dns: NAME.pod on 10.77.0.1, fd77::1'" \
	grep -q "^  dns: NAME.pod on 10.77.0.1, fd77::1\$" <<<"$pretty"
check "show --json of v6-only gamma: DNS on fd77::3" \
	test "$(show_json gamma | jq -c .dns_listen)" = '["fd77::3"]'

# --- cryptokey routing, both ways ------------------------------------------
before=$(iface_field alpha tx_no_route)
out=$(n "$ns1" ping -6 -c 1 -W 2 fd77::99 2>&1 || true)
check "ping -6 to an address no certificate holds: ICMPv6 unreachable" \
	grep -qi "unreachable" <<<"$out"
check "... counted as no route" \
	test "$(iface_field alpha tx_no_route)" -gt "$before"
n "$ns2" ip -6 addr add fd77::50/64 dev pod0 nodad
check "spoofed inner IPv6 source is not delivered" \
	bash -c "! ip netns exec $ns2 ping -6 -c 2 -i 0.2 -W 1 -I fd77::50 fd77::1"
check "... and alpha counts it as bad source" \
	test "$(peer_field alpha beta drop_bad_source)" -ge 2
n "$ns2" ip -6 addr del fd77::50/64 dev pod0

# A device MTU raised past what a record carries: ICMPv6 packet too big
# with the configured MTU, and the sender's path MTU follows it.
n "$ns1" ip link set pod0 mtu 1500
out=$(n "$ns1" ping -6 -c 1 -W 2 -M do -s 1452 fd77::2 2>&1 || true)
check "a 1500-byte IPv6 packet gets ICMPv6 packet too big, mtu 1340" \
	grep -qi "too big.*1340" <<<"$out"
check "... and alpha's route to fd77::2 learnt mtu 1340" \
	bash -c "ip netns exec $ns1 ip -6 route get fd77::2 | grep -q 'mtu 1340'"
n "$ns1" ip link set pod0 mtu 1340

# --- a v6-only node ----------------------------------------------------------
check "ping -6 fd77::1 from v6-only gamma" n "$ns3" ping -6 -c 2 -i 0.2 -W 2 fd77::1
check "ping -6 fd77::3 from alpha" n "$ns1" ping -6 -c 1 -W 2 fd77::3
# Names: AAAA from the certificates (alpha answers on 10.77.0.1).
ask() { ip netns exec "$ns1" timeout 10 drill @10.77.0.1 "$1" "$2" 2>/dev/null; }
answers() { ask "$1" "$2" | grep -qi "^$2\.[[:space:]].*$1[[:space:]]*$3\$"; }
check "DNS: AAAA gamma.pod is gamma's certificate's fd77::3" answers AAAA gamma.pod fd77::3
check "DNS: AAAA beta.pod is fd77::2 ..." answers AAAA beta.pod fd77::2
check "... and its A is still 10.77.0.2" answers A beta.pod 10.77.0.2
# v6-only gamma answers on its IPv6 address, and only there.
listens53() { # listens53 NS PROTO: the local addresses on port 53
	ip netns exec "$1" ss -Hln"$2" 'sport = :53' | awk '{ print $4 }' | sort -u | tr '\n' ' '
}
check "DNS: v6-only gamma listens on [fd77::3]:53 alone (UDP and TCP)" \
	bash -c "[[ '$(listens53 "$ns3" u)' == '[fd77::3]:53 ' && '$(listens53 "$ns3" t)' == '[fd77::3]:53 ' ]]"
check "DNS: alpha listens on its IPv6 address too" \
	grep -q "\[fd77::1\]:53" <<<"$(listens53 "$ns1" u)"
answers6() { # answers6 NS SERVER TYPE NAME WANT [drill options]
	ip netns exec "$1" timeout 10 drill "${@:6}" @"$2" "$4" "$3" 2>/dev/null |
		grep -qi "^$4\.[[:space:]].*$3[[:space:]]*$5\$"
}
check "dig @fd77::3 from alpha through the tunnel: AAAA alpha.pod is fd77::1" \
	answers6 "$ns1" fd77::3 AAAA alpha.pod fd77::1
check "... over TCP too (drill -t)" answers6 "$ns1" fd77::3 AAAA alpha.pod fd77::1 -t
check "... gamma asks itself: AAAA gamma.pod is fd77::3" \
	answers6 "$ns3" fd77::3 AAAA gamma.pod fd77::3
check "... an unknown name: NXDOMAIN" \
	bash -c "ip netns exec $ns3 timeout 10 drill @fd77::3 nobody.pod AAAA 2>&1 | grep -q 'rcode: NXDOMAIN'"
# beta routes alpha's fd77::1 over the LAN (the veth), not the tunnel:
# the weak host model would take it, podnetd must not answer.
mac1=$(ip netns exec "$ns1" cat /sys/class/net/veth1/address)
n "$ns2" ip -6 route add fd77::1/128 dev veth2
n "$ns2" ip -6 neigh replace fd77::1 lladdr "$mac1" dev veth2
dropped=$(iface_field alpha dns_dropped)
lan_refused6() {
	! ip netns exec "$ns2" timeout 4 drill -Q alpha.pod @fd77::1 AAAA >/dev/null 2>&1 &&
		iface_above alpha dns_dropped "$dropped"
}
check "DNS over IPv6 from the LAN (not the tunnel): no answer, dns_dropped" lan_refused6
n "$ns2" ip -6 route del fd77::1/128 dev veth2
# gamma's certificate has no IPv4 address: IPv4 from it is another family.
n "$ns3" ip addr add 10.77.0.3/24 dev pod0
n "$ns3" ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null 2>&1 || true
check "inner IPv4 from v6-only gamma is dropped as drop_no_family" \
	test "$(peer_field alpha gamma drop_no_family)" -ge 2
n "$ns3" ip addr del 10.77.0.3/24 dev pod0

# --- a peer's restart, and its outer address changing (a rebinding) -----
# Pings from alpha every 0.2 s across beta's restart: the longest gap
# between answers is the recovery time.
n "$ns1" ping -6 -n -D -i 0.2 -W 1 -w 9 fd77::2 >"$tmp/restart.ping" 2>&1 &
pinger=$!
sleep 1
stop_daemon beta
check "beta's pod0 and its IPv6 address went with it" \
	bash -c "! ip netns exec $ns2 ip -6 addr show dev pod0 2>/dev/null | grep -q fd77::2"
start_daemon "$ns2" beta
wait "$pinger" || true
gap=$(ping_gap_ms "$tmp/restart.ping" "$(date +%s.%N)")
echo "# beta's restart: IPv6 pings from alpha answered again after a gap of $gap ms"
check "after beta's restart: alpha -> beta established again" \
	wait_for 150 peer_established alpha beta
check "... IPv6 pings from alpha came back within 6 s of the restart" \
	test "$gap" -lt 6000
blob_mb 5
check "... and 5 MB over TCP/IPv6 arrive intact" \
	transfer6 "$ns1" "$ns2" fd77::2 "$tmp/blob"
rm -f "$tmp/blob" "$tmp/received"

# beta's outer address changes under its session, as a NAT rebinding
# does: its next record moves alpha's path there.
n "$ns2" sysctl -qw net.ipv4.conf.veth2.promote_secondaries=1
n "$ns2" ping -6 -n -D -i 0.2 -W 1 -w 6 fd77::1 >"$tmp/rebind.ping" 2>&1 &
pinger=$!
sleep 1
n "$ns2" ip addr add 192.168.241.22/24 dev veth2
n "$ns2" ip addr del 192.168.241.2/24 dev veth2
wait "$pinger" || true
gap=$(ping_gap_ms "$tmp/rebind.ping" "$(date +%s.%N)")
echo "# beta's rebinding: IPv6 pings from beta answered again after a gap of $gap ms"
beta_moved() { [[ $(peer_field alpha beta endpoint) == 192.168.241.22:51820 ]]; }
check "after beta's address changed, alpha has its new endpoint" \
	wait_for 50 beta_moved
check "... and IPv6 both ways within 3 s of the change" \
	bash -c "[[ $gap -lt 3000 ]] && ip netns exec $ns1 ping -6 -c 1 -W 2 fd77::2 >/dev/null"

# --- a link the user made: podnetd adds only what is missing ---------------
stop_daemon gamma
n "$ns3" ip tuntap add pod0 mode tun
n "$ns3" ip -6 addr add fd77::3/128 dev pod0 nodad
n "$ns3" ip link set pod0 mtu 1300 up
start_daemon "$ns3" gamma
check "gamma adopts its own link with fd77::3/128: podnetd adds the route to fd77::/64" \
	grep -q "fd77::/64" <<<"$(n "$ns3" ip -6 route show dev pod0)"
check "... the user's /128 and MTU 1300 stay" \
	bash -c "ip netns exec $ns3 ip -6 addr show dev pod0 | grep -q 'fd77::3/128' &&
		ip netns exec $ns3 ip link show dev pod0 | grep -q 'mtu 1300'"
check "... and IPv6 crosses" wait_for 50 n "$ns3" ping -6 -c 1 -W 1 fd77::1
stop_daemon gamma
check "gamma stopped: its route went, the user's address and link stay" \
	bash -c "ip netns exec $ns3 ip -6 addr show dev pod0 | grep -q 'fd77::3/128' &&
		! ip netns exec $ns3 ip -6 route show dev pod0 | grep -q 'fd77::/64'"
n "$ns3" ip link del pod0

check "alpha and beta alive" daemons_alive alpha beta
ktap_finish
