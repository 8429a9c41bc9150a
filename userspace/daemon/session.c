// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * DTLS 1.2 sessions on the one UDP socket. wolfSSL never touches the socket:
 * its I/O callbacks read the one datagram the daemon hands it and send
 * through path_send() with the podnet header in front.
 *
 * Unknown senders only ever reach the listener, a single stateless server
 * object that answers ClientHellos with a cookie. Only a ClientHello that
 * returns a valid cookie (proof that the sender receives at its address)
 * gets a session index and memory.
 */
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/random.h>

#include "datapath.h"
#include "dtls.h"
#include "dtls_error.h"
#include "kernel.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "rvmsg.h"
#include "wire.h"

#define DTLS_CONTENT_CCS 20
#define DTLS_CONTENT_ALERT 21
#define DTLS_CONTENT_HANDSHAKE 22
#define DTLS_CONTENT_APPLICATION_DATA 23
#define DTLS_RECORD_HEADER_LEN 13
/* Give up a handshake after ~15 s (1+2+4+8) of retransmissions. */
#define DTLS_TIMEOUT_INIT 1
#define DTLS_TIMEOUT_MAX 8

static void retransmit_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void resend_final_flight(struct session *s);
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx);
static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx);

struct session *session_lookup_index(struct node *node, uint32_t index)
{
	struct in_addr key = { .s_addr = index };

	/* The index table reuses the exact-match u32 map of routing.c. */
	return routing_lookup(&node->sessions.by_index, key);
}

static int session_assign_index(struct session *s)
{
	struct node *node = s->node;
	WC_RNG rng;
	int ret = -EAGAIN;

	/* Random indices: a peer cannot guess other sessions' indices, and a
	 * restarted daemon does not reuse the indices of its last life. */
	if (wc_InitRng(&rng))
		return -EIO;
	for (int tries = 0; tries < 16; tries++) {
		uint32_t idx;
		struct in_addr key;

		if (wc_RNG_GenerateBlock(&rng, (uint8_t *)&idx, sizeof(idx)))
			break;
		key.s_addr = idx;
		if (!idx || routing_lookup(&node->sessions.by_index, key))
			continue;
		ret = routing_insert(&node->sessions.by_index, key, s);
		if (!ret)
			s->local_index = idx;
		break;
	}
	wc_FreeRng(&rng);
	return ret;
}

/*
 * Budgets of server handshakes in progress. Each holds a wolfSSL object of
 * tens of KB and costs a key exchange and a signature, and a cookie only
 * proves that the sender receives at its address: whoever can receive at
 * a range of addresses can start many. So no single pool strangers can
 * fill: a source that is a known peer's path or configured endpoint (a
 * rekey, a peer coming back) draws on a pool of its own, and strangers
 * share a bounded pool with limits per address and per network, a rate,
 * and a short life when they go silent.
 */
#define KNOWN_MAX 32		/* known peers' handshakes in progress */
#define KNOWN_PER_ADDR 4
#define STRANGER_MAX 64
#define STRANGER_PER_ADDR 8
#define STRANGER_PER_NET 16	/* per /24 (IPv4) or /64 (IPv6) */
#define STRANGER_RATE 50.0	/* new stranger handshakes per second */
/* A stranger's handshake dies after this long without a datagram from it
 * (checked at wolfSSL's retransmissions: 1, 3, 7 s); a known peer's gets
 * the full ~15 s. A real client whose flight is lost repeats it at 1, 3
 * and 7 s: two losses in a row must not kill its handshake (dial.sh). */
#define STRANGER_SILENT 6.0
/* Our final flight, again, for a client that repeats its last one: at
 * most this many times per session, not per datagram. */
#define FINAL_FLIGHT_RESENDS_MAX 4

struct budget_key {
	uint8_t family;
	uint8_t known;
	uint8_t addr[16];
};

/* (source, client's index) of a server handshake: node->sessions.pending */
struct pending_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
	uint32_t relay_channel;
	uint32_t sender_index;
};

