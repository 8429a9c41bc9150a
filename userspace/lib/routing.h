/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Cryptokey routing: virtual IPv4 address -> the peer whose certificate
 * holds it. One exact-match entry per address; a hash table with linear
 * probing, so a lookup on the packet path is a hash and usually one probe.
 */
#ifndef _PODNET_ROUTING_H
#define _PODNET_ROUTING_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct routing_entry {
	uint32_t addr;	/* network byte order; 0 marks an empty slot */
	void *peer;
};

struct routing_table {
	struct routing_entry *slots;
	size_t capacity;	/* power of two */
	size_t count;
	size_t tombstones;
};

int routing_init(struct routing_table *rt);
void routing_free(struct routing_table *rt);
/* Insert or replace; returns 0 or -ENOMEM / -EINVAL (0.0.0.0). */
int routing_insert(struct routing_table *rt, struct in_addr addr, void *peer);
/* Remove addr if it maps to peer (so a stale peer cannot remove a newer
 * owner's route); returns 0 or -ENOENT. */
int routing_remove(struct routing_table *rt, struct in_addr addr,
		   const void *peer);
void *routing_lookup(const struct routing_table *rt, struct in_addr addr);

#endif /* _PODNET_ROUTING_H */
