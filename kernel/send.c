// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Data packets are sealed by the crypt workers and sent, in order, by
 * the peer's tx work (kernel/pipeline.c); control messages from the
 * daemon are sealed and sent in line. Everything that touches a packet
 * runs with bottom halves disabled and under RCU; nothing sleeps.
 */
#include "send.h"

#include <asm/unaligned.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "notify.h"
#include "peer.h"
#include "pipeline.h"
#include "socket.h"

/**
 * podnet_request_key() - ask the daemon for a handshake (NOTIFY_NEED_KEY)
 * @peer: the peer that has no usable key
 *
 * At most about once a second per peer, whatever the packet rate.
 */
void podnet_request_key(struct podnet_peer *peer)
{
	unsigned long next = READ_ONCE(peer->need_key_next);

	if (time_before(jiffies, next))
		return;
	if (cmpxchg(&peer->need_key_next, next, jiffies + HZ) != next)
		return;
	podnet_notify_need_key(peer);
}

static void podnet_need_key(struct podnet_peer *peer)
{
	atomic64_inc(&peer->stats.drop_no_key);
	podnet_request_key(peer);
}

static int podnet_send4(struct podnet_peer *peer, struct sock *sk,
			struct sk_buff *skb, const struct sockaddr_in *sin)
{
	struct net_device *dev = peer->pdev->dev;
	struct flowi4 fl4 = {
		.saddr = inet_sk(sk)->inet_saddr,
		.daddr = sin->sin_addr.s_addr,
		.fl4_dport = sin->sin_port,
		.fl4_sport = inet_sk(sk)->inet_sport,
		.flowi4_mark = sk->sk_mark,
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_oif = sk->sk_bound_dev_if,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&peer->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl4, sk);
		if (IS_ERR(rt)) {
			net_dbg_ratelimited("%s: no route to peer %u\n",
					    dev->name, peer->id);
			return PTR_ERR(rt);
		}
		/* Our own device must not carry our datagrams. */
		if (rt->dst.dev == dev) {
			ip_rt_put(rt);
			net_dbg_ratelimited("%s: routing loop to peer %u\n",
					    dev->name, peer->id);
			return -ELOOP;
		}
		dst_cache_set_ip4(&peer->dst_cache, &rt->dst, fl4.saddr);
	}
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl4.fl4_sport,
			    fl4.fl4_dport, !net_eq(sock_net(sk), dev_net(dev)),
			    sk->sk_no_check_tx);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int podnet_send6(struct podnet_peer *peer, struct sock *sk,
			struct sk_buff *skb, const struct sockaddr_in6 *sin6)
{
	struct net_device *dev = peer->pdev->dev;
	struct flowi6 fl6 = {
		.daddr = sin6->sin6_addr,
		.saddr = sk->sk_v6_rcv_saddr,
		.fl6_dport = sin6->sin6_port,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.flowi6_mark = sk->sk_mark,
		.flowi6_proto = IPPROTO_UDP,
		.flowi6_oif = sin6->sin6_scope_id ?: sk->sk_bound_dev_if,
	};
	struct dst_entry *dst;

	if (sk->sk_family != AF_INET6)
		return -EAFNOSUPPORT;
	dst = dst_cache_get_ip6(&peer->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6,
						      NULL);
		if (IS_ERR(dst)) {
			net_dbg_ratelimited("%s: no route to peer %u\n",
					    dev->name, peer->id);
			return PTR_ERR(dst);
		}
		if (dst->dev == dev) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&peer->dst_cache, dst, &fl6.saddr);
	}
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, &fl6.saddr, &fl6.daddr, 0,
			     ip6_dst_hoplimit(dst), 0, fl6.fl6_sport,
			     fl6.fl6_dport, udp_get_no_check6_tx(sk));
	return 0;
}
#endif

/* Send a finished datagram to the peer's endpoint. Consumes the skb on
 * success only.
 */
static int podnet_send_udp(struct podnet_peer *peer, struct sk_buff *skb)
{
	struct podnet_sock *psock;
	int err = -EDESTADDRREQ;

	/* Under the read lock, so a concurrent endpoint change cannot put
	 * the route of the old endpoint into the cache of the new one.
	 */
	read_lock_bh(&peer->endpoint_lock);
	psock = podnet_sock_pick(peer->pdev, peer->endpoint.sk);
	if (!psock) {
		err = -ENOTCONN;
		goto out;
	}
	if (peer->endpoint.addr.sa.sa_family == AF_INET)
		err = podnet_send4(peer, psock->sk, skb,
				   &peer->endpoint.addr.sin);
#if IS_ENABLED(CONFIG_IPV6)
	else if (peer->endpoint.addr.sa.sa_family == AF_INET6)
		err = podnet_send6(peer, psock->sk, skb,
				   &peer->endpoint.addr.sin6);
#endif
out:
	read_unlock_bh(&peer->endpoint_lock);
	return err;
}

