/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Whether this CPU can run the linked wolfSSL. Its ARMv8 assembly
 * (--enable-armasm, scripts/wolfssl-asm.sh) uses the AES, PMULL and
 * SHA2 instructions without asking the CPU first, so a binary
 * cross-built with it dies of SIGILL on an arm64 without them (a
 * Raspberry Pi 4, say). The x86-64 assembly and Debian's library choose
 * at run time and always pass.
 */
#ifndef PODNET_CPU_CHECK_H
#define PODNET_CPU_CHECK_H

/*
 * NULL when the CPU has what the linked wolfSSL needs, else a sentence
 * naming what is missing and what to do.
 */
const char *cpu_check_crypto(void);

#endif
