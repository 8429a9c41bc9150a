#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Attacks on where a session runs (issue 12: F1, F5, F9), by an attacker
# who watches the internet and sends raw UDP from any address:
#  F1. alpha <-> beta run through the relay (punching is blocked) and keep
#      punching every 2 s; the attacker reads a punch token off the wire
#      and sends forged punch probes and answers to alpha, from its own
#      address and from a spoofed one. The session must stay on the relay,
#      pings keep flowing, the attacker receives no record of the pair.
#  F5. alpha <-> gamma run directly; the attacker sends, from gamma's
#      address, datagrams under an unknown session index and session
#      requests. No new handshake, pings keep flowing.
#  F9. A record of alpha -> gamma, read off the wire, wrapped as a relay
#      delivery and sent to gamma from the attacker's address (not a
#      relay: dropped) and from the relay's (a replay: dropped). gamma's
#      session with alpha stays where it is.
#  F10. NAT probe answers forged from the rendezvous' probe port tell
#      alpha (no NAT) it is seen at another port: symmetric. Without the
#      nonce of alpha's probes they are refused; its NAT type stays.
#
#            ┌───────── internet 198.18.0.0/24 (attack-sniff -a on alpha's port) ────────┐
#   rv .1 (rendezvous, relay)   evil .9 (attacker)   alpha .11   [NAT .12] beta   gamma .13
#                                                    (public)    10.102.0.2      (public)

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet attacks: forged punches, spoofed session-lost hints, forged relay frames"

# ATTACK_TOOLS: where the attacker's tools are (another build's, to run
# this test against a daemon built without them).
tools=${ATTACK_TOOLS:-$build/test}
sniff=$tools/attack-sniff
spoof=$tools/attack-spoof
for tool in "$sniff" "$spoof"; do
	[[ -x $tool ]] || { echo "1..0 # SKIP $tool missing (make attack-tools)"; exit 0; }
done

NAT_PUNCH_RETRY=2 nat_podnet_bed
NAT_PUNCH_RETRY=2 nat_podnet_node alpha none 1
NAT_PUNCH_RETRY=2 nat_podnet_node beta restricted 2
NAT_PUNCH_RETRY=2 nat_podnet_node gamma none 3
public_host_create ns_evil evil 198.18.0.9
evil=198.18.0.9
alpha_ep=198.18.0.11:51820
gamma_ep=198.18.0.13:51820

registered() {
	local s
	for s in alpha beta gamma; do
		peer_established "$s" rv && nat_type_known "$s" ||
			{ echo "# $s: not registered or NAT unknown"; return 1; }
	done
}
check "all nodes registered and know their NAT" wait_for 150 registered

# watch_path NODE PEER COUNT: "path endpoint" of PEER at NODE every
# 0.2 s, COUNT times.
watch_path() {
	local i json
	for ((i = 0; i < $3; i++)); do
		json=$(show_json "$1") || true
		jq -r --arg p "$2" '.peers[] | select(.name == $p) | "\(.path) \(.endpoint)"' <<<"$json" || true
		sleep 0.2
	done
}
# path_stayed FILE PATH: every sample in FILE (of watch_path) is PATH.
path_stayed() {
	local moved
	moved=$(grep -v "^$2 " "$1" | sort | uniq -c || true)
	[[ -z $moved && -s $1 ]] || { echo "# samples elsewhere:"; echo "$moved" | sed 's/^/#  /'; return 1; }
}

