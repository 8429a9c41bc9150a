// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Endpoint host names, resolved without blocking the event loop.
 *
 * Why c-ares and not getaddrinfo_a(): c-ares hands us its sockets and
 * its next timeout, which libev watches like any other (an ev_io per
 * socket, one ev_timer), so a lookup is ordinary event-loop work with no
 * thread, no signal and no locking; it gives the answer's TTL, which
 * getaddrinfo does not; and a lookup is cancelled by freeing our end of
 * it. glibc's getaddrinfo_a runs each lookup in a thread of its own and
 * reports through a signal or yet another thread.
 *
 * A name is resolved again:
 *  - when its answer expires: the smallest TTL, kept within
 *    RESOLVE_TTL_MIN and RESOLVE_TTL_MAX (RESOLVE_TTL_DEFAULT without one);
 *  - when the peer stops answering (its session died, dials go
 *    unanswered, the liveness ping was lost), at most every
 *    RESOLVE_SILENT_MIN: the peer may have moved, and if the name still
 *    gives the same addresses, the next one of them is tried;
 *  - on SIGHUP, with resolv.conf read again.
 * A changed answer moves the peer's configured endpoint; a peer that was
 * silent (or had no session) gets a new handshake to the new address at
 * once. A live session stays on its path, which already follows the
 * peer's authenticated records. A failure is logged at most once a minute
 * per peer; the last address, if any, stays in use while it retries with
 * a backoff.
 */
#include "resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <time.h>

#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"

#define RESOLVE_TTL_MIN 30		/* s */
#define RESOLVE_TTL_MAX 600		/* s */
#define RESOLVE_TTL_DEFAULT 300		/* s, an answer without a TTL */
#define RESOLVE_SILENT_MIN 2.0		/* s between "the peer is silent" */
#define RESOLVE_BACKOFF_MIN 2		/* s after the first failure */
#define RESOLVE_BACKOFF_MAX 30		/* s */
#define RESOLVE_LOG_INTERVAL 60.0	/* s between failure messages */
/* c-ares: per try, and tries per server */
#define RESOLVE_TIMEOUT_MS 1500
#define RESOLVE_TRIES 2

/* One lookup in flight. The peer may go before the answer comes: it
 * then only clears q->peer, and the callback frees q. */
struct resolve_query {
	struct peer *peer;
};

struct resolve_socket {
	struct resolve_socket *next;
	struct node *node;
	ev_io io;
};

const char *resolve_state_name(enum resolve_state state)
{
	switch (state) {
	case RESOLVE_RESOLVING:
		return "resolving";
	case RESOLVE_RESOLVED:
		return "resolved";
	case RESOLVE_FAILED:
		return "failed";
	default:
		return "none";
	}
}

static void update_timer(struct node *node)
{
	struct node_resolve *nr = &node->resolve;
	struct timeval tv, *t;

	ev_timer_stop(node->loop, &nr->timer);
	if (!nr->ready)
		return;
	t = ares_timeout(nr->channel, NULL, &tv);
	if (!t)
		return;
	ev_timer_set(&nr->timer, t->tv_sec + t->tv_usec / 1e6, 0.);
	ev_timer_start(node->loop, &nr->timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct node *node = w->data;

	ares_process_fd(node->resolve.channel, ARES_SOCKET_BAD,
			ARES_SOCKET_BAD);
	update_timer(node);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct resolve_socket *rs = w->data;
	struct node *node = rs->node;

	/* May close this very socket (sock_state_cb frees rs). */
	ares_process_fd(node->resolve.channel,
			revents & EV_READ ? w->fd : ARES_SOCKET_BAD,
			revents & EV_WRITE ? w->fd : ARES_SOCKET_BAD);
	update_timer(node);
}

/* c-ares opens, changes and closes its sockets through this. */
static void sock_state_cb(void *data, ares_socket_t fd, int readable,
			  int writable)
{
	struct node *node = data;
	struct resolve_socket **pp, *rs = NULL;
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	for (pp = &node->resolve.sockets; *pp; pp = &(*pp)->next) {
		if ((*pp)->io.fd == fd) {
			rs = *pp;
			break;
		}
	}
	if (!events) {
		if (rs) {
			ev_io_stop(node->loop, &rs->io);
			*pp = rs->next;
			free(rs);
		}
		return;
	}
	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (!rs) {
			log_err("resolver: out of memory");
			return;
		}
		rs->node = node;
		rs->next = node->resolve.sockets;
		node->resolve.sockets = rs;
		ev_init(&rs->io, io_cb);
		rs->io.data = rs;
	}
	ev_io_stop(node->loop, &rs->io);
	ev_io_set(&rs->io, fd, events);
	ev_io_start(node->loop, &rs->io);
}

