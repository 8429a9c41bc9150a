/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets that wait instead of being dropped (queue.c): for a peer whose
 * session is not up yet (handshake, punching), and for an address whose
 * owner the rendezvous is still looking up. They go out in order once the
 * session is up; none waits longer than QUEUE_MAX_AGE (give or take the
 * second between two housekeeping rounds). Those for an address that a
 * lookup finds nobody holds are answered with an ICMP unreachable.
 *
 * Only the TUN data path queues: with podnet.ko the kernel drops what it
 * cannot send and only tells us (PODNET_CMD_NOTIFY_NO_ROUTE, NEED_KEY).
 */
#ifndef _PODNET_QUEUE_H
#define _PODNET_QUEUE_H

#include <ev.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer_event.h"
#include "pktqueue.h"

struct node;
struct peer;
struct session;

/* Per peer: a TCP window's worth, as WireGuard's staged packets. */
#define QUEUE_PEER_PACKETS 128
#define QUEUE_PEER_BYTES (256 * 1024)
/* Per address being looked up, and how many addresses at once. */
#define QUEUE_ADDR_PACKETS 32
#define QUEUE_ADDR_BYTES (64 * 1024)
#define QUEUE_ADDRS 16
/* Seconds: punching gives up after PunchTimeout (3 s by default), then a
 * handshake through the relay still has to finish. */
#define QUEUE_MAX_AGE 8.0

/* The node's part (node->queue): packets for addresses no peer holds
 * yet, by address. */
struct node_queue {
	struct queue_addr {
		bool used;
		struct in6_addr addr;	/* IPv4 ones as ::ffff:a.b.c.d */
		ev_tstamp refused_until; /* not found: no waiting for it */
		struct pktqueue packets;
	} addrs[QUEUE_ADDRS];
};

/* A packet for a peer without a session: waits in peer->queue. */
void queue_for_peer(struct peer *peer, const uint8_t *pkt, size_t len,
		    uint32_t dst);
/* A packet for an address no peer holds: waits for a lookup or a
 * handshake to tell whose it is. False when it cannot wait (no room, or
 * the address was just not found): the caller drops it. */
bool queue_for_address(struct node *node, struct in_addr dst,
		       const uint8_t *pkt, size_t len);
bool queue_for_address6(struct node *node, const struct in6_addr *dst,
			const uint8_t *pkt, size_t len);
/* May a handshake under way still tell who holds an address? */
bool queue_session_coming(struct node *node);
/* The rendezvous says peer holds vaddr: its packets move to the peer. */
void queue_lookup_answered(struct peer *peer, struct in_addr vaddr);
void queue_lookup_answered6(struct peer *peer, const struct in6_addr *vaddr);
/* ... or that nobody does: they are dropped, as no route. */
void queue_lookup_failed(struct node *node, struct in_addr vaddr);
void queue_lookup_failed6(struct node *node, const struct in6_addr *vaddr);
void queue_peer_changed(struct peer *peer, enum peer_event what);
/* A record arrived on s: on a server's new session, what waited may go. */
void queue_peer_heard(struct peer *peer, const struct session *s);
/* Drops what waited too long. */
void queue_housekeeping(struct node *node, ev_tstamp now);
void queue_node_free(struct node *node);

#endif /* _PODNET_QUEUE_H */