# loss_of FILE: the packet loss a ping printed, in whole percent.
loss_of() { sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$1" | cut -d. -f1; }
# loss_below FILE MAX: the ping in FILE lost at most MAX %.
loss_below() {
	local l
	l=$(loss_of "$1")
	echo "# loss ${l:-?} %"
	[[ -n $l && $l -le $2 ]]
}

# --- F1: forged punches against a relayed, punching pair ------------------
nat_block_udp "$router_beta"
check "alpha reaches beta while punching is blocked" \
	wait_for 150 n "$ns_alpha" ping -c 1 -W 1 10.77.0.12
check "... through the relay" wait_for 50 peer_is alpha beta path relay
hs_ab=$(peer_field alpha beta handshakes)
hs_ba=$(peer_field beta alpha handshakes)

refused=$(iface_field alpha rx_punch_refused)
# Whatever reaches the attacker's address from alpha is one of the
# pair's records (or a punch answer): there must be none.
n "$ns_evil" timeout 20 "$sniff" -n 100000 -t 14000 -p 40000 eth0 >"$tmp/evil-seen.txt" &
evil_sniffer=$!
n "$ns_alpha" ping -q -c 100 -i 0.1 -W 1 10.77.0.12 >"$tmp/f1-ping.txt" 2>&1 &
ping_pid=$!
watch_path alpha beta 50 >"$tmp/f1-path.txt" &
watch_pid=$!
# alpha probes beta's candidates every 200 ms while it punches (again
# every PunchRetry = 2 s): read a token off alpha's port of the internet.
# Each introduction brings a fresh token, so the attack follows at once.
n "$nat_inet" timeout 15 "$sniff" -a -n 1 -t 8000 -T 4 site1 >"$tmp/punch.txt" || true
read -r _ _ punch_hex <"$tmp/punch.txt" || true
# Header (8 bytes), token (16), kind (1: 0 probe, 1 answer), padding.
token=${punch_hex:16:32}
pad=$(printf '0%.0s' {1..30})
for kind in 01 00; do
	n "$ns_evil" "$spoof" -c 10 -r 20 "$evil:40000" "$alpha_ep" \
		"0401000000000000$token$kind$pad"
	# The same from an address the attacker does not hold.
	n "$ns_evil" "$spoof" -c 5 -r 20 198.18.0.8:40000 "$alpha_ep" \
		"0401000000000000$token$kind$pad"
done
echo "# token ${token:-none}"
check "the attacker read a punch token off the wire" test ${#token} -eq 32
wait "$ping_pid" || true
wait "$watch_pid" || true
wait "$evil_sniffer" || true
echo "# F1: alpha -> beta lost $(loss_of "$tmp/f1-ping.txt") % of 100 pings during the attack"
# The sniffer sees both ways: what came *to* the attacker counts.
awk -v e="$evil:40000" '$2 == e' "$tmp/evil-seen.txt" >"$tmp/evil-rx.txt"
check "F1: the relayed session stayed on the relay throughout" \
	path_stayed "$tmp/f1-path.txt" relay
check "F1: ... and is there now" peer_is alpha beta path relay
check "F1: ... and not at the attacker's address" \
	bash -c "[[ '$(peer_field alpha beta endpoint)' != $evil:* && '$(peer_field alpha beta endpoint)' != 198.18.0.8:* ]]"
check "F1: pings kept flowing (loss <= 5 %)" loss_below "$tmp/f1-ping.txt" 5
check "F1: the attacker received nothing from alpha" \
	bash -c "[[ ! -s '$tmp/evil-rx.txt' ]] || { echo '# received:'; cut -c1-100 '$tmp/evil-rx.txt' | head -n 5; false; }"
check "F1: the forged punches were refused and counted (rx_punch_refused)" \
	iface_above alpha rx_punch_refused "$((refused + 9))"
check "F1: no record went to a forged candidate (path_probes)" \
	bash -c "[[ '$(peer_field alpha beta path_probes)' == null ]]"
check "F1: no new handshake (alpha)" peer_is alpha beta handshakes "$hs_ab"
check "F1: no new handshake (beta)" peer_is beta alpha handshakes "$hs_ba"
nat_unblock_udp "$router_beta"

# --- F5: spoofed "session lost" hints against a direct pair ---------------
check "alpha reaches gamma" wait_for 150 n "$ns_alpha" ping -c 1 -W 1 10.77.0.13
check "... directly" wait_for 100 peer_is alpha gamma path direct
check "... at gamma's address" wait_for 50 peer_is alpha gamma endpoint "$gamma_ep"
hs_ag=$(peer_field alpha gamma handshakes)
hs_ga=$(peer_field gamma alpha handshakes)
refuted=$(iface_field alpha rx_hints_refuted)
unknown=$(iface_field alpha rx_unknown_session)
# A data datagram under an index alpha never gave out, and a session
# request (256 bytes), both from gamma's address.
junk=$(printf 'ab%.0s' {1..48})
unknown_index=02010000deadbeef17fefd0001000000000000${junk}
request=0301000000000000$(printf '00%.0s' {1..248})
n "$ns_alpha" ping -q -c 70 -i 0.1 -W 1 10.77.0.13 >"$tmp/f5-ping.txt" 2>&1 &
ping_pid=$!
sleep 0.5
for ((i = 0; i < 30; i++)); do
	n "$ns_evil" "$spoof" "$gamma_ep" "$alpha_ep" "$unknown_index"
	n "$ns_evil" "$spoof" "$gamma_ep" "$alpha_ep" "$request"
	sleep 0.2
done
wait "$ping_pid" || true
echo "# F5: alpha -> gamma lost $(loss_of "$tmp/f5-ping.txt") % of 70 pings during the spoofing"
check "F5: the spoofed datagrams arrived (rx_unknown_session)" \
	iface_above alpha rx_unknown_session "$((unknown + 20))"
check "F5: no new handshake (alpha)" peer_is alpha gamma handshakes "$hs_ag"
check "F5: no new handshake (gamma)" peer_is gamma alpha handshakes "$hs_ga"
check "F5: the session answered, refuting the hints (rx_hints_refuted)" \
	iface_above alpha rx_hints_refuted "$refuted"
check "F5: pings kept flowing (loss <= 5 %)" loss_below "$tmp/f5-ping.txt" 5
check "F5: the session stays at gamma's address" peer_is alpha gamma endpoint "$gamma_ep"

# --- F9: a forged relay delivery ------------------------------------------
n "$ns_alpha" ping -q -c 30 -i 0.1 -W 1 10.77.0.13 >/dev/null 2>&1 &
ping_pid=$!
n "$nat_inet" timeout 10 "$sniff" -a -n 10 -t 5000 -T 2 -m 60 -p 51820 site1 >"$tmp/records.txt" || true
wait "$ping_pid" || true
rec_from= rec_to= rec_hex=
awk -v a="$alpha_ep" -v g="$gamma_ep" '$1 == a && $2 == g' "$tmp/records.txt" |
	head -n 1 >"$tmp/record.txt"
read -r rec_from rec_to rec_hex <"$tmp/record.txt" || true
check "the attacker read a record of alpha -> gamma off the wire" \
	test "$rec_from $rec_to" = "$alpha_ep $gamma_ep"
malformed=$(iface_field gamma rx_malformed)
invalid=$(peer_field gamma alpha drop_invalid)
relayed=0501000000000001${rec_hex}
n "$ns_evil" "$spoof" -c 5 -r 50 "$evil:51820" "$gamma_ep" "$relayed"
n "$ns_evil" "$spoof" -c 5 -r 50 "198.18.0.1:51820" "$gamma_ep" "$relayed"
# Both counts are read on every try, not once after a fixed sleep.
check "F9: a relay delivery from no relay is dropped and counted" \
	wait_for 50 iface_above gamma rx_malformed "$((malformed + 4))"
invalid_at_least() { [[ $(peer_field gamma alpha drop_invalid) -ge $1 ]]; }
check "F9: the relay's replayed delivery is dropped (drop_invalid)" \
	wait_for 50 invalid_at_least "$((invalid + 5))"
check "F9: gamma's session with alpha stays direct" peer_is gamma alpha path direct
check "F9: ... at alpha's address" peer_is gamma alpha endpoint "$alpha_ep"
check "F9: gamma still reaches alpha" n "$ns_gamma" ping -c 3 -i 0.2 -W 1 10.77.0.11

# --- F10: forged NAT probe answers -----------------------------------------
# "Seen at 198.18.0.11:40000" from the probe port (ListenPort + 1), with
# nonce 0 (what an older rendezvous sends) and with a guessed one.
refused=$(iface_field alpha rx_probe_refused)
log_from=$(($(wc -l <"$tmp/alpha.log") + 1))
for nonce in 00000000 5eed5eed; do
	n "$ns_evil" "$spoof" -c 5 -r 50 198.18.0.1:51821 "$alpha_ep" \
		"06010000${nonce}01049c40c612000b"
done
check "F10: forged probe answers are refused and counted (rx_probe_refused)" \
	wait_for 50 iface_above alpha rx_probe_refused "$((${refused:-0} + 9))"
check "F10: alpha's NAT type stays 'none'" \
	test "$(iface_field alpha nat_type)" = none
check "F10: ... and it logs no change of it" \
	bash -c "! tail -n +$log_from '$tmp/alpha.log' | grep -q 'NAT type:'"
check "the daemons are alive" daemons_alive rv alpha beta gamma

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
