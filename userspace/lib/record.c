// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/chacha20_poly1305.h>

static void put_seq(uint8_t *p, uint16_t epoch, uint64_t seq)
{
	p[0] = (uint8_t)(epoch >> 8);
	p[1] = (uint8_t)epoch;
	for (int i = 0; i < 6; i++)
		p[2 + i] = (uint8_t)(seq >> (8 * (5 - i)));
}

/* AAD: epoch | seq | type | version | plaintext length (RFC 6347 4.1.2.1) */
static void make_aad(uint8_t aad[13], uint16_t epoch, uint64_t seq,
		     size_t len)
{
	put_seq(aad, epoch, seq);
	aad[8] = PODNET_RECORD_CONTENT_TYPE;
	aad[9] = PODNET_RECORD_VERSION_MAJOR;
	aad[10] = PODNET_RECORD_VERSION_MINOR;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
}

/* RFC 7905: the 12-byte IV XOR the 64-bit epoch|seq, right-aligned. */
static void chacha_nonce(uint8_t nonce[12], const uint8_t iv[12],
			 uint16_t epoch, uint64_t seq)
{
	uint8_t es[8];

	put_seq(es, epoch, seq);
	memcpy(nonce, iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= es[i];
}

int record_keys_init(struct record_keys *k, enum record_aead aead,
		     uint16_t epoch, const uint8_t *tx_key,
		     const uint8_t *tx_iv, const uint8_t *rx_key,
		     const uint8_t *rx_iv, uint32_t key_len)
{
	size_t iv_len = aead == RECORD_AES_GCM ? 4 : 12;

	memset(k, 0, sizeof(*k));
	if (key_len > sizeof(k->tx.key) ||
	    (aead == RECORD_CHACHA20_POLY1305 && key_len != 32) ||
	    (aead == RECORD_AES_GCM && key_len != 16 && key_len != 32))
		return -1;
	k->aead = aead;
	k->epoch = epoch;
	k->key_len = key_len;
	k->tx_seq = RECORD_SEQ_FIRST;
	memcpy(k->tx.key, tx_key, key_len);
	memcpy(k->rx.key, rx_key, key_len);
	memcpy(k->tx.iv, tx_iv, iv_len);
	memcpy(k->rx.iv, rx_iv, iv_len);
	replay_init(&k->replay);
	if (aead == RECORD_AES_GCM) {
		k->tx.aes = calloc(1, sizeof(Aes));
		k->rx.aes = calloc(1, sizeof(Aes));
		if (!k->tx.aes || !k->rx.aes ||
		    wc_AesInit(k->tx.aes, NULL, INVALID_DEVID) ||
		    wc_AesInit(k->rx.aes, NULL, INVALID_DEVID) ||
		    wc_AesGcmSetKey(k->tx.aes, tx_key, key_len) ||
		    wc_AesGcmSetKey(k->rx.aes, rx_key, key_len)) {
			record_keys_wipe(k);
			return -1;
		}
	}
	return 0;
}

int record_keys_from_ssl(WOLFSSL *ssl, struct record_keys *k)
{
	int bulk = wolfSSL_GetBulkCipher(ssl);
	int key_len = wolfSSL_GetKeySize(ssl);
	bool client = wolfSSL_GetSide(ssl) == WOLFSSL_CLIENT_END;
	const uint8_t *ck = wolfSSL_GetClientWriteKey(ssl);
	const uint8_t *sk = wolfSSL_GetServerWriteKey(ssl);
	const uint8_t *civ = wolfSSL_GetClientWriteIV(ssl);
	const uint8_t *siv = wolfSSL_GetServerWriteIV(ssl);
	enum record_aead aead;

	if (bulk == wolfssl_chacha)
		aead = RECORD_CHACHA20_POLY1305;
	else if (bulk == wolfssl_aes_gcm)
		aead = RECORD_AES_GCM;
	else
		return -1;
	if (!ck || !sk || !civ || !siv || key_len <= 0)
		return -1;
	/* After the handshake both sides are in epoch 1. */
	return record_keys_init(k, aead, 1, client ? ck : sk,
				client ? civ : siv, client ? sk : ck,
				client ? siv : civ, (uint32_t)key_len);
}

void record_keys_wipe(struct record_keys *k)
{
	struct record_direction *dirs[2] = { &k->tx, &k->rx };

	for (int i = 0; i < 2; i++) {
		if (!dirs[i]->aes)
			continue;
		/* The key schedule is key material too. */
		wc_AesFree(dirs[i]->aes);
		explicit_bzero(dirs[i]->aes, sizeof(Aes));
		free(dirs[i]->aes);
	}
	explicit_bzero(k, sizeof(*k));
}

int record_seal_begin(struct record_keys *k, size_t len, uint8_t *out,
		      size_t cap, uint64_t *seq_out)
{
	uint64_t seq = k->tx_seq;
	size_t explicit = k->aead == RECORD_AES_GCM ?
			  RECORD_EXPLICIT_NONCE_LEN : 0;
	size_t body = explicit + len + RECORD_TAG_LEN;

	if (seq > RECORD_SEQ_LAST)
		return RECORD_ERR_EXHAUSTED;
	if (cap < RECORD_HEADER_LEN + body || body > 0xffff)
		return RECORD_ERR_SPACE;
	k->tx_seq++;
	out[0] = PODNET_RECORD_CONTENT_TYPE;
	out[1] = PODNET_RECORD_VERSION_MAJOR;
	out[2] = PODNET_RECORD_VERSION_MINOR;
	put_seq(out + 3, k->epoch, seq);
	out[11] = (uint8_t)(body >> 8);
	out[12] = (uint8_t)body;
	/* GCM's explicit nonce is epoch|seq: unique per key. */
	if (explicit)
		put_seq(out + RECORD_HEADER_LEN, k->epoch, seq);
	*seq_out = seq;
	return (int)(RECORD_HEADER_LEN + explicit);
}

int record_seal_finish(const struct record_keys *k, uint64_t seq,
		       uint8_t *rec, size_t len)
{
	return record_seal_finish_aes(k, k->tx.aes, seq, rec, NULL, len);
}

int record_seal_finish_from(const struct record_keys *k, uint64_t seq,
			    uint8_t *rec, const uint8_t *pt, size_t len)
{
	return record_seal_finish_aes(k, k->tx.aes, seq, rec, pt, len);
}

int record_seal_finish_aes(const struct record_keys *k, Aes *aes,
			   uint64_t seq, uint8_t *rec, const uint8_t *in,
			   size_t len)
{
	size_t explicit = k->aead == RECORD_AES_GCM ?
			  RECORD_EXPLICIT_NONCE_LEN : 0;
	uint8_t aad[13], nonce[12];
	uint8_t *ct = rec + RECORD_HEADER_LEN + explicit;
	int ret;

	/* In place unless told otherwise: both ciphers are stream modes,
	 * and the tag is computed over the ciphertext once it is written. */
	if (!in)
		in = ct;
	make_aad(aad, k->epoch, seq, len);
	if (k->aead == RECORD_CHACHA20_POLY1305) {
		chacha_nonce(nonce, k->tx.iv, k->epoch, seq);
		ret = wc_ChaCha20Poly1305_Encrypt(k->tx.key, nonce, aad,
						  sizeof(aad), in, (word32)len,
						  ct, ct + len);
	} else {
		memcpy(nonce, k->tx.iv, 4);
		put_seq(nonce + 4, k->epoch, seq);
		ret = wc_AesGcmEncrypt(aes, ct, in, (word32)len, nonce,
				       12, ct + len, RECORD_TAG_LEN, aad,
				       sizeof(aad));
	}
	if (ret)
		return RECORD_ERR_AUTH;
	return (int)(RECORD_HEADER_LEN + explicit + len + RECORD_TAG_LEN);
}

int record_seal(struct record_keys *k, const uint8_t *pt, size_t len,
		uint8_t *out, size_t cap)
{
	uint64_t seq;
	int off = record_seal_begin(k, len, out, cap, &seq);

	if (off < 0)
		return off;
	memmove(out + off, pt, len);
	return record_seal_finish(k, seq, out, len);
}

int record_peek_seq(const uint8_t *rec, size_t len, uint64_t *seq)
{
	if (len < RECORD_HEADER_LEN || rec[0] != PODNET_RECORD_CONTENT_TYPE ||
	    rec[1] != PODNET_RECORD_VERSION_MAJOR || rec[2] != PODNET_RECORD_VERSION_MINOR)
		return RECORD_ERR_MALFORMED;
	*seq = 0;
	for (int i = 0; i < 6; i++)
		*seq = *seq << 8 | rec[5 + i];
	return 0;
}

int record_open_begin(const struct record_keys *k, const uint8_t *rec,
		      size_t len, uint64_t *seq_out, size_t *ptlen_out)
{
	size_t explicit = k->aead == RECORD_AES_GCM ?
			  RECORD_EXPLICIT_NONCE_LEN : 0;
	uint64_t seq;
	size_t body;

	if (record_peek_seq(rec, len, &seq))
		return RECORD_ERR_MALFORMED;
	body = (size_t)rec[11] << 8 | rec[12];
	/* One record per datagram: the length must cover the rest exactly. */
	if (body != len - RECORD_HEADER_LEN ||
	    body < explicit + RECORD_TAG_LEN ||
	    (uint16_t)(rec[3] << 8 | rec[4]) != k->epoch)
		return RECORD_ERR_MALFORMED;
	if (!replay_check(&k->replay, seq))
		return RECORD_ERR_REPLAY;
	*seq_out = seq;
	*ptlen_out = body - explicit - RECORD_TAG_LEN;
	return (int)(RECORD_HEADER_LEN + explicit);
}

int record_open_finish(const struct record_keys *k, uint64_t seq,
		       const uint8_t *rec, size_t ptlen, uint8_t *out)
{
	return record_open_finish_aes(k, k->rx.aes, seq, rec, ptlen, out);
}

int record_open_finish_aes(const struct record_keys *k, Aes *aes,
			   uint64_t seq, const uint8_t *rec, size_t ptlen,
			   uint8_t *out)
{
	size_t explicit = k->aead == RECORD_AES_GCM ?
			  RECORD_EXPLICIT_NONCE_LEN : 0;
	const uint8_t *ct = rec + RECORD_HEADER_LEN + explicit;
	uint8_t aad[13], nonce[12];
	int ret;

	make_aad(aad, k->epoch, seq, ptlen);
	if (k->aead == RECORD_CHACHA20_POLY1305) {
		chacha_nonce(nonce, k->rx.iv, k->epoch, seq);
		ret = wc_ChaCha20Poly1305_Decrypt(k->rx.key, nonce, aad,
						  sizeof(aad), ct,
						  (word32)ptlen, ct + ptlen,
						  out);
	} else {
		memcpy(nonce, k->rx.iv, 4);
		memcpy(nonce + 4, rec + RECORD_HEADER_LEN, 8);
		ret = wc_AesGcmDecrypt(aes, out, ct, (word32)ptlen,
				       nonce, 12, ct + ptlen, RECORD_TAG_LEN,
				       aad, sizeof(aad));
	}
	return ret ? RECORD_ERR_AUTH : (int)ptlen;
}

int record_open(struct record_keys *k, const uint8_t *rec, size_t len,
		uint8_t *out, size_t cap)
{
	uint64_t seq;
	size_t ptlen;
	int ret = record_open_begin(k, rec, len, &seq, &ptlen);

	if (ret < 0)
		return ret;
	if (ptlen > cap)
		return RECORD_ERR_SPACE;
	ret = record_open_finish(k, seq, rec, ptlen, out);
	if (ret < 0)
		return ret;
	if (!replay_commit(&k->replay, seq))
		return RECORD_ERR_REPLAY;
	return ret;
}
