#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Names that resolve (issue 14, item 3): podnetd answers NAME.pod on its
# virtual address. laptop's resolver is its own podnetd (resolv.conf in
# /etc/netns/NS/, which `ip netns exec` mounts over /etc/resolv.conf);
# laptop is configured with the rendezvous only, so office.pod and
# db.pod are names it learns through rendezvous lookups.
#  - getent hosts office.pod and ssh office.pod from laptop;
#  - its own name, the rendezvous' name, over UDP and TCP;
#  - unknown name -> NXDOMAIN with the SOA; another domain -> REFUSED,
#    no larger than the query; junk -> counted, dropped, daemon alive;
#  - a peer (office) uses laptop as its resolver through the tunnel; a
#    host on laptop's LAN routing the virtual address at it gets nothing;
#  - office restarted, then the rendezvous restarted: names still resolve
#    (db.pod, never asked before, through the new rendezvous).
#
#         internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous, 10.77.0.1)
#     office .11 (public, sshd)   [NAT .12] laptop   db .13 (public)
#     10.77.0.11                  10.102.0.2         10.77.0.13
#                                 10.77.0.12, resolver for its namespace

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: DNS for NAME.pod"

command -v drill >/dev/null || { echo "# drill (ldnsutils) missing: scripts/deps.sh"; exit 1; }

NAT_KEEPALIVE=3 nat_podnet_bed
NAT_KEEPALIVE=3 nat_podnet_node office none 1
NAT_KEEPALIVE=3 nat_podnet_node laptop restricted 2
NAT_KEEPALIVE=3 nat_podnet_node db none 3
for name in office laptop db; do
	wait_for 100 peer_established "$name" rv || true
done

# ip netns exec mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
resolv_dir=/etc/netns/$ns_laptop
mkdir -p "$resolv_dir"
echo "nameserver 10.77.0.12" >"$resolv_dir/resolv.conf"
# cleanup() runs at exit; remove our resolv.conf with it, keeping the
# exit status cleanup() passes on.
trap 'rc=$?; rm -rf "$resolv_dir"; (exit $rc); cleanup' EXIT

# q NS ARGS...: drill's answer, quietly bounded.
q() { local ns=$1; shift; n_timeout 10 "$ns" drill "$@" 2>&1; }
rcode_is() { # rcode_is NS RCODE ARGS...
	local ns=$1 want=$2 out
	shift 2
	out=$(q "$ns" "$@") || true
	grep -q "rcode: $want" <<<"$out" || { echo "# drill $*: $(grep -m1 rcode <<<"$out")"; return 1; }
}
resolves_to() { # resolves_to NS NAME ADDRESS (getent, through the libc)
	local got
	got=$(n_timeout 10 "$1" getent ahostsv4 "$2" | awk 'NR == 1 { print $1 }') || true
	[[ $got == "$3" ]] || { echo "# getent $2 in $1: '$got', not $3"; return 1; }
}

# --- names through the libc, the rendezvous' lookups, ssh --------------
start=$(date +%s%N)
getent_hosts() { n_timeout 10 "$ns_laptop" getent hosts office.pod | grep -q '^10.77.0.11 '; }
check "getent hosts office.pod on laptop: office's address, learnt from the rendezvous" getent_hosts
echo "# first lookup (via the rendezvous): $(( ($(date +%s%N) - start) / 1000000 )) ms"
start_sshd "$ns_office" 10.77.0.11 || true
out=$(ssh_run "$ns_laptop" office.pod 'echo podnet-dns-ssh-ok' 2>&1 || true)
check "ssh office.pod runs a command" grep -q podnet-dns-ssh-ok <<<"$out"
check "laptop.pod (its own name)" resolves_to "$ns_laptop" laptop.pod 10.77.0.12
check "rv.pod (a configured peer)" resolves_to "$ns_laptop" rv.pod 10.77.0.1
check "OFFICE.POD (case does not matter)" resolves_to "$ns_laptop" OFFICE.POD 10.77.0.11
answer_has() { q "$1" "${@:3}" | grep -q "$2"; }
check "office.pod over TCP" answer_has "$ns_laptop" '^office\.pod\..*IN.*A.*10\.77\.0\.11' -t office.pod @10.77.0.12 A
check "AAAA office.pod: NOERROR without records (office has no IPv6 address)" \
	rcode_is "$ns_laptop" NOERROR AAAA office.pod @10.77.0.12

# --- NXDOMAIN, REFUSED, malformed ---------------------------------------
nx=$(iface_field laptop dns_nxdomain)
out=$(q "$ns_laptop" nobody.pod @10.77.0.12 A || true)
check "nobody.pod: NXDOMAIN (the rendezvous does not know it)" grep -q "rcode: NXDOMAIN" <<<"$out"
check "... with the SOA for negative caching" grep -q "^pod\..*IN.*SOA" <<<"$out"
check "... counted" iface_above laptop dns_nxdomain "$nx"
check "example.com: REFUSED, no recursion" rcode_is "$ns_laptop" REFUSED example.com @10.77.0.12 A
check "... and with RD set too" rcode_is "$ns_laptop" REFUSED -o rd example.org @10.77.0.12 MX
refused_size() {
	local out
	out=$(q "$ns_laptop" -o rd a-rather-long-name.example.com @10.77.0.12 TXT) || true
	# drill prints the query's and the answer's sizes.
	local rx=$(sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\).*/\1/p' <<<"$out")
	echo "# REFUSED answer: $rx bytes (the query: 51 + EDNS)"
	[[ -n $rx && $rx -le 51 ]]
}
check "REFUSED is no larger than the query" refused_size
check "dns_refused counted" iface_above laptop dns_refused 0
malformed=$(iface_field laptop dns_malformed)
for junk in 'x' '\x12\x34\x01\x00\x00\x05' '\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x03pod\x00\x00\x01\x00\x01' \
	'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01'; do
	n "$ns_laptop" bash -c "printf '$junk' >/dev/udp/10.77.0.12/53"
