#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Wire compatibility: podnet.ko and the userspace record layer
# (userspace/lib/record.c, in record-peer) exchange ICMP echoes under the
# same static keys, in both directions, with both ciphers. A record the
# one seals, the other opens.
#
#  ┌──────────────────────────┐           ┌──────────────────────────┐
#  │ $ns1: kernel             │           │ $ns2: userspace          │
#  │   pod0 10.77.0.1/24      │           │   record-peer            │
#  │   kctl up :51820         │           │   :51820, inner 10.77.0.2│
#  │   veth1 192.168.241.1    ├───────────┤   veth2 192.168.241.2    │
#  └──────────────────────────┘           └──────────────────────────┘

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko <-> userspace record layer"
vm_require_podnet

vm_load_podnet_check
ns_create ns1 kernel
ns_create ns2 userspace
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
n "$ns1" ip link add pod0 type podnet
n "$ns1" ip addr add 10.77.0.1/24 dev pod0
n "$ns1" ip link set pod0 up
# shellcheck disable=SC2046
kctl_up "$ns1" kernel pod0 51820 1 192.168.241.2:51820 10.77.0.2/32 \
	$(key_opts chacha a 1)

rp() { # rp MODE CIPHER ARGS...: record-peer as side b in $ns2
	local mode=$1 cipher=$2
	shift 2
	# shellcheck disable=SC2046
	n "$ns2" "$record_peer" "$mode" $(key_opts "$cipher" b 1) \
		--bind 192.168.241.2:51820 --src 10.77.0.2 --dst 10.77.0.1 "$@"
}

# A fresh key on the kernel side for each exchange: record-peer starts
# every run at the first sequence number, which the kernel's window
# would otherwise call a replay.
rekey_kernel() {
	# shellcheck disable=SC2046
	n "$ns1" "$kctl" key pod0 1 $(key_opts "$1" a 1)
}

for cipher in chacha gcm; do
	name=$([[ $cipher == gcm ]] && echo AES-GCM || echo ChaCha20-Poly1305)
	rekey_kernel "$cipher"
	check "$name: record.c seals echo requests, the kernel answers, record.c opens the replies" \
		rp ping "$cipher" --peer 192.168.241.1:51820 --count 5 --timeout 5
	rekey_kernel "$cipher"
	serve() {
		local spid
		rp serve "$1" --count 5 --timeout 30 >"$tmp/serve.log" 2>&1 &
		spid=$!
		wait_for 50 grep -q serving "$tmp/serve.log"
		n "$ns1" ping -c 5 -i 0.3 -W 3 10.77.0.2 || { wait "$spid"; return 1; }
		wait "$spid"
	}
	check "$name: the kernel seals echo requests, record.c opens and answers them" serve "$cipher"
	check "$name: the kernel dropped nothing" no_drops "$ns1"
done
check "the kernel saw record-peer's address as the peer's endpoint" \
	bash -c "[[ \$(ip netns exec $ns1 $kctl show pod0 --json | jq -r '.peer_list[0].endpoint') == 192.168.241.2:51820 ]]"
dmesg_clean_check
ktap_finish
