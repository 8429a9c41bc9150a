#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Two nodes with static endpoints: DTLS sessions, ping and ssh across
# virtual addresses, `podnet show --json`, cryptokey routing, bad input,
# restarts and reload.
#
#  ┌────────────────────────┐         ┌────────────────────────┐
#  │ $ns1: alpha            │         │ $ns2: beta             │
#  │   pod0  10.77.0.1/24   │         │   pod0  10.77.0.2/24   │
#  │   veth1 192.168.241.1  ├─────────┤   veth2 192.168.241.2  │
#  │   podnetd :51820       │         │   podnetd :51820, sshd │
#  └────────────────────────┘         │   veth4 192.168.242.2  │
#                                     └───────────┬────────────┘
#  ┌────────────────────────┐                     │
#  │ $ns3: adversary        │                     │
#  │   certificate of       │                     │
#  │   another CA           │                     │
#  │   veth3 192.168.242.3  ├─────────────────────┘
#  └────────────────────────┘

source "$(dirname "$0")/common.sh"
ktap_header "podnet: two nodes over DTLS through TUN"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 adversary
ip link add veth1 netns "$ns1" type veth peer name veth2 netns "$ns2"
ip link add veth3 netns "$ns3" type veth peer name veth4 netns "$ns2"
n "$ns1" ip addr add 192.168.241.1/24 dev veth1
n "$ns2" ip addr add 192.168.241.2/24 dev veth2
n "$ns2" ip addr add 192.168.242.2/24 dev veth4
n "$ns3" ip addr add 192.168.242.3/24 dev veth3
for dev in "$ns1 veth1" "$ns2 veth2" "$ns2 veth4" "$ns3 veth3"; do
	set -- $dev
	n "$1" ip link set "$2" up
done

make_ca "$tmp/ca" "test-net"
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_node_cert "$tmp/ca" beta 10.77.0.2
make_ca "$tmp/evil" "evil-net"
make_node_cert "$tmp/evil" adversary 10.77.0.3

write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.241.2:51820
write_config "$tmp/beta.conf" beta "$tmp/ca" 10.77.0.2/24 51820 \
	alpha 192.168.241.1:51820
write_config "$tmp/adversary.conf" adversary "$tmp/evil" 10.77.0.3/24 51820 \
	beta 192.168.242.2:51820

# --- configuration errors are reported with file:line and exit 1 --------
printf '[Interface]\nAddress = 10.77.0.9/24\nListenPort = seventy\n' >"$tmp/bad.conf"
out=$("$podnetd" "$tmp/bad.conf" 2>&1) && status=0 || status=$?
check "bad config exits 1" test "$status" -eq 1
check "bad config names file:line and what was expected" \
	grep -q "bad.conf:3: expected a port number" <<<"$out"
out=$("$podnetd" 2>&1) && status=0 || status=$?
check "podnetd without arguments prints usage and exits 1" \
	test "$status" -eq 1 -a -n "$(grep Usage <<<"$out")"

# --- keys are private ----------------------------------------------------
check "node key has mode 0600" test "$(stat -c %a "$tmp/ca/alpha.key")" = 600
check "CA key has mode 0600" test "$(stat -c %a "$tmp/ca/ca.key")" = 600

# --- both daemons start, interfaces are configured over rtnetlink --------
start_daemon "$ns1" alpha
start_daemon "$ns2" beta
check "alpha's pod0 has 10.77.0.1/24" \
	grep -q "inet 10.77.0.1/24" <<<"$(n "$ns1" ip -4 addr show dev pod0)"
check "alpha's pod0 is up with MTU 1340" \
	grep -q "mtu 1340 .*state UNKNOWN\|UP.*mtu 1340" <<<"$(n "$ns1" ip link show dev pod0)"
check "alpha -> beta session established" wait_for 100 peer_established alpha beta
check "beta -> alpha session established" wait_for 100 peer_established beta alpha

# --- traffic -------------------------------------------------------------
check "ping 10.77.0.2 from alpha" n "$ns1" ping -c 2 -i 0.2 -W 2 10.77.0.2
check "ping 10.77.0.1 from beta" n "$ns2" ping -c 2 -i 0.2 -W 2 10.77.0.1

# A real OpenSSH server in beta's namespace, reached by virtual address.
mkdir -p /run/sshd "$tmp/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/client_key"
cp "$tmp/ssh/client_key.pub" "$tmp/ssh/authorized_keys"
cat >"$tmp/ssh/sshd_config" <<EOC
ListenAddress 10.77.0.2
HostKey $tmp/ssh/host_key
AuthorizedKeysFile $tmp/ssh/authorized_keys
PidFile $tmp/ssh/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOC
ip netns exec "$ns2" /usr/sbin/sshd -D -e -f "$tmp/ssh/sshd_config" >"$tmp/sshd.log" 2>&1 &
daemon_pids+=($!)
sshd_listening() { n "$ns2" ss -Hltn "sport = :22" | grep -q LISTEN; }
wait_for 50 sshd_listening || true
ssh_out=$(n "$ns1" ssh -i "$tmp/ssh/client_key" -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o BatchMode=yes \
	-o LogLevel=ERROR root@10.77.0.2 'echo podnet-ssh-ok; cat /proc/sys/kernel/hostname' 2>&1 || true)
check "ssh root@10.77.0.2 runs a command across the tunnel" \
	grep -q podnet-ssh-ok <<<"$ssh_out"

# A bulk transfer through ssh, checked end to end.
head -c 5000000 /dev/urandom >"$tmp/blob"
sum_remote=$(n "$ns1" ssh -i "$tmp/ssh/client_key" -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
	root@10.77.0.2 sha256sum <"$tmp/blob" | cut -d' ' -f1)
