#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The path of a kernel session changing under it: roaming (an address
# change moves the peer's endpoint and is announced), and the ways the
# data path is torn down while traffic flows: the daemon killed with -9,
# ip link del, rmmod.
#
#  ┌──────────────────────────┐           ┌──────────────────────────┐
#  │ $ns1: alpha              │           │ $ns2: beta               │
#  │   pod0 10.77.0.1/24      │           │   pod0 10.77.0.2/24      │
#  │   kctl up :51820 peer 1  │           │   kctl up :51820 peer 1  │
#  │   veth1 192.168.241.1    ├───────────┤   veth2 192.168.241.2    │
#  └──────────────────────────┘           │   then 192.168.241.3     │
#                                         └──────────────────────────┘

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko: roaming and teardown under traffic"
vm_require_podnet

vm_load_podnet_check
kernel_bed chacha
dd if=/dev/urandom of="$tmp/data" bs=1M count=20 status=none
check "ping alpha -> beta" n "$ns1" ping -c 3 -W 3 10.77.0.2

# Roaming: beta's address changes; its next record moves alpha's
# endpoint, and alpha tells its daemon.
n "$ns2" ip addr del 192.168.241.2/24 dev veth2
n "$ns2" ip addr add 192.168.241.3/24 dev veth2
check "beta pings alpha from its new address" n "$ns2" ping -c 3 -W 3 10.77.0.1
check "alpha follows: endpoint 192.168.241.3:51820" \
	bash -c "[[ \$(ip netns exec $ns1 $kctl show pod0 --json | jq -r '.peer_list[0].endpoint') == 192.168.241.3:51820 ]]"
check "alpha announced it (NOTIFY_ENDPOINT)" \
	grep -q '"event":"endpoint",.*"peer":1,"endpoint":"192.168.241.3:51820"' "$tmp/alpha.log"
check "alpha -> beta goes to the new address" n "$ns1" ping -c 2 -W 3 10.77.0.2

# The daemon dies (kill -9) while traffic flows: its socket closes, the
# kernel lets go of it; a new daemon attaches again.
killed() {
	local fpid
	n "$ns1" ping -i 0.005 -q -w 6 10.77.0.2 >/dev/null 2>&1 &
	fpid=$!
	sleep 1
	kill -KILL "$kctl_pid_beta"
	wait_for 50 bash -c "[[ \$(ip netns exec $ns2 $kctl show pod0 --json | jq .sockets) == 0 ]]" || return 1
	wait "$fpid"
	return 0
}
check "kctl on beta killed with -9 under traffic: socket released" killed
check "no traffic without the socket" bash -c "! ip netns exec $ns1 ping -c 2 -W 1 10.77.0.2"
# shellcheck disable=SC2046
kctl_up "$ns2" beta2 pod0 51820 1 192.168.241.1:51820 10.77.0.1/32 $(key_opts chacha b 1) --tx-seq $((1 << 41))
check "a new kctl attaches and traffic flows again" n "$ns1" ping -c 3 -W 3 10.77.0.2

# ip link del under traffic.
linkdel() {
	local fpid
	transfer_start "$ns1" "$ns2" 10.77.0.2 "$tmp/data" || return 1
	n "$ns1" ping -i 0.005 -q -w 5 10.77.0.2 >/dev/null 2>&1 &
	fpid=$!
	sleep 1.5
	n "$ns2" ip link del pod0 || return 1
	wait "$fpid"
	# The TCP connection lost its path: end both socats now.
	transfer_abort
	! n "$ns2" ip link show pod0 2>/dev/null && kill -0 "$kctl_pid_beta2"
}
check "ip link del on beta under traffic" linkdel
check "beta's socket is plain UDP again: alpha's records reach kctl" bash -c "
	ip netns exec $ns1 ping -c 3 -i 0.2 -W 1 10.77.0.2 >/dev/null; sleep 0.5
	kill -TERM $kctl_pid_beta2; sleep 0.5; grep -q '\"passed_up\":[1-9]' $tmp/beta2.log"

# rmmod under traffic: a fresh beta, a transfer and a ping flood, then
# the module goes.
n "$ns2" ip link add pod0 type podnet
n "$ns2" ip addr add 10.77.0.2/24 dev pod0
n "$ns2" ip link set pod0 up
# shellcheck disable=SC2046
kctl_up "$ns2" beta3 pod0 51820 1 192.168.241.1:51820 10.77.0.1/32 $(key_opts chacha b 1) --tx-seq $((1 << 42))
check "the fresh beta talks to alpha" n "$ns1" ping -c 3 -W 3 10.77.0.2
# rmmod runs here, not inside check (a subshell), so the cleanup knows.
transfer_start "$ns1" "$ns2" 10.77.0.2 "$tmp/data"
n "$ns1" ping -i 0.005 -q -w 5 10.77.0.2 >/dev/null 2>&1 &
fpid=$!
sleep 1.5
t0=$SECONDS
vm_unload_podnet
echo "# rmmod took $((SECONDS - t0)) s"
wait "$fpid"
transfer_abort
check "rmmod under traffic" podnet_unloaded
check "the devices went with it" bash -c "! ip netns exec $ns1 ip link show pod0 2>/dev/null"
check "the kctl processes outlive the module" kill -0 "$kctl_pid_alpha" "$kctl_pid_beta3"
dmesg_clean_check
ktap_finish