static int channel_open(struct node *node, char *err, size_t errlen)
{
	struct node_resolve *nr = &node->resolve;
	struct ares_options opts = {
		.sock_state_cb = sock_state_cb,
		.sock_state_cb_data = node,
		.timeout = RESOLVE_TIMEOUT_MS,
		.tries = RESOLVE_TRIES,
	};
	int ret;

	ret = ares_init_options(&nr->channel, &opts,
				ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS |
				ARES_OPT_TRIES);
	if (ret != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s",
			 ares_strerror(ret));
		return -1;
	}
	nr->ready = true;
	return 0;
}

/* Its lookups end with ARES_EDESTRUCTION: their peers resolve again. */
static void channel_close(struct node *node)
{
	struct node_resolve *nr = &node->resolve;

	if (!nr->ready)
		return;
	nr->ready = false;
	ares_destroy(nr->channel);
	ev_timer_stop(node->loop, &nr->timer);
	while (nr->sockets) {
		struct resolve_socket *rs = nr->sockets;

		nr->sockets = rs->next;
		ev_io_stop(node->loop, &rs->io);
		free(rs);
	}
}

int resolve_init(struct node *node, char *err, size_t errlen)
{
	int ret = ares_library_init(ARES_LIB_INIT_ALL);

	if (ret != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s",
			 ares_strerror(ret));
		return -1;
	}
	ev_init(&node->resolve.timer, timer_cb);
	node->resolve.timer.data = node;
	return channel_open(node, err, errlen);
}

void resolve_close(struct node *node)
{
	if (!node->resolve.ready)
		return;
	channel_close(node);
	ares_library_cleanup();
}

/* The peer's name is forgotten: so is its lookup in flight. */
static void forget(struct peer *peer)
{
	struct peer_resolve *r = peer->resolve;

	if (!r)
		return;
	if (r->query)
		r->query->peer = NULL;
	free(r);
	peer->resolve = NULL;
}

static void answer_cb(void *arg, int status, int timeouts,
		      struct ares_addrinfo *res);

static void start(struct peer *peer)
{
	struct node *node = peer->node;
	struct peer_resolve *r = peer->resolve;
	struct ares_addrinfo_hints hints = {
		/* Both A and AAAA where the socket carries IPv6. */
		.ai_family = node->udp_family == AF_INET6 ? AF_UNSPEC : AF_INET,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
	};
	struct resolve_query *q;

	if (!r || r->query || !node->resolve.ready)
		return;
	q = calloc(1, sizeof(*q));
	if (!q)
		return;
	q->peer = peer;
	r->query = q;
	r->last_start = node_now(node);
	log_debug("peer %s: resolving %s", peer->name, r->host);
	/* The answer may come at once (a hosts file, a refused name). */
	ares_getaddrinfo(node->resolve.channel, r->host, NULL, &hints,
			 answer_cb, q);
	update_timer(node);
}

static void failed(struct peer *peer, int status)
{
	struct peer_resolve *r = peer->resolve;
	ev_tstamp now = node_now(peer->node);
	char ep[ADDR_STR_MAX];

	/* The channel went (SIGHUP, exit): resolve on the next tick. */
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		r->next = 0;
		return;
	}
	r->state = RESOLVE_FAILED;
	snprintf(r->error, sizeof(r->error), "%s", ares_strerror(status));
	r->backoff = r->backoff ? r->backoff * 2 : RESOLVE_BACKOFF_MIN;
	if (r->backoff > RESOLVE_BACKOFF_MAX)
		r->backoff = RESOLVE_BACKOFF_MAX;
	r->next = now + r->backoff;
	if (now - r->last_log < RESOLVE_LOG_INTERVAL)
		return;
	r->last_log = now;
	if (peer->config_endpoint.len)
		log_warn("peer %s: cannot resolve %s: %s; still using %s, retrying in %u s",
			 peer->name, r->host, r->error,
			 endpoint_format(&peer->config_endpoint, ep, sizeof(ep)),
			 r->backoff);
	else
		log_warn("peer %s: cannot resolve %s: %s; retrying in %u s",
			 peer->name, r->host, r->error, r->backoff);
}

