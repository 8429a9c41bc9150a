#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make bench`: podnet side by side with the raw veth under it, with
# wireguard-go and with Nebula, on one bed and in one run, so the ratios
# compare numbers taken on the same machine at the same time. A
# measurement, not a test: it fails only when it cannot measure, never on
# a number. See doc/bench.md for what each number means.
#
#  ┌─ $ns1: bench-a ──────────────────┐          ┌─ $ns2: bench-b ──────────────────┐
#  │ veth1  192.168.250.1/24          ├──────────┤ veth2  192.168.250.2/24          │
#  │ wga$$  10.88.0.1/24  wireguard-go│          │ wgb$$  10.88.0.2/24  wireguard-go│
#  │ neba$$ 10.89.0.1/24  nebula      │          │ nebb$$ 10.89.0.2/24  nebula      │
#  │ pod0   10.77.0.1/24  podnetd     │          │ pod0   10.77.0.2/24  podnetd     │
#  │        (pod-a, :51820)           │          │        (pod-b, :51820)           │
#  │ iperf3 -s, one test at a time    │          │ iperf3 -c, ping                  │
#  │                                  │          │ podnet-loadgen: load-0001 ...    │
#  │                                  │          │ 1000 DTLS clients -> pod-a       │
#  └──────────────────────────────────┘          └──────────────────────────────────┘
#
# Traffic always flows from $ns2 to $ns1. One tunnel runs at a time: each
# pair of daemons is stopped before the next starts. Every tunnel has the
# same inner MTU (1420, wireguard-go's default; podnet's largest is
# 1419), and each is measured BENCH_RUNS times in rounds (raw veth,
# wireguard-go, Nebula, podnet with Debian's wolfSSL, podnet as `make`
# builds it; then again), so that a busy moment of the machine falls on
# all of them alike; the tables give every run and the median.
#
# First of all, with nothing else running, podnet-cryptobench measures
# the data path's crypto alone with 1 and 2 threads, for each build.
# After the rounds: the slow receiver (Threads), the relay
# (scripts/bench-relay.sh), then the idle peers against the default build.
#
# Environment:
#   BENCH_TIME=10    seconds per iperf3 run (3 for a quick look)
#   BENCH_RUNS=3     rounds of every tunnel
#   BENCH_PEERS=1000 idle peer sessions for the per-peer memory
#   BENCH_PINGS=50   echo requests per RTT measurement, 20 ms apart
#   BENCH_THREADS=1  podnetd's Threads setting (auto, 2: parallel crypto)
#   PODNET_SYSTEM_BUILD  a `make WOLFSSL=system` build dir (make bench
#                    sets it): podnet with Debian's wolfSSL beside the default
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PODNET_BUILD=${PODNET_BUILD:-$top/build}
bench_time=${BENCH_TIME:-10}
bench_peers=${BENCH_PEERS:-1000}
bench_pings=${BENCH_PINGS:-50}
bench_runs=${BENCH_RUNS:-3}
# The inner MTU of every tunnel; podnet's largest is one byte less.
bench_mtu=1420
bench_podnet_mtu=1419

if [[ $(id -u) -ne 0 ]]; then
	echo "bench: creates network namespaces, run it as root" >&2
	exit 1
fi
"$top/scripts/deps.sh" bench
# Namespaces, cleanup on every exit, certificates, daemons, bounded waits.
source "$top/test/lib/netns.sh"
# say, rtt_ms, iperf, calc, row, num
source "$top/scripts/lib-bench.sh"
# phase_nebula; phase_relay
source "$top/scripts/bench-nebula.sh"
source "$top/scripts/bench-relay.sh"
loadgen=$build/podnet-loadgen
sys_podnetd=
[[ -z ${PODNET_SYSTEM_BUILD:-} ]] || sys_podnetd=$PODNET_SYSTEM_BUILD/podnetd
for f in "$podnetd" "$podnet" "$loadgen" ${sys_podnetd:+"$sys_podnetd"}; do
	[[ -x $f ]] || { echo "bench: $f missing: run 'make bench'" >&2; exit 1; }
done

# wireguard-go's control sockets live in /var/run/wireguard, which all
# namespaces share: the interface names must be unique on the machine.
wg_a=wga$$
wg_b=wgb$$
clk_tck=$(getconf CLK_TCK)
json=$build/bench.json
started=$(date +%s)
# Anything else running skews every number: say how busy the machine was.
loadavg=$(cut -d' ' -f1 /proc/loadavg)

bench_cleanup() {
	local status=$?

	set +e
	rm -f "/var/run/wireguard/$wg_a.sock" "/var/run/wireguard/$wg_b.sock"
	(exit $status)
	cleanup
}
trap bench_cleanup EXIT


