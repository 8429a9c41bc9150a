#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The NAT test bed of test/lib/nat.sh, tested on its own: each kind of NAT is
# probed in the manner of RFC 4787 (mapping: one source port, two
# destinations; filtering: packets from endpoints the node never sent
# to), and the bed's helpers are checked to do what they claim.
#
#          ┌──────────────────┐            ┌──────────────────┐
#          │ $srv1: probe1    │            │ $srv2: probe2    │
#          │ 198.18.0.1 :3478 │            │ 198.18.0.2 :3478 │
#          └────────┬─────────┘            └────────┬─────────┘
#  ┌────────────────┴───────────────────────────────┴───────────────┐
#  │ $nat_inet: bridge br0, 198.18.0.0/24                           │
#  └──────┬────────────────┬──────────────────┬──────────────────┬──┘
#         │ .11            │ .12              │ .13              │ .14
#  ┌──────┴──────┐  ┌──────┴──────┐   ┌───────┴──────┐   ┌───────┴──────┐
#  │ node, none  │  │ fullcone    │   │ restricted   │   │ symmetric    │
#  └─────────────┘  │ 10.102.0.1  │   │ 10.103.0.1   │   │ 10.104.0.1   │
#                   └──────┬──────┘   └───────┬──────┘   └───────┬──────┘
#                   ┌──────┴──────┐   ┌───────┴──────┐   ┌───────┴──────┐
#                   │ node .2     │   │ node .2      │   │ node .2      │
#                   └─────────────┘   └──────────────┘   └──────────────┘
#
# Every node probes from UDP port 40000; each probe server answers with
# the address:port it saw, padded to 21 bytes.

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: the NAT test bed"

for tool in socat conntrack nft; do
	command -v "$tool" >/dev/null || {
		echo "# $tool is missing (Debian packages: socat conntrack nftables)"
		exit 1
	}
done

kinds=(none fullcone restricted symmetric)
declare -A node router num
internet_create
public_host_create srv1 probe1 198.18.0.1
public_host_create srv2 probe2 198.18.0.2
for i in "${!kinds[@]}"; do
	k=${kinds[$i]}
	num[$k]=$((i + 1))
	site_create "node[$k]" "router[$k]" "$k" "$k" "${num[$k]}"
done

udp_bound() { n "$1" ss -Hlun "sport = :$2" | grep -q .; }

# One child per datagram; it answers from :3478 to the sender. The shell
# reads the datagram before it exits: socat must not meet a closed pipe,
# or it may quit before it has sent the answer.
answer='printf %-21s "$SOCAT_PEERADDR:$SOCAT_PEERPORT"
echo "saw $SOCAT_PEERADDR:$SOCAT_PEERPORT" >&2
timeout 2 head -c 1 >/dev/null'
for s in "$srv1 probe1" "$srv2 probe2"; do
	set -- $s
	ip netns exec "$1" socat UDP4-RECVFROM:3478,fork SYSTEM:"$answer" \
		>>"$tmp/$2.log" 2>&1 &
	daemon_pids+=($!)
	wait_for 50 udp_bound "$1" 3478 || { echo "# $2 did not come up"; exit 1; }
done

# probe NS SERVER [BYTES]: from port 40000 of NS to SERVER:3478; prints
# the address:port the server saw, or nothing after 2 s without answer.
probe() {
	local out
	out=$(head -c "${3:-6}" /dev/zero | tr '\0' p | n_timeout 4 "$1" \
		socat -t 2 - "UDP4:$2:3478,sourceport=40000,reuseaddr,readbytes=21" 2>/dev/null) || true
	echo "${out// /}"
}

# send_from NS SPORT ADDRESS:PORT TEXT: one datagram; failures are left
# to the checks that follow.
send_from() {
	echo "$4" | n_timeout 3 "$1" socat -u - "UDP4-SENDTO:$3,sourceport=$2,reuseaddr" ||
		echo "# sending from $1 to '$3' failed"
}

# listen NS PORT FILE: keep what arrives on PORT in FILE (at most 20 s).
listen() {
	: >"$3"
	n_timeout 20 "$1" socat -u "UDP4-RECV:$2,reuseaddr" "OPEN:$3,append" &
	listener=$!
	daemon_pids+=("$listener")
	wait_for 50 udp_bound "$1" "$2"
}
unlisten() { kill -TERM "$listener" 2>/dev/null; wait "$listener" 2>/dev/null || true; }

dropped_at_least() { [[ $(nat_dropped "$1") -ge $2 ]]; }
blocked_at_least() { [[ $(nat_blocked_packets) -ge $1 ]]; }
# icmp_out NS: ICMP messages NS has sent itself.
icmp_out() {
	n "$1" awk '$1 == "Icmp:" { if (!c) { for (i = 2; i <= NF; i++)
		if ($i == "OutMsgs") c = i } else print $c }' /proc/net/snmp
}

# --- the bed ------------------------------------------------------------
check "site of kind none has no router" test -z "${router[none]}"
check "NAT routers have their own namespaces" \
	test -n "${router[fullcone]}" -a -n "${router[restricted]}" -a -n "${router[symmetric]}"
check "a public host sends to a private address without an error" \
	n "$srv1" bash -c 'echo x >/dev/udp/10.103.0.2/9'
check "... and the internet drops it without ICMP" test "$(icmp_out "$nat_inet")" -eq 0

