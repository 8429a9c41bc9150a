// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "keymap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define KEYMAP_MIN_CAPACITY 16

enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

/* A seeded multiply-rotate mix over 8-byte words, finished with the
 * murmur3 avalanche: keys are at most 28 bytes, and without the seed a
 * sender cannot aim its addresses at one probe chain. */
static uint64_t hash_key(const struct keymap *m, const uint8_t *key)
{
	uint64_t h = m->seed ^ (m->key_len * 0x9E3779B97F4A7C15ull);

	for (size_t i = 0; i < m->key_len; i += 8) {
		uint64_t w = 0;
		size_t n = m->key_len - i < 8 ? m->key_len - i : 8;

		memcpy(&w, key + i, n);
		h ^= w * 0x87C37B91114253D5ull;
		h = rotl(h, 31) * 0x4CF5AD432745937Full;
	}
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return h;
}

static int alloc_slots(struct keymap *m, size_t capacity)
{
	m->slots = calloc(capacity, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->capacity = capacity;
	m->count = 0;
	m->tombstones = 0;
	return 0;
}

int keymap_init(struct keymap *m, size_t key_len)
{
	memset(m, 0, sizeof(*m));
	if (!key_len || key_len > KEYMAP_KEY_MAX)
		return -EINVAL;
	m->key_len = key_len;
	if (getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) !=
	    sizeof(m->seed))
		m->seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^
			  (uintptr_t)m;
	return alloc_slots(m, KEYMAP_MIN_CAPACITY);
}

void keymap_free(struct keymap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->capacity = m->count = m->tombstones = 0;
}

/* The slot holding key, or NULL. */
static struct keymap_slot *find(const struct keymap *m, const void *key)
{
	size_t mask = m->capacity - 1;
	size_t i = (size_t)hash_key(m, key) & mask;

	for (size_t n = 0; n < m->capacity; n++, i = (i + 1) & mask) {
		struct keymap_slot *s = &m->slots[i];

		if (s->state == SLOT_EMPTY)
			return NULL;
		if (s->state == SLOT_USED && !memcmp(s->key, key, m->key_len))
			return s;
	}
	return NULL;
}

static void place(struct keymap *m, const void *key, void *value)
{
	size_t mask = m->capacity - 1;
	size_t i = (size_t)hash_key(m, key) & mask;

	while (m->slots[i].state == SLOT_USED)
		i = (i + 1) & mask;
	if (m->slots[i].state == SLOT_DELETED)
		m->tombstones--;
	m->slots[i].state = SLOT_USED;
	memcpy(m->slots[i].key, key, m->key_len);
	m->slots[i].value = value;
	m->count++;
}

static int rehash(struct keymap *m, size_t capacity)
{
	struct keymap_slot *old = m->slots;
	size_t old_cap = m->capacity;

	if (alloc_slots(m, capacity)) {
		m->slots = old;
		m->capacity = old_cap;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].state == SLOT_USED)
			place(m, old[i].key, old[i].value);
	}
	free(old);
	return 0;
}

int keymap_put(struct keymap *m, const void *key, void *value)
{
	struct keymap_slot *s = find(m, key);

	if (s) {
		s->value = value;
		return 0;
	}
	/* At most 3/4 full, counting tombstones, so probe chains end. */
	if ((m->count + m->tombstones + 1) * 4 > m->capacity * 3) {
		size_t cap = m->capacity;

		while ((m->count + 1) * 2 > cap)
			cap *= 2;
		if (rehash(m, cap))
			return -ENOMEM;
	}
	place(m, key, value);
	return 0;
}

void *keymap_get(const struct keymap *m, const void *key)
{
	struct keymap_slot *s = m->slots ? find(m, key) : NULL;

	return s ? s->value : NULL;
}

int keymap_del(struct keymap *m, const void *key, const void *value)
{
	struct keymap_slot *s = m->slots ? find(m, key) : NULL;

	if (!s || (value && s->value != value))
		return -ENOENT;
	s->state = SLOT_DELETED;
	s->value = NULL;
	m->count--;
	m->tombstones++;
	/* Mostly tombstones: rebuild at a size fit for what is left. */
	if (m->tombstones > m->capacity / 4 &&
	    m->capacity > KEYMAP_MIN_CAPACITY) {
		size_t cap = KEYMAP_MIN_CAPACITY;

		while (m->count * 2 > cap)
			cap *= 2;
		rehash(m, cap);
	}
	return 0;
}
