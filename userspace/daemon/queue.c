// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets that wait for a session instead of being dropped. A cold
 * `ping` or TCP connect would otherwise lose its first packets while a
 * handshake runs, and every packet while the rendezvous is asked who
 * holds the address. Two places to wait:
 *  - peer->queue, for a peer we know but have no session with; it goes
 *    out in order, sealed and batched, once the session is up;
 *  - node->queue, per address, while a lookup or a handshake may still
 *    tell whose the address is; it moves to the peer when one does.
 * Both are bounded (the oldest packet makes room) and age out, so a peer
 * that never answers holds at most QUEUE_PEER_BYTES for QUEUE_MAX_AGE.
 */
#include "queue.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "tun.h"
#include "udp.h"

/* A not-found answer holds this long: the lookup is not asked again
 * sooner (LOOKUP_INTERVAL in traversal.c). */
#define QUEUE_REFUSED_FOR 2.0

void queue_for_peer(struct peer *peer, const uint8_t *pkt, size_t len,
		    uint32_t dst)
{
	ev_tstamp now = node_now(peer->node);
	int dropped;

	peer->stats.drop_no_session +=
		pktqueue_expire(&peer->queue, now - QUEUE_MAX_AGE);
	dropped = pktqueue_push(&peer->queue, pkt, len, dst, now);
	if (dropped < 0)
		peer->stats.drop_no_session++;
	else
		peer->stats.drop_queue_full += (uint64_t)dropped;
}

/* The slots' key: an IPv6 address, IPv4 ones mapped into it. */
static struct in6_addr key4(struct in_addr a)
{
	struct in6_addr k = { 0 };

	k.s6_addr[10] = k.s6_addr[11] = 0xff;
	memcpy(&k.s6_addr[12], &a, 4);
	return k;
}

static struct queue_addr *find_addr(struct node *node,
				    const struct in6_addr *addr)
{
	for (size_t i = 0; i < QUEUE_ADDRS; i++) {
		struct queue_addr *a = &node->queue.addrs[i];

		if (a->used && !memcmp(&a->addr, addr, sizeof(*addr)))
			return a;
	}
	return NULL;
}

/* A slot for addr: its own, or one that holds nothing any more. */
static struct queue_addr *claim_addr(struct node *node,
				     const struct in6_addr *addr,
				     ev_tstamp now)
{
	struct queue_addr *a = find_addr(node, addr);

	if (a)
		return a;
	for (size_t i = 0; i < QUEUE_ADDRS; i++) {
		a = &node->queue.addrs[i];
		if (!a->used ||
		    (!a->packets.count && now >= a->refused_until)) {
			a->used = true;
			a->addr = *addr;
			a->refused_until = 0;
			pktqueue_init(&a->packets, QUEUE_ADDR_PACKETS,
				      QUEUE_ADDR_BYTES);
			return a;
		}
	}
	return NULL;
}

/* dst: the IPv4 destination, or 0 for IPv6 (read from the packet). */
static bool queue_for_key(struct node *node, const struct in6_addr *key,
			  uint32_t dst, const uint8_t *pkt, size_t len)
{
	ev_tstamp now = node_now(node);
	struct queue_addr *a = claim_addr(node, key, now);
	int dropped;

	if (!a || now < a->refused_until)
		return false;
	node->stats.tx_no_route +=
		pktqueue_expire(&a->packets, now - QUEUE_MAX_AGE);
	dropped = pktqueue_push(&a->packets, pkt, len, dst, now);
	if (dropped < 0)
		return false;
	node->stats.tx_no_route += (uint64_t)dropped;
	return true;
}

bool queue_for_address(struct node *node, struct in_addr dst,
		       const uint8_t *pkt, size_t len)
{
	struct in6_addr key = key4(dst);

	return queue_for_key(node, &key, dst.s_addr, pkt, len);
}

bool queue_for_address6(struct node *node, const struct in6_addr *dst,
			const uint8_t *pkt, size_t len)
{
	return queue_for_key(node, dst, 0, pkt, len);
}

bool queue_session_coming(struct node *node)
{
	/* Only a peer whose addresses we do not know yet may turn out to
	 * hold it, and only if we can reach it. Usually there is none, and
	 * a packet to an address nobody holds costs no walk (the count is of
	 * peers without an IPv4 address: a superset of those without both). */
	if (!node->n_peers_no_vaddr)
		return false;
	for (struct peer *p = node->peers; p; p = p->next) {
		if (!p->has_vaddr && !p->has_vaddr6 && !p->current &&
		    (p->handshake || p->config_endpoint.len ||
		     p->nat.has_token))
			return true;
	}
	return false;
}

/* IPv4 packets wait with their destination (e->dst); IPv6 ones with 0,
 * and the destination is read from the packet (tun_packet checked it). */
static bool queued_for(const struct peer *peer, const struct pktqueue_entry *e)
{
	if (e->dst)
		return (peer->has_vaddr && e->dst == peer->vaddr.s_addr) ||
		       (peer->nsubnets &&
			routing_lookup(&peer->node->routes,
				       (struct in_addr){ .s_addr = e->dst }) ==
				peer);
	if (e->len < 40 || (e->data[0] >> 4) != 6)
		return false;
	if (peer->has_vaddr6 && !memcmp(e->data + 24, &peer->vaddr6, 16))
		return true;
	if (peer->nsubnets6) {
		struct in6_addr dst;

		memcpy(&dst, e->data + 24, 16);
		return routing6_lookup(&peer->node->routes6, &dst) == peer;
	}
	return false;
}

