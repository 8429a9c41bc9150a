/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The daemon's data model: one node (this daemon), its peers, and the DTLS
 * sessions that carry traffic to them. Watchers are embedded in the structs
 * that own them; callbacks get back to their owner through w->data.
 */
#ifndef _PODNET_NODE_H
#define _PODNET_NODE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "addr.h"
#include "cert.h"
#include "config.h"
#include "routing.h"

struct node;
struct peer;

enum session_state {
	SESSION_LISTENER,	/* the stateless cookie responder */
	SESSION_HANDSHAKE,
	SESSION_ESTABLISHED,
};

/* Datagrams of the server's last flight, kept to work around wolfSSL never
 * retransmitting it (see doc/wire.md). */
#define FINAL_FLIGHT_MAX 4

struct session {
	struct node *node;
	struct session *next_all, **pprev_all;	/* node->all_sessions */
	struct peer *peer;	/* NULL until a server learns who it talks to */
	WOLFSSL *ssl;
	enum session_state state;
	bool is_client;
	uint32_t local_index;
	uint32_t remote_index;
	struct endpoint endpoint;
	ev_timer retransmit_timer;
	ev_tstamp created;
	ev_tstamp established;

	/* The one datagram wolfSSL may read next (custom I/O callback). */
	const uint8_t *rx_buf;
	size_t rx_len;

	bool capture_flight;
	size_t final_flight_count;
	uint8_t *final_flight[FINAL_FLIGHT_MAX];
	size_t final_flight_len[FINAL_FLIGHT_MAX];

	/* Set by the ClientHello-good callback on the listener. */
	bool promoted;
};

struct peer_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_packets, tx_packets;
	uint64_t drop_bad_source;	/* inner source not the cert's address */
	uint64_t drop_no_session;	/* outbound while no session is up */
	uint64_t drop_invalid;		/* failed authentication, replay, not IPv4 */
	uint64_t handshakes;		/* completed */
};

struct peer {
	struct node *node;
	struct peer *next;
	char name[CERT_NAME_MAX];
	bool configured;		/* from the config file, not learnt */
	struct endpoint config_endpoint;
	struct endpoint endpoint;	/* where the session runs now */
	bool has_vaddr;
	struct in_addr vaddr;		/* from the peer's certificate */
	time_t cert_not_after;

	struct session *current;	/* established, used for sending */
	struct session *previous;	/* still accepted until it expires */
	struct session *handshake;	/* in progress */

	time_t latest_handshake;	/* wall clock, for `podnet show` */
	ev_tstamp last_rx, last_tx;
	ev_tstamp last_attempt;		/* handshake or session request */
	unsigned int attempt_backoff;	/* seconds */
	struct peer_stats stats;
};

struct node_stats {
	uint64_t rx_malformed;		/* bad podnet header */
	uint64_t rx_unknown_session;	/* receiver index not ours */
	uint64_t rx_handshake_rejected;	/* failed authentication */
	uint64_t tx_no_route;		/* no peer holds the destination */
	uint64_t tx_bad_packet;		/* not IPv4 from the TUN */
};

struct node {
	struct ev_loop *loop;
	struct config cfg;
	struct cert_identity identity;

	int tun_fd;
	int ifindex;
	int udp_fd;
	int udp_family;
	int control_fd;

	WOLFSSL_CTX *client_ctx;
	WOLFSSL_CTX *server_ctx;
	uint8_t cookie_secret[32];
	struct session *listener;
	struct session *all_sessions;	/* every session with an index */

	struct peer *peers;
	struct routing_table routes;	/* vaddr -> peer */
	struct routing_table sessions;	/* local index -> session */

	ev_io tun_watcher;
	ev_io udp_watcher;
	ev_io control_watcher;
	ev_timer housekeeping_timer;
	ev_signal sigterm_watcher, sigint_watcher, sighup_watcher;

	struct node_stats stats;
	/* Token bucket for ICMP unreachables sent back into the TUN. */
	double icmp_tokens;
	ev_tstamp icmp_last;
};

/* tun.c */
int tun_open(const char *ifname, char *actual, size_t actual_len);

/* dtls.c */
int dtls_contexts_create(struct node *node, char *err, size_t errlen);
void dtls_contexts_free(struct node *node);

/* session.c */
struct session *session_lookup_index(struct node *node, uint32_t index);
int session_start_client(struct peer *peer);
void session_receive_handshake(struct node *node, const struct endpoint *from,
			       uint32_t receiver_index, uint32_t sender_index,
			       const uint8_t *buf, size_t len);
int session_receive_data(struct session *s, const uint8_t *rec, size_t len,
			 uint8_t *out, size_t outlen);
int session_send_data(struct session *s, const uint8_t *pkt, size_t len);
void session_destroy(struct session *s);
void session_listener_free(struct node *node);

/* peer.c */
struct peer *peer_create(struct node *node, const char *name);
void peer_destroy(struct peer *peer);
struct peer *peer_find_by_name(struct node *node, const char *name);
struct peer *peer_find_by_endpoint(struct node *node,
				   const struct endpoint *ep);
bool peer_is_client(const struct peer *peer);
void peer_want_session(struct peer *peer, bool urgent);
void peer_session_established(struct peer *peer, struct session *s,
			      const struct cert_identity *id);
void peer_session_gone(struct peer *peer, struct session *s);
void peer_housekeeping(struct peer *peer, ev_tstamp now);
void peer_send_session_request(struct peer *peer);

/* datapath.c */
void datapath_tun_cb(struct ev_loop *loop, ev_io *w, int revents);
void datapath_udp_cb(struct ev_loop *loop, ev_io *w, int revents);
int udp_send(struct node *node, const struct endpoint *ep,
	     const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	     size_t payload_len);

/* control.c */
int control_open(struct node *node, char *err, size_t errlen);
void control_close(struct node *node);

#endif /* _PODNET_NODE_H */
