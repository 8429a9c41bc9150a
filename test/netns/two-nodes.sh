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

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: two nodes over DTLS through TUN"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 adversary
veth_link "$ns1" veth1 192.168.241.1/24 "$ns2" veth2 192.168.241.2/24
veth_link "$ns3" veth3 192.168.242.3/24 "$ns2" veth4 192.168.242.2/24

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
start_sshd "$ns2" 10.77.0.2 || true
ssh_out=$(ssh_run "$ns1" 10.77.0.2 'echo podnet-ssh-ok; cat /proc/sys/kernel/hostname' 2>&1 || true)
check "ssh root@10.77.0.2 runs a command across the tunnel" \
	grep -q podnet-ssh-ok <<<"$ssh_out"

# A bulk transfer through ssh, checked end to end.
blob_mb 5
sum_remote=$(ssh_run "$ns1" 10.77.0.2 sha256sum <"$tmp/blob" | cut -d' ' -f1)
check "5 MB through ssh arrive intact (sha256)" \
	test "$sum_remote" = "$(sha256sum <"$tmp/blob" | cut -d' ' -f1)"

# 100 MB of plain TCP across the tunnel, checked end to end.
# Each TCP super-packet alpha's TUN device hands over leaves as one UDP
# GSO send: podnetd sets the device's gso_max_segs to the records one send
# holds, 46 at MTU 1340. Without that, it took two sends each.
blob_mb 100
check "alpha's pod0 has gso_max_segs 46" \
	test "$(gso_max_segs_of "$ns1")" = 46
tso_before=$(iface_field alpha tx_tso_super)
gso_before=$(iface_field alpha tx_gso_sends)
acks_before=$(iface_field alpha rx_acks_superseded)
check "100 MB over TCP across the tunnel arrive intact (sha256)" \
	transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
echo "# 100 MB in $(cat "$tmp/transfer.ms") ms"
tso=$(($(iface_field alpha tx_tso_super) - tso_before))
gso=$(($(iface_field alpha tx_gso_sends) - gso_before))
acks=$(($(iface_field alpha rx_acks_superseded) - acks_before))
echo "# the 100 MB: $tso TSO super-packets, $gso UDP GSO sends, $acks ACKs superseded"
check "one UDP GSO send per TSO super-packet, not two" \
	test "$tso" -ge 100 -a $((gso * 10)) -le $((tso * 12))
# beta's TCP acknowledges each super-packet it is given, and beta's
# podnetd sends the ACKs it reads in one batch; alpha writes only the
# last of each run to its TUN device (tcp_ack.h).
check "ACKs that a later one in the batch made redundant were thinned" \
	test "$acks" -gt 0
rm -f "$tmp/blob" "$tmp/received"

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
# The build's first choice (doc/config.md, Ciphers): AES-128-GCM with
# wolfSSL's assembly (what make builds where the CPU has it), else
# ChaCha20-Poly1305.
want_cipher=ECDHE-ECDSA-CHACHA20-POLY1305
[[ $(jq -r .crypto_code <<<"$json") != assembly ]] ||
	want_cipher=ECDHE-ECDSA-AES128-GCM-SHA256
check "show --json: the build's first cipher negotiated ($want_cipher)" \
	test "$(jq -r '.peers[0].cipher' <<<"$json")" = "$want_cipher"
pretty=$("$podnet" show --socket "$tmp/alpha.sock")
check "show: wg-style text" grep -q "^peer: beta" <<<"$pretty"
printf '%s\n' "$pretty" "$json" >"$tmp/show.out"
show_without_keys() {
	! grep -qi 'private\|BEGIN' "$tmp/show.out" && key_material_absent "$tmp/show.out"
}
check "show: no key material (no key words, none of this test's keys)" show_without_keys
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
# 10,000 random datagrams of 200 bytes (socat sends one per block).
head -c 2000000 /dev/urandom >"$tmp/junk"
n "$ns1" socat -u -b 200 "OPEN:$tmp/junk" UDP-SENDTO:192.168.241.2:51820 || true
for i in $(seq 1 50); do
	head -c $((RANDOM % 300 + 1)) /dev/urandom | n "$ns1" \
		bash -c 'cat >/dev/udp/192.168.241.2/51820' || true
done
n "$ns1" bash -c 'printf "\x02\x01\x00\x00\x00\x00\x00\x01junk" >/dev/udp/192.168.241.2/51820'
sleep 0.5
check "junk datagrams do not kill beta" kill -0 "$pid_beta"
junk_counted() { (( $(iface_field beta rx_malformed) + $(iface_field beta rx_unknown_session) > before )); }
check "junk datagrams are counted" wait_for 50 junk_counted
check "the session survives junk" n "$ns1" ping -c 1 -W 2 10.77.0.2
out=$(ssh_run "$ns1" 10.77.0.2 'echo still-here' 2>&1 || true)
check "... and still carries ssh" grep -q still-here <<<"$out"

