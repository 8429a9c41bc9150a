// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "routing.h"

#include <arpa/inet.h>
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
	free(rt->prefixes);
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
	if (e)
		return e->peer;
	/* Few subnets per network: a scan beats a trie here. */
	for (size_t i = 0; i < rt->nprefixes; i++) {
		const struct routing_prefix *p = &rt->prefixes[i];

		if ((addr.s_addr & p->mask) == p->net)
			return p->peer;
	}
	return NULL;
}

uint32_t routing_mask(uint8_t len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xffffffffu;
	return htonl(~((1u << (32 - len)) - 1));
}

static struct routing_prefix *prefix_find(const struct routing_table *rt,
					  uint32_t net, uint8_t len)
{
	for (size_t i = 0; i < rt->nprefixes; i++)
		if (rt->prefixes[i].net == net && rt->prefixes[i].len == len)
			return &rt->prefixes[i];
	return NULL;
}

void *routing_prefix_owner(const struct routing_table *rt,
			   struct in_addr net, uint8_t len)
{
	struct routing_prefix *p = prefix_find(rt, net.s_addr, len);

	return p ? p->peer : NULL;
}

int routing_prefix_insert(struct routing_table *rt, struct in_addr net,
			  uint8_t len, void *peer)
{
	struct routing_prefix *p, *grown;
	size_t i;

	if (!peer || len < 1 || len > 32 ||
	    (net.s_addr & ~routing_mask(len)))
		return -EINVAL;
	p = prefix_find(rt, net.s_addr, len);
	if (p)
		return p->peer == peer ? 0 : -EEXIST;
	grown = realloc(rt->prefixes, (rt->nprefixes + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	rt->prefixes = grown;
	/* Keep longest first so the first match is the longest. */
	for (i = 0; i < rt->nprefixes && rt->prefixes[i].len >= len; i++)
		;
	memmove(&rt->prefixes[i + 1], &rt->prefixes[i],
		(rt->nprefixes - i) * sizeof(*grown));
	rt->prefixes[i] = (struct routing_prefix){
		.net = net.s_addr, .mask = routing_mask(len), .len = len,
		.peer = peer,
	};
	rt->nprefixes++;
	return 0;
}

int routing_prefix_remove(struct routing_table *rt, struct in_addr net,
			  uint8_t len, const void *peer)
{
	struct routing_prefix *p = prefix_find(rt, net.s_addr, len);
	size_t i;

	if (!p || (peer && p->peer != peer))
		return -ENOENT;
	i = (size_t)(p - rt->prefixes);
	memmove(p, p + 1, (rt->nprefixes - i - 1) * sizeof(*p));
	rt->nprefixes--;
	return 0;
}
