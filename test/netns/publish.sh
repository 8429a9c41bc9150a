#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Publishing (doc/publish.md): a web server on a node behind a symmetric
# NAT, reached from an internet host that runs no podnet, through the
# rendezvous' public address:
#  - by a port of its own: kernel DNAT (8080) and relayed by podnetd (8081);
#  - by TLS server name on the shared port 443 (never decrypted there);
#  - a PROXY v2 header carries the internet client's address (9000, and
#    after a ClientHello on 443 for *.pp.example.net);
#  - MaxConnections and IdleTimeout (8082);
#  - garbage and a partial ClientHello on 443 close only their own
#    connection while a download goes on.
#
#   client 198.18.0.5 ──┐       internet 198.18.0.0/24
#   client2 198.18.0.6 ─┤
#   (curl, openssl,     │
#    no podnet)         ├── rv 198.18.0.1 (rendezvous; [Publish]; pod0 10.77.0.1)
#                       │     nft table ip podnet_publish_pod0 (DNAT+SNAT)
#                       └── [symmetric NAT .12] ── web 10.102.0.2
#                                 pod0 10.77.0.12: http :80, https :443
#                                 (openssl s_server), PROXY recorders :9000 :9001

source "$(dirname "$0")/../lib/netns.sh"
source "$(dirname "$0")/../lib/nat.sh"
source "$(dirname "$0")/../lib/recovery.sh"
ktap_header "podnet: publishing node services to the internet"

BLOB_MB=${PUBLISH_BLOB_MB:-100}
rv_pub=$nat_rendezvous

internet_create
public_host_create ns_rv rv "$rv_pub"
public_host_create ns_client client 198.18.0.5
public_host_create ns_client2 client2 198.18.0.6
# The kernel forwards for Mode = kernel (doc/publish.md).
n "$ns_rv" sysctl -qw net.ipv4.ip_forward=1
make_ca "$tmp/ca" publish-test
make_node_cert "$tmp/ca" rv 10.77.0.1
write_config "$tmp/rv.conf" rv "$tmp/ca" 10.77.0.1/24 51820
sed -i "/^LogLevel/a Rendezvous = yes" "$tmp/rv.conf"
cat >>"$tmp/rv.conf" <<-END_OF_PUBLISH

[Publish]
Name = web-kernel
Listen = 8080
Target = web:80
Mode = kernel

[Publish]
Name = web-proxy
Listen = 0.0.0.0:8081
Target = web:80
Mode = proxy

[Publish]
Name = tls
Listen = 443
ServerName = web.example.net
Target = web:443

[Publish]
Name = tls-pp
Listen = 443
ServerName = *.pp.example.net
Target = web:9001
ProxyProtocol = v2

[Publish]
Name = raw-pp
Listen = 9000
Target = web:9000
ProxyProtocol = v2

[Publish]
Name = limited
Listen = 8082
Target = web:80
Mode = proxy
MaxConnections = 1
IdleTimeout = 2

[Publish]
Name = ghost
Listen = 8084
Target = ghost:80
Mode = proxy

[Publish]
Name = auto-v6
Listen = [::]:8083
Target = web:80
END_OF_PUBLISH
start_daemon "$ns_rv" rv
nat_podnet_node web symmetric 2
web=10.77.0.12
check "web registers with the rendezvous through its symmetric NAT" \
	wait_for 150 peer_established rv web

# --- the services on the node ------------------------------------------
mkdir -p "$tmp/www"
head -c "$((BLOB_MB * 1000000))" /dev/urandom >"$tmp/www/blob"
want=$(sha256sum <"$tmp/www/blob" | cut -d' ' -f1)
# A file whose plaintext a capture could find.
for i in $(seq 20000); do echo "PODNET-PLAINTEXT-MARKER-$i"; done >"$tmp/www/marker"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/web.key" -out "$tmp/web.crt" -days 1 \
	-subj /CN=web.example.net -addext subjectAltName=DNS:web.example.net 2>/dev/null
(cd "$tmp/www" && exec ip netns exec "$ns_web" /usr/bin/python3 -m http.server 80 \
	--bind 0.0.0.0 >"$tmp/http.out" 2>&1) &
