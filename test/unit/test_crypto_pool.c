// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The crypto worker pool: a batch sealed by several threads is byte for
 * byte what one thread seals, every record of it opens, a tampered one
 * does not, and many batches in a row never mix jobs of two batches. The
 * same holds for AES-GCM, where each worker uses a key schedule of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto_pool.h"
#include "record.h"

#define BATCH 64
#define SLOT 1600

static uint8_t key_a[32], iv_a[12], key_b[32], iv_b[12];

static void keys_pair(enum record_aead aead, struct record_keys *a,
		      struct record_keys *b)
{
	size_t key_len = aead == RECORD_AES_GCM ? 16 : 32;

	for (int i = 0; i < 32; i++) {
		key_a[i] = (uint8_t)(i * 7 + 1);
		key_b[i] = (uint8_t)(i * 13 + 5);
	}
	for (int i = 0; i < 12; i++) {
		iv_a[i] = (uint8_t)(i + 100);
		iv_b[i] = (uint8_t)(i + 200);
	}
	assert_int_equal(record_keys_init(a, aead, 1, key_a, iv_a, key_b, iv_b,
					  key_len), 0);
	assert_int_equal(record_keys_init(b, aead, 1, key_b, iv_b, key_a, iv_a,
					  key_len), 0);
}

static size_t fill(uint8_t *pt, size_t round, size_t i)
{
	size_t len = 40 + (round * 31 + i * 17) % 1400;

	for (size_t k = 0; k < len; k++)
		pt[k] = (uint8_t)(round + i + k);
	return len;
}

static void parallel_equals_serial(enum record_aead aead)
{
	static uint8_t par[BATCH][SLOT], ser[BATCH][SLOT], pt[SLOT];
	static struct crypto_job jobs[BATCH];
	size_t explicit = aead == RECORD_AES_GCM ? 8 : 0;
	struct record_keys a, a_copy, b, b_unused;
	struct crypto_pool pool;

	keys_pair(aead, &a, &b);
	/* Its own keys, not a copy: a GCM key schedule is owned by one. */
	keys_pair(aead, &a_copy, &b_unused);
	record_keys_wipe(&b_unused);
	assert_int_equal(crypto_pool_start(&pool, 2), 0);
	for (size_t round = 0; round < 300; round++) {
		size_t n = 1 + round % BATCH;

		for (size_t i = 0; i < n; i++) {
			size_t len = fill(pt, round, i);
			uint64_t seq;
			int off = record_seal_begin(&a, len, par[i], SLOT,
						    &seq);

			assert_true(off > 0);
			memcpy(par[i] + off, pt, len);
			jobs[i] = (struct crypto_job){ .keys = &a, .seq = seq,
						       .rec = par[i],
						       .len = len };
			assert_int_equal(record_seal(&a_copy, pt, len, ser[i],
						     SLOT),
					 (int)(off + len + RECORD_TAG_LEN));
		}
		crypto_pool_run(&pool, jobs, n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(jobs[i].result,
					 (int)(RECORD_HEADER_LEN + explicit +
					       jobs[i].len + RECORD_TAG_LEN));
			assert_memory_equal(par[i], ser[i], jobs[i].result);
		}
		/* Open the batch in parallel, in place, then commit. */
		for (size_t i = 0; i < n; i++) {
			uint64_t seq;
			size_t ptlen;
			int off = record_open_begin(&b, par[i],
						    (size_t)jobs[i].result,
						    &seq, &ptlen);

			assert_int_equal(off, RECORD_HEADER_LEN + explicit);
			if (i == n / 2)
				par[i][off + 3] ^= 1;	/* tampered */
			jobs[i] = (struct crypto_job){ .keys = &b, .seq = seq,
						       .rec = par[i],
						       .len = ptlen,
						       .out = par[i] + off,
						       .open = true };
		}
		crypto_pool_run(&pool, jobs, n);
		for (size_t i = 0; i < n; i++) {
			if (i == n / 2) {
				assert_int_equal(jobs[i].result,
						 RECORD_ERR_AUTH);
				continue;
			}
			assert_int_equal(jobs[i].result, (int)jobs[i].len);
			fill(pt, round, i);
			assert_memory_equal(par[i] + RECORD_HEADER_LEN +
					    explicit, pt, jobs[i].len);
			assert_true(replay_commit(&b.replay, jobs[i].seq));
		}
	}
	assert_true(pool.parallel_batches > 0);
	crypto_pool_stop(&pool);
	/* The workers did their share, with their own GCM schedules. */
	assert_true(pool.worker_jobs > 0);
	record_keys_wipe(&a);
	record_keys_wipe(&a_copy);
	record_keys_wipe(&b);
}

static void test_parallel_equals_serial(void **state)
{
	(void)state;
	parallel_equals_serial(RECORD_CHACHA20_POLY1305);
}

static void test_parallel_equals_serial_gcm(void **state)
{
	(void)state;
	parallel_equals_serial(RECORD_AES_GCM);
}

/* Without workers the pool runs everything on the caller. */
static void test_no_workers(void **state)
{
	static uint8_t rec[SLOT];
	struct record_keys a, b;
	struct crypto_pool pool;
	struct crypto_job job;
	uint64_t seq;
	int off;

	(void)state;
	keys_pair(RECORD_CHACHA20_POLY1305, &a, &b);
	assert_int_equal(crypto_pool_start(&pool, 1), 0);
	assert_int_equal(pool.n_threads, 0);
	off = record_seal_begin(&a, 100, rec, SLOT, &seq);
	memset(rec + off, 0x45, 100);
	job = (struct crypto_job){ .keys = &a, .seq = seq, .rec = rec,
				   .len = 100 };
	crypto_pool_run(&pool, &job, 1);
	assert_int_equal(job.result, off + 100 + RECORD_TAG_LEN);
	assert_int_equal(record_open(&b, rec, (size_t)job.result, rec, SLOT),
			 100);
	crypto_pool_stop(&pool);
	record_keys_wipe(&a);
	record_keys_wipe(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_equals_serial),
		cmocka_unit_test(test_parallel_equals_serial_gcm),
		cmocka_unit_test(test_no_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
