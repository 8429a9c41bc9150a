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
#include "crypto_pool.h"
#include "genl.h"
#include "record.h"
#include "routing.h"
#include "wire.h"
#include "rvmsg.h"

#include "datapath.h"
#include "tun.h"

struct node;
struct peer;
struct punch;
struct control_client;

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
	WOLFSSL *ssl;		/* handshake only; freed once keys are ours */
	struct record_keys keys;	/* valid once established */
	const char *cipher;	/* static string from wolfSSL */
	enum session_state state;
	bool is_client;
	uint32_t local_index;
	uint32_t remote_index;
	struct path path;
	ev_timer retransmit_timer;
	ev_tstamp created;
	ev_tstamp established;
	ev_tstamp last_direct_rx;

	/* The one datagram wolfSSL may read next (custom I/O callback). */
	const uint8_t *rx_buf;
	size_t rx_len;

	bool capture_flight;
	size_t final_flight_count;
	uint8_t *final_flight[FINAL_FLIGHT_MAX];
	size_t final_flight_len[FINAL_FLIGHT_MAX];

	/* Set by the ClientHello-good callback on the listener. */
	bool promoted;
	/* Keys handed to podnet.ko: userspace never seals with them again. */
	bool in_kernel;
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
	struct path path;		/* where the session runs now */
	bool has_vaddr;
	struct in_addr vaddr;		/* from the peer's certificate */
	time_t cert_not_after;

	struct session *current;	/* established, used for sending */
	struct session *previous;	/* still accepted until it expires */
	struct session *handshake;	/* in progress */
	struct session *pending;	/* server side: established, used for
					 * sending once the client uses it */

	/* NAT traversal, this node's side (traversal.c) */
	bool is_rendezvous;		/* configured as a rendezvous node */
	bool registered;		/* ... and it acknowledged us */
	ev_tstamp last_register;
	uint16_t probe_port;		/* its second port for NAT probes */
	unsigned int probes_sent;
	ev_tstamp last_lookup;
	uint8_t punch_token[RV_TOKEN_LEN];
	bool has_token;
	/* RV_MAX_CANDIDATES entries, allocated when first introduced: most
	 * peers of a large network never need them. */
	struct endpoint *candidates;
	size_t n_candidates;
	uint8_t nat_type;		/* as the rendezvous reported it */
	struct path relay_path;		/* ep.len 0: no relay offered */
	struct punch *punch;		/* punching in progress */
	ev_tstamp next_punch_retry;
	char path_reason[64];		/* why the path is relayed */
	int own_fd;			/* socket won by birthday punching */
	ev_io own_watcher;

	/* NAT traversal, the rendezvous side (rendezvous.c) */
	bool rv_registered;
	uint8_t rv_nat_type;
	struct endpoint *rv_locals;	/* RV_MAX_CANDIDATES, on register */
	size_t rv_n_locals;
	double relay_tokens;		/* bytes this peer may still relay */
	ev_tstamp relay_last;
	uint64_t relay_bytes, relay_dropped;

	time_t latest_handshake;	/* wall clock, for `podnet show` */
	ev_tstamp last_rx, last_tx;
	ev_tstamp last_attempt;		/* handshake or session request */
	ev_tstamp created;
	unsigned int attempt_backoff;	/* seconds */
	struct peer_stats stats;

	/* The kernel data path's view of this peer (kernel.c) */
	uint32_t kernel_id;		/* 0: not yet known to the kernel */
	bool kernel_known;
	bool kernel_removing;
	bool kernel_sync_hold;
	bool kernel_key_limit;		/* the kernel asked for a rekey */
	uint32_t kernel_slot[2];	/* local index in primary, secondary */
	bool kernel_slot_pending[2];
	struct path kernel_path;
	uint32_t kernel_vaddr;
};

struct node_stats {
	uint64_t rx_malformed;		/* bad podnet header */
	uint64_t rx_unknown_session;	/* receiver index not ours */
	uint64_t rx_handshake_rejected;	/* failed authentication */
	uint64_t tx_no_route;		/* no peer holds the destination */
	uint64_t tx_bad_packet;		/* not IPv4 from the TUN */
	uint64_t rx_relay_refused;	/* relay datagrams we would not forward */
};

/* A relay channel at the rendezvous: datagrams that `from` sends with this
 * id go to `to`, wrapped with `reverse`, the id `to` answers with. */
struct relay_channel {
	uint32_t id;
	uint32_t reverse;
	struct peer *from, *to;
	struct relay_channel *next;
};

#define LOOKUP_CACHE 16

struct node {
	struct ev_loop *loop;
	struct config cfg;
	struct cert_identity identity;

	bool kernel_running;		/* podnet.ko carries the data */
	struct genl_conn kernel;	/* requests */
	struct genl_conn kernel_events;	/* notifications */
	ev_io kernel_watcher;
	uint32_t kernel_next_id;
	struct routing_table kernel_peers;	/* kernel id -> peer */
	bool heap_trim;			/* wolfSSL objects were freed */
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

