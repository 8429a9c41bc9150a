#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# IPv6 virtual addresses through the rendezvous (issue 14): laptop knows
# only the rendezvous. A packet to the IPv6 address of a node it has never
# heard of asks the rendezvous who holds it (a lookup by IPv6 address),
# waits, and goes once the session is up; its DNS answers AAAA for names
# it learnt only from the rendezvous.
#  - cold `ping -6 -c 5` to office's fd77::11 loses nothing;
#  - `getent ahosts nas.pod`: both addresses, from the rendezvous;
#  - `getent ahosts db.pod` for v6-only db: its IPv6 address only, and a
#    ping -6 by that name;
#  - an IPv6 address nobody holds: the rendezvous says so, the packet is
#    dropped as no route, the daemons stay up.
#
#        internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous)
#                                  10.77.0.1, fd77::1
#   office .11 (public)  [NAT .12] laptop   db .13 (public)  nas .14 (public)
#   10.77.0.11 fd77::11  10.77.0.12 fd77::12  fd77::13 only  10.77.0.14 fd77::14
#                        resolver for its namespace: 10.77.0.12

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: IPv6 lookups through the rendezvous"

command -v drill >/dev/null || { echo "# drill (ldnsutils) missing: scripts/deps.sh"; exit 1; }

cert() { # cert NAME ADDRESS...
	local name=$1 args=()
	shift
	for a in "$@"; do args+=(--address "$a"); done
	"$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --name "$name" \
		"${args[@]}" --days 30 >/dev/null
}

internet_create
public_host_create ns_rv rv "$nat_rendezvous"
make_ca "$tmp/ca" v6-rv-test
cert rv 10.77.0.1 fd77::1
write_config "$tmp/rv.conf" rv "$tmp/ca" "10.77.0.1/24, fd77::1/64" 51820
sed -i "/^LogLevel/a Rendezvous = yes\nRelayLimit = 200" "$tmp/rv.conf"
start_daemon "$ns_rv" rv

node() { # node NAME KIND N ADDRESS/PFX[, ADDRESS/PFX] ADDRESS...
	local name=$1 kind=$2 num=$3 addrs=$4 __node __router
	shift 4
	site_create __node __router "$name" "$kind" "$num"
	printf -v "ns_$name" '%s' "$__node"
	cert "$name" "$@"
	nat_rv_config "$name" "$tmp/ca" "$addrs"
	sed -i "/^LogLevel/a KeepaliveInterval = 3\nPunchTimeout = 3\nPunchRetry = 30" "$tmp/$name.conf"
	start_daemon "$__node" "$name"
}
node office none 1 "10.77.0.11/24, fd77::11/64" 10.77.0.11 fd77::11
node laptop restricted 2 "10.77.0.12/24, fd77::12/64" 10.77.0.12 fd77::12
node db none 3 "fd77::13/64" fd77::13
node nas none 4 "10.77.0.14/24, fd77::14/64" 10.77.0.14 fd77::14
# Targets for the restarts at the end, unknown to laptop until then.
node box6 none 5 "10.77.0.15/24, fd77::15/64" 10.77.0.15 fd77::15
node box4 none 6 "10.77.0.16/24, fd77::16/64" 10.77.0.16 fd77::16
for name in office laptop db nas box6 box4; do
	check "$name registered with the rendezvous" wait_for 100 peer_established "$name" rv
done
check "laptop has no session with office yet" peer_not_established laptop office

# --- a cold ping -6 through the rendezvous --------------------------------
out=$(n_timeout 30 "$ns_laptop" ping -6 -n -c 5 -i 0.2 -W 5 fd77::11 2>&1 || true)
echo "# cold ping -6 fd77::11: $(grep -m1 'time=' <<<"$out" | sed 's/.*time=/first answer in /')"
check "cold ping -6 -c 5 to office's fd77::11 through the rendezvous: 5 of 5 answered" \
	grep -q "5 packets transmitted, 5 received" <<<"$out"
check "... laptop has a session with office now" peer_established laptop office
check "... which holds fd77::11 (its certificate)" \
	test "$(peer_field laptop office address6)" = fd77::11
check "... and the packets waited in the queue, none went as no route" \
	test "$(iface_field laptop tx_no_route)" = 0

