/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet's own DTLS 1.2 record layer for data. After a handshake the
 * session's keys are taken from wolfSSL and application_data records are
 * sealed and opened here, byte for byte as wolfSSL would (the interop test
 * proves it both ways), with podnet's own sequence numbers and replay
 * window. The wolfSSL object is freed once the keys are handed over.
 *
 * Sequence numbers start at RECORD_SEQ_FIRST, far above anything wolfSSL
 * used in the handshake (Finished is epoch 1, sequence 0), so no nonce is
 * ever used twice under one key.
 */
#ifndef _PODNET_RECORD_H
#define _PODNET_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/aes.h>

#include <podnet_wire.h>

#include "replay.h"

/* Shared with the kernel module (netlink/uapi/podnet_wire.h). */
#define RECORD_HEADER_LEN PODNET_RECORD_HEADER_LEN
#define RECORD_TAG_LEN PODNET_RECORD_TAG_LEN
#define RECORD_EXPLICIT_NONCE_LEN PODNET_RECORD_EXPLICIT_NONCE_LEN
#define RECORD_SEQ_FIRST PODNET_SEQ_FIRST
#define RECORD_SEQ_LAST PODNET_SEQ_LAST
/* Worst-case bytes a record adds to its plaintext. */
#define RECORD_OVERHEAD (RECORD_HEADER_LEN + RECORD_EXPLICIT_NONCE_LEN + \
			 RECORD_TAG_LEN)

enum record_aead {
	RECORD_CHACHA20_POLY1305,
	RECORD_AES_GCM,
};

struct record_direction {
	uint8_t key[32];
	uint8_t iv[12];		/* ChaCha: 12-byte IV; GCM: 4-byte salt */
	Aes *aes;		/* GCM key schedule, set up once; NULL for
				 * ChaCha, which keeps an idle session small */
};

struct record_keys {
	enum record_aead aead;
	uint16_t epoch;
	uint32_t key_len;
	uint64_t tx_seq;	/* next sequence number to send */
	struct record_direction tx, rx;
	struct replay_window replay;
};

enum record_error {
	RECORD_ERR_MALFORMED = -1,	/* not an application_data record */
	RECORD_ERR_REPLAY = -2,		/* seen, or too old */
	RECORD_ERR_AUTH = -3,		/* failed authentication */
	RECORD_ERR_EXHAUSTED = -4,	/* sequence numbers used up */
	RECORD_ERR_SPACE = -5,		/* output buffer too small */
};

/*
 * Take the keys of a finished handshake from ssl (either side). Returns 0,
 * or -1 for a cipher podnet does not carry itself.
 */
int record_keys_from_ssl(WOLFSSL *ssl, struct record_keys *k);
/* Keys from raw material, for tests and the kernel interop. */
int record_keys_init(struct record_keys *k, enum record_aead aead,
		     uint16_t epoch, const uint8_t *tx_key,
		     const uint8_t *tx_iv, const uint8_t *rx_key,
		     const uint8_t *rx_iv, uint32_t key_len);
void record_keys_wipe(struct record_keys *k);

/* Seal one plaintext into out; returns the record length or an error. */
int record_seal(struct record_keys *k, const uint8_t *pt, size_t len,
		uint8_t *out, size_t cap);
/*
 * Open one untrusted record into out; returns the plaintext length or an
 * error. Replays are refused; the window moves only for records that
 * authenticated.
 */
int record_open(struct record_keys *k, const uint8_t *rec, size_t len,
		uint8_t *out, size_t cap);
/*
 * The two halves of record_seal and record_open, so that the crypto of a
 * batch can run on several threads: the _begin calls (sequence numbers,
 * replay check) run in order on one thread, the _finish calls touch
 * nothing but the record and read-only keys. A GCM key schedule (Aes) is
 * not to be shared between threads: the _aes variants take the schedule
 * to use, which crypto_pool's workers set up from k's raw key.
 *
 * record_seal_begin writes the record header for len bytes of plaintext,
 * reserves a sequence number and returns the offset in out where the
 * plaintext goes; record_seal_finish encrypts it in place and returns the
 * record length. record_seal_finish_from encrypts len bytes from pt,
 * which must not overlap the record, into it instead: no copy first.
 */
int record_seal_begin(struct record_keys *k, size_t len, uint8_t *out,
		      size_t cap, uint64_t *seq);
int record_seal_finish(const struct record_keys *k, uint64_t seq,
		       uint8_t *rec, size_t len);
int record_seal_finish_from(const struct record_keys *k, uint64_t seq,
			    uint8_t *rec, const uint8_t *pt, size_t len);
/*
 * record_open_begin checks the header and the replay window and returns
 * the offset of the ciphertext; record_open_finish authenticates and
 * decrypts it to out (which may be rec + offset) and returns the
 * plaintext length. The caller then commits seq to k->replay.
 */
int record_open_begin(const struct record_keys *k, const uint8_t *rec,
		      size_t len, uint64_t *seq, size_t *ptlen);
int record_open_finish(const struct record_keys *k, uint64_t seq,
		       const uint8_t *rec, size_t ptlen, uint8_t *out);
/* in: the plaintext, or NULL where it is in the record already. */
int record_seal_finish_aes(const struct record_keys *k, Aes *aes,
			   uint64_t seq, uint8_t *rec, const uint8_t *in,
			   size_t len);
int record_open_finish_aes(const struct record_keys *k, Aes *aes,
			   uint64_t seq, const uint8_t *rec, size_t ptlen,
			   uint8_t *out);
/* The sequence number of a record, without opening it (for tests). */
int record_peek_seq(const uint8_t *rec, size_t len, uint64_t *seq);

#endif /* _PODNET_RECORD_H */
