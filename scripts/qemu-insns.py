#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The podnet developers.
#
# How many guest instructions a qemu-user run executed, in the functions
# of each crypto primitive, from the log of
#   qemu-aarch64-static -d in_asm,exec,nochain -D LOG PROGRAM
# (in_asm: each translated block with the symbol it starts in and its
# instructions; exec with nochain: one line per block executed).
#
#   scripts/qemu-insns.py LOG    prints "GROUP INSTRUCTIONS" lines,
#                                and "crypto-insns N" for the
#                                ARMv8 crypto instructions among them
#
# Used by scripts/cross-arm64.sh to show that the assembly build runs
# its assembly, and with how many instructions against the portable C:
# instructions, not time, which emulation says nothing about.
import collections
import re
import sys

GROUPS = [
    ("aes-gcm", re.compile(r"aes|gcm|ghash|gmult", re.I)),
    ("chacha20-poly1305", re.compile(r"chacha|poly1305", re.I)),
    ("sha-256", re.compile(r"sha256", re.I)),
]
CRYPTO = re.compile(r"\s(aes[ed]|aesi?mc|pmull2?|sha256h2?|sha256su[01])\s")

blocks = {}  # start pc -> (instructions, crypto instructions, symbol)
executed = collections.Counter()
sym, first, n, c, in_block = "?", None, 0, 0, False
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        if line.startswith("IN:"):
            sym, first, n, c, in_block = line[3:].strip() or "?", None, 0, 0, True
        elif in_block:
            m = re.match(r"(0x[0-9a-f]+):", line)
            if m:
                if first is None:
                    first = int(m.group(1), 16)
                n += 1
                c += bool(CRYPTO.search(line))
            elif not line.strip():
                if first is not None:
                    blocks[first] = (n, c, sym)
                in_block = False
        elif line.startswith("Trace"):
            # Trace CPU: HOST [CS_BASE/PC/FLAGS/CFLAGS] ...
            executed[int(line.split("[")[1].split("/")[1], 16)] += 1

totals = collections.Counter()
crypto = 0
for pc, times in executed.items():
    n, c, sym = blocks.get(pc, (0, 0, "?"))
    crypto += c * times
    for group, pattern in GROUPS:
        if pattern.search(sym):
            totals[group] += n * times
            break
    totals["all"] += n * times
for group in [g for g, _ in GROUPS] + ["all"]:
    print(group, totals[group])
print("crypto-insns", crypto)
