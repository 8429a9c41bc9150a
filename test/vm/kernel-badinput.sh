#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Bad input for podnet.ko: malformed generic netlink requests are refused
# with an extack message that says why (printed here), and junk
# datagrams at an attached port (random bytes, short headers, bad
# versions and types, broken records under a live index, a replay) are
# counted and dropped, or passed up to the daemon's socket untouched,
# exactly as doc/wire.md and the uapi header say; the session survives.
#
#  ┌──────────────────────────┐           ┌──────────────────────────┐
#  │ $ns1: alpha              │           │ $ns2: beta               │
#  │   pod0 10.77.0.1/24      │           │   pod0 10.77.0.2/24      │
#  │   kctl up :51820         │           │   kctl up :51820         │
#  │   record-peer junk ──────┼──────────►│   (the target)           │
#  │   veth1 192.168.241.1    ├───────────┤   veth2 192.168.241.2    │
#  └──────────────────────────┘           └──────────────────────────┘

# shellcheck source=lib-kernel.sh
source "$(dirname "$0")/lib-kernel.sh"
ktap_header "podnet.ko: bad input"
vm_require_podnet

vm_load_podnet_check
kernel_bed chacha
check "ping alpha -> beta" n "$ns1" ping -c 2 -W 3 10.77.0.2

# Every malformed request is refused, with a message.
for c in $("$kctl" raw list); do
	out=$(n "$ns2" "$kctl" raw "$c" pod0 2>&1) && res=0 || res=$?
	echo "# $out"
	if [[ $res -eq 0 ]]; then ok "refused with extack: $c"; else not_ok "refused with extack: $c"; fi
done
check "a non-podnet device is refused" bash -c "
	ip netns exec $ns2 $kctl raw peer-id-zero veth2 | grep -q 'peer-id-zero:'"
check "the session still works" n "$ns1" ping -c 2 -W 3 10.77.0.2

# Junk from alpha's namespace at beta's port. record-peer knows beta's
# index and alpha's keys, so it also sends one valid keepalive twice.
before_passed=0
# shellcheck disable=SC2046
n "$ns1" "$record_peer" junk $(key_opts chacha a 1) --bind 192.168.241.1:0 \
	--peer 192.168.241.2:51820 --count 3000 >"$tmp/junk.txt" 2>&1
check "3000 junk datagrams sent" grep -q "^expect " "$tmp/junk.txt"
read -r malformed invalid replay passed < <(sed -n 's/^expect malformed=\([0-9]*\) invalid=\([0-9]*\) replay=\([0-9]*\) passed=\([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/junk.txt")
echo "# expected: malformed $malformed, invalid $invalid, replay $replay, passed up $passed"
sleep 1
dev_malformed=$(kshow "$ns2" '.stats.rx_malformed')
peer_invalid=$(peer_stat "$ns2" drop_invalid)
peer_replay=$(peer_stat "$ns2" drop_replay)
echo "# counted:  malformed $dev_malformed, invalid $peer_invalid, replay $peer_replay"
check "bad headers counted as malformed" test "$dev_malformed" -eq "$malformed"
check "broken records under beta's index counted as invalid" test "$peer_invalid" -eq "$invalid"
check "the replayed keepalive counted as a replay" test "$peer_replay" -eq "$replay"
kill -TERM "$kctl_pid_beta"
wait_for 50 grep -q '"exit"' "$tmp/beta.log"
got_passed=$(sed -n 's/.*"exit","passed_up":\([0-9]*\).*/\1/p' "$tmp/beta.log")
echo "# passed up to beta's socket: $got_passed"
check "the rest reached the daemon's socket unchanged (none lost)" test "${got_passed:-0}" -eq "$passed"
# shellcheck disable=SC2046
kctl_up "$ns2" beta2 pod0 51820 1 192.168.241.1:51820 10.77.0.1/32 $(key_opts chacha b 1) --tx-seq $((1 << 41))
check "the session survives the junk" n "$ns1" ping -c 3 -W 3 10.77.0.2
check "beta: no spoofed or keyless drops" bash -c "
	[[ \$(ip netns exec $ns2 $kctl show pod0 --json | jq '.peer_list[0].stats | .drop_bad_source + .drop_no_key') == 0 ]]"

# A spoofed inner source: alpha may only send from 10.77.0.1/32.
n "$ns1" ip addr add 10.77.0.9/24 dev pod0
n "$ns1" ip route add 10.77.0.2/32 dev pod0 src 10.77.0.9 2>/dev/null ||
	n "$ns1" ip route replace 10.77.0.2/32 dev pod0 src 10.77.0.9
n "$ns1" ping -c 3 -W 1 10.77.0.2 >/dev/null 2>&1 || true
check "inner sources beta does not allow are dropped (drop_bad_source)" \
	bash -c "[[ \$(ip netns exec $ns2 $kctl show pod0 --json | jq '.peer_list[0].stats.drop_bad_source') -ge 3 ]]"
dmesg_clean_check
ktap_finish
