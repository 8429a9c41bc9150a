#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The one helper library of the netns tests, the VM tests (through
# test/vm/common.sh) and the scripts that build beds (demo, bench,
# punch-rate): unique namespace names, cleanup on every exit path, KTAP
# output, bounded waits, CA and node certificates, daemons with their own
# config and control socket, `podnet show` fields that fail when the
# daemon does not answer, TCP transfers checked by sha256, WireGuard
# devices, and the check that no private key leaks into a log. Every
# address used lives in namespaces these scripts create.

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

# stop_all: every daemon (TERM, KILL after 5 s), then every namespace
# with whatever still runs in it.
stop_all() {
	local pid ns
	# Safe under set -e: what is gone already is no error here.
	for pid in "${daemon_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${daemon_pids[@]}"; do
		wait_pid_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
	done
	for ns in "${namespaces[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	daemon_pids=()
	namespaces=()
}

# print_failed_log FILE: what a log says about a failure. The lines from
# 20 s before the first failed check to 2 s after (the latest 120), since
# the daemon may have gone on for long, or restarted, before the test
# ended; then its last 30 lines, unless the window reached the end; then
# a sanitizer's report whole, if it starts before what was shown of the
# end.
print_failed_log() {
	local f=$1 name from to window lines report shown_from
	name=$(basename "$f")
	lines=$(wc -l <"$f")
	shown_from=$((lines + 1))	# the first line of the log's end shown
	if [[ -n $first_failure_at ]] &&
		from=$(date -d "${first_failure_at/T/ } 20 seconds ago" +%FT%T.%3N) &&
		to=$(date -d "${first_failure_at/T/ } 2 seconds" +%FT%T.%3N); then
		echo "# ---- $name, $from to $to (the first failure: $first_failure_at)"
		window=$(awk -v from="$from" -v to="$to" '
			/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ {
				t = substr($1, 1, 23)
				inside = t >= from && t <= to
			}
			inside { print NR "\t" $0 }' "$f" | tail -n 120)
		if [[ -n $window ]]; then
			sed 's/^[0-9]*\t/#   /' <<<"$window"
			[[ ${window##*$'\n'} != "$lines"$'\t'* ]] ||
				shown_from=${window%%$'\t'*}
		fi
	fi
	if ((shown_from > lines)); then
		echo "# ---- $name (last 30 lines)"
		tail -n 30 "$f" | sed 's/^/#   /'
		shown_from=$((lines > 30 ? lines - 29 : 1))
	fi
	report=$(grep -n -m 1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | cut -d: -f1)
	if [[ -n $report ]] && ((report < shown_from)); then
		echo "# ---- $name, the sanitizer's report (from line $report, at most 150 lines)"
		tail -n +"$report" "$f" | head -n 150 | sed 's/^/#   /'
	fi
}

cleanup() {
	local status=$?
	set +e
	stop_all
	if [[ $status -ne 0 || $test_failed -ne 0 ]]; then
		for f in "$tmp"/*.log; do
			[[ -f $f ]] || continue
			print_failed_log "$f"
		done
		# PODNET_FAILED_LOGS=DIR keeps every log of a failed test there.
		if [[ -n ${PODNET_FAILED_LOGS:-} ]]; then
			mkdir -p "$PODNET_FAILED_LOGS" &&
				cp "$tmp"/*.log "$PODNET_FAILED_LOGS"/ 2>/dev/null
		fi
	fi
	rm -rf "$tmp"
	exit $status
}
trap cleanup EXIT

# KTAP: one "ok N - what" per assertion, the plan at the end.
ktap_header() { echo "KTAP version 1"; echo "# $1"; }
ok() { test_count=$((test_count + 1)); echo "ok $test_count - $*"; }
# The time of the first failed check, in the daemons' log format: the
# logs are shown around it when the test ends.
first_failure_at=
not_ok() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $*"
	[[ -n $first_failure_at ]] || first_failure_at=$(date +%FT%T.%3N)
}
# check_todo ISSUE DESC CMD...: an assertion of something known not to
# work yet (KTAP's TODO directive): printed, never counted as a failure.
check_todo() {
	local why=$1 desc=$2 out; shift 2
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		test_count=$((test_count + 1))
		echo "not ok $test_count - $desc # TODO $why"
		[[ -z $out ]] || sed 's/^/#   /' <<<"$out" | tail -n 20
	fi
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
	check "no key of this test in any log (private keys, session keys)" \
		key_material_absent "$tmp"/*.log
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

# run_loadgen NS SECONDS OUT ARGS...: podnet-loadgen ARGS in NS for
# SECONDS, its output in OUT. It stops by itself (-t), not by a signal
# from timeout(1). Should it still run 20 s later, what it was doing is
# printed and it is killed: a stuck tool then costs the checks that
# follow, not the whole script's 600 s.
run_loadgen() {
	local ns=$1 secs=$2 out=$3 pid i
	shift 3
	ip netns exec "$ns" "$build/podnet-loadgen" -t "$secs" "$@" >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < (secs + 20) * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# podnet-loadgen still runs after $((secs + 20)) s;" \
			"$(grep '^State' "/proc/$pid/status" 2>/dev/null)," \
			"kernel wait: $(cat "/proc/$pid/wchan" 2>/dev/null)"
		if command -v gdb >/dev/null; then
			gdb -p "$pid" -batch -ex 'thread apply all bt' 2>&1 |
				grep '^#' | sed 's/^/#   /'
		fi
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

make_ca() { # make_ca DIR NAME
	mkdir -p "$1"
	"$podnet" ca create --name "$2" --dir "$1" >/dev/null
}

make_node_cert() { # make_node_cert CADIR NAME ADDRESS [DAYS]
	"$podnet" cert issue --ca-dir "$1" --dir "$1" --name "$2" \
		--address "$3" --days "${4:-30}" >/dev/null
}

# make_node_cert_addrs CADIR NAME ADDRESS...: one certificate for every
# address given (an IPv4 and an IPv6 one, or subnets), 30 days.
make_node_cert_addrs() {
	local cadir=$1 name=$2 args=() a
	shift 2
	for a in "$@"; do args+=(--address "$a"); done
	"$podnet" cert issue --ca-dir "$cadir" --dir "$cadir" --name "$name" \
		"${args[@]}" --days 30 >/dev/null
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

# daemons_alive NAME...: each podnetd NAME (of start_daemon) still runs;
# a negative check about traffic means nothing otherwise.
daemons_alive() {
	local name var
	for name in "$@"; do
		var=pid_${name//-/_}
		kill -0 "${!var}" 2>/dev/null || { echo "# podnetd $name is dead"; return 1; }
	done
}

# show_json NODE: `podnet show --json` of NODE's daemon. Fails, and says
# so on stderr, when the daemon does not answer (dead, no socket): a
# check built on it can then never pass for want of an answer.
show_json() {
	local out
	if ! out=$("$podnet" show --json --socket "$tmp/$1.sock") || [[ -z $out ]]; then
		echo "# podnet show on $1 failed (daemon dead or not listening?)" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

# peer_field NODE PEER FIELD: FIELD of PEER as NODE shows it ("null"
# when the peer lacks it), nothing when NODE knows no such peer, and
# non-zero when `podnet show` fails.
peer_field() {
	local json
	json=$(show_json "$1") || return 1
	jq -r --arg p "$2" --arg f "$3" '.peers[] | select(.name == $p) | .[$f]' <<<"$json"
}

# iface_field NODE FIELD: an interface field; non-zero when show fails.
iface_field() {
	local json
	json=$(show_json "$1") || return 1
	jq -r --arg f "$2" '.[$f]' <<<"$json"
}

peer_established() { [[ $(peer_field "$1" "$2" state) == established ]]; }

# The negative checks: each fails when NODE's daemon does not answer.
# peer_not_established NODE PEER: NODE answers, and has no session with
# PEER (it may not know PEER at all).
peer_not_established() {
	local state
	state=$(peer_field "$1" "$2" state) || return 1
	echo "# $1 -> $2: state '${state:-no such peer}'"
	[[ $state != established ]]
}

# peer_absent NODE PEER: NODE answers and has no peer called PEER.
peer_absent() {
	local json
	json=$(show_json "$1") || return 1
	jq -e --arg p "$2" 'all(.peers[]; .name != $p)' <<<"$json" >/dev/null ||
		{ echo "# $1 has a peer called $2"; return 1; }
}

# peer_present NODE PEER: NODE answers and shows a peer called PEER.
peer_present() {
	local json
	json=$(show_json "$1") || return 1
	jq -e --arg p "$2" 'any(.peers[]; .name == $p)' <<<"$json" >/dev/null
}

# peer_is NODE PEER FIELD VALUE: the field is VALUE, exactly (a counter
# that must stay 0: peer_is NODE PEER FIELD 0).
peer_is() {
	local v
	v=$(peer_field "$1" "$2" "$3") || return 1
	[[ $v == "$4" ]] || { echo "# $1 -> $2: $3 is '$v', not '$4'"; return 1; }
}

# iface_above NODE FIELD N: the interface counter FIELD is above N.
iface_above() {
	local v
	v=$(iface_field "$1" "$2") || return 1
	[[ -n $v && $v -gt $3 ]] || { echo "# $1: $2 is '$v', not above $3"; return 1; }
}

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

# veth_link NS1 DEV1 ADDR1/PFX NS2 DEV2 ADDR2/PFX: a veth pair between two
# namespaces, with addresses and both ends up.
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	n "$1" ip addr add "$3" dev "$2"
	n "$4" ip addr add "$6" dev "$5"
	n "$1" ip link set "$2" up
	n "$4" ip link set "$5" up
}

# gso_max_segs_of NS [DEV]: the gso_max_segs of DEV (pod0) in NS.
gso_max_segs_of() {
	n "$1" ip -d link show dev "${2:-pod0}" |
		grep -o 'gso_max_segs [0-9]*' | cut -d' ' -f2
}

# two_node_bed NET: namespaces $ns1 (alpha) and $ns2 (beta) joined by a
# veth pair on 192.168.NET.0/24, a CA, both certificates (10.77.0.1 and .2)
# and configs that name each other as static peers. Daemons not started.
two_node_bed() {
	local net=192.168.$1
	ns_create ns1 alpha
	ns_create ns2 beta
	veth_link "$ns1" veth1 "$net.1/24" "$ns2" veth2 "$net.2/24"
	make_ca "$tmp/ca" test-net
	make_node_cert "$tmp/ca" alpha 10.77.0.1
	make_node_cert "$tmp/ca" beta 10.77.0.2
	write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 beta "$net.2:51820"
	write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 alpha "$net.1:51820"
}

# --- TCP transfers through a tunnel, checked end to end ------------------
#
# transfer FROM_NS TO_NS ADDRESS FILE [PORT]: FILE over TCP from FROM_NS to
# ADDRESS:PORT (9000) in TO_NS; true when the sender finished and what
# arrived ($tmp/received) has FILE's sha256. Says what went wrong
# otherwise. The time it took, in ms, goes to $tmp/transfer.ms (check runs
# its command in a subshell, so a variable would not come back).
#
# For things to happen during a transfer, its parts, all called from the
# same shell (only it can wait for the processes):
#   transfer_start FROM_NS TO_NS ADDRESS FILE [PORT]
#                       receiver and sender in the background; their pids
#                       in $transfer_receiver and $transfer_sender
#   transfer_finish     waits for both and records the outcome; never fails
#   transfer_passed     true when the recorded outcome is intact
#   transfer_abort      ends both now (the path went away on purpose)
transfer_timeout=${TRANSFER_TIMEOUT:-120}

blob_mb() { head -c "$(($1 * 1000000))" /dev/urandom >"$tmp/blob"; }

transfer() {
	transfer_start "$@" || return 1
	transfer_finish
	transfer_passed
}

transfer_start() {
	local from=$1 to=$2 addr=$3 port=${5:-9000}
	transfer_file=$4
	rm -f "$tmp/received" "$tmp/transfer.result"
	# ip netns exec execs timeout: $! is what the abort must stop.
	ip netns exec "$to" timeout "$transfer_timeout" socat -u \
		"TCP-LISTEN:$port,bind=$addr,reuseaddr" "OPEN:$tmp/received,creat,trunc" &
	transfer_receiver=$!
	transfer_sender=
	if ! wait_for 50 _tcp_listening "$to" "$port"; then
		echo "# transfer: nothing listens on $addr:$port in $to" >&2
		transfer_abort
		return 1
	fi
	transfer_t0=$(date +%s%N)
	ip netns exec "$from" timeout "$transfer_timeout" socat -u \
		"OPEN:$transfer_file" "TCP:$addr:$port,connect-timeout=10" &
	transfer_sender=$!
}
_tcp_listening() { n "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }

transfer_finish() {
	local sent=0 got want size
	wait "$transfer_sender" || sent=$?
	wait "$transfer_receiver" || true
	echo $(( ($(date +%s%N) - transfer_t0) / 1000000 )) >"$tmp/transfer.ms"
	want=$(sha256sum <"$transfer_file" | cut -d' ' -f1)
	got=$(sha256sum <"$tmp/received" 2>/dev/null | cut -d' ' -f1) || got=
	size=$(stat -c %s "$tmp/received" 2>/dev/null) || size=0
	{
		[[ $sent -eq 0 && $got == "$want" ]] && echo intact
		[[ $sent -eq 0 ]] || echo "# the sender failed (exit $sent)"
		[[ $got == "$want" ]] || echo "# received $size of $(stat -c %s "$transfer_file") bytes, sha256 ${got:-none}, want $want"
	} >"$tmp/transfer.result"
}

transfer_passed() {
	[[ $(head -n 1 "$tmp/transfer.result" 2>/dev/null) == intact ]] && return 0
	cat "$tmp/transfer.result" 2>/dev/null || echo "# no transfer finished"
	return 1
}

transfer_abort() {
	local pid
	# Under set -e: either may be gone already, and both die of TERM.
	for pid in $transfer_sender $transfer_receiver; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# --- WireGuard beside podnet (the bench's reference, a VM test) ----------

# wg_keys SIDE...: a key pair each, $tmp/wg-SIDE.key and $tmp/wg-SIDE.pub.
wg_keys() {
	local side
	for side in "$@"; do
		(umask 077; wg genkey >"$tmp/wg-$side.key")
		wg pubkey <"$tmp/wg-$side.key" >"$tmp/wg-$side.pub"
	done
}

# wg_setup NS IFACE SELF PEER INNER PEER_INNER PEER_OUTER [PORT [MTU]]:
# IFACE in NS with SELF's key, address INNER/24 and one peer, PEER's key,
# allowed PEER_INNER/32 at PEER_OUTER:PORT (PORT 51821 on both sides, MTU
# 1340: podnet's default). A kernel WireGuard device is created unless
# IFACE exists (wireguard-go makes its own).
wg_setup() {
	local ns=$1 dev=$2 port=${8:-51821} mtu=${9:-1340}
	if ! n "$ns" ip link show "$dev" >/dev/null 2>&1; then
		n "$ns" ip link add "$dev" type wireguard || return 1
	fi
	n "$ns" wg set "$dev" listen-port "$port" private-key "$tmp/wg-$3.key" \
		peer "$(cat "$tmp/wg-$4.pub")" allowed-ips "$6/32" \
		endpoint "$7:$port" &&
	n "$ns" ip addr add "$5/24" dev "$dev" &&
	n "$ns" ip link set "$dev" mtu "$mtu" up
}

# --- no key in any log -----------------------------------------------------
#
# Session keys a test knows (static kctl keys, say) are added, in hex,
# to test_secrets; private keys are every *.key below $tmp.
test_secrets=()

# key_patterns: one fixed string a line that must appear in no log: of
# every private key, the raw secret in hex (plain, upper case, with colons
# or spaces between bytes, as %*ph prints) and in base64, and the lines
# of its PEM file; of every secret in test_secrets, the same hex forms.
key_patterns() {
	local key hex
	while IFS= read -r -d '' key; do
		# The PEM lines themselves (a WireGuard key file is one line).
		grep -v '^-----' "$key" | grep -E '^[A-Za-z0-9+/=]{40,}$' || true
		hex=$(openssl pkey -in "$key" -text -noout 2>/dev/null |
			awk '/^priv:/ { p = 1; next } /^[a-z]/ { p = 0 } p' | tr -d ' \n:')
		[[ -n $hex ]] || hex=$(base64 -d <"$key" 2>/dev/null | xxd -p | tr -d '\n')
		[[ -n $hex ]] || continue
		printf '%s\n' "$(xxd -r -p <<<"$hex" | base64 -w0)"
		_hex_forms "$hex"
	done < <(find "$tmp" -name '*.key' -type f -print0)
	for hex in "${test_secrets[@]}"; do _hex_forms "$hex"; done
}
_hex_forms() {
	local pairs
	pairs=$(sed 's/../& /g; s/ $//' <<<"${1,,}")
	printf '%s\n' "${1,,}" "${1^^}" "$pairs" "${pairs// /:}"
}

# key_material_absent FILE...: none of key_patterns in FILE... (missing
# files are skipped); names the file and the form found otherwise.
key_material_absent() {
	local f found=0
	key_patterns | sort -u >"$tmp/key-patterns"
	[[ -s $tmp/key-patterns ]] || return 0
	for f in "$@"; do
		[[ -f $f ]] || continue
		if grep -qaFf "$tmp/key-patterns" "$f"; then
			echo "# key material in $(basename "$f"): $(grep -aoFf "$tmp/key-patterns" "$f" | head -n 1 | cut -c1-24)..."
			found=1
		fi
	done
	return $found
}
