// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Record layout (doc/wire.md), after the podnet header:
 *
 *   type 0x17 | 0xfe 0xfd | epoch (2) | seq (6) | length (2)
 *   [AES-GCM: explicit nonce = epoch|seq (8)]
 *   ciphertext | tag (16)
 *
 * The AEAD's associated data is epoch|seq | 0x17 | 0xfe 0xfd | plaintext
 * length (RFC 6347 4.1.2.1), 13 bytes that are not in the record in that
 * order. Rather than keep them in a separate buffer (which would have to
 * live outside the stack for the scatterlist), they are written into the
 * 13 bytes right in front of the ciphertext, which belong to the record
 * header (and explicit nonce) and are filled in only after encryption,
 * or have already been parsed before decryption. The AEAD then runs over
 * one contiguous region of the skb, in place.
 *
 * ChaCha20-Poly1305 runs on the library primitives, as WireGuard's
 * does (kernel/chachapoly.c), over the record made linear: the crypto
 * API's rfc7539 template cost a request, a scatterlist walk and two
 * sub-requests per record. AES-GCM stays on the crypto API (there is no
 * library GCM in the kernels podnet.ko supports), where it runs
 * synchronously (the transforms are allocated without CRYPTO_ALG_ASYNC)
 * with bottom halves disabled, so one preallocated request per CPU
 * serves every packet without allocating.
 */
#include "crypto.h"

#include <crypto/aead.h>
#include <crypto/chacha.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <asm/unaligned.h>
#include <linux/slab.h>

#include "device.h"

#define PODNET_MAX_SG (MAX_SKB_FRAGS + 8)
#define PODNET_REQ_MAX 1536

struct podnet_scratch {
	struct scatterlist sg[PODNET_MAX_SG];
	u8 req[PODNET_REQ_MAX] __aligned(CRYPTO_MINALIGN);
};

/* kmalloc'ed, so scatterlists may point into it (percpu memory may be
 * vmalloc'ed).
 */
static struct podnet_scratch * __percpu *podnet_scratch;

/**
 * podnet_crypto_global_init() - allocate the per-CPU crypto scratch areas
 *
 * Return: 0 or -ENOMEM.
 */
int podnet_crypto_global_init(void)
{
	int cpu;

	podnet_scratch = alloc_percpu(struct podnet_scratch *);
	if (!podnet_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct podnet_scratch *s = kzalloc(sizeof(*s), GFP_KERNEL);

		if (!s) {
			podnet_crypto_global_exit();
			return -ENOMEM;
		}
		*per_cpu_ptr(podnet_scratch, cpu) = s;
	}
	return 0;
}

/**
 * podnet_crypto_global_exit() - free the per-CPU scratch areas
 */
void podnet_crypto_global_exit(void)
{
	int cpu;

	if (!podnet_scratch)
		return;
	for_each_possible_cpu(cpu)
		kfree_sensitive(*per_cpu_ptr(podnet_scratch, cpu));
	free_percpu(podnet_scratch);
	podnet_scratch = NULL;
}

/* An AES-GCM transform with @key. */
static struct crypto_aead *podnet_gcm_tfm(const u8 *key, unsigned int key_len)
{
	struct crypto_aead *tfm;
	int err;

	/* Mask CRYPTO_ALG_ASYNC: only synchronous implementations, which
	 * complete inside crypto_aead_encrypt()/decrypt().
	 */
	tfm = crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return tfm;
	err = -EINVAL;
	if (sizeof(struct aead_request) + crypto_aead_reqsize(tfm) >
	    PODNET_REQ_MAX || crypto_aead_ivsize(tfm) != 12)
		goto err_free;
	err = crypto_aead_setkey(tfm, key, key_len);
	if (err)
		goto err_free;
	err = crypto_aead_setauthsize(tfm, PODNET_RECORD_TAG_LEN);
	if (err)
		goto err_free;
	return tfm;

err_free:
	crypto_free_aead(tfm);
	return ERR_PTR(err);
}

