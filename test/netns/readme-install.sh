#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# README.md's "Install on two real machines", followed literally, so that
# the README cannot drift from the product (issue 13, item 5). Its code
# blocks are read out of README.md: the install line (make install into
# one DESTDIR per machine), the CA commands (run as they are, with HOME
# in $tmp), the two configurations (each names its file and machine in
# its first line), the start line (podnetd@INSTANCE: its ExecStart and
# ExecReload come from the installed unit, with %i and the installed
# paths under DESTDIR), then ping, ssh and podnet show from the laptop.
# Each machine sees its own /run/podnet (a bind mount in the mount
# namespace `ip netns exec` makes), so both can be pod0 as in the
# README. Then the installed files themselves: systemd-analyze verify,
# man pages that render cleanly and name every config key and
# subcommand, bash completion, /etc/podnet mode 0700, make uninstall.
#
#   ┌──────────────────────────┐         ┌──────────────────────────┐
#   │ $ns_laptop               │         │ $ns_server: sshd         │
#   │  pod0 10.77.0.1/24       │         │  pod0 10.77.0.2/24       │
#   │  veth 203.0.113.20/24    ├─────────┤  veth ENDPOINT/24 (from  │
#   └──────────────────────────┘         │  the laptop's config)    │
#                                        └──────────────────────────┘

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: README's install section, followed literally"

# --- the section's code blocks, in order: $tmp/readme/N.LANG -------------
mkdir -p "$tmp/readme"
awk -v dir="$tmp/readme" '
	/^## Install on two real machines/ { in_sec = 1; next }
	/^## / { in_sec = 0 }
	!in_sec { next }
	/^```/ && !file { n++; lang = substr($0, 4); file = sprintf("%s/%02d.%s", dir, n, lang); printf "" >file; next }
	/^```/ && file { close(file); file = ""; next }
	file { print >file }