/* The peer's configured endpoint moves to ep. */
static void move_to(struct peer *peer, const struct endpoint *ep,
		    bool restart)
{
	struct peer_resolve *r = peer->resolve;
	char now_s[ADDR_STR_MAX], was[ADDR_STR_MAX];

	if (peer->config_endpoint.len)
		log_info("peer %s: %s now resolves to %s (was %s)%s",
			 peer->name, r->host,
			 endpoint_format(ep, now_s, sizeof(now_s)),
			 endpoint_format(&peer->config_endpoint, was,
					 sizeof(was)),
			 restart ? ", a new handshake there" : "");
	else
		log_info("peer %s: %s resolved to %s", peer->name, r->host,
			 endpoint_format(ep, now_s, sizeof(now_s)));
	peer->config_endpoint = *ep;
	if (restart) {
		/* What was dialled or heard at the old address is of no
		 * use: start over at the new one, as a changed Endpoint in
		 * the file does (node_apply_peers). */
		session_destroy(peer->current);
		session_destroy(peer->previous);
		session_destroy(peer->handshake);
		session_destroy(peer->pending);
		memset(&peer->path, 0, sizeof(peer->path));
		peer->last_attempt = -1e9;
		peer->attempt_backoff = 1;
	}
	peer_index_update(peer);
	peer_want_session(peer, false);
}

unsigned int resolve_refresh_after(int ttl)
{
	if (ttl < 0)
		return RESOLVE_TTL_DEFAULT;
	if (ttl < RESOLVE_TTL_MIN)
		return RESOLVE_TTL_MIN;
	return ttl > RESOLVE_TTL_MAX ? RESOLVE_TTL_MAX : (unsigned int)ttl;
}

/* The smallest TTL of the answer, -1 without one. */
static int answer_ttl(const struct ares_addrinfo *res)
{
	int ttl = -1;

	for (const struct ares_addrinfo_node *n = res->nodes; n;
	     n = n->ai_next)
		if (n->ai_ttl >= 0 && (ttl < 0 || n->ai_ttl < ttl))
			ttl = n->ai_ttl;
	return ttl;
}

static bool listed(const struct endpoint *list, unsigned int n,
		   const struct endpoint *ep)
{
	for (unsigned int i = 0; i < n; i++)
		if (endpoint_equal(&list[i], ep))
			return true;
	return false;
}

static void answered(struct peer *peer, const struct ares_addrinfo *res)
{
	struct peer_resolve *r = peer->resolve;
	ev_tstamp now = node_now(peer->node);
	bool silent = r->silent, was_failed = r->state == RESOLVE_FAILED;
	unsigned int n = 0, pick = 0;
	bool have_current = false;

	for (const struct ares_addrinfo_node *a = res->nodes;
	     a && n < RESOLVE_ADDRS_MAX; a = a->ai_next) {
		struct endpoint *ep = &r->addrs[n];

		if (a->ai_family == AF_INET &&
		    a->ai_addrlen >= sizeof(struct sockaddr_in)) {
			endpoint_from_sockaddr(ep, a->ai_addr,
					       sizeof(struct sockaddr_in));
			ep->in.sin_port = htons(r->port);
		} else if (a->ai_family == AF_INET6 &&
			   a->ai_addrlen >= sizeof(struct sockaddr_in6)) {
			endpoint_from_sockaddr(ep, a->ai_addr,
					       sizeof(struct sockaddr_in6));
			ep->in6.sin6_port = htons(r->port);
		} else {
			continue;
		}
		/* Duplicates (one per socket type) count once. */
		if (listed(r->addrs, n, ep))
			continue;
		if (endpoint_equal(ep, &peer->config_endpoint)) {
			have_current = true;
			pick = n;
		}
		n++;
	}
	r->n_addrs = n;
	r->silent = false;
	if (!n) {
		failed(peer, ARES_ENODATA);
		return;
	}
	r->state = RESOLVE_RESOLVED;
	r->error[0] = '\0';
	r->backoff = 0;
	r->next = now + resolve_refresh_after(answer_ttl(res));
	if (was_failed)
		log_info("peer %s: %s resolves again", peer->name, r->host);
	/* The address in use is still among the answers: keep it (round-
	 * robin DNS must not move a working peer), unless it went silent
	 * and there is another to try. */
	if (have_current && silent && n > 1)
		pick = (pick + 1) % n;
	else if (have_current)
		return;
	move_to(peer, &r->addrs[pick], silent || !peer->current);
}

static void answer_cb(void *arg, int status, int timeouts,
		      struct ares_addrinfo *res)
{
	struct resolve_query *q = arg;
	struct peer *peer = q->peer;

