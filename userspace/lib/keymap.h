/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A small hash map from a fixed-size byte key (up to KEYMAP_KEY_MAX bytes:
 * an address, an address and an index, a token) to a pointer. For the
 * lookups a datagram from anyone may cause: one hash and usually one probe,
 * however many peers and sessions there are. The hash is keyed with a
 * random seed per map, so a sender cannot choose keys that collide.
 * Open addressing with linear probing; grows, never shrinks below its
 * minimum.
 */
#ifndef _PODNET_KEYMAP_H
#define _PODNET_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYMAP_KEY_MAX 28

struct keymap_slot {
	uint8_t state;		/* empty, used, or deleted (a tombstone) */
	uint8_t key[KEYMAP_KEY_MAX];
	void *value;
};

struct keymap {
	struct keymap_slot *slots;
	size_t capacity;	/* power of two */
	size_t count;
	size_t tombstones;
	size_t key_len;
	uint64_t seed;
};

/* key_len: the size of every key of this map, 1..KEYMAP_KEY_MAX. */
int keymap_init(struct keymap *m, size_t key_len);
void keymap_free(struct keymap *m);
/* Insert or replace; returns 0 or -ENOMEM. */
int keymap_put(struct keymap *m, const void *key, void *value);
void *keymap_get(const struct keymap *m, const void *key);
/* Remove key if it maps to value (NULL: whatever it maps to); returns 0
 * or -ENOENT. */
int keymap_del(struct keymap *m, const void *key, const void *value);

#endif /* _PODNET_KEYMAP_H */