' "$top/README.md"
# block_with WORDS: the first sh block with a line containing WORDS.
block_with() { grep -l -- "$1" "$tmp"/readme/*.sh 2>/dev/null | head -n 1; }
# code LINE...: the block without comments and blank lines.
code() { sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$1"; }

install_block=$(block_with "make install")
check "README: an install block with make install" test -n "$install_block"
install_line=$(code "$install_block" | grep "make install")
echo "# install line: $install_line"
sets=$(sed -n 's/.*scripts\/deps\.sh\([a-z ]*\).*/\1/p' <<<"$install_line")
sets=$(xargs <<<"$sets")
# shellcheck disable=SC2086 # the sets are words
pkgs=$("$top/scripts/deps.sh" --list ${sets:-test})
check "README installs deps.sh sets '$sets', not the test set" test -n "$sets"
check "... without qemu, clang, iperf3 or a kernel image" \
	bash -c "! grep -qE '^(qemu-system-x86|clang|iperf3|linux-image-amd64|tcpdump)$' <<<'$pkgs'"
check "... with the four libraries and iproute2" \
	bash -c "[[ \$(grep -cE '^(libwolfssl35|libmnl0|libev4|libc-ares2|iproute2)$' <<<'$pkgs') -eq 5 ]]"

# --- make install, once per machine --------------------------------------
for m in laptop server; do
	# `make` was run by the build: -o all installs what $build holds
	# (the sanitizer build under PODNET_BUILD=build-san) without
	# building again.
	make -s -C "$top" -o all install BUILD="$build" DESTDIR="$tmp/$m" >"$tmp/install-$m.out" 2>&1 ||
		cat "$tmp/install-$m.out"
done
D=$tmp/laptop
unit=$D/usr/local/lib/systemd/system/podnetd@.service
for f in sbin/podnetd bin/podnet lib/systemd/system/podnetd@.service \
	share/man/man8/podnet.8 share/man/man8/podnetd.8 share/man/man5/podnet.conf.5 \
	share/bash-completion/completions/podnet; do
	check "make install: /usr/local/$f" test -s "$D/usr/local/$f"
done
check "make install: /etc/podnet with mode 0700" test "$(stat -c %a "$D/etc/podnet")" = 700

# --- the CA, run as the README says, on the "trusted machine" ------------
ca_block=$(block_with "podnet ca create")
check "README: a CA block" test -n "$ca_block"
mkdir -p "$tmp/home"
check "the README's CA commands run" env HOME="$tmp/home" \
	PATH="$D/usr/local/bin:$PATH" bash -e "$ca_block"
cadir=$tmp/home/podnet-ca
for m in laptop server; do
	cp -p "$cadir/ca.crt" "$cadir/$m.crt" "$cadir/$m.key" "$tmp/$m/etc/podnet/"
done
check "the node key stays mode 0600" test "$(stat -c %a "$tmp/server/etc/podnet/server.key")" = 600

# --- the configurations: "# /etc/podnet/FILE on the MACHINE" ---------------
for f in "$tmp"/readme/*.ini; do
	read -r _ path _ _ m < <(head -n 1 "$f")
	[[ $m == laptop || $m == server ]] || continue
	cp "$f" "$tmp/$m$path"
	printf -v "conf_$m" '%s' "$tmp/$m$path"
done
check "README: the laptop's configuration" test -s "${conf_laptop:-}"
check "README: the server's configuration" test -s "${conf_server:-}"
# Nothing below means anything without both.
[[ -s ${conf_laptop:-} && -s ${conf_server:-} ]] || ktap_finish
server_ip=$(sed -n 's/^Endpoint = \(.*\):[0-9]*$/\1/p' "$conf_laptop")
echo "# the server's endpoint in the laptop's config: $server_ip"

ns_create ns_laptop laptop
ns_create ns_server server
veth_link "$ns_laptop" veth0 203.0.113.20/24 "$ns_server" veth0 "$server_ip/24"
declare -A ns_of=([laptop]=$ns_laptop [server]=$ns_server)
# on MACHINE CMD...: CMD in MACHINE's namespace, with its /run/podnet and
# its installed binaries first in PATH.
mkdir -p /run/podnet
on() {
	local m=$1; shift
	mkdir -p -m 0700 "$tmp/$m/run/podnet"
	ip netns exec "${ns_of[$m]}" env PATH="$tmp/$m/usr/local/bin:$tmp/$m/usr/local/sbin:$PATH" \
		sh -c 'mount --bind "$0" /run/podnet && exec "$@"' "$tmp/$m/run/podnet" "$@"
}

# --- start through the unit's ExecStart, for the README's instance --------
start_line=$(code "$(block_with "systemctl enable")" | grep "systemctl enable")
instance=$(sed -n 's/.*podnetd@\([^ .]*\).*/\1/p' <<<"$start_line")
check "README: systemctl enable --now podnetd@INSTANCE ($instance)" test -n "$instance"
# unit_line MACHINE KEY: KEY= of the installed unit, %i and paths as
# installed under MACHINE's DESTDIR.
unit_line() {
	sed -n "s/^$2=//p" "$tmp/$1/usr/local/lib/systemd/system/podnetd@.service" |
		sed -e "s|%i|$instance|g" -e "s|/usr/local/|$tmp/$1/usr/local/|g" \
		    -e "s|/etc/podnet/|$tmp/$1/etc/podnet/|g"
}
echo "# ExecStart=$(sed -n 's/^ExecStart=//p' "$unit")"
for m in server laptop; do
	# shellcheck disable=SC2046 # ExecStart is words
	UBSAN_OPTIONS=log_path=$tmp/san-$m ASAN_OPTIONS=log_path=$tmp/san-$m \
		on "$m" $(unit_line "$m" ExecStart) >>"$tmp/$m.log" 2>&1 &&
		status=0 || status=$?
	check "$m: ExecStart returns 0 once the interface is up (Type=forking)" test "$status" -eq 0
	# /run/podnet/X.pid in the machine is $tmp/MACHINE/run/podnet/X.pid.
	pidfile=$tmp/$m/run/podnet/$(basename "$(unit_line "$m" PIDFile)")
	check "$m: the PIDFile the unit names holds the daemon's pid" test -s "$pidfile"
	pid=$(cat "$pidfile" 2>/dev/null) || pid=
	[[ -z $pid ]] || daemon_pids+=("$pid")
	printf -v "pid_$m" '%s' "$pid"
done
check "the server's pod0 has 10.77.0.2/24" \
	grep -q "inet 10.77.0.2/24" <<<"$(n "$ns_server" ip -4 addr show dev pod0)"

# --- use the network, from the laptop -------------------------------------
start_sshd "$ns_server" 10.77.0.2 || true
use_block=$(block_with "ssh 10.77.0.2")
check "README: a block that uses the network" test -n "$use_block"
ran=0
while read -r cmd arg rest; do
	rest=${rest%%#*}
	rest=${rest%% *}
	ran=$((ran + 1))
	case $cmd in
	ping)
		check "laptop: ping $arg" wait_for 100 on laptop ping -c 1 -W 1 "$arg" </dev/null ;;
	ssh)
		out=$(ssh_run "$ns_laptop" "$arg" 'echo readme-ssh-ok' </dev/null 2>&1 || true)
		check "laptop: ssh $arg runs a command across the tunnel" \
			grep -q readme-ssh-ok <<<"$out" ;;
	podnet)
		out=$(on laptop podnet "$arg" ${rest:-} </dev/null 2>&1 || true)
		case $arg in
		show)
			check "laptop: podnet show names the peer server" \
				grep -q "^peer: server" <<<"$out"
			echo "$out" >"$tmp/show.out" ;;
		ping)
			check "laptop: podnet ping $rest answers through the tunnel" \
				grep -q "^server: [0-9.]* ms via" <<<"$out" ;;
		--version)
			check "laptop: podnet --version prints one version line" \
				grep -qx "podnet [0-9][0-9.]*.*" <<<"$out" ;;
		*)
			not_ok "README: a podnet command this test does not know: $arg" ;;
		esac ;;
	*)
		not_ok "README: a command this test does not know: $cmd" ;;
	esac
