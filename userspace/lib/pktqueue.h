/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A bounded FIFO of IP packets (pktqueue.c): what waits for a session or
 * a lookup instead of being dropped. Bounded in packets and in bytes;
 * when full, the oldest packet makes room. Each packet keeps when it was
 * queued, so nothing waits longer than its owner allows.
 */
#ifndef _PODNET_PKTQUEUE_H
#define _PODNET_PKTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pktqueue_entry {
	struct pktqueue_entry *next;
	double queued;			/* when, on the caller's clock */
	uint32_t dst;			/* IPv4 destination, network order */
	size_t len;
	uint8_t data[];
};

struct pktqueue {
	struct pktqueue_entry *head, *tail;
	size_t count, bytes;		/* bytes: of packets, not entries */
	size_t max_count, max_bytes;
};

void pktqueue_init(struct pktqueue *q, size_t max_count, size_t max_bytes);
/*
 * Appends a copy of pkt. Returns how many older packets were dropped to
 * make room (0 or more), or -1 when pkt itself is dropped: larger than
 * the queue may hold, or out of memory.
 */
int pktqueue_push(struct pktqueue *q, const uint8_t *pkt, size_t len,
		  uint32_t dst, double now);
/* The oldest packet, taken off the queue; the caller frees it. */
struct pktqueue_entry *pktqueue_pop(struct pktqueue *q);
/* Drops the packets queued before `before`; returns how many. */
size_t pktqueue_expire(struct pktqueue *q, double before);
/* Told of each packet that pktqueue_expire_each() drops, before it goes. */
typedef void pktqueue_drop_fn(void *ctx, const uint8_t *pkt, size_t len);
/* The same, showing each packet to dropped (if not NULL) first: so the
 * sender can be told that nobody took it. */
size_t pktqueue_expire_each(struct pktqueue *q, double before,
			    pktqueue_drop_fn *dropped, void *ctx);
/*
 * Moves the packets for dst (all of them when any_dst) from `from` to
 * the end of `to`, in order and with their times. Returns how many `to`
 * dropped on the way to stay in its bounds.
 */
size_t pktqueue_move(struct pktqueue *to, struct pktqueue *from,
		     uint32_t dst, bool any_dst);
/* Frees every packet; returns how many there were. */
size_t pktqueue_clear(struct pktqueue *q);

#endif /* _PODNET_PKTQUEUE_H */