	ev_io control_watcher;
	ev_timer housekeeping_timer;
	ev_signal sigterm_watcher, sigint_watcher, sighup_watcher;

	/* NAT traversal */
	uint8_t nat_type;		/* this node's, as measured */
	struct endpoint reflexive;	/* this node as the rendezvous sees it */
	int probe_fd;			/* rendezvous: second port, NAT probes */
	ev_io probe_watcher;
	struct routing_table relay_ids;	/* channel id -> relay_channel */
	struct relay_channel *relay_channels;
	struct {
		uint32_t addr;
		ev_tstamp when;
	} lookups[LOOKUP_CACHE];	/* recent lookups by address */
	struct control_client *pending_pings;
	/* Bumped whenever a punch socket is closed or changes owner, so a
	 * receive loop knows its watcher may be gone. */
	unsigned int socket_generation;

	/* Threads that seal and open the records of a batch. */
	struct crypto_pool crypto;
	bool crypto_running;

	struct node_stats stats;
	/* The userspace data path (datapath.h) */
	struct datapath dp;
};

/* dtls.c */
int dtls_contexts_create(struct node *node, char *err, size_t errlen);
/* The wolfSSL cipher list in effect: Ciphers, or the build's default. */
const char *dtls_cipher_list(const struct config *cfg);
/* "assembly" (make WOLFSSL=asm) or "portable" (Debian's wolfSSL) */
const char *dtls_crypto_code(void);
void dtls_contexts_free(struct node *node);

/* session.c */
struct session *session_lookup_index(struct node *node, uint32_t index);
int session_start_client(struct peer *peer);
void session_receive_handshake(struct node *node, const struct path *from,
			       uint32_t receiver_index, uint32_t sender_index,
			       const uint8_t *buf, size_t len);
int session_receive_data(struct session *s, const uint8_t *rec, size_t len,
			 uint8_t *out, size_t outlen);
int session_send_data(struct session *s, const uint8_t *pkt, size_t len);
void session_data_opened(struct session *s);
void session_destroy(struct session *s);
void session_listener_free(struct node *node);

/* peer.c */
struct peer *peer_create(struct node *node, const char *name);
void peer_destroy(struct peer *peer);
struct peer *peer_find_by_name(struct node *node, const char *name);
struct peer *peer_find_by_path(struct node *node, const struct path *from);
bool peer_is_client(const struct peer *peer);
void peer_want_session(struct peer *peer, bool urgent);
void peer_session_established(struct peer *peer, struct session *s,
			      const struct cert_identity *id);
void peer_session_gone(struct peer *peer, struct session *s);
void peer_housekeeping(struct peer *peer, ev_tstamp now);
void peer_send_session_request(struct peer *peer);
void peer_path_changed(struct peer *peer, const struct path *path);
void peer_session_promote(struct peer *peer, struct session *s);

/* traversal.c */
void traversal_session_up(struct peer *peer);
void traversal_message(struct peer *from, const struct rv_msg *m);
void traversal_punch(struct node *node, const struct path *from,
		     const uint8_t *token, uint8_t kind);
void traversal_probe_answer(struct node *node, const struct path *from,
			    int family, const uint8_t *addr, uint16_t port);
bool traversal_lookup_vaddr(struct node *node, struct in_addr vaddr);
void traversal_lookup_name(struct peer *peer);
void traversal_housekeeping(struct node *node, ev_tstamp now);
void traversal_peer_free(struct peer *peer);
bool peer_is_relay(struct node *node, const struct endpoint *ep);
int send_control_message(struct peer *peer, const struct rv_msg *m);

/* rendezvous.c */
int rendezvous_open(struct node *node, char *err, size_t errlen);
void rendezvous_close(struct node *node);
void rendezvous_message(struct peer *from, const struct rv_msg *m);
void rendezvous_relay(struct node *node, const struct path *from,
		      const struct wire_header *hdr);
void rendezvous_probe_answer(struct node *node, const struct path *from);
void rendezvous_peer_gone(struct peer *peer);

/* kernel.c */
bool kernel_available(void);
int kernel_open(struct node *node, char *err, size_t errlen);
void kernel_close(struct node *node);
void kernel_peer_sync(struct peer *peer);
void kernel_peer_remove(struct peer *peer);
int kernel_ctrl_send(struct peer *peer, const uint8_t *msg, size_t len);
void kernel_stats_sync(struct node *node);
void kernel_events_cb(struct ev_loop *loop, ev_io *w, int revents);

/* control.c */
int control_open(struct node *node, char *err, size_t errlen);
void control_close(struct node *node);
void control_ping_answered(struct node *node, struct peer *peer, uint64_t id);

#endif /* _PODNET_NODE_H */