# --- mapping: one source port, two destinations -------------------------
declare -A ext1 ext2
for k in "${kinds[@]}"; do
	ext1[$k]=$(probe "${node[$k]}" 198.18.0.1)
	ext2[$k]=$(probe "${node[$k]}" 198.18.0.2)
	pub=$(nat_public_ip "${num[$k]}")
	check "$k: both probe servers answer (${ext1[$k]:-nothing}, ${ext2[$k]:-nothing})" \
		test -n "${ext1[$k]}" -a -n "${ext2[$k]}"
	check "$k: seen from the site's public address $pub" \
		test "${ext1[$k]%:*}" = "$pub" -a "${ext2[$k]%:*}" = "$pub"
	if [[ $k == symmetric ]]; then
		check "$k: a new external port for each destination" \
			test "${ext1[$k]##*:}" != "${ext2[$k]##*:}"
	else
		check "$k: one external port for both destinations" \
			test "${ext1[$k]##*:}" = "${ext2[$k]##*:}"
	fi
	if [[ $k == none || $k == fullcone ]]; then
		check "$k: the node's port is kept" test "${ext1[$k]##*:}" = 40000
	fi
done

# --- filtering: packets from endpoints the node never sent to -----------
# From probe1's address but another port (port-restricted drops it, an
# address-restricted NAT would not), and from probe2's other port.
for k in "${kinds[@]}"; do
	r=${router[$k]}
	[[ -z $r ]] || before=$(nat_dropped "$r")
	listen "${node[$k]}" 40000 "$tmp/recv-$k"
	send_from "$srv1" 3479 "${ext1[$k]}" "unsolicited-1"
	send_from "$srv2" 3479 "${ext1[$k]}" "unsolicited-2"
	if [[ $k == none || $k == fullcone ]]; then
		check "$k: unsolicited packets get in" wait_for 30 \
			grep -q unsolicited-2 "$tmp/recv-$k"
		check "$k: ... from both endpoints" grep -q unsolicited-1 "$tmp/recv-$k"
	else
		# Once the router has counted both drops, nothing can still arrive.
		check "$k: the router drops unsolicited packets" \
			wait_for 30 dropped_at_least "$r" $((before + 2))
		check "$k: ... and the node sees none of them" test ! -s "$tmp/recv-$k"
	fi
	unlisten
done
for k in fullcone restricted symmetric; do
	check "$k: the router never sent ICMP" test "$(icmp_out "${router[$k]}")" -eq 0
done
check "restricted: dropped packets left the mapping alone" \
	test "$(probe "${node[restricted]}" 198.18.0.2)" = "${ext2[restricted]}"

# --- nat_flush_conntrack ------------------------------------------------
nat_flush_conntrack "${router[fullcone]}"
before=$(nat_dropped "${router[fullcone]}")
listen "${node[fullcone]}" 40000 "$tmp/recv-flushed"
send_from "$srv1" 3479 "${ext1[fullcone]}" "after-flush"
check "fullcone: after a flush, the open port is closed" \
	wait_for 30 dropped_at_least "${router[fullcone]}" $((before + 1))
check "fullcone: ... and the node sees nothing" test ! -s "$tmp/recv-flushed"
unlisten
nat_flush_conntrack "${router[symmetric]}"
again=$(probe "${node[symmetric]}" 198.18.0.1)
check "symmetric: after a flush, a new external port ($again)" \
	test -n "$again" -a "${again##*:}" != "${ext1[symmetric]##*:}"
nat_flush_conntrack "${router[restricted]}"
again=$(probe "${node[restricted]}" 198.18.0.1)
check "restricted: after a flush, the same port again (a flush is no rebinding)" \
	test "$again" = "${ext1[restricted]}"
refuses() { ! "$@" 2>/dev/null; }
check "nat_flush_conntrack refuses a node behind a NAT" \
	refuses nat_flush_conntrack "${node[restricted]}"
check "nat_flush_conntrack refuses a node of kind none" \
	refuses nat_flush_conntrack "${node[none]}"

# --- nat_block_udp: site to site cut, public hosts still reachable ------
# The node of kind none takes anything, so restricted's node can reach it.
none_pub=$(nat_public_ip "${num[none]}")
listen "${node[none]}" 40001 "$tmp/recv-block"
send_from "${node[restricted]}" 40001 "$none_pub:40001" direct-1
check "site to site: reachable before blocking" \
	wait_for 30 grep -q direct-1 "$tmp/recv-block"
for blocked in "${router[restricted]}" "${node[none]}"; do
	before=$(nat_blocked_packets)
	nat_block_udp "$blocked"
	send_from "${node[restricted]}" 40001 "$none_pub:40001" "blocked-$blocked"
	check "block ${blocked#"$prefix"-}: the internet drops site-to-site UDP" \
		wait_for 30 blocked_at_least $((before + 1))
	check "block ${blocked#"$prefix"-}: ... and it never arrives" \
		bash -c "! grep -q 'blocked-$blocked' '$tmp/recv-block'"
	check "block ${blocked#"$prefix"-}: the rendezvous is still reachable" \
		test -n "$(probe "${node[restricted]}" "$nat_rendezvous")"
	nat_unblock_udp "$blocked"
	send_from "${node[restricted]}" 40001 "$none_pub:40001" "unblocked-$blocked"
	check "unblock ${blocked#"$prefix"-}: site to site again" \
		wait_for 30 grep -q "unblocked-$blocked" "$tmp/recv-block"
done
unlisten

# --- relay counters -----------------------------------------------------
relay_counter_reset "$srv1"
relay_counter_reset "$srv2"
check "relay counters start at zero after a reset" \
	test "$(relay_counter_total "$srv1")" -eq 0
check "a 1000-byte probe is answered" test -n "$(probe "${node[none]}" 198.18.0.1 1000)"
check "probe1 counts the bytes in (IP + UDP headers included)" \
	test "$(relay_counter_bytes "$srv1" in)" -ge 1028
check "probe1 counts the answer out" \
	test "$(relay_counter_bytes "$srv1" out)" -ge 49
check "probe2 counted nothing" test "$(relay_counter_total "$srv2")" -eq 0

ktap_finish
