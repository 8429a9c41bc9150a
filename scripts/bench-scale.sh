#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make bench-scale` (and the last part of `make bench`): podnetd with many
# peers, measured with podnet-loadgen's real DTLS sessions (issue #16,
# "Scale, measured"). A measurement, not a test: it fails only when it
# cannot measure. doc/bench.md says what each number means.
#
#  ┌─ $ns1: scale-a ─────────────────────┐       ┌─ $ns2: scale-b ──────────────────┐
#  │ veth1 192.168.251.1/24              ├───────┤ veth2 192.168.251.2/24           │
#  │ podnetd rv-a  10.77.0.1 Rendezvous  │       │ podnet-loadgen: load-0001 ...    │
#  │  (then) node-a 10.77.0.2            │       │ DTLS clients -> podnetd          │
#  └─────────────────────────────────────┘       └──────────────────────────────────┘
#
# 1. The rendezvous: SCALE_NODES clients register with rv-a; lookups at
#    100 registrations (the rest held back) and again with all; RSS per
#    registration, idle CPU, and RSS once they have all gone.
# 2. One node: 1 peer sending SCALE_PPS small packets a second, then
#    SCALE_PEERS peers of which SCALE_ACTIVE send the same rate in all:
#    podnetd's CPU per packet in each case, and RSS per peer.
#
# Environment:
#   SCALE_NODES=10000   registrations at the rendezvous
#   SCALE_LOOKUPS=1000  lookups per round, at SCALE_LOOKUP_RATE a second (200)
#   SCALE_PEERS=1000    peers of the node, SCALE_ACTIVE=100 of them sending
#   SCALE_PPS=20000     packets a second in all, SCALE_PAYLOAD=64 bytes each
#   SCALE_TIME=10       seconds of each CPU measurement
#   SCALE_JUNK=50000    NAT probe answers from a stranger, at 10,000 a second
#   SCALE_NODES=0 leaves the rendezvous out
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PODNET_BUILD=${PODNET_BUILD:-$top/build}
nodes=${SCALE_NODES:-10000}
lookups=${SCALE_LOOKUPS:-1000}
lookup_rate=${SCALE_LOOKUP_RATE:-200}
peers=${SCALE_PEERS:-1000}
active=${SCALE_ACTIVE:-100}
pps=${SCALE_PPS:-20000}
payload=${SCALE_PAYLOAD:-64}
span=${SCALE_TIME:-10}
junk=${SCALE_JUNK:-50000}

if [[ $(id -u) -ne 0 ]]; then
	echo "bench-scale: creates network namespaces, run it as root" >&2
	exit 1
fi
source "$top/test/lib/netns.sh"
source "$top/scripts/lib-bench.sh"
loadgen=$build/podnet-loadgen
spoof=$build/test/attack-spoof
for f in "$podnetd" "$podnet" "$loadgen" "$spoof"; do
	[[ -x $f ]] || { echo "bench-scale: $f missing: run 'make bench-scale'" >&2; exit 1; }
done
clk_tck=$(getconf CLK_TCK)
started=$(date +%s)
loadavg=$(cut -d' ' -f1 /proc/loadavg)
trap cleanup EXIT

cpu_ticks() {
	local stat f
	stat=$(<"/proc/$1/stat") || return 1
	read -ra f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null; }
declare -A r

# scale_config NAME ADDRESS [EXTRA LINE]...: a daemon with no configured
# peer.
scale_config() {
	local name=$1 address=$2
	shift 2
	cat >"$tmp/$name.conf" <<-EOC
	[Interface]
	Name = pod0
	Address = $address/16
	ListenPort = 51820
	CA = $tmp/ca/ca.crt
	Certificate = $tmp/ca/$name.crt
	PrivateKey = $tmp/ca/$name.key
	ControlSocket = $tmp/$name.sock
	LogLevel = warn
	EOC
	printf '%s\n' "$@" >>"$tmp/$name.conf"
}

# start_loadgen LOG ARGS...: podnet-loadgen in $ns2 against 192.168.251.1;
# its pid in pid_loadgen.
start_loadgen() {
	local log=$1
	shift
	ip netns exec "$ns2" "$loadgen" "$@" >"$tmp/$log" 2>&1 &
	pid_loadgen=$!
	daemon_pids+=("$pid_loadgen")
}

