/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One node: this daemon, its sockets, and the tables that find its peers
 * (peer.h) and sessions (session.h). Each module keeps its own part of the
 * node in a struct of its header. Watchers are embedded in the structs
 * that own them; callbacks get back to their owner through w->data.
 */
#ifndef _PODNET_NODE_H
#define _PODNET_NODE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "candidate.h"
#include "cert.h"
#include "clock.h"
#include "config.h"
#include "control.h"
#include "link.h"
#include "crypto_pool.h"
#include "datapath.h"
#include "dns.h"
#include "dtls.h"
#include "kernel.h"
#include "keymap.h"
#include "publish.h"
#include "queue.h"
#include "rendezvous.h"
#include "resolve.h"
#include "revoke.h"
#include "routing.h"
#include "routing6.h"
#include "session.h"
#include "traversal.h"
#include "transport.h"

struct peer;

struct node_stats {
	uint64_t rx_malformed;		/* bad podnet header */
	uint64_t rx_unknown_session;	/* receiver index not ours */
	uint64_t rx_handshake_rejected;	/* failed authentication */
	uint64_t tx_no_route;		/* no peer holds the destination */
	uint64_t tx_bad_packet;		/* not IPv4/IPv6 from the TUN */
	uint64_t tx_tso_super;		/* TSO super-packets split (tso.c) */
	uint64_t tx_gso_sends;		/* UDP GSO sends of several datagrams */
	uint64_t rx_acks_superseded;	/* pure ACKs a later one made redundant */
	uint64_t tx_link_local;		/* IPv6 multicast/link-local: not carried */
	uint64_t rx_relay_refused;	/* relay datagrams we would not forward */
	uint64_t tx_handshake_asks;	/* "dial me again" for a lost session */
	uint64_t rx_punch_refused;	/* punch from none of the peer's hosts */
	uint64_t rx_probe_refused;	/* NAT probe answer without our nonce */
	uint64_t rx_hints_refuted;	/* "session lost" hints its pong refuted */
	uint64_t rv_candidates_refused;	/* rendezvous: registered candidates
					 * that cannot be a host (candidate.c) */
	uint64_t rv_lookups_held;	/* rendezvous, just started: lookups
					 * kept until the target registers */
	uint64_t rv_restart_notices;	/* rendezvous, at start: nodes of
					 * the last life told (rv_state.c) */
	uint64_t rv_restart_notices_failed; /* ... that could not be sent */
	uint64_t candidates_refused;	/* LAN candidates we would not probe */
	uint64_t learned_peers_evicted;	/* made room for a new one (peer.c) */
	uint64_t learned_peers_refused;	/* no room: all have sessions */
	uint64_t learned_peers_expired;	/* idle for LearnedPeerIdle */
	uint64_t rx_handshake_refused;	/* over a handshake budget (session.c) */
	uint64_t rx_handshake_wrong_source; /* for a handshake bound elsewhere */
};

struct node {
	struct ev_loop *loop;
	struct node_clock clock;	/* clock.c: node_now() */
	struct config cfg;
	struct cert_identity identity;

	struct node_kernel kernel;	/* kernel.c */
	bool heap_trim;			/* wolfSSL objects were freed */
	bool subnet_freed;		/* peer_subnets_retry() has work */
	int ifindex;
	struct node_link link;		/* link.c */
	int udp_fd;
	int udp_family;

	struct node_dtls dtls;		/* dtls.c */
	struct node_sessions sessions;	/* session.c */

	struct peer *peers;
	size_t n_peers;			/* on the list */
	size_t n_peers_no_vaddr;	/* of them without has_vaddr */
	struct keymap peers_by_name;	/* peer.c: name -> peer (namemap.h) */
	struct keymap peers_by_path;	/* peer.c: path -> peer */
	struct keymap peers_by_config;	/* peer.c: configured endpoint -> peer */
	struct routing_table routes;	/* vaddr -> peer */
	struct routing6_table routes6;	/* vaddr6 -> peer */

	ev_timer housekeeping_timer;
	ev_signal sigterm_watcher, sigint_watcher, sighup_watcher;

	struct node_control control;	/* control.c */
	struct node_nat nat;		/* traversal.c */
	struct node_rv rv;		/* rendezvous.c */
	struct node_queue queue;	/* queue.c */
	struct node_revoke revoke;	/* revoke.c */
	struct node_candidates cand;	/* candidate.c */
	struct node_dns dns;		/* dns.c */
	struct node_transport transport;	/* transport.c */
	struct node_resolve resolve;	/* resolve.c */
	struct node_publish publish;	/* publish.c: [Publish] entries */
	/* Bumped whenever a punch socket is closed or changes owner:
	 * podnet.ko's copy of a path on such a socket is then stale, as
	 * its fd number may come back as another socket (kernel.c). */
	unsigned int socket_generation;
	/* The socket udp_read_cb is draining (-1: none), and whether it was
	 * closed meanwhile: then the rest of its batch must not be used,
	 * as its fd number may already name another socket. */
	int rx_fd;
	bool rx_fd_closed;

	/* Threads that seal and open the records of a batch. */
	struct crypto_pool crypto;
	bool crypto_running;

	struct node_stats stats;
	int exit_status;		/* main()'s, once the loop stops */
	/* The userspace data path (datapath.h) */
	struct datapath dp;
};

#endif /* _PODNET_NODE_H */
