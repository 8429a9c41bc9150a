#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Endpoints by host name (issue 14, item 4). alpha knows its peers only by
# name, answered by a dnsmasq in its own namespace whose answers change
# mid-run (its hosts file rewritten, SIGHUP):
#   - the sessions come up, `podnet show` has name and address, showconf
#     the name;
#   - beta moves to a new address and restarts there (it has no Endpoint
#     for alpha: only alpha can dial): alpha follows, and the time it took
#     is printed;
#   - the rendezvous, given by name, restarts on a new address: alpha
#     registers with it again;
#   - gamma, added at runtime by a name that does not resolve yet: one
#     clear log line, the daemon alive, and once the name appears (an AAAA
#     record only: the outer path is IPv6) the session comes up;
#   - podnetd --check warns about a name that does not resolve, and passes.
#
#                 $nsl: br0 (a switch)
#      ┌─────────────┬──────┴───────┬──────────────┐
#   $nsa: alpha    $nsb: beta     $nsr: rv       $nsg: gamma
#   .1, fd77::1    .2 -> .3       .10 -> .11     fd77::4 (AAAA only)
#   dnsmasq on 127.0.0.1, /etc/netns/$nsa/resolv.conf
#   Endpoint = beta.test:51820, rv.test:51820 (Rendezvous), gamma.test:51820

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: endpoints by host name follow DNS"

command -v dnsmasq >/dev/null || {
	echo "# dnsmasq is missing: scripts/deps.sh test installs it"
	exit 1
}

net=192.168.246
ns_create nsl lan
ns_create nsa alpha
ns_create nsb beta
ns_create nsr rv
ns_create nsg gamma
# `ip netns exec` mounts these over /etc: alpha's resolver is its dnsmasq.
netns_etc=/etc/netns/$nsa
trap 'ep_status=$?; rm -rf "$netns_etc"; (exit $ep_status); cleanup' EXIT
mkdir -p "$netns_etc"
echo "nameserver 127.0.0.1" >"$netns_etc/resolv.conf"

n "$nsl" ip link add br0 type bridge
n "$nsl" ip link set br0 up
num=1
for ns in "$nsa" "$nsb" "$nsr" "$nsg"; do
	ip link add veth0 netns "$ns" type veth peer name "port$num" netns "$nsl"
	n "$nsl" ip link set "port$num" master br0 up
	n "$ns" ip link set veth0 up
	num=$((num + 1))
done
n "$nsa" ip addr add "$net.1/24" dev veth0
n "$nsa" ip addr add fd77::1/64 dev veth0 nodad
n "$nsb" ip addr add "$net.2/24" dev veth0
n "$nsr" ip addr add "$net.10/24" dev veth0
n "$nsg" ip addr add fd77::4/64 dev veth0 nodad

make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" beta 10.77.0.2
make_node_cert "$tmp/ca" rv 10.77.0.10
make_node_cert "$tmp/ca" gamma 10.77.0.4
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta beta.test:51820 rv rv.test:51820
sed -i '/^Endpoint = rv.test:51820/a Rendezvous = yes' "$tmp/alpha.conf"
# A dead session shows within 4 s (3 keepalives missed), so the
# rendezvous' move is noticed quickly.
sed -i '/^LogLevel/a KeepaliveInterval = 1' "$tmp/alpha.conf"
# beta and gamma cannot dial alpha: only alpha's lookups find them.
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820
printf '\n[Peer]\nName = alpha\n' >>"$tmp/beta.conf"
write_config "$tmp/gamma.conf" gamma "$tmp/ca" 10.77.0.4/24 51820
printf '\n[Peer]\nName = alpha\n' >>"$tmp/gamma.conf"
write_config "$tmp/rv.conf" rv "$tmp/ca" 10.77.0.10/24 51820
sed -i '/^LogLevel/a Rendezvous = yes' "$tmp/rv.conf"

