#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Helpers for the podnet.ko tests (test/vm/kernel-*.sh), on top of
# common.sh: two namespaces joined by veth, a podnet device in each,
# static keys configured with kctl.
#
#   kernel_bed CIPHER          $ns1 (alpha) and $ns2 (beta), veth1/veth2
#                              192.168.241.1/.2, pod0 10.77.0.1/.2, both
#                              kctl up with generation-1 keys
#   key_opts CIPHER SIDE GEN   kctl/record-peer key options for side a|b
#   kctl_up NS NAME ARGS...    kctl up in NS, logged to $tmp/NAME.log,
#                              stopped by the cleanup; waits for "ready"
#   kshow NS [JQ]              kctl show pod0 --json [| jq -r JQ]
#   peer_stat NS FIELD         a counter of peer 1
#   dyndbg_on                  pr_debug of podnet.ko into the kernel log
#   transfer_check FILE        FILE from $ns1 to 10.77.0.2 (transfer)
#
# The keys key_opts hands out are in test_secrets: ktap_finish fails the
# test when one shows up in a log, the kernel's included.

# Once: scripts/bench-kernel.sh has common.sh already.
if ! declare -F vm_load_podnet >/dev/null; then
	# shellcheck source=common.sh
	source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fi

kctl=$build/test/kctl
record_peer=$build/test/record-peer

# hexbytes BYTE COUNT: BYTE (two hex digits) repeated COUNT times
hexbytes() { local i s=; for ((i = 0; i < $2; i++)); do s+=$1; done; echo "$s"; }

# The first 16 bytes of every key of key_opts (GCM's whole key), for the
# tests' generations 1 to 3.
# shellcheck disable=SC2207 # hex digits only: nothing to split or glob
test_secrets+=($(for g in 1 2 3; do hexbytes "a$g" 16; hexbytes "b$g" 16; done))

# key_opts CIPHER SIDE GEN: side a sends with the "a" key and receives
# with the "b" key, and the other way round; indices 0x1000+GEN (a) and
# 0x2000+GEN (b).
key_opts() {
	local cipher=$1 side=$2 gen=$3 klen=32 ivlen=12 ka kb ia ib
	[[ $cipher == gcm ]] && { klen=16; ivlen=4; }
	ka=$(hexbytes "a$gen" $klen)
	kb=$(hexbytes "b$gen" $klen)
	ia=$(hexbytes "c$gen" $ivlen)
	ib=$(hexbytes "d$gen" $ivlen)
	if [[ $side == a ]]; then
		echo --cipher "$cipher" --epoch 1 \
			--local-index $((0x1000 + gen)) --remote-index $((0x2000 + gen)) \
			--tx-key "$ka" --tx-iv "$ia" --rx-key "$kb" --rx-iv "$ib"
	else
		echo --cipher "$cipher" --epoch 1 \
			--local-index $((0x2000 + gen)) --remote-index $((0x1000 + gen)) \
			--tx-key "$kb" --tx-iv "$ib" --rx-key "$ka" --rx-iv "$ia"
	fi
}

# kctl_up NS NAME ARGS...: background kctl up; its pid in kctl_pid_NAME
# (NAME: letters, digits and _)
# (kctl's own: ip netns exec execs it, so kill -9 hits kctl itself).
kctl_up() {
	local ns=$1 name=$2 pid
	shift 2
	ip netns exec "$ns" "$kctl" up "$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	daemon_pids+=("$pid")
	printf -v "kctl_pid_$name" '%s' "$pid"
	wait_for 100 grep -q '"ready"' "$tmp/$name.log" || {
		cat "$tmp/$name.log" >&2
		return 1
	}
}

kernel_bed() {
	local cipher=$1
	ns_create ns1 alpha
	ns_create ns2 beta
	veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
	n "$ns1" ip link add pod0 type podnet
	n "$ns2" ip link add pod0 type podnet
	n "$ns1" ip addr add 10.77.0.1/24 dev pod0
	n "$ns2" ip addr add 10.77.0.2/24 dev pod0
	n "$ns1" ip link set pod0 up
	n "$ns2" ip link set pod0 up
	# shellcheck disable=SC2046
	kctl_up "$ns1" alpha pod0 51820 1 192.168.241.2:51820 10.77.0.2/32 \
		$(key_opts "$cipher" a 1) &&
	kctl_up "$ns2" beta pod0 51820 1 192.168.241.1:51820 10.77.0.1/32 \
		$(key_opts "$cipher" b 1)
}

kshow() {
	if [[ $# -ge 2 ]]; then
		n "$1" "$kctl" show pod0 --json | jq -r "$2"
	else
		n "$1" "$kctl" show pod0 --json
	fi
}

peer_stat() { kshow "$1" ".peer_list[0].stats.$2"; }

dyndbg_on() {
	echo 'module podnet +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null || true
}

# transfer_check FILE: the bed's transfer, $ns1 to 10.77.0.2 in $ns2;
# the seconds it took go to $tmp/transfer.time.
transfer_check() {
	transfer "$ns1" "$ns2" 10.77.0.2 "$1" || return 1
	echo $(($(cat "$tmp/transfer.ms") / 1000)) >"$tmp/transfer.time"
}

# no_drops NS: peer 1 has nothing invalid, replayed, keyless or spoofed
no_drops() {
	local s
	s=$(kshow "$1" '.peer_list[0].stats | "\(.drop_invalid) \(.drop_replay) \(.drop_no_key) \(.drop_bad_source)"')
	echo "invalid replay no_key bad_source: $s"
	[[ $s == "0 0 0 0" ]]
}

podnet_unloaded() { ! grep -q '^podnet ' /proc/modules; }
