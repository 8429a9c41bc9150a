#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Revocation (issue 12) and who may hold an address:
#  - `podnet cert revoke c` signs a list; only the rendezvous is given it,
#    and within 10 s no node talks to c while a and b still talk;
#  - c restarted is still refused; a rendezvous restart keeps the list;
#  - a rolled-back (lower serial) list is refused by the nodes, a tampered
#    one by the rendezvous itself (the node-side signature check is in
#    test/unit/test_revocation.c);
#  - F6: a second certificate for a's address is refused and logged by
#    the rendezvous and by a peer, and accepted once a is revoked;
#  - F14/F11: podnetd refuses a CA:TRUE node certificate and a private
#    key others can read.
#
#         internet 198.18.0.0/24 ── rv 198.18.0.1 (rendezvous)
#     a .11 (10.77.0.11)   b .12 (.12)   c .13 (.13)   d .14 (claims .11)
#     all public (NAT kind none): sessions between nodes are direct

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
ktap_header "podnet: certificate revocation and address ownership"

NAT_KEEPALIVE=3 nat_podnet_bed
sed -i "/^LogLevel/a RevocationList = $tmp/rv.revoked" "$tmp/rv.conf"
stop_daemon rv
start_daemon "$ns_rv" rv
site=1
for name in a b c; do
	NAT_KEEPALIVE=3 nat_podnet_node "$name" none "$site" "RevocationList = $tmp/$name.revoked"
	site=$((site + 1))
done
for name in a b c; do
	wait_for 100 peer_established "$name" rv || true
done
ping_ok() { n "$1" ping -c 1 -W 1 "$2"; }
check "a reaches b" wait_for 100 ping_ok "$ns_a" 10.77.0.12
check "a reaches c" wait_for 100 ping_ok "$ns_a" 10.77.0.13
check "b reaches c" wait_for 100 ping_ok "$ns_b" 10.77.0.13

# --- revoke c; only the rendezvous gets the list --------------------------
out=$("$podnet" cert revoke --ca-dir "$tmp/ca" c)
check "podnet cert revoke c writes serial 1" grep -q "serial 1, 1 certificate" <<<"$out"
cp "$tmp/ca/revoked.list" "$tmp/rv.revoked"
start=$(date +%s.%N)
kill -HUP "$pid_rv"
c_cut_off() {
	for name in a b; do
		[[ $(iface_field "$name" revocation_serial) == 1 ]] || return 1
		peer_not_established "$name" c >/dev/null || return 1
	done
	! n "$ns_a" ping -c 1 -W 1 10.77.0.13 && ! n "$ns_b" ping -c 1 -W 1 10.77.0.13
}
check "within 10 s a and b take the list and drop c" wait_for 100 c_cut_off
printf '# revocation effective after %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
check "the rendezvous dropped c too" peer_not_established rv c
check "a and b still talk" ping_ok "$ns_a" 10.77.0.12
check "a kept the list next to its config" cmp "$tmp/ca/revoked.list" "$tmp/a.revoked"
check "podnet show prints the serial" grep -q "revocation list.*serial 1" \
	<<<"$("$podnet" show --socket "$tmp/a.sock")"
check "c cannot reach a" bash -c "! ip netns exec $ns_c ping -c 3 -W 1 10.77.0.11"
check "a logged why" grep -q "certificate .* is revoked" "$tmp/a.log"

# c restarts: it knows only the rendezvous, which refuses it.
stop_daemon c
start_daemon "$ns_c" c
sleep 3
check "restarted c is refused by the rendezvous" peer_not_established c rv
check "... and cannot reach a" bash -c "! ip netns exec $ns_c ping -c 2 -W 1 10.77.0.11"
check "... the rendezvous logged it" wait_for 50 grep -q "certificate of 'c' is revoked" "$tmp/rv.log"

# --- a newer list, then a rolled-back one --------------------------------
cp "$tmp/rv.revoked" "$tmp/serial1.list"
"$podnet" cert revoke --ca-dir "$tmp/ca" \
	00000000000000000000000000000000000000000000000000000000000000aa >/dev/null
cp "$tmp/ca/revoked.list" "$tmp/rv.revoked"
kill -HUP "$pid_rv"
serial_is() { [[ $(iface_field "$1" revocation_serial) == "$2" ]]; }
both_serial() { serial_is a "$1" && serial_is b "$1"; }
check "serial 2 reaches a and b" wait_for 100 both_serial 2
# A rendezvous started afresh with the old file: it hands out serial 1.
cp "$tmp/serial1.list" "$tmp/rv.revoked"
stop_daemon rv
refused_before=$(iface_field a rx_revocation_refused)
start_daemon "$ns_rv" rv
check "the rolled-back list is refused by a" wait_for 150 iface_above a rx_revocation_refused "$refused_before"
check "... which keeps serial 2" serial_is a 2
check "... and logged it" grep -q "serial 1 from rv refused: serial 2 is in use" "$tmp/a.log"
check "... and its file keeps serial 2" cmp "$tmp/ca/revoked.list" "$tmp/a.revoked"

# A tampered list: the rendezvous will not load it (nor would a node).
cp "$tmp/ca/revoked.list" "$tmp/rv.revoked"
printf '\xff' | dd of="$tmp/rv.revoked" bs=1 seek=30 conv=notrunc status=none
stop_daemon rv
out=$(ip netns exec "$ns_rv" "$podnetd" "$tmp/rv.conf" 2>&1) && status=0 || status=$?
check "podnetd refuses to start with a tampered list" \
	test "$status" -eq 1 -a -n "$(grep 'not signed by the network CA' <<<"$out")"