# ---------------------------------------------------------------- helpers

# cpu_ticks PID...: user + system time of the processes, all threads.
cpu_ticks() {
	local total=0 pid stat f
	for pid in "$@"; do
		stat=$(<"/proc/$pid/stat") || return 1
		# The command name may hold spaces: split after its ')'.
		read -ra f <<<"${stat##*) }"
		total=$((total + f[11] + f[12]))
	done
	echo "$total"
}

# steal_ticks: "STEAL TOTAL", the machine's CPU ticks taken by the
# hypervisor for other guests, and all ticks, from /proc/stat's cpu line
# (user nice system idle iowait irq softirq steal ...).
steal_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t; exit }' /proc/stat; }

# steal_pct "STEAL TOTAL" "STEAL TOTAL": the share of the machine's CPU
# time between the two readings that went to other guests, in %. On a
# virtual machine it is what makes a round slow for no reason of its own.
steal_pct() {
	local s0 t0 s1 t1
	read -r s0 t0 <<<"$1"
	read -r s1 t1 <<<"$2"
	calc "100 * (s1 - s0) / (t1 - t0 + (t1 == t0))" s0="$s0" t0="$t0" s1="$s1" t1="$t1"
}

# one_stream BED ADDRESS: BED's 1-stream iperf3 run and the steal during
# it, into r[BED.tcp1], r[BED.retr1] and r[BED.steal]; the bytes moved
# into one_stream_bytes (CPU per GB needs them).
one_stream() {
	local st0
	st0=$(steal_ticks)
	read -r "r[$1.tcp1]" one_stream_bytes "r[$1.retr1]" < <(iperf "$2" 1 "$1-1")
	r[$1.steal]=$(steal_pct "$st0" "$(steal_ticks)")
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null; }

# Every number the run takes, by "bed.metric"; unset = not measured.
declare -A r

# What each run of a tunnel records, in r[BED.METRIC_runs].
run_metrics="tcp1 tcp4 rtt cpu retr1 retr4 steal"

# measure_tunnel BED INNER_ADDRESS PID...: RTT, memory, throughput and
# CPU of the daemons PID... (the receiving one first). Each call is one
# run: r[BED.METRIC] is the latest, r[BED.METRIC_runs] all of them, and
# median_runs turns those into the medians the tables show.
measure_tunnel() {
	local bed=$1 addr=$2 t0 t1 k
	shift 2
	r[$bed.rss_fresh]=$(rss_kb "$1")
	r[$bed.rtt]=$(rtt_ms "$addr")
	t0=$(cpu_ticks "$@") || t0=
	one_stream "$bed" "$addr"
	t1=$(cpu_ticks "$@") || t1=
	r[$bed.cpu]=$(calc "(t1 - t0) / hz / (b / 1e9)" t0="$t0" t1="$t1" \
		hz="$clk_tck" b="$one_stream_bytes")
	read -r "r[$bed.tcp4]" _ "r[$bed.retr4]" < <(iperf "$addr" 4 "$bed-4")
	r[$bed.rss]=$(rss_kb "$1")
	for k in $run_metrics; do
		r[$bed.${k}_runs]+="${r[$bed.$k]:-null} "
	done
	say "$bed: ${r[$bed.tcp1]} / ${r[$bed.tcp4]} Gbit/s, RTT ${r[$bed.rtt]} ms, ${r[$bed.cpu]} CPU s/GB, steal ${r[$bed.steal]} %"
}

# missed_run BED: a round in which BED could not be measured, as "null"
# runs, so that the rounds after it still line up with the other beds'
# in round_ratios.
missed_run() {
	local k
	for k in $run_metrics; do
		r[$1.${k}_runs]+="null "
	done
}

