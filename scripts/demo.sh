#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnet on one machine: a small internet in network namespaces, a
# rendezvous node on it, and two machines behind two different NATs that
# have no public address. They find each other through the rendezvous,
# punch a direct path, and reach each other's services by virtual address:
# ping, ssh, podnet show, podnet ping. Everything is removed at the end.
#
#                 internet 198.18.0.0/24
#        ┌────────────────┬─────────────────────┬──────────────────┐
#   rendezvous 198.18.0.1  [NAT 198.18.0.11]     [NAT 198.18.0.12]
#   (10.77.0.1)            port-restricted        symmetric (random ports)
#                          office 10.101.0.2      laptop 10.102.0.2
#                          (10.77.0.11, sshd)     (10.77.0.12)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [[ $(id -u) -ne 0 ]]; then
	echo "the demo creates network namespaces: run it as root" >&2
	exit 1
fi
scripts/deps.sh
make -s

export PODNET_BUILD=$top/build
source test/lib/netns.sh
source test/lib/nat.sh

cmd() { echo "[#] $*" >&2; "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "A network CA and three node certificates"
mkdir -p "$tmp/ca"
cmd "$podnet" ca create --name demo-net --dir "$tmp/ca"
for node in "rendezvous 10.77.0.1" "office 10.77.0.11" "laptop 10.77.0.12"; do
	set -- $node
	cmd "$podnet" cert issue --ca-dir "$tmp/ca" --dir "$tmp/ca" --name "$1" --address "$2"
done
cmd "$podnet" cert show "$tmp/ca/office.crt"

say "An internet, a rendezvous on it, and two sites behind NATs"
internet_create
public_host_create ns_rv rendezvous 198.18.0.1
site_create ns_office router_office office restricted 1
site_create ns_laptop router_laptop laptop symmetric 2
echo "office is behind a port-restricted cone NAT, laptop behind a symmetric NAT"

conf() { # NAME ADDRESS [extra interface lines]
	cat <<EOC
[Interface]
Address = $2/24
CA = ca/ca.crt
Certificate = ca/$1.crt
PrivateKey = ca/$1.key
ControlSocket = $tmp/$1.sock
${3:-}
EOC
}
conf rendezvous 10.77.0.1 "Rendezvous = yes" >"$tmp/rendezvous.conf"
for n in office laptop; do
	conf "$n" "10.77.0.1$([[ $n == office ]] && echo 1 || echo 2)" >"$tmp/$n.conf"
	printf '\n[Peer]\nName = rendezvous\nEndpoint = 198.18.0.1:51820\nRendezvous = yes\n' >>"$tmp/$n.conf"
done
say "laptop's configuration: it only knows the rendezvous"
cat "$tmp/laptop.conf"

say "Start podnetd on all three"
start_daemon "$ns_rv" rendezvous
start_daemon "$ns_office" office
start_daemon "$ns_laptop" laptop
wait_for 100 peer_established office rendezvous
wait_for 100 peer_established laptop rendezvous
wait_for 50 nat_type_known office || true
wait_for 50 nat_type_known laptop || true
cmd "$podnet" show --socket "$tmp/laptop.sock"

say "ping office from laptop: the rendezvous introduces them, they punch"
cmd ip netns exec "$ns_laptop" ping -c 4 -i 0.3 10.77.0.11

say "ssh to office by its virtual address (a real sshd there)"
start_sshd "$ns_office" 10.77.0.11
cmd ssh_run "$ns_laptop" 10.77.0.11 \
	'echo "hello from $(ip -4 -o addr show dev pod0 | cut -d" " -f7), behind a NAT"'

say "podnet ping: the round trip through the tunnel, and the path"
cmd "$podnet" ping --socket "$tmp/laptop.sock" office

say "podnet show on laptop"
cmd "$podnet" show --socket "$tmp/laptop.sock"
say "podnet show --json on office"
cmd "$podnet" show --json --socket "$tmp/office.sock"

say "Done; removing the namespaces"
