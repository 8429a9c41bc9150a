// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "routing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ROUTING_MIN_CAPACITY 64
/* Marks a removed slot so that probe chains stay intact. */
#define ROUTING_TOMBSTONE ((void *)&routing_tombstone_marker)

static const char routing_tombstone_marker;

static size_t hash_addr(uint32_t addr, size_t mask)
{
	/* Fibonacci hashing spreads the low-entropy high bytes of a /16 or
	 * /24 virtual network over the whole table. */
	return (size_t)(((uint64_t)addr * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

int routing_init(struct routing_table *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->slots = calloc(ROUTING_MIN_CAPACITY, sizeof(*rt->slots));
	if (!rt->slots)
		return -ENOMEM;
	rt->capacity = ROUTING_MIN_CAPACITY;
	return 0;
}

void routing_free(struct routing_table *rt)
{
	free(rt->slots);
	memset(rt, 0, sizeof(*rt));
}

static struct routing_entry *find_slot(const struct routing_table *rt,
				       uint32_t addr)
{
	size_t mask = rt->capacity - 1;

	for (size_t i = hash_addr(addr, mask), n = 0; n < rt->capacity;
	     i = (i + 1) & mask, n++) {
		struct routing_entry *e = &rt->slots[i];

		if (e->addr == addr && e->peer != ROUTING_TOMBSTONE)
			return e;
		if (!e->addr && !e->peer)
			return NULL;
	}
	return NULL;
}

static int resize(struct routing_table *rt, size_t capacity)
{
	struct routing_entry *old = rt->slots;
	size_t old_capacity = rt->capacity;

	rt->slots = calloc(capacity, sizeof(*rt->slots));
	if (!rt->slots) {
		rt->slots = old;
		return -ENOMEM;
	}
	rt->capacity = capacity;
	rt->count = 0;
	rt->tombstones = 0;
	for (size_t i = 0; i < old_capacity; i++) {
		if (old[i].addr && old[i].peer != ROUTING_TOMBSTONE) {
			struct in_addr a = { .s_addr = old[i].addr };

			routing_insert(rt, a, old[i].peer);
		}
	}
	free(old);
	return 0;
}

int routing_insert(struct routing_table *rt, struct in_addr addr, void *peer)
{
	struct routing_entry *e;
	size_t mask;

	if (!addr.s_addr || !peer)
		return -EINVAL;
	e = find_slot(rt, addr.s_addr);
	if (e) {
		e->peer = peer;
		return 0;
	}
	/* Keep the load (live + tombstones) under 50% so probes stay short. */
	if ((rt->count + rt->tombstones + 1) * 2 > rt->capacity) {
		size_t cap = rt->capacity;
		int ret;

		while ((rt->count + 1) * 2 > cap)
			cap *= 2;
		ret = resize(rt, cap);
		if (ret)
			return ret;
	}
	mask = rt->capacity - 1;
	for (size_t i = hash_addr(addr.s_addr, mask);; i = (i + 1) & mask) {
		e = &rt->slots[i];
		if (!e->addr || e->peer == ROUTING_TOMBSTONE) {
			if (e->peer == ROUTING_TOMBSTONE)
				rt->tombstones--;
			e->addr = addr.s_addr;
			e->peer = peer;
			rt->count++;
			return 0;
		}
	}
}

int routing_remove(struct routing_table *rt, struct in_addr addr,
		   const void *peer)
{
	struct routing_entry *e;

	if (!addr.s_addr)
		return -ENOENT;
	e = find_slot(rt, addr.s_addr);
	if (!e || (peer && e->peer != peer))
		return -ENOENT;
	e->peer = ROUTING_TOMBSTONE;
	rt->count--;
	rt->tombstones++;
	return 0;
}

void *routing_lookup(const struct routing_table *rt, struct in_addr addr)
{
	struct routing_entry *e;

	if (!addr.s_addr)
		return NULL;
	e = find_slot(rt, addr.s_addr);
	return e ? e->peer : NULL;
}
