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
	if (rt->prefix_index.slots)
		keymap_free(&rt->prefix_index);
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

struct prefix_key {
	uint32_t net;
	uint8_t len;
	uint8_t pad[3];
};

static void prefix_key_of(uint32_t net, uint8_t len, struct prefix_key *k)
{
	memset(k, 0, sizeof(*k));
	k->net = net;
	k->len = len;
}

void *routing_lookup(const struct routing_table *rt, struct in_addr addr)
{
	struct routing_entry *e;

	if (!addr.s_addr)
		return NULL;
	e = find_slot(rt, addr.s_addr);
	if (e)
		return e->peer;
	if (!rt->nprefixes)
		return NULL;
	/* One hash lookup per prefix length in use, longest first: no walk
	 * over every peer's subnets for a packet. */
	for (int len = 32; len >= 1; len--) {
		struct prefix_key k;
		void *peer;

		if (!rt->prefix_lens[len])
			continue;
		prefix_key_of(addr.s_addr & routing_mask((uint8_t)len),
			      (uint8_t)len, &k);
		peer = keymap_get(&rt->prefix_index, &k);
		if (peer)
			return peer;
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
	struct prefix_key k;
	size_t i;

	if (!peer || len < 1 || len > 32 ||
	    (net.s_addr & ~routing_mask(len)))
		return -EINVAL;
	p = prefix_find(rt, net.s_addr, len);
	if (p)
		return p->peer == peer ? 0 : -EEXIST;
	prefix_key_of(net.s_addr, len, &k);
	if (!rt->prefix_index.slots &&
	    keymap_init(&rt->prefix_index, sizeof(k)))
		return -ENOMEM;
	grown = realloc(rt->prefixes, (rt->nprefixes + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	rt->prefixes = grown;
	if (keymap_put(&rt->prefix_index, &k, peer))
		return -ENOMEM;
	rt->prefix_lens[len]++;
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
	struct prefix_key k;
	size_t i;

	if (!p || (peer && p->peer != peer))
		return -ENOENT;
	prefix_key_of(p->net, p->len, &k);
	keymap_del(&rt->prefix_index, &k, p->peer);
	rt->prefix_lens[p->len]--;
	i = (size_t)(p - rt->prefixes);
	memmove(p, p + 1, (rt->nprefixes - i - 1) * sizeof(*p));
	rt->nprefixes--;
	return 0;
}
