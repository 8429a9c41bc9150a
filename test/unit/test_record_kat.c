// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Known answers for the record layer: fixed keys, sequence numbers and
 * plaintexts of many lengths, sealed with every AEAD podnet carries, must
 * give the same bytes whichever wolfSSL is linked. The expected digests
 * come from Debian's packaged library (portable C) on x86-64; the
 * assembly builds (x86-64, and arm64 under qemu in make check-arm64)
 * must match them. test_record.c cannot see a bug that seal and open
 * share, because both its ends use the same library; this can.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "record.h"

/*
 * Lengths around the block sizes the assembly paths switch on (16-byte
 * AES blocks, 4- and 8-block GCM loops, 64-byte ChaCha blocks and the
 * 256- and 320-byte NEON chunks) up to a full-MTU record.
 */
static const size_t lengths[] = {
	1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 319, 320,
	321, 511, 512, 1023, 1024, 1300, 1420, 1500,
};

struct kat {
	const char *name;
	enum record_aead aead;
	uint32_t key_len;
	const char *digest;	/* SHA-256 of every record, in order */
};

static const struct kat kats[] = {
	{ "chacha20-poly1305", RECORD_CHACHA20_POLY1305, 32,
	  "b47d0fc5e78f32e66428681f71718cb810c4acb8d8b159ed8c3511d88a7456c9" },
	{ "aes-128-gcm", RECORD_AES_GCM, 16,
	  "6eaf8d1be808770bb3d999219dd3eb4a2b5b61160e64fc828400223afb93a6ed" },
	{ "aes-256-gcm", RECORD_AES_GCM, 32,
	  "9b078ea6bcc7d15d573fa051c1c77e502b986877f61d10d338c92eaa4a1b6c2b" },
};

static void keys(const struct kat *kat, struct record_keys *tx,
		 struct record_keys *rx)
{
	uint8_t a[32], b[32], iv_a[12], iv_b[12];

	for (int i = 0; i < 32; i++) {
		a[i] = (uint8_t)(i * 29 + 1);
		b[i] = (uint8_t)(i * 13 + 7);
	}
	for (int i = 0; i < 12; i++) {
		iv_a[i] = (uint8_t)(i * 3 + 100);
		iv_b[i] = (uint8_t)(i * 5 + 200);
	}
	assert_int_equal(record_keys_init(tx, kat->aead, 3, a, iv_a, b, iv_b,
					  kat->key_len), 0);
	assert_int_equal(record_keys_init(rx, kat->aead, 3, b, iv_b, a, iv_a,
					  kat->key_len), 0);
}

static void run(const struct kat *kat)
{
	uint8_t pt[1500], rec[1600], back[1600], digest[WC_SHA256_DIGEST_SIZE];
	char hex[2 * sizeof(digest) + 1];
	struct record_keys tx, rx;
	wc_Sha256 sha;
	int n;

	keys(kat, &tx, &rx);
	/* A sequence number with bits in every byte of the nonce. */
	tx.tx_seq = 0x0000a1b2c3d4e5f6ULL;
	assert_int_equal(wc_InitSha256(&sha), 0);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];

		for (size_t j = 0; j < len; j++)
			pt[j] = (uint8_t)(j * 31 + len);
		n = record_seal(&tx, pt, len, rec, sizeof(rec));
		assert_true(n > 0);
		assert_int_equal(wc_Sha256Update(&sha, rec, (word32)n), 0);
		/* And it opens with the other side's keys. */
		assert_int_equal(record_open(&rx, rec, (size_t)n, back,
					     sizeof(back)), (int)len);
		assert_memory_equal(back, pt, len);
	}
	assert_int_equal(wc_Sha256Final(&sha, digest), 0);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	printf("# %s: %s\n", kat->name, hex);
	assert_string_equal(hex, kat->digest);
	record_keys_wipe(&tx);
	record_keys_wipe(&rx);
}

static void test_chacha(void **state)
{
	run(&kats[0]);
}

static void test_aes128gcm(void **state)
{
	run(&kats[1]);
}

static void test_aes256gcm(void **state)
{
	run(&kats[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chacha),
		cmocka_unit_test(test_aes128gcm),
		cmocka_unit_test(test_aes256gcm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
