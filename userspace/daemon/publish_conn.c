// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One published connection relayed by podnetd:
 *   HELLO       (shared port) reading the ClientHello, at most
 *               SNI_HELLO_MAX bytes and PUBLISH_HELLO_TIMEOUT seconds
 *   CONNECTING  to the target over the overlay; then the PROXY header
 *               and the ClientHello bytes already read go first
 *   SPLICING    both ways through a pipe each (splice(2): the bytes never
 *               enter userspace), each half shut down on its EOF
 * Anything wrong with one connection closes that one alone: every error
 * path ends in conn_close(), which counts it where it belongs.
 */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "node.h"
#include "proxy_v2.h"
#include "sni.h"

/* How much one splice() call moves, and how many a callback makes before
 * it lets the loop serve others. */
#define SPLICE_CHUNK (64 * 1024)
#define SPLICE_ROUNDS 8

enum conn_state { CONN_HELLO, CONN_CONNECTING, CONN_SPLICING };

/* One direction: bytes read from `from` wait in the pipe for `to`. */
struct half {
	struct publish_conn *conn;
	int from, to;
	int pipe[2];
	size_t in_pipe;
	bool eof;		/* `from` said EOF */
	bool shut;		/* ... and `to` was told (SHUT_WR) */
	uint64_t *bytes;	/* the entry's counter */
	ev_io rd, wr;
};

struct publish_conn {
	struct node *node;
	struct publish_listener *listener;
	struct publish_entry *entry;	/* once routed */
	struct publish_conn *prev, *next;
	/* HELLO: in listener->hello_conns */
	struct publish_conn *hello_prev, *hello_next;
	enum conn_state state;
	int cfd, tfd;			/* client, target */
	struct sockaddr_storage client, local;
	/* HELLO: the bytes read; CONNECTING: what goes to the target first
	 * (PROXY header and those bytes), sent up to `sent` */
	uint8_t *buf;
	size_t len, sent;
	size_t early;			/* the client's bytes among them */
	ev_tstamp last_active;		/* SPLICING */
	ev_timer timer;
	struct half up, down;		/* client -> target, target -> client */
};

/* Out of HELLO: no longer one of the listener's pending connections. */
static void hello_done(struct publish_conn *c)
{
	struct publish_listener *l = c->listener;

	l->pending--;
	if (c->hello_prev)
		c->hello_prev->hello_next = c->hello_next;
	else
		l->hello_conns = c->hello_next;
	if (c->hello_next)
		c->hello_next->hello_prev = c->hello_prev;
	c->hello_prev = c->hello_next = NULL;
}

static bool same_address(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return false;
}

static void conn_close(struct publish_conn *c)
{
	struct node *node = c->node;
	struct ev_loop *loop = node->loop;
	struct half *h[2] = { &c->up, &c->down };

	ev_timer_stop(loop, &c->timer);
	for (int i = 0; i < 2; i++) {
		ev_io_stop(loop, &h[i]->rd);
		ev_io_stop(loop, &h[i]->wr);
		if (h[i]->pipe[0] >= 0)
			close(h[i]->pipe[0]);
		if (h[i]->pipe[1] >= 0)
			close(h[i]->pipe[1]);
	}
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->tfd >= 0)
		close(c->tfd);
	if (c->state == CONN_HELLO)
		hello_done(c);
	else if (c->entry)
		c->entry->active--;
	if (c->prev)
		c->prev->next = c->next;
	else
		node->publish.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->buf);
	free(c);
}

static void timer_start(struct publish_conn *c, ev_tstamp after)
{
	ev_timer_stop(c->node->loop, &c->timer);
	ev_timer_set(&c->timer, after, 0.);
	ev_timer_start(c->node->loop, &c->timer);
}

static void conn_touch(struct publish_conn *c)
{
	c->last_active = node_now(c->node);
}

/*
 * Moves what one direction can move now. Returns -1 when the connection
 * must close (an error), 0 otherwise; watchers are left waiting for what
 * the half needs next.
 */
