#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Two builds of the same wire: alpha's podnetd is linked against Debian's
# packaged wolfSSL (portable C crypto), beta's against the assembly build
# of `make` on a CPU with AES-NI, PCLMULQDQ and AVX2 (AVX2 ChaCha20/Poly1305, AES-NI GCM). For each
# cipher the Ciphers setting can pick, 20 MB cross in each direction with
# sha256 intact and no record refused; without a Ciphers line each build
# prefers its fastest AEAD; two nodes without a cipher in common are
# refused a session. Run by `make check-asm` (PODNET_BUILD: a
# WOLFSSL=system build, PODNET_ASM_BUILD: the default one); elsewhere it
# skips.
#
#  ┌──────────────────────────────┐         ┌──────────────────────────────┐
#  │ $ns1: alpha                  │         │ $ns2: beta                   │
#  │   podnetd: Debian's wolfSSL  │         │   podnetd: wolfSSL with asm  │
#  │   pod0  10.77.0.1/24         │         │   pod0  10.77.0.2/24         │
#  │   veth1 192.168.246.1        ├─────────┤   veth2 192.168.246.2        │
#  └──────────────────────────────┘         └──────────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: packaged and assembly wolfSSL builds on one wire"

asm_build=${PODNET_ASM_BUILD:-}
if [[ -z $asm_build ]]; then
	echo "1..0 # SKIP PODNET_ASM_BUILD is not set (make check-asm sets it)"
	exit 0
fi
asm_podnetd=$asm_build/podnetd

# The point is two different libraries: make sure that is what runs.
# The assembly build is linked in statically (scripts/wolfssl-asm.sh).
libwolfssl() { ldd "$1" | awk '/libwolfssl/ { print $3 }'; }
packaged_lib() {
	local lib
	lib=$(libwolfssl "$podnetd")
	[[ -n $lib && $lib != */wolfssl-asm/* ]] &&
		dpkg -S "*/$(basename "$lib")" | grep -q '^libwolfssl'
}
asm_lib() { [[ -z $(libwolfssl "$asm_podnetd") ]] && nm "$asm_podnetd" | grep -c ' T AES_GCM_encrypt_avx2$' >/dev/null; }
check "alpha's podnetd uses Debian's packaged libwolfssl" packaged_lib
check "beta's podnetd has the assembly build linked in (AVX2, AES-NI)" asm_lib

two_node_bed 246
# Less noise: the debug log of 40 MB of traffic is not the point.
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
blob_mb 20

# start_pair: alpha on Debian's library, beta on the assembly build.
start_pair() {
	start_daemon "$ns1" alpha
	podnetd=$asm_podnetd start_daemon "$ns2" beta
}

# stop_pair LABEL: both must exit within 5 s.
stop_pair() {
	check "$1: alpha stops cleanly" stop_daemon alpha
	check "$1: beta stops cleanly" stop_daemon beta
}

# set_ciphers NODE LIST
set_ciphers() {
	sed -i '/^Ciphers/d; /^Threads/d' "$tmp/$1.conf"
	sed -i "/^LogLevel/a Ciphers = $2" "$tmp/$1.conf"
}

for cipher in chacha20-poly1305 aes-128-gcm aes-256-gcm; do
	case $cipher in
	chacha20-poly1305) suite=ECDHE-ECDSA-CHACHA20-POLY1305 ;;
	aes-128-gcm) suite=ECDHE-ECDSA-AES128-GCM-SHA256 ;;
	aes-256-gcm) suite=ECDHE-ECDSA-AES256-GCM-SHA384 ;;
	esac
	# alpha offers all three, the chosen one first; beta only that one.
	others=$(for c in chacha20-poly1305 aes-128-gcm aes-256-gcm; do
		[[ $c == "$cipher" ]] || printf ', %s' "$c"
	done)
	set_ciphers alpha "$cipher$others"
	set_ciphers beta "$cipher"
	# Two crypto threads on the assembly side: its AVX2 code in threads.
	sed -i '/^LogLevel/a Threads = 2' "$tmp/beta.conf"
	start_pair
	check "$cipher: session established" wait_for 100 peer_established alpha beta
	check "$cipher: alpha's session uses $suite" \
		test "$(peer_field alpha beta cipher)" = "$suite"
	check "$cipher: beta's session uses $suite" \
		test "$(peer_field beta alpha cipher)" = "$suite"
	check "$cipher: 20 MB packaged -> asm, sha256 intact" \
		transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
	check "$cipher: 20 MB asm -> packaged, sha256 intact" \
		transfer "$ns2" "$ns1" 10.77.0.1 "$tmp/blob"
	check "$cipher: beta's two crypto threads both worked (show --json)" \
		test "$(iface_field beta crypto_worker_jobs)" -gt 0
	check "$cipher: show --json names each build's crypto code" \
		test "$(iface_field alpha crypto_code)/$(iface_field beta crypto_code)" = portable/assembly
	check "$cipher: alpha refused no record" peer_is alpha beta drop_invalid 0
	check "$cipher: beta refused no record" peer_is beta alpha drop_invalid 0
	stop_pair "$cipher"
done

# No Ciphers line: each build puts its fastest first. beta, the DTLS
# server here (names decide), picks from its own list: AES-128-GCM first
# in the assembly build on a CPU with AES-NI and PCLMULQDQ.
sed -i '/^Ciphers/d; /^Threads/d' "$tmp/alpha.conf" "$tmp/beta.conf"
want=ECDHE-ECDSA-CHACHA20-POLY1305
grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo &&
	want=ECDHE-ECDSA-AES128-GCM-SHA256
start_pair
check "defaults: session established" wait_for 100 peer_established alpha beta
check "defaults: the assembly server's first choice, $want" \
	test "$(peer_field alpha beta cipher)" = "$want"
check "defaults: alpha logs its build and order" \
	grep -q "(portable crypto); ciphers, preferred first: ECDHE-ECDSA-CHACHA20-POLY1305:" "$tmp/alpha.log"
check "defaults: beta logs its build" grep -q "(assembly crypto)" "$tmp/beta.log"
check "defaults: 20 MB packaged -> asm, sha256 intact" \
	transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
stop_pair defaults

# No cipher in common: no session, and the reason is in the log.
set_ciphers alpha chacha20-poly1305
set_ciphers beta "aes-128-gcm, aes-256-gcm"
start_pair
sleep 3
check "no cipher in common: no session" peer_not_established alpha beta
check "no cipher in common: ... on either side" peer_not_established beta alpha
check "no cipher in common: alpha logs the refused handshake" \
	wait_for 50 grep -q "handshake with beta (192.168.246.2:51820) failed" "$tmp/alpha.log"
check "no cipher in common: alpha counts it (rx_handshake_rejected)" \
	wait_for 50 iface_above alpha rx_handshake_rejected 0
no_traffic() { daemons_alive alpha beta && ! n "$ns1" ping -c 1 -W 1 10.77.0.2; }
check "traffic does not pass (both daemons running)" no_traffic
rm -f "$tmp/blob" "$tmp/received"

ktap_finish
