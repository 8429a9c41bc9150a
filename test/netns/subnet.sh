#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Subnets behind a node (site-to-site), userspace data path: beta's
# certificate routes 192.168.50.0/24, a LAN behind it; alpha reaches a LAN
# host through beta (ping, a sha256-checked TCP transfer) and the host
# answers back; gamma may not speak for that LAN (drop_bad_source);
# Routes = off leaves alpha's kernel routes to the user; traffic to the
# LAN comes back after beta's restart; a subnet two certificates claim
# goes to the second when the first lets it go (re-issued, revoked).
#
#  ┌───────────────────────┐   ┌───────────────────────┐   ┌─────────────────┐
#  │ $ns1: alpha           │   │ $ns2: beta (forwards) │   │ $ns4: lan host  │
#  │  pod0 10.77.0.1/24    │   │  pod0 10.77.0.2/24    │   │  192.168.50.10  │
#  │  veth1 192.168.241.1  ├───┤  veth2 192.168.241.2  │   │  default via    │
#  │  veth3 192.168.243.1  │   │  veth5 192.168.50.1   ├───┤  192.168.50.1   │
#  └──────────┬────────────┘   └───────────────────────┘   └─────────────────┘
#             │  ┌───────────────────────┐
#             └──┤ $ns3: gamma           │
#                │  pod0 10.77.0.3/24    │
#                │  veth4 192.168.243.3  │
#                └───────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/chaos.sh"	# ping_gap_ms
ktap_header "podnet: subnets behind a node"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 gamma
ns_create ns4 lan
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
veth_link "$ns1" veth3 192.168.243.1/24 "$ns3" veth4 192.168.243.3/24
veth_link "$ns2" veth5 192.168.50.1/24 "$ns4" veth6 192.168.50.10/24
n "$ns4" ip route add default via 192.168.50.1
n "$ns2" sysctl -qw net.ipv4.ip_forward=1

make_ca "$tmp/ca" "test-net"
make_node_cert "$tmp/ca" alpha 10.77.0.1
"$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --name beta \
	--address 10.77.0.2 --route 192.168.50.0/24 --days 30 >/dev/null
make_node_cert "$tmp/ca" gamma 10.77.0.3

json=$("$podnet" cert show --json "$tmp/ca/beta.crt")
check "cert show --json lists beta's routed subnet" \
	test "$(jq -r '.routes | join(",")' <<<"$json")" = 192.168.50.0/24
check "cert show prints it" \
	grep -q "route: 192.168.50.0/24" <<<"$("$podnet" cert show "$tmp/ca/beta.crt")"
bad_out=$("$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp" --name bad \
	--address 10.77.0.9 --route 192.168.50.1/24 2>&1) && status=0 || status=$?
refused_host_bits() { [[ $status -ne 0 ]] && grep -q "host bits" <<<"$bad_out"; }
check "a route with host bits is refused, saying so" refused_host_bits

write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.241.2:51820 gamma 192.168.243.3:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 \
	alpha 192.168.241.1:51820
write_config "$tmp/gamma.conf" gamma "$tmp/ca" 10.77.0.3/24 51820 \
	alpha 192.168.243.1:51820

start_daemon "$ns1" alpha
start_daemon "$ns2" beta
start_daemon "$ns3" gamma
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
check "alpha -> gamma session established" wait_for 100 peer_established alpha gamma
# A node that forwards keeps its TUN device's gso_max_segs: the LAN's GSO
# packets would come over a cap and be cut up in software (doc/bench.md).
check "beta forwards: its pod0 keeps gso_max_segs 65535" test "$(gso_max_segs_of "$ns2")" = 65535
check "alpha does not: its pod0 has gso_max_segs 46 (one UDP send)" \
	test "$(gso_max_segs_of "$ns1")" = 46
# Forwarding switched on at run time: the cap goes within seconds, and
# comes back when it is switched off.
gso_is() { [[ $(gso_max_segs_of "$1") == "$2" ]]; }
n "$ns1" sysctl -qw net.ipv4.ip_forward=1
check "alpha starts forwarding: its pod0 back to gso_max_segs 65535" \
	wait_for 30 gso_is "$ns1" 65535
n "$ns1" sysctl -qw net.ipv4.ip_forward=0
check "... and to 46 when it stops" wait_for 30 gso_is "$ns1" 46

alpha_route() { n "$ns1" ip -4 route show 192.168.50.0/24 | grep -q "dev pod0"; }
check "alpha has a kernel route to beta's 192.168.50.0/24 via pod0" \
	wait_for 50 alpha_route
