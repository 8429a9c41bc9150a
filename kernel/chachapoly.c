// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * ChaCha20-Poly1305 (RFC 8439 section 2.8) straight from lib/crypto, as
 * WireGuard seals its packets: no crypto API template, no request, no
 * scatterlist walk, one pass of ChaCha20 and one of Poly1305 over the
 * record in place. WireGuard's own chacha20poly1305_encrypt() takes a
 * 64-bit nonce; DTLS 1.2 (RFC 7905) needs the full 12 bytes (the IV XOR
 * epoch|seq), so the AEAD is put together here from the same
 * primitives: ChaCha20 with a 16-byte counter||nonce block, and
 * Poly1305 keyed with the first 32 bytes of keystream block 0.
 *
 * The callers hold the record in one linear buffer (kernel/crypto.c).
 */
#include "chachapoly.h"

#include <asm/unaligned.h>
#include <crypto/algapi.h>
#include <crypto/chacha.h>
#include <crypto/poly1305.h>
#include <linux/string.h>

/**
 * podnet_chachapoly_key() - a 32-byte key as the ChaCha20 state wants it
 * @k: out: eight little-endian words
 * @key: 32 bytes
 */
void podnet_chachapoly_key(u32 k[PODNET_CHACHAPOLY_KEY_WORDS], const u8 *key)
{
	int i;

	for (i = 0; i < PODNET_CHACHAPOLY_KEY_WORDS; i++)
		k[i] = get_unaligned_le32(key + 4 * i);
}

/* ChaCha20 at block 1 in @state, Poly1305 keyed from block 0 in @mac. */
static void podnet_chachapoly_start(u32 state[CHACHA_STATE_WORDS],
				    struct poly1305_desc_ctx *mac,
				    const u32 *k, const u8 nonce[12],
				    const u8 *ad, unsigned int ad_len)
{
	static const u8 pad[16];
	u8 block0[CHACHA_BLOCK_SIZE];
	u8 iv[CHACHA_IV_SIZE];

	/* Block counter 0, then the 96-bit nonce. */
	memset(iv, 0, 4);
	memcpy(iv + 4, nonce, 12);
	chacha_init(state, k, iv);
	/* Advances the counter to 1, where the message starts. */
	chacha20_block(state, block0);
	poly1305_init(mac, block0);
	memzero_explicit(block0, sizeof(block0));
	poly1305_update(mac, ad, ad_len);
	poly1305_update(mac, pad, (16 - ad_len) & 15);
}

/* The padding of the ciphertext and both lengths, then the tag. */
static void podnet_chachapoly_finish(struct poly1305_desc_ctx *mac,
				     unsigned int ad_len, unsigned int len,
				     u8 tag[PODNET_CHACHAPOLY_TAG_LEN])
{
	static const u8 pad[16];
	__le64 lens[2];

	poly1305_update(mac, pad, (16 - len) & 15);
	lens[0] = cpu_to_le64(ad_len);
	lens[1] = cpu_to_le64(len);
	poly1305_update(mac, (const u8 *)lens, sizeof(lens));
	poly1305_final(mac, tag);
}

/**
 * podnet_chachapoly_seal() - encrypt in place and compute the tag
 * @k: key words (podnet_chachapoly_key())
 * @nonce: the record's 12-byte nonce, never used twice with @k
 * @ad: associated data
 * @ad_len: its length
 * @buf: plaintext in, ciphertext out
 * @len: bytes at @buf
 * @tag: out: 16 bytes (may follow @buf directly)
 */
void podnet_chachapoly_seal(const u32 *k, const u8 nonce[12], const u8 *ad,
			    unsigned int ad_len, u8 *buf, unsigned int len,
			    u8 tag[PODNET_CHACHAPOLY_TAG_LEN])
{
	u32 state[CHACHA_STATE_WORDS];
	struct poly1305_desc_ctx mac;

	podnet_chachapoly_start(state, &mac, k, nonce, ad, ad_len);
	chacha20_crypt(state, buf, buf, len);
	poly1305_update(&mac, buf, len);
	podnet_chachapoly_finish(&mac, ad_len, len, tag);
	memzero_explicit(state, sizeof(state));
	memzero_explicit(&mac, sizeof(mac));
}

/**
 * podnet_chachapoly_open() - check the tag, then decrypt in place
 * @k: key words (podnet_chachapoly_key())
 * @nonce: the record's 12-byte nonce
 * @ad: associated data
 * @ad_len: its length
 * @buf: ciphertext in, plaintext out (only if the tag is right)
 * @len: bytes at @buf, without the tag
 * @tag: the record's 16-byte tag
 *
 * Return: true if the record is authentic; @buf is untouched otherwise.
 */
bool podnet_chachapoly_open(const u32 *k, const u8 nonce[12], const u8 *ad,
			    unsigned int ad_len, u8 *buf, unsigned int len,
			    const u8 tag[PODNET_CHACHAPOLY_TAG_LEN])
{
	u32 state[CHACHA_STATE_WORDS];
	u8 want[PODNET_CHACHAPOLY_TAG_LEN];
	struct poly1305_desc_ctx mac;
	bool ok;

	podnet_chachapoly_start(state, &mac, k, nonce, ad, ad_len);
	poly1305_update(&mac, buf, len);
	podnet_chachapoly_finish(&mac, ad_len, len, want);
	ok = !crypto_memneq(want, tag, sizeof(want));
	if (ok)
		chacha20_crypt(state, buf, buf, len);
	memzero_explicit(state, sizeof(state));
	memzero_explicit(&mac, sizeof(mac));
	memzero_explicit(want, sizeof(want));
	return ok;
}
