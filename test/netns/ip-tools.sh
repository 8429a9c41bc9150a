#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A node scripted with ip and podnet commands only (issue 13): the user
# makes pod0 with `ip tuntap`, gives it an address, an MTU and a route of
# their own, and starts podnetd with a config that names no peer. podnetd
# adopts the link and keeps what the user set; peers come and go with
# `podnet peer add`, `podnet set`, `podnet syncconf`; `podnet showconf`
# is a config that brings the same node back; and when podnetd stops the
# user's link stays as the user made it.
#
#  ┌──────────────────────────────┐        ┌────────────────────────┐
#  │ $ns1: alpha (the user's node)│        │ $ns2: beta             │
#  │   pod0 (ip tuntap, persist)  │        │   pod0  10.77.0.2/24   │
#  │     10.77.0.1/24, mtu 1300   │        │   (podnetd's own link) │
#  │     route 10.99.0.0/16       │        │                        │
#  │   veth1 192.168.243.1        ├────────┤   veth2 192.168.243.2  │
#  └──────────────────────────────┘        └────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: a node made with ip tools, peers changed at run time"

ns_create ns1 alpha
ns_create ns2 beta
veth_link "$ns1" veth1 192.168.243.1/24 "$ns2" veth2 192.168.243.2/24
make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" beta 10.77.0.2
# alpha's config names no peer: they are added at run time.
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 \
	alpha 192.168.243.1:51820
sock=$tmp/alpha.sock

link_of() { n "$ns1" ip -o link show dev pod0; }
addrs_of() { n "$ns1" ip -o -4 addr show dev pod0 | awk '{print $4}' | sort | xargs; }
routes_of() { n "$ns1" ip -4 route show dev pod0 | sort; }
has_route() { grep -q "^$1 " <<<"$(routes_of)"; }
no_route() { local r; r=$(routes_of) && ! grep -q "^$1 " <<<"$r"; }

# --- the user's link, made before podnetd --------------------------------
n "$ns1" ip tuntap add pod0 mode tun
n "$ns1" ip link set pod0 mtu 1300
n "$ns1" ip addr add 10.77.0.1/24 dev pod0
n "$ns1" ip link set pod0 up
n "$ns1" ip route add 10.99.0.0/16 dev pod0
user_segs=$(gso_max_segs_of "$ns1")

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "podnetd says it adopted the link" grep -q "adopted the existing link" "$tmp/alpha.log"
check "no 'replacing it' on the user's link" bash -c "! grep -q 'replacing it' '$tmp/alpha.log'"
check "the user's address is kept, none added" test "$(addrs_of)" = 10.77.0.1/24
check "the user's route 10.99.0.0/16 is kept" has_route 10.99.0.0/16
check "the user's MTU 1300 is kept" grep -q "mtu 1300 " <<<"$(link_of)"
check "show reports the MTU the link has" test "$(iface_field alpha mtu)" = 1300
# One TCP super-packet, one UDP GSO send: 48 records of a 1300-byte packet
# fit in one (doc/bench.md).
check "gso_max_segs fitted to one UDP send at MTU 1300: 48 (was $user_segs)" \
	test "$(gso_max_segs_of "$ns1")" = 48

# --- peers at run time -----------------------------------------------------
check "podnet peer add alpha <- beta (no endpoint yet)" \
	"$podnet" peer add --socket "$sock" beta
out=$("$podnet" peer add --socket "$sock" beta 2>&1) && status=0 || status=$?
check "peer add of a peer that exists exits 1 and says so" \
	test "$status" = 1 -a -n "$(grep 'exists already' <<<"$out")"
check "podnet set ... peer beta endpoint" \
	"$podnet" set --socket "$sock" peer beta endpoint 192.168.243.2:51820
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
check "ping 10.77.0.2 from the user's link" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2
check "podnet set adds a peer (gamma, nobody there)" \
	"$podnet" set --socket "$sock" peer gamma endpoint 192.168.243.9:51820 rendezvous no
out=$("$podnet" set --socket "$sock" peer gamma endpoint 300.1.1.1:5 2>&1) && status=0 || status=$?
check "set with a bad endpoint exits 1 and names it" \
	test "$status" = 1 -a -n "$(grep "300.1.1.1:5" <<<"$out")"
out=$("$podnet" showconf nosuchif 2>&1) && status=0 || status=$?
check "showconf IF names the socket it tried" \
	test "$status" = 1 -a -n "$(grep /run/podnet/nosuchif.sock <<<"$out")"

# Changes need root or CAP_NET_ADMIN even if the socket's mode lets
# someone else in; reading the config does not.
chmod 711 "$tmp"
chmod 666 "$sock"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
out=$(as_nobody "$podnet" set --socket "$sock" peer zeta 2>&1) && status=0 || status=$?
check "an unprivileged client cannot change peers" \
	test "$status" = 1 -a -n "$(grep 'needs root or CAP_NET_ADMIN' <<<"$out")"
check "... nor did it (no zeta)" peer_absent alpha zeta
check "... but may read showconf" as_nobody "$podnet" showconf --socket "$sock"
chmod 600 "$sock"
chmod 700 "$tmp"

# --- showconf ----------------------------------------------------------------
"$podnet" showconf --socket "$sock" >"$tmp/shown.conf"
check "showconf has beta with its endpoint" \
	test "$(grep -A1 '^Name = beta' "$tmp/shown.conf" | tail -1)" = "Endpoint = 192.168.243.2:51820"
