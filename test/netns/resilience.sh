#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnetd when things go away, with real daemons:
#  - the rendezvous is down while nodes start: one warning, peers with a
#    configured Endpoint still connect, `podnet show` says unreachable;
#  - the rendezvous comes up: the nodes register within 5 s;
#  - a flood of malformed datagrams: a bounded number of log lines, every
#    datagram counted in rx_malformed;
#  - the interface is deleted: one error line, exit status 1, soon.
#
#                 $nsr: br0 192.168.251.1 (rv: rendezvous, 10.77.0.1)
#                  ┌──────────────┴──────────────┐
#   $nsa: veth 192.168.251.2             $nsb: veth 192.168.251.3
#   alpha 10.77.0.2                      beta 10.77.0.3
#   (Endpoint for beta and rv)           (Endpoint for alpha and rv)

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: rendezvous away, malformed floods, interface deleted"

net=192.168.251
ns_create nsr rv
ns_create nsa alpha
ns_create nsb beta
n "$nsr" ip link add br0 type bridge
n "$nsr" ip addr add "$net.1/24" dev br0
n "$nsr" ip link set br0 up
num=2
for ns in "$nsa" "$nsb"; do
	ip link add veth0 netns "$ns" type veth peer name "port$num" netns "$nsr"
	n "$nsr" ip link set "port$num" master br0 up
	n "$ns" ip addr add "$net.$num/24" dev veth0
	n "$ns" ip link set veth0 up
	num=$((num + 1))
done

make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" rv 10.77.0.1
make_node_cert "$tmp/ca" alpha 10.77.0.2
make_node_cert "$tmp/ca" beta 10.77.0.3
write_config "$tmp/rv.conf" rv "$tmp/ca" 10.77.0.1/24 51820
sed -i '/^LogLevel/a Rendezvous = yes' "$tmp/rv.conf"
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.2/24 51820 \
	beta "$net.3:51820" rv "$net.1:51820"
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.3/24 51820 \
	alpha "$net.2:51820" rv "$net.1:51820"
sed -i "/^Endpoint = $net.1:51820/a Rendezvous = yes" "$tmp/alpha.conf" "$tmp/beta.conf"

