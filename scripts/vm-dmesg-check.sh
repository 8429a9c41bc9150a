#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Prints the kernel log lines that mean the kernel found a bug — a WARN,
# a BUG or an Oops, a sanitizer or leak report, a stall, a refcount error
# — and exits 1 if there is one, 0 if the log is clean. The one list of
# what counts, used after every VM run (by scripts/vm-init, with busybox)
# and per test (dmesg_clean_check in test/vm/common.sh): plain POSIX sh.
#
#   vm-dmesg-check.sh [--since TEXT] [FILE]
#
# FILE defaults to the running kernel's log (dmesg). With --since, only
# the lines after the last one that contains TEXT are looked at.
#
# An unsigned out-of-tree module taints the kernel ("module verification
# failed", "loading out-of-tree module taints kernel"): expected for
# podnet.ko, not an error, and matched by none of these.
set -eu

since=
if [ "${1:-}" = --since ]; then
	since=${2:?--since needs a text}
	shift 2
fi
if [ $# -gt 1 ]; then
	echo "usage: $0 [--since TEXT] [FILE]" >&2
	exit 2
fi

patterns='WARNING:|BUG:|kernel BUG|Oops|general protection|KASAN|UBSAN|kmemleak|unreferenced object|RCU stall|detected stall|refcount_t:|list_add corruption|list_del corruption|soft lockup|hard LOCKUP|blocked for more than|Kernel panic'

if [ $# -eq 1 ]; then
	log=$(cat -- "$1")
else
	log=$(dmesg)
fi
# Everything after the last marker line; all of it if there is none.
bad=$(printf '%s\n' "$log" | awk -v m="$since" '
	m != "" && index($0, m) { n = 0; next }
	{ l[++n] = $0 }
	END { for (i = 1; i <= n; i++) print l[i] }' | grep -E -- "$patterns" || true)
[ -z "$bad" ] && exit 0
printf '%s\n' "$bad"
exit 1
