// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet-cryptobench: how fast the data path's crypto runs, alone, with 1
 * and with more threads. It seals and opens batches of records exactly as
 * podnetd does (record_seal_begin/open_begin in order on one thread, the
 * AEAD of the batch through crypto_pool_run), with no network and no TUN,
 * so the numbers say what the crypto and the pool can do when the cores
 * are free, which the tunnel bench on a shared 2-core bed cannot show.
 *
 *   podnet-cryptobench [-t SECONDS] [-l LEN] [-b BATCH] [-n MAX_THREADS]
 *
 * Prints one line per cipher and thread count, and JSON with --json.
 * A measurement tool for `make bench`, not a test.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto_pool.h"
#include "record.h"

#define SLOT 2048

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
	double seal_gbs, open_gbs;
};

static int keys_init(enum record_aead aead, struct record_keys *tx,
		     struct record_keys *rx)
{
	uint8_t a[32], b[32], iv_a[12], iv_b[12];
	uint32_t key_len = aead == RECORD_AES_GCM ? 16 : 32;

	for (int i = 0; i < 32; i++) {
		a[i] = (uint8_t)(i * 7 + 3);
		b[i] = (uint8_t)(i * 11 + 5);
	}
	for (int i = 0; i < 12; i++) {
		iv_a[i] = (uint8_t)(i + 40);
		iv_b[i] = (uint8_t)(i + 80);
	}
	if (record_keys_init(tx, aead, 1, a, iv_a, b, iv_b, key_len))
		return -1;
	if (record_keys_init(rx, aead, 1, b, iv_b, a, iv_a, key_len)) {
		record_keys_wipe(tx);
		return -1;
	}
	return 0;
}

/*
 * Seal batch after batch for `seconds`, then open what the last batch
 * sealed again and again for as long: nothing is committed to the replay
 * window, so every pass is checked and authenticated in full.
 */
static int run(enum record_aead aead, unsigned int threads, double seconds,
	       size_t len, size_t batch, struct result *res)
{
	uint8_t (*slots)[SLOT] = calloc(batch, SLOT);
	uint8_t (*plain)[SLOT] = calloc(batch, SLOT);
	struct crypto_job *jobs = calloc(batch, sizeof(*jobs));
	int *rec_len = calloc(batch, sizeof(*rec_len));
	struct record_keys tx, rx;
	struct crypto_pool pool;
	double t0, t;
	size_t bytes;
	int ret = -1;

	if (!slots || !plain || !jobs || !rec_len)
		goto out_free;
	if (keys_init(aead, &tx, &rx))
		goto out_free;
	if (crypto_pool_start(&pool, threads))
		goto out_keys;

	bytes = 0;
	t0 = now();
	do {
		for (size_t i = 0; i < batch; i++) {
			uint64_t seq;
			int off = record_seal_begin(&tx, len, slots[i], SLOT,
						    &seq);

			if (off < 0)
				goto out_pool;
			memset(slots[i] + off, (int)i, len);
			jobs[i] = (struct crypto_job){ .keys = &tx, .seq = seq,
						       .rec = slots[i],
						       .len = len };
		}
		crypto_pool_run(&pool, jobs, batch);
		for (size_t i = 0; i < batch; i++) {
			if (jobs[i].result < 0)
				goto out_pool;
			rec_len[i] = jobs[i].result;
		}
		bytes += batch * len;
		t = now();
	} while (t - t0 < seconds);
	res->seal_gbs = (double)bytes / (t - t0) / 1e9;

	bytes = 0;
	t0 = now();
	do {
		for (size_t i = 0; i < batch; i++) {
			uint64_t seq;
			size_t ptlen;
			int off = record_open_begin(&rx, slots[i],
						    (size_t)rec_len[i], &seq,
						    &ptlen);

			if (off < 0)
				goto out_pool;
			jobs[i] = (struct crypto_job){ .keys = &rx, .seq = seq,
						       .rec = slots[i],
						       .len = ptlen,
						       .out = plain[i],
						       .open = true };
		}
		crypto_pool_run(&pool, jobs, batch);
		for (size_t i = 0; i < batch; i++)
			if (jobs[i].result != (int)len)
				goto out_pool;
		bytes += batch * len;
		t = now();
	} while (t - t0 < seconds);
	res->open_gbs = (double)bytes / (t - t0) / 1e9;
	ret = 0;
out_pool:
	crypto_pool_stop(&pool);
out_keys:
	record_keys_wipe(&tx);
	record_keys_wipe(&rx);
out_free:
	free(slots);
	free(plain);
	free(jobs);
	free(rec_len);
	return ret;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"Usage: %s [--json] [-t SECONDS] [-l LEN] [-b BATCH] [-n MAX_THREADS]\n"
		"  seals and opens BATCH records of LEN bytes at a time for SECONDS\n"
		"  each, with 1 to MAX_THREADS threads (defaults: 1, 1400, 64, 2)\n",
		argv0);
	exit(1);
}

static int parse_positive(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		enum record_aead aead;
	} ciphers[] = {
		{ "chacha20-poly1305", RECORD_CHACHA20_POLY1305 },
		{ "aes-128-gcm", RECORD_AES_GCM },
	};
	long seconds = 1, len = 1400, batch = 64, max_threads = 2;
	bool json = false, first = true;
	int c;

	while ((c = getopt_long(argc, argv, "t:l:b:n:", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_positive(optarg, 60, &seconds))
				usage(argv[0]);
			break;
		case 'l':
			if (parse_positive(optarg, SLOT - 64, &len))
				usage(argv[0]);
			break;
		case 'b':
			if (parse_positive(optarg, 1024, &batch))
				usage(argv[0]);
			break;
		case 'n':
			if (parse_positive(optarg, CRYPTO_POOL_MAX_THREADS + 1,
					   &max_threads))
				usage(argv[0]);
			break;
		case 'j':
			json = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc)
		usage(argv[0]);

	if (json)
		printf("[");
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		for (long t = 1; t <= max_threads; t++) {
			struct result r;

			if (run(ciphers[i].aead, (unsigned int)t,
				(double)seconds, (size_t)len, (size_t)batch,
				&r)) {
				fprintf(stderr, "%s, %ld threads: a record failed\n",
					ciphers[i].name, t);
				return 1;
			}
			if (json)
				printf("%s{\"cipher\": \"%s\", \"threads\": %ld, "
				       "\"seal_gb_per_s\": %.3f, "
				       "\"open_gb_per_s\": %.3f}",
				       first ? "" : ", ", ciphers[i].name, t,
				       r.seal_gbs, r.open_gbs);
			else
				printf("%-18s %ld thread%s  seal %.3f GB/s  open %.3f GB/s\n",
				       ciphers[i].name, t, t == 1 ? " " : "s",
				       r.seal_gbs, r.open_gbs);
			first = false;
		}
	}
	if (json)
		printf("]\n");
	return 0;
}