static void budget_keys(const struct endpoint *ep, bool known,
			struct budget_key *addr, struct budget_key *net)
{
	memset(addr, 0, sizeof(*addr));
	addr->family = (uint8_t)ep->sa.sa_family;
	addr->known = known;
	if (ep->sa.sa_family == AF_INET)
		memcpy(addr->addr, &ep->in.sin_addr, 4);
	else if (ep->sa.sa_family == AF_INET6)
		memcpy(addr->addr, &ep->in6.sin6_addr, 16);
	*net = *addr;
	if (ep->sa.sa_family == AF_INET)
		net->addr[3] = 0;
	else
		memset(net->addr + 8, 0, 8);
}

static void pending_key(const struct path *p, uint32_t sender_index,
			struct pending_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)p->ep.sa.sa_family;
	if (p->ep.sa.sa_family == AF_INET) {
		k->port = p->ep.in.sin_port;
		memcpy(k->addr, &p->ep.in.sin_addr, 4);
	} else if (p->ep.sa.sa_family == AF_INET6) {
		k->port = p->ep.in6.sin6_port;
		memcpy(k->addr, &p->ep.in6.sin6_addr, 16);
	}
	k->relay_channel = p->relay_channel;
	k->sender_index = sender_index;
}

/* The maps exist while they hold something: nothing to free at exit. */
static int map_put(struct keymap *m, size_t key_len, const void *key,
		   void *value)
{
	if (!m->slots && keymap_init(m, key_len))
		return -ENOMEM;
	return keymap_put(m, key, value);
}

static void map_del(struct keymap *m, const void *key, const void *value)
{
	if (!m->slots)
		return;
	keymap_del(m, key, value);
	if (!m->count)
		keymap_free(m);
}

static uintptr_t count_get(const struct keymap *m, const void *key)
{
	return m->slots ? (uintptr_t)keymap_get(m, key) : 0;
}

static int count_add(struct keymap *m, const void *key, int delta)
{
	uintptr_t n = count_get(m, key) + (uintptr_t)(intptr_t)delta;

	if (!n) {
		map_del(m, key, NULL);
		return 0;
	}
	return map_put(m, sizeof(struct budget_key), key, (void *)n);
}

/* May the source of s, whose cookie came back, start a handshake? */
static bool budget_admit(struct session *s)
{
	struct node *node = s->node;
	struct node_sessions *ns = &node->sessions;
	struct peer *peer = peer_find_by_path(node, &s->path);
	bool known = peer != NULL;
	struct budget_key addr, net;
	uintptr_t n_addr, n_net;

	budget_keys(&s->path.ep, known, &addr, &net);
	n_addr = count_get(&ns->budget_addr, &addr);
	n_net = count_get(&ns->budget_net, &net);
	if (known) {
		if (ns->pending_known >= KNOWN_MAX || n_addr >= KNOWN_PER_ADDR)
			return false;
	} else {
		if (ns->pending_strangers >= STRANGER_MAX ||
		    n_addr >= STRANGER_PER_ADDR || n_net >= STRANGER_PER_NET ||
		    !token_bucket_take(&ns->stranger_rate, node_now(node),
				       STRANGER_RATE))
			return false;
	}
	if (count_add(&ns->budget_addr, &addr, 1))
		return false;
	if (count_add(&ns->budget_net, &net, 1)) {
		count_add(&ns->budget_addr, &addr, -1);
		return false;
	}
	if (known && map_put(&ns->dialled_by, sizeof(peer), &peer,
			     (void *)(count_get(&ns->dialled_by, &peer) + 1))) {
		count_add(&ns->budget_addr, &addr, -1);
		count_add(&ns->budget_net, &net, -1);
		return false;
	}
	if (known)
		ns->pending_known++;
	else
		ns->pending_strangers++;
	s->budget_peer = peer;
	s->budgeted = true;
	s->budget_known = known;
	s->budget_path = s->path;
	return true;
}

