#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The TCP/TLS transport (doc/transport.md) behind firewalls that drop UDP:
#  1. fw: its router drops all UDP and lets TCP out only to an HTTP proxy
#     (tinyproxy, basic auth). It falls back to TCP through the proxy,
#     reaches open through the rendezvous' relay: ssh, a sha256-checked
#     transfer, the throughput;
#  2. fw2: UDP dropped, TCP only to the rendezvous' port 443: direct TCP;
#     web: TCP only to an nginx on port 80 (where only HTTP passes): a
#     WebSocket that nginx passes on to the rendezvous' port;
#  3. bad input on the rendezvous' TCP port (garbage, a client that stalls
#     in its handshake, a malformed frame inside TLS) closes only that
#     stream; a reload of both ends leaves fw's stream up;
#  4. the block on fw lifts: back on UDP within 30 s (the time printed),
#     then a direct path to open and the same transfer over it, for the
#     throughput beside the TCP one;
#  5. UDP is blocked again mid-session: fw notices (its rendezvous falls
#     silent) and is back on TCP within 30 s; datagrams spoofed from the
#     rendezvous' address do not pull it back to UDP.
#
#            ┌─────────────── internet 198.18.0.0/24 ───────────────┐
#   rv 198.18.0.1        proxy 198.18.0.2     gw 198.18.0.3       open 198.18.0.13
#   (rendezvous, relay,  (tinyproxy :8888,    (nginx :80, /podnet  (no NAT)
#    ListenTcp = 443)     BasicAuth)           -> WebSocket rv:443)
#     [NAT .11 + firewall: no UDP,  [NAT .12 + firewall:  [NAT .14 + firewall:
#      TCP only to the proxy]        TCP only to rv:443]   TCP only to gw:80]
#      fw 10.101.0.2                 fw2 10.102.0.2        web 10.104.0.2

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
source "$(dirname "$0")/../lib/chaos.sh"
transfer_timeout=45
ktap_header "podnet: TCP/TLS transport through UDP-blocking firewalls and a proxy"

command -v tinyproxy >/dev/null || { echo "1..0 # SKIP tinyproxy not installed"; exit 0; }
proxy_ip=198.18.0.2
mb=${TCP_FALLBACK_MB:-100}

NAT_RELAY_LIMIT=4000 nat_podnet_bed
# The rendezvous listens for TLS on 443 too.
stop_daemon rv
sed -i "/^LogLevel/a ListenTcp = 443" "$tmp/rv.conf"
start_daemon "$ns_rv" rv

public_host_create ns_px proxy "$proxy_ip"
cat >"$tmp/tinyproxy.conf" <<EOC
User nobody
Group nogroup
Port 8888
Listen $proxy_ip
Timeout 600
MaxClients 20
Allow 198.18.0.0/16
BasicAuth pod s3cret
ConnectPort 443
LogLevel Info
EOC
start_proxy() {
	ip netns exec "$ns_px" tinyproxy -d -c "$tmp/tinyproxy.conf" >>"$tmp/tinyproxy.log" 2>&1 &
	proxy_pid=$!
	daemon_pids+=("$proxy_pid")
}
start_proxy
wait_for 50 _tcp_listening "$ns_px" 8888 || echo "# tinyproxy did not come up"

# Where only HTTP passes: an nginx on the internet that upgrades
# /podnet to a WebSocket and passes it on to the rendezvous' port.
gw_ip=
if command -v nginx >/dev/null; then
	gw_ip=198.18.0.3
	public_host_create ns_gw gw "$gw_ip"
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx.conf" <<EOC
daemon off;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log info;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	server {
		listen $gw_ip:80;
		location /podnet {
			proxy_pass http://$nat_rendezvous:443;
			proxy_http_version 1.1;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection "upgrade";
			proxy_read_timeout 600s;
			proxy_buffering off;
		}
	}
}
EOC
	ip netns exec "$ns_gw" nginx -c "$tmp/nginx.conf" >>"$tmp/nginx.log" 2>&1 &
	daemon_pids+=($!)
	wait_for 50 _tcp_listening "$ns_gw" 80 || echo "# nginx did not come up"
fi

# firewall ROUTER ALLOWED_IP ALLOWED_PORT: drop every UDP datagram the
# router would forward, and TCP to anything but ALLOWED_IP:ALLOWED_PORT.
firewall() {
	n "$1" nft -f - <<-EOC
	table ip podnet_fw {
		counter udp_dropped {}
		chain forward {
			type filter hook forward priority filter - 10; policy accept;
			meta l4proto udp counter name udp_dropped drop
			iifname "lan" meta l4proto tcp ip daddr != $2 drop
			iifname "lan" meta l4proto tcp tcp dport != $3 drop
		}
	}
	EOC
}

