// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets that wait for a session instead of being dropped, as on the
 * userspace path (userspace/daemon/queue.c). Like WireGuard's staged
 * packets: a packet for a peer without a primary key or an endpoint is
 * staged on the peer, the daemon is asked for a handshake
 * (NOTIFY_NEED_KEY), and the stage goes out, in order, as soon as the
 * daemon installs the key or the endpoint.
 *
 * A packet for an address no peer holds waits in one small queue per
 * device, and the daemon is told (NOTIFY_NO_ROUTE) so it can ask a
 * rendezvous who holds it; when the daemon then gives a peer allowed ips
 * (PEER_SET), the queue is looked up again and what matches moves on to
 * that peer. When the daemon learns that nobody holds the address (or
 * has nobody to ask) it says so with ROUTE_DROP, and what waits for it is
 * refused with an ICMP error; so the packets keep their route while they
 * wait. Nobody listening on the notification group means nobody will
 * look: then the packet is refused at once, as before.
 *
 * Every queue is bounded (the oldest packet makes room, counted as
 * drop_queue_full) and ages out after PODNET_QUEUE_MAX_AGE (counted as
 * drop_no_key for a peer, tx_no_route for the device). The ageing runs
 * from the device's once-a-second scan and on every push.
 */
#include "queue.h"

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/icmp.h>
#include <net/ipv6.h>

#include "allowedips.h"
#include "device.h"
#include "netlink.h"
#include "notify.h"
#include "peer.h"
#include "pipeline.h"
#include "send.h"

/* When the packet entered podnet: ageing counts from there. */
struct podnet_queue_cb {
	unsigned long born;
};

#define PODNET_QCB(skb) ((struct podnet_queue_cb *)(skb)->cb)

/**
 * podnet_queue_init() - an empty queue
 * @q: the queue
 */
void podnet_queue_init(struct podnet_queue *q)
{
	skb_queue_head_init(&q->q);
	q->bytes = 0;
}

/**
 * podnet_queue_len() - packets waiting now (a snapshot)
 * @q: the queue
 *
 * Return: the count.
 */
unsigned int podnet_queue_len(const struct podnet_queue *q)
{
	return skb_queue_len_lockless(&q->q);
}

/**
 * podnet_queue_stamp() - note when a packet entered the device
 * @skb: an inner packet in ndo_start_xmit (skb->cb is the driver's)
 */
void podnet_queue_stamp(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct podnet_queue_cb) >
		     sizeof_field(struct sk_buff, cb));
	PODNET_QCB(skb)->born = jiffies;
}

static bool podnet_queue_old(const struct sk_buff *skb)
{
	return time_after(jiffies, PODNET_QCB(skb)->born + PODNET_QUEUE_MAX_AGE);
}

/* Move packets older than the limit from the head of @q to @dead.
 * Context: q->q.lock held.
 */
static unsigned int podnet_queue_take_old(struct podnet_queue *q,
					  struct sk_buff_head *dead)
{
	struct sk_buff *skb;
	unsigned int n = 0;

	while ((skb = skb_peek(&q->q)) && podnet_queue_old(skb)) {
		__skb_unlink(skb, &q->q);
		q->bytes -= skb->len;
		__skb_queue_tail(dead, skb);
		n++;
	}
	return n;
}

/* Append @skb (consumed), making room by dropping the oldest. Returns
 * false if the packet itself could not wait (too big for the queue).
 */
static bool podnet_queue_push(struct podnet_queue *q, struct sk_buff *skb,
			      unsigned int max_packets, unsigned int max_bytes,
			      atomic64_t *expired, atomic64_t *full)
{
	struct sk_buff_head dead;
	struct sk_buff *old;
	unsigned int n;

	if (skb->len > max_bytes) {
		kfree_skb(skb);
		return false;
	}
	__skb_queue_head_init(&dead);
	spin_lock_bh(&q->q.lock);
	n = podnet_queue_take_old(q, &dead);
	if (n)
		atomic64_add(n, expired);
	while (skb_queue_len(&q->q) >= max_packets ||
	       q->bytes + skb->len > max_bytes) {
		old = __skb_dequeue(&q->q);
		if (!old)
			break;
		q->bytes -= old->len;
		__skb_queue_tail(&dead, old);
		atomic64_inc(full);
	}
	__skb_queue_tail(&q->q, skb);
	q->bytes += skb->len;
	spin_unlock_bh(&q->q.lock);
	__skb_queue_purge(&dead);
	return true;
}

