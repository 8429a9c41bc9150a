#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The rendezvous under attack and away:
#  - a node with another CA's certificate can neither register nor look up;
#  - junk at the rendezvous' two ports does not crash it;
#  - a node cannot make the relay forward into a channel it does not own,
#    and relay frames spoofed from the relay's address get a node to ask
#    for handshakes at most ASK_RATE a second;
#  - stopped, the rendezvous takes no direct session down with it, and a
#    node restarted meanwhile comes back when the rendezvous does.
#
#         internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous + relay)
#     none-a .11   [NAT .12] restr-a   [NAT .13] sym-a   [NAT .14] sym-b
#     (public)     10.102.0.2          10.103.0.2        10.104.0.2
#     intruder .15 (public, certificate of another CA)

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: rendezvous bad input and outage"

NAT_KEEPALIVE=3 nat_podnet_bed
NAT_KEEPALIVE=3 nat_podnet_node none-a none 1
NAT_KEEPALIVE=3 nat_podnet_node restr-a restricted 2
NAT_KEEPALIVE=3 nat_podnet_node sym-a symmetric 3
NAT_KEEPALIVE=3 nat_podnet_node sym-b symmetric 4
for name in none-a restr-a sym-a sym-b; do
	wait_for 100 peer_established "$name" rv || true
	wait_for 50 nat_type_known "$name" || true
done
check "restr-a reaches none-a directly" wait_for 100 n "$ns_restr_a" ping -c 1 -W 1 10.77.0.11
check "sym-a reaches sym-b through the relay" wait_for 100 n "$ns_sym_a" ping -c 1 -W 1 10.77.0.14
check "... relayed" test "$(peer_field sym-a sym-b path)" = relay

# --- a foreign certificate cannot register or look up --------------------
site_create ns_intruder router_intruder intruder none 5
make_ca "$tmp/evil" evil-net
make_node_cert "$tmp/evil" intruder 10.77.0.15
nat_rv_config intruder "$tmp/evil" 10.77.0.15/24
before=$(iface_field rv rx_handshake_rejected)
start_daemon "$ns_intruder" intruder
check "the rendezvous refuses the intruder's handshake" \
	wait_for 100 iface_above rv rx_handshake_rejected "$before"
check "... which is not registered" peer_not_established intruder rv
check "... nor known to the rendezvous" peer_absent rv intruder
intruder_cut_off() { daemons_alive intruder && ! n "$ns_intruder" ping -c 1 -W 2 10.77.0.11; }
check "... and cannot reach anyone" intruder_cut_off
stop_daemon intruder

# --- the relay forwards only for a channel's owner -----------------------
channel=$(peer_field sym-a sym-b relay_channel)
check "sym-a has a relay channel for sym-b" test -n "$channel" -a "$channel" != null
refused=$(iface_field rv rx_relay_refused)
unknown=$(iface_field sym-b rx_unknown_session)
# A relay datagram for sym-a's channel, sent by restr-a: an inner data
# datagram for sym-b's session index 1.
hdr="\\x05\\x01\\x00\\x00$(sed 's/../\\x&/g' <<<"$channel")"
inner='\x02\x01\x00\x00\x00\x00\x00\x01\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x10aaaaaaaaaaaaaaaa'
# One process sends all five and says whether each left: a send that
# failed unseen once looked like a relay that forwarded.
check "restr-a sends five relay datagrams for sym-a's channel" \
	n "$ns_restr_a" bash -c "for i in 1 2 3 4 5; do
		printf '$hdr$inner' >/dev/udp/198.18.0.1/51820 || exit 1
	done"
# The counter is read on every try (a loaded machine may take a moment);
# the last try says how far it got.
refused_all() {
	local now
	now=$(iface_field rv rx_relay_refused) || return 1
	[[ $now -ge $((refused + 5)) ]] && return 0
	echo "rv refused $((now - refused)) of 5; rx_malformed $(iface_field rv rx_malformed)"
	return 1
}
check "the relay refuses to forward another node's channel" \
	wait_for 50 refused_all
check "... and nothing reached sym-b" \
	test "$(iface_field sym-b rx_unknown_session)" -eq "$unknown"

