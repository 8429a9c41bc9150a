#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Joining with a one-time token (issue 14 item 5, doc/identity.md):
#  - the CA namespace (also the rendezvous) runs `podnet ca serve`; a
#    fresh node runs `podnet join TOKEN`, then podnetd on the config it
#    wrote, unchanged, and reaches node a (ping, ssh by address); its key
#    is 0600 and was made there;
#  - refused, exit 1 with a message, no files left behind: the token
#    again, an expired one, a damaged one (one character), one re-signed
#    by its holder for another name, one naming another CA (the node's
#    pin refuses the service), a guessed secret, and a second token for
#    an address already issued;
#  - the service survives garbage (raw TCP, and a junk request inside an
#    authenticated TLS connection), counts it, rate-limits a source
#    that keeps failing, and drops a silent client after 5 s.
#
#     internet 198.18.0.0/24 ── rv 198.18.0.1: CA dir, podnet ca serve
#                                (TCP 51821) and rendezvous podnetd
#     a 198.18.0.11 (10.77.0.11, static)   j .12 (joins as 10.77.0.12)

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: join a node with a one-time token"

attack_token=$build/test/attack-token
svc=$nat_rendezvous:51821

NAT_KEEPALIVE=3 nat_podnet_bed
NAT_KEEPALIVE=3 nat_podnet_node a none 1
site_create ns_j router_j j none 2

n "$ns_rv" "$podnet" ca serve --ca-dir "$tmp/ca" --listen "$svc" \
	--rendezvous "rv@$nat_rendezvous:51820" >>"$tmp/serve.log" 2>&1 &
serve_pid=$!
daemon_pids+=("$serve_pid")
check "podnet ca serve listens" wait_for 50 _tcp_listening "$ns_rv" 51821
check "it wrote where nodes reach it" grep -qx "$svc" "$tmp/ca/enroll.endpoint"

invite() { "$podnet" invite --ca-dir "$tmp/ca" "$@" 2>/dev/null; }
token=$(invite --name j --address 10.77.0.12/24)
# Made before j joins, while 10.77.0.12 is still free.
token_same_addr=$(invite --name j2 --address 10.77.0.12)
check "podnet invite prints a token" grep -q '^podnet1-' <<<"$token"
check "the CA dir keeps the invitation 0600, not the secret" \
	test "$(stat -c %a "$tmp/ca/invites/"* | sort -u)" = 600

