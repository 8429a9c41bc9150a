#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# IPv6 subnets behind a node (userspace data path): beta's certificate
# routes fd99::/64 (SAN podnet:route:fd99::/64), a LAN behind it; alpha
# reaches a LAN host through beta and the host answers back; gamma may
# not speak for that LAN (drop_bad_source); alpha's route goes when it
# stops. The IPv4 side of subnets is test/netns/subnet.sh.
#
#  ┌───────────────────────┐   ┌───────────────────────┐   ┌─────────────────┐
#  │ $ns1: alpha           │   │ $ns2: beta (forwards) │   │ $ns4: lan host  │
#  │  pod0 fd77::1/64      │   │  pod0 fd77::2/64      │   │  fd99::10/64    │
#  │  veth1 192.168.241.1  ├───┤  veth2 192.168.241.2  │   │  default via    │
#  │  veth3 192.168.243.1  │   │  veth5 fd99::1/64     ├───┤  fd99::1        │
#  └──────────┬────────────┘   └───────────────────────┘   └─────────────────┘
#             │  ┌───────────────────────┐
#             └──┤ $ns3: gamma           │
#                │  pod0 fd77::3/64      │
#                └───────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: IPv6 subnets behind a node"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 gamma
ns_create ns4 lan
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
veth_link "$ns1" veth3 192.168.243.1/24 "$ns3" veth4 192.168.243.3/24
ip link add veth5 netns "$ns2" type veth peer name veth6 netns "$ns4"
n "$ns2" ip -6 addr add fd99::1/64 dev veth5 nodad
n "$ns4" ip -6 addr add fd99::10/64 dev veth6 nodad
n "$ns2" ip link set veth5 up
n "$ns4" ip link set veth6 up
n "$ns4" ip -6 route add default via fd99::1
n "$ns2" sysctl -qw net.ipv6.conf.all.forwarding=1

