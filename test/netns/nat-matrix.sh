#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The NAT matrix: two sites of each NAT kind behind real nftables NATs,
# a rendezvous on the "internet", and every pair of kinds (10 pairs) must
# get a working tunnel, ping and ssh across virtual addresses. Direct is
# required for every pair with a non-symmetric side; symmetric<->symmetric
# may use the relay. The relay's byte counters, not the daemon's word,
# decide whether a path is direct.
#
#                 ┌──────────────── internet 198.18.0.0/24 (bridge) ───────────────┐
#                 │                                                                 │
#     rv 198.18.0.1 (rendezvous + relay)                                            │
#                 │                                                                 │
#   none-a .11  none-b .12   [NAT .13] [NAT .14]   [NAT .15] [NAT .16]   [NAT .17] [NAT .18]
#                             full cone             port-restricted       symmetric
#                             full-a  full-b        restr-a  restr-b      sym-a    sym-b
#                             10.103.0.2 ...        10.105.0.2 ...        10.107.0.2 ...
#
#   Virtual addresses: node of site N is 10.77.0.(10+N); rv is 10.77.0.1.

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: NAT matrix (rendezvous, hole punching, relay)"

nat_podnet_bed
declare -A site_kind site_num
i=1
for kind in none fullcone restricted symmetric; do
	short=${kind/fullcone/full}
	short=${short/restricted/restr}
	short=${short/symmetric/sym}
	for side in a b; do
		name=$short-$side
		site_kind[$name]=$kind
		site_num[$name]=$i
		nat_podnet_node "$name" "$kind" "$i"
		i=$((i + 1))
	done
done
names=(none-a none-b full-a full-b restr-a restr-b sym-a sym-b)
vaddr() { echo "10.77.0.$((10 + ${site_num[$1]}))"; }
nsof() { local v=ns_${1//-/_}; echo "${!v}"; }

for name in "${names[@]}"; do
	check "$name registers with the rendezvous" \
		wait_for 100 peer_established "$name" rv
done
nat_type_is() { [[ $(iface_field "$1" nat_type) == "$2" ]]; }
expect_nat() {
	case ${site_kind[$1]} in
	none) echo none ;; fullcone|restricted) echo cone ;; symmetric) echo symmetric ;;
	esac
}
for name in "${names[@]}"; do
	wait_for 50 nat_type_known "$name" || true
	check "$name detects its NAT as $(expect_nat "$name")" \
		test "$(iface_field "$name" nat_type)" = "$(expect_nat "$name")"
	start_sshd "$(nsof "$name")" "$(vaddr "$name")" || true
done

# The pairs: one node of each kind against one of every kind.
pairs=(
	"none-a none-b" "none-a full-a" "none-a restr-a" "none-a sym-a"
	"full-a full-b" "full-b restr-a" "full-b sym-a"
	"restr-a restr-b" "restr-b sym-a" "sym-a sym-b"
)
table=()
for pair in "${pairs[@]}"; do
	set -- $pair
	a=$1 b=$2
	label="${site_kind[$a]} <-> ${site_kind[$b]}"
	ms=$(first_reply_ms "$(nsof "$a")" "$(vaddr "$b")" 20) || ms=
	check "$label: ping $b from $a" test -n "$ms"
	out=$(ssh_run "$(nsof "$a")" "$(vaddr "$b")" 'echo ssh-over-podnet' 2>&1 || true)
	check "$label: ssh $b from $a" grep -q ssh-over-podnet <<<"$out"
	# Judge the path by bytes at the relay during a burst of 100 KB,
	# once the punch had its time: the first packets go through the
	# relay while it runs (longer on a loaded machine).
	if [[ ${site_kind[$a]} != symmetric || ${site_kind[$b]} != symmetric ]]; then
		wait_for 100 peer_is "$a" "$b" path direct || true
	fi
	relay_counter_reset "$ns_rv"
	n "$(nsof "$a")" ping -q -c 50 -i 0.01 -s 1000 -W 2 "$(vaddr "$b")" >/dev/null 2>&1 || true
	relayed=$(relay_counter_total "$ns_rv")
	path=$([[ $relayed -gt 50000 ]] && echo relay || echo direct)
	said=$(peer_field "$a" "$b" path)
	if [[ ${site_kind[$a]} == symmetric && ${site_kind[$b]} == symmetric ]]; then
		check "$label: a working path (relay allowed)" test -n "$ms"
		check "$label: the daemon reports the path it uses ($said)" test "$said" = "$path"
		check "$label: the relayed path gives its reason" \
			test "$(peer_field "$a" "$b" reason)" = "both sides symmetric"
	else
		check "$label: direct path (relay carried $relayed bytes)" test "$path" = direct
		check "$label: the daemon reports it direct" test "$said" = direct
	fi
	table+=("$(printf '# %-26s %-7s %8s ms' "$label" "$path" "${ms:-FAIL}")")
done

echo "# NAT matrix: path and time from the first packet to the first reply"
printf '# %-26s %-7s %11s\n' "pair" "path" "first reply"
printf '%s\n' "${table[@]}"

# podnet ping reports the path and a round trip through the tunnel.
out=$("$podnet" ping --count 2 --socket "$tmp/restr-a.sock" restr-b 2>&1 || true)
check "podnet ping reports a direct path and an RTT" \
	grep -q "^restr-b: [0-9.]* ms via direct path" <<<"$out"
out=$("$podnet" ping --count 1 --socket "$tmp/sym-a.sock" sym-b 2>&1 || true)
check "podnet ping reports the relay path" grep -q "via relay path" <<<"$out"
# The reason comes from the daemon: a dead one gives a socket error.
ping_refused() {
	local out
	out=$("$podnet" ping --count 1 --socket "$tmp/none-a.sock" nobody 2>&1) && return 1
	echo "$out"
	grep -q "no peer nobody on pod0" <<<"$out" && ! grep -q ms <<<"$out"
}
check "podnet ping without a session fails with a reason" ping_refused

# --- a NAT that changes kind under a running node ---------------------------
# restr-a's router turns into a symmetric NAT and forgets its mappings (a
# laptop carried to another network): restr-a is seen elsewhere at its
# next registration, measures its NAT again, and punches to restr-b as a
# symmetric node must. A node that kept "cone" stays on the relay.
n "$router_restr_a" nft delete table ip podnet_nat
_nat_rules symmetric "$(nat_public_ip 5)" "$(nat_node_ip 5 symmetric)" |
	n "$router_restr_a" nft -f -
n "$router_restr_a" conntrack -F >/dev/null 2>&1 || true
t0=$(date +%s%N)
# Traffic, so that the dead direct path is noticed.
n "$ns_restr_a" ping -q -c 600 -i 0.2 -W 1 "$(vaddr restr-b)" >/dev/null 2>&1 &
pinger=$!
check "restr-a's NAT turned symmetric: restr-a measures it again" \
	wait_for 400 nat_type_is restr-a symmetric
echo "# restr-a knew its new NAT type after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "... and reaches restr-b directly again" \
	wait_for 600 peer_is restr-a restr-b path direct
echo "# restr-a <-> restr-b direct again after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "... pings answered" n "$ns_restr_a" ping -c 2 -i 0.2 -W 2 "$(vaddr restr-b)"
kill "$pinger" 2>/dev/null || true
wait "$pinger" 2>/dev/null || true

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
