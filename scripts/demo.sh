#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnet on one machine: a CA, two nodes in two network namespaces joined
# by a veth cable, a daemon in each, then ping, ssh and `podnet show`
# across the virtual addresses. Everything is removed at the end.
#
#   ┌─ namespace podnet-demo-a ─┐          ┌─ namespace podnet-demo-b ─┐
#   │ pod0 10.77.0.1 (node-a)   │  veth    │ pod0 10.77.0.2 (node-b)   │
#   │ 192.168.77.1:51820        ├──────────┤ 192.168.77.2:51820  sshd  │
#   └───────────────────────────┘          └───────────────────────────┘
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [[ $(id -u) -ne 0 ]]; then
	echo "the demo creates network namespaces: run it as root" >&2
	exit 1
fi
scripts/deps.sh
make -s

podnet=$top/build/podnet
podnetd=$top/build/podnetd
dir=$(mktemp -d /tmp/podnet-demo.XXXXXX)
a=podnet-demo-a
b=podnet-demo-b
pids=()

cmd() { echo "[#] $*" >&2; "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
	set +e
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	ip netns del $a 2>/dev/null
	ip netns del $b 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ip netns del $a 2>/dev/null || true
ip netns del $b 2>/dev/null || true

say "A network CA and two node certificates"
cmd "$podnet" ca create --name demo-net --dir "$dir"
cmd "$podnet" cert issue --ca-dir "$dir" --dir "$dir" --name node-a --address 10.77.0.1
cmd "$podnet" cert issue --ca-dir "$dir" --dir "$dir" --name node-b --address 10.77.0.2
cmd "$podnet" cert show "$dir/node-b.crt"

say "Two machines: network namespaces joined by a veth cable"
cmd ip netns add $a
cmd ip netns add $b
cmd ip link add veth-a netns $a type veth peer name veth-b netns $b
cmd ip -n $a addr add 192.168.77.1/24 dev veth-a
cmd ip -n $b addr add 192.168.77.2/24 dev veth-b
for ns in $a $b; do
	ip -n $ns link set lo up
	ip -n $ns link set "veth-${ns##*-}" up
done

for n in a b; do
	other=$([[ $n == a ]] && echo b || echo a)
	num=$([[ $n == a ]] && echo 1 || echo 2)
	onum=$([[ $n == a ]] && echo 2 || echo 1)
	cat >"$dir/node-$n.conf" <<EOC
[Interface]
Address = 10.77.0.$num/24
ListenPort = 51820
CA = ca.crt
Certificate = node-$n.crt
PrivateKey = node-$n.key
ControlSocket = $dir/node-$n.sock

[Peer]
Name = node-$other
Endpoint = 192.168.77.$onum:51820
EOC
done
say "node-a's configuration"
cat "$dir/node-a.conf"

say "Start podnetd on both"
for n in a b; do
	echo "[#] ip netns exec podnet-demo-$n podnetd $dir/node-$n.conf" >&2
	ip netns exec podnet-demo-$n "$podnetd" "$dir/node-$n.conf" \
		>"$dir/node-$n.log" 2>&1 &
	pids+=($!)
done
for _ in $(seq 50); do
	state=$("$podnet" show --json --socket "$dir/node-a.sock" 2>/dev/null |
		jq -r '.peers[0].state' 2>/dev/null || true)
	[[ $state == established ]] && break
	sleep 0.2
done
cmd ip -n $a addr show dev pod0

say "ping across the virtual addresses"
cmd ip netns exec $a ping -c 3 -i 0.2 10.77.0.2

say "ssh to node-b by its virtual address (a real sshd in node-b)"
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/user_key"
cp "$dir/user_key.pub" "$dir/authorized_keys"
printf 'ListenAddress 10.77.0.2\nHostKey %s\nAuthorizedKeysFile %s\nPidFile %s\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n' \
	"$dir/host_key" "$dir/authorized_keys" "$dir/sshd.pid" >"$dir/sshd_config"
ip netns exec $b /usr/sbin/sshd -D -f "$dir/sshd_config" &
pids+=($!)
sleep 0.5
cmd ip netns exec $a ssh -i "$dir/user_key" -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@10.77.0.2 \
	'echo "hello from $(ip -4 -o addr show dev pod0 | cut -d" " -f7) over podnet"'

say "podnet show on node-a"
cmd "$podnet" show --socket "$dir/node-a.sock"
say "podnet show --json on node-b"
cmd "$podnet" show --json --socket "$dir/node-b.sock"

say "Done; removing the namespaces"
