#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Shared helpers for the netns tests: unique namespace names, cleanup on
# every exit path, CA and node certificates, daemons with their own config
# and control socket, KTAP output, bounded waits. Every address used lives
# in namespaces these scripts create.

set -e
set -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PODNET_BUILD:-$top/build}
podnet=$build/podnet
podnetd=$build/podnetd
prefix=pn$$
tmp=$(mktemp -d "/tmp/podnet-test.XXXXXX")
namespaces=()
daemon_pids=()
test_count=0
test_failed=0

n() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ns_create VAR SUFFIX: make namespace $prefix-SUFFIX, name it in $VAR.
ns_create() {
	local ns=$prefix-$2
	ip netns add "$ns"
	namespaces+=("$ns")
	n "$ns" ip link set lo up
	# Asymmetric paths through NATs must not be dropped (nat-facts.md).
	n "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	printf -v "$1" '%s' "$ns"
}

cleanup() {
	local status=$?
	set +e
	for pid in "${daemon_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${daemon_pids[@]}"; do
		wait_pid_gone "$pid" 50
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in "${namespaces[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	if [[ $status -ne 0 || $test_failed -ne 0 ]]; then
		for f in "$tmp"/*.log; do
			[[ -f $f ]] || continue
			echo "# ---- $(basename "$f") (last 30 lines)"
			tail -n 30 "$f" | sed 's/^/#   /'
		done
	fi
	rm -rf "$tmp"
	exit $status
}
trap cleanup EXIT

# KTAP: one "ok N - what" per assertion, the plan at the end.
ktap_header() { echo "KTAP version 1"; echo "# $1"; }
ok() { test_count=$((test_count + 1)); echo "ok $test_count - $*"; }
not_ok() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $*"
}
# check DESC CMD...: one assertion; CMD's output is shown only on failure.
check() {
	local desc=$1 out; shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		[[ -z $out ]] || sed 's/^/#   /' <<<"$out" | tail -n 20
	fi
}
ktap_finish() {
	local pid reports
	# Stop every daemon first: leak reports are written at exit.
	for pid in "${daemon_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${daemon_pids[@]}"; do wait_pid_gone "$pid" 50 || true; done
	reports=$(grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" \
		"$tmp"/*.log 2>/dev/null || true)
	check "no sanitizer reports in the daemons' logs" test -z "$reports"
	echo "1..$test_count"
	[[ $test_failed -eq 0 ]] || { echo "# $test_failed failed"; exit 1; }
	echo "# all passed"
}

# wait_for TENTHS CMD...: retry CMD every 0.1 s, at most TENTHS times.
wait_for() {
	local tries=$1 i; shift
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

wait_pid_gone() {
	local pid=$1 tries=$2 i
	for ((i = 0; i < tries; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

make_ca() { # make_ca DIR NAME
	mkdir -p "$1"
	"$podnet" ca create --name "$2" --dir "$1" >/dev/null
}

make_node_cert() { # make_node_cert CADIR NAME ADDRESS [DAYS]
	"$podnet" cert issue --ca-dir "$1" --dir "$1" --name "$2" \
		--address "$3" --days "${4:-30}" >/dev/null
}

# write_config FILE NAME CADIR ADDRESS/PREFIX PORT [PEER ENDPOINT]...
write_config() {
	local file=$1 name=$2 cadir=$3 address=$4 port=$5
	shift 5
	cat >"$file" <<-EOC
	[Interface]
	Name = pod0
	Address = $address
	ListenPort = $port
	CA = $cadir/ca.crt
	Certificate = $cadir/$name.crt
	PrivateKey = $cadir/$name.key
	ControlSocket = $tmp/$name.sock
	LogLevel = debug
	EOC
	while [[ $# -ge 2 ]]; do
		printf '\n[Peer]\nName = %s\nEndpoint = %s\n' "$1" "$2" >>"$file"
		shift 2
	done
}

# start_daemon NS NAME: run podnetd for NAME's config in NS; its pid is
# left in the variable pid_NAME.
start_daemon() {
	local ns=$1 name=$2 pid
	# Not through n(): $! must be podnetd itself, not a subshell.
	ip netns exec "$ns" "$podnetd" "$tmp/$name.conf" >>"$tmp/$name.log" 2>&1 &
	pid=$!
	daemon_pids+=("$pid")
	printf -v "pid_${name//-/_}" "%s" "$pid"
	wait_for 50 test -S "$tmp/$name.sock" || {
		echo "# podnetd $name did not come up"
		return 1
	}
}

stop_daemon() { # stop_daemon NAME; fails if it does not exit within 5 s
	local var=pid_${1//-/_}
	kill -TERM "${!var}" 2>/dev/null || true
	wait_pid_gone "${!var}" 50
}

show_json() { "$podnet" show --json --socket "$tmp/$1.sock"; }

# peer_field NODE PEER FIELD
peer_field() {
	show_json "$1" | jq -r --arg p "$2" --arg f "$3" \
		'.peers[] | select(.name == $p) | .[$f]'
}

iface_field() { show_json "$1" | jq -r --arg f "$2" '.[$f]'; }

peer_established() { [[ $(peer_field "$1" "$2" state) == established ]]; }

# start_sshd NS ADDRESS: a real OpenSSH server in NS on ADDRESS:22, with
# keys made once per test run in $tmp/ssh.
start_sshd() {
	local ns=$1 addr=$2 dir=$tmp/ssh
	if [[ ! -f $dir/client_key ]]; then
		mkdir -p /run/sshd "$dir"
		ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
		ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
		cp "$dir/client_key.pub" "$dir/authorized_keys"
	fi
	cat >"$dir/sshd_$addr.conf" <<-EOC
	ListenAddress $addr
	HostKey $dir/host_key
	AuthorizedKeysFile $dir/authorized_keys
	PidFile $dir/sshd_$addr.pid
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	EOC
	ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$dir/sshd_$addr.conf" \
		>>"$tmp/sshd_$addr.log" 2>&1 &
	daemon_pids+=($!)
	wait_for 50 _sshd_listening "$ns" "$addr"
}
_sshd_listening() { n "$1" ss -Hltn "src $2 sport = :22" | grep -q LISTEN; }

# ssh_run NS ADDRESS CMD...: run CMD on ADDRESS's sshd from NS.
ssh_run() {
	local ns=$1 addr=$2
	shift 2
	n "$ns" ssh -i "$tmp/ssh/client_key" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 \
		-o BatchMode=yes -o LogLevel=ERROR "root@$addr" "$@"
}

# first_reply_ms NS ADDRESS TIMEOUT_S: ms from the first echo request to
# the first reply, pinging every 50 ms; fails after TIMEOUT_S.
first_reply_ms() {
	local start end
	start=$(date +%s%N)
	n "$1" ping -q -c 1 -i 0.05 -w "$3" "$2" >/dev/null 2>&1 || return 1
	end=$(date +%s%N)
	echo $(( (end - start) / 1000000 ))
}

# two_node_bed NET: namespaces $ns1 (alpha) and $ns2 (beta) joined by a
# veth pair on 192.168.NET.0/24, a CA, both certificates (10.77.0.1 and .2)
# and configs that name each other as static peers. Daemons not started.
two_node_bed() {
	local net=192.168.$1
	ns_create ns1 alpha
	ns_create ns2 beta
	ip link add veth1 netns "$ns1" type veth peer name veth2 netns "$ns2"
	n "$ns1" ip addr add "$net.1/24" dev veth1
	n "$ns2" ip addr add "$net.2/24" dev veth2
	n "$ns1" ip link set veth1 up
	n "$ns2" ip link set veth2 up
	make_ca "$tmp/ca" test-net
	make_node_cert "$tmp/ca" alpha 10.77.0.1
	make_node_cert "$tmp/ca" beta 10.77.0.2
	write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 beta "$net.2:51820"
	write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 alpha "$net.1:51820"
}
