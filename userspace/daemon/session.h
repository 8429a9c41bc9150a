/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * DTLS 1.2 sessions (session.c): the handshake through wolfSSL, then the
 * keys taken out of it, which carry the peer's traffic.
 */
#ifndef _PODNET_SESSION_H
#define _PODNET_SESSION_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "datapath.h"
#include "keymap.h"
#include "record.h"
#include "routing.h"
#include "token_bucket.h"

struct node;
struct peer;
struct rv_msg;

enum session_state {
	SESSION_LISTENER,	/* the stateless cookie responder */
	SESSION_HANDSHAKE,
	SESSION_ESTABLISHED,
};

/* Datagrams of the server's last flight, held back until we know the
 * session is kept (a tie-break may drop it), then kept to work around
 * wolfSSL never retransmitting it (see doc/wire.md). */
#define FINAL_FLIGHT_MAX 8

struct session {
	struct node *node;
	struct session *next_all, **pprev_all;	/* node->sessions.all */
	struct peer *peer;	/* NULL until a server learns who it talks to */
	WOLFSSL *ssl;		/* handshake only; freed once keys are ours */
	struct record_keys keys;	/* valid once established */
	const char *cipher;	/* static string from wolfSSL */
	enum session_state state;
	bool is_client;		/* our DTLS role in this session */
	uint32_t local_index;
	uint32_t remote_index;
	struct path path;
	/* A client's handshake: where its server first answered from (a
	 * multi-homed server may answer from another address). */
	struct path answer_path;
	ev_timer retransmit_timer;
	ev_tstamp created;
	ev_tstamp established;
	ev_tstamp last_direct_rx;

	/* The one datagram wolfSSL may read next (custom I/O callback). */
	const uint8_t *rx_buf;
	size_t rx_len;
	/* The listener: the DTLS bytes of the datagram it answers now. */
	size_t request_len;

	bool capture_flight;
	size_t final_flight_count;
	uint8_t *final_flight[FINAL_FLIGHT_MAX];
	size_t final_flight_len[FINAL_FLIGHT_MAX];

	/* Set by the ClientHello-good callback on the listener. */
	bool promoted;
	/* Keys handed to podnet.ko: userspace never seals with them again. */
	bool in_kernel;

	/* A server handshake holds a slot of a budget (session.c) until it
	 * completes or dies: the known peers' pool or the strangers'. */
	bool budgeted;
	bool budget_known;
	bool in_pending_map;	/* node->sessions.pending */
	struct path budget_path;	/* where it came from, for the release */
	struct peer *budget_peer;	/* the known peer at that path, if any */
	ev_tstamp last_handshake_rx;
	unsigned int final_flight_resends;
};

/* The node's part (node->sessions). */
struct node_sessions {
	struct session *listener;	/* the stateless cookie responder */
	struct session *all;		/* every session with an index */
	struct routing_table by_index;	/* local index -> session */

	/* Server handshakes whose client does not know our index yet:
	 * (client's address, client's index) -> session. */
	struct keymap pending;
	/* Server handshakes in progress per source address and per source
	 * network (/24, /64), known peers and strangers counted apart. */
	struct keymap budget_addr;
	struct keymap budget_net;
	/* Known peer -> its server handshakes in progress (a key only: the
	 * peer may be gone before the handshake, never dereferenced). */
	struct keymap dialled_by;
	unsigned int pending_known;
	unsigned int pending_strangers;
	struct token_bucket stranger_rate;
};

struct session *session_lookup_index(struct node *node, uint32_t index);
int session_start_client(struct peer *peer);
/* Is a handshake from the peer's known address under way, with us as its
 * server? Who dialled shows only at its end; the address is the hint. */
bool session_dialled_by(const struct peer *peer);
void session_receive_handshake(struct node *node, const struct path *from,
			       uint32_t receiver_index, uint32_t sender_index,
			       const uint8_t *buf, size_t len);
int session_receive_data(struct session *s, const uint8_t *rec, size_t len,
			 uint8_t *out, size_t outlen);
int session_send_data(struct session *s, const uint8_t *pkt, size_t len);
/* A control message (rvmsg.h) as one record; s may be NULL (no session:
 * nothing is sent). Returns 0 once it is on its way. */
int session_send_control(struct session *s, const struct rv_msg *m);
void session_data_opened(struct session *s);
void session_destroy(struct session *s);
void session_listener_free(struct node *node);

#endif /* _PODNET_SESSION_H */
