#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# An unknown sender gets no reply larger than what it sent (fuzz_dispatch
# found one): a handshake datagram whose DTLS record header claims more
# bytes than follow made the stateless listener answer with an alert one
# byte larger, to an address nobody had verified. The attacker host sends
# it, and the control, a data record under an unknown index, which the
# node answers with a session request of at most its size; it sniffs
# what comes back.
#
#  ┌──────────────────────┐          ┌──────────────────────────────┐
#  │ $ns1: alpha          │          │ $ns2: attacker (raw UDP)     │
#  │   pod0 10.77.0.1/24  │          │   attack-spoof, attack-sniff │
#  │   veth1 192.168.245.1├──────────┤   veth2 192.168.245.2        │
#  └──────────────────────┘          └──────────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: no reply larger than its request to an unknown sender"

spoof=$build/test/attack-spoof
sniff=$build/test/attack-sniff
ns_create ns1 alpha
ns_create ns2 attacker
veth_link "$ns1" veth1 192.168.245.1/24 "$ns2" veth2 192.168.245.2/24
make_ca "$tmp/ca" test-net
make_node_cert "$tmp/ca" alpha 10.77.0.1
write_config "$tmp/alpha.conf" alpha "$tmp/ca" 10.77.0.1/24 51820
start_daemon "$ns1" alpha

# podnet handshake header (type 1, receiver 0, sender 0x77777777), then a
# ClientHello record header claiming 65535 bytes, and one byte of them.
truncated=0101000000000000777777771
truncated+=6fefd000000000000ffffffffff
# A data record (type 2) under an unknown index, 300 bytes in all.
unknown=0201000012345678$(printf '17%.0s' $(seq 292))

# attack FROM_PORT HEX COUNT: send HEX COUNT times from the attacker and
# record what alpha sends back to that port in $tmp/replies.
attack() {
	n "$ns2" "$sniff" -n 1000 -t 2500 -p "$1" veth2 >"$tmp/sniffed" 2>/dev/null &
	local sniffer=$!
	sleep 0.3
	n "$ns2" "$spoof" -c "$3" -r 20 "192.168.245.2:$1" 192.168.245.1:51820 "$2"
	wait "$sniffer" || true	# it times out waiting for more
	grep "^192.168.245.1:51820 " "$tmp/sniffed" >"$tmp/replies" || true
}

# bytes_of: the datagrams' bytes in $tmp/replies, added up.
bytes_of() { awk '{ n += length($3) / 2 } END { print n + 0 }' "$tmp/replies"; }

attack 40001 "$unknown" 3
check "control: a record under an unknown index is answered (the sniffer sees replies)" \
	test -s "$tmp/replies"
check "... by no more bytes than were sent" test "$(bytes_of)" -le 900
echo "# control: 3 x 300 bytes sent, $(wc -l <"$tmp/replies") replies, $(bytes_of) bytes"

attack 40002 "$truncated" 20
echo "# truncated ClientHello: 20 x 26 bytes sent, $(wc -l <"$tmp/replies") replies, $(bytes_of) bytes"
check "a truncated ClientHello gets no answer larger than itself" \
	awk '{ if (length($3) / 2 > 26) exit 1 }' "$tmp/replies"
check "... and 20 of them no more bytes than they had" test "$(bytes_of)" -le 520
check "alpha is still running" daemons_alive
ktap_finish