# --- names learnt from the rendezvous: A and AAAA --------------------------
resolv_dir=/etc/netns/$ns_laptop
mkdir -p "$resolv_dir"
echo "nameserver 10.77.0.12" >"$resolv_dir/resolv.conf"
trap 'rc=$?; rm -rf "$resolv_dir"; (exit $rc); cleanup' EXIT

ahosts() { n_timeout 10 "$ns_laptop" getent ahosts "$1" | awk '{ print $1 }' | sort -u | tr '\n' ' '; }
got=$(ahosts nas.pod)
echo "# getent ahosts nas.pod: $got"
check "getent ahosts nas.pod (learnt from the rendezvous): fd77::14" grep -qw "fd77::14" <<<"$got"
check "... and 10.77.0.14" grep -qw "10.77.0.14" <<<"$got"
got=$(ahosts db.pod)
echo "# getent ahosts db.pod: $got"
check "getent ahosts db.pod (v6-only, learnt from the rendezvous): fd77::13 alone" \
	test "$got" = "fd77::13 "
aaaa() { n_timeout 10 "$ns_laptop" drill "$1" @10.77.0.12 AAAA 2>&1 | grep -q "^$1\.[[:space:]].*AAAA[[:space:]]*$2\$"; }
check "drill AAAA db.pod @10.77.0.12: fd77::13" aaaa db.pod fd77::13
check "ping -6 -c 3 db.pod: 3 of 3 answered" \
	bash -c "ip netns exec $ns_laptop timeout 20 ping -6 -n -c 3 -i 0.2 -W 5 db.pod | grep -q '3 received'"

# --- an address nobody holds -------------------------------------------------
before=$(iface_field laptop tx_no_route)
check "ping -6 fd77::99 (nobody's) gets no answer" \
	bash -c "! ip netns exec $ns_laptop ping -6 -c 1 -W 3 fd77::99 >/dev/null 2>&1"
check "... the rendezvous said so: dropped as no route" \
	wait_for 50 iface_above laptop tx_no_route "$before"
check "every daemon alive" daemons_alive rv office laptop db nas

# --- restarts: v6 lookups lose no more than v4 ones ---------------------------
# v6_beside_v4 DESC T0_MS: from laptop at once, ping -6 box6's fd77::15 and
# ping -4 box4's 10.77.0.16 (4 a second for 12 s): the IPv6 one must get
# an answer, and lose at most one more than the IPv4 one. The time to
# its first answer is the recovery.
v6_beside_v4() {
	local desc=$1 t0=$2 p6 p4 got6 got4 nr0 nr1 f6 f4
	nr0=$(iface_field laptop tx_no_route)
	n "$ns_laptop" ping -6 -n -D -c 48 -i 0.25 -w 13 fd77::15 >"$tmp/ping6.out" 2>&1 &
	p6=$!
	n "$ns_laptop" ping -4 -n -D -c 48 -i 0.25 -w 13 10.77.0.16 >"$tmp/ping4.out" 2>&1 &
	p4=$!
	wait "$p6" || true
	wait "$p4" || true
	nr1=$(iface_field laptop tx_no_route)
	got6=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping6.out")
	got4=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping4.out")
	f6=$(first_answer_ms "$tmp/ping6.out" "$t0")
	f4=$(first_answer_ms "$tmp/ping4.out" "$t0")
	echo "# recovery: $desc: first ping -6 answer after $f6 ms ($got6 of 48)," \
		"first ping -4 after $f4 ms ($got4 of 48); tx_no_route +$((nr1 - nr0))"
	check "$desc: ping -6 answered again after $f6 ms (bound 10000 ms)" \
		test "${got6:-0}" -ge 1 -a "${f6/never/99999}" -le 10000
	check "... losing no more than ping -4 ($got6 vs $got4 of 48 answered)" \
		test "${got6:-0}" -ge $(( ${got4:-0} - 1 ))
}
cold_targets() { peer_not_established laptop box6 && peer_not_established laptop box4; }
check "laptop has no session with box6 nor box4 yet (the lookups are cold)" cold_targets
t0=$(now_ms)
kill9_restart "$ns_rv" rv
v6_beside_v4 "rendezvous killed (-9) and restarted, cold lookups" "$t0"

t0=$(now_ms)
kill9_restart "$ns_box6" box6
kill9_restart "$ns_box4" box4
v6_beside_v4 "box6 and box4 killed (-9) and restarted" "$t0"
check "every daemon alive after the restarts" daemons_alive rv office laptop db nas box6 box4

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
