#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# A user's first-day mistakes, each made for real (issue 13): podnetd
# must stop with exit status 1, say the cause and the fix, and leave no
# interface and no control socket behind. `--check` finds the same
# mistakes and prints one "valid" line when there are none. At run time,
# two nodes with certificates of different CAs log the refusal in words,
# once per peer within a minute although the handshakes repeat.
#
#  ┌────────────────────────────┐         ┌────────────────────────────┐
#  │ $ns1: alpha (CA test-net)  │         │ $ns2: beta (CA other-net)  │
#  │   veth1 192.168.243.1      ├─────────┤   veth2 192.168.243.2      │
#  │   each mistake made here   │         │   podnetd :51820           │
#  │   veth3 192.168.244.1      │         └────────────────────────────┘
#  └─────────────┬──────────────┘
#  ┌─────────────┴──────────────┐
#  │ $ns3: 192.168.244.3        │  an expired certificate (loadgen), and
#  │   epsilon (CA test-net)    │  epsilon, whose [Peer] gamma is alpha's
#  └────────────────────────────┘  address

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: every first-day mistake explains itself"

ns_create ns1 alpha
ns_create ns2 beta
ns_create ns3 gamma
veth_link "$ns1" veth1 192.168.243.1/24 "$ns2" veth2 192.168.243.2/24
veth_link "$ns1" veth3 192.168.244.1/24 "$ns3" veth4 192.168.244.3/24

make_ca "$tmp/ca" "test-net"
make_node_cert "$tmp/ca" alpha 10.77.0.1
make_ca "$tmp/other" "other-net"
make_node_cert "$tmp/other" beta 10.77.0.2
make_node_cert "$tmp/other" alpha 10.77.0.1
make_node_cert "$tmp/ca" epsilon 10.77.0.5

write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820 \
	beta 192.168.243.2:51820
write_config "$tmp/beta.conf" beta "$tmp/other" 10.77.0.2/24 51820 \
	alpha 192.168.243.1:51820
# The TUN path always: where podnet.ko is loaded, auto would not need TUN.
sed -i 's/^LogLevel = debug$/&\nDataPath = tun/' "$tmp/alpha.conf"

# variant NAME SED: alpha.conf edited by SED, with its own control socket.
variant() {
	sed "s|^ControlSocket = .*|ControlSocket = $tmp/$1.sock|; $2" \
		"$tmp/alpha.conf" >"$tmp/$1.conf"
}

# refused NAME PATTERN [PREFIX...]: podnetd (run through PREFIX in alpha's
# namespace) refuses $tmp/NAME.conf with exit status 1 and a message
# matching PATTERN, and leaves no pod0 and no control socket; the same
# for --check (without PREFIX's tricks only when PREFIX is empty).
refused() {
	local name=$1 pattern=$2 out status; shift 2
	# A podnetd that starts anyway is stopped after 5 s (status 124).
	out=$(n "$ns1" timeout 5 "$@" "$podnetd" "$tmp/$name.conf" 2>&1) && status=0 || status=$?
	echo "$out" >"$tmp/$name.out"
	check "$name: podnetd exits 1" test "$status" -eq 1
	check "$name: says '$pattern'" grep -q -- "$pattern" "$tmp/$name.out"
	check "$name: no pod0 was created" bash -c "! ip netns exec $ns1 ip link show dev pod0"
	check "$name: no control socket was left" test ! -e "$tmp/$name.sock"
	out=$(n "$ns1" timeout 5 "$@" "$podnetd" --check "$tmp/$name.conf" 2>&1) && status=0 || status=$?
	echo "$out" >"$tmp/$name.check.out"
	check "$name: --check exits 1 with the same message" \
		bash -c "test $status -eq 1 && grep -q -- \"\$1\" '$tmp/$name.check.out'" _ "$pattern"
}

