#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A small internet with NATs in front of sites, for the netns tests.
# Source it after test/lib/netns.sh; it is a library, not a test.
#
# Addressing plan (198.18.0.0/15 is a benchmarking range, never routed):
#
#   internet        198.18.0.0/24 on bridge br0 in "$prefix-inet";
#                   br0 itself is 198.18.0.254 and silently drops whatever
#                   it is asked to route (it is the private ranges' sink)
#   public hosts    198.18.0.1 - 198.18.0.10  (rendezvous/relay: .1)
#   site N (1..99)  router WAN (or the node itself, kind none)
#                   198.18.0.(10+N); LAN 10.(100+N).0.0/24, router .1,
#                   node .2 with its default route via the router
#
#                        ┌──────────────────────────────┐
#                        │ $prefix-inet                 │
#                        │  br0 198.18.0.254 (sink for  │
#                        │  10/8, 172.16/12, 192.168/16)│
#                        │  bridge table: nat_block_udp │
#                        └──┬──────────┬─────────────┬──┘
#                 host1     │          │ site1       │ site2
#   ┌─────────────────────┐ │  ┌───────┴──────────┐ ┌┴───────────────────┐
#   │ public host         ├─┘  │ node (kind none) │ │ router: wan        │
#   │ eth0 198.18.0.1     │    │ eth0 198.18.0.11 │ │  198.18.0.12       │
#   │ nft: relay counters │    └──────────────────┘ │ nft: NAT of KIND   │
#   └─────────────────────┘                         │ lan 10.102.0.1     ├─┐
#                                                   └────────────────────┘ │
#                                                   ┌────────────────────┐ │
#                                                   │ node               ├─┘
#                                                   │ eth0 10.102.0.2    │
#                                                   └────────────────────┘
#
# NAT kinds, in RFC 4787 terms:
#   none        no router, the node holds the public address
#   fullcone    endpoint-independent mapping and filtering
#   restricted  endpoint-independent mapping, port-restricted filtering
#   symmetric   address-and-port-dependent mapping (a random port for each
#               destination) and filtering
# Every router drops unsolicited packets on its WAN silently: no ICMP, and
# no conntrack entry that would later change the node's mapping.
#
# Needs: iproute2, nftables, conntrack (nat_flush_conntrack), coreutils.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# Run by mistake (e.g. by a glob over *.sh): nothing to test here.
	echo "KTAP version 1"
	echo "1..0 # SKIP nat.sh is a library, sourced by the NAT tests"
	exit 0
fi

nat_inet=
nat_public_net=198.18.0
nat_sink=198.18.0.254
nat_rendezvous=198.18.0.1
nat_private_ranges=(10.0.0.0/8 172.16.0.0/12 192.168.0.0/16)
# Lifetime of a full-cone mapping after the node's last outbound packet
# (conntrack keeps a two-way UDP flow 120 s).
nat_fullcone_timeout=${NAT_FULLCONE_TIMEOUT:-120s}
declare -gA nat_kind_of=() nat_public_of=() nat_routers=()

# n_timeout SECONDS NS CMD...: CMD in NS, killed after SECONDS (then
# KILLed 1 s later if it ignores TERM); exits 124 on a timeout.
n_timeout() {
	local secs=$1 ns=$2
	shift 2
	timeout -k 1 "$secs" ip netns exec "$ns" "$@"
}

# nat_public_ip N: the public address of site N.
nat_public_ip() { echo "$nat_public_net.$((10 + $1))"; }

# nat_node_ip N KIND: the node's own address in site N.
nat_node_ip() {
	if [[ $2 == none ]]; then nat_public_ip "$1"; else echo "10.$((100 + $1)).0.2"; fi
}

# The part of the internet every site's interface shares; each of them
# sends the private ranges to br0, which drops them without a word.
_nat_attach_public() { # NS IFACE ADDRESS
	local r
	n "$1" ip addr add "$3/24" dev "$2"
	n "$1" ip link set "$2" up
	for r in "${nat_private_ranges[@]}"; do
		# A router's own LAN is more specific and still wins.
		n "$1" ip route add "$r" via "$nat_sink" dev "$2"
	done
}

