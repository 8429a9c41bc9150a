/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * NAT traversal, this node's side (traversal.c): registering with
 * rendezvous nodes, learning the NAT type, looking peers up, punching.
 */
#ifndef _PODNET_TRAVERSAL_H
#define _PODNET_TRAVERSAL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "datapath.h"
#include "keymap.h"
#include "liveness.h"
#include "peer_event.h"
#include "recover.h"
#include "rvmsg.h"
#include "rvreach.h"

struct node;
struct peer;
struct punch;

/* A peer's part (peer->nat). */
struct peer_nat {
	bool is_rendezvous;		/* configured as a rendezvous node */
	bool registered;		/* ... and it acknowledged us */
	ev_tstamp last_register;
	struct peer_rvreach reach;	/* is it reachable (rvreach.c) */
	uint16_t probe_port;		/* its second port for NAT probes */
	/* A rendezvous' RelayLimit for this node (RV_RELAY_LIMIT), Mbit/s;
	 * unknown until it tells (older rendezvous never do). */
	bool has_relay_limit;
	uint32_t relay_limit;
	unsigned int probes_sent;
	uint32_t probe_nonce;		/* of the probes out; 0: none */
	struct endpoint reflexive;	/* a rendezvous: where it saw us */
	ev_tstamp last_lookup;
	uint8_t punch_token[RV_TOKEN_LEN];
	bool has_token;
	/* The introduction before: with two rendezvous nodes each side may
	 * punch with the token of another one, and both are good. */
	uint8_t prev_token[RV_TOKEN_LEN];
	bool has_prev_token;
	/* RV_MAX_CANDIDATES entries, allocated when first introduced: most
	 * peers of a large network never need them. */
	struct endpoint *candidates;
	size_t n_candidates;
	uint8_t type;			/* its NAT type, from the rendezvous */
	struct path relay_path;		/* ep.len 0: no relay offered */
	struct punch *punch;		/* punching in progress */
	ev_tstamp punched_at;		/* a punch last named or used path */
	ev_tstamp next_punch_retry;
	char path_reason[64];		/* why the path is relayed */
	/* The last candidate path probed through the session: it moves
	 * there only when the peer answers over it (traversal.c). */
	struct path probe_path;
	ev_tstamp probe_sent;
	uint64_t path_probes;		/* candidates probed so far */
	int own_fd;			/* socket won by birthday punching */
	ev_io own_watcher;
	struct peer_recover *recover;	/* recover.c, while it recovers */
	struct peer_liveness live;	/* liveness.c */
	/* A rendezvous' last RV_ADDRESS6, for the candidates that follow
	 * it: the IPv6 address of the node they introduce. */
	char addr6_name[CERT_NAME_MAX];
	struct in6_addr addr6;
};

#define LOOKUP_CACHE 16

/* The node's part (node->nat). */
struct node_nat {
	uint8_t type;			/* this node's, as measured */
	struct endpoint reflexive;	/* as the rendezvous sees this node */
	bool remeasure;			/* seen elsewhere: probe the type again */
	struct {
		struct in6_addr addr;	/* IPv4 ones as ::ffff:a.b.c.d */
		ev_tstamp when;
	} lookups[LOOKUP_CACHE];	/* recent lookups by address */
	struct node_recover recover;	/* recover.c */
	struct node_liveness live;	/* liveness.c */
	/* Punch token (current or previous) -> peer: a PUNCH datagram from
	 * anyone costs one lookup, not a scan of every peer. */
	struct keymap tokens;
	/* How many rendezvous peers are registered, counted again only
	 * after a change (traversal_rendezvous_changed): a packet to an
	 * address nobody holds asks, and must not walk every peer. */
	unsigned int n_registered;
	bool n_registered_stale;
};

void traversal_peer_changed(struct peer *peer, enum peer_event what);
/* A peer's nat.registered or nat.is_rendezvous changed, or one went. */
void traversal_rendezvous_changed(struct node *node);
/* A control message from a peer's session (the rendezvous ones aside). */
void traversal_message(struct peer *from, const struct rv_msg *m);
void traversal_punch(struct node *node, const struct path *from,
		     const uint8_t *token, uint8_t kind);
/* Did a punch name the peer's path (or arrive over it) just now? */
bool traversal_punched_path_fresh(const struct peer *peer);
/* Asks the rendezvous who holds vaddr; false when there is none to ask. */
bool traversal_lookup_vaddr(struct node *node, struct in_addr vaddr);
bool traversal_lookup_vaddr6(struct node *node, const struct in6_addr *vaddr);
/* Is there a registered rendezvous to ask? */
bool traversal_can_lookup(struct node *node);
/* Asks every registered rendezvous where name is (dns.c); returns how
 * many were asked. */
unsigned int traversal_lookup_by_name(struct node *node, const char *name);
/* liveness.c is about to ping a quiet peer: our NAT may have moved us. */
void traversal_path_quiet(struct peer *peer);
/* liveness.c found the path dead: find another (relay, fresh punch). */
void traversal_path_lost(struct peer *peer);
void traversal_housekeeping(struct node *node, ev_tstamp now);
/* Asks the rendezvous nodes for peer (at most every 2 s unless now). */
void traversal_lookup(struct peer *peer, bool now);
/* The peer's traffic (and any handshake with it) goes to path now. */
void traversal_use_path(struct peer *peer, const struct path *path);

#endif /* _PODNET_TRAVERSAL_H */
