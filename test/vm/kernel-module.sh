#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnet.ko as a link type: devices created and deleted many times, moved
# between namespaces, deleted with their namespace, left for rmmod to
# delete; every object the module logs as created is logged as destroyed,
# and the kernel log stays clean.
#
#  ┌──────────────┐   ip link set netns   ┌──────────────┐
#  │ init netns   │ ────────────────────► │ $ns1         │
#  │ pn-loopN ×50 │                       │ moved0       │
#  └──────────────┘                       └──────────────┘

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko: link type lifecycle"
vm_require_podnet

vm_load_podnet_check
dyndbg_on

create_delete() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip link add "pn-loop$i" type podnet || return 1
	done
	for ((i = 0; i < 50; i++)); do
		ip link del "pn-loop$i" || return 1
	done
}
check "50 devices created and deleted" create_delete

ip link add pn-defaults type podnet
check "default MTU is 1340" \
	bash -c '[[ $(cat /sys/class/net/pn-defaults/mtu) == 1340 ]]'
check "flags POINTOPOINT and NOARP, no L2 address" \
	bash -c 'ip -o link show pn-defaults | grep -q "POINTOPOINT,NOARP" &&
		 [[ $(cat /sys/class/net/pn-defaults/addr_len) == 0 ]]'
check "MTU can be changed" ip link set pn-defaults mtu 1280
check "a device with peers and keys is deleted" bash -c "
	ip link set pn-defaults up &&
	$kctl peer pn-defaults 7 --endpoint 192.0.2.1:51820 --allowed 10.1.0.0/16 &&
	$kctl key pn-defaults 7 $(key_opts chacha a 1) &&
	ip link del pn-defaults"

ns_create ns1 moved
ip link add moved0 type podnet
check "a device moves into another namespace" ip link set moved0 netns "$ns1"
check "and is configured there over genetlink" \
	n "$ns1" "$kctl" peer moved0 3 --allowed 10.2.0.0/24
check "and deleted with its namespace" bash -c "ip netns del $ns1 && sleep 1 && ! ip link show moved0 2>/dev/null"

ip link add left0 type podnet
ip link add left1 type podnet
"$kctl" peer left0 1 --allowed 10.3.0.0/24 >/dev/null
vm_unload_podnet
check "rmmod deletes the devices that are left" podnet_unloaded
check "and they are gone" bash -c '! ip link show left0 2>/dev/null && ! ip link show left1 2>/dev/null'

# Every object the module logged as created was logged as destroyed
# (pr_debug, enabled above through dynamic debug).
balance() {
	local log created destroyed
	log=$(dmesg | awk -v m="$dmesg_marker" 'index($0, m) { n = NR } { l[NR] = $0 } END { for (i = n + 1; i <= NR; i++) print l[i] }')
	for what in "device" "peer [0-9]*" "peer [0-9]* key [0-9]*"; do
		created=$(grep -c "podnet: .*: $what created\|podnet: .*: $what installed" <<<"$log" || true)
		destroyed=$(grep -c "podnet: .*: $what destroyed" <<<"$log" || true)
		echo "$what: $created created, $destroyed destroyed"
		[[ $created -eq $destroyed && $created -gt 0 ]] || return 1
	done
}
check "every device, peer and key created was destroyed" balance
vm_load_podnet_check  # again, after rmmod
vm_unload_podnet
check "rmmod again" podnet_unloaded
dmesg_clean_check
ktap_finish
