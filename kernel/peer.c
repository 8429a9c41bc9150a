// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Lifetimes: peers and keys are created and destroyed under the device's
 * configuration mutex. The data path finds them under RCU only (keys by
 * index, peers through keys or the allowed-ips table), so destruction
 * unlinks everything first and frees after a grace period, from a
 * workqueue because freeing AEAD transforms is not softirq work.
 */
#include "peer.h"

#include <linux/slab.h>

#include "allowedips.h"
#include "main.h"
#include "pipeline.h"
#include "queue.h"
#include "receive.h"
#include "send.h"

/* Spreads the peers' tx work over the CPUs. */
static atomic_t podnet_peer_spread = ATOMIC_INIT(0);

static void podnet_key_free_work(struct work_struct *work)
{
	struct podnet_key *key = container_of(to_rcu_work(work),
					      struct podnet_key, rwork);

	/* Packets queued with this key before the grace period are past
	 * the crypt stage after this (kernel/pipeline.c). */
	flush_workqueue(podnet_crypt_wq);
	podnet_crypto_free(&key->crypto);
	kfree_sensitive(key);
}

/* Unlink a key that is no longer in a slot and free it after readers.
 * Logged here, where the device and peer are still known: the tests
 * match every "installed" line with a "destroyed" one.
 */
static void podnet_key_retire(struct podnet_dev *pdev, struct podnet_key *key)
{
	lockdep_assert_held(&pdev->lock);
	hash_del_rcu(&key->index_node);
	pr_debug("%s: peer %u key %u destroyed\n",
		 pdev->dev->name, key->peer->id, key->local_index);
	INIT_RCU_WORK(&key->rwork, podnet_key_free_work);
	queue_rcu_work(podnet_wq, &key->rwork);
}

/**
 * podnet_key_lookup() - find an installed key by the index we chose
 * @pdev: the device
 * @index: receiver index from a datagram (untrusted)
 *
 * Context: RCU read lock held.
 * Return: the key or NULL.
 */
struct podnet_key *podnet_key_lookup(struct podnet_dev *pdev, u32 index)
{
	struct podnet_key *key;

	hash_for_each_possible_rcu(pdev->keys_by_index, key, index_node, index)
		if (key->local_index == index)
			return key;
	return NULL;
}

/**
 * podnet_key_index_used() - is a local index taken on this device?
 * @pdev: the device
 * @index: the index
 * @except: a key that does not count (the one being replaced), or NULL
 *
 * Context: podnet_dev.lock held.
 * Return: true if another key has @index.
 */
bool podnet_key_index_used(struct podnet_dev *pdev, u32 index,
			   const struct podnet_key *except)
{
	struct podnet_key *key;

	hash_for_each_possible(pdev->keys_by_index, key, index_node, index)
		if (key->local_index == index && key != except)
			return true;
	return false;
}

/**
 * podnet_key_install() - put a new session into a slot
 * @peer: the peer
 * @slot: enum podnet_key_slot
 * @kc: validated key configuration
 *
 * The key that was in the slot is unlinked and wiped after readers are
 * done with it.
 * Context: podnet_dev.lock held, process context.
 * Return: 0 or a negative errno.
 */
int podnet_key_install(struct podnet_peer *peer, unsigned int slot,
		       const struct podnet_keyconf *kc)
{
	struct podnet_dev *pdev = peer->pdev;
	struct podnet_key *key, *old;
	int err;

	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	err = podnet_crypto_init(&key->crypto, kc->cipher, kc->tx_key,
				 kc->rx_key, kc->key_len, kc->tx_iv,
				 kc->rx_iv);
	if (err) {
		kfree(key);
		return err;
	}
	key->peer = peer;
	key->epoch = kc->epoch;
	key->local_index = kc->local_index;
	key->remote_index = kc->remote_index;
	key->first_seq = kc->tx_seq;
	atomic64_set(&key->tx_seq, kc->tx_seq);
	if (kc->pending)
		set_bit(PODNET_KEY_PENDING, &key->flags);
	podnet_replay_init(&key->replay);
	hash_add_rcu(pdev->keys_by_index, &key->index_node, key->local_index);

	spin_lock_bh(&peer->keys_lock);
	old = rcu_replace_pointer(peer->keys[slot], key,
				  lockdep_is_held(&peer->keys_lock));
	spin_unlock_bh(&peer->keys_lock);
	if (old)
		podnet_key_retire(pdev, old);
	pr_debug("%s: peer %u key %u installed in slot %u\n",
		 pdev->dev->name, peer->id, key->local_index, slot);
	if (slot == PODNET_KEY_SLOT_PRIMARY)
		podnet_peer_queue_flush(peer);
	return 0;
}

