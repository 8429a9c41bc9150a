/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Sealing and opening DTLS 1.2 application_data records in skbs, byte
 * for byte as userspace/lib/record.c does: ChaCha20-Poly1305 with the
 * library primitives (kernel/chachapoly.c), AES-GCM with the kernel
 * AEAD API.
 */
#ifndef _PODNET_CRYPTO_H
#define _PODNET_CRYPTO_H

#include <linux/skbuff.h>
#include <linux/types.h>

#include "chachapoly.h"

struct crypto_aead;

/**
 * struct podnet_crypto - both directions of one session
 * @tx: AES-GCM: AEAD transform with the sending key
 * @rx: AES-GCM: AEAD transform with the receiving key
 * @tx_k: ChaCha20-Poly1305: the sending key as ChaCha20 words
 * @rx_k: ChaCha20-Poly1305: the receiving key
 * @cipher: enum podnet_cipher
 * @tx_iv: ChaCha20: 12-byte IV; AES-GCM: 4-byte salt
 * @rx_iv: the same for receiving
 */
struct podnet_crypto {
	struct crypto_aead *tx;
	struct crypto_aead *rx;
	u32 tx_k[PODNET_CHACHAPOLY_KEY_WORDS];
	u32 rx_k[PODNET_CHACHAPOLY_KEY_WORDS];
	u8 cipher;
	u8 tx_iv[12];
	u8 rx_iv[12];
};

int podnet_crypto_global_init(void);
void podnet_crypto_global_exit(void);

int podnet_crypto_init(struct podnet_crypto *c, u8 cipher,
		       const u8 *tx_key, const u8 *rx_key,
		       unsigned int key_len, const u8 *tx_iv,
		       const u8 *rx_iv);
void podnet_crypto_free(struct podnet_crypto *c);
unsigned int podnet_crypto_explicit_len(const struct podnet_crypto *c);
int podnet_crypto_seal(struct podnet_crypto *c, u16 epoch, u64 seq,
		       struct sk_buff *skb);
int podnet_crypto_open(struct podnet_crypto *c, u16 epoch, u64 seq,
		       struct sk_buff *skb);

#endif /* _PODNET_CRYPTO_H */