# internet_create: the bridge namespace "$prefix-inet" (in $nat_inet).
internet_create() {
	local __nat_ns
	ns_create __nat_ns inet
	nat_inet=$__nat_ns
	# Never route: packets for private ranges end here, without ICMP.
	n "$nat_inet" sysctl -qw net.ipv4.ip_forward=0
	if n "$nat_inet" test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
		# With br_netfilter loaded, bridged packets would otherwise go
		# through this namespace's conntrack.
		n "$nat_inet" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0 \
			net.bridge.bridge-nf-call-arptables=0
	fi
	n "$nat_inet" ip link add br0 type bridge
	n "$nat_inet" ip addr add "$nat_sink/24" dev br0
	n "$nat_inet" ip link set br0 up
	# nat_block_udp fills @blocked with sites' public addresses.
	n "$nat_inet" nft -f - <<-EOF
	table bridge podnet_block {
		counter dropped {}
		set blocked { type ipv4_addr; }
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip protocol udp ip saddr @blocked ip daddr $nat_public_net.11-$nat_public_net.109 counter name dropped drop
			ip protocol udp ip daddr @blocked ip saddr $nat_public_net.11-$nat_public_net.109 counter name dropped drop
		}
	}
	EOF
}

# _nat_port NS IFACE PORT: a veth from IFACE in NS to bridge port PORT.
_nat_port() {
	ip link add "$2" netns "$1" type veth peer name "$3" netns "$nat_inet"
	n "$nat_inet" ip link set "$3" master br0
	n "$nat_inet" ip link set "$3" up
}

# public_host_create VAR NAME IP: a host on the internet at IP (one of
# 198.18.0.1-10), with relay counters; its namespace is named in $VAR.
public_host_create() {
	local __nat_ns last=${3##*.}
	[[ -n $nat_inet ]] || { echo "# public_host_create: internet_create first" >&2; return 1; }
	if [[ ${3%.*} != "$nat_public_net" || $last -lt 1 || $last -gt 10 ]]; then
		echo "# public_host_create: $3 is not a public host address (198.18.0.1-10)" >&2
		return 1
	fi
	ns_create __nat_ns "$2"
	_nat_port "$__nat_ns" eth0 "host$last"
	_nat_attach_public "$__nat_ns" eth0 "$3"
	_relay_counter_install "$__nat_ns"
	printf -v "$1" '%s' "$__nat_ns"
}

# site_create VAR_NODE VAR_ROUTER NAME KIND N: site N behind a NAT of KIND
# (none, fullcone, restricted, symmetric). The node's namespace is
# "$prefix-NAME", the router's "$prefix-NAME-nat" (empty for kind none).
site_create() {
	local __nat_node __nat_router=
	local name=$3 kind=$4 num=$5 pub lan
	[[ -n $nat_inet ]] || { echo "# site_create: internet_create first" >&2; return 1; }
	if ! [[ $num =~ ^[1-9][0-9]?$ ]]; then
		echo "# site_create: site number $num is not in 1..99" >&2
		return 1
	fi
	case $kind in none|fullcone|restricted|symmetric) ;;
	*) echo "# site_create: unknown NAT kind '$kind'" >&2; return 1 ;;
	esac
	pub=$(nat_public_ip "$num")
	lan=10.$((100 + num)).0

	ns_create __nat_node "$name"
	if [[ $kind == none ]]; then
		_nat_port "$__nat_node" eth0 "site$num"
		_nat_attach_public "$__nat_node" eth0 "$pub"
	else
		ns_create __nat_router "$name-nat"
		_nat_port "$__nat_router" wan "site$num"
		_nat_attach_public "$__nat_router" wan "$pub"
		ip link add lan netns "$__nat_router" type veth peer name eth0 netns "$__nat_node"
		n "$__nat_router" ip addr add "$lan.1/24" dev lan
		n "$__nat_router" ip link set lan up
		n "$__nat_node" ip addr add "$lan.2/24" dev eth0
		n "$__nat_node" ip link set eth0 up
		n "$__nat_node" ip route add default via "$lan.1"
		n "$__nat_router" sysctl -qw net.ipv4.ip_forward=1
		_nat_rules "$kind" "$pub" "$lan.2" | n "$__nat_router" nft -f -
		nat_kind_of[$__nat_router]=$kind
		nat_routers[$__nat_router]=$__nat_node
		nat_public_of[$__nat_router]=$pub
	fi
	nat_kind_of[$__nat_node]=$kind
	nat_public_of[$__nat_node]=$pub
	printf -v "$1" '%s' "$__nat_node"
	printf -v "$2" '%s' "$__nat_router"
}

