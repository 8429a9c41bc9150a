#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The relay in `make bench` (scripts/bench.sh sources this): one pair of
# nodes that find each other through a rendezvous, measured once over a
# direct path and once through the rendezvous' relay, on the same three
# namespaces, so that the only difference is who forwards the datagrams:
# the kernel of the middle namespace (direct, it routes) or podnetd on it
# (relayed, it does not route, so punching fails and the relay carries
# the session). Both with RelayLimit at its maximum (no cap), then the
# relayed pair once more with the default RelayLimit, to show what a user
# of a default rendezvous gets.
#
#  ┌─ relay-a ─────────────┐   ┌─ relay-rv ─────────────────┐   ┌─ relay-b ─────────────┐
#  │ veth 192.168.251.2    ├───┤ 192.168.251.1  192.168.252.1├───┤ veth 192.168.252.2    │
#  │ pod0 10.79.0.1 (rl-a) │   │ pod0 10.79.0.3 (rl-rv),     │   │ pod0 10.79.0.2 (rl-b) │
#  │ iperf3 -s             │   │ Rendezvous = yes; routes    │   │ iperf3 -c             │
#  │                       │   │ only in the direct run      │   │                       │
#  └───────────────────────┘   └─────────────────────────────┘   └───────────────────────┘
# shellcheck disable=SC2154 # tmp, r, podnetd, bench_*: bench.sh's

relay_bed() {
	[[ -n ${ns_ra:-} ]] && return 0
	ns_create ns_ra relay-a
	ns_create ns_rb relay-b
	ns_create ns_rv relay-rv
	veth_link "$ns_ra" veth3 192.168.251.2/24 "$ns_rv" rva 192.168.251.1/24
	veth_link "$ns_rb" veth4 192.168.252.2/24 "$ns_rv" rvb 192.168.252.1/24
	n "$ns_ra" ip route add 192.168.252.0/24 via 192.168.251.1
	n "$ns_rb" ip route add 192.168.251.0/24 via 192.168.252.1
	make_node_cert "$tmp/ca" rl-rv 10.79.0.3
	make_node_cert "$tmp/ca" rl-a 10.79.0.1
	make_node_cert "$tmp/ca" rl-b 10.79.0.2
}

# relay_config NAME ADDRESS [RENDEZVOUS_ENDPOINT PEER | LIMIT]: a node
# that registers with the rendezvous and knows its peer by name only, or
# (one argument after ADDRESS) the rendezvous with RelayLimit = LIMIT.
relay_config() {
	cat >"$tmp/$1.conf" <<-EOC
	[Interface]
	Name = pod0
	Address = $2/24
	ListenPort = 51820
	MTU = $bench_podnet_mtu
	CA = $tmp/ca/ca.crt
	Certificate = $tmp/ca/$1.crt
	PrivateKey = $tmp/ca/$1.key
	ControlSocket = $tmp/$1.sock
	LogLevel = info
	Threads = ${BENCH_THREADS:-1}
	PunchTimeout = 2
	EOC
	if [[ $# -eq 3 ]]; then
		printf 'Rendezvous = yes\nRelayLimit = %s\n' "$3" >>"$tmp/$1.conf"
	else
		printf '\n[Peer]\nName = rl-rv\nEndpoint = %s\nRendezvous = yes\n\n[Peer]\nName = %s\n' \
			"$3" "$4" >>"$tmp/$1.conf"
	fi
}

# phase_relay BED direct|relay LIMIT: the pair through the rendezvous
# with RelayLimit = LIMIT, over the path named; as bed BED (1 and 4
# streams, CPU of all three daemons).
phase_relay() {
	local bed=$1 want=$2 limit=$3 ok=0 path measured=0
	# iperf and rtt_ms measure between $ns1 and $ns2: these, here.
	local ns1 ns2

	relay_bed || { missed_run "$bed"; return 1; }
	ns1=$ns_ra
	ns2=$ns_rb
	say "podnet, $want path through a rendezvous (RelayLimit = $limit)"
	n "$ns_rv" sysctl -qw net.ipv4.ip_forward="$([[ $want == direct ]] && echo 1 || echo 0)"
	relay_config rl-rv 10.79.0.3 "$limit"
	relay_config rl-a 10.79.0.1 192.168.251.1:51820 rl-b
	relay_config rl-b 10.79.0.2 192.168.252.1:51820 rl-a
	start_daemon "$ns_rv" rl-rv || { missed_run "$bed"; return 1; }
	start_daemon "$ns_ra" rl-a || { missed_run "$bed"; return 1; }
	start_daemon "$ns_rb" rl-b || { missed_run "$bed"; return 1; }
	# The introduction needs traffic or a lookup: a ping asks for it.
	n "$ns_rb" ping -c 1 -W 1 10.79.0.1 >/dev/null 2>&1 || true
	if wait_for 200 peer_established rl-b rl-a &&
		wait_for 100 n "$ns_rb" ping -c 1 -W 1 10.79.0.1; then
		# A direct run waits for the punched path to win.
		[[ $want == relay ]] || wait_for 100 _relay_path_is rl-b rl-a direct || true
		path=$(peer_field rl-b rl-a path)
		r[$bed.path]=$path
		# What `podnet show` says on rl-b: the limit on its relayed
		# peer, and the one its rendezvous told it.
		r[$bed.limit_shown]=$(peer_field rl-b rl-a relay_limit_mbps 2>/dev/null | grep -v null || true)
		r[$bed.limit_rv]=$(peer_field rl-b rl-rv relay_limit_mbps 2>/dev/null | grep -v null || true)
		n "$ns_rb" "$podnet" show --socket "$tmp/rl-b.sock" >"$tmp/show-$bed-rl-b.txt" 2>&1 || true
		n "$ns_rv" "$podnet" show --socket "$tmp/rl-rv.sock" >"$tmp/show-$bed-rl-rv.txt" 2>&1 || true
		if [[ $path != "$want" ]]; then
			say "relay bed: wanted a $want path, got '$path'"
			ok=1
		else
			measure_tunnel "$bed" 10.79.0.1 "$pid_rl_a" "$pid_rl_b" "$pid_rl_rv"
			measured=1
		fi
	else
		say "relay bed: no session between rl-a and rl-b"
		ok=1
	fi
	((measured)) || missed_run "$bed"
	stop_daemon rl-a || ok=1
	stop_daemon rl-b || ok=1
	stop_daemon rl-rv || ok=1
	return $ok
}
_relay_path_is() { [[ $(peer_field "$1" "$2" path) == "$3" ]]; }
