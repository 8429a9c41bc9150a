#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Measures the birthday punch between a port-restricted cone and a
# symmetric NAT (random ports): RUNS fresh introductions, each with
# freshly started daemons, and reports how many ended on a direct path and
# how long the first reply took. A measurement, not a test.
#
#   scripts/punch-rate.sh [RUNS] [PUNCH_SOCKETS] [SPRAY_PORTS]
#
# Defaults: 20 runs with the daemon's defaults (256 sockets, 2048 ports).
runs=${1:-20}
sockets=${2:-256}
spray=${3:-2048}
export PODNET_BUILD=${PODNET_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
source "$(dirname "$0")/../test/lib/netns.sh"
source "$(dirname "$0")/../test/lib/nat.sh"

nat_podnet_bed
extra="PunchSockets = $sockets\nPunchSprayPorts = $spray"
nat_podnet_node restr restricted 1 "$extra"
nat_podnet_node sym symmetric 2 "$extra"

direct=0
times=()
for ((run = 1; run <= runs; run++)); do
	if ((run > 1)); then
		stop_daemon restr
		stop_daemon sym
		start_daemon "$ns_sym" sym
		start_daemon "$ns_restr" restr
	fi
	wait_for 100 peer_established restr rv
	wait_for 100 peer_established sym rv
	wait_for 50 nat_type_known restr
	wait_for 50 nat_type_known sym
	ms=$(first_reply_ms "$ns_restr" 10.77.0.12 15) || ms=fail
	path=$(peer_field restr sym path)
	[[ $path == direct ]] && direct=$((direct + 1))
	times+=("$ms")
	printf 'run %2d: %-6s first reply %s ms\n' "$run" "$path" "$ms"
	if [[ $ms == fail && -n ${DEBUG:-} ]]; then
		grep -v introduced "$tmp/restr.log" | tail -n 25; grep -v introduced "$tmp/rv.log" | tail -8
		exit 1
	fi
done
sorted=$(printf '%s\n' "${times[@]}" | grep -v fail | sort -n)
echo "restricted <-> symmetric, $sockets sockets x $spray sprayed ports:"
echo "  direct in $direct of $runs runs ($((100 * direct / runs)) %)"
echo "  first reply: median $(sed -n "$(( ($(wc -l <<<"$sorted") + 1) / 2 ))p" <<<"$sorted") ms, max $(tail -1 <<<"$sorted") ms"