done < <(code "$use_block")
check "... all $(code "$use_block" | wc -l) commands of that block ran" \
	test "$ran" -eq "$(code "$use_block" | wc -l)"

complete_words() { # complete_words MACHINE WORD...: what TAB offers
	on "$1" bash -c 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$(($# - 1)); _podnet; echo "${COMPREPLY[*]}"' \
		"$D/usr/local/share/bash-completion/completions/podnet" "${@:2}"
}
check "completion: podnet show <TAB> offers the running pod0" \
	grep -qw pod0 <<<"$(complete_words laptop podnet show '')"
check "completion: podnet s<TAB> offers show and set" \
	bash -c "grep -qw show <<<'$(complete_words laptop podnet s)' && grep -qw set <<<'$(complete_words laptop podnet s)'"

# --- reload and stop as the unit does them ---------------------------------
reload=$(unit_line laptop ExecReload | sed "s/\$MAINPID/$pid_laptop/")
check "ExecReload ($reload) keeps the daemon" bash -c "$reload && sleep 0.5 && kill -0 $pid_laptop"
check "... and the session" on laptop ping -c 1 -W 2 10.77.0.2
for m in laptop server; do
	var=pid_$m
	kill -TERM "${!var}" 2>/dev/null || true
	check "$m: SIGTERM stops podnetd" wait_pid_gone "${!var}" 50
done
check "SIGTERM removes the pid file and the control socket" \
	test -z "$(ls "$tmp/laptop/run/podnet")"
sleep 0.2
check "no sanitizer reports" bash -c "! cat $tmp/san-* 2>/dev/null | grep -q ."

# --- the installed unit ----------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$tmp/verify"
	sed -e "s|/usr/local/|$D/usr/local/|g" -e "s|/etc/podnet|$D/etc/podnet|g" \
		"$unit" >"$tmp/verify/podnetd@.service"
	out=$(cd "$tmp/verify" && MANPATH=$D/usr/local/share/man \
		systemd-analyze verify "podnetd@$instance.service" 2>&1) && status=0 || status=$?
	check "systemd-analyze verify podnetd@$instance.service: clean" \
		test "$status" -eq 0 -a -z "$out"
	[[ -z $out ]] || sed 's/^/#   /' <<<"$out"
else
	ok "systemd-analyze verify # SKIP systemd-analyze is not installed"
fi
check "the unit keeps CAP_NET_ADMIN only" grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN" "$unit"

# --- man pages and completion ---------------------------------------------
man=$D/usr/local/share/man
for page in man8/podnet.8 man8/podnetd.8 man5/podnet.conf.5; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man/$page" 2>&1 >/dev/null)
	check "man $page renders without warnings" test -z "$out"
done
missing=
for key in $(grep -oE '^[A-Z][A-Za-z]* =' "$top/doc/config.md" | cut -d' ' -f1 | sort -u); do
	grep -q "^\.B $key$" "$man/man5/podnet.conf.5" || missing+=" $key"
done
check "podnet.conf(5) documents every key of doc/config.md${missing:+ (missing:$missing)}" \
	test -z "$missing"
missing=
for cmd in $("$podnet" 2>&1 | awk '/^Available subcommands/ { f = 1; next } f && /^  [a-z]/ { print $1 }'); do
	grep -q "^\\\\fB$cmd\\\\fP\|^\\\\fB$cmd " "$man/man8/podnet.8" || missing+=" $cmd"
done
check "podnet(8) documents every subcommand podnet lists${missing:+ (missing:$missing)}" \
	test -z "$missing"
comp=$D/usr/local/share/bash-completion/completions/podnet
check "bash completion parses" bash -n "$comp"

# --- make uninstall ----------------------------------------------------------
make -s -C "$top" uninstall DESTDIR="$D" >/dev/null 2>&1 || true
left=$(find "$D" -type f -not -path "$D/etc/podnet/*")
check "make uninstall removes every file but /etc/podnet's" test -z "$left"
check "... and keeps the keys" test -s "$D/etc/podnet/laptop.key"

ktap_finish