make_ca "$tmp/ca" "test-net"
issue() { "$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --days 30 "$@" >/dev/null; }
issue --name alpha --address 10.77.0.1 --address fd77::1
issue --name beta --address 10.77.0.2 --address fd77::2 --route fd99::/64 \
	--route 192.168.50.0/24
issue --name gamma --address fd77::3

json=$("$podnet" cert show --json "$tmp/ca/beta.crt")
check "cert show --json lists beta's IPv6 and IPv4 subnets" \
	test "$(jq -r '.routes | join(",")' <<<"$json")" = "fd99::/64,192.168.50.0/24"
check "cert show prints the IPv6 one" \
	grep -q "route: fd99::/64" <<<"$("$podnet" cert show "$tmp/ca/beta.crt")"
refused() { # refused ROUTE TEXT: cert issue refuses ROUTE, saying TEXT
	local out
	! out=$("$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp" --name bad6 \
		--address fd77::9 --route "$1" 2>&1) && grep -q "$2" <<<"$out"
}
check "an IPv6 route with host bits is refused, saying so" refused fd99::1/64 "host bits"
check "... and one not in its RFC 5952 spelling, naming that spelling" \
	refused fd99:0:0::/64 "write the network as fd99::"

write_config "$tmp/alpha.conf" alpha "$tmp/ca" "10.77.0.1/24, fd77::1/64" 51820 \
	beta 192.168.241.2:51820 gamma 192.168.243.3:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" "10.77.0.2/24, fd77::2/64" 51820 \
	alpha 192.168.241.1:51820
write_config "$tmp/gamma.conf" gamma "$tmp/ca" "fd77::3/64" 51820 \
	alpha 192.168.243.1:51820
start_daemon "$ns1" alpha
start_daemon "$ns2" beta
start_daemon "$ns3" gamma
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
check "alpha -> gamma session established" wait_for 100 peer_established alpha gamma

alpha_route6() { n "$ns1" ip -6 route show fd99::/64 | grep -q "dev pod0"; }
check "alpha has a kernel route to beta's fd99::/64 via pod0" wait_for 50 alpha_route6
check "... and to its 192.168.50.0/24 too" \
	bash -c "ip netns exec $ns1 ip -4 route show 192.168.50.0/24 | grep -q 'dev pod0'"
check "beta installs no route for its own subnet on pod0" \
	bash -c "! ip netns exec $ns2 ip -6 route show dev pod0 | grep -q fd99"

json=$(show_json alpha)
check "show --json: beta's subnets, both families" \
	test "$(jq -c '.peers[] | select(.name=="beta") | .subnets' <<<"$json")" = '["fd99::/64","192.168.50.0/24"]'
check "... gamma has none (no key)" \
	test "$(jq -c '.peers[] | select(.name=="gamma") | .subnets' <<<"$json")" = null
check "show: '  subnets: fd99::/64, 192.168.50.0/24' under beta" \
	grep -q "^  subnets: fd99::/64, 192.168.50.0/24\$" <<<"$("$podnet" show --socket "$tmp/alpha.sock")"

# --- traffic to the LAN and back ----------------------------------------------
check "alpha pings the LAN host fd99::10 behind beta" \
	n "$ns1" ping -6 -c 3 -i 0.2 -W 2 fd99::10
check "the LAN host pings alpha's fd77::1 back (beta forwards)" \
	n "$ns4" ping -6 -c 2 -i 0.2 -W 2 fd77::1
tcp6() {
	rm -f "$tmp/received"
	ip netns exec "$ns4" timeout 20 socat -u "TCP6-LISTEN:9066,bind=[fd99::10],reuseaddr" \
		"OPEN:$tmp/received,creat,trunc" &
	local rx=$!
	wait_for 50 _tcp_listening "$ns4" 9066 || { kill "$rx"; return 1; }
	head -c 2000000 /dev/urandom >"$tmp/blob"
	ip netns exec "$ns1" timeout 20 socat -u "OPEN:$tmp/blob" "TCP6:[fd99::10]:9066" ||
		{ kill "$rx"; return 1; }
	wait "$rx" || true
	cmp -s "$tmp/blob" "$tmp/received"
}
check "2 MB over TCP/IPv6 from alpha to the LAN host arrive intact" tcp6
rm -f "$tmp/blob" "$tmp/received"

# --- gamma may not speak for beta's LAN -----------------------------------------
before=$(peer_field alpha gamma drop_bad_source)
n "$ns3" ip -6 addr add fd99::99/128 dev pod0 nodad
check "a packet from gamma with a source in beta's fd99::/64 is not delivered" \
	bash -c "! ip netns exec $ns3 ping -6 -c 3 -i 0.2 -W 1 -I fd99::99 fd77::1"
check "... and alpha counts it as gamma's drop_bad_source" \
	test "$(peer_field alpha gamma drop_bad_source)" -ge $((before + 3))
n "$ns3" ip -6 addr del fd99::99/128 dev pod0
before=$(peer_field alpha beta drop_bad_source)
n "$ns4" ip -6 addr add fd98::10/64 dev veth6 nodad
check "beta may not speak for addresses outside its subnets (fd98::10)" \
	bash -c "! ip netns exec $ns4 ping -6 -c 2 -i 0.2 -W 1 -I fd98::10 fd77::1"
check "... counted as beta's drop_bad_source" \
	test "$(peer_field alpha beta drop_bad_source)" -ge $((before + 2))

# --- the routing node restarts ---------------------------------------------------
t0=$(now_ms)
kill9_restart "$ns2" beta
recovery_check "beta (routes fd99::/64) killed (-9) and restarted: alpha -> fd99::10" \
	"$t0" 15 pings "$ns1" fd99::10 -6
check "... alpha's route to fd99::/64 is there again" alpha_route6
# From fd99::10: the host also holds fd98::10 since the check above.
check "... and the LAN host reaches alpha back" \
	n "$ns4" ping -6 -c 2 -i 0.2 -W 2 -I fd99::10 fd77::1

# --- a node without an IPv6 address does not route an IPv6 subnet ---------------
stop_daemon alpha
check "alpha's exit takes its route to fd99::/64 with the link" \
	bash -c "! ip netns exec $ns1 ip -6 route show fd99::/64 | grep -q ."
issue --name alpha4 --address 10.77.0.4
write_config "$tmp/alpha4.conf" alpha4 "$tmp/ca" "10.77.0.4/24" 51820 \
	beta 192.168.241.2:51820
start_daemon "$ns1" alpha4
check "v4-only alpha4 -> beta established" wait_for 100 peer_established alpha4 beta
check "... it says it does not route the IPv6 subnet" \
	wait_for 30 grep -q "subnet fd99::/64 is IPv6 and this node has no IPv6 Address" "$tmp/alpha4.log"
check "... and still routes the IPv4 one" \
	bash -c "ip netns exec $ns1 ip -4 route show 192.168.50.0/24 | grep -q 'dev pod0'"

check "daemons still running" daemons_alive alpha4 beta gamma
ktap_finish