# --- a relay delivery spoofed from the relay's address --------------------
# Through a relay a node asks for a new handshake whatever the size of
# the record that provoked it (dispatch.c, ask_for_handshake). An
# off-path host spoofs the relay's address and sends none-a relayed data
# records for a channel and a session nobody has: none-a's asks go back
# to the relay, which refuses a channel none-a does not own, and
# ASK_RATE (10 a second, one second's burst) bounds how many.
spoof=${ATTACK_TOOLS:-$build/test}/attack-spoof
if [[ -x $spoof ]]; then
	asks=$(iface_field none-a tx_handshake_asks)
	refused=$(iface_field rv rx_relay_refused)
	unknown_b=$(iface_field sym-b rx_unknown_session)
	frame=05010000cafe0bad0201000075e5a5c517fefd0001000000000009001061616161616161616161616161616161
	started=$(date +%s.%N)
	n "$ns_intruder" "$spoof" -c 300 -r 300 198.18.0.1:51820 198.18.0.11:51820 "$frame" >/dev/null
	asked() { test "$(iface_field none-a tx_handshake_asks)" -gt "$asks"; }
	check "none-a asks for a handshake through the spoofed relay frames" wait_for 50 asked
	sleep 1
	n_asks=$(($(iface_field none-a tx_handshake_asks) - asks))
	elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%d", e - s + 1 }')
	echo "# 300 spoofed relay frames: none-a asked $n_asks times in ${elapsed} s (bound $((10 + 10 * elapsed)))"
	check "... at most ASK_RATE a second, after a one-second burst" \
		test "$n_asks" -le $((10 + 10 * elapsed))
	refused_asks() { test "$(iface_field rv rx_relay_refused)" -ge $((refused + n_asks)); }
	check "... the relay refuses each ask (none-a owns no such channel)" \
		wait_for 50 refused_asks
	check "... nothing reached sym-b" \
		test "$(iface_field sym-b rx_unknown_session)" -eq "$unknown_b"
	check "... and none-a still reaches the rendezvous" \
		n "$ns_none_a" ping -c 1 -W 2 10.77.0.1
else
	echo "# $spoof missing (make attack-tools): spoofed relay frames not tried"
fi

# --- junk at the rendezvous ----------------------------------------------
head -c 2000000 /dev/urandom >"$tmp/junk"
n "$ns_none_a" socat -u -b 200 "OPEN:$tmp/junk" UDP-SENDTO:198.18.0.1:51820 || true
n "$ns_none_a" socat -u -b 64 "OPEN:$tmp/junk" UDP-SENDTO:198.18.0.1:51821 || true
sleep 0.5
check "30,000 junk datagrams at both rendezvous ports do not crash it" kill -0 "$pid_rv"
check "... and the relay still carries sym-a <-> sym-b" \
	wait_for 50 n "$ns_sym_a" ping -c 1 -W 1 10.77.0.14

# --- the rendezvous goes away and comes back -----------------------------
stop_daemon rv
check "with the rendezvous down, the direct session keeps working" \
	n "$ns_restr_a" ping -c 3 -i 0.3 -W 2 10.77.0.11
sleep 4
check "... still, seconds later" n "$ns_restr_a" ping -c 1 -W 2 10.77.0.11
stop_daemon none-a
start_daemon "$ns_none_a" none-a
sleep 2
no_session_without_rv() {
	daemons_alive none-a restr-a && ! n "$ns_restr_a" ping -c 1 -W 1 10.77.0.11 &&
		peer_not_established none-a restr-a
}
check "none-a restarted while the rendezvous is down has no session" no_session_without_rv
start_daemon "$ns_rv" rv
check "when the rendezvous is back, restr-a and none-a find each other again" \
	wait_for 600 n "$ns_restr_a" ping -c 1 -W 1 10.77.0.11
out=$(start_sshd "$ns_none_a" 10.77.0.11 && ssh_run "$ns_restr_a" 10.77.0.11 'echo welcome-back' 2>&1 || true)
check "... and ssh works" grep -q welcome-back <<<"$out"

ktap_finish