/**
 * podnet_key_swap() - exchange primary and secondary
 * @peer: the peer
 *
 * Senders see either the old or the new primary, never a mix.
 */
void podnet_key_swap(struct podnet_peer *peer)
{
	struct podnet_key *p, *s;

	spin_lock_bh(&peer->keys_lock);
	p = rcu_dereference_protected(peer->keys[PODNET_KEY_SLOT_PRIMARY],
				      lockdep_is_held(&peer->keys_lock));
	s = rcu_dereference_protected(peer->keys[PODNET_KEY_SLOT_SECONDARY],
				      lockdep_is_held(&peer->keys_lock));
	/* A key that is primary has nothing left to wait for. */
	if (s)
		clear_bit(PODNET_KEY_PENDING, &s->flags);
	rcu_assign_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY], s);
	rcu_assign_pointer(peer->keys[PODNET_KEY_SLOT_SECONDARY], p);
	spin_unlock_bh(&peer->keys_lock);
	podnet_peer_queue_flush(peer);
}

/**
 * podnet_key_promote() - a pending secondary key authenticated a record
 * @key: the key
 *
 * Context: softirq, RCU read lock held.
 * Return: true if the key was swapped to primary now (notify once).
 */
bool podnet_key_promote(struct podnet_key *key)
{
	struct podnet_peer *peer = key->peer;
	struct podnet_key *p;
	bool done = false;

	spin_lock_bh(&peer->keys_lock);
	if (rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_SECONDARY]) == key &&
	    test_and_clear_bit(PODNET_KEY_PENDING, &key->flags)) {
		p = rcu_dereference_protected(peer->keys[PODNET_KEY_SLOT_PRIMARY],
					      lockdep_is_held(&peer->keys_lock));
		rcu_assign_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY], key);
		rcu_assign_pointer(peer->keys[PODNET_KEY_SLOT_SECONDARY], p);
		done = true;
	}
	spin_unlock_bh(&peer->keys_lock);
	/* The server side of a first session: its key arrives pending. */
	if (done)
		podnet_peer_queue_flush(peer);
	return done;
}

/**
 * podnet_key_delete() - wipe one slot
 * @peer: the peer
 * @slot: enum podnet_key_slot
 *
 * Context: podnet_dev.lock held.
 * Return: 0, or -ENOENT if the slot was empty.
 */
int podnet_key_delete(struct podnet_peer *peer, unsigned int slot)
{
	struct podnet_key *old;

	spin_lock_bh(&peer->keys_lock);
	old = rcu_replace_pointer(peer->keys[slot], NULL,
				  lockdep_is_held(&peer->keys_lock));
	spin_unlock_bh(&peer->keys_lock);
	if (!old)
		return -ENOENT;
	podnet_key_retire(peer->pdev, old);
	return 0;
}

/**
 * podnet_peer_find() - peer by id
 * @pdev: the device
 * @id: peer id
 *
 * Context: podnet_dev.lock held.
 * Return: the peer or NULL.
 */
struct podnet_peer *podnet_peer_find(struct podnet_dev *pdev, u32 id)
{
	struct podnet_peer *peer;

	lockdep_assert_held(&pdev->lock);
	hash_for_each_possible(pdev->peer_ids, peer, id_node, id)
		if (peer->id == id)
			return peer;
	return NULL;
}

/**
 * podnet_peer_create() - new peer without endpoint, keys or addresses
 * @pdev: the device
 * @id: nonzero id, not in use
 *
 * Context: podnet_dev.lock held.
 * Return: the peer or an ERR_PTR.
 */
struct podnet_peer *podnet_peer_create(struct podnet_dev *pdev, u32 id)
{
	struct podnet_peer *peer;
	int err;

	lockdep_assert_held(&pdev->lock);
	if (pdev->n_peers >= PODNET_MAX_PEERS)
		return ERR_PTR(-ENOSPC);
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	err = dst_cache_init(&peer->dst_cache, GFP_KERNEL);
	if (err) {
		kfree(peer);
		return ERR_PTR(err);
	}
	peer->pdev = pdev;
	peer->id = id;
	rwlock_init(&peer->endpoint_lock);
	spin_lock_init(&peer->keys_lock);
	peer->endpoint.addr.sa.sa_family = AF_UNSPEC;
	podnet_queue_init(&peer->queue);
	skb_queue_head_init(&peer->tx_ordered);
	skb_queue_head_init(&peer->rx_ordered);
	INIT_WORK(&peer->tx_work, podnet_tx_work);
	peer->spread = atomic_inc_return(&podnet_peer_spread);
	netif_napi_add(pdev->dev, &peer->napi, podnet_rx_poll);
	napi_enable(&peer->napi);
	list_add_tail(&peer->list, &pdev->peers);
	hash_add(pdev->peer_ids, &peer->id_node, id);
	pdev->n_peers++;
	pdev->gen++;
	pr_debug("%s: peer %u created\n", pdev->dev->name, id);
	return peer;
}

