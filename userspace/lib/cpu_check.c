// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The CPU check of cpu_check.h.
 */
#include "cpu_check.h"

#include <stddef.h>

#include <wolfssl/options.h>

#if defined(WOLFSSL_ARMASM) && defined(__aarch64__)
#include <sys/auxv.h>
#include <asm/hwcap.h>

const char *cpu_check_crypto(void)
{
	unsigned long hw = getauxval(AT_HWCAP);

	if ((hw & HWCAP_AES) && (hw & HWCAP_PMULL) && (hw & HWCAP_SHA2))
		return NULL;
	return "this build's wolfSSL uses the ARMv8 crypto extensions "
	       "(aes, pmull, sha2), which this CPU lacks: rebuild with "
	       "make WOLFSSL=system";
}
#else
const char *cpu_check_crypto(void)
{
	return NULL;
}
#endif