/**
 * podnet_crypto_init() - set up both directions of a session
 * @c: zeroed state to fill
 * @cipher: enum podnet_cipher
 * @tx_key: sending key
 * @rx_key: receiving key
 * @key_len: 32 for ChaCha20-Poly1305, 16 or 32 for AES-GCM
 * @tx_iv: 12 (ChaCha20) or 4 (AES-GCM salt) bytes
 * @rx_iv: the same for receiving
 *
 * Context: process, may sleep.
 * Return: 0 or a negative errno.
 */
int podnet_crypto_init(struct podnet_crypto *c, u8 cipher,
		       const u8 *tx_key, const u8 *rx_key,
		       unsigned int key_len, const u8 *tx_iv,
		       const u8 *rx_iv)
{
	unsigned int iv_len = cipher == PODNET_CIPHER_AES_GCM ? 4 : 12;

	c->cipher = cipher;
	if (cipher != PODNET_CIPHER_AES_GCM) {
		if (key_len != CHACHA_KEY_SIZE)
			return -EINVAL;
		podnet_chachapoly_key(c->tx_k, tx_key);
		podnet_chachapoly_key(c->rx_k, rx_key);
		memcpy(c->tx_iv, tx_iv, iv_len);
		memcpy(c->rx_iv, rx_iv, iv_len);
		return 0;
	}
	c->tx = podnet_gcm_tfm(tx_key, key_len);
	if (IS_ERR(c->tx))
		return PTR_ERR(c->tx);
	c->rx = podnet_gcm_tfm(rx_key, key_len);
	if (IS_ERR(c->rx)) {
		crypto_free_aead(c->tx);
		return PTR_ERR(c->rx);
	}
	memcpy(c->tx_iv, tx_iv, iv_len);
	memcpy(c->rx_iv, rx_iv, iv_len);
	return 0;
}

/**
 * podnet_crypto_free() - free the transforms, wipe the keys and IVs
 * @c: state set up by podnet_crypto_init()
 *
 * crypto_free_aead() wipes the key schedules (kfree_sensitive); the
 * ChaCha20 key words are wiped with the rest of @c.
 */
void podnet_crypto_free(struct podnet_crypto *c)
{
	if (c->tx)
		crypto_free_aead(c->tx);
	if (c->rx)
		crypto_free_aead(c->rx);
	memzero_explicit(c, sizeof(*c));
}

/**
 * podnet_crypto_explicit_len() - bytes of explicit nonce in a record
 * @c: the session
 *
 * Return: 8 for AES-GCM, 0 for ChaCha20-Poly1305.
 */
unsigned int podnet_crypto_explicit_len(const struct podnet_crypto *c)
{
	return c->cipher == PODNET_CIPHER_AES_GCM ?
	       PODNET_RECORD_EXPLICIT_NONCE_LEN : 0;
}

static void podnet_put_seq(u8 *p, u16 epoch, u64 seq)
{
	put_unaligned_be16(epoch, p);
	put_unaligned_be16(seq >> 32, p + 2);
	put_unaligned_be32((u32)seq, p + 4);
}

static void podnet_put_aad(u8 *p, u16 epoch, u64 seq, unsigned int len)
{
	podnet_put_seq(p, epoch, seq);
	p[8] = PODNET_RECORD_CONTENT_TYPE;
	p[9] = PODNET_RECORD_VERSION_MAJOR;
	p[10] = PODNET_RECORD_VERSION_MINOR;
	put_unaligned_be16(len, p + 11);
}

