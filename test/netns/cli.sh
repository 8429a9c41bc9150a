#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The command line as a user meets it (issue 13): --version, `podnet show`
# and `podnet ping` naming the interface the same way or not at all, two
# nodes both called pod0 in two namespaces with the default control
# socket, the node's certificate expiry and its warning, the CA's index of
# issued certificates, the foreground log's time stamps, and the MTU
# `podnet show` reports after `ip link set pod0 mtu 1200`.
#
#  ┌─────────────────────────────────┐       ┌─────────────────────────┐
#  │ $ns1                            │       │ $ns2                    │
#  │   pod0  10.77.0.1/24 (alpha)    │       │   pod0  10.77.0.2/24    │
#  │         peers beta, gamma (mute)│       │         (beta)          │
#  │   pod1  10.78.0.1 (alpha2,      │       │                         │
#  │         10-day certificate)     │       │                         │
#  │   veth1 192.168.61.1            ├───────┤   veth2 192.168.61.2    │
#  └─────────────────────────────────┘       └─────────────────────────┘
#  Every daemon uses the default ControlSocket.

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet CLI: version, show and ping per interface, per-netns sockets, expiry, cert index, log time, MTU"

version_line() { # version_line BINARY NAME: one line "NAME 0.1.0..."
	local out
	out=$("$1" --version) || return 1
	echo "# $out"
	[[ $(wc -l <<<"$out") -eq 1 && $out =~ ^$2\ [0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*$ ]]
}
check "podnet --version prints 'podnet X.Y.Z'" version_line "$podnet" podnet
check "podnetd --version prints 'podnetd X.Y.Z'" version_line "$podnetd" podnetd
check "both usages name --version" bash -c \
	"'$podnetd' --help | grep -q -- --version && '$podnet' --help | grep -q -- --version"

ns_create ns1 alpha
ns_create ns2 beta
veth_link "$ns1" veth1 192.168.61.1/24 "$ns2" veth2 192.168.61.2/24

# --- the CA's index of what it issued ------------------------------------
make_ca "$tmp/ca" cli-net
issue() { "$podnet" cert issue --ca-dir "$tmp/ca" "$@"; }
issue --dir "$tmp/ca" --name alpha --address 10.77.0.1 --days 365 >/dev/null
issue --dir "$tmp/ca" --name beta --address 10.77.0.2 --days 365 >/dev/null
issue --dir "$tmp/ca" --name alpha2 --address 10.78.0.1 --days 10 >/dev/null
mkdir -p "$tmp/again"
refused() { # refused WHAT ARGS...: issue fails, says why, writes nothing
	local what=$1 out
	shift
	out=$(issue --dir "$tmp/again" "$@" 2>&1) && { echo "# issued: $out"; return 1; }
	echo "# $out"
	grep -q "$what: this CA issued a certificate for .*refused.*--force" <<<"$out" &&
		[[ -z $(ls -A "$tmp/again") ]]
}
check "cert issue refuses a name this CA issued" \
	refused "name alpha" --name alpha --address 10.77.0.9
check "cert issue refuses an address this CA issued" \
	refused "address 10.77.0.2" --name delta --address 10.77.0.2
check "... with --force it issues" \
	issue --dir "$tmp/again" --name delta --address 10.77.0.2 --force
check "issued.txt holds one line per certificate issued" \
	test "$(grep -c ' 10\.7[78]\.0\.[0-9]* 20[0-9-]*T[0-9:]*Z [0-9a-f]\{64\}$' "$tmp/ca/issued.txt")" -eq 4
# A dual-stack node holds both its addresses: its IPv6 one is refused to
# the next node too, alone or beside a free IPv4 one, in any spelling.
rm -rf "$tmp/again" && mkdir "$tmp/again"
issue --dir "$tmp/ca" --name dual --address 10.77.0.3 --address fd77::3 --days 365 >/dev/null
check "issued.txt records a dual-stack node's two addresses" \
	grep -q '^dual 10\.77\.0\.3,fd77::3 20[0-9-]*T[0-9:]*Z [0-9a-f]\{64\}$' "$tmp/ca/issued.txt"
check "cert issue refuses a dual-stack node's IPv6 address" \
	refused "address fd77::3" --name eps --address fd77:0::3
check "... beside a free IPv4 address too" \
	refused "address fd77::3" --name eps --address 10.77.0.5 --address fd77::3
check "... and its IPv4 address beside a free IPv6 one" \
	refused "address 10.77.0.3" --name eps --address 10.77.0.3 --address fd77::5
check "... while a free pair is issued" \
	issue --dir "$tmp/again" --name eps --address 10.77.0.5 --address fd77::5

# --- two nodes named pod0 in two namespaces, default control sockets ----
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.61.2:51820 gamma 192.168.61.3:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 \
	alpha 192.168.61.1:51820
# pod1 in alpha's namespace; its Address without a prefix on purpose.
write_config "$tmp/alpha2.conf" alpha2 "$tmp/ca" 10.78.0.1 51821
sed -i 's/^Name = pod0/Name = pod1/' "$tmp/alpha2.conf"
sed -i '/^ControlSocket/d; s/^LogLevel = debug/LogLevel = info/' \
	"$tmp/alpha.conf" "$tmp/beta.conf" "$tmp/alpha2.conf"

start_default() { # start_default NS NAME IF
	ip netns exec "$1" "$podnetd" "$tmp/$2.conf" >>"$tmp/$2.log" 2>&1 &
	daemon_pids+=("$!")
	printf -v "pid_$2" '%s' "$!"
	wait_for 50 n "$1" "$podnet" show "$3"
}
start_default "$ns1" alpha pod0 || true
start_default "$ns2" beta pod0 || true
# Not kill -0: a daemon that failed is a zombie until reaped.
running() { # running NAME...
	local name var state
	for name in "$@"; do
		var=pid_$name
		state=$(ps -o stat= -p "${!var}") && [[ $state != Z* ]] ||
			{ echo "# podnetd $name is not running"; return 1; }
	done
}
check "two daemons of pod0 in two namespaces both run" running alpha beta
show_node() { n "$1" "$podnet" show "$2" | grep -q "^  node: $3\$"; }
check "podnet show pod0 in alpha's namespace reaches alpha" show_node "$ns1" pod0 alpha
check "podnet show pod0 in beta's namespace reaches beta" show_node "$ns2" pod0 beta
ino=$(n "$ns2" stat -L -c %i /proc/self/ns/net)
check "beta's socket is /run/podnet/pod0@net<inode>.sock" \
	test -S "/run/podnet/pod0@net$ino.sock"
start_default "$ns1" alpha2 pod1 || true
check "a second interface, pod1, in alpha's namespace" running alpha2

# A taken socket: the daemon says what to set.
cp "$tmp/alpha2.conf" "$tmp/clash.conf"
sed -i "s/^Name = pod1/Name = pod2/; s/^ListenPort = .*/ListenPort = 51829/" "$tmp/clash.conf"
printf 'ControlSocket = /run/podnet/pod1@net%s.sock\n' \
	"$(n "$ns1" stat -L -c %i /proc/self/ns/net)" >"$tmp/clash.sock"
sed -i "/^\[Interface\]/r $tmp/clash.sock" "$tmp/clash.conf"
clash() {
	local out
	out=$(n "$ns1" timeout 10 "$podnetd" "$tmp/clash.conf" 2>&1) && return 1
	echo "$out" | tail -n 2
	grep -q "another podnetd.*already running.*its own .*ControlSocket" <<<"$out"
}
check "a taken control socket: podnetd says to set ControlSocket" clash

# --- show without an interface: every one of this namespace -------------
json_ifaces() { n "$1" "$podnet" show --json | jq -r '[.[].interface] | join(",")'; }
check "show --json without IF: an array of pod0 and pod1" \
	test "$(json_ifaces "$ns1")" = "pod0,pod1"
check "... in beta's namespace only beta's pod0" \
	test "$(n "$ns2" "$podnet" show --json | jq -r '[.[].node] | join(",")')" = beta
both_text() {
	local out
	out=$(n "$ns1" "$podnet" show)
	grep -q '^interface: pod0$' <<<"$out" && grep -q '^interface: pod1$' <<<"$out"
}
check "show without IF prints pod0 and pod1" both_text
check "show IF --json is still one object" \
	test "$(n "$ns1" "$podnet" show pod1 --json | jq -r .node)" = alpha2

# --- ping by name or address, and the two failures -----------------------
check "alpha reaches beta through the tunnel" wait_for 100 n "$ns1" ping -c 1 -W 1 10.77.0.2
ping_ok() { # ping_ok ARGS...: one answer from beta, by direct path
	local out
	out=$(n "$ns1" "$podnet" ping --count 1 "$@" 2>&1) || { echo "$out"; return 1; }
	echo "# $out"
	grep -q '^beta: [0-9.]* ms via direct path 192\.168\.61\.2:51820$' <<<"$out"
}
check "podnet ping NAME (looked up on every interface)" ping_ok beta
check "podnet ping ADDRESS" ping_ok 10.77.0.2
check "podnet ping IF ADDRESS" ping_ok pod0 10.77.0.2
check "podnet ping --interface IF NAME (the old spelling)" ping_ok --interface pod0 beta
check "podnet ping --json names the peer's address" \
	test "$(n "$ns1" "$podnet" ping --count 1 --json 10.77.0.2 | jq -r '.[0].peer + " " + .[0].address')" = "beta 10.77.0.2"
ping_fails() { # ping_fails MESSAGE ARGS...
	local want=$1 out
	shift
	out=$(n "$ns1" "$podnet" ping --count 1 "$@" 2>&1) && { echo "$out"; return 1; }
	echo "# $out"
	grep -qF "$want" <<<"$out" && ! grep -q ' ms ' <<<"$out"
}
check "an unknown name: 'no peer nobody on pod0, pod1'" \
	ping_fails "podnet: no peer nobody on pod0, pod1" nobody
check "an unknown address on one interface: 'no peer 10.77.0.99 on pod0'" \
	ping_fails "podnet: no peer 10.77.0.99 on pod0" pod0 10.77.0.99
check "a peer without a session: 'peer known, no session yet (state …)'" \
	ping_fails "gamma (no address) on pod0: peer known, no session yet (state " gamma

# --- the node's certificate expiry ----------------------------------------
check "show: alpha's certificate expires in 365 days, no warning" bash -c \
	"out=\$(ip netns exec $ns1 '$podnet' show pod0); grep -q '^  certificate expires: 20[0-9-]* (365 days)\$' <<<\"\$out\" && ! grep -q warning <<<\"\$out\""
check "show: alpha2's 10-day certificate, with a warning" bash -c \
	"out=\$(ip netns exec $ns1 '$podnet' show pod1); grep -q '^  certificate expires: 20[0-9-]* (10 days)\$' <<<\"\$out\" && grep -q '^  warning: this node.s certificate expires within 30 days' <<<\"\$out\""
check "show --json: cert_days_left 10, cert_expires_soon true" \
	test "$(n "$ns1" "$podnet" show pod1 --json | jq -c '[.cert_days_left, .cert_expires_soon]')" = "[10,true]"
check "podnetd logged the warning at start" \
	grep -q "warn\] .*alpha2.crt: this node's certificate expires 20[0-9-]* (10 days)" "$tmp/alpha2.log"
check "show warns about the Address without a prefix" bash -c \
	"ip netns exec $ns1 '$podnet' show pod1 | grep -q '^  warning: Address is a /32 .*write e.g. Address = 10.78.0.1/24'"

# --- readable times in the foreground log ---------------------------------
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} podnetd\[(error|warn|info|debug)\] '
log_stamped() {
	head -n 3 "$tmp/alpha.log"
	[[ $(grep -cE "$stamp" "$tmp/alpha.log") -gt 0 ]] &&
		! grep -qvE "$stamp" "$tmp/alpha.log"
}
check "foreground log lines start with local ISO-8601 time and ms" log_stamped

