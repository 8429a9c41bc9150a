#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Nebula in `make bench` (scripts/bench.sh sources this): Debian's
# `nebula` package, configured as its users do, but for the inner MTU,
# which is the same for every tunnel of the run. Its own CA and two
# certificates come from nebula-cert, made fresh in the run's $tmp.
# Static host map, no lighthouse (two nodes that know each other's
# address, as wireguard-go and podnet are set up), cipher aes (Nebula's
# default), one routine (its default), and a firewall that lets
# everything through, so it only costs what any rule costs.
# shellcheck disable=SC2154 # ns1, ns2, tmp, r, daemon_pids: bench.sh's

# nebula_certs: $tmp/nebula/{ca,a,b}.{crt,key}.
nebula_certs() {
	local d=$tmp/nebula
	[[ -f $d/b.crt ]] && return 0
	mkdir -p "$d"
	(cd "$d" && umask 077 &&
		nebula-cert ca -name bench -out-crt ca.crt -out-key ca.key &&
		nebula-cert sign -name a -ip 10.89.0.1/24 -out-crt a.crt -out-key a.key &&
		nebula-cert sign -name b -ip 10.89.0.2/24 -out-crt b.crt -out-key b.key) \
		>>"$tmp/nebula-cert.log" 2>&1
}

# nebula_config SIDE DEV PEER_INNER PEER_OUTER MTU
nebula_config() {
	cat >"$tmp/nebula/$1.yml" <<-EOC
	pki:
	  ca: $tmp/nebula/ca.crt
	  cert: $tmp/nebula/$1.crt
	  key: $tmp/nebula/$1.key
	static_host_map:
	  "$3": ["$4:4242"]
	lighthouse:
	  am_lighthouse: false
	listen:
	  host: 0.0.0.0
	  port: 4242
	punchy:
	  punch: false
	tun:
	  dev: $2
	  mtu: $5
	logging:
	  level: error
	firewall:
	  outbound:
	    - port: any
	      proto: any
	      host: any
	  inbound:
	    - port: any
	      proto: any
	      host: any
	EOC
}

# phase_nebula: one measurement of the pair, as bed "neb"; both
# stopped afterwards, so that nothing idles beside the next tunnel.
phase_nebula() {
	local pid pid_a pid_b

	r[neb.version]=$(dpkg-query -W -f='${Version}' nebula 2>/dev/null || true)
	say "nebula ${r[neb.version]}"
	nebula_certs || return 1
	nebula_config a "neba$$" 10.89.0.2 192.168.250.2 "$bench_mtu"
	nebula_config b "nebb$$" 10.89.0.1 192.168.250.1 "$bench_mtu"
	ip netns exec "$ns1" nebula -config "$tmp/nebula/a.yml" >>"$tmp/nebula-a.log" 2>&1 &
	pid_a=$!
	daemon_pids+=("$pid_a")
	ip netns exec "$ns2" nebula -config "$tmp/nebula/b.yml" >>"$tmp/nebula-b.log" 2>&1 &
	pid_b=$!
	daemon_pids+=("$pid_b")
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.89.0.1 || return 1
	measure_tunnel neb 10.89.0.1 "$pid_a" "$pid_b"
	for pid in "$pid_a" "$pid_b"; do
		kill -TERM "$pid" 2>/dev/null
		wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	done
	return 0
}
