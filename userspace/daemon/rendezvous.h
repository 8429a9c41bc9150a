/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The rendezvous role (rendezvous.c): registrations, introductions, NAT
 * probe answers and the relay.
 */
#ifndef _PODNET_RENDEZVOUS_H
#define _PODNET_RENDEZVOUS_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "datapath.h"
#include "keymap.h"
#include "peer_event.h"
#include "routing.h"
#include "wire.h"

struct node;
struct peer;
struct held_lookup;
struct rv_msg;
struct wire_header;

/* A peer's part (peer->rv), kept while this node is a rendezvous. */
struct peer_rv {
	bool registered;
	uint8_t nat_type;		/* as the peer reported it */
	struct endpoint *locals;	/* RV_MAX_CANDIDATES, on register */
	size_t n_locals;
	struct relay_channel *channels;	/* the channels from it */
	double relay_tokens;		/* bytes this peer may still relay */
	ev_tstamp relay_last;
	uint64_t relay_bytes, relay_dropped;
	/* What rv_state.c last wrote of it. */
	uint32_t saved_index;
	struct endpoint saved_ep;
};

/* A relay channel at the rendezvous: datagrams that `from` sends with this
 * id go to `to`, wrapped with `reverse`, the id `to` answers with. */
struct relay_channel {
	uint32_t id;
	uint32_t reverse;
	struct peer *from, *to;
	/* On from->rv.channels, so a peer that goes takes its channels
	 * along without a walk over everyone's. */
	struct relay_channel *next, **pprev;
};

struct rv_announce;

/* The node's part (node->rv). */
struct node_rv {
	int probe_fd;			/* second port, NAT probes */
	ev_io probe_watcher;
	struct routing_table relay_ids;	/* channel id -> relay_channel */
	/* (from, to) -> relay_channel: an introduction finds the pair of
	 * channels it may reuse in one lookup */
	struct keymap relay_pairs;
	/* New at every start: a node that sees it change knows that every
	 * registration and relay channel of ours it held is gone. */
	uint64_t boot_id;
	/* When a notice last went to a source (hashed), so a flood of
	 * datagrams we do not know gets a trickle of notices. */
	ev_tstamp notice_sent[64];
	/* Lookups for nodes that have not registered since we started
	 * (lookup_hold.c). */
	ev_tstamp started;
	struct held_lookup *held;	/* HOLD_SLOTS, at the first */
	size_t n_held;
	/* Registrations kept across a restart (rv_state.c). */
	bool announced;
	bool state_dirty;
	ev_tstamp saved_at;
	size_t n_saved;
	struct rv_announce *announce;	/* nodes still to tell, or NULL */
};

int rendezvous_open(struct node *node, char *err, size_t errlen);
void rendezvous_close(struct node *node);
void rendezvous_peer_changed(struct peer *peer, enum peer_event what);
void rendezvous_message(struct peer *from, const struct rv_msg *m);
void rendezvous_relay(struct node *node, const struct path *from,
		      const struct wire_header *hdr);
/* Held lookups whose time is up get their answer. */
void rendezvous_housekeeping(struct node *node, ev_tstamp now);
void rendezvous_probe_answer(struct node *node, const struct path *from,
			     uint32_t nonce);
/* A datagram of len bytes came under an index (session or relay channel)
 * we do not know: tell its sender, who may have known us before a
 * restart (doc/wire.md, notice). */
void rendezvous_notice(struct node *node, const struct path *from,
		       uint32_t index, enum wire_notice_kind kind, size_t len);

#endif /* _PODNET_RENDEZVOUS_H */
