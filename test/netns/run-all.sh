#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Runs every netns test script; fails if any fails. Needs root.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
failed=0
if [[ $(id -u) -ne 0 ]]; then
	echo "netns tests need root" >&2
	exit 1
fi
for t in "$dir"/*.sh; do
	case $(basename "$t") in run-all.sh) continue ;; esac
	echo "== $(basename "$t")"
	start=$SECONDS
	if ! timeout 600 "$t"; then
		echo "== $(basename "$t"): FAILED after $((SECONDS - start)) s"
		failed=1
	else
		echo "== $(basename "$t"): $((SECONDS - start)) s"
	fi
done
exit $failed
