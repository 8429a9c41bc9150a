// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The packet queue: order, both bounds (oldest dropped, exactly the
 * excess), expiry by age, moving one destination's packets between
 * queues, and clearing. Run under ASan, every packet is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pktqueue.h"

/* A packet whose bytes say which one it is. */
static int push_n(struct pktqueue *q, unsigned int n, size_t len,
		  uint32_t dst, double now)
{
	uint8_t pkt[2000];

	memset(pkt, (int)(n & 0xff), sizeof(pkt));
	return pktqueue_push(q, pkt, len, dst, now);
}

static unsigned int pop_id(struct pktqueue *q)
{
	struct pktqueue_entry *e = pktqueue_pop(q);
	unsigned int id;

	assert_non_null(e);
	id = e->data[0];
	free(e);
	return id;
}

static void test_fifo(void **state)
{
	struct pktqueue q;

	(void)state;
	pktqueue_init(&q, 8, 100000);
	assert_null(pktqueue_pop(&q));
	for (unsigned int i = 1; i <= 5; i++)
		assert_int_equal(push_n(&q, i, 100, 1, 0.0), 0);
	assert_int_equal(q.count, 5);
	assert_int_equal(q.bytes, 500);
	for (unsigned int i = 1; i <= 5; i++)
		assert_int_equal(pop_id(&q), i);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.bytes, 0);
	assert_null(pktqueue_pop(&q));
	/* Empty, it takes packets again. */
	assert_int_equal(push_n(&q, 9, 10, 1, 0.0), 0);
	assert_int_equal(pop_id(&q), 9);
}

static void test_count_bound(void **state)
{
	struct pktqueue q;
	size_t dropped = 0;

	(void)state;
	pktqueue_init(&q, 128, 1 << 20);
	for (unsigned int i = 0; i < 300; i++) {
		int ret = push_n(&q, i, 100, 1, 0.0);

		assert_true(ret >= 0);
		dropped += (size_t)ret;
	}
	assert_int_equal(dropped, 300 - 128);
	assert_int_equal(q.count, 128);
	/* The newest 128 are left, oldest first. */
	assert_int_equal(pop_id(&q), (300 - 128) & 0xff);
	assert_int_equal(pktqueue_clear(&q), 127);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.bytes, 0);
}

static void test_byte_bound(void **state)
{
	struct pktqueue q;

	(void)state;
	pktqueue_init(&q, 128, 4000);
	assert_int_equal(push_n(&q, 1, 1500, 1, 0.0), 0);
	assert_int_equal(push_n(&q, 2, 1500, 1, 0.0), 0);
	/* 4500 bytes would not fit: the first goes. */
	assert_int_equal(push_n(&q, 3, 1500, 1, 0.0), 1);
	assert_int_equal(q.bytes, 3000);
	/* Two go to make room for a big one. */
	assert_int_equal(push_n(&q, 4, 2000, 1, 0.0), 1);
	assert_int_equal(q.bytes, 3500);
	assert_int_equal(push_n(&q, 5, 2000, 1, 0.0), 1);
	assert_int_equal(q.count, 2);
	assert_int_equal(pop_id(&q), 4);
	assert_int_equal(pop_id(&q), 5);
	assert_int_equal(push_n(&q, 6, 100, 1, 0.0), 0);
	assert_int_equal(pktqueue_clear(&q), 1);
	/* Larger than the whole queue: refused. */
	pktqueue_init(&q, 128, 50);
	assert_int_equal(push_n(&q, 7, 51, 1, 0.0), -1);
	assert_int_equal(q.count, 0);
	/* A queue of no packets takes none. */
	pktqueue_init(&q, 0, 4000);
	assert_int_equal(push_n(&q, 8, 10, 1, 0.0), -1);
}