/* Everything in @q, to the caller. */
static void podnet_queue_take_all(struct podnet_queue *q,
				  struct sk_buff_head *list)
{
	spin_lock_bh(&q->q.lock);
	skb_queue_splice_tail_init(&q->q, list);
	q->bytes = 0;
	spin_unlock_bh(&q->q.lock);
}

/* What the caller took and did not use, back in front of anything queued
 * meanwhile. */
static void podnet_queue_put_back(struct podnet_queue *q,
				  struct sk_buff_head *list)
{
	struct sk_buff *skb;

	spin_lock_bh(&q->q.lock);
	skb_queue_walk(list, skb)
		q->bytes += skb->len;
	skb_queue_splice(list, &q->q);
	spin_unlock_bh(&q->q.lock);
}

static unsigned int podnet_queue_purge(struct podnet_queue *q)
{
	struct sk_buff_head list;
	unsigned int n;

	__skb_queue_head_init(&list);
	podnet_queue_take_all(q, &list);
	n = skb_queue_len(&list);
	__skb_queue_purge(&list);
	return n;
}

static unsigned int podnet_queue_expire(struct podnet_queue *q)
{
	struct sk_buff_head dead;
	unsigned int n;

	__skb_queue_head_init(&dead);
	spin_lock_bh(&q->q.lock);
	n = podnet_queue_take_old(q, &dead);
	spin_unlock_bh(&q->q.lock);
	__skb_queue_purge(&dead);
	return n;
}

/* ------------------------------------------------------------ peers */

/* Can a record go out now? A key to seal with and a place to send to.
 * The endpoint's family goes from AF_UNSPEC to an address once and
 * never back, so reading it without the lock is enough here.
 */
static bool podnet_peer_ready(struct podnet_peer *peer)
{
	return rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY]) &&
	       READ_ONCE(peer->endpoint.addr.sa.sa_family) != AF_UNSPEC;
}

/**
 * podnet_send_data() - send an inner packet, or stage it until the peer
 *	can take it
 * @peer: the peer its destination belongs to
 * @skb: a stamped inner packet (podnet_queue_stamp()), consumed
 *
 * Context: BH disabled, RCU read lock held.
 */
void podnet_send_data(struct podnet_peer *peer, struct sk_buff *skb)
{
	/* Behind a non-empty stage, a packet waits its turn. */
	if (likely(skb_queue_empty_lockless(&peer->queue.q)) &&
	    podnet_peer_ready(peer)) {
		podnet_send_queued(peer, skb);
		return;
	}
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return;
	/* The outer route is looked up when it is sent. */
	skb_dst_drop(skb);
	if (podnet_queue_push(&peer->queue, skb, PODNET_QUEUE_PEER_PACKETS,
			      PODNET_QUEUE_PEER_BYTES,
			      &peer->stats.drop_no_key,
			      &peer->stats.drop_queue_full))
		atomic64_inc(&peer->stats.tx_queued);
	else
		atomic64_inc(&peer->stats.drop_no_key);
	if (podnet_peer_ready(peer))
		podnet_peer_queue_flush(peer);
	else if (!rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY]))
		podnet_request_key(peer);
}

/**
 * podnet_send_data_list() - send a GSO burst's segments, or stage them
 * @peer: the peer their destination belongs to
 * @segs: the segments, a list through skb->next, consumed
 *
 * A peer that can send takes them as one job; otherwise each is staged
 * as podnet_send_data() would.
 * Context: BH disabled, RCU read lock held.
 */