warning="rendezvous rv ($net.1:51820) unreachable; peers with known endpoints keep working"
count() { grep -c -- "$1" "$2" || true; }
rv_state() { peer_field "$1" rv rendezvous_state; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- (b) the rendezvous is down while the nodes start --------------------
start_daemon "$nsa" alpha
start_daemon "$nsb" beta
check "alpha warns that the rendezvous is unreachable" \
	wait_for 100 grep -qF "$warning" "$tmp/alpha.log"
check "... beta too" wait_for 100 grep -qF "$warning" "$tmp/beta.log"
check "show --json: alpha's rendezvous is unreachable" \
	test "$(rv_state alpha)" = unreachable
check "... with a next retry at most 4 s away" bash -c \
	"r=\$('$podnet' show --json --socket '$tmp/alpha.sock' | jq '.peers[] | select(.name == \"rv\") | .rendezvous_next_retry'); [[ \$r -ge 0 && \$r -le 4 ]]"
check "... and since when" test "$(peer_field alpha rv rendezvous_since)" -gt 0
check "show: the text says so too" bash -c \
	"'$podnet' show --socket '$tmp/alpha.sock' | grep -q '^  rendezvous: unreachable since .* ago, next retry in [0-4] s'"
check "alpha and beta, with known endpoints, get a session" \
	wait_for 100 peer_established alpha beta
check "... and ping passes" n "$nsa" ping -c 3 -i 0.2 -W 2 10.77.0.3
# Long enough for several retries: the warning must not repeat.
sleep 8
check "the warning was logged once in 12 s of outage (alpha)" \
	test "$(count "$warning" "$tmp/alpha.log")" -eq 1
check "... once (beta)" test "$(count "$warning" "$tmp/beta.log")" -eq 1
check "no handshake timeouts logged for the rendezvous" \
	test "$(count 'handshake with rv .* timed out' "$tmp/alpha.log")" -le 1
check "still unreachable" test "$(rv_state alpha)" = unreachable

# --- (c) the rendezvous comes up: nodes register within 5 s -------------
registered() { [[ $(rv_state "$1") == reachable ]]; }
start=$(now_ms)
start_daemon "$nsr" rv
for name in alpha beta; do
	if wait_for 150 registered "$name"; then
		took=$(( $(now_ms) - start ))
		check "$name registered with the rendezvous ${took} ms after it started (target 5000 ms)" \
			test "$took" -le 5000
	else
		not_ok "$name registered with the rendezvous within 15 s"
	fi
done
check "alpha logs that the rendezvous is reachable again" \
	grep -q "rendezvous rv ($net.1:51820) reachable again after" "$tmp/alpha.log"
check "show: reachable, no retry planned" bash -c \
	"out=\$('$podnet' show --socket '$tmp/alpha.sock'); grep -q '^  rendezvous: reachable since' <<<\"\$out\" && ! grep -q 'next retry' <<<\"\$out\""
check "the rendezvous knows both nodes" \
	bash -c "[[ \$('$podnet' show --json --socket '$tmp/rv.sock' | jq '.peers | length') -eq 2 ]]"

# --- (d) malformed datagrams: logged a few times, every one counted ------
flood=5000
before=$(iface_field alpha rx_malformed)
lines_before=$(count "malformed datagram" "$tmp/alpha.log")
# Paced, so that no datagram is lost to a full socket buffer.
n "$nsb" python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($flood):
    s.sendto(b'\xff' * 24, ('$net.2', 51820))
    if i % 100 == 99:
        time.sleep(0.005)
"
check "rx_malformed counts all $flood malformed datagrams" wait_for 30 \
	bash -c "[[ \$('$podnet' show --json --socket '$tmp/alpha.sock' | jq .rx_malformed) -eq $((before + flood)) ]]"
# The summary comes once the limiter's interval (5 s) is over.
check "... and the log sums them up" \
	wait_for 80 grep -q "malformed datagram.* more suppressed" "$tmp/alpha.log"
lines=$(( $(count "malformed datagram" "$tmp/alpha.log") - lines_before ))
check "... in at most 12 lines ($lines)" test "$lines" -le 12
suppressed=$(grep "malformed datagram.* more suppressed" "$tmp/alpha.log" |
	sed 's/.*\xe2\x80\xa6 \([0-9]*\) more suppressed.*/\1/' | paste -sd+ | bc)
printed=$(grep "malformed datagram" "$tmp/alpha.log" | grep -vc "more suppressed" || true)
check "... which account for every datagram ($printed printed + $suppressed suppressed)" \
	test "$((printed + suppressed))" -eq "$flood"
check "alpha still reaches beta" n "$nsa" ping -c 1 -W 2 10.77.0.3

# --- (a) the interface is deleted under a running podnetd ---------------
lines_before=$(wc -l <"$tmp/beta.log")
start=$(now_ms)
n "$nsb" ip link del pod0
set +e
wait_pid_gone "$pid_beta" 50
gone=$?
took=$(( $(now_ms) - start ))
wait "$pid_beta"
status=$?
set -e
check "beta exits within 5 s of 'ip link del pod0' (took $took ms)" test "$gone" -eq 0
check "... with a non-zero status ($status)" test "$status" -ne 0 -a "$status" -ne 127
check "... after exactly one error line, naming the interface" bash -c \
	"[[ \$(grep -c '\[error\]' '$tmp/beta.log') -eq 1 && \$(grep -c 'pod0: the interface is gone' '$tmp/beta.log') -eq 1 ]]"
new_lines=$(( $(wc -l <"$tmp/beta.log") - lines_before ))
check "... and no flood ($new_lines lines after the deletion)" test "$new_lines" -le 20
check "... nor any 'tun read' line" test "$(count 'tun read' "$tmp/beta.log")" -eq 0
check "... having closed its control socket" test ! -e "$tmp/beta.sock"
check "alpha keeps running" kill -0 "$pid_alpha"

ktap_finish
