/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * What can happen to a peer. peer_changed() (peer.c) tells every module
 * that keeps state about peers, in a fixed order; the modules never call
 * each other for it. Each module's reaction is its <module>_peer_changed().
 */
#ifndef _PODNET_PEER_EVENT_H
#define _PODNET_PEER_EVENT_H

enum peer_event {
	PEER_CREATED,		/* just added to node->peers */
	PEER_REMOVED,		/* about to be freed, its sessions still up */
	PEER_SESSION_UP,	/* a handshake completed: identity, route and
				 * path are set, the keys ready to carry data */
	PEER_SESSION_SETTLED,	/* ... and a client's first record went out
				 * on it: what rides on the session may go */
	PEER_SESSION_PROMOTED,	/* a new session became the current one */
	PEER_SESSION_GONE,	/* one of the peer's sessions was destroyed */
	PEER_PATH_CHANGED,	/* peer->path moved (roaming, the kernel) */
	PEER_PATH_WANTED,	/* a session is wanted, but no address known */
	PEER_SUBNETS_CHANGED,	/* subnets routed to it changed outside a
				 * handshake (peer_subnets_retry) */
};

#endif /* _PODNET_PEER_EVENT_H */