void podnet_send_data_list(struct podnet_peer *peer, struct sk_buff *segs)
{
	struct sk_buff *skb, *next;

	if (likely(skb_queue_empty_lockless(&peer->queue.q)) &&
	    podnet_peer_ready(peer) && READ_ONCE(podnet_burst_jobs)) {
		podnet_send_burst(peer, segs);
		return;
	}
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		podnet_queue_stamp(skb);
		podnet_send_data(peer, skb);
	}
}

/**
 * podnet_peer_queue_flush() - send what is staged, if the peer is ready
 * @peer: the peer
 *
 * Called whenever a key or an endpoint arrives. A key that goes away
 * while this runs costs the rest of the stage (dropped as without a key).
 * Context: any; takes the RCU read lock and disables BH itself.
 */
void podnet_peer_queue_flush(struct podnet_peer *peer)
{
	struct sk_buff_head list;
	struct sk_buff *skb;

	if (skb_queue_empty_lockless(&peer->queue.q))
		return;
	__skb_queue_head_init(&list);
	rcu_read_lock_bh();
	if (podnet_peer_ready(peer))
		podnet_queue_take_all(&peer->queue, &list);
	while ((skb = __skb_dequeue(&list)))
		podnet_send_queued(peer, skb);
	rcu_read_unlock_bh();
}

/**
 * podnet_peer_queue_purge() - drop everything staged (peer removal)
 * @peer: the peer
 */
void podnet_peer_queue_purge(struct podnet_peer *peer)
{
	atomic64_add(podnet_queue_purge(&peer->queue), &peer->stats.drop_no_key);
}

/**
 * podnet_peer_queue_expire() - drop staged packets past their age
 * @peer: the peer
 */
void podnet_peer_queue_expire(struct podnet_peer *peer)
{
	atomic64_add(podnet_queue_expire(&peer->queue), &peer->stats.drop_no_key);
}

/* ----------------------------------------------------------- device */

static bool podnet_is_ipv6(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6);
}