done
check "malformed queries and answers are dropped and counted" \
	wait_for 20 iface_above laptop dns_malformed $((malformed + 3))
check "... the daemon is alive and still answers" resolves_to "$ns_laptop" office.pod 10.77.0.11
# A question name compressed into itself: 66 bytes on the wire, 127
# written out. Echoed in REFUSED, the answer (143 bytes) would outgrow
# the query (82): it is dropped instead.
compressed_query() {
	local a61 out
	a61=$(printf 'a%.0s' {1..61})
	out=$(n_timeout 5 "$ns_laptop" bash -c \
		"printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f\x3d${a61}\x00\xc0\x0d\x00\x01\x00\x01' |
		 socat -t 2 - UDP:10.77.0.12:53 | wc -c") || true
	echo "# answer to the compressed 82-byte query: ${out:-?} bytes"
	[[ $out == 0 ]]
}
malformed=$(iface_field laptop dns_malformed)
check "a compressed question is not echoed larger than the query (dropped)" compressed_query
check "... and counted as malformed" iface_above laptop dns_malformed "$malformed"

# --- who may ask --------------------------------------------------------
check "office asks laptop's resolver through the tunnel" \
	answer_has "$ns_office" '^laptop\.pod\..*IN.*A.*10\.77\.0\.12' laptop.pod @10.77.0.12 A
# laptop's NAT router is on its LAN: it routes the virtual address to
# laptop and asks; the weak host model would accept it, podnetd must not.
dropped=$(iface_field laptop dns_dropped)
n "$router_laptop" ip route add 10.77.0.12/32 via 10.102.0.2
lan_refused() {
	! n_timeout 4 "$router_laptop" drill -Q office.pod @10.77.0.12 A >/dev/null 2>&1 &&
		iface_above laptop dns_dropped "$dropped"
}
check "a host on the LAN gets no answer (dropped, counted)" lan_refused

# --- a peer restart, then a rendezvous restart --------------------------
stop_daemon office
rm -f "$tmp/office.sock"
start_daemon "$ns_office" office
wait_for 100 peer_established office rv || true
check "office restarted: office.pod still resolves" resolves_to "$ns_laptop" office.pod 10.77.0.11
out=$(ssh_run "$ns_laptop" office.pod 'echo podnet-dns-again' 2>&1 || true)
check "... and ssh office.pod works again" grep -q podnet-dns-again <<<"$out"
kill -KILL "$pid_rv"
wait "$pid_rv" 2>/dev/null || true
rm -f "$tmp/rv.sock"
start_daemon "$ns_rv" rv
rv_back=$(date +%s%N)
wait_for 150 peer_established laptop rv || true
wait_for 100 peer_established db rv || true
check "rendezvous restarted: db.pod, never asked before, resolves through it" \
	wait_for 100 resolves_to "$ns_laptop" db.pod 10.77.0.13
echo "# db.pod resolved $(( ($(date +%s%N) - rv_back) / 1000000 )) ms after the rendezvous restarted (db re-registers first)"
check "... and nobody.pod is still NXDOMAIN" rcode_is "$ns_laptop" NXDOMAIN nobody.pod @10.77.0.12 A
check "every daemon alive" daemons_alive rv office laptop db

# --- systemd-resolved: registered on start, reverted on exit --------------
# db again, in a mount namespace of its own where /run/systemd/resolve
# exists and resolvectl is a script that writes down its arguments.
stop_daemon db
mkdir -p "$tmp/fakebin"
cat >"$tmp/fakebin/resolvectl" <<EOS
#!/bin/sh
echo "\$*" >>"$tmp/resolvectl.log"
EOS
chmod +x "$tmp/fakebin/resolvectl"
rm -f "$tmp/db.sock"
ip netns exec "$ns_db" unshare -m --propagation private sh -c \
	"mount -t tmpfs none /run/systemd && mkdir /run/systemd/resolve &&
	 touch /run/systemd/resolve/resolv.conf &&
	 PATH=$tmp/fakebin:\$PATH exec '$podnetd' '$tmp/db.conf'" >>"$tmp/db.log" 2>&1 &
pid_db=$!
daemon_pids+=("$pid_db")
wait_for 50 test -S "$tmp/db.sock" || true
check "resolved: 'resolvectl dns pod0 10.77.0.13' at start" grep -qx "dns pod0 10.77.0.13" "$tmp/resolvectl.log"
check "... and 'resolvectl domain pod0 ~pod'" grep -qx "domain pod0 ~pod" "$tmp/resolvectl.log"
check "... which the log says" grep -q "registered with systemd-resolved for pod0" "$tmp/db.log"
stop_daemon db
check "... and 'resolvectl revert pod0' at exit" grep -qx "revert pod0" "$tmp/resolvectl.log"

# --- Domain = off ----------------------------------------------------------
sed -i "/^LogLevel/a Domain = off" "$tmp/db.conf"
rm -f "$tmp/db.sock"
start_daemon "$ns_db" db
no_port_53() { [[ -z $(n "$ns_db" ss -Hlnu 'sport = :53') && -z $(n "$ns_db" ss -Hlnt 'sport = :53') ]]; }
check "Domain = off: nothing listens on port 53" no_port_53
check "... and db still reaches the rendezvous" wait_for 100 peer_established db rv
json=$(show_json laptop)
echo "# laptop: $(jq -c '{dns_answered, dns_nxdomain, dns_refused, dns_servfail, dns_malformed, dns_dropped}' <<<"$json")"

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