/* Seal @skb with @key as record @seq and put the podnet header (and a
 * relay's) in front. Returns 0 or a negative errno; the skb stays the
 * caller's either way.
 * Context: BH disabled, RCU read lock held.
 */
static int podnet_seal(struct podnet_peer *peer, struct podnet_key *key,
		       u64 seq, struct sk_buff *skb)
{
	unsigned int hlen;
	u32 relay;
	u8 *h;
	int err;

	relay = READ_ONCE(peer->relay_channel);
	hlen = PODNET_WIRE_HEADER_LEN + (relay ? PODNET_WIRE_HEADER_LEN : 0) +
	       PODNET_RECORD_HEADER_LEN + podnet_crypto_explicit_len(&key->crypto);
	err = skb_cow_head(skb, hlen + PODNET_OUTER_LEN);
	if (err)
		return err;
	err = podnet_crypto_seal(&key->crypto, key->epoch, seq, skb);
	if (err)
		return err;

	h = skb_push(skb, PODNET_WIRE_HEADER_LEN);
	h[0] = PODNET_WIRE_DATA;
	h[1] = PODNET_WIRE_VERSION;
	h[2] = 0;
	h[3] = 0;
	put_unaligned_be32(key->remote_index, h + 4);
	if (relay) {
		h = skb_push(skb, PODNET_WIRE_HEADER_LEN);
		h[0] = PODNET_WIRE_RELAY;
		h[1] = PODNET_WIRE_VERSION;
		h[2] = 0;
		h[3] = 0;
		put_unaligned_be32(relay, h + 4);
	}
	/* The inner packet's checksum state means nothing for the outer. */
	skb->ip_summed = CHECKSUM_NONE;
	skb_reset_inner_headers(skb);
	skb->encapsulation = 0;
	return 0;
}

/* The next sequence number of @key into *@seq, or -EKEYEXPIRED. */
static int podnet_next_seq(struct podnet_peer *peer, struct podnet_key *key,
			   u64 *seq)
{
	*seq = atomic64_inc_return(&key->tx_seq) - 1;
	if (unlikely(*seq > PODNET_SEQ_LAST)) {
		/* Used up: never reuse a nonce. Only a new key helps. */
		atomic64_set(&key->tx_seq, PODNET_SEQ_LAST + 1);
		return -EKEYEXPIRED;
	}
	return 0;
}

/* Tell the daemon once when a key nears its limit. */
static void podnet_seq_limit_check(struct podnet_peer *peer,
				   struct podnet_key *key, u64 seq)
{
	if (unlikely(seq - key->first_seq >= PODNET_KEY_SOFT_LIMIT) &&
	    !test_and_set_bit(PODNET_KEY_LIMIT_NOTIFIED, &key->flags))
		podnet_notify_key_limit(peer, PODNET_KEY_SLOT_PRIMARY, seq);
}

static void podnet_account_tx(struct podnet_peer *peer, unsigned int len)
{
	atomic64_add(len, &peer->stats.tx_bytes);
	atomic64_inc(&peer->stats.tx_packets);
	WRITE_ONCE(peer->last_tx, get_jiffies_64());
}

/**
 * podnet_send_skb() - seal one plaintext for @peer and send it, here
 * @peer: the peer
 * @skb: skb->data is the plaintext (a control message); skb->dev is the
 *	podnet device
 *
 * The synchronous path, for the daemon's control messages (CTRL_SEND),
 * which want an answer; data packets go through podnet_send_queued().
 * Context: BH disabled, RCU read lock held.
 * Return: 0 or a negative errno; the skb is consumed either way.
 */
