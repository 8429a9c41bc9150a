#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# The report of scripts/bench-kernel-profile.sh: the instruction counts
# of each window (NAME.insns from test/bench/tcg-insns.c), put to the
# guest's kernel and module symbols (kallsyms), per KB of the payload
# iperf3 moved (NAME.json), with each window's Gbit/s and the share of
# the vCPUs' time that was idle (NAME.stat: /proc/stat before and after).
#
#   scripts/tcg-insns-report.py DIR [TOP]
#
# Counts are instructions, not time: emulation prices them unevenly,
# and a halted vCPU executes none, so "idle" comes from /proc/stat.
import bisect
import collections
import glob
import json
import os
import sys


def load_symbols(path):
    symbols = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 3 or fields[1] not in "tTwW":
                continue
            address = int(fields[0], 16)
            if address:
                name = fields[2] + (" " + fields[3] if len(fields) > 3 else "")
                symbols.append((address, name))
    symbols.sort()
    return [a for a, _ in symbols], [n for _, n in symbols]


def idle_share(path):
    with open(path) as f:
        before, after = (list(map(int, line.split()[1:])) for line in f)
    delta = [b - a for a, b in zip(before, after)]
    return delta[3] / sum(delta) if sum(delta) else float("nan")


def load_window(directory, name, addresses, names):
    per_function = collections.Counter()
    with open(os.path.join(directory, name + ".insns")) as f:
        for line in f:
            address, count = line.split()
            address = int(address, 16)
            if address < 0xFFFF000000000000:
                per_function["[userspace]"] += int(count)
                continue
            i = bisect.bisect_right(addresses, address) - 1
            per_function[names[i] if i >= 0 else "[unknown]"] += int(count)
    with open(os.path.join(directory, name + ".json")) as f:
        received = json.load(f)["end"]["sum_received"]
    return per_function, received["bytes"], received["bits_per_second"] / 1e9


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: tcg-insns-report.py DIR [TOP]")
    directory = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) == 3 else int(os.environ.get("BENCH_PROFILE_TOP", "40"))
    addresses, names = load_symbols(os.path.join(directory, "kallsyms"))
    windows = sorted(os.path.basename(p)[:-6] for p in glob.glob(os.path.join(directory, "*.insns")))
    if not windows:
        sys.exit("tcg-insns-report: no windows in " + directory)
    data = {w: load_window(directory, w, addresses, names) for w in windows}

    print("| window | Gbit/s | vCPUs idle | instructions | per byte |")
    print("|---|---:|---:|---:|---:|")
    for w in windows:
        counts, nbytes, gbps = data[w]
        total = sum(counts.values())
        idle = idle_share(os.path.join(directory, w + ".stat"))
        print(f"| {w} | {gbps:.3f} | {100 * idle:.1f} % | {total / 1e9:.2f} G | {total / max(nbytes, 1):.1f} |")
    print()

    weight = collections.Counter()
    for counts, nbytes, _ in data.values():
        for function, count in counts.items():
            weight[function] += count / max(nbytes, 1)
    print("Instructions per KB of payload, by function:")
    print()
    print("| function | " + " | ".join(windows) + " |")
    print("|---|" + "---:|" * len(windows))
    for function, _ in weight.most_common(top):
        cells = (f"{1000 * data[w][0][function] / max(data[w][1], 1):.1f}" for w in windows)
        print(f"| {function} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
