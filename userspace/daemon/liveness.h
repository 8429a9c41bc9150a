/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Is the path to a peer still carrying (liveness.c)? Traffic that stops
 * coming back is the first sign of a NAT that forgot its mapping; a ping
 * through the session tells a dead path from a quiet peer within a
 * second, and a dead one is handed to traversal.c to find a new path
 * (the relay at once, a fresh punch behind it).
 */
#ifndef _PODNET_LIVENESS_H
#define _PODNET_LIVENESS_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "peer_event.h"

struct node;
struct peer;

/* A peer's part (peer->nat.live). */
struct peer_liveness {
	int64_t tx_data_seen;		/* the most data records sent yet */
	uint64_t rx_packets_seen;
	ev_tstamp last_data;		/* when either count last moved */
	ev_tstamp ping_sent;		/* 0: no ping outstanding */
	ev_tstamp last_lost;		/* when the path was last found dead */
	/* A "session lost" hint being checked (liveness_doubt()). */
	ev_tstamp doubt_sent;		/* 0: none */
	ev_tstamp last_doubt;
	uint64_t doubt_id;		/* the ping's id */
	bool doubt_asked;		/* a session request was among them */
};

/* The node's part (node->nat.live). */
struct node_liveness {
	ev_timer timer;
};

void liveness_peer_changed(struct peer *peer, enum peer_event what);
/* When the peer was last heard on the path its session sends on. */
ev_tstamp liveness_heard(const struct peer *peer);
/*
 * An unauthenticated datagram from the peer's address says it lost its
 * session: one under an index we do not have, or (asked) a session
 * request. The running session, if any, is asked first (a ping); only
 * when it does not answer does the peer get a new handshake.
 */
void liveness_doubt(struct peer *peer, bool asked);
/* A pong from the peer: true when it answered liveness_doubt()'s ping. */
bool liveness_pong(struct peer *peer, uint64_t id);

#endif /* _PODNET_LIVENESS_H */