int podnet_send_skb(struct podnet_peer *peer, struct sk_buff *skb)
{
	struct podnet_dev *pdev = peer->pdev;
	unsigned int len = skb->len;
	struct podnet_key *key;
	u64 seq;
	int err;

	/* The device offers checksum offload: finish it before sealing. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		err = -EINVAL;
		goto drop_dev;
	}
	key = rcu_dereference_bh(peer->keys[PODNET_KEY_SLOT_PRIMARY]);
	if (!key) {
		podnet_need_key(peer);
		err = -ENOKEY;
		goto drop;
	}
	err = podnet_next_seq(peer, key, &seq);
	if (err) {
		podnet_need_key(peer);
		goto drop;
	}
	podnet_seq_limit_check(peer, key, seq);
	err = podnet_seal(peer, key, seq, skb);
	if (err)
		goto drop_dev;
	err = podnet_send_udp(peer, skb);
	if (err)
		goto drop_dev;
	podnet_account_tx(peer, len);
	return 0;

drop_dev:
	atomic64_inc(&pdev->tx_dropped);
	net_dbg_ratelimited("%s: dropped a packet for peer %u: %d\n",
			    pdev->dev->name, peer->id, err);
drop:
	kfree_skb(skb);
	return err;
}

/* Packets the tx work sends between two chances for softirqs (at
 * least one job). */
#define PODNET_TX_BATCH 16
/* Packets in one job at most: a GSO burst is rarely more than 64. */
#define PODNET_BURST_MAX 64

/* Wake the peer's tx work, always on the peer's one CPU. */
static void podnet_tx_kick(struct podnet_peer *peer)
{
	queue_work_on(podnet_serial_cpu(peer->spread), podnet_crypt_wq,
		      &peer->tx_work);
}

/* The next @n sequence numbers of @key, the first into *@seq, or
 * -EKEYEXPIRED if they would run past the last one. */
static int podnet_next_seqs(struct podnet_key *key, unsigned int n, u64 *seq)
{
	u64 last = atomic64_add_return(n, &key->tx_seq) - 1;

	if (unlikely(last > PODNET_SEQ_LAST)) {
		atomic64_set(&key->tx_seq, PODNET_SEQ_LAST + 1);
		return -EKEYEXPIRED;
	}
	*seq = last - (n - 1);
	return 0;
}

/* Make @skb ready to join a job: its own, no route, cb cleared. */
static struct sk_buff *podnet_job_prep(struct sk_buff *skb)
{
	struct podnet_pkt_cb *cb;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return NULL;
	/* It leaves this RCU section: no route that lives only inside. */
	skb_dst_drop(skb);
	cb = PODNET_PKT(skb);
	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb));
	memset(cb, 0, sizeof(*cb));
	cb->len = skb->len;
	atomic_set(&cb->state, PODNET_PKT_PENDING);
	return skb;
}

/* Queue one job, @n packets chained through cb->more from @first: its
 * sequence numbers and its place in the tx queue are taken together,
 * so records leave in sequence order; then one crypt worker gets it.
 * Context: BH disabled, RCU read lock held.
 */
static void podnet_send_job(struct podnet_peer *peer, struct sk_buff *first,
			    unsigned int n)
{
	struct podnet_key *key;
	struct sk_buff *skb;
	u64 seq;
	int err;

	key = rcu_dereference_bh(peer->keys[PODNET_KEY_SLOT_PRIMARY]);
	if (!key) {
		podnet_need_key(peer);
		atomic64_add(n - 1, &peer->stats.drop_no_key);
		goto drop;
	}
	spin_lock_bh(&peer->tx_ordered.lock);
	if (atomic_read(&peer->tx_inflight) + n > PODNET_ORDERED_MAX) {
		spin_unlock_bh(&peer->tx_ordered.lock);
		atomic64_add(n, &peer->stats.drop_queue_full);
		goto drop;
	}
	err = podnet_next_seqs(key, n, &seq);
	if (err) {
		spin_unlock_bh(&peer->tx_ordered.lock);
		podnet_need_key(peer);
		atomic64_add(n - 1, &peer->stats.drop_no_key);
		goto drop;
	}
	for (skb = first; skb; skb = PODNET_PKT(skb)->more) {
		PODNET_PKT(skb)->key = key;
		PODNET_PKT(skb)->seq = seq++;
	}
	atomic_add(n, &peer->tx_inflight);
	__skb_queue_tail(&peer->tx_ordered, first);
	spin_unlock_bh(&peer->tx_ordered.lock);

	podnet_seq_limit_check(peer, key, seq - 1);
	if (!podnet_crypt_enqueue(first)) {
		atomic64_add(n, &peer->pdev->tx_dropped);
		for (skb = PODNET_PKT(first)->more; skb; skb = PODNET_PKT(skb)->more)
			atomic_set(&PODNET_PKT(skb)->state, PODNET_PKT_DROPPED);
		podnet_pkt_finish(first, PODNET_PKT_DROPPED);
		podnet_tx_kick(peer);
	}
	return;

drop:
	podnet_pkt_free(first);
}

/**
 * podnet_send_queued() - send an inner packet through the crypt workers
 * @peer: the peer, which has a key and an endpoint
 * @skb: the plaintext (an IPv4 or IPv6 packet), consumed
 *
 * Context: BH disabled, RCU read lock held.
 */