# _nat_rules KIND PUBLIC NODE: the router's ruleset.
_nat_rules() {
	local kind=$1 pub=$2 node=$3 snat
	case $kind in
	fullcone) snat="snat to $pub" ;;	# keeps the port when it is free
	restricted) snat="masquerade" ;;	# likewise; filtering by conntrack
	symmetric) snat="masquerade fully-random" ;;	# not "random-fully"
	esac
	echo "table ip podnet_nat {"
	echo "	counter unsolicited {}"
	if [[ $kind == fullcone ]]; then
		cat <<-EOF
		# External UDP ports with a live mapping. Filled after the
		# source NAT (priority 110 > srcnat), so it holds the external
		# port; any source may then reach the node through it.
		set cone {
			type inet_service; flags dynamic,timeout;
			timeout $nat_fullcone_timeout;
		}
		chain learn {
			type filter hook postrouting priority 110; policy accept;
			oifname "wan" meta l4proto udp update @cone { udp sport }
		}
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "wan" udp dport @cone dnat to $node
		}
		EOF
	fi
	cat <<-EOF
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan" $snat
	}
	# Unsolicited packets are dropped, never rejected: a reject would
	# leave a conntrack entry that changes the node's next mapping.
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan" oifname "wan" accept
		iifname "wan" ct status dnat accept
		counter name unsolicited drop
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" counter name unsolicited drop
	}
	}
	EOF
}

_nat_need_router() { # FUNCTION NS
	[[ -n $2 && -n ${nat_routers[$2]:-} ]] && return 0
	echo "# $1: '$2' is not a NAT router of this bed" >&2
	return 1
}

# nat_flush_conntrack ROUTER_NS: the router forgets every mapping (its
# conntrack table, and the full-cone ports). NB: masquerade keeps the
# node's port when it is free, so only a symmetric NAT is sure to hand
# out a new external port afterwards.
nat_flush_conntrack() {
	_nat_need_router nat_flush_conntrack "$1" || return 1
	command -v conntrack >/dev/null ||
		{ echo "# nat_flush_conntrack: needs conntrack (Debian package conntrack)" >&2; return 1; }
	# It says on stderr that the table has been emptied.
	n "$1" conntrack -F 2>/dev/null
	if [[ ${nat_kind_of[$1]} == fullcone ]]; then
		n "$1" nft flush set ip podnet_nat cone
	fi
}

# nat_dropped ROUTER_NS: packets the router has dropped as unsolicited.
nat_dropped() {
	_nat_need_router nat_dropped "$1" || return 1
	n "$1" nft list counter ip podnet_nat unsolicited |
		sed -n 's/.*packets \([0-9]*\) .*/\1/p'
}

# nat_block_udp NS / nat_unblock_udp NS: the internet drops (or stops
# dropping) UDP between the site of NS (its router, or its node for kind
# none) and every other site. Public hosts such as the rendezvous
# (198.18.0.1) stay reachable, so the only path left is a relay.
nat_block_udp() {
	local pub=${nat_public_of[$1]:-}
	[[ -n $pub ]] || { echo "# nat_block_udp: '$1' is not a site of this bed" >&2; return 1; }
	n "$nat_inet" nft add element bridge podnet_block blocked "{ $pub }"
}
nat_unblock_udp() {
	local pub=${nat_public_of[$1]:-}
	[[ -n $pub ]] || { echo "# nat_unblock_udp: '$1' is not a site of this bed" >&2; return 1; }
	if n "$nat_inet" nft get element bridge podnet_block blocked "{ $pub }" >/dev/null 2>&1; then
		n "$nat_inet" nft delete element bridge podnet_block blocked "{ $pub }"
	fi
}

# nat_blocked_packets: UDP packets the internet has dropped for
# nat_block_udp so far.
nat_blocked_packets() {
	n "$nat_inet" nft list counter bridge podnet_block dropped |
		sed -n 's/.*packets \([0-9]*\) .*/\1/p'
}

# Relay counters: every public host counts the IPv4 bytes that enter and
# leave its eth0, so a test can tell a relayed path from a direct one.
_relay_counter_install() {
	n "$1" nft -f - <<-'EOF'
	table ip podnet_relay {
		counter rx {}
		counter tx {}
		chain input {
			type filter hook input priority raw; policy accept;
			iifname "eth0" counter name rx
		}
		chain output {
			type filter hook output priority raw; policy accept;
			oifname "eth0" counter name tx
		}
	}
	EOF
}