/* The handshake completed or died: its slot is free again. */
static void budget_release(struct session *s)
{
	struct node_sessions *ns = &s->node->sessions;
	struct budget_key addr, net;

	if (s->in_pending_map) {
		struct pending_key k;

		pending_key(&s->budget_path, s->remote_index, &k);
		map_del(&ns->pending, &k, s);
		s->in_pending_map = false;
	}
	if (!s->budgeted)
		return;
	budget_keys(&s->budget_path.ep, s->budget_known, &addr, &net);
	count_add(&ns->budget_addr, &addr, -1);
	count_add(&ns->budget_net, &net, -1);
	if (s->budget_peer) {
		uintptr_t n = count_get(&ns->dialled_by, &s->budget_peer);

		if (n > 1)
			map_put(&ns->dialled_by, sizeof(s->budget_peer),
				&s->budget_peer, (void *)(n - 1));
		else
			map_del(&ns->dialled_by, &s->budget_peer, NULL);
		s->budget_peer = NULL;
	}
	if (s->budget_known)
		ns->pending_known--;
	else
		ns->pending_strangers--;
	s->budgeted = false;
}

static void session_link(struct session *s)
{
	struct node *node = s->node;

	s->next_all = node->sessions.all;
	if (s->next_all)
		s->next_all->pprev_all = &s->next_all;
	s->pprev_all = &node->sessions.all;
	node->sessions.all = s;
}

static void session_unlink(struct session *s)
{
	if (!s->pprev_all)
		return;
	*s->pprev_all = s->next_all;
	if (s->next_all)
		s->next_all->pprev_all = s->pprev_all;
	s->pprev_all = NULL;
	s->next_all = NULL;
}

static void drop_final_flight(struct session *s)
{
	for (size_t i = 0; i < s->final_flight_count; i++)
		free(s->final_flight[i]);
	s->final_flight_count = 0;
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	if (s->local_index) {
		struct in_addr key = { .s_addr = s->local_index };

		routing_remove(&s->node->sessions.by_index, key, s);
	}
	budget_release(s);
	session_unlink(s);
	if (s->peer)
		peer_session_gone(s->peer, s);
	ev_timer_stop(s->node->loop, &s->retransmit_timer);
	drop_final_flight(s);
	wolfSSL_free(s->ssl);
	/* Records queued under these keys are sealed before they go. */
	udp_seal_pending(s->node);
	/* Old keys do not outlive their session. */
	record_keys_wipe(&s->keys);
	free(s);
}

static struct session *session_alloc(struct node *node, bool client)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->node = node;
	s->is_client = client;
	s->created = node_now(node);
	s->ssl = wolfSSL_new(client ? node->dtls.client_ctx :
				      node->dtls.server_ctx);
	if (!s->ssl) {
		free(s);
		return NULL;
	}
	/* Never the socket: the datagrams wolfSSL reads and writes go
	 * through this session. */
	wolfSSL_SSLSetIORecv(s->ssl, io_recv);
	wolfSSL_SSLSetIOSend(s->ssl, io_send);
	wolfSSL_SetIOReadCtx(s->ssl, s);
	wolfSSL_SetIOWriteCtx(s->ssl, s);
	wolfSSL_dtls_set_using_nonblock(s->ssl, 1);
	wolfSSL_dtls_set_timeout_init(s->ssl, DTLS_TIMEOUT_INIT);
	wolfSSL_dtls_set_timeout_max(s->ssl, DTLS_TIMEOUT_MAX);
	ev_init(&s->retransmit_timer, retransmit_cb);
	s->retransmit_timer.data = s;
	return s;
}

/* wolfSSL's recv callback: hand over the one pending datagram, if any. */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct session *s = ctx;
	size_t n;

	if (!s->rx_len)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = s->rx_len < (size_t)sz ? s->rx_len : (size_t)sz;
	memcpy(buf, s->rx_buf, n);
	s->rx_buf = NULL;
	s->rx_len = 0;
	return (int)n;
}