/* What a sender is told when nobody holds its destination. */
static void podnet_noroute_icmp(struct sk_buff *skb)
{
	if (podnet_is_ipv6(skb))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
	else
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

/* The peer that holds skb's destination now, IPv4 or IPv6. */
static struct podnet_peer *podnet_noroute_lookup(struct podnet_dev *pdev,
						 struct sk_buff *skb)
{
	if (podnet_is_ipv6(skb))
		return podnet_aips6_lookup(pdev, &ipv6_hdr(skb)->daddr);
	return podnet_aips_lookup(pdev, ip_hdr(skb)->daddr);
}

/**
 * podnet_dev_queue_noroute() - a packet for an address no peer holds
 * @pdev: the device
 * @skb: a stamped inner IPv4 or IPv6 packet, consumed
 *
 * Context: BH disabled, RCU read lock held.
 */
void podnet_dev_queue_noroute(struct podnet_dev *pdev, struct sk_buff *skb)
{
	if (time_after_eq(jiffies, READ_ONCE(pdev->no_route_next))) {
		WRITE_ONCE(pdev->no_route_next, jiffies + HZ / 10);
		if (podnet_is_ipv6(skb))
			podnet_notify_no_route(pdev, &ipv6_hdr(skb)->daddr, 16);
		else
			podnet_notify_no_route(pdev, &ip_hdr(skb)->daddr, 4);
	}
	if (!podnet_notify_listened(pdev)) {
		/* No daemon to look the address up: refuse it now. */
		atomic64_inc(&pdev->tx_no_route);
		podnet_noroute_icmp(skb);
		kfree_skb(skb);
		return;
	}
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return;
	/* It keeps its route: ROUTE_DROP answers with an ICMP error. */
	if (podnet_queue_push(&pdev->noroute, skb, PODNET_QUEUE_DEV_PACKETS,
			      PODNET_QUEUE_DEV_BYTES, &pdev->tx_no_route,
			      &pdev->drop_queue_full))
		atomic64_inc(&pdev->tx_queued);
	else
		atomic64_inc(&pdev->tx_no_route);
}

/**
 * podnet_dev_queue_reroute() - look the device's waiting packets up again
 * @pdev: the device
 *
 * After a peer got allowed ips (or its IPv6 address): what is now
 * routable moves on to its peer (sent, or staged there until it has a
 * key); the rest keeps waiting, in order.
 * Context: process context (configuration).
 */
void podnet_dev_queue_reroute(struct podnet_dev *pdev)
{
	struct sk_buff_head list, keep;
	struct podnet_peer *peer;
	struct sk_buff *skb;

	if (skb_queue_empty_lockless(&pdev->noroute.q))
		return;
	__skb_queue_head_init(&list);
	__skb_queue_head_init(&keep);
	podnet_queue_take_all(&pdev->noroute, &list);
	rcu_read_lock_bh();
	while ((skb = __skb_dequeue(&list))) {
		peer = podnet_noroute_lookup(pdev, skb);
		if (peer)
			podnet_send_data(peer, skb);
		else
			__skb_queue_tail(&keep, skb);
	}
	rcu_read_unlock_bh();
	podnet_queue_put_back(&pdev->noroute, &keep);
}

/**
 * podnet_dev_queue_purge() - drop every packet waiting for a route
 * @pdev: the device (being torn down)
 */
void podnet_dev_queue_purge(struct podnet_dev *pdev)
{
	atomic64_add(podnet_queue_purge(&pdev->noroute), &pdev->tx_no_route);
}

/**
 * podnet_dev_queue_expire() - drop waiting packets past their age
 * @pdev: the device
 */
void podnet_dev_queue_expire(struct podnet_dev *pdev)
{
	atomic64_add(podnet_queue_expire(&pdev->noroute), &pdev->tx_no_route);
}

/**
 * podnet_nl_route_drop_doit() - PODNET_CMD_ROUTE_DROP: nobody holds an
 *	address; what waits for it is dropped, its senders told
 * @skb: the request
 * @info: its attributes; user_ptr[0] is the device
 *
 * Context: the device's configuration mutex held (pre_doit).
 * Return: 0 or a negative errno, with the reason in the extack.
 */
int podnet_nl_route_drop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];
	struct sk_buff_head list, keep;
	struct sk_buff *pkt;
	unsigned int n = 0;
	struct in6_addr daddr6;
	__be32 daddr = 0;
	int len;
	bool v6;

	if (podnet_nl_missing(info, PODNET_A_DEST_ADDR, "missing dest_addr"))
		return -EINVAL;
	len = nla_len(info->attrs[PODNET_A_DEST_ADDR]);
	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PODNET_A_DEST_ADDR],
				    "dest_addr is an IPv4 (4 bytes) or IPv6 (16) address");
		return -EINVAL;
	}
	v6 = len == 16;
	if (v6)
		memcpy(&daddr6, nla_data(info->attrs[PODNET_A_DEST_ADDR]), 16);
	else
		memcpy(&daddr, nla_data(info->attrs[PODNET_A_DEST_ADDR]), 4);
	__skb_queue_head_init(&list);
	__skb_queue_head_init(&keep);
	podnet_queue_take_all(&pdev->noroute, &list);
	rcu_read_lock_bh();
	while ((pkt = __skb_dequeue(&list))) {
		if (podnet_is_ipv6(pkt) != v6 ||
		    (v6 ? !ipv6_addr_equal(&ipv6_hdr(pkt)->daddr, &daddr6) :
			  ip_hdr(pkt)->daddr != daddr)) {
			__skb_queue_tail(&keep, pkt);
			continue;
		}
		podnet_noroute_icmp(pkt);
		kfree_skb(pkt);
		n++;
	}
	rcu_read_unlock_bh();
	atomic64_add(n, &pdev->tx_no_route);
	podnet_queue_put_back(&pdev->noroute, &keep);
	return 0;
}