# --- --check on a good config: one line -------------------------------
out=$(n "$ns1" "$podnetd" --check "$tmp/alpha.conf" 2>&1) && status=0 || status=$?
check "--check of a good config exits 0" test "$status" -eq 0
check "... prints one line, 'valid', and no 'stopped'" \
	test "$(wc -l <<<"$out")" -eq 1 -a -n "$(grep ': valid (node alpha' <<<"$out")"
check "... and creates nothing" bash -c "! ip netns exec $ns1 ip link show dev pod0 && test ! -e $tmp/alpha.sock"
check "podnetd's usage names --check" grep -q -- "--check CONFIG" <<<"$("$podnetd" --help)"

# --- an Address without a prefix: valid, but said before it surprises ---
variant noprefix "s|^Address = \\([0-9.]*\\)/[0-9]*|Address = \\1|"
out=$(n "$ns1" "$podnetd" --check "$tmp/noprefix.conf" 2>&1) && status=0 || status=$?
check "Address without a prefix: --check passes, and warns with the line to write" \
	bash -c "test $status -eq 0 && grep -q 'is a /32 (no prefix given?).*Address = 10.77.0.[0-9]*/24' <<<\"\$1\"" _ "$out"

# --- certificate of another CA ----------------------------------------
variant foreign "s|^Certificate = .*|Certificate = $tmp/other/alpha.crt|; s|^PrivateKey = .*|PrivateKey = $tmp/other/alpha.key|"
refused foreign "is not signed by the CA $tmp/ca/ca.crt (its issuer is 'other-net'"
check "foreign: names the fix" grep -q "podnet cert issue --ca-dir $tmp/ca" "$tmp/foreign.out"

# --- an expired certificate (openssl can backdate, podnet cannot) ------
mkdir -p "$tmp/exp"
openssl genpkey -algorithm ed25519 -out "$tmp/exp/alpha.key" 2>/dev/null
chmod 600 "$tmp/exp/alpha.key"
openssl req -new -key "$tmp/exp/alpha.key" -subj /CN=alpha -out "$tmp/exp/alpha.csr"
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
unique_subject = no
default_md = default
policy = p
x509_extensions = ext
[p]
commonName = supplied
[ext]
subjectAltName = IP:10.77.0.1
basicConstraints = CA:FALSE
EOC
openssl ca -batch -config "$tmp/exp/ca.cnf" -cert "$tmp/ca/ca.crt" -keyfile "$tmp/ca/ca.key" \
	-in "$tmp/exp/alpha.csr" -out "$tmp/exp/alpha.crt" -notext \
	-startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1
variant expired "s|^Certificate = .*|Certificate = $tmp/exp/alpha.crt|; s|^PrivateKey = .*|PrivateKey = $tmp/exp/alpha.key|"
refused expired "expired on 2020-01-02 00:00 UTC (valid from 2020-01-01 00:00 UTC): issue a new one"

# --- a certificate not valid yet (a clock behind, or a typo in --days) --
openssl ca -batch -config "$tmp/exp/ca.cnf" -cert "$tmp/ca/ca.crt" -keyfile "$tmp/ca/ca.key" \
	-in "$tmp/exp/alpha.csr" -out "$tmp/exp/future.crt" -notext \
	-startdate 20990101000000Z -enddate 20991231000000Z >/dev/null 2>&1
variant future "s|^Certificate = .*|Certificate = $tmp/exp/future.crt|; s|^PrivateKey = .*|PrivateKey = $tmp/exp/alpha.key|"
refused future "is not valid yet: valid from 2099-01-01 00:00 UTC, and this machine's clock says 20[0-9-]* [0-9:]* UTC (check the clock)"

# --- a private key others can read ------------------------------------
cp "$tmp/ca/alpha.key" "$tmp/alpha-0644.key"
chmod 0644 "$tmp/alpha-0644.key"
variant keymode "s|^PrivateKey = .*|PrivateKey = $tmp/alpha-0644.key|"
refused keymode "mode 0644); refusing to use it: run chmod 600 $tmp/alpha-0644.key"