# A rendezvous restart keeps the list: c stays out.
both_registered() { peer_established a rv && peer_established b rv; }
cp "$tmp/ca/revoked.list" "$tmp/rv.revoked"
start_daemon "$ns_rv" rv
check "after a rendezvous restart a and b register again" \
	wait_for 150 both_registered
check "... the rendezvous has serial 2" serial_is rv 2
check "... a still reaches b" wait_for 100 ping_ok "$ns_a" 10.77.0.12
check "... and c still is refused" bash -c "! ip netns exec $ns_c ping -c 3 -W 1 10.77.0.11"

# --- F6: a second certificate for a's address ----------------------------
site_create ns_d router_d d none 4
# The CA's index refuses a second certificate for an address: --force.
"$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --name d \
	--address 10.77.0.11 --days 30 --force >/dev/null
nat_rv_config d "$tmp/ca" 10.77.0.11/24
# d also dials b directly, to see that b (not only rv) refuses it.
printf '\n[Peer]\nName = b\nEndpoint = %s:51820\n' "$(nat_public_ip 2)" >>"$tmp/d.conf"
sed -i "/^LogLevel/a KeepaliveInterval = 3" "$tmp/d.conf"
# The rendezvous restarted above: a must be back before d comes, or d
# would be the first holder there.
check "a is registered at the rendezvous again" wait_for 150 peer_established rv a
check "b reaches a" wait_for 100 ping_ok "$ns_b" 10.77.0.11
start_daemon "$ns_d" d
sleep 4
check "the rendezvous refuses d, which claims a's address" peer_not_established rv d
check "... and logs it" wait_for 50 grep -q "certificate of 'd' claims 10.77.0.11, which peer 'a' holds" "$tmp/rv.log"
check "b refuses d too, and logs it" wait_for 50 grep -q "certificate of 'd' claims 10.77.0.11, which peer 'a' holds" "$tmp/b.log"
check "b has no session with d" peer_not_established b d
check "b's route for 10.77.0.11 still goes to a" peer_is b a address 10.77.0.11
check "... and pings from b reach a" ping_ok "$ns_b" 10.77.0.11

"$podnet" cert revoke --ca-dir "$tmp/ca" a >/dev/null
cp "$tmp/ca/revoked.list" "$tmp/rv.revoked"
kill -HUP "$pid_rv"
check "once a is revoked the rendezvous takes d" wait_for 150 peer_established rv d
check "... and so does b" wait_for 150 peer_established b d
d_holds_it() { [[ $(peer_field b d address) == 10.77.0.11 ]] && ping_ok "$ns_b" 10.77.0.11; }
check "... and 10.77.0.11 is d's now" wait_for 50 d_holds_it

# --- F14 and F11: the node's own certificate and key ----------------------
mkdir -p "$tmp/bad"
openssl genpkey -algorithm ed25519 -out "$tmp/bad/e.key" 2>/dev/null
openssl req -new -key "$tmp/bad/e.key" -subj /CN=e -out "$tmp/bad/e.csr"
printf 'basicConstraints = critical,CA:TRUE\nsubjectAltName = IP:10.77.0.20\n' >"$tmp/bad/ext"
openssl x509 -req -in "$tmp/bad/e.csr" -CA "$tmp/ca/ca.crt" -CAkey "$tmp/ca/ca.key" \
	-CAcreateserial -extfile "$tmp/bad/ext" -days 5 -out "$tmp/bad/e.crt" 2>/dev/null
write_config "$tmp/e.conf" e "$tmp/ca" 10.77.0.20/24 51830
sed -i "s|^Certificate = .*|Certificate = $tmp/bad/e.crt|; s|^PrivateKey = .*|PrivateKey = $tmp/bad/e.key|" "$tmp/e.conf"
out=$("$podnetd" --check "$tmp/e.conf" 2>&1) && status=0 || status=$?
check "podnetd refuses a CA:TRUE certificate as its own" \
	test "$status" -eq 1 -a -n "$(grep 'is a CA certificate' <<<"$out")"
before=$(iface_field b rx_handshake_rejected)
run_loadgen "$ns_c" 4 "$tmp/loadgen.out" -C "$tmp/bad/e.crt" \
	-K "$tmp/bad/e.key" "$tmp/ca" "$(nat_public_ip 2):51820" 1
check "b refuses a peer with a CA:TRUE certificate" \
	test "$(iface_field b rx_handshake_rejected)" -gt "$before"
check "... and says why" grep -q "certificate of 'e' is a CA certificate" "$tmp/b.log"

cp "$tmp/ca/b.key" "$tmp/bad/b.key"
chmod 644 "$tmp/bad/b.key"
sed "s|^PrivateKey = .*|PrivateKey = $tmp/bad/b.key|" "$tmp/b.conf" >"$tmp/b2.conf"
out=$("$podnetd" --check "$tmp/b2.conf" 2>&1) && status=0 || status=$?
check "podnetd refuses a private key others can read, naming mode and fix" \
	test "$status" -eq 1 -a -n "$(grep "mode 0644.*chmod 600 $tmp/bad/b.key" <<<"$out")"
check "every key the CLI wrote is 0600" \
	bash -c "! find $tmp/ca -name '*.key' ! -perm 0600 | grep -q ."

daemons_alive rv a b d
ktap_finish