check "5 MB through ssh arrive intact (sha256)" \
	test "$sum_remote" = "$(sha256sum <"$tmp/blob" | cut -d' ' -f1)"

# --- podnet show ---------------------------------------------------------
json=$(show_json alpha)
check "show --json: interface and node" \
	test "$(jq -r '.interface + " " + .node + " " + .address' <<<"$json")" = "pod0 alpha 10.77.0.1/24"
check "show --json: listen port" test "$(jq -r .listen_port <<<"$json")" = 51820
check "show --json: peer beta with its certificate's address" \
	test "$(jq -r '.peers[] | select(.name=="beta") | .address' <<<"$json")" = 10.77.0.2
check "show --json: peer endpoint" \
	test "$(jq -r '.peers[] | select(.name=="beta") | .endpoint' <<<"$json")" = 192.168.241.2:51820
check "show --json: rx and tx bytes counted" \
	jq -e '.peers[] | select(.name=="beta") | .tx_bytes > 5000000 and .rx_bytes > 10000' <<<"$json"
check "show --json: ChaCha20-Poly1305 negotiated" \
	test "$(jq -r '.peers[0].cipher' <<<"$json")" = ECDHE-ECDSA-CHACHA20-POLY1305
pretty=$("$podnet" show --socket "$tmp/alpha.sock")
check "show: wg-style text" grep -q "^peer: beta" <<<"$pretty"
check "show: no key material" bash -c "! grep -qi 'private\|BEGIN' <<<'$pretty$json'"
out=$("$podnet" show --bogus 2>&1) && status=0 || status=$?
check "podnet show --bogus prints usage and exits 1" \
	test "$status" -eq 1 -a -n "$(grep Usage <<<"$out")"

# --- cryptokey routing ---------------------------------------------------
before=$(iface_field alpha tx_no_route)
check "ping to an address no peer holds fails" \
	bash -c "! ip netns exec $ns1 ping -c 1 -W 1 10.77.0.99"
check "... and is counted as no route" \
	test "$(iface_field alpha tx_no_route)" -gt "$before"
# beta claims an address its certificate does not hold.
n "$ns2" ip addr add 10.77.0.50/24 dev pod0
check "spoofed inner source is not delivered" \
	bash -c "! ip netns exec $ns2 ping -c 2 -i 0.2 -W 1 -I 10.77.0.50 10.77.0.1"
check "... and alpha counts it as bad source" \
	test "$(peer_field alpha beta drop_bad_source)" -ge 2
n "$ns2" ip addr del 10.77.0.50/24 dev pod0

# --- bad input from the network -----------------------------------------
before=$(iface_field beta rx_malformed)
for i in $(seq 1 50); do
	head -c $((RANDOM % 300 + 1)) /dev/urandom | n "$ns1" \
		bash -c 'cat >/dev/udp/192.168.241.2/51820' || true
done
n "$ns1" bash -c 'printf "\x02\x01\x00\x00\x00\x00\x00\x01junk" >/dev/udp/192.168.241.2/51820'
sleep 0.5
check "junk datagrams do not kill beta" kill -0 "$pid_beta"
check "junk datagrams are counted" \
	test "$(( $(iface_field beta rx_malformed) + $(iface_field beta rx_unknown_session) ))" -gt "$before"
check "the session survives junk" n "$ns1" ping -c 1 -W 2 10.77.0.2

# --- a certificate from another CA is refused ----------------------------
before=$(iface_field beta rx_handshake_rejected)
start_daemon "$ns3" adversary
check "beta rejects adversary's handshake (foreign CA)" \
	wait_for 100 bash -c "[[ \$('$podnet' show --json --socket '$tmp/beta.sock' | jq .rx_handshake_rejected) -gt $before ]]"
check "adversary has no session" \
	bash -c "[[ \$('$podnet' show --json --socket '$tmp/adversary.sock' | jq -r '.peers[0].state') != established ]]"
check "beta has no peer called adversary" \
	test -z "$(peer_field beta adversary name)"
stop_daemon adversary

# --- restarts: sessions come back by themselves -------------------------
stop_daemon beta
check "SIGTERM removes beta's interface" \
	bash -c "! ip netns exec $ns2 ip link show pod0 2>/dev/null"
check "SIGTERM removes beta's control socket" test ! -e "$tmp/beta.sock"
start_daemon "$ns2" beta
check "session back after the server side restarted" \
	wait_for 150 n "$ns1" ping -c 1 -W 1 10.77.0.2
stop_daemon alpha
start_daemon "$ns1" alpha
check "session back after the client side restarted" \
	wait_for 150 n "$ns2" ping -c 1 -W 1 10.77.0.1

# --- SIGHUP: reload keeps established sessions of unchanged peers -------
wait_for 50 peer_established alpha beta || true
session_before=$(peer_field alpha beta session)
printf '\n[Peer]\nName = gamma\nEndpoint = 192.168.241.77:51820\n' >>"$tmp/alpha.conf"
kill -HUP "$pid_alpha"
check "reload adds the new peer" wait_for 30 bash -c \
	"[[ -n \$('$podnet' show --json --socket '$tmp/alpha.sock' | jq -r '.peers[] | select(.name==\"gamma\") | .name') ]]"
check "reload keeps beta's session" \
	test "$(peer_field alpha beta session)" = "$session_before"
echo 'Bogus = 1' >>"$tmp/alpha.conf"
kill -HUP "$pid_alpha"
sleep 0.3
check "a bad reload keeps the daemon running" kill -0 "$pid_alpha"
check "... logs file:line" grep -q "alpha.conf:.*unknown key 'Bogus'" "$tmp/alpha.log"
check "... and keeps the session" n "$ns1" ping -c 1 -W 2 10.77.0.2

ktap_finish
