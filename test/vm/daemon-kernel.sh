#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnetd on the kernel data path: the daemon does the DTLS handshakes and
# hands the keys to podnet.ko over generic netlink; the module carries the
# packets. Kernel to kernel, then kernel to a userspace (TUN) node, with
# rekeys and a roaming peer under running transfers, and the daemon
# killed with -9 while traffic flows.
#
#  ┌─ $ns1: alpha ───────────────┐          ┌─ $ns2: beta ────────────────┐
#  │ pod0 10.77.0.1  podnet.ko   │          │ pod0 10.77.0.2  podnet.ko   │
#  │ veth1 192.168.245.1 (.11    ├──────────┤ veth2 192.168.245.2         │
#  │       after roaming)        │          │ (later DataPath = tun)      │
#  └─────────────────────────────┘          └─────────────────────────────┘

source "$(dirname "$0")/common.sh"
vm_require_podnet
ktap_header "podnet.ko: podnetd on the kernel data path"

# A short idle timeout, so that NOTIFY_IDLE can be seen.
vm_load_podnet_check idle_timeout=3
two_node_bed 245
# Deleting alpha's first address must not take the second with it.
n "$ns1" sysctl -qw net.ipv4.conf.veth1.promote_secondaries=1
sed -i '/^LogLevel/a DataPath = kernel' "$tmp/alpha.conf" "$tmp/beta.conf"
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"

start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session established" wait_for 200 peer_established alpha beta
check "alpha reports the kernel data path" \
	test "$(iface_field alpha datapath)" = kernel
check "a podnet link, not a TUN device" \
	bash -c "ip -n $ns1 -d link show pod0 | grep -q 'podnet'"
check "ping across the kernel path" n "$ns1" ping -c 3 -i 0.2 -W 2 10.77.0.2
check "a silent peer is reported idle (NOTIFY_IDLE)" \
	wait_for 100 grep -q 'peer beta: idle' "$tmp/alpha.log"
n "$ns1" ping -c 1 -W 1 10.77.0.99 >/dev/null 2>&1 || true
check "a packet for nobody reaches the daemon (NOTIFY_NO_ROUTE)" \
	wait_for 50 iface_above alpha tx_no_route 0
blob_mb 50
check "50 MB kernel to kernel, sha256 intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
bytes=$(peer_field beta alpha rx_bytes)
check "the kernel's counters show it (beta rx $bytes bytes)" \
	test "${bytes:-0}" -ge 50000000
start_sshd "$ns2" 10.77.0.2
check "ssh across the kernel path" \
	test "$(ssh_run "$ns1" 10.77.0.2 echo over-podnet-ko)" = over-podnet-ko

# Roaming: alpha's address changes under a running transfer.
before=$(peer_field beta alpha endpoint)
blob_mb 20
(sleep 1; n "$ns1" ip addr add 192.168.245.11/24 dev veth1
 n "$ns1" ip addr del 192.168.245.1/24 dev veth1) &
mover=$!
check "20 MB while alpha moves to a new address, intact" \
	transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
wait "$mover"
alpha_moved() { [[ $(peer_field beta alpha endpoint) == 192.168.245.11:* ]]; }
check "beta follows alpha to 192.168.245.11 (was $before)" wait_for 50 alpha_moved
check "... and logs the move" grep -q 'moved to 192.168.245.11' "$tmp/beta.log"

# Rekey under a running transfer: both restart with RekeyAfter = 1.
stop_daemon alpha
stop_daemon beta
sed -i '/^DataPath/a RekeyAfter = 1' "$tmp/alpha.conf" "$tmp/beta.conf"
sed -i 's/^Endpoint = 192.168.245.1:/Endpoint = 192.168.245.11:/' "$tmp/beta.conf"
start_daemon "$ns2" beta
start_daemon "$ns1" alpha
check "session re-established" wait_for 200 peer_established alpha beta
n "$ns1" tc qdisc add dev veth1 root tbf rate 40mbit burst 64kb latency 200ms
hs0=$(peer_field alpha beta handshakes)
blob_mb 30
check "30 MB across rekeys, intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
hs1=$(peer_field alpha beta handshakes)
check "at least 2 rekeys during it ($hs0 -> $hs1 handshakes)" \
	test "$((hs1 - hs0))" -ge 2
