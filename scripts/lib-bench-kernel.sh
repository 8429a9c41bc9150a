# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The bed of the kernel benchmarks (scripts/bench-kernel.sh,
# scripts/bench-kernel-profile.sh), inside the VM: two namespaces over
# veth, the kernel's WireGuard and podnet.ko between them, each with
# inner MTU $mtu. Traffic flows from $ns2 to $ns1. Sourced after
# test/vm/common.sh and scripts/lib-bench.sh.
#
#  ┌─ $ns1: kbench-a ───────────────────┐        ┌─ $ns2: kbench-b ───────────────────┐
#  │ veth1 192.168.250.1/24 (mtu 1500)  ├────────┤ veth2 192.168.250.2/24 (mtu 1500)  │
#  │ raw1  192.168.251.1/24 (mtu 1340)  ├────────┤ raw2  192.168.251.2/24 (mtu 1340)  │
#  │ wg0   10.88.0.1/24     (mtu 1340)  │        │ wg0   10.88.0.2/24     (mtu 1340)  │
#  │ pod0  10.77.0.1/24     (podnet.ko) │        │ pod0  10.77.0.2/24     (podnet.ko) │
#  │ iperf3 -s, one run at a time       │        │ iperf3 -c, ping                    │
#  └────────────────────────────────────┘        └────────────────────────────────────┘
#
# $ns1, $ns2, $podnet_ko come from test/vm/common.sh, kctl_up and
# key_opts from test/vm/lib-kernel.sh (pod_up); r[] is the caller's.
# shellcheck shell=bash disable=SC2154,SC2034

mtu=1340	# CONFIG_DEFAULT_MTU, userspace/lib/config.h

# bed: the namespaces and both veth pairs, one ping.
bed() {
	say "bed: two namespaces, kernel $(uname -r), iperf3 runs of $bench_time s"
	ns_create ns1 kbench-a
	ns_create ns2 kbench-b
	veth_link "$ns1" veth1 192.168.250.1/24 "$ns2" veth2 192.168.250.2/24
	veth_link "$ns1" raw1 192.168.251.1/24 "$ns2" raw2 192.168.251.2/24
	n "$ns1" ip link set raw1 mtu "$mtu"
	n "$ns2" ip link set raw2 mtu "$mtu"
	wait_for 50 n "$ns2" ping -c 1 -W 1 192.168.250.1
}

# wg_up: the kernel's WireGuard between the namespaces, one ping. It
# stays up, idle, while the others are measured: no traffic, no timer
# (no persistent keepalive) on the path.
wg_up() {
	modprobe wireguard || return 1
	r[wg.version]=$(cat /sys/module/wireguard/version 2>/dev/null || echo unknown)
	wg_keys a b
	wg_setup "$ns1" wg0 a b 10.88.0.1 10.88.0.2 192.168.250.2 51821 "$mtu" || return 1
	wg_setup "$ns2" wg0 b a 10.88.0.2 10.88.0.1 192.168.250.1 51821 "$mtu" || return 1
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.88.0.1 || return 1
}

# pod_up: load $podnet_ko, pod0 in both namespaces, keys, one ping.
pod_up() {
	local ns i=1
	vm_load_podnet || return 1
	for ns in "$ns1" "$ns2"; do
		n "$ns" ip link add pod0 type podnet || return 1
		n "$ns" ip addr add "10.77.0.$i/24" dev pod0
		n "$ns" ip link set pod0 mtu "$mtu" up
		i=$((i + 1))
	done
	# shellcheck disable=SC2046
	kctl_up "$ns1" pod_a pod0 51820 1 192.168.250.2:51820 10.77.0.2/32 \
		$(key_opts chacha a 1) || return 1
	# shellcheck disable=SC2046
	kctl_up "$ns2" pod_b pod0 51820 1 192.168.250.1:51820 10.77.0.1/32 \
		$(key_opts chacha b 1) || return 1
	wait_for 100 n "$ns2" ping -c 1 -W 1 10.77.0.1 || return 1
}

# pod_down: what pod_up made, gone, and the module unloaded.
pod_down() {
	local pid
	for pid in "$kctl_pid_pod_a" "$kctl_pid_pod_b"; do
		kill "$pid" 2>/dev/null || true
		wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
	done
	n "$ns1" ip link del pod0 2>/dev/null || true
	n "$ns2" ip link del pod0 2>/dev/null || true
	wait_for 50 vm_unload_podnet
}

# params_remember: podnet.ko's runtime parameters as they are now.
# params_set SET: those again, then SET ("name=value,...") on top;
# "default" puts nothing on top.
declare -A param_default
params_remember() {
	local p
	for p in /sys/module/podnet/parameters/*; do
		param_default[${p##*/}]=$(cat "$p")
	done
}
params_set() {
	local p dir=/sys/module/podnet/parameters
	for p in "${!param_default[@]}"; do echo "${param_default[$p]}" >"$dir/$p"; done
	[[ $1 == default ]] && return 0
	for p in ${1//,/ }; do echo "${p#*=}" >"$dir/${p%%=*}"; done
}
