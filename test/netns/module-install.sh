#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# `make module-install` into a scratch root (issue 13, item 1): podnet.ko
# lands in /lib/modules/KVER/updates and depmod runs, so that `modprobe
# podnet` loads udp_tunnel and ip6_udp_tunnel first (insmod alone fails
# with "Unknown symbol udp_tunnel6_xmit_skb" on stock Debian), and so
# that the aliases podnetd triggers (generic netlink family, link kind)
# resolve to it. This machine loads no modules: modprobe only resolves,
# in a root holding the two modules of Debian's kernel podnet.ko needs.
# Also `make dkms-install`: every source Kbuild names is in the tree it
# hands to DKMS. Skips where no kernel headers or image are installed.

source "$(dirname "$0")/../lib/netns.sh"
ktap_header "podnet: make module-install, modprobe's view of it, dkms-install"

kver=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
kmods=/lib/modules/$kver
if [[ -z $kver || ! -f $kmods/kernel/net/ipv4/udp_tunnel.ko ]]; then
	ok "module-install # SKIP no kernel headers with a matching image (scripts/deps.sh test)"
	ktap_finish
fi
echo "# KVER $kver"

root=$tmp/root
mods=$root/lib/modules/$kver
mkdir -p "$mods/kernel/net/ipv4" "$mods/kernel/net/ipv6"
cp "$kmods/kernel/net/ipv4/udp_tunnel.ko" "$mods/kernel/net/ipv4/"
cp "$kmods/kernel/net/ipv6/ip6_udp_tunnel.ko" "$mods/kernel/net/ipv6/"
cp "$kmods"/modules.builtin "$kmods"/modules.order "$mods/"
cp "$kmods"/modules.builtin.modinfo "$mods/" 2>/dev/null || true

check "make module-install INSTALL_MOD_PATH=ROOT" \
	make -s -C "$top" --no-print-directory module-install KVER="$kver" INSTALL_MOD_PATH="$root"
check "podnet.ko is in /lib/modules/KVER/updates" test -s "$mods/updates/podnet.ko"
dep=$(grep '^updates/podnet.ko:' "$mods/modules.dep" || true)
echo "# modules.dep: $dep"
check "modules.dep: podnet.ko needs udp_tunnel" grep -q "kernel/net/ipv4/udp_tunnel.ko" <<<"$dep"
check "modules.dep: podnet.ko needs ip6_udp_tunnel" grep -q "kernel/net/ipv6/ip6_udp_tunnel.ko" <<<"$dep"
order=$(modprobe -d "$root" -S "$kver" --show-depends podnet 2>&1 | awk '{ print $2 }' | xargs -n 1 basename)
echo "# modprobe podnet would load:" $order
check "modprobe podnet loads both before podnet.ko" \
	test "$(tail -n 1 <<<"$order")" = podnet.ko -a "$(wc -l <<<"$order")" -eq 3
for alias in net-pf-16-proto-16-family-podnet rtnl-link-podnet; do
	check "alias $alias resolves to podnet" \
		test "$(modprobe -d "$root" -S "$kver" -R "$alias" 2>&1)" = podnet
done
check "make module-uninstall" \
	make -s -C "$top" --no-print-directory module-uninstall KVER="$kver" INSTALL_MOD_PATH="$root"
check "... removes podnet.ko and its modules.dep line" \
	bash -c "! test -e $mods/updates/podnet.ko && ! grep -q podnet $mods/modules.dep"

# --- dkms-install: what DKMS builds from ------------------------------------
check "make dkms-install DESTDIR=…" \
	make -s -C "$top" --no-print-directory dkms-install DESTDIR="$tmp/dkms"
src=$(ls -d "$tmp"/dkms/usr/src/podnet-* 2>/dev/null | head -n 1)
check "dkms.conf and Kbuild in /usr/src/podnet-VERSION" test -s "$src/dkms.conf" -a -s "$src/Kbuild"
missing=
for o in $(grep -o 'kernel/[a-z0-9_]*\.o' "$top/Kbuild"); do
	[[ -f $src/${o%.o}.c ]] || missing+=" ${o%.o}.c"
done
check "every source Kbuild names is there${missing:+ (missing:$missing)}" test -z "$missing"
check "... and the uapi headers" test -s "$src/netlink/uapi/podnet_genl.h"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
check "the directory is named after dkms.conf's PACKAGE_VERSION ($version)" \
	test "$src" = "$tmp/dkms/usr/src/podnet-$version"

ktap_finish