/*
 * Sends what waited, in order, through the batched send path. A server
 * finishes its handshake first and waits for the client's first record
 * (`heard`): should its last flight be lost, the client would have no
 * keys for what we send.
 */
static void flush(struct peer *peer, bool heard)
{
	struct node *node = peer->node;
	bool batching = node->dp.tx_batching;
	struct pktqueue_entry *e;

	/* Not while a first session is promoted: its address comes
	 * with PEER_SESSION_UP. */
	if (!peer->current || (!peer->has_vaddr && !peer->has_vaddr6) ||
	    !peer->queue.count ||
	    (!peer->current->is_client && !heard))
		return;
	log_debug("peer %s: sending %zu queued packets", peer->name,
		  peer->queue.count);
	node->dp.tx_batching = true;
	while ((e = pktqueue_pop(&peer->queue))) {
		/* Cryptokey routing, outbound: the rendezvous named the
		 * peer, but its certificate decides what it may receive. */
		if (!queued_for(peer, e)) {
			node->stats.tx_no_route++;
		} else if (udp_queue_record(node, peer->current, e->data,
					    e->len)) {
			peer->stats.drop_no_session++;
		} else {
			peer->stats.tx_bytes += e->len;
			peer->stats.tx_packets++;
			peer->last_tx = node_now(node);
		}
		free(e);
	}
	node->dp.tx_batching = batching;
	/* Inside a burst its owner sends the batch; outside, we do. */
	if (!batching)
		udp_flush(node);
}

/* The packets of slot a (all for one address) move to peer. */
static void answered(struct peer *peer, struct queue_addr *a)
{
	if (!a || !a->packets.count)
		return;
	peer->stats.drop_queue_full +=
		pktqueue_move(&peer->queue, &a->packets, 0, true);
	a->used = false;
	flush(peer, false);
}

void queue_lookup_answered(struct peer *peer, struct in_addr vaddr)
{
	struct in6_addr key = key4(vaddr);

	if (vaddr.s_addr)
		answered(peer, find_addr(peer->node, &key));
}

void queue_lookup_answered6(struct peer *peer, const struct in6_addr *vaddr)
{
	answered(peer, find_addr(peer->node, vaddr));
}

void queue_peer_heard(struct peer *peer, const struct session *s)
{
	flush(peer, s == peer->current);
}

static void tell_unreachable(void *ctx, const uint8_t *pkt, size_t len)
{
	tun_unreachable(ctx, pkt, len);
}

static void failed(struct node *node, const struct in6_addr *key)
{
	ev_tstamp now = node_now(node);
	struct queue_addr *a = claim_addr(node, key, now);

	if (!a)
		return;
	/* Nobody holds the address: what waited for the answer hears so,
	 * an ICMP unreachable as a router sends when neighbour resolution
	 * fails, like every packet for it in the next QUEUE_REFUSED_FOR s.
	 * (One that merely waited QUEUE_MAX_AGE goes quietly: the lookup
	 * may still be held by a rendezvous that just restarted.) */
	node->stats.tx_no_route += pktqueue_expire_each(
		&a->packets, DBL_MAX, tell_unreachable, node);
	a->refused_until = now + QUEUE_REFUSED_FOR;
}

void queue_lookup_failed(struct node *node, struct in_addr vaddr)
{
	struct in6_addr key = key4(vaddr);

	/* On the kernel path the packets wait in the module. */
	kernel_route_drop(node, vaddr);
	failed(node, &key);
}

void queue_lookup_failed6(struct node *node, const struct in6_addr *vaddr)
{
	kernel_route_drop6(node, vaddr);
	failed(node, vaddr);
}

void queue_peer_changed(struct peer *peer, enum peer_event what)
{
	size_t n;

	switch (what) {
	case PEER_CREATED:
		pktqueue_init(&peer->queue, QUEUE_PEER_PACKETS,
			      QUEUE_PEER_BYTES);
		break;
	case PEER_REMOVED:
		n = pktqueue_clear(&peer->queue);
		peer->stats.drop_no_session += n;
		if (n)
			log_debug("peer %s: %zu queued packets dropped",
				  peer->name, n);
		break;
	case PEER_SESSION_UP:
		/* Its certificate's address is known now: what waited for
		 * that address is the peer's. */
		if (peer->has_vaddr)
			queue_lookup_answered(peer, peer->vaddr);
		if (peer->has_vaddr6)
			queue_lookup_answered6(peer, &peer->vaddr6);
		flush(peer, false);
		break;
	default:
		break;
	}
}

void queue_housekeeping(struct node *node, ev_tstamp now)
{
	for (size_t i = 0; i < QUEUE_ADDRS; i++) {
		struct queue_addr *a = &node->queue.addrs[i];

		if (a->used)
			node->stats.tx_no_route += pktqueue_expire(
				&a->packets, now - QUEUE_MAX_AGE);
	}
	for (struct peer *p = node->peers; p; p = p->next) {
		p->stats.drop_no_session +=
			pktqueue_expire(&p->queue, now - QUEUE_MAX_AGE);
		flush(p, false);
	}
}

void queue_node_free(struct node *node)
{
	for (size_t i = 0; i < QUEUE_ADDRS; i++) {
		pktqueue_clear(&node->queue.addrs[i].packets);
		node->queue.addrs[i].used = false;
	}
}
