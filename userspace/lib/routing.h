/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Cryptokey routing: virtual IPv4 address -> the peer whose certificate
 * holds it. One exact-match entry per address; a hash table with linear
 * probing, so a lookup on the packet path is a hash and usually one probe.
 * Routed subnets (a certificate's --route, doc/identity.md) sit in a list
 * beside it, longest prefix first, and in a hash table by (network,
 * length): a lookup that misses the exact addresses tries each prefix
 * length in use, longest first, one hash lookup each (at most 32 however
 * many peers route subnets).
 */
#ifndef _PODNET_ROUTING_H
#define _PODNET_ROUTING_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "keymap.h"

struct routing_entry {
	uint32_t addr;	/* network byte order; 0 marks an empty slot */
	void *peer;
};

struct routing_prefix {
	uint32_t net;	/* network byte order, host bits zero */
	uint32_t mask;	/* network byte order */
	uint8_t len;	/* 1..32 */
	void *peer;
};

struct routing_table {
	struct routing_entry *slots;
	size_t capacity;	/* power of two */
	size_t count;
	size_t tombstones;
	struct routing_prefix *prefixes;	/* longest first */
	size_t nprefixes;
	struct keymap prefix_index;	/* (net, len) -> routing_prefix's peer */
	uint32_t prefix_lens[33];	/* prefixes of each length */
};

int routing_init(struct routing_table *rt);
void routing_free(struct routing_table *rt);
/* Insert or replace; returns 0 or -ENOMEM / -EINVAL (0.0.0.0). */
int routing_insert(struct routing_table *rt, struct in_addr addr, void *peer);
/* Remove addr if it maps to peer (so a stale peer cannot remove a newer
 * owner's route); returns 0 or -ENOENT. */
int routing_remove(struct routing_table *rt, struct in_addr addr,
		   const void *peer);
/* The exact address if there is one, else the longest prefix holding
 * addr, else NULL. */
void *routing_lookup(const struct routing_table *rt, struct in_addr addr);

/* Prefixes (subnets). net must have no host bits, len 1..32. Insert fails
 * with -EEXIST when the same prefix is already there for another peer
 * (the caller warns and refuses the second), and is a no-op for the same
 * peer; -EINVAL on a bad prefix, -ENOMEM. */
int routing_prefix_insert(struct routing_table *rt, struct in_addr net,
			  uint8_t len, void *peer);
/* Removes net/len if it is peer's; 0 or -ENOENT. */
int routing_prefix_remove(struct routing_table *rt, struct in_addr net,
			  uint8_t len, const void *peer);
/* The peer net/len routes to exactly (not by a wider prefix), or NULL. */
void *routing_prefix_owner(const struct routing_table *rt,
			   struct in_addr net, uint8_t len);
/* The mask of a prefix length, network byte order. */
uint32_t routing_mask(uint8_t len);

#endif /* _PODNET_ROUTING_H */