# --- the DNS server -------------------------------------------------------
hosts=$tmp/hosts
printf '%s beta.test\n%s rv.test\n' "$net.2" "$net.10" >"$hosts"
# Only the names of the file, NXDOMAIN for other .test names, no upstream.
# Not through n(): $! must be dnsmasq itself, to get the SIGHUP.
ip netns exec "$nsa" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
	--no-hosts --addn-hosts="$hosts" --local=/test/ --local-ttl=1 \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root \
	--log-facility=- >"$tmp/dnsmasq.log" 2>&1 &
dnsmasq_pid=$!
daemon_pids+=("$dnsmasq_pid")
dns_answers() { n "$nsa" getent ahostsv4 "$1" | grep -q "^$2 "; }
check "dnsmasq answers beta.test" wait_for 50 dns_answers beta.test "$net.2"
# set_hosts LINE...: the new answers, read again by dnsmasq on SIGHUP.
set_hosts() {
	printf '%s\n' "$@" >"$hosts"
	kill -HUP "$dnsmasq_pid"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
pings() { n "$nsa" ping -c 1 -W 0.3 "$1" >/dev/null 2>&1; }

# --- names resolve, sessions come up -------------------------------------
start_daemon "$nsr" rv
start_daemon "$nsb" beta
start_daemon "$nsa" alpha
check "alpha dials beta by name: session established" \
	wait_for 100 peer_established alpha beta
check "alpha registers with the rendezvous by name" \
	wait_for 100 peer_is alpha rv rendezvous registered
check "show: beta's name" peer_is alpha beta endpoint_host beta.test:51820
check "show: the address in use" peer_is alpha beta endpoint "$net.2:51820"
check "show: resolved" peer_is alpha beta resolve resolved
showconf_has() { "$podnet" showconf --socket "$tmp/alpha.sock" | grep -qx "$1"; }
show_has() { "$podnet" show --socket "$tmp/alpha.sock" | grep -qF "$1"; }
check "showconf prints the name, not the address" \
	showconf_has "Endpoint = beta.test:51820"
check "... and for the rendezvous" showconf_has "Endpoint = rv.test:51820"
check "podnet show, text: address and name" \
	show_has "endpoint: $net.2:51820 (beta.test:51820)"

# --- beta moves: a new address, the DNS answer changes ------------------
# Traffic alpha -> beta all along, as a user's would be: its silence is
# what tells alpha that beta is gone.
check "traffic to beta" wait_for 50 pings 10.77.0.2
stop_daemon beta
n "$nsb" ip addr del "$net.2/24" dev veth0
n "$nsb" ip addr add "$net.3/24" dev veth0
set_hosts "$net.3 beta.test" "$net.10 rv.test"
start_daemon "$nsb" beta
t0=$(now_ms)
if wait_for 200 pings 10.77.0.2; then
	took=$(( $(now_ms) - t0 ))
	ok "beta moved: re-resolved and back in $took ms (target 10000)"
	check "... within the target" test "$took" -le 10000
else
	not_ok "beta moved: alpha did not follow within 20 s"
fi
check "... alpha uses the new address" peer_is alpha beta endpoint "$net.3:51820"
check "... and logged the new answer" \
	grep -qF "peer beta: beta.test now resolves to $net.3:51820 (was $net.2:51820)" "$tmp/alpha.log"

# --- the rendezvous restarts on a new address ---------------------------
stop_daemon rv
n "$nsr" ip addr del "$net.10/24" dev veth0
n "$nsr" ip addr add "$net.11/24" dev veth0
set_hosts "$net.3 beta.test" "$net.11 rv.test"
start_daemon "$nsr" rv
t0=$(now_ms)
# Registered at the new address (the old session looks alive a while).
rv_back() {
	peer_is alpha rv endpoint "$net.11:51820" &&
		peer_is alpha rv rendezvous registered
}
if wait_for 200 rv_back; then
	took=$(( $(now_ms) - t0 ))
	ok "rendezvous moved: re-resolved and registered again in $took ms (target 15000)"
	check "... within the target" test "$took" -le 15000
else
	not_ok "rendezvous moved: alpha did not register again within 20 s"
fi
check "... and logged the new answer" \
	grep -qF "peer rv: rv.test now resolves to $net.11:51820 (was $net.10:51820)" "$tmp/alpha.log"
check "beta still answers" wait_for 30 pings 10.77.0.2

# --- a name that does not resolve yet -----------------------------------
check "podnet peer add gamma by name" \
	"$podnet" peer add --socket "$tmp/alpha.sock" gamma endpoint gamma.test:51820
check "gamma: one clear log line with the name and the resolver's error" \
	wait_for 50 grep -qF "peer gamma: cannot resolve gamma.test: Domain name not found" "$tmp/alpha.log"
check "show: resolving failed, with the error" peer_is alpha gamma resolve failed
check "... resolve_error" peer_is alpha gamma resolve_error "Domain name not found"
start_daemon "$nsg" gamma
# Failures at 0, 2 and 6 s: logged once all the same.
sleep 6.5
check "logged once in a minute, though retried" \
	test "$(grep -cF 'peer gamma: cannot resolve gamma.test' "$tmp/alpha.log")" -eq 1
check "alpha is alive" daemons_alive alpha
check "alpha's other peers are unharmed" pings 10.77.0.2
# The name appears: AAAA only, so the session runs over IPv6.
set_hosts "$net.3 beta.test" "$net.11 rv.test" "fd77::4 gamma.test"
t0=$(now_ms)
if wait_for 400 peer_established alpha gamma; then
	ok "gamma: session up $(( $(now_ms) - t0 )) ms after its name appeared (lookups retried after 2, 4, 8 s)"
else
	not_ok "gamma: no session within 40 s of its name appearing"
fi
check "... over IPv6, from the AAAA record" peer_is alpha gamma endpoint "[fd77::4]:51820"
check "... and traffic flows" wait_for 30 pings 10.77.0.4

# --- SIGHUP resolves again at once -----------------------------------------
lookups() { grep -c "peer beta: resolving beta.test" "$tmp/alpha.log" || true; }
more_lookups() { [[ $(lookups) -gt $1 ]]; }
before=$(lookups)
kill -HUP "$pid_alpha"
check "SIGHUP: names resolved again" wait_for 50 more_lookups "$before"
check "... sessions kept" peer_established alpha beta

# --- the longest name DNS allows passes the control socket ---------------
long=$(printf 'a%.0s' {1..63}).$(printf 'b%.0s' {1..63}).$(printf 'c%.0s' {1..63}).$(printf 'd%.0s' {1..56}).test
check "podnet peer add with a 253-character name" \
	"$podnet" peer add --socket "$tmp/alpha.sock" epsilon endpoint "$long:51820"
check "... showconf prints it whole" showconf_has "Endpoint = $long:51820"
# refused_with WHY CMD...: CMD fails, and says WHY.
refused_with() {
	local out
	if out=$("${@:2}" 2>&1); then
		echo "# accepted"
		return 1
	fi
	grep -qF -- "$1" <<<"$out" || { echo "# said: $out"; return 1; }
}
check "... a mistyped address is refused, saying why" \
	refused_with "'10.0.0.300' is not an IPv4 address" \
	"$podnet" set --socket "$tmp/alpha.sock" peer epsilon endpoint 10.0.0.300:1
check "podnet peer remove epsilon" \
	"$podnet" peer remove --socket "$tmp/alpha.sock" epsilon

# --- podnetd --check: a name that does not resolve is a warning -----------
cp "$tmp/alpha.conf" "$tmp/check.conf"
printf '\n[Peer]\nName = delta\nEndpoint = nowhere.test:51820\n' >>"$tmp/check.conf"
check_out=$tmp/check.out
if n "$nsa" "$podnetd" --check "$tmp/check.conf" >"$check_out" 2>&1; then
	ok "podnetd --check passes with a name that does not resolve"
else
	not_ok "podnetd --check failed: $(cat "$check_out")"
fi
check "... and warns about it" \
	grep -qF "warning: peer delta: Endpoint nowhere.test:51820 does not resolve now (Domain name not found)" "$check_out"
check "... but not about the names that resolve" \
	bash -c "! grep -q 'beta.test' '$check_out'"

check "every daemon still runs" daemons_alive alpha beta rv gamma
ktap_finish
