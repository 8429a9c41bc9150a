// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "routing6.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ROUTING6_MIN_CAPACITY 64
/* Marks a removed slot so that probe chains stay intact. */
#define ROUTING6_TOMBSTONE ((void *)&routing6_tombstone_marker)

static const char routing6_tombstone_marker;

static size_t hash6(const struct in6_addr *a, size_t mask)
{
	uint64_t hi, lo;

	/* Virtual networks differ in the low (interface) half mostly; mix
	 * both halves so a /64 spreads over the table. */
	memcpy(&hi, a->s6_addr, 8);
	memcpy(&lo, a->s6_addr + 8, 8);
	return (size_t)(((lo ^ (hi * 0xC2B2AE3D27D4EB4Full)) *
			 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static bool is_zero(const struct in6_addr *a)
{
	static const struct in6_addr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

int routing6_init(struct routing6_table *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->slots = calloc(ROUTING6_MIN_CAPACITY, sizeof(*rt->slots));
	if (!rt->slots)
		return -ENOMEM;
	rt->capacity = ROUTING6_MIN_CAPACITY;
	return 0;
}

void routing6_free(struct routing6_table *rt)
{
	free(rt->slots);
	memset(rt, 0, sizeof(*rt));
}

static struct routing6_entry *find_slot(const struct routing6_table *rt,
					const struct in6_addr *addr)
{
	size_t mask = rt->capacity - 1;

	if (!rt->slots)
		return NULL;
	for (size_t i = hash6(addr, mask), n = 0; n < rt->capacity;
	     i = (i + 1) & mask, n++) {
		struct routing6_entry *e = &rt->slots[i];

		if (!e->peer)
			return NULL;
		if (e->peer != ROUTING6_TOMBSTONE &&
		    !memcmp(&e->addr, addr, sizeof(*addr)))
			return e;
	}
	return NULL;
}

static int resize(struct routing6_table *rt, size_t capacity)
{
	struct routing6_entry *old = rt->slots;
	size_t old_capacity = rt->capacity;

	rt->slots = calloc(capacity, sizeof(*rt->slots));
	if (!rt->slots) {
		rt->slots = old;
		return -ENOMEM;
	}
	rt->capacity = capacity;
	rt->count = 0;
	rt->tombstones = 0;
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i].peer && old[i].peer != ROUTING6_TOMBSTONE)
			routing6_insert(rt, &old[i].addr, old[i].peer);
	free(old);
	return 0;
}

int routing6_insert(struct routing6_table *rt, const struct in6_addr *addr,
		    void *peer)
{
	struct routing6_entry *e;
	size_t mask;

	if (is_zero(addr) || !peer || !rt->slots)
		return -EINVAL;
	e = find_slot(rt, addr);
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
	for (size_t i = hash6(addr, mask);; i = (i + 1) & mask) {
		e = &rt->slots[i];
		if (!e->peer || e->peer == ROUTING6_TOMBSTONE) {
			if (e->peer == ROUTING6_TOMBSTONE)
				rt->tombstones--;
			e->addr = *addr;
			e->peer = peer;
			rt->count++;
			return 0;
		}
	}
}

int routing6_remove(struct routing6_table *rt, const struct in6_addr *addr,
		    const void *peer)
{
	struct routing6_entry *e = find_slot(rt, addr);

	if (!e || (peer && e->peer != peer))
		return -ENOENT;
	e->peer = ROUTING6_TOMBSTONE;
	rt->count--;
	rt->tombstones++;
	return 0;
}

void *routing6_lookup(const struct routing6_table *rt,
		      const struct in6_addr *addr)
{
	struct routing6_entry *e = find_slot(rt, addr);

	return e ? e->peer : NULL;
}
