/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Cryptokey routing for IPv6: virtual IPv6 address -> the peer whose
 * certificate holds it. Exact match, as routing.h is for IPv4: a hash
 * table with linear probing, one hash and usually one probe per packet;
 * and, as there, subnets behind a node in a short list beside it, longest
 * prefix first, for addresses the exact table misses.
 */
#ifndef _PODNET_ROUTING6_H
#define _PODNET_ROUTING6_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct routing6_entry {
	struct in6_addr addr;
	void *peer;		/* NULL marks an empty slot */
};

struct routing6_prefix {
	struct in6_addr net;	/* host bits zero */
	uint8_t len;		/* 1..128 */
	void *peer;
};

struct routing6_table {
	struct routing6_entry *slots;
	size_t capacity;	/* power of two */
	size_t count;
	size_t tombstones;
	struct routing6_prefix *prefixes;	/* longest first */
	size_t nprefixes;
};

int routing6_init(struct routing6_table *rt);
void routing6_free(struct routing6_table *rt);
/* Insert or replace; 0, or -ENOMEM / -EINVAL (:: or no peer). */
int routing6_insert(struct routing6_table *rt, const struct in6_addr *addr,
		    void *peer);
/* Remove addr if it maps to peer (NULL: whoever holds it); 0 or -ENOENT. */
int routing6_remove(struct routing6_table *rt, const struct in6_addr *addr,
		    const void *peer);
/* The exact address if there is one, else the longest prefix holding
 * it. */
void *routing6_lookup(const struct routing6_table *rt,
		      const struct in6_addr *addr);
/* A subnet for peer: 0 (also when peer holds it already), -EEXIST when
 * another peer holds that very prefix, -EINVAL (bad prefix, host bits,
 * no peer), -ENOMEM. */
int routing6_prefix_insert(struct routing6_table *rt,
			   const struct in6_addr *net, uint8_t len, void *peer);
/* Removes net/len if peer holds it (NULL: whoever); 0 or -ENOENT. */
int routing6_prefix_remove(struct routing6_table *rt,
			   const struct in6_addr *net, uint8_t len,
			   const void *peer);
/* The peer net/len routes to exactly (not by a wider prefix), or NULL. */
void *routing6_prefix_owner(const struct routing6_table *rt,
			    const struct in6_addr *net, uint8_t len);

#endif /* _PODNET_ROUTING6_H */
