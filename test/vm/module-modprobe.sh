#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The README's module lines in a kernel that loads modules: `make
# module-install` (the module as the host built it; the VM's root is
# writable over the host's) puts podnet.ko under /lib/modules and runs
# depmod; `modprobe podnet` then loads udp_tunnel and ip6_udp_tunnel
# first, which insmod alone does not (issue 13). Then the link kind
# alias: `ip link add TYPE podnet` loads it by itself.

source "$(dirname "$0")/common.sh"
ktap_header "podnet.ko: make module-install, then modprobe"
vm_require_podnet

kver=$(uname -r)
lsmod | grep -q '^podnet ' && rmmod podnet
# -o module: the host built it (make vm-check depends on it); kbuild under
# emulation would take minutes to find nothing to do.
check "make module-install (KVER $kver)" \
	make -s -C "$top" --no-print-directory -o module module-install KVER="$kver"
check "podnet.ko in /lib/modules/$kver/updates" test -s "/lib/modules/$kver/updates/podnet.ko"
check "modprobe podnet" modprobe podnet
podnet_loaded=1 # shellcheck disable=SC2034 # read by vm_cleanup (common.sh)
check "... loaded udp_tunnel and ip6_udp_tunnel with it" \
	bash -c "lsmod | grep -q '^udp_tunnel ' && lsmod | grep -q '^ip6_udp_tunnel '"
check "modprobe -r podnet" modprobe -r podnet
podnet_loaded=0
check "ip link add pn-auto type podnet loads the module by its alias" \
	ip link add pn-auto type podnet
ip link del pn-auto 2>/dev/null && podnet_loaded=1 || true

ktap_finish