# --- a certificate from another CA is refused ----------------------------
before=$(iface_field beta rx_handshake_rejected)
start_daemon "$ns3" adversary
check "beta rejects adversary's handshake (foreign CA)" \
	wait_for 100 iface_above beta rx_handshake_rejected "$before"
check "adversary has no session" peer_not_established adversary beta
check "beta has no peer called adversary" peer_absent beta adversary
sleep 4	# the adversary keeps retrying
check "the refusal is logged once, not per attempt" \
	test "$(grep -c 'handshake with.*192.168.242.3.*further refusals' "$tmp/beta.log")" -eq 1
check "... while the attempts go on" \
	test "$(iface_field beta rx_handshake_rejected)" -ge $((before + 2))
stop_daemon adversary

# --- an expired certificate is refused, ours and a peer's ----------------
mkdir -p "$tmp/exp"
openssl genpkey -algorithm ed25519 -out "$tmp/exp/expired.key" 2>/dev/null
openssl req -new -key "$tmp/exp/expired.key" -subj /CN=expired -out "$tmp/exp/expired.csr"
touch "$tmp/exp/index.txt"
echo 01 >"$tmp/exp/serial"
cat >"$tmp/exp/ca.cnf" <<EOC
[ca]
default_ca = d
[d]
dir = $tmp/exp
database = $tmp/exp/index.txt
new_certs_dir = $tmp/exp
serial = $tmp/exp/serial
default_md = default
policy = p
x509_extensions = ext
[p]
commonName = supplied
[ext]
subjectAltName = IP:10.77.0.4
basicConstraints = CA:FALSE
EOC
openssl ca -batch -config "$tmp/exp/ca.cnf" -cert "$tmp/ca/ca.crt" -keyfile "$tmp/ca/ca.key" \
	-in "$tmp/exp/expired.csr" -out "$tmp/exp/expired.crt" -notext \
	-startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1
check "podnet cert show marks it expired" \
	grep -q "(expired)" <<<"$("$podnet" cert show "$tmp/exp/expired.crt")"
write_config "$tmp/expired.conf" expired "$tmp/ca" 10.77.0.4/24 51820
sed -i "s|^Certificate = .*|Certificate = $tmp/exp/expired.crt|; s|^PrivateKey = .*|PrivateKey = $tmp/exp/expired.key|" "$tmp/expired.conf"
out=$("$podnetd" "$tmp/expired.conf" 2>&1) && status=0 || status=$?
check "podnetd refuses to start with an expired certificate" \
	test "$status" -eq 1 -a -n "$(grep expired <<<"$out")"
before=$(iface_field beta rx_handshake_rejected)
run_loadgen "$ns3" 4 "$tmp/loadgen.out" -C "$tmp/exp/expired.crt" \
	-K "$tmp/exp/expired.key" "$tmp/ca" 192.168.242.2:51820 1
check "beta refuses a peer with an expired certificate" \
	test "$(iface_field beta rx_handshake_rejected)" -gt "$before"
no_session_for_expired() {
	! grep -q 'established 1 of 1' "$tmp/loadgen.out" && peer_absent beta expired
}
check "... which gets no session" no_session_for_expired

# --- restarts: sessions come back by themselves -------------------------
kill -KILL "$pid_beta"
wait_pid_gone "$pid_beta" 50
ip netns exec "$ns2" "$podnetd" "$tmp/beta.conf" >>"$tmp/beta.log" 2>&1 &
pid_beta=$!
daemon_pids+=("$pid_beta")
check "after kill -9 and a restart of beta, ping works within 5 s" \
	wait_for 50 n "$ns1" ping -c 1 -W 1 10.77.0.2
out=$(ssh_run "$ns1" 10.77.0.2 'echo back-again' 2>&1 || true)
check "... and ssh too" grep -q back-again <<<"$out"
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
check "before the reload, alpha has a session with beta" \
	wait_for 50 peer_established alpha beta
session_before=$(peer_field alpha beta session)
check "... under a session index ($session_before)" \
	grep -qE '^[0-9a-f]{8}$' <<<"$session_before"
printf '\n[Peer]\nName = gamma\nEndpoint = 192.168.241.77:51820\n' >>"$tmp/alpha.conf"
kill -HUP "$pid_alpha"
check "reload adds the new peer" wait_for 30 peer_present alpha gamma
check "reload keeps beta's session" peer_is alpha beta session "$session_before"
check "... established" peer_established alpha beta
echo 'Bogus = 1' >>"$tmp/alpha.conf"
kill -HUP "$pid_alpha"
sleep 0.3
check "a bad reload keeps the daemon running" kill -0 "$pid_alpha"
check "... logs file:line" wait_for 50 grep -q "alpha.conf:.*unknown key 'Bogus'" "$tmp/alpha.log"
check "... and keeps the session" n "$ns1" ping -c 1 -W 2 10.77.0.2

ktap_finish