# --- CA file missing, and a key as the CA -----------------------------
variant noca "s|^CA = .*|CA = $tmp/ca/nope.crt|"
refused noca "cannot load the CA certificate $tmp/ca/nope.crt: not found"
variant keyca "s|^CA = .*|CA = $tmp/ca/alpha.key|"
refused keyca "cannot load the CA certificate $tmp/ca/alpha.key: not a certificate"

# --- this node's own certificate revoked --------------------------------
"$podnet" cert revoke --ca-dir "$tmp/ca" --list "$tmp/revoked.list" alpha >/dev/null
variant revoked "s|^LogLevel = debug$|&\nRevocationList = $tmp/revoked.list|"
refused revoked "this node's certificate $tmp/ca/alpha.crt is revoked by $tmp/revoked.list (serial 1)"

# --- a ControlSocket path that holds a file: never replaced --------------
# (An unfixed podnetd unlinked whatever was there: a typo could eat a file.)
echo "notes a user keeps" >"$tmp/precious.txt"
cp "$tmp/precious.txt" "$tmp/precious.orig"
variant sockfile "s|^ControlSocket = .*|ControlSocket = $tmp/precious.txt|"
out=$(n "$ns1" timeout 5 "$podnetd" "$tmp/sockfile.conf" 2>&1) && status=0 || status=$?
check "sockfile: podnetd exits 1" test "$status" -eq 1
check "sockfile: says the path is not a socket" \
	grep -q "ControlSocket $tmp/precious.txt exists and is not a socket: remove it, or choose another ControlSocket" <<<"$out"
check "sockfile: the file is still there, unchanged" cmp "$tmp/precious.txt" "$tmp/precious.orig"

# --- an interface name the kernel would refuse ---------------------------
variant badname "s|^Name = .*|Name = pod/0|"
out=$(n "$ns1" "$podnetd" --check "$tmp/badname.conf" 2>&1) && status=0 || status=$?
check "badname: --check exits 1 and names the line and the rule" \
	bash -c "test $status -eq 1 && grep -q 'badname.conf:2: expected an interface name of 1-15 characters of A-Z a-z 0-9 . _ -' <<<\"\$1\"" _ "$out"

# --- a directory as the config ----------------------------------------
out=$(n "$ns1" "$podnetd" "$tmp/ca" 2>&1) && status=0 || status=$?
check "directory: podnetd exits 1" test "$status" -eq 1
check "directory: says 'is a directory'" grep -q "$tmp/ca: is a directory" <<<"$out"

