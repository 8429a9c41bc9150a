#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# podnet.ko loads, registers its generic netlink family and its link
# kind, and unloads without a trace in the kernel log. Skipped until the
# module is built (build/kernel/podnet.ko or $PODNET_KO).

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
ktap_header "podnet.ko: load and unload"
vm_require_podnet

check "insmod $(basename "$podnet_ko")" vm_load_podnet
check "podnet is in /proc/modules" grep -q '^podnet ' /proc/modules
# PODNET_GENL_NAME and PODNET_LINK_KIND in netlink/uapi/podnet_genl.h.
check "generic netlink family \"podnet\" registered" genl ctrl get name podnet
check "rtnetlink link kind \"podnet\" known" \
	bash -c 'ip link add pntest0 type podnet && ip link del pntest0'
check "rmmod podnet" vm_unload_podnet
check "podnet is gone from /proc/modules" bash -c '! grep -q "^podnet " /proc/modules'
dmesg_clean_check
ktap_finish