stop_loadgen() {
	kill -TERM "$pid_loadgen" 2>/dev/null || true
	wait_pid_gone "$pid_loadgen" 100 || kill -KILL "$pid_loadgen" 2>/dev/null || true
}

# wait_line LOG REGEX SECONDS PID...: until LOG has a line matching REGEX;
# fails when the time is up or a PID dies.
wait_line() {
	local log=$1 re=$2 deadline=$(($(date +%s) + $3)) pid
	shift 3
	while (($(date +%s) < deadline)); do
		grep -qE "$re" "$tmp/$log" 2>/dev/null && return 0
		for pid in "$@"; do
			alive "$pid" || { say "process $pid died"; return 1; }
		done
		sleep 1
	done
	say "no '$re' in $log in time"
	return 1
}

peer_count() { show_json "$1" | jq '.peers | length'; }
rx_packets() { show_json "$1" | jq '[.peers[].rx_packets] | add // 0'; }

# ------------------------------------------------------------ rendezvous

phase_rendezvous() {
	local line t0 t1 deadline count

	say "rendezvous: $nodes registrations"
	# KeepaliveInterval 5: a node that left is found dead after 16 s,
	# and forgotten LearnedPeerIdle (5 s) later. RekeyAfter 900: all the
	# loadgen's clients share one address, where podnetd runs at most 4
	# handshakes of known peers at once; their rekeys, due from 150 s on,
	# would pace the run, where 10,000 real nodes have 10,000 addresses.
	scale_config rv-a 10.77.0.1 "Rendezvous = yes" "KeepaliveInterval = 5" \
		"LearnedPeerIdle = 5" "LearnedPeerMax = $((nodes + 100))" \
		"RekeyAfter = 900"
	start_daemon "$ns1" rv-a || return 1
	sleep 1
	r[rv.rss0]=$(rss_kb "$pid_rv_a")
	# -p 8: podnetd lets one stranger address have 8 handshakes at once.
	start_loadgen rv-loadgen.log -p 8 -k 4 -r -n "$lookups" \
		-L "$lookup_rate" "$tmp/ca" 192.168.251.1:51820 "$nodes"
	wait_line rv-loadgen.log '^all [0-9]+ registered' $((60 + nodes * 3 / 100)) \
		"$pid_rv_a" "$pid_loadgen" || return 1
	r[rv.up_s]=$(sed -nE 's/^all [0-9]+ registered after ([0-9.]+) s/\1/p' \
		"$tmp/rv-loadgen.log")
	wait_line rv-loadgen.log "^lookups at $nodes registered" \
		$((lookups / lookup_rate + 30)) "$pid_rv_a" "$pid_loadgen" || return 1
	for line in early:"^lookups at [0-9]+ registered" all:"^lookups at $nodes registered"; do
		local key=${line%%:*} l
		l=$(grep -E "${line#*:}" "$tmp/rv-loadgen.log" | head -n 1)
		r[rv.$key.n]=$(sed -nE 's/^lookups at ([0-9]+) .*/\1/p' <<<"$l")
		r[rv.$key.answered]=$(sed -nE 's/.*: ([0-9]+) answered.*/\1/p' <<<"$l")
		r[rv.$key.lookup50]=$(sed -nE 's/.*lookup ms: median ([0-9.]+), p99 ([0-9.]+);.*/\1/p' <<<"$l")
		r[rv.$key.lookup99]=$(sed -nE 's/.*lookup ms: median ([0-9.]+), p99 ([0-9.]+);.*/\2/p' <<<"$l")
		r[rv.$key.intro50]=$(sed -nE 's/.*introduction ms: median ([0-9.]+), p99 ([0-9.]+).*/\1/p' <<<"$l")
		r[rv.$key.intro99]=$(sed -nE 's/.*introduction ms: median ([0-9.]+), p99 ([0-9.]+).*/\2/p' <<<"$l")
		say "rendezvous: $l"
	done
	sleep 2
	r[rv.rss]=$(rss_kb "$pid_rv_a")
	t0=$(cpu_ticks "$pid_rv_a")
	sleep "$span"
	t1=$(cpu_ticks "$pid_rv_a")
	r[rv.idle_cpu]=$(calc "100 * (t1 - t0) / hz / s" t0="$t0" t1="$t1" \
		hz="$clk_tck" s="$span")
	r[rv.peers]=$(peer_count rv-a) || true
	say "rendezvous: ${r[rv.peers]} peers, RSS ${r[rv.rss0]} -> ${r[rv.rss]} kB, idle CPU ${r[rv.idle_cpu]} %"
	# All leave at once; the rendezvous finds their sessions dead and
	# forgets them.
	stop_loadgen
	deadline=$(($(date +%s) + 60))
	count=${r[rv.peers]:-0}
	while (($(date +%s) < deadline)); do
		count=$(peer_count rv-a) || break
		((count == 0)) && break
		sleep 1
	done
	# The next housekeeping gives the freed heap back.
	sleep 2
	r[rv.left]=$count
	r[rv.rss_left]=$(rss_kb "$pid_rv_a")
	say "rendezvous: $count peers left, RSS ${r[rv.rss_left]} kB"
	alive "$pid_rv_a" && stop_daemon rv-a
}