static void podnet_nonce(const struct podnet_crypto *c, const u8 *iv,
			 u16 epoch, u64 seq, u8 nonce[12])
{
	u8 es[8];
	int i;

	podnet_put_seq(es, epoch, seq);
	if (c->cipher == PODNET_CIPHER_AES_GCM) {
		/* salt || explicit nonce, which is epoch|seq */
		memcpy(nonce, iv, 4);
		memcpy(nonce + 4, es, 8);
		return;
	}
	/* RFC 7905: IV XOR epoch|seq, right-aligned */
	memcpy(nonce, iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= es[i];
}

/* Run the AEAD in place over aad (13 bytes at offset aad_off) followed
 * by cryptlen bytes.
 */
static int podnet_crypto_run(struct crypto_aead *tfm, struct sk_buff *skb,
			     int nsg, unsigned int aad_off,
			     unsigned int cryptlen, u8 *nonce, bool enc)
{
	struct podnet_scratch *s = *this_cpu_ptr(podnet_scratch);
	struct aead_request *req = (struct aead_request *)s->req;
	unsigned int authlen = enc ? PODNET_RECORD_TAG_LEN : 0;
	int n;

	if (nsg < 0 || nsg + 1 > PODNET_MAX_SG)
		return -EMSGSIZE;
	sg_init_table(s->sg, nsg + 1);
	n = skb_to_sgvec(skb, s->sg, aad_off,
			 PODNET_RECORD_HEADER_LEN + cryptlen + authlen);
	if (n < 0)
		return n;
	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_crypt(req, s->sg, s->sg, cryptlen, nonce);
	aead_request_set_ad(req, PODNET_RECORD_HEADER_LEN);
	return enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
}

/* The whole skb in its head, private, with @tail bytes of tailroom.
 * Frags (a GSO segment's share of the sender's pages) are copied, never
 * written to.
 */
static int podnet_skb_linear(struct sk_buff *skb, unsigned int tail)
{
	if (skb_linearize_cow(skb))
		return -ENOMEM;
	if (skb_tailroom(skb) < tail &&
	    pskb_expand_head(skb, 0, tail - skb_tailroom(skb), GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}

static void podnet_put_header(u8 *hdr, u16 epoch, u64 seq,
			      unsigned int body)
{
	hdr[0] = PODNET_RECORD_CONTENT_TYPE;
	hdr[1] = PODNET_RECORD_VERSION_MAJOR;
	hdr[2] = PODNET_RECORD_VERSION_MINOR;
	podnet_put_seq(hdr + 3, epoch, seq);
	put_unaligned_be16(body, hdr + 11);
}

static int podnet_chacha_seal(struct podnet_crypto *c, u16 epoch, u64 seq,
			      struct sk_buff *skb)
{
	unsigned int len = skb->len;
	u8 nonce[12], ad[PODNET_RECORD_HEADER_LEN], *tag;
	int err;

	if (len + PODNET_RECORD_TAG_LEN > 0xffff)
		return -EMSGSIZE;
	err = podnet_skb_linear(skb, PODNET_RECORD_TAG_LEN);
	if (err)
		return err;
	if (unlikely(skb_headroom(skb) < PODNET_RECORD_HEADER_LEN))
		return -ENOBUFS;
	podnet_put_aad(ad, epoch, seq, len);
	podnet_nonce(c, c->tx_iv, epoch, seq, nonce);
	tag = skb_put(skb, PODNET_RECORD_TAG_LEN);
	podnet_chachapoly_seal(c->tx_k, nonce, ad, sizeof(ad), skb->data, len,
			       tag);
	podnet_put_header(skb_push(skb, PODNET_RECORD_HEADER_LEN), epoch, seq,
			  len + PODNET_RECORD_TAG_LEN);
	return 0;
}

static int podnet_chacha_open(struct podnet_crypto *c, u16 epoch, u64 seq,
			      struct sk_buff *skb)
{
	u8 nonce[12], ad[PODNET_RECORD_HEADER_LEN], *buf;
	unsigned int ptlen;
	int err;

	if (skb->len < PODNET_RECORD_HEADER_LEN + PODNET_RECORD_TAG_LEN)
		return -EINVAL;
	err = podnet_skb_linear(skb, 0);
	if (err)
		return err;
	ptlen = skb->len - PODNET_RECORD_HEADER_LEN - PODNET_RECORD_TAG_LEN;
	podnet_put_aad(ad, epoch, seq, ptlen);
	podnet_nonce(c, c->rx_iv, epoch, seq, nonce);
	buf = skb->data + PODNET_RECORD_HEADER_LEN;
	if (!podnet_chachapoly_open(c->rx_k, nonce, ad, sizeof(ad), buf, ptlen,
				    buf + ptlen))
		return -EBADMSG;
	__skb_pull(skb, PODNET_RECORD_HEADER_LEN);
	return pskb_trim(skb, ptlen);
}

/**
 * podnet_crypto_seal() - turn a plaintext skb into one record
 * @c: the session
 * @epoch: DTLS epoch
 * @seq: sequence number, unique for this key
 * @skb: skb->data is the plaintext; headroom for the record header and
 *	explicit nonce must already be there and writable
 *
 * On success skb->data points at the record header and skb->len is the
 * record's length.
 * Context: BH disabled.
 * Return: 0 or a negative errno (the skb is then still the caller's).
 */
int podnet_crypto_seal(struct podnet_crypto *c, u16 epoch, u64 seq,
		       struct sk_buff *skb)
{
	unsigned int explicit = podnet_crypto_explicit_len(c);
	unsigned int len = skb->len;
	unsigned int body = explicit + len + PODNET_RECORD_TAG_LEN;
	struct sk_buff *trailer;
	u8 nonce[12], *hdr;
	int nsg, err;

	if (c->cipher != PODNET_CIPHER_AES_GCM)
		return podnet_chacha_seal(c, epoch, seq, skb);
	if (body > 0xffff)
		return -EMSGSIZE;
	nsg = skb_cow_data(skb, PODNET_RECORD_TAG_LEN, &trailer);
	if (nsg < 0)
		return nsg;
	if (unlikely(skb_headroom(skb) < PODNET_RECORD_HEADER_LEN + explicit))
		return -ENOBUFS;
	/* skb_cow_data() left room for the tag in the last fragment. */
	pskb_put(skb, trailer, PODNET_RECORD_TAG_LEN);
	hdr = skb_push(skb, PODNET_RECORD_HEADER_LEN + explicit);
	podnet_put_aad(hdr + explicit, epoch, seq, len);
	podnet_nonce(c, c->tx_iv, epoch, seq, nonce);
	err = podnet_crypto_run(c->tx, skb, nsg, explicit, len, nonce, true);
	if (err)
		return err;
	/* Now the real header over the associated data. */
	podnet_put_header(hdr, epoch, seq, body);
	if (explicit)
		memcpy(hdr + PODNET_RECORD_HEADER_LEN, nonce + 4, 8);
	return 0;
}

/**
 * podnet_crypto_open() - authenticate and decrypt one record in place
 * @c: the session
 * @epoch: DTLS epoch (already checked against the header)
 * @seq: the record's sequence number (already parsed and checked
 *	against the replay window)
 * @skb: skb->data is the record header, skb->len the whole record, whose
 *	header the caller has validated (length covers the rest exactly)
 *
 * On success skb->data points at the plaintext and skb->len is its
 * length.
 * Context: BH disabled.
 * Return: 0, -EBADMSG if authentication failed, or another negative errno.
 */
int podnet_crypto_open(struct podnet_crypto *c, u16 epoch, u64 seq,
		       struct sk_buff *skb)
{
	unsigned int explicit = podnet_crypto_explicit_len(c);
	unsigned int cryptlen, ptlen;
	struct sk_buff *trailer;
	u8 nonce[12];
	int nsg, err;

	if (c->cipher != PODNET_CIPHER_AES_GCM)
		return podnet_chacha_open(c, epoch, seq, skb);
	if (skb->len < PODNET_RECORD_HEADER_LEN + explicit + PODNET_RECORD_TAG_LEN)
		return -EINVAL;
	cryptlen = skb->len - PODNET_RECORD_HEADER_LEN - explicit;
	ptlen = cryptlen - PODNET_RECORD_TAG_LEN;
	nsg = skb_cow_data(skb, 0, &trailer);
	if (nsg < 0)
		return nsg;
	if (!pskb_may_pull(skb, PODNET_RECORD_HEADER_LEN + explicit))
		return -EINVAL;
	if (explicit) {
		/* The sender chose the explicit nonce; it is whatever the
		 * record says, as with wolfSSL.
		 */
		memcpy(nonce, c->rx_iv, 4);
		memcpy(nonce + 4, skb->data + PODNET_RECORD_HEADER_LEN, 8);
	} else {
		podnet_nonce(c, c->rx_iv, epoch, seq, nonce);
	}
	podnet_put_aad(skb->data + explicit, epoch, seq, ptlen);
	err = podnet_crypto_run(c->rx, skb, nsg, explicit, cryptlen, nonce,
				false);
	if (err)
		return err;
	__skb_pull(skb, PODNET_RECORD_HEADER_LEN + explicit);
	return pskb_trim(skb, ptlen);
}