void podnet_send_queued(struct podnet_peer *peer, struct sk_buff *skb)
{
	skb = podnet_job_prep(skb);
	if (skb)
		podnet_send_job(peer, skb, 1);
}

/**
 * podnet_send_burst() - send a GSO burst's segments as one job
 * @peer: the peer, which has a key and an endpoint
 * @segs: the segments, a list through skb->next, consumed
 *
 * One job per burst, as WireGuard does: one hand-over, one worker
 * wake-up and one trip through the tx queue for all of them instead of
 * one per segment.
 * Context: BH disabled, RCU read lock held.
 */
void podnet_send_burst(struct podnet_peer *peer, struct sk_buff *segs)
{
	struct sk_buff *skb, *next, *first = NULL, *last = NULL;
	unsigned int n = 0;

	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		skb = podnet_job_prep(skb);
		if (!skb)
			continue;
		if (last)
			PODNET_PKT(last)->more = skb;
		else
			first = skb;
		last = skb;
		if (++n == PODNET_BURST_MAX) {
			podnet_send_job(peer, first, n);
			first = last = NULL;
			n = 0;
		}
	}
	if (first)
		podnet_send_job(peer, first, n);
}

/* Seal one packet of a job; its state, but the first's, set here. */
static enum podnet_pkt_state podnet_send_seal_one(struct podnet_peer *peer,
						  struct sk_buff *skb)
{
	struct podnet_pkt_cb *cb = PODNET_PKT(skb);
	int err;

	/* The device offers checksum offload: finish it before sealing. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		err = -EINVAL;
	else
		err = podnet_seal(peer, cb->key, cb->seq, skb);
	if (!err)
		return PODNET_PKT_READY;
	atomic64_inc(&peer->pdev->tx_dropped);
	net_dbg_ratelimited("%s: could not seal a packet for peer %u: %d\n",
			    peer->pdev->dev->name, peer->id, err);
	return PODNET_PKT_DROPPED;
}

/**
 * podnet_send_crypt() - the crypt stage of a queued job: seal it
 * @first: a PENDING job in its peer's tx queue
 *
 * Context: a crypt worker (process context).
 * Return: how many packets it sealed or dropped.
 */
unsigned int podnet_send_crypt(struct sk_buff *first)
{
	struct podnet_peer *peer = PODNET_PKT(first)->key->peer;
	enum podnet_pkt_state state;
	struct sk_buff *skb;
	unsigned int n = 1;

	/* BH off: the per-CPU crypto scratch is ours while it lasts. */
	rcu_read_lock_bh();
	for (skb = PODNET_PKT(first)->more; skb; skb = PODNET_PKT(skb)->more) {
		atomic_set(&PODNET_PKT(skb)->state,
			   podnet_send_seal_one(peer, skb));
		n++;
	}
	state = podnet_send_seal_one(peer, first);
	/* The job may be gone from here on. */
	podnet_pkt_finish(first, state);
	podnet_tx_kick(peer);
	rcu_read_unlock_bh();
	return n;
}

/* Send one packet of a job the crypt stage is done with. */
static void podnet_tx_one(struct podnet_peer *peer, struct sk_buff *skb)
{
	unsigned int len = PODNET_PKT(skb)->len;
	int err;

	if (atomic_read(&PODNET_PKT(skb)->state) != PODNET_PKT_READY) {
		/* Counted where it failed. */
		kfree_skb(skb);
		return;
	}
	rcu_read_lock_bh();
	err = podnet_send_udp(peer, skb);
	rcu_read_unlock_bh();
	if (err) {
		atomic64_inc(&peer->pdev->tx_dropped);
		net_dbg_ratelimited("%s: dropped a packet for peer %u: %d\n",
				    peer->pdev->dev->name, peer->id, err);
		kfree_skb(skb);
		return;
	}
	podnet_account_tx(peer, len);
}

/**
 * podnet_tx_work() - send what the crypt workers sealed, in order
 * @work: the peer's tx_work
 *
 * Context: podnet_crypt_wq, on the peer's one CPU.
 */
void podnet_tx_work(struct work_struct *work)
{
	struct podnet_peer *peer = container_of(work, struct podnet_peer,
						tx_work);
	struct sk_buff *job, *skb, *next;
	unsigned int n = 0;

	/* In batches with bottom halves off, like the crypt workers. */
	local_bh_disable();
	while ((job = podnet_ordered_take(&peer->tx_ordered))) {
		for (skb = job; skb; skb = next) {
			next = PODNET_PKT(skb)->more;
			podnet_tx_one(peer, skb);
			atomic_dec(&peer->tx_inflight);
			n++;
		}
		podnet_batch_yield(&n, PODNET_TX_BATCH);
	}
	local_bh_enable();
}