/* wolfSSL's send callback: one datagram per call, podnet header in front. */
static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct session *s = ctx;
	uint8_t hdr[WIRE_HANDSHAKE_HEADER_LEN];
	size_t hlen;
	enum wire_type type = WIRE_TYPE_HANDSHAKE;

	/* The stateless listener answers a sender it knows nothing of: no
	 * alert larger than the datagram that provoked it (fuzz_dispatch
	 * found one a byte larger than a truncated ClientHello). A whole
	 * ClientHello with no cipher in common still hears why. */
	if (s->state == SESSION_LISTENER && sz > 0 &&
	    (uint8_t)buf[0] == DTLS_CONTENT_ALERT &&
	    (size_t)sz > s->request_len)
		return sz;
	if (sz > 0 && (uint8_t)buf[0] == DTLS_CONTENT_APPLICATION_DATA)
		type = WIRE_TYPE_DATA;
	hlen = wire_put_header(hdr, type, s->remote_index, s->local_index);
	/* A server's flight is held until wolfSSL's call returns: if that
	 * call completed the handshake, the session may yet be dropped. */
	if (s->capture_flight && s->final_flight_count < FINAL_FLIGHT_MAX) {
		uint8_t *copy = malloc(hlen + (size_t)sz);

		if (copy) {
			memcpy(copy, hdr, hlen);
			memcpy(copy + hlen, buf, (size_t)sz);
			s->final_flight[s->final_flight_count] = copy;
			s->final_flight_len[s->final_flight_count++] =
				hlen + (size_t)sz;
			return sz;
		}
	}
	if (path_send(s->node, &s->path, hdr, hlen, (const uint8_t *)buf,
		      (size_t)sz) < 0) {
		/* A lost datagram is what DTLS retransmission is for; only
		 * a full socket buffer is worth telling wolfSSL about. */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
	}
	return sz;
}

static void arm_retransmit(struct session *s)
{
	int timeout = wolfSSL_dtls_get_current_timeout(s->ssl);

	if (timeout <= 0)
		timeout = DTLS_TIMEOUT_INIT;
	ev_timer_stop(s->node->loop, &s->retransmit_timer);
	ev_timer_set(&s->retransmit_timer, timeout, 0.);
	ev_timer_start(s->node->loop, &s->retransmit_timer);
}

static const char *session_desc(const struct session *s, char *buf,
				size_t len)
{
	char ep[ADDR_STR_MAX];

	snprintf(buf, len, "%s (%s)", s->peer ? s->peer->name : "unknown",
		 path_format(&s->path, ep, sizeof(ep)));
	return buf;
}

/*
 * A refused handshake is worth one warning per peer and minute, not one
 * per attempt: a node with a foreign certificate retries forever. A peer
 * is its address (without the port, which a NAT may change) or, for a
 * session we dialled, its configured name. Repeats within
 * REJECT_LOG_QUIET go to the debug log.
 */
#define REJECT_LOG_SLOTS 16
#define REJECT_LOG_QUIET 60.0