# median_runs BED: each metric's median over its runs ("null" runs left
# out), into r[BED.METRIC].
median_runs() {
	local k
	for k in $run_metrics; do
		r[$1.$k]=$(tr ' ' '\n' <<<"${r[$1.${k}_runs]:-}" |
			{ grep -E '^[0-9.e+-]+$' || true; } | sort -g | awk '{ v[NR] = $1 } END {
				if (NR == 0) print "null"
				else if (NR % 2) print v[(NR + 1) / 2]
				else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	done
}

# ------------------------------------------------------------ the phases

bed() {
	say "bed: two namespaces, one veth pair; iperf3 runs of $bench_time s"
	ns_create ns1 bench-a
	ns_create ns2 bench-b
	veth_link "$ns1" veth1 192.168.250.1/24 "$ns2" veth2 192.168.250.2/24
	wait_for 50 n "$ns2" ping -c 1 -W 1 192.168.250.1
}

phase_veth() {
	local k
	say "raw veth"
	r[veth.rtt]=$(rtt_ms 192.168.250.1)
	one_stream veth 192.168.250.1
	read -r "r[veth.tcp4]" _ "r[veth.retr4]" < <(iperf 192.168.250.1 4 veth-4)
	for k in tcp1 tcp4 rtt retr1 retr4 steal; do
		r[veth.${k}_runs]+="${r[veth.$k]:-null} "
	done
	say "veth: ${r[veth.tcp1]} / ${r[veth.tcp4]} Gbit/s, RTT ${r[veth.rtt]} ms, steal ${r[veth.steal]} %"
}

# start_wg NS IFNAME: wireguard-go in the foreground, so $! is its pid
# and no daemon escapes the cleanup.
start_wg() {
	ip netns exec "$1" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error \
		wireguard-go -f "$2" >>"$tmp/$2.log" 2>&1 &
	daemon_pids+=($!)
	wait_for 50 test -S "/var/run/wireguard/$2.sock"
}

phase_wg() {
	local pid pid_a pid_b

	r[wg.version]=$(dpkg-query -W -f='${Version}' wireguard-go)
	say "wireguard-go ${r[wg.version]}"
	[[ -f $tmp/wg-b.pub ]] || wg_keys a b
	start_wg "$ns1" "$wg_a" || return 1
	pid_a=${daemon_pids[-1]}
	start_wg "$ns2" "$wg_b" || return 1
	pid_b=${daemon_pids[-1]}
	# wireguard-go made the devices; wg_setup configures them, with
	# wg-quick's default MTU (1420) rather than podnet's default.
	wg_setup "$ns1" "$wg_a" a b 10.88.0.1 10.88.0.2 192.168.250.2 51821 "$bench_mtu" || return 1
	wg_setup "$ns2" "$wg_b" b a 10.88.0.2 10.88.0.1 192.168.250.1 51821 "$bench_mtu" || return 1
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.88.0.1 || return 1
	measure_tunnel wg 10.88.0.1 "$pid_a" "$pid_b"
	# Stopped before podnet runs: an idle Go runtime still wakes up.
	for pid in "$pid_a" "$pid_b"; do
		kill -TERM "$pid" 2>/dev/null
		wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	done
	# The next round waits for fresh control sockets.
	rm -f "/var/run/wireguard/$wg_a.sock" "/var/run/wireguard/$wg_b.sock"
	return 0
}

# bench_config NAME ADDRESS PEER PEER_ENDPOINT [CIPHERS [THREADS]]: no
# CIPHERS, no Ciphers line (the build's default order); THREADS defaults
# to BENCH_THREADS, or 1.
bench_config() {
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
	Threads = ${6:-${BENCH_THREADS:-1}}
	${5:+Ciphers = $5}

	[Peer]
	Name = $3
	Endpoint = $4:51820
	EOC
}

# run_podnet BED PODNETD CIPHERS [SENDER_PODNETD RECEIVER_THREADS]: a pair
# of daemons of that build (or the receiver pod-a of that one, the sender
# pod-b of another), measured as BED; they keep running (the pids are in
# pid_pod_a, pid_pod_b).
run_podnet() {
	local bed=$1 ciphers=$3 sender=${4:-$2}
	local podnetd=$2

	bench_config pod-a 10.77.0.1 pod-b 192.168.250.2 "$ciphers" "${5:-}"
	bench_config pod-b 10.77.0.2 pod-a 192.168.250.1 "$ciphers"
	start_daemon "$ns1" pod-a || return 1
	podnetd=$sender start_daemon "$ns2" pod-b || return 1
	wait_for 150 peer_established pod-a pod-b || return 1
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.77.0.1 || return 1
	r[$bed.cipher]=$(peer_field pod-a pod-b cipher)
	measure_tunnel "$bed" 10.77.0.1 "$pid_pod_a" "$pid_pod_b"
	# The receiver's view of the runs, for whoever reads the JSON.
	r[$bed.counters]=$(show_json pod-a 2>/dev/null | jq -c '.peers[] |
		select(.name == "pod-b") | del(.name, .address, .endpoint,
		.session, .latest_handshake)' 2>/dev/null || true)
	alive "$pid_pod_a" && alive "$pid_pod_b"
}

podnet_certs() {
	make_ca "$tmp/ca" bench
	# Names after "load-": for the loadgen's peers podnetd is then the
	# DTLS server, which asks for a handshake instead of dialling.
	make_node_cert "$tmp/ca" pod-a 10.77.0.1
	make_node_cert "$tmp/ca" pod-b 10.77.0.2
}

# podnet with Debian's packaged wolfSSL (`make WOLFSSL=system`), its
# default cipher; stopped before the next pair.
phase_podnet_system() {
	local ok=0
	say "podnet, Debian's wolfSSL ($sys_podnetd)"
	run_podnet sys "$sys_podnetd" "" || ok=1
	stop_daemon pod-a || ok=1
	stop_daemon pod-b || ok=1
	return $ok
}

# What a second thread does where a core has room: a receiver whose
# crypto is the bottleneck (Debian's portable AES-GCM, 0.1 GB/s a core)
# fed by a sender that needs little (the default build, with assembly),
# Threads = 1 and then 2 on the receiver.
phase_threads() {
	local bed threads ok=0

	for threads in 1 2; do
		bed=thr$threads
		say "podnet, slow receiver (Debian's wolfSSL, AES-128-GCM, Threads = $threads), sender with assembly"
		run_podnet "$bed" "$sys_podnetd" aes-128-gcm "$podnetd" "$threads" || ok=1
		r[$bed.worker_jobs]=$(iface_field pod-a crypto_worker_jobs 2>/dev/null || true)
		stop_daemon pod-a || ok=1
		stop_daemon pod-b || ok=1
	done
	return $ok
}

# podnet as `make` builds it, its default cipher. With KEEP, the pair
# stays up for the idle peers.
phase_podnet() {
	local ok=0
	say "podnet ($podnetd)"
	run_podnet pod "$podnetd" "" || ok=1
	r[pod.crypto_code]=$(iface_field pod-a crypto_code 2>/dev/null || true)
	if [[ ${1:-} != keep ]]; then
		stop_daemon pod-a || ok=1
		stop_daemon pod-b || ok=1
	fi
	return $ok
}

established_load() {
	show_json pod-a | jq '[.peers[] | select((.name | startswith("load-"))
		and .state == "established")] | length'
}

