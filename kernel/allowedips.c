// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A prefix belongs to one peer at a time. Setting a peer's list takes its
 * prefixes away from any other peer that had them, as WireGuard does, so
 * the daemon can move an address between sessions in one request.
 */
#include "allowedips.h"

#include <linux/slab.h>
#include <net/ipv6.h>
#include <linux/sort.h>

#include "device.h"
#include "peer.h"

static bool podnet_aip_in(const struct podnet_aip_list *l,
			  const struct podnet_aip *a)
{
	u32 i;

	for (i = 0; l && i < l->n; i++)
		if (l->e[i].addr == a->addr && l->e[i].cidr == a->cidr)
			return true;
	return false;
}

static int podnet_aip_cmp(const void *a, const void *b)
{
	const struct podnet_aip_entry *x = a, *y = b;
	u32 mx = ntohl(x->mask), my = ntohl(y->mask);

	/* longer prefix (bigger mask) first */
	if (mx != my)
		return mx > my ? -1 : 1;
	return 0;
}

static void podnet_aip_fill(struct podnet_aip_entry *e,
			    const struct podnet_aip *a,
			    struct podnet_peer *peer)
{
	e->addr = a->addr;
	e->mask = a->cidr ? htonl(~0U << (32 - a->cidr)) : 0;
	e->peer = peer;
}

/**
 * podnet_aips_set() - replace a peer's allowed ips
 * @peer: the peer
 * @list: its new list (ownership passes to the peer on success)
 *
 * Context: podnet_dev.lock held.
 * Return: 0 or -ENOMEM (nothing changed).
 */
int podnet_aips_set(struct podnet_peer *peer, struct podnet_aip_list *list)
{
	struct podnet_dev *pdev = peer->pdev;
	struct podnet_aip_list **fresh;
	struct podnet_aip_table *t, *old;
	struct podnet_peer *p;
	unsigned int np = 0, i;
	u32 total = list->n, k = 0;
	int err = -ENOMEM;

	/* Other peers lose the prefixes this one now claims. */
	fresh = kcalloc(pdev->n_peers, sizeof(*fresh), GFP_KERNEL);
	if (!fresh && pdev->n_peers)
		return -ENOMEM;
	list_for_each_entry(p, &pdev->peers, list) {
		struct podnet_aip_list *l = p->aips, *nl;
		u32 j, kept = 0;

		if (p == peer || !l)
			goto next;
		for (j = 0; j < l->n; j++)
			kept += !podnet_aip_in(list, &l->e[j]);
		total += kept;
		if (kept == l->n)
			goto next;
		nl = kmalloc(struct_size(nl, e, kept), GFP_KERNEL);
		if (!nl)
			goto err_free;
		nl->n = 0;
		for (j = 0; j < l->n; j++)
			if (!podnet_aip_in(list, &l->e[j]))
				nl->e[nl->n++] = l->e[j];
		fresh[np] = nl;
next:
		np++;
	}
	t = kvmalloc(struct_size(t, e, total), GFP_KERNEL);
	if (!t)
		goto err_free;
	t->n = total;
	np = 0;
	list_for_each_entry(p, &pdev->peers, list) {
		const struct podnet_aip_list *l = p == peer ? list :
				(fresh[np] ? fresh[np] : p->aips);

		for (i = 0; l && i < l->n; i++)
			podnet_aip_fill(&t->e[k++], &l->e[i], p);
		np++;
	}
	sort(t->e, t->n, sizeof(t->e[0]), podnet_aip_cmp, NULL);

	/* Commit: nothing can fail from here on. */
	np = 0;
	list_for_each_entry(p, &pdev->peers, list) {
		if (fresh[np]) {
			kfree(p->aips);
			p->aips = fresh[np];
		}
		np++;
	}
	kfree(peer->aips);
	peer->aips = list;
	old = rcu_replace_pointer(pdev->aips, t, lockdep_is_held(&pdev->lock));
	if (old)
		kvfree_rcu(old, rcu);
	kfree(fresh);
	return 0;

err_free:
	for (i = 0; i < np; i++)
		kfree(fresh[i]);
	kfree(fresh);
	return err;
}

/**
 * podnet_aips_forget() - take a peer that is going away out of the table
 * @peer: the peer
 *
 * Cannot fail: if a smaller table cannot be allocated, the peer's
 * entries are cleared in place (readers treat them as no route).
 * Context: podnet_dev.lock held.
 */