__attribute__((format(printf, 2, 3)))
static void log_reject(struct session *s, const char *fmt, ...)
{
	static struct {
		struct endpoint ep;
		const struct peer *peer;	/* only compared, never read */
		ev_tstamp when;
	} recent[REJECT_LOG_SLOTS];
	static unsigned int next;
	ev_tstamp now = node_now(s->node);
	enum log_level level = LOG_LEVEL_WARN;
	struct endpoint ep = s->path.ep;
	char msg[768];
	va_list ap;

	if (ep.sa.sa_family == AF_INET)
		ep.in.sin_port = 0;
	else
		ep.in6.sin6_port = 0;
	for (unsigned int i = 0; i < REJECT_LOG_SLOTS; i++) {
		if (recent[i].when && now - recent[i].when < REJECT_LOG_QUIET &&
		    (endpoint_equal(&recent[i].ep, &ep) ||
		     (s->peer && recent[i].peer == s->peer)))
			level = LOG_LEVEL_DEBUG;
	}
	if (level == LOG_LEVEL_WARN) {
		recent[next % REJECT_LOG_SLOTS].ep = ep;
		recent[next % REJECT_LOG_SLOTS].peer = s->peer;
		recent[next % REJECT_LOG_SLOTS].when = now;
		next++;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(level, "%s%s", msg, level == LOG_LEVEL_WARN ?
		" (further refusals from this peer within a minute are logged at debug level)" : "");
}

/* The failure in words at warn level, wolfSSL's numbers at debug level. */
static void handshake_failed(struct session *s, int err)
{
	struct dtls_failure f = { .error = err, .alert = -1 };
	WOLFSSL_ALERT_HISTORY h;
	char words[512], desc[128], ep[ADDR_STR_MAX], tmp[32];
	char who[CERT_NAME_MAX];
	const struct peer *known;
	const char *quote;

	if (wolfSSL_get_alert_history(s->ssl, &h) == WOLFSSL_SUCCESS &&
	    h.last_rx.level == alert_fatal)
		f.alert = h.last_rx.code;
	/* Our own verify callback said no: its reason is the cause. */
	if (dtls_refusal_take(s->ssl, &f) && f.refusal[0])
		f.error = VERIFY_CERT_ERROR;
	/* Who: the peer we dialled; else the configured peer at that
	 * address; else a stranger, named (quoted) by the certificate it
	 * presented: that name is its claim, nothing more. */
	known = s->peer ? s->peer : peer_find_by_path(s->node, &s->path);
	if (known)
		snprintf(who, sizeof(who), "%s", known->name);
	else if (f.have_cert)
		snprintf(who, sizeof(who), "%s", f.cert.name);
	else
		snprintf(who, sizeof(who), "the peer");
	quote = !known && f.have_cert ? "'" : "";
	snprintf(desc, sizeof(desc), "%s%s%s (%s)", quote,
		 known || f.have_cert ? who : "unknown", quote,
		 path_format(&s->path, ep, sizeof(ep)));
	log_debug("handshake with %s: wolfSSL error %d (%s), alert received: %s",
		  desc, err,
		  wolfSSL_ERR_reason_error_string((unsigned long)err),
		  f.alert < 0 ? "none" : dtls_alert_name(f.alert, tmp, sizeof(tmp)));
	log_reject(s, "handshake with %s failed: %s", desc,
		   dtls_failure_words(who, &f, time(NULL), words,
				      sizeof(words)));
}

/* The handshake finished: check who the peer is and hand it over. */
static void session_complete(struct session *s)
{
	struct node *node = s->node;
	struct cert_identity id;
	struct peer *peer;
	char err[256], desc[128];

	ev_timer_stop(node->loop, &s->retransmit_timer);
	if (cert_identity_from_ssl(s->ssl, &id, err, sizeof(err))) {
		log_reject(s, "handshake with %s: cannot read the peer certificate: %s",
			 session_desc(s, desc, sizeof(desc)), err);
		goto reject;
	}
	if (!id.has_vaddr && !id.has_vaddr6) {
		log_reject(s, "handshake with %s: certificate of '%s' has no virtual address",
			 session_desc(s, desc, sizeof(desc)), id.name);
		goto reject;
	}
	/* Revoked, a CA, or an address another peer holds (revoke.c). */
	if (revoke_check(node, &id, err, sizeof(err))) {
		log_reject(s, "handshake with %s: %s",
			   session_desc(s, desc, sizeof(desc)), err);
		goto reject;
	}
	if (!strcmp(id.name, node->identity.name) ||
	    (id.has_vaddr && node->cfg.has_address &&
	     id.vaddr.s_addr == node->cfg.address.s_addr) ||
	    (id.has_vaddr6 && node->cfg.has_address6 &&
	     !memcmp(&id.vaddr6, &node->cfg.address6, 16))) {
		log_reject(s, "handshake with %s: peer claims this node's own name or address",
			 session_desc(s, desc, sizeof(desc)));
		goto reject;
	}
	peer = s->peer;
	/* From here on the data path is ours: take the keys, then free the
	 * ~77 KB wolfSSL object (the peer certificate was read above). */
	s->cipher = wolfSSL_get_cipher_name(s->ssl);
	if (record_keys_from_ssl(s->ssl, &s->keys)) {
		log_reject(s, "handshake with %s: cipher %s cannot be carried",
			 session_desc(s, desc, sizeof(desc)), s->cipher);
		goto reject;
	}
	wolfSSL_free(s->ssl);
	s->ssl = NULL;
	node->heap_trim = true;
	if (peer && strcmp(peer->name, id.name)) {
		/* We dialled peer X and someone else answered. */
		log_reject(s, "handshake with %s refused: it presents name '%s' but is configured as '%s' (does [Peer] %s's Endpoint reach another node?)",
			   session_desc(s, desc, sizeof(desc)), id.name,
			   peer->name, peer->name);
		goto reject;
	}
	if (!peer) {
		peer = peer_find_by_name(node, id.name);
		if (!peer)
			peer = peer_create_learned(node, id.name);
		if (!peer)
			goto reject;
		if (peer_tie_break(peer, s)) {
			/* Its final flight never went out: the peer abandons
			 * this dial when ours reaches it. */
			session_destroy(s);
			return;
		}
		s->peer = peer;
	}
	budget_release(s);
	s->state = SESSION_ESTABLISHED;
	s->established = node_now(node);
	/* Kept: the held final flight goes out before anything under the
	 * new keys does. With podnet.ko, after the keys are in the module:
	 * the client sends what it held as soon as it has the flight, and
	 * a record the module cannot open yet would be lost. (A server
	 * there seals nothing under the new keys before it hears the
	 * client: they wait in the secondary slot, pending.) */
	if (!node->kernel.running)
		resend_final_flight(s);
	peer_session_established(peer, s, &id);
	if (node->kernel.running)
		resend_final_flight(s);
	log_info("session %08x with %s established (%s, %s)", s->local_index,
		 session_desc(s, desc, sizeof(desc)),
		 s->is_client ? "client" : "server", s->cipher);
	return;
reject:
	node->stats.rx_handshake_rejected++;
	session_destroy(s);
}

/*
 * Drive the handshake after a datagram arrived or a timer fired. Returns
 * false when the session was destroyed.
 */
static bool session_drive(struct session *s)
{
	int ret, err;

	if (!s->is_client)
		s->capture_flight = true;
	dtls_refusal_forget();
	ret = s->is_client ? wolfSSL_connect(s->ssl) : wolfSSL_accept(s->ssl);
	s->capture_flight = false;
	if (ret == WOLFSSL_SUCCESS) {
		/* Only the flight of the call that completed matters. */
		session_complete(s);
		return s->state == SESSION_ESTABLISHED;
	}
	/* Not the last flight: what wolfSSL wrote goes out now. */
	resend_final_flight(s);
	drop_final_flight(s);
	err = wolfSSL_get_error(s->ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
		arm_retransmit(s);
		return true;
	}
	handshake_failed(s, err);
	s->node->stats.rx_handshake_rejected++;
	session_destroy(s);
	return false;
}

static void retransmit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct session *s = w->data;
	char desc[128];

	if (s->state != SESSION_HANDSHAKE)
		return;
	if (s->budgeted && !s->budget_known &&
	    node_now(s->node) - s->last_handshake_rx >= STRANGER_SILENT) {
		log_debug_ratelimited("handshake with %s: silent, dropped",
				      session_desc(s, desc, sizeof(desc)));
		session_destroy(s);
		return;
	}
	if (wolfSSL_dtls_got_timeout(s->ssl) < 0) {
		struct peer *peer = s->is_client ? s->peer : NULL;

		log_info_ratelimited("handshake with %s timed out",
				     session_desc(s, desc, sizeof(desc)));
		session_destroy(s);
		/* Known by name, the peer may have moved. */
		if (peer)
			resolve_peer_silent(peer);
		return;
	}
	arm_retransmit(s);
}

