// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * LD_PRELOAD for make check-arm64: getauxval(AT_HWCAP) as an arm64 CPU
 * without the crypto extensions (a Raspberry Pi 4: fp asimd evtstrm
 * crc32 cpuid) reports it, which qemu cannot emulate. podnetd and podnet
 * linked with wolfSSL's ARMv8 assembly must then refuse to start
 * (userspace/lib/cpu_check.c) rather than die of SIGILL.
 */
#include <sys/auxv.h>
#include <asm/hwcap.h>

unsigned long getauxval(unsigned long type)
{
	if (type == AT_HWCAP)
		return HWCAP_FP | HWCAP_ASIMD | HWCAP_EVTSTRM | HWCAP_CRC32 |
		       HWCAP_CPUID;
	return 0;
}
