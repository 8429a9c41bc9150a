#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make bench`: podnet side by side with the raw veth under it and with
# wireguard-go, on one bed and in one run, so the ratios compare numbers
# taken on the same machine at the same time. A measurement, not a test:
# it fails only when it cannot measure, never on a number. See
# doc/bench.md for what each number means.
#
#  ┌─ $ns1: bench-a ──────────────────┐          ┌─ $ns2: bench-b ──────────────────┐
#  │ veth1  192.168.250.1/24          ├──────────┤ veth2  192.168.250.2/24          │
#  │ wga$$  10.88.0.1/24  wireguard-go│          │ wgb$$  10.88.0.2/24  wireguard-go│
#  │ pod0   10.77.0.1/24  podnetd     │          │ pod0   10.77.0.2/24  podnetd     │
#  │        (pod-a, :51820)           │          │        (pod-b, :51820)           │
#  │ iperf3 -s, one test at a time    │          │ iperf3 -c, ping                  │
#  │                                  │          │ podnet-loadgen: load-0001 ...    │
#  │                                  │          │ 1000 DTLS clients -> pod-a       │
#  └──────────────────────────────────┘          └──────────────────────────────────┘
#
# Traffic always flows from $ns2 to $ns1. wireguard-go is stopped before
# podnet is measured, so the two never share the two cores.
#
# First of all, with nothing else running, podnet-cryptobench measures
# the data path's crypto alone with 1 and 2 threads, for each build: what
# the crypto pool (Threads) gains when a core is free, which this bed,
# whose two cores carry both ends of every tunnel, cannot show otherwise.
#
# podnet is measured up to three times, one pair of daemons at a time:
# linked against Debian's wolfSSL (the default build), and, when
# PODNET_ASM_BUILD names a `make WOLFSSL=asm` build, against wolfSSL with
# its assembly, once with ChaCha20-Poly1305 and once with AES-128-GCM.
#
# Environment:
#   BENCH_TIME=10    seconds per iperf3 run (3 for a quick look)
#   BENCH_PEERS=1000 idle peer sessions for the per-peer memory
#   BENCH_PINGS=50   echo requests per RTT measurement, 20 ms apart
#   BENCH_THREADS=1  podnetd's Threads setting (auto, 2: parallel crypto)
#   PODNET_ASM_BUILD  a build dir of `make WOLFSSL=asm` (make bench sets it)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PODNET_BUILD=${PODNET_BUILD:-$top/build}
bench_time=${BENCH_TIME:-10}
bench_peers=${BENCH_PEERS:-1000}
bench_pings=${BENCH_PINGS:-50}

if [[ $(id -u) -ne 0 ]]; then
	echo "bench: creates network namespaces, run it as root" >&2
	exit 1
fi
"$top/scripts/deps.sh" bench
# Namespaces, cleanup on every exit, certificates, daemons, bounded waits.
source "$top/test/lib/netns.sh"
# say, rtt_ms, iperf, calc, row, num
source "$top/scripts/lib-bench.sh"
loadgen=$build/podnet-loadgen
asm_podnetd=
[[ -z ${PODNET_ASM_BUILD:-} ]] || asm_podnetd=$PODNET_ASM_BUILD/podnetd
for f in "$podnetd" "$podnet" "$loadgen" ${asm_podnetd:+"$asm_podnetd"}; do
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

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null; }

# Every number the run takes, by "bed.metric"; unset = not measured.
declare -A r