static void podnet_peer_free_work(struct work_struct *work)
{
	struct podnet_peer *peer = container_of(to_rcu_work(work),
						struct podnet_peer, rwork);

	/* Every packet queued for the peer before the grace period is past
	 * the crypt stage after the flush; then nothing wakes tx_work. */
	flush_workqueue(podnet_crypt_wq);
	cancel_work_sync(&peer->tx_work);
	podnet_ordered_purge(&peer->tx_ordered);
	podnet_ordered_purge(&peer->rx_ordered);
	/* A sender that found the peer just before it was unlinked may
	 * have staged a packet after podnet_peer_remove() emptied the
	 * stage; nobody can now. */
	podnet_peer_queue_purge(peer);
	dst_cache_destroy(&peer->dst_cache);
	kfree(peer);
}

/**
 * podnet_peer_remove() - unlink a peer, wipe its keys, free it later
 * @peer: the peer
 *
 * Context: podnet_dev.lock held.
 */
void podnet_peer_remove(struct podnet_peer *peer)
{
	struct podnet_dev *pdev = peer->pdev;
	unsigned int slot;

	lockdep_assert_held(&pdev->lock);
	podnet_aips_forget(peer);
	podnet_peer_queue_purge(peer);
	for (slot = 0; slot < ARRAY_SIZE(peer->keys); slot++)
		podnet_key_delete(peer, slot);
	/* Waits for a running poll; a later napi_schedule() is a no-op.
	 * The NAPI is freed with the peer, after a grace period. */
	napi_disable(&peer->napi);
	__netif_napi_del(&peer->napi);
	list_del(&peer->list);
	hash_del(&peer->id_node);
	pdev->n_peers--;
	pdev->gen++;
	pr_debug("%s: peer %u destroyed\n", pdev->dev->name, peer->id);
	INIT_RCU_WORK(&peer->rwork, podnet_peer_free_work);
	queue_rcu_work(podnet_wq, &peer->rwork);
}

/**
 * podnet_peers_remove_all() - remove every peer (device teardown)
 * @pdev: the device
 *
 * Context: podnet_dev.lock held.
 */
void podnet_peers_remove_all(struct podnet_dev *pdev)
{
	struct podnet_peer *peer, *tmp;

	list_for_each_entry_safe(peer, tmp, &pdev->peers, list)
		podnet_peer_remove(peer);
}

/**
 * podnet_peer_set_endpoint() - move a peer
 * @peer: the peer
 * @sa: AF_INET or AF_INET6 address with port
 * @sk: socket to send from (compared only), or NULL for the first one
 * @set_sk: also change the socket
 */
void podnet_peer_set_endpoint(struct podnet_peer *peer,
			      const struct sockaddr *sa, const struct sock *sk,
			      bool set_sk)
{
	write_lock_bh(&peer->endpoint_lock);
	if (sa->sa_family == AF_INET)
		peer->endpoint.addr.sin = *(const struct sockaddr_in *)sa;
	else
		peer->endpoint.addr.sin6 = *(const struct sockaddr_in6 *)sa;
	if (set_sk)
		peer->endpoint.sk = sk;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->endpoint_lock);
	podnet_peer_queue_flush(peer);
}

/**
 * podnet_peer_changed() - a peer's endpoint or addresses were configured
 * @pdev: the device
 *
 * Packets that waited for an address nobody held may have a peer now.
 * Context: podnet_dev.lock held, process context.
 */
void podnet_peer_changed(struct podnet_dev *pdev)
{
	lockdep_assert_held(&pdev->lock);
	podnet_dev_queue_reroute(pdev);
}

/**
 * podnet_peer_endpoint_get() - copy of the endpoint
 * @peer: the peer
 * @ep: filled in
 *
 * Return: true if the peer has an endpoint.
 */
bool podnet_peer_endpoint_get(struct podnet_peer *peer,
			      struct podnet_endpoint *ep)
{
	read_lock_bh(&peer->endpoint_lock);
	*ep = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);
	return ep->addr.sa.sa_family != AF_UNSPEC;
}
