/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Threads that seal and open the records of one batch in parallel. The
 * daemon stays single-threaded in everything else: the event loop
 * reserves sequence numbers and checks replay windows in order, hands the
 * batch's crypto to crypto_pool_run(), works on it itself, and continues
 * once every job is done. No session state is shared with the workers but
 * the read-only keys of the jobs in flight.
 */
#ifndef _PODNET_CRYPTO_POOL_H
#define _PODNET_CRYPTO_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define CRYPTO_POOL_MAX_THREADS 8

struct crypto_job {
	const struct record_keys *keys;
	uint64_t seq;
	uint8_t *rec;		/* the record, header first */
	size_t len;		/* plaintext length */
	uint8_t *out;		/* open: where the plaintext goes */
	bool open;
	int result;		/* record or plaintext length, or error */
};

struct crypto_pool {
	unsigned int n_threads;		/* workers besides the caller */
	pthread_t threads[CRYPTO_POOL_MAX_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t work, finished;
	unsigned int generation;	/* of the batch in jobs */
	struct crypto_job *jobs;
	size_t n_jobs;
	/* generation << 32 | next job index: a worker that wakes late for
	 * an old batch cannot take a job of a newer one. */
	_Atomic uint64_t ticket;
	_Atomic size_t done;
	bool stop;
	uint64_t batches, parallel_batches;	/* for `podnet show` */
	uint64_t worker_jobs;		/* run by workers; under lock */
};

/* Start threads - 1 workers (threads counts the caller too). */
int crypto_pool_start(struct crypto_pool *p, unsigned int threads);
void crypto_pool_stop(struct crypto_pool *p);
/* Run every job; returns when all are done. */
void crypto_pool_run(struct crypto_pool *p, struct crypto_job *jobs,
		     size_t n);

#endif /* _PODNET_CRYPTO_POOL_H */