check "no record refused on beta (drop_invalid)" \
	test "$(peer_field beta alpha drop_invalid)" -eq 0
n "$ns1" tc qdisc del dev veth1 root

# Kernel to userspace: beta goes back to a TUN device. Alpha keeps its
# session with the old beta until the new one handshakes, so "established"
# alone would be true at once: wait for a handshake counted after the
# restart.
hs0=$(peer_field alpha beta handshakes)
stop_daemon beta
sed -i 's/^DataPath = kernel/DataPath = tun/' "$tmp/beta.conf"
start=$(date +%s%N)
start_daemon "$ns2" beta
new_session() {
	peer_established alpha beta &&
		test "$(peer_field alpha beta handshakes)" -gt "$hs0"
}
check "kernel <-> userspace: a new session established" wait_for 200 new_session
wait_for 100 n "$ns1" ping -c 1 -W 0.1 10.77.0.2 || true
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# beta restarted on TUN: alpha's pings answered again after $ms ms"
check "... beta runs on TUN" test "$(iface_field beta datapath)" = tun
check "... ping" n "$ns1" ping -c 3 -i 0.2 -W 2 10.77.0.2
blob_mb 30
check "... 30 MB kernel to userspace, intact" transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
check "... 30 MB userspace to kernel, intact" transfer "$ns2" "$ns1" 10.77.0.1 "$tmp/blob" 9001

# The daemon dies with -9 mid-transfer: the module lets go of its socket.
transfer_start "$ns1" "$ns2" 10.77.0.2 "$tmp/blob" 9002
sleep 1
kill -KILL "$pid_alpha"
wait "$pid_alpha" 2>/dev/null || true
transfer_abort
check "after kill -9 the port is free again" \
	wait_for 50 bash -c "! ip netns exec $ns1 ss -Hlun 'sport = :51820' | grep -q ."
check "... and ip link del removes the device" n "$ns1" ip link del pod0
# Not through check (a subshell): the link deletion below needs its pid.
if start_daemon "$ns1" alpha; then
	ok "a new daemon starts on the same port"
else
	not_ok "a new daemon starts on the same port"
fi
check "... and gets a session" wait_for 200 peer_established alpha beta

# The podnet link is deleted under the daemon: no TUN read fails here, so
# the daemon must notice by itself, say so once and exit non-zero.
log_from=$(($(wc -l <"$tmp/alpha.log") + 1))
n "$ns1" ip link del pod0
set +e
wait_pid_gone "$pid_alpha" 50
gone=$?
wait "$pid_alpha"
status=$?
set -e
check "ip link del pod0: alpha exits within 5 s" test "$gone" -eq 0
check "... with a non-zero status ($status)" test "$status" -ne 0 -a "$status" -ne 127
tail -n "+$log_from" "$tmp/alpha.log" >"$tmp/alpha-gone.txt"
check "... after exactly one error line, naming the interface" bash -c \
	"[[ \$(grep -c '\[error\]' '$tmp/alpha-gone.txt') -eq 1 && \$(grep -c 'pod0: the interface is gone' '$tmp/alpha-gone.txt') -eq 1 ]]"
check "... and lets go of its port" \
	wait_for 50 bash -c "! ip netns exec $ns1 ss -Hlun 'sport = :51820' | grep -q ."
stop_daemon beta
wait_for 50 vm_unload_podnet || true
check "podnet.ko unloads" bash -c "! grep -q '^podnet ' /proc/modules"
dmesg_clean_check
ktap_finish