phase_idle_peers() {
	local pid_loadgen deadline count=0 t0 t1 line

	say "podnet: $bench_peers idle peer sessions from podnet-loadgen"
	r[pod.rss1]=$(rss_kb "$pid_pod_a")
	# All from one address: podnetd lets a stranger address have at most 8
	# handshakes in progress (session.c), so no more in flight.
	ip netns exec "$ns2" "$loadgen" -p 8 "$tmp/ca" 192.168.250.1:51820 \
		"$bench_peers" >"$tmp/loadgen.log" 2>&1 &
	pid_loadgen=$!
	daemon_pids+=("$pid_loadgen")
	# 30 s plus 50 ms a peer: ten times what a healthy daemon needs.
	deadline=$(($(date +%s) + 30 + bench_peers / 20))
	while (($(date +%s) < deadline)); do
		count=$(established_load 2>/dev/null) || count=0
		((count >= bench_peers)) && break
		alive "$pid_pod_a" && alive "$pid_loadgen" || break
		sleep 1
	done
	r[pod.established]=$count
	if ! alive "$pid_pod_a"; then
		say "podnetd pod-a died with $count peers up"
		return 1
	fi
	if ((count < bench_peers)); then
		say "only $count of $bench_peers peers established in time"
		return 1
	fi
	# Let the last handshakes settle, then the steady state, and what
	# ten seconds of keepalives alone cost.
	sleep 3
	r[pod.rss1000]=$(rss_kb "$pid_pod_a")
	t0=$(cpu_ticks "$pid_pod_a")
	sleep 10
	t1=$(cpu_ticks "$pid_pod_a")
	r[pod.idle_cpu]=$(calc "100 * (t1 - t0) / hz / 10" t0="$t0" t1="$t1" hz="$clk_tck")
	r[pod.rss1000_later]=$(rss_kb "$pid_pod_a")
	# "all N sessions established in S s; handshake ms: median M, p99 P, max X"
	line=$(grep '^all ' "$tmp/loadgen.log" | tail -n 1 || true)
	r[pod.establish_s]=$(sed -nE 's/.* in ([0-9.]+) s;.*/\1/p' <<<"$line")
	r[pod.hs_median_ms]=$(sed -nE 's/.*median ([0-9]+).*/\1/p' <<<"$line")
	r[pod.hs_p99_ms]=$(sed -nE 's/.*p99 ([0-9]+).*/\1/p' <<<"$line")
	say "podnet: $count peers; loadgen: $line"
}

# ------------------------------------------------------------------ run

# phase_crypto BUILD_DIR KEY: podnet-cryptobench of that build, as JSON.
phase_crypto() {
	local bin=$1/podnet-cryptobench
	[[ -x $bin ]] || return 0
	say "crypto alone, 1 and 2 threads ($bin)"
	r[crypto.$2]=$("$bin" --json -t 2) || {
		say "podnet-cryptobench failed"
		r[crypto.$2]=
		return 1
	}
}

