// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "crypto_pool.h"

#include <string.h>

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Below this many records a batch is not worth waking a thread for. */
#define CRYPTO_POOL_MIN_PARALLEL 4
/* Spins before the caller sleeps waiting for a worker's last job: a
 * record takes a few microseconds, a sleep and wake-up more. */
#define CRYPTO_POOL_SPIN 2000
#define CRYPTO_POOL_WORKER_SPIN 20000

static void job_run(struct crypto_job *j)
{
	if (j->open)
		j->result = record_open_finish(j->keys, j->seq, j->rec,
					       j->len, j->out);
	else
		j->result = record_seal_finish(j->keys, j->seq, j->rec,
					       j->len);
}

/*
 * A worker's own GCM key schedule. wolfCrypt does not promise that two
 * threads may use one Aes at once, so a worker never touches a session's:
 * it expands the raw key itself (well under a microsecond with AES-NI,
 * once per key and batch) and wipes it when the batch is done, so no key
 * outlives its session in a worker either.
 */
struct worker_gcm {
	Aes aes;
	const uint8_t *key;	/* the raw key it was set up from */
	bool ready;
};

static void worker_gcm_wipe(struct worker_gcm *g)
{
	if (!g->ready)
		return;
	wc_AesFree(&g->aes);
	explicit_bzero(&g->aes, sizeof(g->aes));
	g->ready = false;
	g->key = NULL;
}

static void worker_job_run(struct crypto_job *j, struct worker_gcm *g)
{
	const struct record_direction *dir;

	if (j->keys->aead != RECORD_AES_GCM) {
		job_run(j);
		return;
	}
	dir = j->open ? &j->keys->rx : &j->keys->tx;
	if (!g->ready || g->key != dir->key) {
		worker_gcm_wipe(g);
		if (wc_AesInit(&g->aes, NULL, INVALID_DEVID) ||
		    wc_AesGcmSetKey(&g->aes, dir->key, j->keys->key_len)) {
			j->result = RECORD_ERR_AUTH;
			return;
		}
		g->ready = true;
		g->key = dir->key;
	}
	if (j->open)
		j->result = record_open_finish_aes(j->keys, &g->aes, j->seq,
						   j->rec, j->len, j->out);
	else
		j->result = record_seal_finish_aes(j->keys, &g->aes, j->seq,
						   j->rec, NULL, j->len);
}

/*
 * Take and run jobs of batch generation until none is left: g is the
 * worker's own GCM schedule, NULL on the caller (which owns the sessions'
 * schedules, as it does outside batches).
 */
static size_t take_jobs(struct crypto_pool *p, struct crypto_job *jobs,
			size_t n, unsigned int generation,
			struct worker_gcm *g)
{
	size_t taken = 0;

	for (;;) {
		uint64_t t = atomic_load(&p->ticket);
		size_t i;

		do {
			if ((uint32_t)(t >> 32) != generation)
				return taken;
			i = (size_t)(uint32_t)t;
			if (i >= n)
				return taken;
		} while (!atomic_compare_exchange_weak(&p->ticket, &t, t + 1));
		if (g)
			worker_job_run(&jobs[i], g);
		else
			job_run(&jobs[i]);
		taken++;
		if (atomic_fetch_add(&p->done, 1) + 1 == n) {
			pthread_mutex_lock(&p->lock);
			pthread_cond_signal(&p->finished);
			pthread_mutex_unlock(&p->lock);
		}
	}
}

static void *worker_main(void *arg)
{
	struct crypto_pool *p = arg;
	struct worker_gcm gcm = { .ready = false };
	unsigned int seen = 0;
	size_t taken;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct crypto_job *jobs;
		size_t n;

		if (!p->stop && seen == p->generation) {
			/* Back-to-back batches: look for the next one a
			 * while before sleeping, a wake-up costs more. */
			pthread_mutex_unlock(&p->lock);
			for (int i = 0; i < CRYPTO_POOL_WORKER_SPIN; i++) {
				if ((uint32_t)(atomic_load(&p->ticket) >> 32) != seen)
					break;
				cpu_relax();
			}
			pthread_mutex_lock(&p->lock);
		}
		while (!p->stop && seen == p->generation)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		seen = p->generation;
		jobs = p->jobs;
		n = p->n_jobs;
		pthread_mutex_unlock(&p->lock);
		taken = take_jobs(p, jobs, n, seen, &gcm);
		worker_gcm_wipe(&gcm);
		pthread_mutex_lock(&p->lock);
		p->worker_jobs += taken;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int crypto_pool_start(struct crypto_pool *p, unsigned int threads)
{
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->lock, NULL))
		return -1;
	if (pthread_cond_init(&p->work, NULL) ||
	    pthread_cond_init(&p->finished, NULL))
		return -1;
	if (threads > CRYPTO_POOL_MAX_THREADS + 1)
		threads = CRYPTO_POOL_MAX_THREADS + 1;
	for (unsigned int i = 0; i + 1 < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p)) {
			crypto_pool_stop(p);
			return -1;
		}
		p->n_threads++;
	}
	return 0;
}

void crypto_pool_stop(struct crypto_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	p->n_threads = 0;
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->finished);
	pthread_mutex_destroy(&p->lock);
}

void crypto_pool_run(struct crypto_pool *p, struct crypto_job *jobs,
		     size_t n)
{
	unsigned int generation;

	if (!n)
		return;
	p->batches++;
	if (!p->n_threads || n < CRYPTO_POOL_MIN_PARALLEL) {
		for (size_t i = 0; i < n; i++)
			job_run(&jobs[i]);
		return;
	}
	p->parallel_batches++;
	pthread_mutex_lock(&p->lock);
	generation = ++p->generation;
	p->jobs = jobs;
	p->n_jobs = n;
	atomic_store(&p->done, 0);
	atomic_store(&p->ticket, (uint64_t)generation << 32);
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);

	take_jobs(p, jobs, n, generation, NULL);
	for (int i = 0; i < CRYPTO_POOL_SPIN; i++) {
		if (atomic_load(&p->done) == n)
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&p->lock);
	while (atomic_load(&p->done) != n)
		pthread_cond_wait(&p->finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
}
