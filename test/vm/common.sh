#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Shared helpers for the VM tests: everything of test/lib/netns.sh
# (unique namespaces with cleanup on every exit path, n/ns_create,
# veth_link, KTAP output with check/ok/not_ok/ktap_finish, bounded waits,
# certificates and daemons, transfers, WireGuard) plus what only a VM
# with module support can do:
#
#   vm_require                 skip the test unless it runs in a VM that
#                              loads modules (scripts/vm-run.sh)
#   vm_require_podnet          skip the test when podnet.ko is not built
#   vm_load_podnet [PARAM=V]   insmod podnet.ko ($PODNET_KO, default
#                              build/kernel/podnet.ko) after its
#                              dependencies; unloaded at exit if still in
#   vm_load_podnet_check [PARAM=V]
#                              the same as one assertion; when it fails,
#                              the test ends there (nothing after it can
#                              pass without the module)
#   vm_unload_podnet           rmmod podnet (fails if it is still in use)
#   kmsg_since_begin           the kernel log since this test began
#   dmesg_clean_check          one assertion: no WARN/BUG/Oops/... in the
#                              kernel log since this test began; that log
#                              is kept as $tmp/kernel.log, which
#                              ktap_finish searches for keys
#   ktap_skip_all REASON       the whole test as one KTAP SKIP, exit 0
#
# Tests run inside one VM boot through test/vm/run-all.sh; each one alone
# with `scripts/vm-run.sh -- test/vm/NAME.sh`.

# shellcheck source=../lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"

podnet_ko=${PODNET_KO:-$top/build/kernel/podnet.ko}
podnet_loaded=0
# Lines of the kernel log after this one belong to this test.
dmesg_marker="podnet-test: begin $(basename "$0") $$"
echo "$dmesg_marker" >/dev/kmsg 2>/dev/null || true
# Under TCG a transfer takes several times as long.
transfer_timeout=${TRANSFER_TIMEOUT:-240}

# On every exit path: unload what we loaded, then netns.sh's
# cleanup (and its exit status).
vm_cleanup() {
	local status=$?

	set +e
	if [[ $podnet_loaded -eq 1 ]]; then
		# Daemons and namespaces first, so that nothing pins the
		# module; cleanup() then finds them gone.
		stop_all
		wait_for 50 rmmod podnet ||
			echo "# podnet.ko could not be unloaded: $(rmmod podnet 2>&1)"
	fi
	(exit $status)
	cleanup
}
trap vm_cleanup EXIT

ktap_skip_all() {
	ok "$(basename "$0" .sh) # SKIP $*"
	echo "1..$test_count"
	exit 0
}

vm_require() {
	# The host's kernel is built without modules; the VM's is Debian's.
	if [[ ${PODNET_IN_VM:-0} != 1 || ! -e /proc/modules ]]; then
		ktap_skip_all "not in a VM with module support (scripts/vm-run.sh, make vm-check)"
	fi
}

vm_require_podnet() {
	vm_require
	[[ -f $podnet_ko ]] || ktap_skip_all "podnet.ko not built ($podnet_ko)"
}

# vm_load_podnet [PARAM=VALUE...]: its dependencies through modprobe
# (from modinfo), then the module itself.
vm_load_podnet() {
	local deps dep

	[[ -f $podnet_ko ]] || { echo "# no $podnet_ko" >&2; return 1; }
	deps=$(modinfo -F depends "$podnet_ko" 2>/dev/null || true)
	for dep in ${deps//,/ }; do
		modprobe "$dep" || return 1
	done
	insmod "$podnet_ko" "$@" || return 1
	podnet_loaded=1
}

# Not through check: that runs its command in a subshell, and the cleanup
# must learn (podnet_loaded) that the module is in.
vm_load_podnet_check() {
	if vm_load_podnet "$@" >"$tmp/insmod.out" 2>&1 &&
	   grep -q '^podnet ' /proc/modules; then
		ok "insmod podnet.ko${*:+ $*}"
		return 0
	fi
	not_ok "insmod podnet.ko${*:+ $*}"
	sed 's/^/#   /' "$tmp/insmod.out" | tail -n 20
	echo "# podnet.ko is not loaded: the remaining steps cannot run"
	ktap_finish
	exit 1
}

vm_unload_podnet() {
	rmmod podnet || return 1
	podnet_loaded=0
}

kmsg_since_begin() {
	dmesg | awk -v m="$dmesg_marker" 'index($0, m) { n = NR } { l[NR] = $0 }
		END { for (i = n + 1; i <= NR; i++) print l[i] }'
}

dmesg_clean_check() {
	kmsg_since_begin >"$tmp/kernel.log" || true
	check "no WARN, BUG, Oops or leak report in the kernel log" \
		"$top/scripts/vm-dmesg-check.sh" --since "$dmesg_marker"
}