# relay_counter_bytes NS in|out: bytes NS's eth0 has received / sent
# since its creation or the last relay_counter_reset.
relay_counter_bytes() {
	local c
	case $2 in in) c=rx ;; out) c=tx ;; *) echo "# relay_counter_bytes: in or out" >&2; return 1 ;; esac
	n "$1" nft list counter ip podnet_relay "$c" | sed -n 's/.*bytes \([0-9]*\).*/\1/p'
}

# relay_counter_total NS: in + out.
relay_counter_total() {
	echo $(( $(relay_counter_bytes "$1" in) + $(relay_counter_bytes "$1" out) ))
}

# relay_counter_reset NS: both counters back to zero.
relay_counter_reset() {
	n "$1" nft reset counters table ip podnet_relay >/dev/null
}

# --- podnet on the NAT bed -------------------------------------------------

# nat_podnet_bed: a CA, the rendezvous "rv" at 198.18.0.1 (namespace in
# $ns_rv) and its daemon. Nodes are added with nat_podnet_node.
nat_podnet_bed() {
	internet_create
	public_host_create ns_rv rv "$nat_rendezvous"
	make_ca "$tmp/ca" nat-test
	make_node_cert "$tmp/ca" rv 10.77.0.1
	write_config "$tmp/rv.conf" rv "$tmp/ca" 10.77.0.1/24 51820
	sed -i "/^LogLevel/a Rendezvous = yes\nRelayLimit = ${NAT_RELAY_LIMIT:-200}" "$tmp/rv.conf"
	start_daemon "$ns_rv" rv
}

# nat_podnet_rendezvous NAME IP: one more rendezvous (and relay) at public
# address IP (198.18.0.2-10), virtual address 10.77.0.<last byte of IP>,
# namespace in ns_NAME. Nodes added after it name it too.
nat_extra_rendezvous=()
nat_podnet_rendezvous() {
	local name=$1 ip=$2 var=ns_${1//-/_} __ns
	public_host_create __ns "$name" "$ip"
	printf -v "$var" '%s' "$__ns"
	make_node_cert "$tmp/ca" "$name" "10.77.0.${ip##*.}"
	write_config "$tmp/$name.conf" "$name" "$tmp/ca" "10.77.0.${ip##*.}/24" 51820
	sed -i "/^LogLevel/a Rendezvous = yes\nRelayLimit = ${NAT_RELAY_LIMIT:-200}" "$tmp/$name.conf"
	start_daemon "$__ns" "$name"
	nat_extra_rendezvous+=("$name $ip")
}

# nat_rv_config NAME CADIR ADDRESS/PFX: $tmp/NAME.conf, whose peers are
# the rendezvous rv and those of nat_podnet_rendezvous.
nat_rv_config() {
	local extra
	write_config "$tmp/$1.conf" "$1" "$2" "$3" 51820 rv "$nat_rendezvous:51820"
	for extra in "${nat_extra_rendezvous[@]}"; do
		printf '\n[Peer]\nName = %s\nEndpoint = %s:51820\n' $extra >>"$tmp/$1.conf"
	done
	sed -i "/^Endpoint = .*:51820/a Rendezvous = yes" "$tmp/$1.conf"
}

# nat_podnet_node NAME KIND N [EXTRA_INTERFACE_LINES]: site N behind KIND
# with node NAME at virtual address 10.77.0.(10+N); its namespace is in
# ns_NAME (dashes become underscores) and its router in router_NAME.
nat_podnet_node() {
	local name=$1 kind=$2 num=$3 extra=${4:-} var=${1//-/_} __node __router
	site_create __node __router "$name" "$kind" "$num"
	printf -v "ns_$var" '%s' "$__node"
	printf -v "router_$var" '%s' "$__router"
	make_node_cert "$tmp/ca" "$name" "10.77.0.$((10 + num))"
	nat_rv_config "$name" "$tmp/ca" "10.77.0.$((10 + num))/24"
	sed -i "/^LogLevel/a KeepaliveInterval = ${NAT_KEEPALIVE:-10}\nPunchTimeout = ${NAT_PUNCH_TIMEOUT:-3}\nPunchRetry = ${NAT_PUNCH_RETRY:-30}" \
		"$tmp/$name.conf"
	[[ -z $extra ]] || sed -i "/^LogLevel/a $extra" "$tmp/$name.conf"
	start_daemon "$__node" "$name"
}

# nat_type_known NAME: the node has measured its NAT type.
nat_type_known() { [[ $(iface_field "$1" nat_type) != unknown ]]; }