# ------------------------------------------------------------------ node

# node_run BED COUNT ACTIVE: node-a with COUNT peers, ACTIVE of them
# sending; CPU per packet over $span s.
node_run() {
	local bed=$1 count=$2 act=$3 t0 t1 p0 p1
	scale_config node-a 10.77.0.2
	start_daemon "$ns1" node-a || return 1
	sleep 1
	r[$bed.rss0]=$(rss_kb "$pid_node_a")
	start_loadgen "$bed-loadgen.log" -p 8 -a "$act" -R "$pps" -s "$payload" \
		-d 10.77.0.2 "$tmp/ca" 192.168.251.1:51820 "$count"
	wait_line "$bed-loadgen.log" '^all [0-9]+ sessions established' \
		$((30 + count / 20)) "$pid_node_a" "$pid_loadgen" || return 1
	# The handshakes settle, the traffic runs.
	sleep 3
	r[$bed.rss]=$(rss_kb "$pid_node_a")
	p0=$(rx_packets node-a) || return 1
	t0=$(cpu_ticks "$pid_node_a")
	sleep "$span"
	t1=$(cpu_ticks "$pid_node_a")
	p1=$(rx_packets node-a) || return 1
	r[$bed.pps]=$(calc "(p1 - p0) / s" p0="$p0" p1="$p1" s="$span")
	r[$bed.us_per_pkt]=$(calc "(t1 - t0) / hz / (p1 - p0) * 1e6" t0="$t0" \
		t1="$t1" hz="$clk_tck" p0="$p0" p1="$p1")
	r[$bed.cpu]=$(calc "100 * (t1 - t0) / hz / s" t0="$t0" t1="$t1" \
		hz="$clk_tck" s="$span")
	r[$bed.peers]=$(peer_count node-a) || true
	say "node, $count peers ($act sending): ${r[$bed.pps]} packets/s received, ${r[$bed.us_per_pkt]} us CPU per packet, RSS ${r[$bed.rss]} kB"
	stop_loadgen
	# The peers stay for 46 s without their sessions' keepalives: the
	# junk a stranger may send costs the same whatever their number.
	junk_cost "$bed"
	stop_daemon node-a
}

# junk_cost BED: podnetd's CPU per NAT probe answer from a stranger
# (anyone may send one; doc/wire.md), SCALE_JUNK of them at 10,000 a
# second from 192.168.251.2:40000.
junk_cost() {
	local bed=$1 t0 t1 m0 m1
	# Type 6 (NAT probe), version 1, answer: IPv4 192.168.251.2:8080.
	local hex=060100000000000001041f90c0a8fb02
	m0=$(show_json node-a | jq .rx_malformed) || return 1
	t0=$(cpu_ticks "$pid_node_a")
	n "$ns2" "$spoof" -c "$junk" -r 10000 192.168.251.2:40000 \
		192.168.251.1:51820 "$hex" >/dev/null || return 1
	sleep 0.5
	t1=$(cpu_ticks "$pid_node_a")
	m1=$(show_json node-a | jq .rx_malformed) || return 1
	r[$bed.junk_us]=$(calc "(t1 - t0) / hz / (m1 - m0) * 1e6" t0="$t0" \
		t1="$t1" hz="$clk_tck" m0="$m0" m1="$m1")
	say "node: $((m1 - m0)) probe answers from a stranger refused, ${r[$bed.junk_us]} us CPU each"
}