check "beta installs no route for its own subnet on pod0" \
	bash -c "! ip netns exec $ns2 ip -4 route show dev pod0 | grep -q 192.168.50"

# --- traffic to the LAN and back --------------------------------------------
check "alpha pings the LAN host 192.168.50.10 behind beta" \
	n "$ns1" ping -c 3 -i 0.2 -W 2 192.168.50.10
check "the LAN host pings alpha's 10.77.0.1 back (beta forwards)" \
	n "$ns4" ping -c 2 -i 0.2 -W 2 10.77.0.1
blob_mb 10
check "10 MB from alpha to the LAN host arrive intact (sha256)" \
	transfer "$ns1" "$ns4" 192.168.50.10 "$tmp/blob"
echo "# 10 MB alpha -> LAN host in $(cat "$tmp/transfer.ms") ms"
check "10 MB from the LAN host to alpha arrive intact" \
	transfer "$ns4" "$ns1" 10.77.0.1 "$tmp/blob"
rm -f "$tmp/blob" "$tmp/received"

# --- gamma may not speak for beta's LAN ---------------------------------------
before=$(peer_field alpha gamma drop_bad_source)
n "$ns3" ip addr add 192.168.50.99/32 dev pod0
check "a packet from gamma with a source in beta's subnet is not delivered" \
	bash -c "! ip netns exec $ns3 ping -c 3 -i 0.2 -W 1 -I 192.168.50.99 10.77.0.1"
check "... and alpha counts it as gamma's drop_bad_source" \
	test "$(peer_field alpha gamma drop_bad_source)" -ge $((before + 3))
check "... while beta's LAN still gets through" \
	n "$ns4" ping -c 1 -W 2 10.77.0.1
n "$ns3" ip addr del 192.168.50.99/32 dev pod0

# --- beta's restart --------------------------------------------------------
n "$ns1" ping -n -D -i 0.2 -W 1 -w 9 192.168.50.10 >"$tmp/restart.ping" 2>&1 &
pinger=$!
sleep 1
stop_daemon beta
start_daemon "$ns2" beta
wait "$pinger" || true
gap=$(ping_gap_ms "$tmp/restart.ping" "$(date +%s.%N)")
echo "# beta's restart: pings from alpha to the LAN answered again after a gap of $gap ms"
check "after beta's restart, the LAN host answers alpha again within 6 s" \
	bash -c "[[ $gap -lt 6000 ]] && ip netns exec $ns1 ping -c 1 -W 2 192.168.50.10 >/dev/null"

# --- beta's certificate re-issued with other subnets ------------------------
# Routes follow the certificate at every handshake, not only the first:
# beta restarts with 192.168.60.0/24 instead of 192.168.50.0/24.
n "$ns2" ip addr add 192.168.60.1/24 dev veth5
n "$ns4" ip addr add 192.168.60.10/24 dev veth6
# issue_into DIR NAME ADDRESS SUBNET: a certificate for NAME, kept aside.
issue_into() {
	mkdir -p "$1"
	"$podnet" cert issue --ca-dir "$tmp/ca" --dir "$1" --name "$2" \
		--address "$3" --route "$4" --days 30 --force >/dev/null
}
# restart_with_cert NS NAME DIR: NAME restarts on DIR's certificate.
restart_with_cert() {
	stop_daemon "$2"
	cp "$3/$2.crt" "$3/$2.key" "$tmp/ca/"
	start_daemon "$1" "$2"
}
mkdir -p "$tmp/beta50"
cp "$tmp/ca/beta.crt" "$tmp/ca/beta.key" "$tmp/beta50/"
issue_into "$tmp/reissue" beta 10.77.0.2 192.168.60.0/24
restart_with_cert "$ns2" beta "$tmp/reissue"
alpha_route60() { n "$ns1" ip -4 route show 192.168.60.0/24 | grep -q "dev pod0"; }
no_route50() { ! n "$ns1" ip -4 route show 192.168.50.0/24 | grep -q .; }
check "beta re-issued with 192.168.60.0/24: alpha routes it" wait_for 100 alpha_route60
check "... and removed its route to 192.168.50.0/24" no_route50
check "... alpha pings 192.168.60.10 through beta" \
	n "$ns1" ping -c 2 -i 0.2 -W 2 192.168.60.10
before=$(peer_field alpha beta drop_bad_source)
check "... a source in 192.168.50.0/24 from beta is no longer accepted" \
	bash -c "! ip netns exec $ns4 ping -c 2 -i 0.2 -W 1 -I 192.168.50.10 10.77.0.1"
check "... counted as beta's drop_bad_source" \
	test "$(peer_field alpha beta drop_bad_source)" -ge $((before + 2))