# refused JOIN_DIR EXPECTED TOKEN: podnet join exits 1 saying EXPECTED and
# leaves nothing in JOIN_DIR.
refused() {
	local dir=$tmp/$1 want=$2 out rc=0
	out=$(n "$ns_j" "$podnet" join --dir "$dir" "$3" 2>&1) || rc=$?
	echo "$out"
	[[ $rc -eq 1 ]] || { echo "exit status $rc, not 1"; return 1; }
	grep -q -- "$want" <<<"$out" || { echo "no '$want'"; return 1; }
	[[ -z $(ls -A "$dir" 2>/dev/null) ]] || { echo "left: $(ls "$dir")"; return 1; }
}
# invite_refused NAME ADDRESS: podnet invite prints no token for them.
invite_refused() {
	! "$podnet" invite --ca-dir "$tmp/ca" --name "$1" --address "$2" 2>&1 |
		grep -q '^podnet1-'
}
# join_and_start NS NAME TOKEN: podnet join into $tmp/NAME, then podnetd
# on the config it wrote. Sets $rc to join's exit status.
join_and_start() {
	local out
	out=$(n "$1" "$podnet" join --dir "$tmp/$2" "$3" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/# /'
	[[ $rc -eq 0 ]] || return 0
	ip netns exec "$1" "$podnetd" "$tmp/$2/pod0.conf" >>"$tmp/$2.log" 2>&1 &
	daemon_pids+=($!)
}
# registered NS: the node in NS has a session with the rendezvous.
registered() {
	n "$1" "$podnet" show pod0 --json |
		jq -e '.peers[] | select(.name == "rv") | .state == "established"'
}

# --- refused before any join ------------------------------------------
check "a damaged token (one character) is refused before anything is sent" \
	refused bad-flip "damaged or was altered" "$("$attack_token" flip "$token" 40)"
check "a token re-signed by its holder for another name is refused by the service" \
	refused bad-name "token was altered: it was made for j" \
	"$("$attack_token" alter "$token" name mallory)"
check "... and for another address" \
	refused bad-addr "token was altered" \
	"$("$attack_token" alter "$token" address 10.77.0.99/24)"
check "a token naming another CA: the node refuses the service (pinned fingerprint)" \
	refused bad-fp "not of this network" \
	"$("$attack_token" alter "$token" fingerprint)"
check "a guessed secret is refused" \
	refused bad-guess "invalid token" "$("$attack_token" alter "$token" secret)"
short=$(invite --name j3 --address 10.77.0.13 --ttl 1s)
sleep 2
check "an expired token (--ttl 1s, 2 s later) is refused" \
	refused bad-expired "token expired" "$short"

# --- the join ----------------------------------------------------------
# A revocation list (of a certificate nobody holds) travels with the join.
"$podnet" cert revoke --ca-dir "$tmp/ca" "$(printf '%064d' 7)" >/dev/null
out=$(n "$ns_j" "$podnet" join --dir "$tmp/j" "$token" 2>&1) && rc=0 || rc=$?
echo "$out" | sed 's/^/# /'
check "podnet join succeeds" test "$rc" = 0
check "the key was made on the node, mode 0600" test "$(stat -c %a "$tmp/j/j.key")" = 600
check "the certificate binds j and 10.77.0.12" \
	bash -c "'$podnet' cert show '$tmp/j/j.crt' | grep -q 'address: 10.77.0.12'"
check "the CA issued it once (issued.txt)" grep -q '^j 10.77.0.12 ' "$tmp/ca/issued.txt"
check "the CA's revocation list came along" cmp "$tmp/ca/revoked.list" "$tmp/j/revoked.list"
check "the config names the rendezvous" grep -q "Endpoint = $nat_rendezvous:51820" "$tmp/j/pod0.conf"
# The config as written; podnetd picks its own control socket.
ip netns exec "$ns_j" "$podnetd" "$tmp/j/pod0.conf" >>"$tmp/j.log" 2>&1 &
daemon_pids+=($!)
ping_ok() { n "$1" ping -c 1 -W 1 "$2"; }
check "the joined node reaches a" wait_for 150 ping_ok "$ns_j" 10.77.0.11
check "and a reaches it" wait_for 50 ping_ok "$ns_a" 10.77.0.12
check "podnetd took the list it was given" grep -q "revocation list.*serial 1" "$tmp/j.log"
start_sshd "$ns_a" 10.77.0.11
check "ssh from the joined node to a by address" \
	bash -c "$(declare -f n ssh_run); tmp='$tmp'; ssh_run '$ns_j' 10.77.0.11 echo joined-ssh | grep -qx joined-ssh"

# --- refused after it ----------------------------------------------------
check "the token again is refused (single use)" \
	refused again "token already used" "$token"
check "a second token for the issued address is refused" \
	refused again-addr "10.77.0.12.*refused, one node per name and address" "$token_same_addr"
check "podnet invite refuses an issued address at once" invite_refused j4 10.77.0.12

# --- garbage, and a source that keeps failing ---------------------------
n "$ns_a" bash -c "head -c 2000 /dev/urandom >/dev/tcp/${svc%:*}/${svc#*:}" 2>/dev/null || true
junk=$(n "$ns_a" "$attack_token" junk "$token" 2>&1) || true
check "a junk request in the TLS channel gets an error answer" \
	grep -q "PODNET-JOIN 1 error malformed request" <<<"$junk"
check "the service survives garbage and counts it" \
	bash -c "kill -0 $serve_pid && grep -q 'malformed 2,' '$tmp/serve.log'"
for i in $(seq 12); do
	n "$ns_a" "$podnet" join --dir "$tmp/guess" "$("$attack_token" alter "$token" secret)" \
		>>"$tmp/guess.out" 2>&1 || true
done
check "a source that keeps failing is cut off (rate limit)" \
	grep -q 'rate-limited [1-9]' "$tmp/serve.log"
check "and is told nothing more than a failed handshake" \
	grep -q "TLS handshake with the enrollment service" "$tmp/guess.out"
# A client that connects and says nothing holds the service (one
# connection at a time) only until its 5 s deadline.
n "$ns_rv" bash -c "exec 3<>/dev/tcp/${svc%:*}/${svc#*:}; sleep 9" 2>/dev/null &
idle_pid=$!
sleep 0.3
join_k() {
	local t
	t=$("$podnet" invite --ca-dir "$tmp/ca" --name k --address 10.77.0.14 2>/dev/null)
	ip netns exec "$ns_j" "$podnet" join --dir "$tmp/k" "$t" >/dev/null
}
start=$(date +%s%N)
check "others still join, behind a silent client" join_k
elapsed=$((($(date +%s%N) - start) / 1000000))
echo "# join behind a silent connection took $elapsed ms"
check "the silent client held the service at most its deadline (< 7.5 s)" test "$elapsed" -lt 7500
kill "$idle_pid" 2>/dev/null || true
check "the service is still alive" kill -0 "$serve_pid"

# --- an IPv6 address ------------------------------------------------------
site_create ns_j6 router_j6 j6 none 3
token6=$(invite --name j6 --address fd77::16)
check "podnet invite takes an IPv6 address" grep -q '^podnet1-' <<<"$token6"
join_and_start "$ns_j6" j6 "$token6"
check "podnet join with it succeeds" test "$rc" = 0
cert6=$("$podnet" cert show --json "$tmp/j6/j6.crt" 2>/dev/null)
check "the certificate binds fd77::16 and no IPv4 address" \
	test "$(jq -r '"\(.address) \(.address6)"' <<<"$cert6")" = "null fd77::16"
check "the config has Address = fd77::16/64" grep -qx "Address = fd77::16/64" "$tmp/j6/pod0.conf"
check "the CA recorded it (issued.txt)" grep -q '^j6 fd77::16 ' "$tmp/ca/issued.txt"
check "the v6-only node runs and reaches the rendezvous" wait_for 150 registered "$ns_j6"
out=$("$podnet" invite --ca-dir "$tmp/ca" --name j8 --address fe80::8 2>&1 || true)
check "podnet invite refuses a link-local address, as cert issue does" \
	grep -q "fe80::8 is not a usable unicast address" <<<"$out"
check "podnet invite refuses the issued IPv6 address at once" invite_refused j7 fd77::16

# --- both families in one token (version 2) ---------------------------------
site_create ns_jd router_jd jd none 4
tokend=$(invite --name jd --address "10.77.0.17/24, fd77::17/64")
check "podnet invite takes an IPv4 and an IPv6 address" grep -q '^podnet1-' <<<"$tokend"
join_and_start "$ns_jd" jd "$tokend"
check "podnet join with it succeeds" test "$rc" = 0
certd=$("$podnet" cert show --json "$tmp/jd/jd.crt" 2>/dev/null)
check "the certificate binds 10.77.0.17 and fd77::17" \
	test "$(jq -r '"\(.address) \(.address6)"' <<<"$certd")" = "10.77.0.17 fd77::17"
check "the config has both" grep -qx "Address = 10.77.0.17/24,fd77::17/64" "$tmp/jd/pod0.conf"
check "the dual-stack node runs and reaches the rendezvous" wait_for 150 registered "$ns_jd"
check "... and the v6-only node over IPv6, through the rendezvous" \
	wait_for 100 n "$ns_jd" ping -6 -c 1 -W 2 fd77::16
check "the CA recorded both its addresses (issued.txt)" \
	grep -q '^jd 10\.77\.0\.17,fd77::17 ' "$tmp/ca/issued.txt"
# (check keeps the command's output in a local "out": another name here)
said=$("$podnet" invite --ca-dir "$tmp/ca" --name j10 --address "10.77.0.19, fd77::17" 2>&1) && rc=0 || rc=$?
echo "$said" | sed 's/^/# /'
refused_dual() { [[ $rc -ne 0 ]] && grep -q 'address fd77::17: this CA issued a certificate for jd .*refused' <<<"$said"; }
check "podnet invite refuses its IPv6 address beside a free IPv4 one" refused_dual
out=$("$podnet" invite --ca-dir "$tmp/ca" --name j9 --address "fd77::18,10.77.0.18" 2>&1 || true)
check "IPv6 first is refused, saying how" grep -q "one IPv4 and then one IPv6" <<<"$out"

ktap_finish