# Which wolfSSL the default build links: the assembly build is static.
default_code=asm
ldd "$podnetd" | grep -q libwolfssl && default_code=packaged

failed=0
phase_crypto "$build" "$default_code" || failed=1
[[ -z $sys_podnetd || $default_code == packaged ]] ||
	phase_crypto "$PODNET_SYSTEM_BUILD" packaged || failed=1
bed
# Every TCP run uses the machine's default congestion control, as its
# users' would; it moves raw veth far more than the tunnels (doc/bench.md).
tcp_cc=$(n "$ns2" sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown)
podnet_certs
for ((round = 1; round <= bench_runs; round++)); do
	say "round $round of $bench_runs"
	phase_veth
	phase_wg || { say "wireguard-go: could not measure"; failed=1; }
	phase_nebula || { say "nebula: could not measure"; failed=1; }
	if [[ -n $sys_podnetd ]]; then
		phase_podnet_system || { say "podnet, Debian's wolfSSL: could not measure"; failed=1; }
	fi
	phase_podnet || { say "podnet: could not measure"; failed=1; }
done
for b in veth wg neb sys pod; do median_runs "$b"; done
if [[ -n $sys_podnetd && $default_code == asm ]]; then
	phase_threads || { say "podnet, Threads: could not measure everything"; failed=1; }
fi
# The relay beside a direct path, no cap, in alternating rounds like the
# main table: a single pair of runs has given anything from 0.67 to 1.01
# (doc/bench.md). Then the default cap, once: it is a limit, not a race.
relay_default=$(sed -nE 's/^#define CONFIG_DEFAULT_RELAY_LIMIT ([0-9]+).*/\1/p' \
	"$top/userspace/lib/config.h")
for ((round = 1; round <= bench_runs; round++)); do
	phase_relay rdirect direct 100000 || failed=1
	phase_relay relayed relay 100000 || failed=1
done
phase_relay rdefault relay "${relay_default:-100}" || failed=1
for b in rdirect relayed rdefault; do median_runs "$b"; done
# The idle peers against the default build's pair, started afresh.
idle_pair() {
	bench_config pod-a 10.77.0.1 pod-b 192.168.250.2 ""
	bench_config pod-b 10.77.0.2 pod-a 192.168.250.1 ""
	start_daemon "$ns1" pod-a && start_daemon "$ns2" pod-b &&
		wait_for 150 peer_established pod-a pod-b
}
if idle_pair; then
	phase_idle_peers || failed=1
else
	say "podnet: no pair for the idle peers"
	failed=1
fi

# --------------------------------------------------------------- report

mb() { calc "a / 1024" a="${1:-}"; }
# fmt DECIMALS VALUE: a number for people, "-" when there is none.
fmt() { if [[ -n ${2:-} && $2 != null ]]; then printf "%.${1}f" "$2"; else printf -- -; fi; }
# ratio A B [DECIMALS]: A / B for people.
ratio() { fmt "${3:-2}" "$(calc "a / b" a="${1:-}" b="${2:-}")"; }
# runs DECIMALS BED METRIC: every run, comma-separated.
runs() {
	local v out=
	for v in ${r[$2.${3}_runs]:-}; do out+="${out:+, }$(fmt "$1" "$v")"; done
	printf '%s' "${out:--}"
}

declare -A label
for b in veth wg neb sys pod rdirect relayed rdefault; do
	[[ $b == veth ]] ||
		r[$b.added_rtt]=$(calc "a - b" a="${r[$b.rtt]:-}" b="${r[veth.rtt]:-}")
	r[$b.rss_mb]=$(mb "${r[$b.rss]:-}")
done
cipher_short() { sed -E 's/^ECDHE-ECDSA-//; s/-SHA[0-9]+$//' <<<"${1:-}"; }
label[veth]="raw veth"
label[wg]="wireguard-go ${r[wg.version]:-}"
label[neb]="nebula ${r[neb.version]:-}"
label[sys]="podnet, WOLFSSL=system ($(cipher_short "${r[sys.cipher]:-}"))"
label[pod]="podnet, make ($default_code, $(cipher_short "${r[pod.cipher]:-}"))"
main_beds=(veth wg neb)
[[ -z $sys_podnetd ]] || main_beds+=(sys)
main_beds+=(pod)

