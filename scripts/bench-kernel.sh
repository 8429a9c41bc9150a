#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make bench-kernel`: the kernel data paths side by side in ONE VM run
# (scripts/vm-run.sh): raw veth, the kernel's WireGuard and podnet.ko,
# one and then four iperf3 TCP streams each, all with the same inner
# MTU (1340, podnet's default), in BENCH_ROUNDS rounds that take the
# three in turn (WireGuard and podnet.ko swap places every round), and
# the median of the rounds. Under TCG the absolute numbers mean little
# and the host's load drifts within a run; the ratios of figures taken
# next to each other do (doc/vm.md). A measurement, not a test: it fails
# only when it cannot measure, never on a number.
#
# The bed (namespaces, veth, both tunnels) is scripts/lib-bench-kernel.sh.
#
# Environment:
#   BENCH_TIME=10    seconds per iperf3 run
#   BENCH_ROUNDS=3   rounds of all three (every round is printed)
#   BENCH_PINGS=20   echo requests per RTT measurement, 20 ms apart
#   PODNET_KO        the module (build/kernel/podnet.ko)
#   BENCH_DIAG=1     after the rounds, print podnet.ko's counters, the
#                    namespaces' drop counters, how busy the vCPUs were
#                    during podnet.ko's runs, and softnet_stat
#   BENCH_PODNET_VARIANTS="burst_jobs=0 inline_idle=1,burst_jobs=0"
#                    after podnet.ko's runs, measure it again with the
#                    defaults and with each set of module parameters
#                    (comma-separated), in turn, BENCH_VARIANT_ROUNDS (3)
#                    times, and print each set's medians: A/B in one run
#   BENCH_PODNET_KO_ALT=path   the same for another build of podnet.ko,
#                    reloaded in turn with PODNET_KO

# $build, $tmp, $ns1, $ns2 come from test/vm/common.sh; helpers are
# called through wait_for and command substitutions.
# shellcheck disable=SC2154,SC2317,SC2119
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PODNET_BUILD=${PODNET_BUILD:-$top/build}

# On the host: the same script again, inside a VM, with the build
# directory writable so the JSON comes back.
if [[ ${PODNET_IN_VM:-0} != 1 ]]; then
	mkdir -p "$PODNET_BUILD"
	exec "$top/scripts/vm-run.sh" --timeout 900 --rw "$PODNET_BUILD" -- "$0" "$@"
fi

bench_time=${BENCH_TIME:-10}
bench_rounds=${BENCH_ROUNDS:-3}
bench_pings=${BENCH_PINGS:-20}

# Namespaces, cleanup on every exit, bounded waits, vm_load_podnet.
# shellcheck source=../test/vm/common.sh
source "$top/test/vm/common.sh"
# say, rtt_ms, iperf, calc, row, num
source "$top/scripts/lib-bench.sh"
# bed, wg_up, pod_up, pod_down, $mtu
# shellcheck source=lib-bench-kernel.sh
source "$top/scripts/lib-bench-kernel.sh"
json=$build/bench-kernel.json
started=$SECONDS


# Every number, by "bed.metric"; unset = not measured.
declare -A r

# measure BED ADDRESS: RTT, one and four TCP streams to ADDRESS in $ns1.
measure() {
	r[$1.rtt]=$(rtt_ms "$2")
	read -r "r[$1.tcp1]" _ "r[$1.retr1]" < <(iperf "$2" 1 "$1")
	read -r "r[$1.tcp4]" _ "r[$1.retr4]" < <(iperf "$2" 4 "$1-4")
	say "$1: $(printf '%.3f' "${r[$1.tcp1]/null/0}") Gbit/s (1 stream," \
		"${r[$1.retr1]:-?} retransmits)," \
		"$(printf '%.3f' "${r[$1.tcp4]/null/0}") Gbit/s (4 streams," \
		"${r[$1.retr4]:-?} retransmits), RTT ${r[$1.rtt]:-?} ms"
}

# ------------------------------------------------------------ the phases