# fw_node NAME N LINE [IP PORT]: a node behind a restricted NAT whose
# firewall (TCP only to IP:PORT; the proxy, or with no LINE the
# rendezvous' 443) is up before podnetd starts.
fw_node() {
	local name=$1 num=$2 var=${1//-/_} __node __router
	site_create __node __router "$name" restricted "$num"
	printf -v "ns_$var" '%s' "$__node"
	printf -v "router_$var" '%s' "$__router"
	if [[ -n ${4:-} ]]; then firewall "$__router" "$4" "$5"
	elif [[ -n $3 ]]; then firewall "$__router" "$proxy_ip" 8888
	else firewall "$__router" "$nat_rendezvous" 443; fi
	make_node_cert "$tmp/ca" "$name" "10.77.0.$((10 + num))"
	nat_rv_config "$name" "$tmp/ca" "10.77.0.$((10 + num))/24"
	sed -i "/^LogLevel/a KeepaliveInterval = 10\nPunchTimeout = 3\nPunchRetry = 5" "$tmp/$name.conf"
	[[ -z $3 ]] || sed -i "/^LogLevel/a $3" "$tmp/$name.conf"
	start_daemon "$__node" "$name"
}

fw_node fw 1 "Proxy = http://pod:s3cret@$proxy_ip:8888"
fw_node fw2 2 ""
if [[ -n $gw_ip ]]; then
	fw_node web 4 "WebSocket = http://$gw_ip:80/podnet" "$gw_ip" 80
fi
NAT_PUNCH_RETRY=5 nat_podnet_node open none 3
t_start=$(date +%s)

on_tcp() { [[ $(iface_field "$1" transport) == tcp ]] && peer_established "$1" rv; }
check "fw falls back to TCP through the proxy and registers" wait_for 300 on_tcp fw
echo "# fw on TCP after $(( $(date +%s) - t_start )) s"
check "fw2 falls back to TCP straight to port 443" wait_for 200 on_tcp fw2
check "fw says why (udp to rendezvous unanswered since ...)" \
	bash -c "[[ '$(iface_field fw transport_reason)' == 'udp to rendezvous rv unanswered since '* ]]"
check "fw names its proxy, without the password" \
	test "$(iface_field fw tcp_proxy)" = "http://(hidden)@$proxy_ip:8888"
"$podnet" show --socket "$tmp/fw.sock" | grep -E "transport|tcp" | sed 's/^/# fw: /'
check "the firewall dropped fw's UDP" \
	test "$(n "$router_fw" nft list counter ip podnet_fw udp_dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')" -gt 0

check "fw reaches open" wait_for 150 n "$ns_fw" ping -c 1 -W 1 10.77.0.13
check "... through the relay" test "$(peer_field fw open path)" = relay
check "... over TCP, as fw and rv both show" \
	test "$(peer_field fw open path_transport)/$(peer_field rv fw path_transport)" = tcp/tcp
check "fw2 reaches open" wait_for 150 n "$ns_fw2" ping -c 1 -W 1 10.77.0.13
head -c 20000000 /dev/urandom >"$tmp/blob20"
check "20 MB fw2 -> open over direct TCP (no proxy), intact (sha256)" transfer "$ns_fw2" "$ns_open" 10.77.0.13 "$tmp/blob20"
echo "# throughput fw2 -> open over direct TCP + relay: $(( 20 * 1000 * 8 / $(cat "$tmp/transfer.ms") )) Mbit/s"
if [[ -n $gw_ip ]]; then
	check "web falls back to TCP as a WebSocket through nginx" wait_for 200 on_tcp web
	"$podnet" show --socket "$tmp/web.sock" | grep -E "transport" | sed 's/^/# web: /'
	check "web reaches open" wait_for 150 n "$ns_web" ping -c 1 -W 1 10.77.0.13
	check "20 MB web -> open over the WebSocket, intact (sha256)" \
		transfer "$ns_web" "$ns_open" 10.77.0.13 "$tmp/blob20"
	echo "# throughput web -> open over WebSocket (nginx) + relay: $(( 20 * 1000 * 8 / $(cat "$tmp/transfer.ms") )) Mbit/s"
else
	echo "# SKIP WebSocket: nginx not installed"
fi
check "fw reaches fw2 (both on TCP, relayed)" wait_for 100 n "$ns_fw" ping -c 1 -W 1 10.77.0.12

start_sshd "$ns_open" 10.77.0.13
check "ssh from fw to open across the tunnel" \
	test "$(ssh_run "$ns_fw" 10.77.0.13 echo tunnel-ok)" = tunnel-ok

blob_mb "$mb"
throughput() { echo "$(( mb * 1000 * 8 / $(cat "$tmp/transfer.ms") )) Mbit/s ($mb MB in $(cat "$tmp/transfer.ms") ms)"; }
check "$mb MB fw -> open over TCP via the proxy, intact (sha256)" \
	transfer "$ns_fw" "$ns_open" 10.77.0.13 "$tmp/blob"
tcp_rate=$(throughput)
echo "# throughput over TCP (proxy + relay): $tcp_rate"
check "... the stream carried it (> $mb MB out on fw's TLS stream)" \
	test "$(iface_field fw tcp_tx_bytes)" -gt $((mb * 1000000))

# --- bad input on the TCP port ---------------------------------------------
# iface_ge NODE FIELD N: the counter is at least N (asked at each try).
iface_ge() { local v; v=$(iface_field "$1" "$2") || return 1; [[ $v -ge $3 ]] || { echo "# $1: $2 is $v, below $3"; return 1; }; }
failed0=$(iface_field rv tcp_streams_failed)
accepted0=$(iface_field rv tcp_streams_accepted)
n "$ns_open" bash -c "head -c 3000 /dev/urandom | timeout 5 socat -u - TCP:$nat_rendezvous:443" || true
n "$ns_open" bash -c "printf 'GET / HTTP/1.1\r\nHost: rv\r\n\r\n' | timeout 5 socat -u - TCP:$nat_rendezvous:443" || true
n "$ns_open" bash -c "{ printf '\x16\x03\x01\x02\x00\x01'; sleep 15; } | timeout 16 socat -u - TCP:$nat_rendezvous:443" &
slow=$!
# A node's certificate, so TLS succeeds, then a frame of length 0.
n "$ns_open" bash -c "{ sleep 1; printf '\x00\x00'; sleep 2; } | timeout 8 openssl s_client -quiet -connect $nat_rendezvous:443 -cert $tmp/ca/open.crt -key $tmp/ca/open.key -CAfile $tmp/ca/ca.crt" >"$tmp/s_client.log" 2>&1 || true
check "a malformed frame inside TLS ends its stream (counted)" \
	wait_for 50 iface_ge rv tcp_rx_malformed 1
check "garbage, an HTTP request that is no upgrade and a stalled handshake are counted as failed streams" \
	wait_for 150 iface_ge rv tcp_streams_failed $((failed0 + 3))
wait "$slow" 2>/dev/null || true
check "... the rendezvous runs on" daemons_alive rv
# A reload renews the TLS contexts; streams up keep theirs.
kill -HUP "$pid_rv" "$pid_fw"
sleep 0.5
check "... and fw's stream is untouched (after a reload of both, too)" \
	n "$ns_fw" ping -c 2 -i 0.2 -W 2 10.77.0.13
check "... the same stream" test "$(iface_field rv tcp_streams_accepted)" -eq "$(( accepted0 + 4 ))"
"$podnet" show --socket "$tmp/rv.sock" | grep "tcp listener" | sed 's/^/# rv: /'

# --- back to UDP ----------------------------------------------------------
n "$router_fw" nft delete table ip podnet_fw
t0=$(date +%s%N)
on_udp() { [[ $(iface_field fw transport) == udp ]]; }
check "the block lifts: fw back on UDP within 30 s" wait_for 300 on_udp fw
echo "# back on UDP after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "... and on a direct path to open within 30 s more" \
	wait_for 300 peer_is fw open path direct
echo "# direct after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "$mb MB fw -> open over direct UDP, intact (sha256)" \
	transfer "$ns_fw" "$ns_open" 10.77.0.13 "$tmp/blob"
udp_rate=$(throughput)
echo "# throughput over direct UDP on the same bed: $udp_rate (TCP: $tcp_rate)"

# --- blocked again, mid-session -------------------------------------------
firewall "$router_fw" "$proxy_ip" 8888
t0=$(date +%s%N)
check "UDP blocked again: fw falls back to TCP within 30 s" wait_for 300 on_tcp fw
echo "# back on TCP after $(( ($(date +%s%N) - t0) / 1000000 )) ms (at most KeepaliveInterval 10 s + 2 s of quiet + 5 s of probes)"
check "... and reaches open again (relayed)" \
	wait_for 150 n "$ns_fw" ping -c 1 -W 1 10.77.0.13
# Datagrams spoofed from the rendezvous' address, sent here by fw's
# router as any host on the way in could: no sign that UDP works, since
# only records that authenticate are. (They used to pull fw off TCP
# until its probes failed again, about 17 s later.)
spoof=$build/test/attack-spoof
if [[ -x $spoof ]]; then
	log_from=$(($(wc -l <"$tmp/fw.log") + 1))
	malformed0=$(iface_field fw rx_malformed)
	# Untracked, or the router's conntrack entry of fw's own datagrams
	# to the rendezvous (the same addresses, reversed) swallows them.
	n "$router_fw" nft -f - <<-EOC
	table ip podnet_spoof {
		chain output {
			type filter hook output priority raw;
			ip saddr $nat_rendezvous udp dport 51820 notrack
		}
	}
	EOC
	n "$router_fw" "$spoof" -c 30 -r 10 "$nat_rendezvous:51820" 10.101.0.2:51820 \
		17fefd00010000000000000001000411223344
	n "$router_fw" nft delete table ip podnet_spoof
	check "30 datagrams spoofed from the rendezvous' address reach fw (rx_malformed)" \
		wait_for 20 iface_ge fw rx_malformed $((malformed0 + 30))
	check "... and fw stays on TCP" on_tcp fw
	check "... and does not log a move back to UDP" \
		bash -c "! tail -n +$log_from '$tmp/fw.log' | grep -q 'back from TCP'"
else
	echo "# SKIP spoofed datagrams: $spoof missing (make attack-tools)"
fi
# --- restarts and cuts while on TCP -----------------------------------------
# fw is on TCP through the proxy and reaches open through the relay. Each
# change below is timed from the moment it happens to the first ping
# fw -> open answered again.
fw_open() { pings "$ns_fw" 10.77.0.13; }
# A sha256-checked TCP stream fw -> open (3 s, ~3 MB/s) runs through it.
stream_through() {
	stream_finish
	check "... a TCP stream through it arrived intact (longest stall $stream_gap_ms ms)" stream_passed
}
stream_start "$ns_fw" "$ns_open" 10.77.0.13 3
sleep 1
t0=$(now_ms)
kill9_restart "$ns_rv" rv
# The other kinds of stream, timed from the same kill.
pinger_start "$tmp/fw2.ping" "$ns_fw2" 10.77.0.13 15
[[ -z $gw_ip ]] || pinger_start "$tmp/web.ping" "$ns_web" 10.77.0.13 15
recovery_check "rendezvous killed (-9) and restarted: fw (TCP via proxy) -> open (relay)" \
	"$t0" 15 fw_open
stream_through
pinger_check "... fw2 (direct TCP to 443) -> open" "$tmp/fw2.ping" "$t0" 15
[[ -z $gw_ip ]] ||
	pinger_check "... web (WebSocket through nginx) -> open" "$tmp/web.ping" "$t0" 15
check "... fw on a new stream to the new rendezvous" iface_above rv tcp_streams_accepted 0
check "... and still on TCP" on_tcp fw

# A loud cut: the router forgets its mappings and fw's socket to the
# proxy is torn down under the daemon (as a NAT box's reboot with RST).
accepted=$(iface_field rv tcp_streams_accepted)
stream_start "$ns_fw" "$ns_open" 10.77.0.13 3
sleep 1
t0=$(now_ms)
n "$router_fw" conntrack -F 2>/dev/null || true
n "$ns_fw" ss -K dst "$proxy_ip" dport = :8888 >/dev/null
recovery_check "fw's TCP connection cut (conntrack -F, ss -K): fw -> open" "$t0" 15 fw_open
stream_through
check "... over a new stream" iface_above rv tcp_streams_accepted "$accepted"

# The proxy restarts: it closes both halves of every tunnel it held.
accepted=$(iface_field rv tcp_streams_accepted)
t0=$(now_ms)
kill -KILL "$proxy_pid"
wait "$proxy_pid" 2>/dev/null || true
start_proxy
recovery_check "the proxy killed (-9) and restarted: fw -> open" "$t0" 15 fw_open
check "... over a new stream" iface_above rv tcp_streams_accepted "$accepted"

# A silent cut: a strict NAT forgets the mapping and drops what comes of
# the old connection (TCP's own rebinding): nothing tells fw's socket.
accepted=$(iface_field rv tcp_streams_accepted)
n "$router_fw" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
n "$router_fw" nft insert rule ip podnet_fw forward ct state invalid drop
t0=$(now_ms)
n "$router_fw" conntrack -F 2>/dev/null || true
recovery_check "fw's NAT forgets its TCP mapping silently (conntrack -F, no loose pickup): fw -> open" \
	"$t0" 30 fw_open
check "... over a new stream" iface_above rv tcp_streams_accepted "$accepted"

# The peer at the other end of the relay restarts. fw's pings reach the
# new open under the old session; open asks fw through the relay for a
# handshake (even for records smaller than the request: dispatch.c), and
# fw's doubt ping, unanswered, makes it dial: 1.3-4.6 s on a loaded
# machine (up to 9.3 s before open asked for small records too; the bound
# keeps a margin for the load, as the other steps here).
t0=$(now_ms)
kill9_restart "$ns_open" open
recovery_check "open killed (-9) and restarted: fw (TCP via proxy) -> open (relay)" "$t0" 10 fw_open
check "daemons alive after the restarts" daemons_alive rv fw open
echo "# test took $(( $(date +%s) - t_start )) s after the daemons started"

[[ -z ${KEEP_LOGS:-} ]] || cp "$tmp"/*.log "$KEEP_LOGS"/
ktap_finish
