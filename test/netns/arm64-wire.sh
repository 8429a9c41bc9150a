#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# An arm64 podnetd on the wire: beta is the cross-built podnetd
# (make CROSS=aarch64-linux-gnu-, wolfSSL's ARMv8 assembly) running under
# qemu-aarch64-static, alpha the native x86-64 one (PODNET_BUILD; make
# check-arm64 gives it Debian's packaged wolfSSL, portable C, so the two
# ends share no crypto code). For each cipher a
# session, 2 MB each way with sha256 intact and no record refused; then
# beta's default order puts AES-128-GCM first. Run by make check-arm64
# (PODNET_ARM64_BUILD: the cross build); elsewhere it skips. Emulated, so
# it proves the bytes, not the speed.
#
#  ┌──────────────────────────────┐         ┌──────────────────────────────┐
#  │ $ns1: alpha (x86-64)         │         │ $ns2: beta (arm64, qemu)     │
#  │   pod0  10.77.0.1/24         │         │   pod0  10.77.0.2/24         │
#  │   veth1 192.168.245.1        ├─────────┤   veth2 192.168.245.2        │
#  └──────────────────────────────┘         └──────────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: an arm64 podnetd (ARMv8 assembly, under qemu) on the wire"

arm64_build=${PODNET_ARM64_BUILD:-}
qemu=$(command -v qemu-aarch64-static || true)
if [[ -z $arm64_build || ! -x $arm64_build/podnetd || -z $qemu ]]; then
	echo "1..0 # SKIP PODNET_ARM64_BUILD or qemu-aarch64-static missing (make check-arm64 runs this)"
	exit 0
fi
# start_daemon runs $podnetd: a wrapper that execs qemu keeps the pid.
cat >"$tmp/podnetd-arm64" <<EOF
#!/bin/sh
exec $qemu $(cd "$arm64_build" && pwd)/podnetd "\$@"
EOF
chmod +x "$tmp/podnetd-arm64"

# ELF e_machine 183 (EM_AARCH64), at byte 18.
is_aarch64() { [[ $(od -An -tu2 -j18 -N2 "$arm64_build/podnetd" | tr -d ' ') == 183 ]]; }
check "beta's podnetd is an aarch64 binary" is_aarch64

two_node_bed 245
sed -i 's/^LogLevel = debug/LogLevel = info/' "$tmp/alpha.conf" "$tmp/beta.conf"
blob_mb 2

start_pair() {
	start_daemon "$ns1" alpha
	podnetd=$tmp/podnetd-arm64 start_daemon "$ns2" beta
}
stop_pair() {
	check "$1: alpha stops cleanly" stop_daemon alpha
	check "$1: beta stops cleanly" stop_daemon beta
}
set_ciphers() {
	sed -i '/^Ciphers/d' "$tmp/$1.conf"
	sed -i "/^LogLevel/a Ciphers = $2" "$tmp/$1.conf"
}

for cipher in aes-128-gcm chacha20-poly1305 aes-256-gcm; do
	case $cipher in
	chacha20-poly1305) suite=ECDHE-ECDSA-CHACHA20-POLY1305 ;;
	aes-128-gcm) suite=ECDHE-ECDSA-AES128-GCM-SHA256 ;;
	aes-256-gcm) suite=ECDHE-ECDSA-AES256-GCM-SHA384 ;;
	esac
	set_ciphers alpha "$cipher"
	set_ciphers beta "$cipher"
	start_pair
	check "$cipher: session established" wait_for 150 peer_established alpha beta
	check "$cipher: beta's session uses $suite" \
		test "$(peer_field beta alpha cipher)" = "$suite"
	check "$cipher: 2 MB x86-64 -> arm64, sha256 intact" \
		transfer "$ns1" "$ns2" 10.77.0.2 "$tmp/blob"
	check "$cipher: 2 MB arm64 -> x86-64, sha256 intact" \
		transfer "$ns2" "$ns1" 10.77.0.1 "$tmp/blob"
	check "$cipher: alpha refused no record" peer_is alpha beta drop_invalid 0
	check "$cipher: beta refused no record" peer_is beta alpha drop_invalid 0
	stop_pair "$cipher"
done

# No Ciphers line: beta puts AES-128-GCM first. Which end is the DTLS
# server (whose order wins) depends on who dials first, and the
# emulated beta is slow to start, so the check follows the server.
sed -i '/^Ciphers/d' "$tmp/alpha.conf" "$tmp/beta.conf"
: >"$tmp/alpha.log"
: >"$tmp/beta.log"
start_pair
check "defaults: session established" wait_for 150 peer_established alpha beta
check "defaults: beta (arm64 assembly) prefers AES-128-GCM" \
	grep -q "preferred first: ECDHE-ECDSA-AES128-GCM-SHA256:" "$tmp/beta.log"
server=alpha
grep -q "with alpha .* established (server" "$tmp/beta.log" && server=beta
want=$(sed -n 's/.*ciphers, preferred first: \([^:]*\):.*/\1/p' "$tmp/$server.log" | tail -n 1)
check "defaults: the session has its server's ($server's) first choice, $want" \
	test "$(peer_field alpha beta cipher)" = "$want"
check "defaults: beta logs its assembly build" grep -q "(assembly crypto)" "$tmp/beta.log"
check "defaults: show --json says assembly" test "$(iface_field beta crypto_code)" = assembly
stop_pair defaults
rm -f "$tmp/blob" "$tmp/received"

ktap_finish
