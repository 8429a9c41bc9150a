/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * When a rendezvous fails (recover.c): a restarted one has forgotten every
 * registration and relay channel, a dead one relays nothing. Relayed
 * peers move to another rendezvous' relay, or get a new channel from the
 * restarted one, without a new handshake between the two nodes.
 */
#ifndef _PODNET_RECOVER_H
#define _PODNET_RECOVER_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "path.h"
#include "peer_event.h"

struct node;
struct peer;

/* Relay paths offered for one peer, one per rendezvous. */
#define RECOVER_OFFERS 4

struct recover_offer {
	struct peer *rv;
	struct path path;
};

/* A peer's part (peer->nat.recover), allocated while needed. */
struct peer_recover {
	/* For a rendezvous peer: */
	uint64_t boot_id;		/* its life, 0 until it told us */
	uint64_t ping_id;		/* a liveness check in flight, or 0 */
	ev_tstamp ping_sent;
	ev_tstamp last_rehandshake;
	bool lost;			/* stopped answering: no relaying there */
	/* For any other peer: */
	struct recover_offer offers[RECOVER_OFFERS];
	size_t n_offers;
	ev_tstamp episode_rx;		/* last_rx when this silence began */
	uint64_t episode_tx;		/* tx_packets then */
	double next_check;		/* s of silence before the next check */
	ev_tstamp last_switch;
	bool stale;			/* its relay channel is gone */
	bool refused;			/* the relay did not know its channel */
	bool not_found;			/* the rendezvous did not know it */
};

/* The node's part (node->nat.recover). */
struct node_recover {
	ev_timer timer;			/* watches relayed peers' silence */
};

void recover_peer_changed(struct peer *peer, enum peer_event what);
/* An introduction from rv offered this relay path for peer. Returns true
 * when the peer should move to it now (its own relay path is gone). */
bool recover_offer(struct peer *peer, struct peer *rv, const struct path *relay);
/* The relay path both ends of a pair choose, or NULL. */
const struct path *recover_relay_choice(const struct peer *peer);
/* rv told us its boot id (after each registration). */
void recover_boot(struct peer *rv, uint64_t boot_id);
/* A pong from rv: true when it answered our liveness check. */
bool recover_pong(struct peer *rv, uint64_t id);
void recover_not_found(struct peer *rv, const char *name);
/* A notice datagram (doc/wire.md): only ever a hint. */
void recover_notice(struct node *node, const struct path *from,
		    uint32_t index, uint64_t boot_id, uint8_t kind);
void recover_housekeeping(struct node *node, ev_tstamp now);
/* Why no path works for peer, for `podnet show`; false when one does. */
bool recover_no_path(const struct peer *peer, char *buf, size_t len);

#endif /* _PODNET_RECOVER_H */