# --- not root ----------------------------------------------------------
# Files nobody may read: a world-readable copy of the config in a
# directory nobody can enter; the check must come before the key.
pub=$(mktemp -d /tmp/podnet-test-pub.XXXXXX)
chmod 755 "$pub"
variant nonroot ""
cp "$tmp/nonroot.conf" "$pub/nonroot.conf"
chmod 644 "$pub/nonroot.conf"
out=$(n "$ns1" timeout 5 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$podnetd" "$pub/nonroot.conf" 2>&1) && status=0 || status=$?
rm -rf "$pub"
check "nonroot: podnetd exits 1" test "$status" -eq 1
check "nonroot: says it needs CAP_NET_ADMIN and how to give it" \
	grep -q "needs CAP_NET_ADMIN .*run it as root, or give the binary the capability (setcap cap_net_admin+ep" <<<"$out"
check "nonroot: no pod0 was created" bash -c "! ip netns exec $ns1 ip link show dev pod0"

# --- no /dev/net/tun (an empty /dev/net in a mount namespace) ----------
variant notun ""
refused notun "/dev/net/tun: does not exist: load the TUN driver (modprobe tun)" \
	unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh

# --- ListenPort taken --------------------------------------------------
# Not through n(): $! must be socat itself, not a subshell.
ip netns exec "$ns1" socat -u UDP4-RECV:51820 - >/dev/null 2>&1 &
socat_pid=$!
wait_for 50 bash -c "ip netns exec $ns1 ss -Hlun 'sport = :51820' | grep -q 51820"
variant porttaken ""
refused porttaken "UDP port 51820 (ListenPort) is already in use (held by socat, pid [0-9]*): set another ListenPort in $tmp/porttaken.conf"
kill "$socat_pid" 2>/dev/null || true
wait_pid_gone "$socat_pid" 50 || kill -KILL "$socat_pid" 2>/dev/null || true

# --- started twice -----------------------------------------------------
start_daemon "$ns1" alpha
out=$(n "$ns1" timeout 5 "$podnetd" "$tmp/alpha.conf" 2>&1) && status=0 || status=$?
check "twice: the second podnetd exits 1" test "$status" -eq 1
check "twice: says another podnetd runs for pod0, with its pid and socket" \
	grep -q "another podnetd (pid $pid_alpha) is already running for pod0 (control socket $tmp/alpha.sock answers)" <<<"$out"
check "twice: the first still runs, with its pod0 and socket" \
	bash -c "kill -0 $pid_alpha && ip netns exec $ns1 ip link show dev pod0 >/dev/null && test -S $tmp/alpha.sock"
check "twice: the first still answers" show_json alpha
out=$(n "$ns1" "$podnetd" --check "$tmp/alpha.conf" 2>&1) && status=0 || status=$?
check "--check of the running config: valid, and says it runs" \
	bash -c "test $status -eq 0 && grep -q 'valid .*podnetd (pid $pid_alpha) is running pod0' <<<\"\$1\"" _ "$out"

# --- at run time: a peer of another CA, in words, once a minute --------
start_daemon "$ns2" beta
check "alpha refuses beta's handshakes, again and again" \
	wait_for 150 iface_above alpha rx_handshake_rejected 3
check "beta refuses alpha's handshakes, again and again" \
	wait_for 150 iface_above beta rx_handshake_rejected 3
warn_lines() { grep 'warn.*handshake with' "$tmp/$1.log" || true; }
check "alpha: one warning about beta, in words" \
	test "$(warn_lines alpha | grep -c "beta's certificate is not signed by this network's CA (its issuer is 'other-net')\|beta refused our certificate (alert unknown_ca)")" -eq 1
check "beta: one warning about alpha, in words" \
	test "$(warn_lines beta | grep -c "alpha's certificate is not signed by this network's CA (its issuer is 'test-net')\|alpha refused our certificate (alert unknown_ca)")" -eq 1
check "alpha: no other warning about handshakes" test "$(warn_lines alpha | wc -l)" -eq 1
check "the warning carries no wolfSSL number" bash -c "! grep 'warn.*handshake with' $tmp/alpha.log | grep -q -- '-188\|-313'"
check "wolfSSL's code is in a debug line" grep -q "debug.*handshake with beta.*wolfSSL error -188\|debug.*handshake with beta.*wolfSSL error -313" "$tmp/alpha.log"
check "the repeats are at debug level" \
	test "$(grep -c "debug.*handshake with beta.* failed: " "$tmp/alpha.log")" -ge 2
check "both daemons still run" daemons_alive alpha beta

# --- at run time: a peer with an expired certificate, with its dates ---
run_loadgen "$ns3" 4 "$tmp/loadgen.out" -C "$tmp/exp/alpha.crt" \
	-K "$tmp/exp/alpha.key" "$tmp/ca" 192.168.244.1:51820 1
check "alpha: an expired peer certificate is refused with its date" \
	grep -q "warn.*handshake with 'alpha' (192.168.244.3:[0-9]*) failed: alpha's certificate has expired (not after 2020-01-02 00:00 UTC)" "$tmp/alpha.log"

# --- at run time: the node at a peer's endpoint has another name -------
write_config "$tmp/epsilon.conf" epsilon "$tmp/ca" 10.77.0.5/24 51820 \
	gamma 192.168.244.1:51820
start_daemon "$ns3" epsilon
check "epsilon: the name alpha presents, and the one configured" \
	wait_for 100 grep -q "warn.*handshake with gamma (192.168.244.1:51820) refused: it presents name 'alpha' but is configured as 'gamma'" "$tmp/epsilon.log"
check "all daemons still run" daemons_alive alpha beta epsilon

ktap_finish