# The issue's table: one row a system, medians of the runs; ratios to
# wireguard-go (higher is better for throughput, lower for the rest).
main_table() {
	local b
	echo "| system | 1 stream Gbit/s | 4 streams | ping ms | added ms | CPU s per GB | RSS MB | 1 stream / wg-go | 4 streams / wg-go | added ping / wg-go | CPU / wg-go |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for b in "${main_beds[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${label[$b]}" \
			"$(fmt 2 "${r[$b.tcp1]:-}")" "$(fmt 2 "${r[$b.tcp4]:-}")" \
			"$(fmt 3 "${r[$b.rtt]:-}")" "$(fmt 3 "${r[$b.added_rtt]:-}")" \
			"$(fmt 2 "${r[$b.cpu]:-}")" "$(fmt 1 "${r[$b.rss_mb]:-}")" \
			"$(ratio "${r[$b.tcp1]:-}" "${r[wg.tcp1]:-}")" \
			"$(ratio "${r[$b.tcp4]:-}" "${r[wg.tcp4]:-}")" \
			"$([[ $b == veth ]] && echo - || ratio "${r[$b.added_rtt]:-}" "${r[wg.added_rtt]:-}")" \
			"$(ratio "${r[$b.cpu]:-}" "${r[wg.cpu]:-}")"
	done
}

# Every run behind those medians.
runs_table() {
	local b
	echo "| system, every run | 1 stream Gbit/s | 4 streams Gbit/s | ping ms | CPU s per GB | steal % during 1 stream |"
	echo "|---|---|---|---|---|---|"
	for b in "${main_beds[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s |\n' "${label[$b]}" "$(runs 2 "$b" tcp1)" \
			"$(runs 2 "$b" tcp4)" "$(runs 3 "$b" rtt)" "$(runs 2 "$b" cpu)" \
			"$(runs 0 "$b" steal)"
	done
}

# round_ratios A B [METRIC]: A's 1-stream figure (or METRIC's, e.g.
# tcp4) over B's, round by round. The two run minutes apart in each
# round, so a slow moment of the machine tends to fall on both; the
# spread says how far to trust the medians.
round_ratios() {
	local -a a b
	local i out= metric=${3:-tcp1}
	read -ra a <<<"${r[$1.${metric}_runs]:-}"
	read -ra b <<<"${r[$2.${metric}_runs]:-}"
	for i in "${!a[@]}"; do
		out+="${out:+, }$(ratio "${a[$i]}" "${b[$i]:-}")"
	done
	printf '%s' "${out:--}"
}

# quiet_ratio A B MAX: the median of those per-round ratios over the
# rounds in which neither run lost more than MAX % of the machine to
# steal, and how many rounds that was. A noisy host moves the plain
# medians; this figure leaves out the rounds it spoiled, and says so.
quiet_ratio() {
	awk -v a="${r[$1.tcp1_runs]:-}" -v b="${r[$2.tcp1_runs]:-}" \
	    -v sa="${r[$1.steal_runs]:-}" -v sb="${r[$2.steal_runs]:-}" \
	    -v max="$3" 'BEGIN {
		n = split(a, va, " "); split(b, vb, " ")
		split(sa, wa, " "); split(sb, wb, " ")
		k = 0
		for (i = 1; i <= n; i++) {
			if (va[i] !~ /^[0-9.]+$/ || vb[i] !~ /^[0-9.]+$/ || vb[i] + 0 == 0 ||
			    wa[i] !~ /^[0-9.]+$/ || wb[i] !~ /^[0-9.]+$/ ||
			    wa[i] + 0 >= max || wb[i] + 0 >= max)
				continue
			q[++k] = va[i] / vb[i]
		}
		if (k == 0) { printf "- (no round under %d %% steal)", max; exit }
		for (i = 2; i <= k; i++)	# insertion sort: a handful of rounds
			for (j = i; j > 1 && q[j - 1] > q[j]; j--) { t = q[j]; q[j] = q[j - 1]; q[j - 1] = t }
		m = k % 2 ? q[(k + 1) / 2] : (q[k / 2] + q[k / 2 + 1]) / 2
		printf "%.2f (%d of %d rounds under %d %% steal)", m, k, n, max
	}'
}

# The relay beside a direct path through the same rendezvous namespace.
relay_table() {
	local b what
	echo "| path through the rendezvous namespace | 1 stream Gbit/s | 4 streams | ping ms | CPU s per GB, 3 daemons | 1 stream / direct | podnet show: limit on the peer / from the rendezvous, Mbit/s |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	for b in rdirect relayed rdefault; do
		case $b in
		rdirect) what="direct (routed), RelayLimit = 100000" ;;
		relayed) what="relayed, RelayLimit = 100000 (no cap)" ;;
		rdefault) what="relayed, RelayLimit = ${relay_default:-?} (default)" ;;
		esac
		printf '| %s | %s | %s | %s | %s | %s | %s / %s |\n' "$what" \
			"$(fmt 2 "${r[$b.tcp1]:-}")" "$(fmt 2 "${r[$b.tcp4]:-}")" \
			"$(fmt 3 "${r[$b.rtt]:-}")" "$(fmt 2 "${r[$b.cpu]:-}")" \
			"$(ratio "${r[$b.tcp1]:-}" "${r[rdirect.tcp1]:-}")" \
			"${r[$b.limit_shown]:--}" "${r[$b.limit_rv]:--}"
	done
}