# round N: each bed measured once, as "BED@N"; WireGuard first in odd
# rounds, podnet.ko first in even ones, so neither always follows the
# other. Then the medians so far become r[BED.*].
declare -A bed_addr=([veth]=192.168.251.1 [wg]=10.88.0.1 [pod]=10.77.0.1)
beds_up=(veth)
round() {
	local bed order=("${beds_up[@]}")
	if (($1 % 2 == 0)) && ((${#order[@]} == 3)); then
		order=(veth pod wg)
	fi
	say "round $1 of $bench_rounds: ${order[*]}"
	for bed in "${order[@]}"; do
		if [[ $bed == pod && ${BENCH_DIAG:-0} == 1 ]]; then
			grep '^cpu' /proc/stat >"$tmp/stat.before"
			measure "$bed@$1" "${bed_addr[$bed]}"
			cpu_busy_add
		else
			measure "$bed@$1" "${bed_addr[$bed]}"
		fi
	done
}

# medians BED: r[BED.METRIC] from r[BED@1.METRIC] ... of every round.
medians() {
	local m i v
	for m in rtt tcp1 retr1 tcp4 retr4; do
		v=()
		for i in $(seq "$bench_rounds"); do v+=("${r[$1@$i.$m]:-null}"); done
		r[$1.$m]=$(median "${v[@]}")
		r[$1.all_$m]="${v[*]}"
	done
}

# ===================================================== podnet.ko column
# bench_podnet_kernel: podnet.ko between $ns1 and $ns2 over veth1/veth2
# (192.168.250.1 <-> .2) with inner addresses 10.77.0.1/24 and
# 10.77.0.2/24 and MTU $mtu, static ChaCha20-Poly1305 keys set by kctl
# (test/vm/lib-kernel.sh); the rounds measure it as "pod" (10.77.0.1),
# and the table and the JSON pick up r[pod.*].
# vm_load_podnet (test/vm/common.sh) loads the module; the cleanup
# unloads it. Return non-zero when it cannot measure.
bench_podnet_kernel() {
	if [[ ! -f $podnet_ko ]]; then
		say "podnet.ko: not built ($podnet_ko); its column stays empty"
		return 2
	fi
	say "podnet.ko: $podnet_ko, ChaCha20-Poly1305, static keys (kctl)"
	# shellcheck source=../test/vm/lib-kernel.sh
	source "$top/test/vm/lib-kernel.sh"
	pod_up || return 1
	return 0
}

# After the rounds, with podnet.ko still up: the diagnosis and the A/Bs.
podnet_extras() {
	[[ ${BENCH_DIAG:-0} == 1 ]] && diag
	if [[ -n ${BENCH_PODNET_VARIANTS:-} ]]; then variants || return 1; fi
	if [[ -n ${BENCH_PODNET_KO_ALT:-} ]]; then ko_compare || return 1; fi
	return 0
}

# ab_rounds APPLY LABEL NAME...: an A/B in one run. For
# $BENCH_VARIANT_ROUNDS (3) rounds, each NAME in turn: `APPLY NAME` sets
# podnet.ko up that way, then it is measured (the machine's load drifts:
# a NAME is compared with the others measured next to it); then the
# medians of each, as "LABEL NAME: ...".
ab_rounds() {
	local apply=$1 label=$2 name round tag
	local -A all
	shift 2
	for round in $(seq "${BENCH_VARIANT_ROUNDS:-3}"); do
		for name in "$@"; do
			"$apply" "$name" || return 1
			tag=ab$round-${name//[^A-Za-z0-9_=,.-]/_}
			measure "$tag" 10.77.0.1
			all[$name.1]+=" ${r[$tag.tcp1]}"
			all[$name.4]+=" ${r[$tag.tcp4]}"
			all[$name.rtt]+=" ${r[$tag.rtt]}"
		done
	done
	for name in "$@"; do
		# shellcheck disable=SC2086 # the lists are words on purpose
		say "$label $name: medians $(median ${all[$name.1]}) Gbit/s (1 stream)," \
			"$(median ${all[$name.4]}) (4 streams), RTT $(median ${all[$name.rtt]}) ms;" \
			"runs:${all[$name.1]} /${all[$name.4]}"
	done
}

# ko_compare: $podnet_ko and $BENCH_PODNET_KO_ALT, reloaded in turn.
ko_compare() {
	local main=$podnet_ko
	ab_rounds ko_load module "$main" "$BENCH_PODNET_KO_ALT" || return 1
	ko_load "$main"
}
ko_load() {
	pod_down || return 1
	podnet_ko=$1
	pod_up
}

# variants: podnet.ko with the defaults and with each parameter set of
# $BENCH_PODNET_VARIANTS (comma-separated name=value, runtime
# parameters only: 0644), then the defaults back.
variants() {
	params_remember
	# shellcheck disable=SC2086 # one word per set
	ab_rounds params_set variant default $BENCH_PODNET_VARIANTS || return 1
	params_set default
}
median() { printf '%s\n' "$@" | grep -v null | sort -g | awk '{ v[NR] = $1 }
	END { if (!NR) print "null"; else if (NR % 2) print v[(NR + 1) / 2];
	      else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# cpu_busy_add: the /proc/stat ticks since $tmp/stat.before added to
# $tmp/stat.busy, which diag shows: podnet.ko's runs of every round.
cpu_busy_add() {
	local sum=$tmp/stat.busy
	[[ -f $sum ]] || grep '^cpu' /proc/stat | awk '{ $0 = $1 " 0 0 0 0 0 0 0 0 0 0"; print }' >"$sum"
	# $2..$11 before, $13..$22 after, $24..$33 the sum so far: user
	# nice system idle iowait irq softirq steal guest guest_nice.
	grep '^cpu' /proc/stat | paste -d' ' "$tmp/stat.before" - "$sum" | awk '{
		printf "%s", $1
		for (k = 2; k <= 11; k++) printf " %d", $(k + 22) + $(k + 11) - $k
		printf "\n" }' >"$sum.new" && mv "$sum.new" "$sum"
}

# Where packets went missing: podnet.ko's counters, the stack's drop
# counters in both namespaces, and the per-CPU backlog drops.
diag() {
	local ns
	for ns in "$ns1" "$ns2"; do
		say "diag $ns: $(kshow "$ns" '.peer_list[0].stats | tostring')"
		n "$ns" ip -s -s link show pod0 | sed 's/^/# /' >&2
		n "$ns" nstat -asz 2>/dev/null | awk '$2 != 0' |
			grep -iE 'drop|retrans|backlog|prune|collapse|ofo|rcvbuf|sndbuf|err|lost|sack|reorder' |
			sed 's/^/# /' >&2 || true
	done
	say "CPU time during podnet.ko's runs, %: user system softirq idle"
	awk '{ t = 0; for (k = 2; k <= 11; k++) t += $k; if (t == 0) t = 1
		printf "# %s %.0f %.0f %.0f %.0f\n", $1, 100 * ($2 + $3) / t,
			100 * $4 / t, 100 * ($7 + $8) / t, 100 * ($5 + $6) / t }' \
		"$tmp/stat.busy" >&2
	say "softnet_stat (processed dropped squeezed ...):"
	sed 's/^/# /' /proc/net/softnet_stat >&2
}
# ======================================================================

# ------------------------------------------------------------------ run

failed=0
bed
if wg_up; then
	beds_up+=(wg)
else
	say "kernel WireGuard: could not set up"; failed=1
fi
bench_podnet_kernel && pod_status=0 || pod_status=$?
# 2: skipped (no module yet), which is not a failure of the bench.
[[ $pod_status -eq 1 ]] && { say "podnet.ko: could not set up"; failed=1; }
[[ $pod_status -eq 0 ]] && beds_up+=(pod)
for i in $(seq "$bench_rounds"); do round "$i"; done
for b in veth wg pod; do medians "$b"; done
if [[ $pod_status -eq 0 ]] && ! podnet_extras; then
	say "podnet.ko: the A/B could not measure"; failed=1
fi

# --------------------------------------------------------------- report

row tcp_1_gbps "TCP 1 stream, Gbit/s" 3 "${r[veth.tcp1]:-}" "${r[wg.tcp1]:-}" "${r[pod.tcp1]:-}"
row retransmits "TCP retransmits, 1 stream" 0 "${r[veth.retr1]:-}" "${r[wg.retr1]:-}" "${r[pod.retr1]:-}"
row tcp_4_gbps "TCP 4 streams, Gbit/s" 3 "${r[veth.tcp4]:-}" "${r[wg.tcp4]:-}" "${r[pod.tcp4]:-}"
row retransmits_4 "TCP retransmits, 4 streams" 0 "${r[veth.retr4]:-}" "${r[wg.retr4]:-}" "${r[pod.retr4]:-}"
row rtt_ms "RTT, ms" 3 "${r[veth.rtt]:-}" "${r[wg.rtt]:-}" "${r[pod.rtt]:-}"

echo
printf '| metric | raw veth | kernel WireGuard | podnet.ko | wg/veth | podnet.ko/wg |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
printf '%s\n' "${rows[@]}" | awk -F'\t' '
function show(v, d) { return v == "null" ? "-" : sprintf("%." d "f", v) }
function ratio(a, b) {
	if (a == "null" || b == "null" || b + 0 == 0) return "-"
	return sprintf("%.2f", a / b)
}
{ printf "| %s | %s | %s | %s | %s | %s |\n", $2, show($4, $3), show($5, $3),
	show($6, $3), ratio($5, $4), ratio($6, $5) }'
echo

# Every round: "round bed tcp1 tcp4 rtt retr1 retr4" lines, for the
# table below and the JSON.
for i in $(seq "$bench_rounds"); do
	for b in veth wg pod; do
		printf '%s %s %s %s %s %s %s\n' "$i" "$b" "${r[$b@$i.tcp1]:-null}" \
			"${r[$b@$i.tcp4]:-null}" "${r[$b@$i.rtt]:-null}" \
			"${r[$b@$i.retr1]:-null}" "${r[$b@$i.retr4]:-null}"
	done
done >"$tmp/rounds"
printf '| round | raw veth, 1 / 4 streams | kernel WireGuard | podnet.ko | podnet.ko/wg, 1 / 4 streams |\n'
printf '|---|---:|---:|---:|---:|\n'
awk '
function show(v) { return v == "null" ? "-" : sprintf("%.3f", v) }
function ratio(a, b) { return (a == "null" || b == "null" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
{ t1[$1, $2] = $3; t4[$1, $2] = $4; if ($1 > n) n = $1 }
END { for (i = 1; i <= n; i++)
	printf "| %d | %s / %s | %s / %s | %s / %s | %s / %s |\n", i,
		show(t1[i, "veth"]), show(t4[i, "veth"]), show(t1[i, "wg"]),
		show(t4[i, "wg"]), show(t1[i, "pod"]), show(t4[i, "pod"]),
		ratio(t1[i, "pod"], t1[i, "wg"]), ratio(t4[i, "pod"], t4[i, "wg"]) }' "$tmp/rounds"
echo
elapsed=$((SECONDS - started))
accel=${PODNET_VM_ACCEL:-unknown}
echo "inner MTU $mtu; medians of $bench_rounds rounds; iperf3 runs of" \
	"$bench_time s; in a VM ($accel, $(nproc) vCPUs, kernel $(uname -r));" \
	"$elapsed s in all; JSON in $json"
rounds_json=$(jq -R -s '[split("\n")[] | select(length > 0) | split(" ") |
	{ round: (.[0] | tonumber), bed: .[1] } +
	([.[2:][] | if . == "null" then null else tonumber end] as $v |
	 { tcp_1_gbps: $v[0], tcp_4_gbps: $v[1], rtt_ms: $v[2],
	   retransmits: $v[3], retransmits_4: $v[4] })]' "$tmp/rounds")

printf '%s\n' "${rows[@]}" | jq -R -s \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg commit "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)" \
	--arg kernel "$(uname -r)" --arg accel "$accel" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson vcpus "$(nproc)" --argjson mtu "$mtu" \
	--argjson time "$bench_time" --argjson elapsed "$elapsed" \
	--argjson nrounds "$bench_rounds" --argjson rounds "$rounds_json" \
	--argjson failed "$failed" --arg wg "${r[wg.version]:-}" \
	--argjson podnet_measured "$([[ $pod_status -eq 0 ]] && echo true || echo false)" '
	def round4: . * 10000 | round / 10000;
	def num: if . == "null" then null else tonumber | round4 end;
	def ratio(a; b): if a == null or b == null or b == 0 then null
		else a / b | round4 end;
	{
		date: $date, commit: $commit, kernel: $kernel, accel: $accel,
		guest_cpu: $cpu, vcpus: $vcpus, inner_mtu: $mtu,
		bench_time_s: $time, elapsed_s: $elapsed, rounds: $nrounds,
		wireguard_version: $wg, podnet_measured: $podnet_measured,
		complete: ($failed == 0),
		metrics: [split("\n")[] | select(length > 0) | split("\t") |
			{ key: .[0], label: .[1], veth: (.[3] | num),
			  wireguard: (.[4] | num), podnet: (.[5] | num) } |
			.wireguard_over_veth = ratio(.wireguard; .veth) |
			.podnet_over_wireguard = ratio(.podnet; .wireguard)],
		every_round: $rounds
	}' >"$json"
exit $failed