# measure_tunnel BED INNER_ADDRESS PID...: RTT, memory, throughput and
# CPU of the daemons PID... (the receiving one first).
measure_tunnel() {
	local bed=$1 addr=$2 t0 t1 bytes
	shift 2
	r[$bed.rss_fresh]=$(rss_kb "$1")
	r[$bed.rtt]=$(rtt_ms "$addr")
	t0=$(cpu_ticks "$@") || t0=
	read -r "r[$bed.tcp1]" bytes "r[$bed.retr1]" < <(iperf "$addr" 1 "$bed-1")
	t1=$(cpu_ticks "$@") || t1=
	r[$bed.cpu]=$(calc "(t1 - t0) / hz / (b / 1e9)" t0="$t0" t1="$t1" \
		hz="$clk_tck" b="$bytes")
	read -r "r[$bed.tcp4]" _ "r[$bed.retr4]" < <(iperf "$addr" 4 "$bed-4")
	r[$bed.rss]=$(rss_kb "$1")
	say "$bed: ${r[$bed.tcp1]} / ${r[$bed.tcp4]} Gbit/s, RTT ${r[$bed.rtt]} ms, ${r[$bed.cpu]} CPU s/GB"
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
	say "raw veth"
	r[veth.rtt]=$(rtt_ms 192.168.250.1)
	read -r "r[veth.tcp1]" _ "r[veth.retr1]" < <(iperf 192.168.250.1 1 veth-1)
	read -r "r[veth.tcp4]" _ "r[veth.retr4]" < <(iperf 192.168.250.1 4 veth-4)
	say "veth: ${r[veth.tcp1]} / ${r[veth.tcp4]} Gbit/s, RTT ${r[veth.rtt]} ms"
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
	wg_keys a b
	start_wg "$ns1" "$wg_a" || return 1
	pid_a=${daemon_pids[-1]}
	start_wg "$ns2" "$wg_b" || return 1
	pid_b=${daemon_pids[-1]}
	# wireguard-go made the devices; wg_setup configures them.
	wg_setup "$ns1" "$wg_a" a b 10.88.0.1 10.88.0.2 192.168.250.2 || return 1
	wg_setup "$ns2" "$wg_b" b a 10.88.0.2 10.88.0.1 192.168.250.1 || return 1
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.88.0.1 || return 1
	measure_tunnel wg 10.88.0.1 "$pid_a" "$pid_b"
	# Stopped before podnet runs: an idle Go runtime still wakes up.
	for pid in "$pid_a" "$pid_b"; do
		kill -TERM "$pid" 2>/dev/null
		wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	done
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
	MTU = 1340
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

# The assembly build, with each cipher; stopped before the next pair.
phase_podnet_asm() {
	local bed ciphers ok=0

	for bed in asm asmgcm; do
		ciphers=chacha20-poly1305
		[[ $bed == asmgcm ]] && ciphers=aes-128-gcm
		say "podnet, wolfSSL with assembly, $ciphers ($asm_podnetd)"
		run_podnet "$bed" "$asm_podnetd" "$ciphers" || ok=1
		stop_daemon pod-a || ok=1
		stop_daemon pod-b || ok=1
	done
	return $ok
}

# What a second thread does where a core has room: a receiver whose
# crypto is the bottleneck (Debian's portable AES-GCM, 0.1 GB/s a core)
# fed by a sender that needs little (the assembly build), Threads = 1
# and then 2 on the receiver.
phase_threads() {
	local bed threads ok=0

	for threads in 1 2; do
		bed=thr$threads
		say "podnet, slow receiver (Debian's wolfSSL, AES-128-GCM, Threads = $threads), sender with assembly"
		run_podnet "$bed" "$podnetd" aes-128-gcm "$asm_podnetd" "$threads" || ok=1
		r[$bed.worker_jobs]=$(iface_field pod-a crypto_worker_jobs 2>/dev/null || true)
		stop_daemon pod-a || ok=1
		stop_daemon pod-b || ok=1
	done
	return $ok
}

phase_podnet() {
	say "podnet ($podnetd)"
	run_podnet pod "$podnetd" ""
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

failed=0
phase_crypto "$build" packaged || failed=1
[[ -z $asm_podnetd ]] || phase_crypto "$PODNET_ASM_BUILD" asm || failed=1
bed
phase_veth
phase_wg || { say "wireguard-go: could not measure"; failed=1; }
podnet_certs
if [[ -n $asm_podnetd ]]; then
	phase_podnet_asm || { say "podnet, assembly build: could not measure everything"; failed=1; }
	phase_threads || { say "podnet, Threads: could not measure everything"; failed=1; }
fi
if phase_podnet; then
	phase_idle_peers || failed=1
else
	say "podnet: could not measure everything"
	failed=1
fi

# --------------------------------------------------------------- report

mb() { calc "a / 1024" a="${1:-}"; }

# vals KEY: the value of KEY for each bed, in column order.
beds=(veth wg pod asm asmgcm)
vals() { local b; for b in "${beds[@]}"; do printf '%s\n' "${r[$b.$1]:-}"; done; }
mapfile_row() { # mapfile_row KEY LABEL DECIMALS METRIC
	local v
	mapfile -t v < <(vals "$4")
	row "$1" "$2" "$3" "${v[@]}"
}
for b in "${beds[@]}"; do
	[[ $b == veth ]] ||
		r[$b.added_rtt]=$(calc "a - b" a="${r[$b.rtt]:-}" b="${r[veth.rtt]:-}")
	for k in rss_fresh rss; do r[$b.${k}_mb]=$(mb "${r[$b.$k]:-}"); done
done
mapfile_row tcp_1_gbps "TCP 1 stream, Gbit/s" 2 tcp1
mapfile_row tcp_4_gbps "TCP 4 streams, Gbit/s" 2 tcp4
mapfile_row rtt_ms "RTT, ms" 3 rtt
mapfile_row added_rtt_ms "added RTT, ms" 3 added_rtt
mapfile_row cpu_s_per_gb "CPU s/GB, both daemons" 2 cpu
mapfile_row rss_fresh_mb "RSS 1 peer, idle, MB" 1 rss_fresh_mb
mapfile_row rss_mb "RSS 1 peer, after traffic, MB" 1 rss_mb
row rss_per_peer_kb "RSS per idle peer, KB" 1 "" "" \
	"$(calc "(a - b) / (n - 1)" a="${r[pod.rss1000]:-}" b="${r[pod.rss1]:-}" \
		n="$((bench_peers > 1 ? bench_peers : 2))")" "" ""

# Columns: the five beds, then podnet over veth and each podnet build
# over wireguard-go. The assembly columns only when they were measured.
table() {
	local asm=0
	[[ -n $asm_podnetd ]] && asm=1
	printf '%s\n' "${rows[@]}" | awk -F'\t' -v asm="$asm" '
	function show(v, d) { return v == "null" ? "-" : sprintf("%." d "f", v) }
	function ratio(a, b) {
		if (a == "null" || b == "null" || b + 0 == 0) return "-"
		return sprintf("%.2f", a / b)
	}
	NR == 1 {
		if (asm) {
			print "| metric | raw veth | wireguard-go | podnet | podnet asm | podnet asm GCM | podnet/veth | podnet/wg-go | asm/wg-go | asm GCM/wg-go |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		} else {
			print "| metric | raw veth | wireguard-go | podnet | podnet/veth | podnet/wg-go |"
			print "|---|---:|---:|---:|---:|---:|"
		}
	}
	{
		line = sprintf("| %s | %s | %s | %s", $2, show($4, $3), show($5, $3), show($6, $3))
		if (asm)
			line = line sprintf(" | %s | %s", show($7, $3), show($8, $3))
		line = line sprintf(" | %s | %s", ratio($6, $4), ratio($6, $5))
		if (asm)
			line = line sprintf(" | %s | %s", ratio($7, $5), ratio($8, $5))
		print line " |"
	}'
}

elapsed=$(($(date +%s) - started))
echo
table
echo
# fmt DECIMALS VALUE: a number for people, "-" when there is none.
fmt() { if [[ -n ${2:-} && $2 != null ]]; then printf "%.${1}f" "$2"; else printf -- -; fi; }
printf '%s idle peers: %s established' "$bench_peers" "${r[pod.established]:-0}"
[[ -z ${r[pod.establish_s]:-} ]] || printf ' in %s s (handshake median %s ms, p99 %s ms)' \
	"${r[pod.establish_s]}" "${r[pod.hs_median_ms]}" "${r[pod.hs_p99_ms]}"
printf '; RSS %s -> %s MB, %s MB 10 s later; idle CPU %s %%\n' \
	"$(fmt 1 "$(mb "${r[pod.rss1]:-}")")" "$(fmt 1 "$(mb "${r[pod.rss1000]:-}")")" \
	"$(fmt 1 "$(mb "${r[pod.rss1000_later]:-}")")" "$(fmt 1 "${r[pod.idle_cpu]:-}")"
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
echo "iperf3 runs of $bench_time s, $bench_pings pings 20 ms apart; load average $loadavg before;" \
	"$elapsed s in all; JSON in $json"

printf '%s\n' "${rows[@]}" | jq -R -s \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson cores "$(nproc)" \
	--arg kernel "$(uname -r)" \
	--arg wg "${r[wg.version]:-}" \
	--arg commit "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)" \
	--argjson time "$bench_time" --argjson pings "$bench_pings" \
	--argjson elapsed "$elapsed" --argjson failed "$failed" \
	--argjson loadavg "$loadavg" \
	--argjson peers "$bench_peers" \
	--argjson established "$(num "${r[pod.established]:-}")" \
	--argjson establish_s "$(num "${r[pod.establish_s]:-}")" \
	--argjson hs_median "$(num "${r[pod.hs_median_ms]:-}")" \
	--argjson hs_p99 "$(num "${r[pod.hs_p99_ms]:-}")" \
	--argjson rss1 "$(num "${r[pod.rss1]:-}")" \
	--argjson rssn "$(num "${r[pod.rss1000]:-}")" \
	--argjson rssn_later "$(num "${r[pod.rss1000_later]:-}")" \
	--argjson idle_cpu "$(num "${r[pod.idle_cpu]:-}")" \
	--argjson counters "${r[pod.counters]:-null}" \
	--argjson threads "$(for b in thr1 thr2; do
		printf '{"%s": {"tcp_1_gbps": %s, "tcp_4_gbps": %s, "cpu_s_per_gb": %s, "worker_jobs": %s}}\n' \
			"$b" "$(num "${r[$b.tcp1]:-}")" "$(num "${r[$b.tcp4]:-}")" \
			"$(num "${r[$b.cpu]:-}")" "$(num "${r[$b.worker_jobs]:-}")"
	done | jq -s add)" \
	--argjson crypto "{\"packaged\": ${r[crypto.packaged]:-null}, \"asm\": ${r[crypto.asm]:-null}}" \
	--argjson ciphers "$(for b in pod asm asmgcm; do
		printf '%s\n' "${r[$b.cipher]:-}"
	done | jq -R -s 'split("\n")[:3] | map(if . == "" then null else . end)')" \
	--argjson retr "$(for b in "${beds[@]}"; do
		printf '{"%s": [%s, %s]}\n' "$b" "$(num "${r[$b.retr1]:-}")" \
			"$(num "${r[$b.retr4]:-}")"
	done | jq -s add)" '
	def round4: . * 10000 | round / 10000;
	def num: if . == "null" then null else tonumber | round4 end;
	def ratio(a; b): if a == null or b == null or b == 0 then null
		else a / b | round4 end;
	{
		date: $date, commit: $commit, cpu: $cpu, cores: $cores,
		kernel: $kernel, wireguard_go: $wg, bench_time_s: $time,
		pings: $pings, elapsed_s: $elapsed, loadavg_before: $loadavg,
		complete: ($failed == 0),
		metrics: [split("\n")[] | select(length > 0) | split("\t") |
			{ key: .[0], label: .[1], veth: (.[3] | num),
			  wireguard_go: (.[4] | num), podnet: (.[5] | num),
			  podnet_asm: (.[6] | num),
			  podnet_asm_aes_gcm: (.[7] | num) } |
			.podnet_over_veth = ratio(.podnet; .veth) |
			.podnet_over_wireguard_go = ratio(.podnet; .wireguard_go) |
			.podnet_asm_over_wireguard_go =
				ratio(.podnet_asm; .wireguard_go) |
			.podnet_asm_aes_gcm_over_wireguard_go =
				ratio(.podnet_asm_aes_gcm; .wireguard_go)],
		ciphers: { podnet: $ciphers[0], podnet_asm: $ciphers[1],
			   podnet_asm_aes_gcm: $ciphers[2] },
		idle_peers: {
			requested: $peers, established: $established,
			establish_s: $establish_s, handshake_median_ms: $hs_median,
			handshake_p99_ms: $hs_p99, rss_1_peer_kb: $rss1,
			rss_kb: $rssn, rss_10s_later_kb: $rssn_later,
			idle_cpu_percent: $idle_cpu
		},
		crypto_alone: $crypto,
		slow_receiver_threads: $threads,
		tcp_retransmits_1_and_4_streams: $retr,
		podnet_receiver_counters: $counters
	}' >"$json"
exit $failed