restart_with_cert "$ns2" beta "$tmp/beta50"
check "beta back with 192.168.50.0/24: alpha routes it again" wait_for 100 alpha_route
check "... and no longer 192.168.60.0/24" \
	bash -c "! ip netns exec $ns1 ip -4 route show 192.168.60.0/24 | grep -q ."
check "... the LAN host answers alpha" n "$ns1" ping -c 2 -i 0.2 -W 2 192.168.50.10

# --- Routes = off --------------------------------------------------------------
stop_daemon alpha
check "alpha's exit takes its route to the LAN with the link" \
	bash -c "! ip netns exec $ns1 ip -4 route show 192.168.50.0/24 | grep -q ."
sed -i 's|^LogLevel = .*|&\nRoutes = off|' "$tmp/alpha.conf"
start_daemon "$ns1" alpha
check "Routes = off: alpha -> beta established" wait_for 100 peer_established alpha beta
sleep 0.5
check "... and alpha added no route to 192.168.50.0/24" \
	bash -c "! ip netns exec $ns1 ip -4 route show 192.168.50.0/24 | grep -q ."
n "$ns1" ip route add 192.168.50.0/24 dev pod0 src 10.77.0.1
check "... a route the user adds carries the traffic to the LAN" \
	n "$ns1" ping -c 2 -i 0.2 -W 2 192.168.50.10
check "showconf keeps Routes = off" \
	grep -q "^Routes = off" <<<"$("$podnet" showconf --socket "$tmp/alpha.sock" 2>&1)"

# --- one subnet, two certificates: the second gets it when the first lets go
# gamma is re-issued with beta's 192.168.50.0/24 too. alpha refuses it to
# gamma while beta holds it, hands it over when beta's new certificate
# drops it, and back to beta when gamma is revoked.
subnets_of() { peer_field alpha "$1" subnets | jq -r '(. // []) | join(",")'; }
holds() { [[ $(subnets_of "$1") == "$2" ]]; }
issue_into "$tmp/gamma50" gamma 10.77.0.3 192.168.50.0/24
restart_with_cert "$ns3" gamma "$tmp/gamma50"
check "gamma claims 192.168.50.0/24 too: alpha refuses it while beta holds it" \
	wait_for 100 grep -q "peer gamma: subnet 192.168.50.0/24 is already routed to beta; refusing the second until beta lets it go" "$tmp/alpha.log"
gamma_refused() { holds beta 192.168.50.0/24 && holds gamma ""; }
check "... so beta keeps it and gamma has none" gamma_refused
check "... the LAN host still answers alpha" n "$ns1" ping -c 1 -W 2 192.168.50.10

handover_start=$(date +%s%N)
restart_with_cert "$ns2" beta "$tmp/reissue"
check "beta re-issued without it: alpha routes 192.168.50.0/24 to gamma" \
	wait_for 100 holds gamma 192.168.50.0/24
echo "# gamma held 192.168.50.0/24 $(( ($(date +%s%N) - handover_start) / 1000000 )) ms after beta's restart began"
check "... and logs the hand-over" \
	grep -q "peer gamma: routing subnet 192.168.50.0/24 (another peer let it go)" "$tmp/alpha.log"
n "$ns3" ip addr add 192.168.50.99/32 dev pod0
check "... gamma's 192.168.50.99 now gets answers from alpha" \
	n "$ns3" ping -c 2 -i 0.2 -W 2 -I 192.168.50.99 10.77.0.1
n "$ns3" ip addr del 192.168.50.99/32 dev pod0

restart_with_cert "$ns2" beta "$tmp/beta50"
check "beta back with 192.168.50.0/24 is refused it now, gamma holds it" \
	wait_for 100 grep -q "peer beta: subnet 192.168.50.0/24 is already routed to gamma" "$tmp/alpha.log"
sed -i "/^LogLevel/a RevocationList = $tmp/alpha.revoked" "$tmp/alpha.conf"
"$podnet" cert revoke --ca-dir "$tmp/ca" gamma >/dev/null
cp "$tmp/ca/revoked.list" "$tmp/alpha.revoked"
kill -HUP "$pid_alpha"
check "gamma revoked: alpha routes 192.168.50.0/24 to beta again" \
	wait_for 50 holds beta 192.168.50.0/24
check "... gamma holds nothing" holds gamma ""
check "... and the LAN host answers alpha through beta" \
	n "$ns1" ping -c 2 -i 0.2 -W 2 192.168.50.10

check "daemons still running" daemons_alive alpha beta gamma
ktap_finish