int session_start_client(struct peer *peer)
{
	struct node *node = peer->node;
	struct session *s;
	int ret;

	/* A name not resolved yet: nowhere to send the hello. */
	if (!peer->path.ep.len && !peer->config_endpoint.len)
		return -EDESTADDRREQ;
	s = session_alloc(node, true);
	if (!s)
		return -ENOMEM;
	ret = session_assign_index(s);
	if (ret) {
		wolfSSL_free(s->ssl);
		free(s);
		return ret;
	}
	s->state = SESSION_HANDSHAKE;
	s->peer = peer;
	session_link(s);
	if (peer->path.ep.len) {
		s->path = peer->path;
	} else {
		s->path.ep = peer->config_endpoint;
		s->path.fd = node->udp_fd;
	}
	if (peer->handshake)
		session_destroy(peer->handshake);
	peer->handshake = s;
	session_drive(s);
	return 0;
}

bool session_dialled_by(const struct peer *peer)
{
	/* Counted when the handshake was let in as the known peer's. */
	return count_get(&peer->node->sessions.dialled_by, &peer) > 0;
}

static int listener_chgood_cb(WOLFSSL *ssl, void *ctx)
{
	struct session *s = ctx;

	if (!budget_admit(s)) {
		static ev_tstamp last_log;
		static unsigned long refused;
		ev_tstamp now = node_now(s->node);

		/* A storm of handshakes must not become a storm of logs. */
		s->node->stats.rx_handshake_refused++;
		refused++;
		if (now - last_log >= 1.0) {
			log_warn("handshake budget exhausted: refused %lu (%u from known peers, %u from strangers in progress)",
				 refused, s->node->sessions.pending_known,
				 s->node->sessions.pending_strangers);
			last_log = now;
			refused = 0;
		}
		return -1;
	}
	/* The cookie came back: the sender can receive at its address. From
	 * here on this object is a real session and needs an index. */
	if (session_assign_index(s)) {
		budget_release(s);
		return -1;
	}
	s->promoted = true;
	s->state = SESSION_HANDSHAKE;
	s->last_handshake_rx = node_now(s->node);
	return 0;
}

