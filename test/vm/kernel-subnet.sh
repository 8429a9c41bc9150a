#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Subnets behind a node on podnet.ko: beta's certificate routes
# 192.168.50.0/24, a LAN behind it. podnetd hands the subnet to alpha's
# module as one of beta's allowed IPs (a prefix): the module routes the
# LAN's addresses to beta and accepts them as inner sources only from
# beta. Then beta restarts with a certificate routing 192.168.60.0/24
# instead: the new session's PEER_SET replaces the allowed IPs and
# podnetd the kernel routes. An IPv6 subnet is not carried by the module
# (yet): podnetd says so.
#
#  ┌─ $ns1: alpha ──────────┐     ┌─ $ns2: beta (forwards) ─┐     ┌─ $ns3: lan ───────┐
#  │ pod0 10.77.0.1 fd77::1 │     │ pod0 10.77.0.2 fd77::2  │     │ 192.168.50.10     │
#  │      podnet.ko         │     │      podnet.ko          │     │ 192.168.60.10     │
#  │ veth1 192.168.246.1    ├─────┤ veth2 192.168.246.2     │     │ default via .1    │
#  └────────────────────────┘     │ veth3 192.168.50.1 .60.1├─────┤ veth4             │
#                                 └─────────────────────────┘     └───────────────────┘

source "$(dirname "$0")/common.sh"
vm_require_podnet
ktap_header "podnet.ko: subnets behind a node"

vm_load_podnet_check
ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 lan
veth_link "$ns1" veth1 192.168.246.1/24 "$ns2" veth2 192.168.246.2/24
veth_link "$ns2" veth3 192.168.50.1/24 "$ns3" veth4 192.168.50.10/24
n "$ns2" ip addr add 192.168.60.1/24 dev veth3
n "$ns3" ip addr add 192.168.60.10/24 dev veth4
n "$ns3" ip route add default via 192.168.50.1
n "$ns2" sysctl -qw net.ipv4.ip_forward=1

make_ca "$tmp/ca" test-net
issue() { "$podnet" cert issue --ca-dir "$tmp/ca" --days 30 "$@" >/dev/null; }
issue --dir "$tmp/ca" --name alpha --address 10.77.0.1 --address fd77::1
issue --dir "$tmp/ca" --name beta --address 10.77.0.2 --address fd77::2 \
	--route 192.168.50.0/24 --route fd99::/64
mkdir -p "$tmp/re"
issue --dir "$tmp/re" --name beta --address 10.77.0.2 --address fd77::2 \
	--route 192.168.60.0/24 --force
write_config "$tmp/alpha.conf" alpha "$tmp/ca" "10.77.0.1/24, fd77::1/64" \
	51820 beta 192.168.246.2:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" "10.77.0.2/24, fd77::2/64" \
	51820 alpha 192.168.246.1:51820
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
sed -i '/^LogLevel/a DataPath = kernel' "$tmp/alpha.conf" "$tmp/beta.conf"

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 200 peer_established alpha beta
check "alpha: kernel data path" test "$(iface_field alpha datapath)" = kernel
route50() { n "$ns1" ip -4 route show 192.168.50.0/24 | grep -q "dev pod0"; }
check "alpha has a kernel route to 192.168.50.0/24 via pod0" wait_for 50 route50
check "show --json: beta's subnets are the IPv4 one alone" \
	test "$(show_json alpha | jq -c '.peers[] | select(.name == "beta") | .subnets')" = '["192.168.50.0/24"]'
check "alpha says the module does not carry the IPv6 subnet" \
	grep -q "podnet.ko does not carry IPv6 subnets yet; not routing fd99::/64" "$tmp/alpha.log"
check "... and added no route to it" \
	bash -c "! ip netns exec $ns1 ip -6 route show fd99::/64 | grep -q ."
check "alpha pings the LAN host 192.168.50.10 through beta's module" \
	wait_for 20 n "$ns1" ping -c 1 -W 2 192.168.50.10
check "the LAN host pings alpha back (beta forwards)" \
	n "$ns3" ping -c 2 -i 0.2 -W 2 10.77.0.1
before=$(peer_field alpha beta drop_bad_source)
check "a source outside beta's subnets (192.168.60.10) is not delivered" \
	bash -c "! ip netns exec $ns3 ping -c 2 -i 0.2 -W 1 -I 192.168.60.10 10.77.0.1"
check "... alpha's module counts it (drop_bad_source)" \
	test "$(peer_field alpha beta drop_bad_source)" -ge $((before + 2))

# beta restarts with the re-issued certificate: 192.168.60.0/24 only.
stop_daemon beta
cp "$tmp/re/beta.crt" "$tmp/re/beta.key" "$tmp/ca/"
start_daemon "$ns2" beta
route60() { n "$ns1" ip -4 route show 192.168.60.0/24 | grep -q "dev pod0"; }
check "re-issued certificate: alpha routes 192.168.60.0/24" wait_for 200 route60
check "... and no longer 192.168.50.0/24" \
	bash -c "! ip netns exec $ns1 ip -4 route show 192.168.50.0/24 | grep -q ."
check "... alpha pings 192.168.60.10 through the module" \
	wait_for 20 n "$ns1" ping -c 1 -W 2 192.168.60.10
before=$(peer_field alpha beta drop_bad_source)
check "... and a source in 192.168.50.0/24 is refused now" \
	bash -c "! ip netns exec $ns3 ping -c 2 -i 0.2 -W 1 -I 192.168.50.10 10.77.0.1"
check "... by alpha's module (drop_bad_source)" \
	test "$(peer_field alpha beta drop_bad_source)" -ge $((before + 2))

stop_daemon alpha
stop_daemon beta
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