static int pump(struct half *h)
{
	struct ev_loop *loop = h->conn->node->loop;
	ssize_t n;

	for (int round = 0; round < SPLICE_ROUNDS; round++) {
		if (h->in_pipe) {
			n = splice(h->pipe[0], NULL, h->to, NULL, h->in_pipe,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				h->in_pipe -= (size_t)n;
				*h->bytes += (uint64_t)n;
				conn_touch(h->conn);
				continue;
			}
			if (n < 0 && errno == EAGAIN) {
				ev_io_stop(loop, &h->rd);
				ev_io_start(loop, &h->wr);
				return 0;
			}
			return -1;
		}
		ev_io_stop(loop, &h->wr);
		if (h->eof) {
			if (!h->shut) {
				shutdown(h->to, SHUT_WR);
				h->shut = true;
			}
			ev_io_stop(loop, &h->rd);
			return 0;
		}
		n = splice(h->from, NULL, h->pipe[1], NULL, SPLICE_CHUNK,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			h->in_pipe += (size_t)n;
			continue;
		}
		if (n == 0) {
			h->eof = true;
			continue;
		}
		if (errno == EAGAIN) {
			ev_io_start(loop, &h->rd);
			return 0;
		}
		return -1;
	}
	/* Out of rounds with work left: come back when the loop says. */
	if (h->in_pipe)
		ev_io_start(loop, &h->wr);
	else
		ev_io_start(loop, &h->rd);
	return 0;
}

static void half_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct half *h = w->data;
	struct publish_conn *c = h->conn;

	if (pump(h) || (c->up.shut && c->down.shut))
		conn_close(c);
}

static int half_init(struct publish_conn *c, struct half *h, int from, int to,
		     uint64_t *bytes)
{
	h->conn = c;
	h->from = from;
	h->to = to;
	h->bytes = bytes;
	if (pipe2(h->pipe, O_NONBLOCK | O_CLOEXEC))
		return -1;
	ev_io_init(&h->rd, half_cb, from, EV_READ);
	ev_io_init(&h->wr, half_cb, to, EV_WRITE);
	h->rd.data = h;
	h->wr.data = h;
	return 0;
}

static void start_splicing(struct publish_conn *c)
{
	struct publish_entry *e = c->entry;

	free(c->buf);
	c->buf = NULL;
	if (half_init(c, &c->up, c->cfd, c->tfd, &e->stats.bytes_in) ||
	    half_init(c, &c->down, c->tfd, c->cfd, &e->stats.bytes_out)) {
		log_warn_ratelimited("publish %s: pipe: %s", e->cfg.name,
				     strerror(errno));
		conn_close(c);
		return;
	}
	c->state = CONN_SPLICING;
	conn_touch(c);
	/* The timer now checks idleness, lazily (libev's "last activity"
	 * pattern): one timer per connection, no reset per splice. */
	timer_start(c, e->cfg.idle_timeout);
	/* Both sides may have said all they had already. */
	if (pump(&c->up) || pump(&c->down) || (c->up.shut && c->down.shut))
		conn_close(c);
}

