/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The RFC 8439 ChaCha20-Poly1305 AEAD over one contiguous buffer, from
 * the kernel's library primitives (kernel/chachapoly.c).
 */
#ifndef _PODNET_CHACHAPOLY_H
#define _PODNET_CHACHAPOLY_H

#include <linux/types.h>

#define PODNET_CHACHAPOLY_KEY_WORDS 8
#define PODNET_CHACHAPOLY_TAG_LEN 16

void podnet_chachapoly_key(u32 k[PODNET_CHACHAPOLY_KEY_WORDS], const u8 *key);
void podnet_chachapoly_seal(const u32 *k, const u8 nonce[12], const u8 *ad,
			    unsigned int ad_len, u8 *buf, unsigned int len,
			    u8 tag[PODNET_CHACHAPOLY_TAG_LEN]);
bool podnet_chachapoly_open(const u32 *k, const u8 nonce[12], const u8 *ad,
			    unsigned int ad_len, u8 *buf, unsigned int len,
			    const u8 tag[PODNET_CHACHAPOLY_TAG_LEN]);

#endif /* _PODNET_CHACHAPOLY_H */