elapsed=$(($(date +%s) - started))
echo
main_table
echo
echo "podnet (make) / raw veth: 1 stream $(ratio "${r[pod.tcp1]:-}" "${r[veth.tcp1]:-}"), 4 streams $(ratio "${r[pod.tcp4]:-}" "${r[veth.tcp4]:-}"); podnet (make) / nebula: 1 stream $(ratio "${r[pod.tcp1]:-}" "${r[neb.tcp1]:-}"), CPU $(ratio "${r[pod.cpu]:-}" "${r[neb.cpu]:-}")"
echo "podnet (make) / raw veth, 1 stream, round by round: $(round_ratios pod veth); median of the quiet rounds: $(quiet_ratio pod veth 5)"
echo "inner MTU $bench_mtu (podnet $bench_podnet_mtu, its largest); medians of $bench_runs rounds"
echo
runs_table
echo
relay_table
echo "relayed / direct, no cap, 1 stream, round by round: $(round_ratios relayed rdirect); 4 streams: $(round_ratios relayed rdirect tcp4); medians of $bench_runs rounds, the default cap once"
echo
printf '%s idle peers: %s established' "$bench_peers" "${r[pod.established]:-0}"
[[ -z ${r[pod.establish_s]:-} ]] || printf ' in %s s (handshake median %s ms, p99 %s ms)' \
	"${r[pod.establish_s]}" "${r[pod.hs_median_ms]}" "${r[pod.hs_p99_ms]}"
r[pod.rss_per_peer]=$(calc "(a - b) / (n - 1)" a="${r[pod.rss1000]:-}" b="${r[pod.rss1]:-}" \
	n="$((bench_peers > 1 ? bench_peers : 2))")
printf '; RSS %s -> %s MB, %s MB 10 s later (%s KB per peer); idle CPU %s %%\n' \
	"$(fmt 1 "$(mb "${r[pod.rss1]:-}")")" "$(fmt 1 "$(mb "${r[pod.rss1000]:-}")")" \
	"$(fmt 1 "$(mb "${r[pod.rss1000_later]:-}")")" "$(fmt 1 "${r[pod.rss_per_peer]:-}")" \
	"$(fmt 1 "${r[pod.idle_cpu]:-}")"
# The crypto alone: seal / open GB/s per cipher, build and thread count.
crypto_table() {
	local key label
	[[ -n ${r[crypto.packaged]:-} ]] || return 0
	echo
	echo "| crypto alone, 1400-byte records, batches of 64 | 1 thread, seal / open GB/s | 2 threads | 2 threads / 1, seal |"
	echo "|---|---:|---:|---:|"
	for key in packaged asm; do
		[[ -n ${r[crypto.$key]:-} ]] || continue
		label="Debian's wolfSSL"
		[[ $key == asm ]] && label="wolfSSL with assembly"
		jq -r --arg build "$label" '. as $all | ("chacha20-poly1305", "aes-128-gcm") as $c |
			($all | map(select(.cipher == $c))) |
			(map(select(.threads == 1))[0]) as $one |
			(map(select(.threads == 2))[0]) as $two |
			"| \($one.cipher), \($build) | \($one.seal_gb_per_s) / \($one.open_gb_per_s) | \($two.seal_gb_per_s) / \($two.open_gb_per_s) | \(($two.seal_gb_per_s / $one.seal_gb_per_s * 100 | round) / 100) |"' \
			<<<"${r[crypto.$key]}"
	done
}
crypto_table
# The slow receiver with 1 and 2 threads.
if [[ -n ${r[thr1.tcp1]:-} || -n ${r[thr2.tcp1]:-} ]]; then
	echo
	echo "| slow receiver (Debian's AES-128-GCM), sender with assembly | Threads = 1 | Threads = 2 | 2 / 1 |"
	echo "|---|---:|---:|---:|"
	for m in tcp1:"TCP 1 stream, Gbit/s" tcp4:"TCP 4 streams, Gbit/s" cpu:"CPU s/GB, both daemons"; do
		printf '| %s | %s | %s | %s |\n' "${m#*:}" \
			"$(fmt 2 "${r[thr1.${m%%:*}]:-}")" "$(fmt 2 "${r[thr2.${m%%:*}]:-}")" \
			"$(fmt 2 "$(calc "b / a" a="${r[thr1.${m%%:*}]:-}" b="${r[thr2.${m%%:*}]:-}")")"
	done
	echo "records sealed or opened by the receiver's worker thread with Threads = 2: ${r[thr2.worker_jobs]:--}"
