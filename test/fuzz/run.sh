#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# Runs every libFuzzer target (or those named) for FUZZ_TIME seconds each,
# from its seeds in test/fuzz/corpus/, and prints executions and coverage
# per target. Exits non-zero when a target found something (crash, leak,
# timeout, out of memory) or did not run; the input that did it is kept in
# $FUZZ_DIR/artifacts/. New inputs go to $FUZZ_DIR/corpus/<target>, so the
# checked-in seeds stay as they are and later runs start where this one
# ended.
set -uo pipefail

cd "$(dirname "$0")/../.."
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	for f in test/fuzz/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi

# The largest input each parser takes: a UDP datagram (or a data record
# of one) is up to 64 KB, a TUN read a 64 KB super-packet plus its
# virtio-net header, a certificate file 64 KB, a revocation list 1.1 KB.
# The config and the status answer are larger still (1 MB, 16 MB); 64 KB
# of them is already a thousand peers.
max_len() {
	case $1 in
	fuzz_dispatch) echo 200000 ;;	# several datagrams, each up to 64 KB
	fuzz_tso) echo 65546 ;;
	fuzz_record) echo 65600 ;;
	fuzz_revocation) echo 4096 ;;	# a list has at most 32 entries
	fuzz_ctl_set) echo 4096 ;;	# the daemon reads at most 4 KB
	fuzz_dns) echo 1233 ;;	# a query is at most 1232 bytes (dns_answer.h)
	fuzz_token) echo 512 ;;		# a token is at most 300 characters
	fuzz_sni) echo 16394 ;;	# SNI_HELLO_MAX: the most publish_conn.c reads
	*) echo 65536 ;;
	esac
}

mkdir -p "$FUZZ_DIR/artifacts" "$FUZZ_DIR/logs"
failed=0
rows=()
for t in "${targets[@]}"; do
	bin=$FUZZ_DIR/$t
	log=$FUZZ_DIR/logs/$t.log
	if [[ ! -x $bin ]]; then
		echo "fuzz: $bin is not built (make fuzz-build)" >&2
		rows+=("$t - - - missing")
		failed=1
		continue
	fi
	mkdir -p "$FUZZ_DIR/corpus/$t"
	echo "== $t (${FUZZ_TIME} s)"
	# -timeout: one input that takes 10 s is a finding (a hang).
	"$bin" -max_total_time="$FUZZ_TIME" -max_len="$(max_len "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_DIR/artifacts/$t-" \
		"$FUZZ_DIR/corpus/$t" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	# The last status line: "#N DONE cov: X ft: Y corp: ..."
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
	if [[ $rc -ne 0 ]] || grep -q '^==[0-9]*==ERROR\|^SUMMARY: \|deadly signal' "$log"; then
		echo "fuzz: $t FAILED (exit $rc), log $log:" >&2
		grep -m 20 -A 12 'ERROR\|SUMMARY\|deadly signal\|runtime error' "$log" >&2
		ls -t "$FUZZ_DIR"/artifacts/"$t"-* 2>/dev/null | head -n 3 >&2
		rows+=("$t ${execs:--} ${cov:--} ${ft:--} FAILED")
		failed=1
	else
		rows+=("$t ${execs:--} ${cov:--} ${ft:--} ok")
	fi
done

echo
echo "fuzz summary (${FUZZ_TIME} s per target):"
printf '  %-14s %12s %8s %8s  %s\n' target executions cov ft result
for r in "${rows[@]}"; do
	# shellcheck disable=SC2086
	printf '  %-14s %12s %8s %8s  %s\n' $r
done
exit $failed
