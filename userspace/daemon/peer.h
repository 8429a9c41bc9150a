/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Peers (peer.c): who they are, where they are, which sessions carry
 * their traffic. What only one module needs of a peer lives in that
 * module's part, embedded here and defined in its header.
 */
#ifndef _PODNET_PEER_H
#define _PODNET_PEER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "cert.h"
#include "datapath.h"
#include "kernel.h"
#include "peer_event.h"
#include "pktqueue.h"
#include "rendezvous.h"
#include "resolve.h"
#include "traversal.h"

struct node;
struct session;

struct peer_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_packets, tx_packets;
	uint64_t drop_bad_source;	/* inner source not the cert's address */
	uint64_t drop_no_session;	/* outbound while no session is up */
	uint64_t drop_invalid;		/* failed authentication, replay, not IP */
	uint64_t drop_no_family;	/* inner IPv4/IPv6 from a peer without
					 * an address of that family */
	uint64_t drop_queue_full;	/* oldest waiting packet made room */
	uint64_t handshakes;		/* completed */
};

struct peer {
	struct node *node;
	struct peer *next;
	char name[CERT_NAME_MAX];
	bool configured;		/* from the config file, not learnt */
	struct endpoint config_endpoint;	/* or what its name resolved to */
	/* resolve.c: only for an Endpoint by name (~650 bytes, which a
	 * rendezvous' many learnt peers need not carry) */
	struct peer_resolve *resolve;
	struct path path;		/* where the session runs now */
	bool has_vaddr;
	struct in_addr vaddr;		/* from the peer's certificate */
	bool has_vaddr6;
	struct in6_addr vaddr6;		/* the same, IPv6 */
	/* Subnets routed behind it (its certificate's routes) that this
	 * node routes to it, and which of them have a kernel route podnetd
	 * added (link_subnet_add) */
	size_t nsubnets;
	size_t nsubnets6;		/* of them, IPv6 ones */
	struct cert_route subnets[CERT_ROUTES_MAX];
	bool subnet_kroute[CERT_ROUTES_MAX];
	bool subnets_changed;		/* podnet.ko's allowed IPs are stale */
	/* Subnets its certificate claims that another peer held when they
	 * were offered: tried again when a subnet is freed
	 * (peer_subnets_retry). NULL, as for almost every peer, when none. */
	struct cert_route *refused;
	size_t nrefused;
	time_t cert_not_after;
	bool has_cert_fp;		/* revoke.c finds revoked peers by it */
	uint8_t cert_fp[32];		/* SHA-256 of its certificate */

	struct session *current;	/* established, used for sending */
	struct session *previous;	/* still accepted until it expires */
	struct session *handshake;	/* in progress */
	struct session *pending;	/* we were its server: established,
					 * used for sending once the client
					 * uses it */

	time_t latest_handshake;	/* wall clock, for `podnet show` */
	ev_tstamp last_rx, last_tx;
	ev_tstamp last_attempt;		/* handshake or session request */
	bool request_unanswered;	/* we asked, no session came of it */
	ev_tstamp created;
	unsigned int attempt_backoff;	/* seconds */
	struct peer_stats stats;

	struct peer_nat nat;		/* traversal.c */
	struct peer_rv rv;		/* rendezvous.c */
	struct peer_kernel kernel;	/* kernel.c */
	struct pktqueue queue;		/* queue.c: waiting for a session */

	/* What node->peers_by_path and peers_by_config hold for this peer
	 * (peer_index_update), so it can be taken out again. */
	struct path indexed_path;
	struct endpoint indexed_config;
};

struct peer *peer_create(struct node *node, const char *name);
/* A peer learnt of (not configured): at most LearnedPeerMax of them, the
 * longest idle one without a session makes room; NULL when none can. */
struct peer *peer_create_learned(struct node *node, const char *name);
/* A learnt peer without a session, idle for LearnedPeerIdle: forget it. */
bool peer_learned_expired(const struct peer *peer, ev_tstamp now);
void peer_destroy(struct peer *peer);
/* Tells every module that keeps state about peers (peer_event.h). */
void peer_changed(struct peer *peer, enum peer_event what);
/* One hash lookup (node->peers_by_name). */
struct peer *peer_find_by_name(struct node *node, const char *name);
/* Sets peer->has_vaddr and keeps node->n_peers_no_vaddr. */
void peer_set_has_vaddr(struct peer *peer, bool has);
/* By a datagram's path: the peer's current path, or (direct paths) its
 * configured endpoint. One hash lookup: anyone can make us ask. */
struct peer *peer_find_by_path(struct node *node, const struct path *from);
/* peer->path or peer->config_endpoint changed: look it up there now.
 * Housekeeping also catches up with any change not told. */
void peer_index_update(struct peer *peer);
/* The rendezvous node at ep (which may relay), or NULL. */
struct peer *peer_find_rendezvous(struct node *node, const struct endpoint *ep);
/* Is ep where one of our rendezvous nodes, which may relay, is? */
bool peer_is_relay(struct node *node, const struct endpoint *ep);
/* Do we dial first? The other side asks us to, and dials only when
 * that goes unanswered. */
bool peer_dials_first(const struct peer *peer);
/* Our DTLS role in the current session, or the one we would take. */
bool peer_is_client(const struct peer *peer);
void peer_want_session(struct peer *peer, bool urgent);
/* The peer asked for a session; the caller found it by a known path. */
void peer_session_requested(struct peer *peer);
/* Both sides dialled: true when s lost and must be dropped. */
bool peer_tie_break(struct peer *peer, struct session *s);
void peer_session_established(struct peer *peer, struct session *s,
			      const struct cert_identity *id);
void peer_session_gone(struct peer *peer, struct session *s);
void peer_housekeeping(struct peer *peer, ev_tstamp now);
void peer_send_session_request(struct peer *peer);
void peer_path_changed(struct peer *peer, const struct path *path);
void peer_session_promote(struct peer *peer, struct session *s);
/* Its subnets, and its claims to those others hold, are gone (revoked). */
void peer_forget_subnets(struct peer *peer);
/* Subnets were freed (a peer gone, a certificate re-issued): offer them
 * to the peers that were refused them. */
void peer_subnets_retry(struct node *node);

#endif /* _PODNET_PEER_H */