fi
echo
echo "iperf3 runs of $bench_time s, TCP congestion control $tcp_cc (the machine's default);" \
	"$bench_pings pings 20 ms apart; load average $loadavg before; $elapsed s in all; JSON in $json"

# bed_json BED: its medians and every run, as JSON.
bed_json() {
	local b=$1 k
	for k in tcp1 tcp4 rtt added_rtt cpu rss retr1 retr4 steal; do
		printf '%s\t%s\t%s\n' "$k" "${r[$b.$k]:-null}" "${r[$b.${k}_runs]:-}"
	done | jq -R -s --arg name "${label[$b]:-$b}" --arg cipher "${r[$b.cipher]:-}" '
		def num: if . == "null" or . == "" then null else tonumber end;
		split("\n") | map(select(length > 0) | split("\t")) |
		map({ key: .[0], value: (.[1] | num),
		      runs: (.[2] | split(" ") | map(select(length > 0) | num)) }) |
		{ name: $name, cipher: (if $cipher == "" then null else $cipher end),
		  tcp_1_gbps: .[0].value, tcp_4_gbps: .[1].value, rtt_ms: .[2].value,
		  added_rtt_ms: .[3].value, cpu_s_per_gb: .[4].value, rss_kb: .[5].value,
		  retransmits_1_and_4: [.[6].value, .[7].value],
		  steal_pct_1: .[8].value,
		  runs: { tcp_1_gbps: .[0].runs, tcp_4_gbps: .[1].runs, rtt_ms: .[2].runs,
			  cpu_s_per_gb: .[4].runs, steal_pct_1: .[8].runs } }'
}

{
	for b in veth wg neb sys pod rdirect relayed rdefault thr1 thr2; do
		[[ -n ${r[$b.tcp1]:-} ]] || continue
		printf '{"%s": %s}\n' "$b" "$(bed_json "$b")"
	done
} | jq -s add | jq \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson cores "$(nproc)" \
	--arg kernel "$(uname -r)" \
	--arg tcp_cc "$tcp_cc" \
	--arg commit "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)" \
	--arg default_code "$default_code" \
	--argjson time "$bench_time" --argjson pings "$bench_pings" \
	--argjson runs "$bench_runs" --argjson mtu "$bench_mtu" \
	--argjson podnet_mtu "$bench_podnet_mtu" \
	--argjson elapsed "$elapsed" --argjson failed "$failed" \
	--argjson loadavg "$loadavg" \
	--argjson relay_default "$(num "${relay_default:-}")" \
	--argjson peers "$bench_peers" \
	--argjson established "$(num "${r[pod.established]:-}")" \
	--argjson establish_s "$(num "${r[pod.establish_s]:-}")" \
	--argjson hs_median "$(num "${r[pod.hs_median_ms]:-}")" \
	--argjson hs_p99 "$(num "${r[pod.hs_p99_ms]:-}")" \
	--argjson rss1 "$(num "${r[pod.rss1]:-}")" \
	--argjson rssn "$(num "${r[pod.rss1000]:-}")" \
	--argjson rssn_later "$(num "${r[pod.rss1000_later]:-}")" \
	--argjson idle_cpu "$(num "${r[pod.idle_cpu]:-}")" \
	--argjson worker_jobs "$(num "${r[thr2.worker_jobs]:-}")" \
	--argjson counters "${r[pod.counters]:-null}" \
	--argjson crypto "{\"packaged\": ${r[crypto.packaged]:-null}, \"asm\": ${r[crypto.asm]:-null}}" '
	{
		date: $date, commit: $commit, cpu: $cpu, cores: $cores,
		kernel: $kernel, tcp_congestion_control: $tcp_cc, bench_time_s: $time, pings: $pings, rounds: $runs,
		inner_mtu: $mtu, podnet_mtu: $podnet_mtu,
		default_build_wolfssl: $default_code,
		elapsed_s: $elapsed, loadavg_before: $loadavg,
		complete: ($failed == 0),
		systems: ., relay_default_mbps: $relay_default,
		idle_peers: {
			requested: $peers, established: $established,
			establish_s: $establish_s, handshake_median_ms: $hs_median,
			handshake_p99_ms: $hs_p99, rss_1_peer_kb: $rss1,
			rss_kb: $rssn, rss_10s_later_kb: $rssn_later,
			idle_cpu_percent: $idle_cpu
		},
		crypto_alone: $crypto,
		slow_receiver_worker_jobs: $worker_jobs,
		podnet_receiver_counters: $counters
	}' >"$json"
exit $failed
