// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A bounded FIFO of IP packets. A singly linked list with a tail pointer:
 * queues are short-lived and rarely long, and a packet moves between
 * queues (a lookup's to a peer's) without being copied.
 */
#include "pktqueue.h"

#include <stdlib.h>
#include <string.h>

void pktqueue_init(struct pktqueue *q, size_t max_count, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_count = max_count;
	q->max_bytes = max_bytes;
}

struct pktqueue_entry *pktqueue_pop(struct pktqueue *q)
{
	struct pktqueue_entry *e = q->head;

	if (!e)
		return NULL;
	q->head = e->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	q->bytes -= e->len;
	e->next = NULL;
	return e;
}

static void append(struct pktqueue *q, struct pktqueue_entry *e)
{
	e->next = NULL;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->count++;
	q->bytes += e->len;
}

/* Drops the oldest packets until one of len bytes fits. */
static size_t make_room(struct pktqueue *q, size_t len)
{
	size_t dropped = 0;

	while (q->head && (q->count + 1 > q->max_count ||
			   q->bytes + len > q->max_bytes)) {
		free(pktqueue_pop(q));
		dropped++;
	}
	return dropped;
}

int pktqueue_push(struct pktqueue *q, const uint8_t *pkt, size_t len,
		  uint32_t dst, double now)
{
	struct pktqueue_entry *e;
	size_t dropped;

	if (!q->max_count || len > q->max_bytes)
		return -1;
	e = malloc(sizeof(*e) + len);
	if (!e)
		return -1;
	e->queued = now;
	e->dst = dst;
	e->len = len;
	memcpy(e->data, pkt, len);
	dropped = make_room(q, len);
	append(q, e);
	return (int)dropped;
}

size_t pktqueue_expire_each(struct pktqueue *q, double before,
			    pktqueue_drop_fn *dropped, void *ctx)
{
	size_t n = 0;

	/* In order of queueing, so the old ones are all at the head. */
	while (q->head && q->head->queued < before) {
		struct pktqueue_entry *e = pktqueue_pop(q);

		if (dropped)
			dropped(ctx, e->data, e->len);
		free(e);
		n++;
	}
	return n;
}

size_t pktqueue_expire(struct pktqueue *q, double before)
{
	return pktqueue_expire_each(q, before, NULL, NULL);
}

size_t pktqueue_move(struct pktqueue *to, struct pktqueue *from,
		     uint32_t dst, bool any_dst)
{
	struct pktqueue rest;
	struct pktqueue_entry *e;
	size_t dropped = 0;

	pktqueue_init(&rest, from->max_count, from->max_bytes);
	while ((e = pktqueue_pop(from))) {
		if (!any_dst && e->dst != dst) {
			append(&rest, e);
			continue;
		}
		if (!to->max_count || e->len > to->max_bytes) {
			free(e);
			dropped++;
			continue;
		}
		dropped += make_room(to, e->len);
		append(to, e);
	}
	*from = rest;
	return dropped;
}

size_t pktqueue_clear(struct pktqueue *q)
{
	size_t n = 0;

	while (q->head) {
		free(pktqueue_pop(q));
		n++;
	}
	return n;
}