static struct session *listener_get(struct node *node)
{
	struct session *s = node->sessions.listener;

	if (s)
		return s;
	s = session_alloc(node, false);
	if (!s)
		return NULL;
	s->state = SESSION_LISTENER;
	wolfSSL_DTLS_SetCookieSecret(s->ssl, node->dtls.cookie_secret,
				     sizeof(node->dtls.cookie_secret));
	wolfDTLS_SetChGoodCb(s->ssl, listener_chgood_cb, s);
	node->sessions.listener = s;
	return s;
}

void session_listener_free(struct node *node)
{
	if (node->sessions.listener) {
		wolfSSL_free(node->sessions.listener->ssl);
		free(node->sessions.listener);
		node->sessions.listener = NULL;
	}
}

/* Server sessions whose client has not yet learnt our index still send
 * with receiver index 0: find them by address and the client's index. */
static struct session *find_pending_server(struct node *node,
					   const struct path *from,
					   uint32_t sender_index)
{
	struct pending_key k;
	struct session *s;

	if (!node->sessions.pending.slots)
		return NULL;
	pending_key(from, sender_index, &k);
	s = keymap_get(&node->sessions.pending, &k);
	if (s && s->state == SESSION_HANDSHAKE && !s->is_client &&
	    path_equal(&s->path, from))
		return s;
	return NULL;
}

static uint16_t record_epoch(const uint8_t *rec, size_t len)
{
	if (len < DTLS_RECORD_HEADER_LEN)
		return 0xffff;
	return (uint16_t)(rec[3] << 8 | rec[4]);
}

static void resend_final_flight(struct session *s)
{
	for (size_t i = 0; i < s->final_flight_count; i++)
		path_send(s->node, &s->path, s->final_flight[i],
			 s->final_flight_len[i], NULL, 0);
}

static void feed(struct session *s, const uint8_t *buf, size_t len)
{
	s->rx_buf = buf;
	s->rx_len = len;
}

/* Returns the plaintext length, or 0 when the record yielded nothing
 * (replay, failed authentication, malformed, no keys yet). */
int session_receive_data(struct session *s, const uint8_t *rec, size_t len,
			 uint8_t *out, size_t outlen)
{
	int n;

	if (s->state != SESSION_ESTABLISHED)
		return 0;
	n = record_open(&s->keys, rec, len, out, outlen);
	if (n <= 0)
		return 0;
	/* The client got our final flight: the copy is not needed. */
	if (s->final_flight_count)
		drop_final_flight(s);
	return n;
}

void session_data_opened(struct session *s)
{
	/* The client got our final flight: the copy is not needed. */
	if (s->final_flight_count)
		drop_final_flight(s);
}