# --- the MTU is the kernel's ----------------------------------------------
n "$ns1" ip link set pod0 mtu 1200
check "show --json: mtu 1200 after ip link set pod0 mtu 1200" \
	test "$(n "$ns1" "$podnet" show pod0 --json | jq -c '[.mtu, .mtu_configured]')" = "[1200,1340]"
check "show: 'mtu: 1200 (MTU = 1340 in the config)'" bash -c \
	"ip netns exec $ns1 '$podnet' show pod0 | grep -q '^  mtu: 1200 (MTU = 1340 in the config)\$'"
check "a 1200-byte packet with DF still crosses" n "$ns1" ping -c 1 -W 2 -M do -s 1172 10.77.0.2
blob_mb 2
check "a TCP transfer at MTU 1200 arrives intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"

# --- inner IPv6 to no peer's address: no route, counted where people look
# (IPv6 needs an MTU of 1280 at least: the kernel drops it from a link
# with less, as pod0 has since the MTU check above.)
n "$ns1" ip link set pod0 mtu 1340
n "$ns1" ip -6 addr add fd77::1/64 dev pod0 nodad 2>/dev/null || true
before=$(n "$ns1" "$podnet" show pod0 --json | jq .tx_no_route)
n "$ns1" ping -6 -c 2 -i 0.2 -W 1 fd77::2 >/dev/null 2>&1 || true
# As for IPv4, such packets may wait (QUEUE_MAX_AGE, 8 s) while a peer
# whose handshake runs could turn out to hold the address.
no_route6() { [[ $(n "$ns1" "$podnet" show pod0 --json | jq .tx_no_route) -ge $((before + 2)) ]]; }
check "IPv6 to an address no certificate holds counts as no route" \
	wait_for 120 no_route6
check "show: 'dropped: ..., N no route'" bash -c \
	"ip netns exec $ns1 '$podnet' show pod0 | grep -q '^  dropped: .*, [1-9][0-9]* no route\$'"

ktap_finish
