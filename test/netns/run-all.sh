#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Runs every netns test script; fails if any fails. Needs root.
#
# PODNET_TEST_JOBS scripts run at once (default 2): every script builds
# its own namespaces (pn$$-*) and addresses inside them, so they do not
# meet, and most of their time is spent waiting on timers. Each script's
# output is printed whole when it ends, with its time.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
jobs=${PODNET_TEST_JOBS:-2}
if [[ $(id -u) -ne 0 ]]; then
	echo "netns tests need root" >&2
	exit 1
fi
if ! [[ $jobs =~ ^[1-9][0-9]?$ ]]; then
	echo "PODNET_TEST_JOBS: a number from 1 to 99, not '$jobs'" >&2
	exit 2
fi
out=$(mktemp -d /tmp/podnet-run-all.XXXXXX)
trap 'rm -rf "$out"' EXIT
failed=0
declare -A running=()	# pid -> script name

run_one() { # NAME SCRIPT
	local start=$SECONDS rc=0
	timeout 600 "$2" >"$out/$1.log" 2>&1 || rc=$?
	echo "$rc $((SECONDS - start))" >"$out/$1.done"
}

# reap: wait for one script to end, print its output, note a failure.
reap() {
	local pid name rc secs
	wait -n "${!running[@]}" 2>/dev/null || true
	for pid in "${!running[@]}"; do
		name=${running[$pid]}
		[[ -e $out/$name.done ]] || continue
		read -r rc secs <"$out/$name.done"
		echo "== $name"
		cat "$out/$name.log"
		if [[ $rc -ne 0 ]]; then
			echo "== $name: FAILED after $secs s"
			failed=1
		else
			echo "== $name: $secs s"
		fi
		unset "running[$pid]"
	done
}

for t in "$dir"/*.sh; do
	name=$(basename "$t")
	case $name in run-all.sh) continue ;; esac
	while [[ ${#running[@]} -ge $jobs ]]; do
		reap
	done
	run_one "$name" "$t" &
	running[$!]=$name
done
while [[ ${#running[@]} -gt 0 ]]; do
	reap
done
exit $failed