/* CONNECTING: the target's socket became writable. */
static void connect_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct publish_conn *c = w->data;
	struct publish_entry *e = c->entry;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	ssize_t n;

	if (getsockopt(c->tfd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr) {
		e->stats.target_failed++;
		log_debug_ratelimited("publish %s: target: %s", e->cfg.name,
				      strerror(soerr ? soerr : errno));
		conn_close(c);
		return;
	}
	while (c->sent < c->len) {
		n = send(c->tfd, c->buf + c->sent, c->len - c->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;		/* the watcher stays */
		if (n <= 0) {
			e->stats.target_failed++;
			conn_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	ev_io_stop(loop, w);
	e->stats.bytes_in += c->early;
	start_splicing(c);
}

/* The connection goes to e: over its limit it is refused. */
static void conn_route(struct publish_conn *c, struct publish_entry *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t head[PROXY_V2_MAX];
	size_t hlen = 0;
	uint8_t *buf;

	if (c->state == CONN_HELLO)
		hello_done(c);
	c->state = CONN_CONNECTING;
	if (e->active >= e->cfg.max_connections) {
		e->stats.refused++;
		log_debug_ratelimited("publish %s: MaxConnections (%u) reached: refused",
				      e->cfg.name, e->cfg.max_connections);
		conn_close(c);
		return;
	}
	c->entry = e;
	e->active++;
	if (!publish_target(c->node, e, &ss, &len)) {
		e->stats.target_failed++;
		log_debug_ratelimited("publish %s: node %s is not known yet",
				      e->cfg.name, e->cfg.target_node);
		conn_close(c);
		return;
	}
	if (e->cfg.proxy_v2)
		hlen = proxy_v2_header(head, (struct sockaddr *)&c->client,
				       (struct sockaddr *)&c->local);
	buf = malloc(hlen + c->len + 1);
	if (!buf) {
		conn_close(c);
		return;
	}
	memcpy(buf, head, hlen);
	if (c->len)
		memcpy(buf + hlen, c->buf, c->len);
	c->early = c->len;
	free(c->buf);
	c->buf = buf;
	c->len += hlen;
	c->sent = 0;
	c->tfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0);
	if (c->tfd < 0 || (connect(c->tfd, (struct sockaddr *)&ss, len) &&
			   errno != EINPROGRESS)) {
		e->stats.target_failed++;
		conn_close(c);
		return;
	}
	e->stats.accepted++;
	ev_io_stop(c->node->loop, &c->up.rd);
	ev_io_init(&c->up.wr, connect_cb, c->tfd, EV_WRITE);
	c->up.wr.data = c;
	ev_io_start(c->node->loop, &c->up.wr);
	timer_start(c, PUBLISH_CONNECT_TIMEOUT);
}

static struct publish_entry *route_by_name(struct publish_listener *l,
					   const char *name)
{
	/* An exact name before a wildcard, whatever the order. */
	for (size_t i = 0; i < l->n_entries; i++)
		if (!strcmp(l->entries[i]->cfg.server_name, name))
			return l->entries[i];
	for (size_t i = 0; i < l->n_entries; i++)
		if (sni_match(l->entries[i]->cfg.server_name, name))
			return l->entries[i];
	return NULL;
}

/* HELLO: more of the ClientHello. */
static void hello_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct publish_conn *c = w->data;
	struct node_publish *np = &c->node->publish;
	char name[SNI_NAME_MAX];
	struct publish_entry *e;
	ssize_t n;

	n = recv(c->cfd, c->buf + c->len, SNI_HELLO_MAX - c->len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Closed or reset before a whole ClientHello. */
		np->hello.malformed++;
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	switch (sni_parse(c->buf, c->len, name, sizeof(name))) {
	case SNI_NEED_MORE:
		if (c->len < SNI_HELLO_MAX)
			return;
		/* longer than any ClientHello may be */
		__attribute__((fallthrough));
	case SNI_MALFORMED:
		np->hello.malformed++;
		conn_close(c);
		return;
	case SNI_NONE:
		np->hello.no_name++;
		conn_close(c);
		return;
	case SNI_FOUND:
		break;
	}
	e = route_by_name(c->listener, name);
	if (!e) {
		np->hello.unknown_name++;
		log_debug_ratelimited("publish: no entry for server name %s",
				      name);
		conn_close(c);
		return;
	}
	conn_route(c, e);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct publish_conn *c = w->data;
	ev_tstamp now = node_now(c->node), left;

	switch (c->state) {
	case CONN_HELLO:
		c->node->publish.hello.timeout++;
		conn_close(c);
		return;
	case CONN_CONNECTING:
		c->entry->stats.target_failed++;
		conn_close(c);
		return;
	case CONN_SPLICING:
		left = c->last_active + c->entry->cfg.idle_timeout - now;
		if (left > 0) {
			ev_timer_set(w, left, 0.);
			ev_timer_start(loop, w);
			return;
		}
		c->entry->stats.idle_closed++;
		conn_close(c);
		return;
	}
}

void publish_conn_accept(struct publish_listener *l, int fd,
			 const struct sockaddr_storage *client)
{
	struct node *node = l->node;
	struct publish_conn *c;
	socklen_t len = sizeof(c->local);

	if (l->sni) {
		unsigned int same = 0;

		/* At most PUBLISH_HELLO_PENDING_MAX to look through. */
		for (c = l->hello_conns; c; c = c->hello_next)
			same += same_address(&c->client, client);
		if (l->pending >= PUBLISH_HELLO_PENDING_MAX ||
		    same >= PUBLISH_HELLO_PER_SOURCE) {
			node->publish.hello.pending_refused++;
			close(fd);
			return;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->node = node;
	c->listener = l;
	c->cfd = fd;
	c->tfd = -1;
	c->up.pipe[0] = c->up.pipe[1] = -1;
	c->down.pipe[0] = c->down.pipe[1] = -1;
	c->client = *client;
	getsockname(fd, (struct sockaddr *)&c->local, &len);
	c->next = node->publish.conns;
	if (c->next)
		c->next->prev = c;
	node->publish.conns = c;
	ev_init(&c->timer, timer_cb);
	c->timer.data = c;
	if (!l->sni) {
		c->state = CONN_CONNECTING;
		conn_route(c, l->entries[0]);
	} else {
		c->state = CONN_HELLO;
		l->pending++;
		c->hello_next = l->hello_conns;
		if (c->hello_next)
			c->hello_next->hello_prev = c;
		l->hello_conns = c;
		c->buf = malloc(SNI_HELLO_MAX);
		if (!c->buf) {
			conn_close(c);
			return;
		}
		ev_io_init(&c->up.rd, hello_cb, fd, EV_READ);
		c->up.rd.data = c;
		ev_io_start(node->loop, &c->up.rd);
		/* However slowly the bytes trickle in. */
		timer_start(c, PUBLISH_HELLO_TIMEOUT);
	}
}

void publish_conn_close_all(struct node *node)
{
	while (node->publish.conns)
		conn_close(node->publish.conns);
}
