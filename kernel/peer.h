/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Peers, their key slots, and the device-wide index of keys by the
 * receiver index we chose.
 */
#ifndef _PODNET_PEER_H
#define _PODNET_PEER_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "crypto.h"
#include "device.h"
#include "queue.h"
#include "replay.h"

enum podnet_key_flag {
	PODNET_KEY_PENDING,		/* swap to primary on first record */
	PODNET_KEY_LIMIT_NOTIFIED,	/* NOTIFY_KEY_LIMIT already sent */
};

/**
 * struct podnet_key - one established session: keys and indices
 * @peer: owner; valid while the key is reachable under RCU
 * @index_node: in podnet_dev.keys_by_index
 * @rwork: frees the key after a grace period, in process context
 * @crypto: AEAD transforms and IVs
 * @epoch: DTLS epoch of data records
 * @local_index: receiver index we chose (records to us carry it)
 * @remote_index: receiver index the peer chose (we put it in records)
 * @tx_seq: next sequence number to send
 * @first_seq: the sequence number the key started at
 * @flags: enum podnet_key_flag bits
 * @replay: receive window
 */
struct podnet_key {
	struct podnet_peer *peer;
	struct hlist_node index_node;
	struct rcu_work rwork;
	struct podnet_crypto crypto;
	u16 epoch;
	u32 local_index;
	u32 remote_index;
	atomic64_t tx_seq;
	u64 first_seq;
	unsigned long flags;
	struct podnet_replay replay;
};

/**
 * struct podnet_endpoint - where a peer's datagrams go
 * @addr: AF_UNSPEC (none), AF_INET or AF_INET6 address and port
 * @sk: preferred socket, compared only, never dereferenced; NULL: first
 */
struct podnet_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} addr;
	const struct sock *sk;
};

struct podnet_peer_stats {
	atomic64_t rx_bytes;
	atomic64_t tx_bytes;
	atomic64_t rx_packets;
	atomic64_t tx_packets;
	atomic64_t drop_bad_source;
	atomic64_t drop_invalid;
	atomic64_t drop_replay;
	atomic64_t drop_no_key;
	atomic64_t tx_queued;
	atomic64_t drop_queue_full;
	atomic64_t drop_bad_relay;
};

/**
 * struct podnet_aip - one allowed-ips prefix
 * @addr: network address, host bits zero
 * @cidr: prefix length, 0..32
 */
struct podnet_aip {
	__be32 addr;
	u8 cidr;
};

/**
 * struct podnet_aip_list - a peer's allowed ips, replaced whole
 * @n: number of entries
 * @rcu: for kvfree_rcu
 * @e: the entries
 */
struct podnet_aip_list {
	u32 n;
	struct rcu_head rcu;
	struct podnet_aip e[];
};

/**
 * struct podnet_peer - a remote node
 * @pdev: owning device
 * @id: chosen by the daemon, nonzero
 * @list: in podnet_dev.peers
 * @id_node: in podnet_dev.peer_ids
 * @rwork: frees the peer after a grace period
 * @endpoint_lock: protects @endpoint and @dst_cache resets
 * @endpoint: destination of records
 * @relay_channel: nonzero: wrap records in a relay header
 * @dst_cache: route to @endpoint
 * @keys_lock: writers of @keys (configuration and the receive path)
 * @keys: primary (sending) and secondary slots
 * @aips: allowed ips, under podnet_dev.lock (readers use the table)
 * @addr6: inner IPv6 address, if @has_addr6 (under podnet_dev.lock)
 * @has_addr6: the peer has one (readers use podnet_dev.aips6)
 * @stats: counters (drop_queue_full also counts packets that found
 *	@tx_ordered or @rx_ordered full)
 * @last_rx: jiffies64 of the last authenticated record, 0 never
 * @last_direct_rx: the same for records that came without a relay
 * @last_tx: jiffies64 of the last record sent, 0 never
 * @need_key_next: jiffies before which NOTIFY_NEED_KEY is not repeated
 * @roam_notify_next: the same for NOTIFY_ENDPOINT of a relayed peer
 * @idle_notified: NOTIFY_IDLE sent for the current silence
 * @queue: packets staged until a key and an endpoint arrive (queue.c)
 * @tx_ordered: packets on their way out, in sequence order (pipeline.c);
 *	a GSO burst is one entry
 * @tx_inflight: packets in @tx_ordered, bursts counted segment by segment
 * @rx_ordered: records on their way in, in arrival order
 * @tx_work: sends the sealed head of @tx_ordered, on one CPU
 * @napi: hands the opened head of @rx_ordered to GRO
 * @spread: picks the CPU of @tx_work
 */
struct podnet_peer {
	struct podnet_dev *pdev;
	u32 id;
	struct list_head list;
	struct hlist_node id_node;
	struct rcu_work rwork;
	rwlock_t endpoint_lock;
	struct podnet_endpoint endpoint;
	u32 relay_channel;
	struct dst_cache dst_cache;
	spinlock_t keys_lock;		/* see @keys_lock above */
	struct podnet_key __rcu *keys[2];
	struct podnet_aip_list *aips;
	struct in6_addr addr6;
	bool has_addr6;
	struct podnet_peer_stats stats;
	u64 last_rx;
	u64 last_direct_rx;
	u64 last_tx;
	unsigned long need_key_next;
	unsigned long roam_notify_next;
	bool idle_notified;
	struct podnet_queue queue;
	struct sk_buff_head tx_ordered;
	atomic_t tx_inflight;
	struct sk_buff_head rx_ordered;
	struct work_struct tx_work;
	struct napi_struct napi;
	unsigned int spread;
};

struct podnet_keyconf {
	u8 cipher;
	u16 epoch;
	u32 local_index;
	u32 remote_index;
	const u8 *tx_key, *rx_key, *tx_iv, *rx_iv;
	unsigned int key_len;
	u64 tx_seq;
	bool pending;
};

struct podnet_peer *podnet_peer_create(struct podnet_dev *pdev, u32 id);
struct podnet_peer *podnet_peer_find(struct podnet_dev *pdev, u32 id);
void podnet_peer_remove(struct podnet_peer *peer);
void podnet_peers_remove_all(struct podnet_dev *pdev);
void podnet_peer_set_endpoint(struct podnet_peer *peer,
			      const struct sockaddr *sa, const struct sock *sk,
			      bool set_sk);
bool podnet_peer_endpoint_get(struct podnet_peer *peer,
			      struct podnet_endpoint *ep);

int podnet_key_install(struct podnet_peer *peer, unsigned int slot,
		       const struct podnet_keyconf *kc);
void podnet_key_swap(struct podnet_peer *peer);
int podnet_key_delete(struct podnet_peer *peer, unsigned int slot);
struct podnet_key *podnet_key_lookup(struct podnet_dev *pdev, u32 index);
bool podnet_key_index_used(struct podnet_dev *pdev, u32 index,
			   const struct podnet_key *except);
bool podnet_key_promote(struct podnet_key *key);
void podnet_peer_changed(struct podnet_dev *pdev);

#endif /* _PODNET_PEER_H */