daemon_pids+=($!)
(cd "$tmp/www" && exec ip netns exec "$ns_web" openssl s_server -quiet -WWW \
	-accept 443 -cert "$tmp/web.crt" -key "$tmp/web.key" >"$tmp/https.out" 2>&1) &
daemon_pids+=($!)
# PROXY recorders: the first bytes a connection brings.
ip netns exec "$ns_web" socat -u TCP-LISTEN:9000,reuseaddr "CREATE:$tmp/pp-raw.bin" &
daemon_pids+=($!)
ip netns exec "$ns_web" socat -u TCP-LISTEN:9001,reuseaddr "CREATE:$tmp/pp-tls.bin" &
daemon_pids+=($!)
wait_for 50 _tcp_listening "$ns_web" 80
wait_for 50 _tcp_listening "$ns_web" 443

# fetch NS URL OUT [CURL ARGS...]: prints the speed in MB/s.
fetch() {
	local ns=$1 url=$2 out=$3 speed
	shift 3
	speed=$(n "$ns" timeout 90 curl -sS --fail -o "$out" -w '%{speed_download}' "$@" "$url") || return 1
	awk -v s="$speed" 'BEGIN { printf "%.1f", s / 1e6 }'
}
sha_is() { [[ -f $1 && $(sha256sum <"$1" | cut -d' ' -f1) == "$2" ]]; }
resolve=(--resolve "web.example.net:443:$rv_pub" --resolve "a.pp.example.net:443:$rv_pub" -k)

# --- the same download four ways ---------------------------------------
speed_direct=$(fetch "$ns_rv" "http://$web/blob" "$tmp/got-direct") || speed_direct=failed
check "over the overlay directly (rv -> web): $BLOB_MB MB intact" sha_is "$tmp/got-direct" "$want"
speed_kernel=$(fetch "$ns_client" "http://$rv_pub:8080/blob" "$tmp/got-kernel") || speed_kernel=failed
check "published port, kernel DNAT: $BLOB_MB MB intact from the internet" sha_is "$tmp/got-kernel" "$want"
speed_proxy=$(fetch "$ns_client" "http://$rv_pub:8081/blob" "$tmp/got-proxy") || speed_proxy=failed
check "published port, relayed by podnetd: $BLOB_MB MB intact" sha_is "$tmp/got-proxy" "$want"
speed_sni=$(fetch "$ns_client" "https://web.example.net/blob" "$tmp/got-sni" "${resolve[@]}") || speed_sni=failed
check "by server name on the shared port 443: $BLOB_MB MB intact" sha_is "$tmp/got-sni" "$want"
rm -f "$tmp"/got-*
echo "# throughput, $BLOB_MB MB over http(s): overlay direct (rv -> web) $speed_direct MB/s;" \
	"published: kernel DNAT $speed_kernel MB/s, podnetd splice $speed_proxy MB/s," \
	"by SNI (TLS end to end) $speed_sni MB/s"

nft_has_dnat() {
	local rules
	rules=$(n "$ns_rv" nft list table ip podnet_publish_pod0) && grep -q "dnat to $web:80" <<<"$rules"
}
check "the kernel entry is an nftables DNAT to web's virtual address" nft_has_dnat
n "$ns_rv" nft list table ip podnet_publish_pod0 | sed 's/^/# /'
server_subject() {
	local subject
	subject=$(n "$ns_client" timeout 10 openssl s_client -connect "$rv_pub:443" \
		-servername web.example.net </dev/null 2>/dev/null | openssl x509 -noout -subject) &&
		grep 'CN *= *web.example.net' <<<"$subject"
}
check "openssl s_client by name gets the node's own certificate (TLS not terminated)" server_subject

