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
	free(rt->prefixes);
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

/* Do the first len bits of a and b agree? */
static bool prefix_match(const struct in6_addr *a, const struct in6_addr *b,
			 uint8_t len)
{
	size_t whole = len / 8;
	uint8_t mask = (uint8_t)(0xff << (8 - len % 8));

	if (memcmp(a->s6_addr, b->s6_addr, whole))
		return false;
	return len % 8 == 0 ||
	       !((a->s6_addr[whole] ^ b->s6_addr[whole]) & mask);
}

void *routing6_lookup(const struct routing6_table *rt,
		      const struct in6_addr *addr)
{
	struct routing6_entry *e = find_slot(rt, addr);

	if (e)
		return e->peer;
	/* Few subnets per network: a scan beats a trie here. */
	for (size_t i = 0; i < rt->nprefixes; i++) {
		if (prefix_match(addr, &rt->prefixes[i].net,
				 rt->prefixes[i].len))
			return rt->prefixes[i].peer;
	}
	return NULL;
}

static struct routing6_prefix *prefix_find(const struct routing6_table *rt,
					   const struct in6_addr *net,
					   uint8_t len)
{
	for (size_t i = 0; i < rt->nprefixes; i++)
		if (rt->prefixes[i].len == len &&
		    !memcmp(&rt->prefixes[i].net, net, sizeof(*net)))
			return &rt->prefixes[i];
	return NULL;
}

void *routing6_prefix_owner(const struct routing6_table *rt,
			    const struct in6_addr *net, uint8_t len)
{
	struct routing6_prefix *p = prefix_find(rt, net, len);

	return p ? p->peer : NULL;
}

int routing6_prefix_insert(struct routing6_table *rt,
			   const struct in6_addr *net, uint8_t len, void *peer)
{
	struct routing6_prefix *p, *grown;
	size_t i;

	/* No host bits past the prefix. */
	if (!peer || len < 1 || len > 128)
		return -EINVAL;
	for (i = len; i < 128; i++)
		if (net->s6_addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	p = prefix_find(rt, net, len);
	if (p)
		return p->peer == peer ? 0 : -EEXIST;
	grown = realloc(rt->prefixes, (rt->nprefixes + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	rt->prefixes = grown;
	/* Longest first, so the first match is the longest. */
	for (i = 0; i < rt->nprefixes && rt->prefixes[i].len >= len; i++)
		;
	memmove(&rt->prefixes[i + 1], &rt->prefixes[i],
		(rt->nprefixes - i) * sizeof(*grown));
	rt->prefixes[i] = (struct routing6_prefix){
		.net = *net, .len = len, .peer = peer,
	};
	rt->nprefixes++;
	return 0;
}

int routing6_prefix_remove(struct routing6_table *rt,
			   const struct in6_addr *net, uint8_t len,
			   const void *peer)
{
	struct routing6_prefix *p = prefix_find(rt, net, len);
	size_t i;

	if (!p || (peer && p->peer != peer))
		return -ENOENT;
	i = (size_t)(p - rt->prefixes);
	memmove(p, p + 1, (rt->nprefixes - i - 1) * sizeof(*p));
	rt->nprefixes--;
	return 0;
}