void podnet_aips_forget(struct podnet_peer *peer)
{
	struct podnet_dev *pdev = peer->pdev;
	struct podnet_aip_table *t, *old;
	u32 i, k = 0, n = 0;

	old = rcu_dereference_protected(pdev->aips,
					lockdep_is_held(&pdev->lock));
	if (!old)
		goto out;
	for (i = 0; i < old->n; i++)
		n += old->e[i].peer && old->e[i].peer != peer;
	t = kvmalloc(struct_size(t, e, n), GFP_KERNEL);
	if (!t) {
		for (i = 0; i < old->n; i++)
			if (old->e[i].peer == peer)
				WRITE_ONCE(old->e[i].peer, NULL);
		goto out;
	}
	for (i = 0; i < old->n; i++)
		if (old->e[i].peer && old->e[i].peer != peer)
			t->e[k++] = old->e[i];
	t->n = k;
	rcu_assign_pointer(pdev->aips, t);
	kvfree_rcu(old, rcu);
out:
	kfree(peer->aips);
	peer->aips = NULL;
	podnet_aips6_set(peer, NULL);
}

/**
 * podnet_aips_lookup() - longest-prefix match
 * @pdev: the device
 * @addr: inner IPv4 address
 *
 * Context: RCU read lock held. The peer is valid until it is released.
 * Return: the owning peer, or NULL.
 */
struct podnet_peer *podnet_aips_lookup(struct podnet_dev *pdev, __be32 addr)
{
	struct podnet_aip_table *t = rcu_dereference_bh(pdev->aips);
	u32 i;

	if (!t)
		return NULL;
	for (i = 0; i < t->n; i++)
		if ((addr & t->e[i].mask) == t->e[i].addr)
			return READ_ONCE(t->e[i].peer);
	return NULL;
}

/**
 * podnet_aips_free() - free the device table (teardown)
 * @pdev: the device, with no peers left
 */
void podnet_aips_free(struct podnet_dev *pdev)
{
	struct podnet_aip_table *t;

	struct podnet_aip6_table *t6;

	t = rcu_replace_pointer(pdev->aips, NULL, true);
	if (t)
		kvfree_rcu(t, rcu);
	t6 = rcu_replace_pointer(pdev->aips6, NULL, true);
	if (t6)
		kvfree_rcu(t6, rcu);
}

/**
 * podnet_aips6_set() - give a peer its inner IPv6 address, or take it away
 * @peer: the peer
 * @addr: the address, or NULL: none
 *
 * Another peer that held @addr loses it, as with podnet_aips_set().
 * Clearing cannot fail: without memory for a smaller table the peer's
 * entry is cleared in place (readers treat it as no route).
 * Context: podnet_dev.lock held.
 * Return: 0 or -ENOMEM (nothing changed).
 */
int podnet_aips6_set(struct podnet_peer *peer, const struct in6_addr *addr)
{
	struct podnet_dev *pdev = peer->pdev;
	struct podnet_aip6_table *t, *old;
	struct podnet_peer *p;
	u32 n = !!addr, i;

	list_for_each_entry(p, &pdev->peers, list)
		n += p != peer && p->has_addr6 &&
		     !(addr && ipv6_addr_equal(&p->addr6, addr));
	old = rcu_dereference_protected(pdev->aips6,
					lockdep_is_held(&pdev->lock));
	t = kvmalloc(struct_size(t, e, n), GFP_KERNEL);
	if (!t) {
		if (addr)
			return -ENOMEM;
		for (i = 0; old && i < old->n; i++)
			if (old->e[i].peer == peer)
				WRITE_ONCE(old->e[i].peer, NULL);
		peer->has_addr6 = false;
		return 0;
	}
	t->n = 0;
	list_for_each_entry(p, &pdev->peers, list) {
		if (p != peer && p->has_addr6 && addr &&
		    ipv6_addr_equal(&p->addr6, addr))
			p->has_addr6 = false;
		if (p == peer || !p->has_addr6)
			continue;
		t->e[t->n].addr = p->addr6;
		t->e[t->n++].peer = p;
	}
	peer->has_addr6 = !!addr;
	if (addr) {
		peer->addr6 = *addr;
		t->e[t->n].addr = *addr;
		t->e[t->n++].peer = peer;
	}
	rcu_assign_pointer(pdev->aips6, t);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/**
 * podnet_aips6_lookup() - the peer that owns an inner IPv6 address
 * @pdev: the device
 * @addr: the address
 *
 * Context: RCU read lock held. The peer is valid until it is released.
 * Return: the owning peer, or NULL.
 */
struct podnet_peer *podnet_aips6_lookup(struct podnet_dev *pdev,
					const struct in6_addr *addr)
{
	struct podnet_aip6_table *t = rcu_dereference_bh(pdev->aips6);
	u32 i;

	for (i = 0; t && i < t->n; i++)
		if (ipv6_addr_equal(&t->e[i].addr, addr))
			return READ_ONCE(t->e[i].peer);
	return NULL;
}