# --- what the gateway sees on the SNI route -----------------------------
capture() { # capture FILE URL CURL_ARGS...: tcpdump at rv, every interface
	local file=$1 url=$2 pid
	shift 2
	rm -f "$tmp/got-marker"
	ip netns exec "$ns_rv" timeout 30 tcpdump -i any -s 0 -U -w "$file" tcp >/dev/null 2>&1 &
	pid=$!
	wait_for 30 test -s "$file" || sleep 1
	fetch "$ns_client" "$url" "$tmp/got-marker" "$@" >/dev/null || true
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
marker_sha=$(sha256sum <"$tmp/www/marker" | cut -d' ' -f1)
capture "$tmp/plain.pcap" "http://$rv_pub:8081/marker"
check "the capture sees the plaintext on a plain published port (control)" \
	grep -qa PODNET-PLAINTEXT-MARKER "$tmp/plain.pcap"
capture "$tmp/sni.pcap" "https://web.example.net/marker" "${resolve[@]}"
sni_capture_blind() {
	sha_is "$tmp/got-marker" "$marker_sha" || { echo "# the download failed"; return 1; }
	[[ $(stat -c %s "$tmp/sni.pcap") -gt 600000 ]] || { echo "# capture too small"; return 1; }
	! grep -qa PODNET-PLAINTEXT-MARKER "$tmp/sni.pcap"
}
check "... and none on the SNI route, on either side of the gateway" sni_capture_blind

# --- bad input on 443 while a download goes on ---------------------------
# A real ClientHello, as openssl sends it, for its first bytes.
ip netns exec "$ns_client" timeout 10 socat -u TCP-LISTEN:7000,reuseaddr,bind=127.0.0.1 \
	"CREATE:$tmp/hello.bin" &
hello_pid=$!
wait_for 50 _tcp_listening "$ns_client" 7000
n "$ns_client" timeout 2 openssl s_client -connect 127.0.0.1:7000 \
	-servername web.example.net </dev/null >/dev/null 2>&1 || true
wait "$hello_pid" 2>/dev/null || true
malformed=$(iface_field rv publish_hello_malformed)
timeouts=$(iface_field rv publish_hello_timeout)
head -c 20000000 /dev/urandom >"$tmp/www/slow"
ip netns exec "$ns_client" timeout 60 curl -sS --fail --limit-rate 1M \
	-o "$tmp/got-slow" "${resolve[@]}" https://web.example.net/slow >/dev/null 2>&1 &
slow_pid=$!
sleep 1
head -c 3000 /dev/urandom | n "$ns_client" timeout 10 socat -t 1 - "TCP:$rv_pub:443" >/dev/null 2>&1 || true
t0=$(date +%s%N)
# A real ClientHello's first 40 bytes, one every 0.25 s (slowloris); socat
# ends 0.5 s after the gateway closes, its input would last 10 s.
trickle() {
	local i
	for ((i = 0; i < 40; i++)); do
		# Ends when the gateway has closed (SIGPIPE).
		dd if="$tmp/hello.bin" bs=1 skip="$i" count=1 2>/dev/null || return 0
		sleep 0.25
	done
}
{ trickle || true; } | {
	n "$ns_client" timeout 15 socat -t 0.5 - "TCP:$rv_pub:443" >/dev/null 2>&1 || true
	date +%s%N >"$tmp/partial.end"
}
partial_ms=$(( ($(<"$tmp/partial.end") - t0) / 1000000 ))
slow_running() { kill -0 "$slow_pid" 2>/dev/null; }
check "the download was still running after both" slow_running
check "garbage on 443 is closed and counted malformed" iface_above rv publish_hello_malformed "$malformed"
check "a partial ClientHello, trickled byte by byte, is closed after the 5 s hello timeout (took $partial_ms ms)" \
	test "$partial_ms" -ge 4500 -a "$partial_ms" -lt 8000
check "... and counted" iface_above rv publish_hello_timeout "$timeouts"
slow_ok=0
wait "$slow_pid" || slow_ok=$?
slow_intact() {
	[[ $slow_ok -eq 0 && $(stat -c %s "$tmp/got-slow") -eq 20000000 ]] &&
		cmp -s "$tmp/got-slow" "$tmp/www/slow"
}
check "the download in flight finished intact" slow_intact

# --- one address cannot hold every ClientHello slot ------------------------
pending=$(iface_field rv publish_pending_refused)
holders=()
for i in $(seq 20); do
	{ sleep 6; } | ip netns exec "$ns_client" timeout 10 socat -t 0.5 - "TCP:$rv_pub:443" >/dev/null 2>&1 &
	holders+=($!)
done
check "20 silent connections from one address: 4 over its 16 ClientHello slots are closed" \
	wait_for 30 iface_above rv publish_pending_refused "$((pending + 3))"
other_client() {
	local got
	got=$(fetch "$ns_client2" "https://web.example.net/marker" "$tmp/got-other" "${resolve[@]}") &&
		sha_is "$tmp/got-other" "$marker_sha"
}
check "... while another address is served by name at once" other_client
for pid in "${holders[@]}"; do wait "$pid" 2>/dev/null || true; done

# --- names and nodes nobody publishes --------------------------------------
unknown=$(iface_field rv publish_hello_unknown_name)
n "$ns_client" timeout 5 openssl s_client -connect "$rv_pub:443" \
	-servername nobody.example.net </dev/null >/dev/null 2>&1 || true
check "a server name no entry publishes is closed and counted" \
	wait_for 20 iface_above rv publish_hello_unknown_name "$unknown"
ghost() { show_json rv | jq -r --arg f "$1" '.publish[] | select(.name == "ghost") | .[$f]'; }
ghost_refused() { ! n "$ns_client" curl -sS --max-time 5 -o /dev/null "http://$rv_pub:8084/"; }
check "a target node the gateway does not know: the connection is closed" ghost_refused
ghost_counted() { [[ $(ghost target_failed) -ge 1 && $(ghost target_address) == null ]]; }
check "... counted as target_failed, with no target address shown" ghost_counted

# --- PROXY protocol v2 ----------------------------------------------------
echo "hello-through-the-proxy" | n "$ns_client" timeout 10 socat -t 2 - "TCP:$rv_pub:9000" || true
n "$ns_client" timeout 5 openssl s_client -connect "$rv_pub:443" \
	-servername a.pp.example.net </dev/null >/dev/null 2>&1 || true
sleep 0.5
# pp_ok FILE PORT: signature, PROXY over TCP4, 12 bytes of addresses:
# 198.18.0.5 -> 198.18.0.1, the client's port, then PORT.
pp_ok() {
	local hex
	hex=$(head -c 28 "$1" | od -An -tx1 | tr -d ' \n')
	[[ ${hex:0:24} == 0d0a0d0a000d0a515549540a && ${hex:24:8} == 2111000c &&
	   ${hex:32:8} == c6120005 && ${hex:40:8} == c6120001 &&
	   ${hex:52:4} == $(printf %04x "$2") ]] || { echo "# header: $hex"; return 1; }
}
check "PROXY v2 on a plain port: the server sees the internet client 198.18.0.5" pp_ok "$tmp/pp-raw.bin" 9000
check "... then the client's bytes" grep -qa hello-through-the-proxy "$tmp/pp-raw.bin"
check "PROXY v2 by server name (*.pp.example.net): the client's address" pp_ok "$tmp/pp-tls.bin" 443
tls_after_pp() { [[ $(tail -c +29 "$tmp/pp-tls.bin" | head -c 1 | od -An -tx1 | tr -d ' ') == 16 ]]; }
check "... then the ClientHello, untouched" tls_after_pp

# --- MaxConnections and IdleTimeout ---------------------------------------
limited() { show_json rv | jq -r --arg f "$1" '.publish[] | select(.name == "limited") | .[$f]'; }
limited_is() { [[ $(limited "$1") == "$2" ]]; }
refused=$(limited refused)
{ sleep 5; } | ip netns exec "$ns_client" timeout 10 socat -t 5 - "TCP:$rv_pub:8082" >/dev/null 2>&1 &
hold_pid=$!
wait_for 30 limited_is active 1 || true
second_refused() { ! n "$ns_client" curl -sS --max-time 5 -o /dev/null "http://$rv_pub:8082/marker"; }
check "a second connection over MaxConnections = 1 is refused" second_refused
iface_above_limited() { [[ $(limited refused) -gt $refused ]]; }
check "... and counted" iface_above_limited
idle_closed() { [[ $(limited idle_closed) -ge 1 ]]; }
check "the idle one is closed after IdleTimeout = 2 s" wait_for 40 idle_closed
wait "$hold_pid" 2>/dev/null || true
check "... after which the port serves again" \
	n "$ns_client" curl -sS --fail --max-time 10 -o /dev/null "http://$rv_pub:8082/marker"

# --- SIGHUP keeps the entries ----------------------------------------------
echo "# comment" >>"$tmp/rv.conf"
kill -HUP "$pid_rv"
wait_for 50 grep -q "configuration reloaded" "$tmp/rv.log" || true
check "after SIGHUP the published ports still serve" \
	n "$ns_client" curl -sS --fail --max-time 10 -o /dev/null "http://$rv_pub:8081/marker"
kernel_still() { n "$ns_client" curl -sS --fail --max-time 10 -o /dev/null "http://$rv_pub:8080/marker"; }
check "... the kernel one too" kernel_still

# --- podnet show ------------------------------------------------------------
show_text() {
	local out
	out=$("$podnet" show --socket "$tmp/rv.sock") || return 1
	grep -q 'publish.*tls-pp' <<<"$out" && grep -q 'mode.*: kernel' <<<"$out" &&
		grep -q 'ClientHellos closed' <<<"$out"
}
check "podnet show names every entry, its mode and counters" show_text
auto_v6() {
	local j
	j=$(show_json rv | jq -r '.publish[] | select(.name == "auto-v6") | "\(.mode) \(.mode_reason)"') &&
		[[ $j == "proxy kernel DNAT is IPv4 only" ]] || { echo "# auto-v6: $j"; return 1; }
}
check "Mode = auto relays what the kernel cannot forward, and says why" auto_v6
"$podnet" show --socket "$tmp/rv.sock" | sed -n '/shared ports/,$p' | sed 's/^/# /'
sni_bytes() { show_json rv | jq -e ".publish[] | select(.name == \"tls\") | .bytes_out > $((BLOB_MB * 1000000))" >/dev/null; }
check "--json: the SNI entry carried the $BLOB_MB MB out" sni_bytes
# --- restarts and a rebinding ------------------------------------------------
# Each change is timed until the kernel DNAT port, the splice proxy and
# the SNI route all serve again.
serves() { # serves URL [CURL ARGS...]
	local url=$1
	shift
	n "$ns_client" curl -sS --fail --max-time 2 -o /dev/null "$@" "$url"
}
serve_all() {
	serves "http://$rv_pub:8080/marker" && serves "http://$rv_pub:8081/marker" &&
		serves "https://web.example.net/marker" "${resolve[@]}"
}
# The table without its counters (and the handles nft may print).
nft_rules() {
	n "$ns_rv" nft list table ip podnet_publish_pod0 |
		sed 's/counter packets [0-9]* bytes [0-9]*/counter/; s/ # handle [0-9]*//'
}
rules_before=$(nft_rules)

t0=$(now_ms)
kill9_restart "$ns_web" web
recovery_check "web killed (-9) and restarted: kernel DNAT, splice and SNI entries" "$t0" 15 serve_all

rv_log_lines=$(wc -l <"$tmp/rv.log")
t0=$(now_ms)
kill9_restart "$ns_rv" rv
recovery_check "the gateway (rv) killed (-9) and restarted: every entry" "$t0" 15 serve_all
one_table() {
	local count
	count=$(n "$ns_rv" nft list tables | grep -c "^table ip podnet_publish_pod0\$")
	[[ $count -eq 1 ]] || { echo "# $count tables"; return 1; }
	[[ $(nft_rules) == "$rules_before" ]] ||
		{ echo "# rules now:"; nft_rules | sed 's/^/# /'; return 1; }
}
check "... the dead process' nft table replaced: one table, the same rules" one_table
new_errors() {
	tail -n "+$((rv_log_lines + 1))" "$tmp/rv.log" | grep -E 'publish|nft' | grep -E '\[(err|warn)\]|nft:' || true
}
check "... with no publish error or warning in its log" test -z "$(new_errors)"

t0=$(now_ms)
nat_flush_conntrack "$router_web"
recovery_check "web's symmetric NAT rebinds (conntrack -F): every entry" "$t0" 15 serve_all
check "podnetd is alive" daemons_alive rv web
stop_daemon rv
no_table() { ! n "$ns_rv" nft list table ip podnet_publish_pod0 >/dev/null 2>&1; }
check "stopping podnetd removes its nftables table" no_table
ktap_finish