static void test_refused_keeps_rest(void **state)
{
	struct pktqueue q;

	(void)state;
	pktqueue_init(&q, 4, 1000);
	assert_int_equal(push_n(&q, 1, 500, 1, 0.0), 0);
	assert_int_equal(push_n(&q, 2, 1001, 1, 0.0), -1);
	assert_int_equal(q.count, 1);
	assert_int_equal(pktqueue_clear(&q), 1);
}

static void test_expire(void **state)
{
	struct pktqueue q;

	(void)state;
	pktqueue_init(&q, 16, 100000);
	for (unsigned int i = 0; i < 10; i++)
		push_n(&q, i, 60, 1, (double)i);
	assert_int_equal(pktqueue_expire(&q, 0.0), 0);
	assert_int_equal(pktqueue_expire(&q, 4.0), 4);
	assert_int_equal(q.count, 6);
	assert_int_equal(q.bytes, 360);
	assert_int_equal(pop_id(&q), 4);
	assert_int_equal(pktqueue_expire(&q, 100.0), 5);
	assert_null(q.head);
	assert_null(q.tail);
	/* The tail is right after expiring everything. */
	push_n(&q, 42, 60, 1, 200.0);
	assert_int_equal(pop_id(&q), 42);
}

/* What pktqueue_expire_each() showed, in order. */
static unsigned int seen[16], n_seen;

static void note_dropped(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	assert_int_equal(len, 60);
	assert_true(n_seen < 16);
	seen[n_seen++] = pkt[0];
}

static void test_expire_each(void **state)
{
	struct pktqueue q;

	(void)state;
	pktqueue_init(&q, 16, 100000);
	for (unsigned int i = 0; i < 6; i++)
		push_n(&q, i, 60, 1, (double)i);
	n_seen = 0;
	assert_int_equal(pktqueue_expire_each(&q, 3.0, note_dropped, NULL), 3);
	assert_int_equal(n_seen, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(seen[i], i);
	assert_int_equal(q.count, 3);
	/* Everything, as a failed lookup drops it. */
	assert_int_equal(pktqueue_expire_each(&q, 1e300, note_dropped, NULL), 3);
	assert_int_equal(n_seen, 6);
	assert_int_equal(seen[5], 5);
	assert_null(q.head);
	assert_int_equal(q.bytes, 0);
}

static void test_move(void **state)
{
	struct pktqueue pending, peer;

	(void)state;
	pktqueue_init(&pending, 32, 100000);
	pktqueue_init(&peer, 3, 100000);
	/* Two destinations interleaved. */
	for (unsigned int i = 0; i < 8; i++)
		push_n(&pending, i, 100, i % 2 ? 7 : 9, (double)i);
	assert_int_equal(pktqueue_move(&peer, &pending, 7, false), 1);
	/* Of 1, 3, 5, 7 the newest three, in order, times kept. */
	assert_int_equal(peer.count, 3);
	assert_int_equal(peer.head->queued, 3.0);
	assert_int_equal(pop_id(&peer), 3);
	assert_int_equal(pop_id(&peer), 5);
	assert_int_equal(pop_id(&peer), 7);
	/* The others stay, in order, and the queue still appends. */
	assert_int_equal(pending.count, 4);
	assert_int_equal(pending.bytes, 400);
	assert_int_equal(pending.max_count, 32);
	push_n(&pending, 8, 100, 9, 8.0);
	assert_int_equal(pktqueue_move(&peer, &pending, 0, true), 2);
	assert_int_equal(pending.count, 0);
	assert_null(pending.tail);
	assert_int_equal(pop_id(&peer), 4);
	assert_int_equal(pop_id(&peer), 6);
	assert_int_equal(pop_id(&peer), 8);
	/* Nothing to move: nothing changes. */
	assert_int_equal(pktqueue_move(&peer, &pending, 7, false), 0);
	assert_int_equal(peer.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_count_bound),
		cmocka_unit_test(test_byte_bound),
		cmocka_unit_test(test_refused_keeps_rest),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_expire_each),
		cmocka_unit_test(test_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