	free(q);
	if (peer) {
		peer->resolve->query = NULL;
		if (status == ARES_SUCCESS && res)
			answered(peer, res);
		else
			failed(peer, status == ARES_SUCCESS ? ARES_ENODATA :
				     status);
	}
	if (res)
		ares_freeaddrinfo(res);
}

void resolve_peer_set(struct peer *peer, const struct endpoint_spec *spec)
{
	struct peer_resolve *r = peer->resolve;

	if (r && !strcasecmp(r->host, spec->host) && r->port == spec->port)
		return;
	forget(peer);
	if (!spec->host[0])
		return;
	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("peer %s: out of memory for resolving %s", peer->name,
			spec->host);
		return;
	}
	peer->resolve = r;
	r->last_log = -1e9;
	snprintf(r->host, sizeof(r->host), "%s", spec->host);
	r->port = spec->port;
	r->state = RESOLVE_RESOLVING;
	start(peer);
}

void resolve_peer_silent(struct peer *peer)
{
	struct peer_resolve *r = peer->resolve;

	if (!r || r->query ||
	    node_now(peer->node) - r->last_start < RESOLVE_SILENT_MIN)
		return;
	/* A failing name keeps its backoff. */
	if (r->state == RESOLVE_FAILED &&
	    node_now(peer->node) < r->next)
		return;
	log_debug("peer %s: not answering, resolving %s again", peer->name,
		  r->host);
	r->silent = true;
	start(peer);
}

bool resolve_waiting(const struct peer *peer)
{
	return peer->resolve && !peer->config_endpoint.len;
}

void resolve_housekeeping(struct node *node, ev_tstamp now)
{
	for (struct peer *p = node->peers; p; p = p->next)
		if (p->resolve && !p->resolve->query &&
		    now >= p->resolve->next)
			start(p);
}

void resolve_reload(struct node *node)
{
	char err[160];

	/* c-ares reads resolv.conf once per channel: a new one. */
	channel_close(node);
	if (channel_open(node, err, sizeof(err))) {
		log_err("%s", err);
		return;
	}
	for (struct peer *p = node->peers; p; p = p->next) {
		if (!p->resolve)
			continue;
		p->resolve->next = 0;
		p->resolve->backoff = 0;
		start(p);
	}
}

void resolve_peer_changed(struct peer *peer, enum peer_event what)
{
	if (what == PEER_REMOVED)
		forget(peer);
}

/* --check: one lookup, its own channel, a plain select() loop. */
struct check_result {
	bool done;
	int status;
};

static void check_cb(void *arg, int status, int timeouts,
		     struct ares_addrinfo *res)
{
	struct check_result *c = arg;

	c->done = true;
	c->status = status;
	if (status == ARES_SUCCESS && (!res || !res->nodes))
		c->status = ARES_ENODATA;
	if (res)
		ares_freeaddrinfo(res);
}

int resolve_check(const char *host, double timeout, char *err,
		  size_t errlen)
{
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC };
	struct check_result c = { 0 };
	struct timespec start, now;
	ares_channel ch;
	int ret;

	ret = ares_library_init(ARES_LIB_INIT_ALL);
	if (ret == ARES_SUCCESS)
		ret = ares_init(&ch);
	if (ret != ARES_SUCCESS) {
		snprintf(err, errlen, "%s", ares_strerror(ret));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	ares_getaddrinfo(ch, host, NULL, &hints, check_cb, &c);
	while (!c.done) {
		struct timeval tv, *t, left;
		fd_set r, w;
		double spent;
		int nfds;

		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (double)(now.tv_sec - start.tv_sec) +
			(now.tv_nsec - start.tv_nsec) / 1e9;
		if (spent >= timeout)
			break;
		left.tv_sec = (time_t)(timeout - spent);
		left.tv_usec = (suseconds_t)((timeout - spent -
					      (double)left.tv_sec) * 1e6);
		FD_ZERO(&r);
		FD_ZERO(&w);
		nfds = ares_fds(ch, &r, &w);
		t = ares_timeout(ch, &left, &tv);
		select(nfds, &r, &w, NULL, t);
		ares_process(ch, &r, &w);
	}
	if (!c.done)
		snprintf(err, errlen, "no answer within %.0f s", timeout);
	else if (c.status != ARES_SUCCESS)
		snprintf(err, errlen, "%s", ares_strerror(c.status));
	/* Ends a lookup still in flight (check_cb with ARES_EDESTRUCTION). */
	ares_destroy(ch);
	ares_library_cleanup();
	return c.done && c.status == ARES_SUCCESS ? 0 : -1;
}
