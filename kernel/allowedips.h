/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Cryptokey routing: which peer owns an inner IPv4 address, and which
 * one owns an inner IPv6 address (one /128 per peer, the address its
 * certificate names; a second, smaller table). The device
 * keeps one table of every peer's prefixes, longest prefix first; a
 * lookup is a linear scan under RCU, allocation-free. Simple on purpose:
 * fine for the tens of peers podnet has today, and replaceable by a trie
 * behind the same three functions.
 */
#ifndef _PODNET_ALLOWEDIPS_H
#define _PODNET_ALLOWEDIPS_H

#include <linux/in6.h>
#include <linux/types.h>

struct podnet_dev;
struct podnet_peer;
struct podnet_aip_list;

/**
 * struct podnet_aip_entry - one prefix of the device table
 * @addr: network address
 * @mask: netmask of the prefix
 * @peer: owner; NULL once the peer is gone (see podnet_aips_forget())
 */
struct podnet_aip_entry {
	__be32 addr;
	__be32 mask;
	struct podnet_peer *peer;
};

/**
 * struct podnet_aip_table - the device's table, replaced whole
 * @n: number of entries
 * @rcu: for kvfree_rcu
 * @e: entries, longest prefix first
 */
struct podnet_aip_table {
	u32 n;
	struct rcu_head rcu;
	struct podnet_aip_entry e[];
};

/**
 * struct podnet_aip6_entry - a peer's inner IPv6 address (a /128)
 * @addr: the address
 * @peer: owner; NULL once the peer is gone
 */
struct podnet_aip6_entry {
	struct in6_addr addr;
	struct podnet_peer *peer;
};

/**
 * struct podnet_aip6_table - the device's IPv6 table, replaced whole
 * @n: number of entries
 * @rcu: for kvfree_rcu
 * @e: entries, one per peer that has an IPv6 address
 */
struct podnet_aip6_table {
	u32 n;
	struct rcu_head rcu;
	struct podnet_aip6_entry e[];
};

int podnet_aips_set(struct podnet_peer *peer, struct podnet_aip_list *list);
void podnet_aips_forget(struct podnet_peer *peer);
struct podnet_peer *podnet_aips_lookup(struct podnet_dev *pdev, __be32 addr);
void podnet_aips_free(struct podnet_dev *pdev);
int podnet_aips6_set(struct podnet_peer *peer, const struct in6_addr *addr);
struct podnet_peer *podnet_aips6_lookup(struct podnet_dev *pdev,
					const struct in6_addr *addr);

#endif /* _PODNET_ALLOWEDIPS_H */