int session_send_data(struct session *s, const uint8_t *pkt, size_t len)
{
	uint8_t *buf = s->node->dp.sealed;
	int n;

	if (s->state != SESSION_ESTABLISHED)
		return -1;
	/* The kernel owns these keys' sequence numbers now. */
	if (s->in_kernel)
		return s->peer && s->peer->current == s ?
		       kernel_ctrl_send(s->peer, pkt, len) : -1;
	n = record_seal(&s->keys, pkt, len, buf + WIRE_HEADER_LEN,
			DATAPATH_SEALED_MAX - WIRE_HEADER_LEN);
	if (n < 0)
		return -1;
	wire_put_header(buf, WIRE_TYPE_DATA, s->remote_index, 0);
	return path_send(s->node, &s->path, buf, WIRE_HEADER_LEN + (size_t)n,
			 NULL, 0);
}

int session_send_control(struct session *s, const struct rv_msg *m)
{
	uint8_t buf[512];
	size_t len = rv_build(m, buf, sizeof(buf));

	if (!len || !s)
		return -1;
	return session_send_data(s, buf, len);
}

void session_receive_handshake(struct node *node, const struct path *from,
			       uint32_t receiver_index, uint32_t sender_index,
			       const uint8_t *buf, size_t len)
{
	struct session *s;
	int ret, err;

	if (receiver_index) {
		s = session_lookup_index(node, receiver_index);
		if (!s) {
			node->stats.rx_unknown_session++;
			return;
		}
	} else {
		s = find_pending_server(node, from, sender_index);
	}

	if (s) {
		/* A handshake is bound to where it runs: datagrams naming
		 * its index from anywhere else are not its peer's (nothing
		 * in them is authenticated yet). A server whose address we
		 * dialled may answer from another of its addresses (no
		 * IP_PKTINFO there): a client takes the first answer naming
		 * its index, which only one on the path can read, from
		 * anywhere, and then only that answer's source. */
		if (!path_equal(&s->path, from)) {
			if (!s->is_client || (s->remote_index &&
			    !path_equal(&s->answer_path, from))) {
				node->stats.rx_handshake_wrong_source++;
				return;
			}
		}
		/* The first reply of a server tells the client its index. */
		if (!s->remote_index) {
			s->remote_index = sender_index;
			s->answer_path = *from;
		}
		if (s->state == SESSION_ESTABLISHED) {
			/* The client repeats its last flight: our final
			 * flight was lost and wolfSSL will not resend it.
			 * Anything else (a repeated Finished, an alert) has
			 * nobody left to read it: the keys are ours now. */
			if (!s->is_client && record_epoch(buf, len) == 0 &&
			    s->final_flight_resends < FINAL_FLIGHT_RESENDS_MAX) {
				s->final_flight_resends++;
				resend_final_flight(s);
			}
			return;
		}
		s->last_handshake_rx = node_now(node);
		feed(s, buf, len);
		session_drive(s);
		return;
	}

	/* Unknown sender: only the stateless listener may answer. */
	if (len < DTLS_RECORD_HEADER_LEN || buf[0] != DTLS_CONTENT_HANDSHAKE ||
	    record_epoch(buf, len) != 0) {
		node->stats.rx_malformed++;
		return;
	}
	s = listener_get(node);
	if (!s)
		return;
	s->path = *from;
	s->remote_index = sender_index;
	wolfSSL_dtls_set_peer(s->ssl, (void *)&from->ep.sa, from->ep.len);
	s->request_len = len;
	feed(s, buf, len);
	ret = wolfSSL_accept(s->ssl);
	s->rx_len = 0;
	if (s->promoted) {
		/* The cookie was good: the object became a session inside
		 * accept and has sent its first flight with its new index. */
		node->sessions.listener = NULL;
		session_link(s);
		{
			struct pending_key k;

			pending_key(&s->path, s->remote_index, &k);
			if (!map_put(&node->sessions.pending, sizeof(k), &k, s))
				s->in_pending_map = true;
		}
		if (ret == WOLFSSL_SUCCESS)
			session_complete(s);
		else
			arm_retransmit(s);
		return;
	}
	err = wolfSSL_get_error(s->ssl, ret);
	/* A cookie-less ClientHello resets the listener by itself; anything
	 * else leaves it in a state we do not trust, so start afresh. */
	if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE)
		session_listener_free(node);
}