# ------------------------------------------------------------------ run

say "bed: two namespaces, one veth pair"
ns_create ns1 scale-a
ns_create ns2 scale-b
veth_link "$ns1" veth1 192.168.251.1/24 "$ns2" veth2 192.168.251.2/24
wait_for 50 n "$ns2" ping -c 1 -W 1 192.168.251.1
make_ca "$tmp/ca" scale
# Names after "load-": podnetd is the DTLS server of the loadgen's peers.
make_node_cert "$tmp/ca" rv-a 10.77.0.1
make_node_cert "$tmp/ca" node-a 10.77.0.2

failed=0
((nodes == 0)) || phase_rendezvous || failed=1
node_run one 1 1 || failed=1
node_run many "$peers" "$active" || failed=1

# A build with SANITIZE=1 reports into the logs: a finding fails the run.
if grep -l 'Sanitizer' "$tmp"/*.log 2>/dev/null; then
	say "sanitizer reports in the logs above"
	failed=1
fi

# ------------------------------------------------------------------ table

fmt() { if [[ -n ${2:-} && $2 != null ]]; then printf "%.${1}f" "$2"; else printf -- -; fi; }
elapsed=$(($(date +%s) - started))
echo
echo "| scale | value |"
echo "|---|---:|"
echo "| rendezvous: nodes registered | $nodes in $(fmt 1 "${r[rv.up_s]:-}") s |"
echo "| rendezvous: RSS per registration, KB | $(fmt 2 "$(calc "(b - a) / n" a="${r[rv.rss0]:-}" b="${r[rv.rss]:-}" n="$nodes")") |"
for k in early all; do
	n=${r[rv.$k.n]:-?}
	echo "| rendezvous: lookup p50 / p99, ms, $n registered | $(fmt 2 "${r[rv.$k.lookup50]:-}") / $(fmt 2 "${r[rv.$k.lookup99]:-}") |"
	echo "| rendezvous: introduction p50 / p99, ms, $n registered | $(fmt 2 "${r[rv.$k.intro50]:-}") / $(fmt 2 "${r[rv.$k.intro99]:-}") |"
done
echo "| rendezvous: lookup p50 with all / with 100 | $(fmt 2 "$(calc "b / a" a="${r[rv.early.lookup50]:-}" b="${r[rv.all.lookup50]:-}")") |"
echo "| rendezvous: CPU at idle, % of a core | $(fmt 1 "${r[rv.idle_cpu]:-}") |"
echo "| rendezvous: RSS before / registered / all left, MB | $(fmt 1 "$(calc "a / 1024" a="${r[rv.rss0]:-}")") / $(fmt 1 "$(calc "a / 1024" a="${r[rv.rss]:-}")") / $(fmt 1 "$(calc "a / 1024" a="${r[rv.rss_left]:-}")") |"
echo "| node: packets/s received, 1 peer | $(fmt 0 "${r[one.pps]:-}") |"
echo "| node: packets/s received, $peers peers, $active sending | $(fmt 0 "${r[many.pps]:-}") |"
echo "| node: CPU µs per packet, 1 peer | $(fmt 2 "${r[one.us_per_pkt]:-}") |"
echo "| node: CPU µs per packet, $peers peers | $(fmt 2 "${r[many.us_per_pkt]:-}") |"
echo "| node: per-packet cost, $peers peers / 1 | $(fmt 2 "$(calc "b / a" a="${r[one.us_per_pkt]:-}" b="${r[many.us_per_pkt]:-}")") |"
echo "| node: CPU µs per probe answer from a stranger, 1 peer / $peers peers | $(fmt 2 "${r[one.junk_us]:-}") / $(fmt 2 "${r[many.junk_us]:-}") |"
echo "| node: RSS per peer, KB | $(fmt 2 "$(calc "(b - a) / (n - 1)" a="${r[one.rss]:-}" b="${r[many.rss]:-}" n="$peers")") |"
echo
echo "bench-scale: $lookups lookups per round at $lookup_rate/s; $pps packets/s of $payload bytes;" \
	"${span} s CPU windows; load average $loadavg before (a shared machine: figures taken under load); $elapsed s in all"
exit $failed
