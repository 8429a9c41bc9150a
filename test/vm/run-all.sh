#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Runs every VM test script (test/vm/*.sh but the helpers) inside ONE VM
# boot; fails if any fails. Booting costs seconds, and under TCG
# everything is slow, so the tests share the boot and each is bounded by
# PODNET_VM_TEST_TIMEOUT seconds (300). Started on the host, it starts
# the VM itself: `test/vm/run-all.sh` = `scripts/vm-run.sh -- test/vm/run-all.sh`.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
if [[ ${PODNET_IN_VM:-0} != 1 ]]; then
	exec "$dir/../../scripts/vm-run.sh" --timeout "${PODNET_VM_TIMEOUT:-1800}" -- "$0" "$@"
fi
per_test=${PODNET_VM_TEST_TIMEOUT:-300}
failed=0
for t in "$dir"/*.sh; do
	case $(basename "$t") in common.sh | run-all.sh | lib-*.sh) continue ;; esac
	echo "== $(basename "$t")"
	start=$SECONDS
	if ! timeout -k 10 "$per_test" "$t"; then
		echo "== $(basename "$t"): FAILED"
		failed=1
	fi
	echo "# $(basename "$t"): $((SECONDS - start)) s"
done
exit $failed