check "showconf has gamma" grep -q "^Name = gamma" "$tmp/shown.conf"
check "showconf writes absolute paths" \
	bash -c "! grep -E '^(CA|Certificate|PrivateKey|ControlSocket) = [^/]' '$tmp/shown.conf'"
check "showconf keeps the user's MTU" grep -q "^MTU = 1300" "$tmp/shown.conf"

# --- syncconf: gamma goes, beta keeps its session -------------------------
session=$(peer_field alpha beta session)
handshakes=$(peer_field alpha beta handshakes)
awk 'BEGIN{RS=""; ORS="\n\n"} !/Name = gamma/' "$tmp/shown.conf" >"$tmp/sync.conf"
check "syncconf without gamma" "$podnet" syncconf --socket "$sock" "$tmp/sync.conf"
check "gamma is gone" peer_absent alpha gamma
check "beta kept its session (same index, no new handshake)" \
	test "$(peer_field alpha beta session) $(peer_field alpha beta handshakes)" = "$session $handshakes"
sed 's/^ListenPort = .*/ListenPort = 51999/' "$tmp/sync.conf" >"$tmp/port.conf"
printf '\n[Peer]\nName = delta\n' >>"$tmp/port.conf"
out=$("$podnet" syncconf --socket "$sock" "$tmp/port.conf" 2>&1) && status=0 || status=$?
check "syncconf with another ListenPort exits 1 and says restart" \
	test "$status" = 1 -a -n "$(grep restart <<<"$out")"
check "... and changed nothing (no delta)" peer_absent alpha delta
check "peer remove of an unknown peer exits 1" \
	bash -c "! '$podnet' peer remove --socket '$sock' delta 2>/dev/null"

# --- stop: the user's link stays as it was --------------------------------
check "podnetd stops" stop_daemon alpha
check "the user's pod0 still exists" link_of
check "... with the user's address" test "$(addrs_of)" = 10.77.0.1/24
check "... the user's route" has_route 10.99.0.0/16
check "... and MTU 1300" grep -q "mtu 1300 " <<<"$(link_of)"
check "... and its gso_max_segs $user_segs" test "$(gso_max_segs_of "$ns1")" = "$user_segs"

# --- showconf's output brings the node back -------------------------------
cp "$tmp/sync.conf" "$tmp/alpha.conf"
start_daemon "$ns1" alpha
check "restarted from showconf's output: session with beta" \
	wait_for 100 peer_established alpha beta
check "ping 10.77.0.2 again" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2
check "no peer but beta" test "$(show_json alpha | jq -r '[.peers[].name] | join(" ")')" = beta
# A SIGHUP with a file that sets no MTU leaves the user's alone.
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.243.2:51820
session=$(peer_field alpha beta session)
reloads() { grep -c "configuration reloaded" "$tmp/alpha.log" || true; }
# The count is read on every try, not once when the check is made.
reloaded_since() { test "$(reloads)" -gt "$1"; }
before=$(reloads)
kill -HUP "$pid_alpha"
check "SIGHUP reload" wait_for 50 reloaded_since "$before"
check "... keeps the user's MTU 1300" grep -q "mtu 1300 " <<<"$(link_of)"
check "... and beta's session" test "$(peer_field alpha beta session)" = "$session"
# One with MTU = 1400 sets it, fits gso_max_segs to it, and both go back
# to the user's on exit.
sed -i '/^LogLevel/a MTU = 1400' "$tmp/alpha.conf"
before=$(reloads)
kill -HUP "$pid_alpha"
check "SIGHUP reload with MTU = 1400" wait_for 50 reloaded_since "$before"
check "... sets MTU 1400" grep -q "mtu 1400 " <<<"$(link_of)"
check "... and gso_max_segs 44" test "$(gso_max_segs_of "$ns1")" = 44
check "podnetd stops again" stop_daemon alpha
check "the user's MTU 1300 is back" grep -q "mtu 1300 " <<<"$(link_of)"
check "... and gso_max_segs $user_segs" test "$(gso_max_segs_of "$ns1")" = "$user_segs"

# --- what is missing is added, and only that is taken back ----------------
# A /32 (no route to the others): podnetd adds the prefix route.
# (Flushing the last address takes the device's routes with it.)
n "$ns1" ip addr flush dev pod0
n "$ns1" ip addr add 10.77.0.1/32 dev pod0
n "$ns1" ip route add 10.99.0.0/16 dev pod0
start_daemon "$ns1" alpha
check "the /32 stays, no second address" test "$(addrs_of)" = 10.77.0.1/32
check "podnetd added the route to 10.77.0.0/24" has_route 10.77.0.0/24
check "ping 10.77.0.2 through the added route" \
	wait_for 100 n "$ns1" ping -c 1 -W 1 10.77.0.2
check "podnetd stops" stop_daemon alpha
check "the route it added is gone" no_route 10.77.0.0/24
check "the user's route stays" has_route 10.99.0.0/16
check "the /32 stays" test "$(addrs_of)" = 10.77.0.1/32
# No address at all: podnetd adds its own and takes it back.
n "$ns1" ip addr flush dev pod0
start_daemon "$ns1" alpha
check "podnetd added 10.77.0.1/24" test "$(addrs_of)" = 10.77.0.1/24
check "podnetd stops" stop_daemon alpha
check "its address went with it, the link stays" \
	test "$(link_of >/dev/null && addrs_of)" = ""

# --- podnetd's own link is still deleted on exit --------------------------
check "beta stops" stop_daemon beta
check "beta's pod0 (made by podnetd) is gone" \
	bash -c "! ip netns exec $ns2 ip link show dev pod0 2>/dev/null"

n "$ns1" ip link del pod0
ktap_finish
