// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A stream is made to look like UDP to the rest of the daemon:
 *  - at the rendezvous, a stream's datagrams come from the path {the
 *    client's TCP address, the stream's fd}, so registration, lookups and
 *    the relay see one more source, and whatever is sent to that path
 *    goes back on the stream;
 *  - at a node, they come from the rendezvous' UDP path, so its sessions
 *    do not move, and what is sent to that endpoint goes on the stream
 *    while the node uses TCP.
 * DTLS stays inside: the rendezvous reads the stream's TLS, but relayed
 * datagrams are other nodes' DTLS records, which it cannot open.
 */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "dispatch.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "registration.h"
#include "session.h"
#include "tls_stream.h"
#include "traversal.h"

/*
 * Node: without a session, UDP to the rendezvous is given up after
 * FALLBACK_AFTER without a datagram from it (a handshake's
 * retransmissions at 1, 2 and 4 s all unanswered). With one, the
 * rendezvous sends a keepalive at least every KeepaliveInterval: once it
 * is quieter than that (and a little), a registration asks it to answer,
 * and UDP is given up when none came PROBE_TIMEOUT after.
 */
#define FALLBACK_AFTER 8.0
#define PROBE_SLACK 2.0
#define PROBE_TIMEOUT 5.0
#define PROBE_REPEAT 2.0
#define KEEPALIVE_OFF_QUIET 25.0
/* On TCP: how often UDP is tried again. */
#define UDP_PROBE_EVERY 5.0
#define DIAL_BACKOFF_MIN 1.0
#define DIAL_BACKOFF_MAX 30.0

static void server_frame(struct tls_stream *ts, const uint8_t *buf,
			 size_t len)
{
	struct path from = { .ep = ts->remote, .fd = ts->fd };

	dispatch_datagram(ts->node, &from, buf, len);
}

static void server_up(struct tls_stream *ts)
{
	char ep[ADDR_STR_MAX];

	log_debug("transport: TLS stream from %s up",
		  endpoint_format(&ts->remote, ep, sizeof(ep)));
}

static void server_closed(struct tls_stream *ts, const char *why)
{
	struct node_transport *t = &ts->node->transport;
	char ep[ADDR_STR_MAX];

	if (ts->fd >= 0 && ts->fd < TRANSPORT_FD_MAX && t->by_fd[ts->fd] == ts) {
		t->by_fd[ts->fd] = NULL;
		t->n_streams--;
	}
	t->stats.rx_malformed += ts->rx_malformed;
	t->stats.tx_dropped += ts->stats.tx_dropped;
	if (ts->state != TLS_STREAM_UP)
		t->stats.streams_failed++;
	log_debug("transport: stream from %s closed: %s",
		  endpoint_format(&ts->remote, ep, sizeof(ep)), why);
}

static const struct tls_stream_ops server_ops = {
	.frame = server_frame,
	.up = server_up,
	.closed = server_closed,
};

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	struct node_transport *t = &node->transport;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct endpoint from;
		struct tls_stream *ts;
		int fd = accept4(t->listen_fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			break;
		if (t->n_streams >= TRANSPORT_STREAMS_MAX ||
		    fd >= TRANSPORT_FD_MAX) {
			t->stats.streams_refused++;
			close(fd);
			continue;
		}
		endpoint_from_sockaddr(&from, (struct sockaddr *)&ss, len);
		/* A v4-mapped client is an IPv4 one, as on UDP. */
		if (from.sa.sa_family == AF_INET6 &&
		    IN6_IS_ADDR_V4MAPPED(&from.in6.sin6_addr)) {
			struct endpoint v4 = { 0 };

			v4.in.sin_family = AF_INET;
			v4.in.sin_port = from.in6.sin6_port;
			memcpy(&v4.in.sin_addr, &from.in6.sin6_addr.s6_addr[12],
			       4);
			v4.len = sizeof(v4.in);
			from = v4;
		}
		ts = tls_stream_accept(node, t->server_ctx, fd, &from,
				       &server_ops, NULL);
		if (!ts) {
			close(fd);
			continue;
		}
		t->by_fd[fd] = ts;
		t->was_stream[fd] = true;
		t->n_streams++;
		t->stats.streams_accepted++;
	}
}

static int listen_open(struct node *node, char *err, size_t errlen)
{
	struct node_transport *t = &node->transport;
	uint16_t port = node->cfg.transport.listen_tcp;
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int fd, one = 1, off = 0;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
		};

		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		if (fd < 0)
			goto fail;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			close(fd);
			goto fail;
		}
	}
	if (listen(fd, 128) < 0) {
		close(fd);
		goto fail;
	}
	t->by_fd = calloc(TRANSPORT_FD_MAX, sizeof(*t->by_fd));
	t->was_stream = calloc(TRANSPORT_FD_MAX, sizeof(*t->was_stream));
	if (!t->by_fd || !t->was_stream) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->listen_fd = fd;
	ev_io_init(&t->listen_watcher, accept_cb, fd, EV_READ);
	t->listen_watcher.data = node;
	ev_io_start(node->loop, &t->listen_watcher);
	return 0;
fail:
	snprintf(err, errlen, "TCP port %u (ListenTcp): %s", port,
		 strerror(errno));
	return -1;
}

/* The rendezvous' UDP endpoint as its sessions know it. */
static bool rv_endpoint(const struct peer *rv, struct endpoint *ep)
{
	if (rv->current && rv->current->path.ep.len)
		*ep = rv->current->path.ep;
	else if (rv->path.ep.len && !rv->path.relay_channel)
		*ep = rv->path.ep;
	else if (rv->config_endpoint.len)
		*ep = rv->config_endpoint;
	else
		return false;
	return true;
}

static void client_frame(struct tls_stream *ts, const uint8_t *buf,
			 size_t len)
{
	struct node *node = ts->node;
	struct path from = { .ep = node->transport.rv_ep,
			     .fd = node->udp_fd };

	/* The frame poses as a datagram from the rendezvous over UDP (so
	 * that answers find the stream); it must not count as UDP heard. */
	node->transport.in_client_frame = true;
	dispatch_datagram(node, &from, buf, len);
	node->transport.in_client_frame = false;
}

static void client_up(struct tls_stream *ts)
{
	struct node_transport *t = &ts->node->transport;
	struct peer *rv = t->rv;

	t->dial_backoff = DIAL_BACKOFF_MIN;
	t->stream_error[0] = '\0';
	t->stream_probe_since = 0;
	t->stream_suspect = 0;
	if (!rv)
		return;
	log_info("transport: TCP/TLS stream to rendezvous %s up", rv->name);
	/* The rendezvous must see us on the stream now: a new session if
	 * UDP never gave us one, else a registration over the stream. */
	if (!rv->current)
		peer_want_session(rv, true);
	else
		registration_send(rv);
}

static void client_closed(struct tls_stream *ts, const char *why)
{
	struct node_transport *t = &ts->node->transport;

	if (t->stream == ts)
		t->stream = NULL;
	t->stats.tx_dropped += ts->stats.tx_dropped;
	snprintf(t->stream_error, sizeof(t->stream_error), "%s", why);
	t->next_dial = node_now(ts->node) + t->dial_backoff;
	t->dial_backoff *= 2;
	if (t->dial_backoff > DIAL_BACKOFF_MAX)
		t->dial_backoff = DIAL_BACKOFF_MAX;
	if (t->rv)
		log_info("transport: TCP stream to rendezvous %s ended: %s",
			 t->rv->name, why);
}

static const struct tls_stream_ops client_ops = {
	.frame = client_frame,
	.up = client_up,
	.closed = client_closed,
};

/* host:port of a URL, IPv6 in brackets (for CONNECT and Host). */
static void host_port(const struct proxy_url *u, char *buf, size_t len)
{
	bool v6 = strchr(u->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", u->host, v6 ? "]" : "",
		 u->port);
}

/* Resolved at each dial: names of proxies move rarely, and a dial is at
 * most every second. */
static int resolve_url(const struct proxy_url *u, struct endpoint *to)
{
	struct addrinfo *ai = NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	char port[8];

	snprintf(port, sizeof(port), "%u", u->port);
	if (getaddrinfo(u->host, port, &hints, &ai) || !ai)
		return -1;
	endpoint_from_sockaddr(to, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static void dial(struct node *node)
{
	struct node_transport *t = &node->transport;
	const struct config_transport *ct = &node->cfg.transport;
	struct endpoint to = t->rv_ep;
	char target[PROXY_HOST_MAX + 16], err[160];
	const struct proxy_url *proxy = NULL;
	const char *ws_path = NULL;

	if (to.sa.sa_family == AF_INET)
		to.in.sin_port = htons(ct->tcp_port);
	else
		to.in6.sin6_port = htons(ct->tcp_port);
	endpoint_format(&to, target, sizeof(target));
	/* A WebSocket endpoint stands where the rendezvous' port was: an
	 * HTTP server that upgrades and passes the stream on to it. */
	if (ct->has_websocket) {
		host_port(&ct->websocket, target, sizeof(target));
		ws_path = ct->websocket_path;
		if (!ct->has_proxy && resolve_url(&ct->websocket, &to)) {
			snprintf(t->stream_error, sizeof(t->stream_error),
				 "cannot resolve %s", ct->websocket.host);
			goto retry;
		}
	}
	if (ct->has_proxy) {
		if (resolve_url(&ct->proxy, &to)) {
			snprintf(t->stream_error, sizeof(t->stream_error),
				 "cannot resolve the proxy %s", ct->proxy.host);
			goto retry;
		}
		proxy = &ct->proxy;
	}
	if (!t->client_ctx) {
		t->client_ctx = tls_stream_context(node, true, err,
						   sizeof(err));
		if (!t->client_ctx) {
			snprintf(t->stream_error, sizeof(t->stream_error),
				 "%s", err);
			goto retry;
		}
	}
	t->stats.dials++;
	t->stream = tls_stream_connect(node, t->client_ctx, &to, proxy, target,
				       target, ws_path, &client_ops, NULL, err,
				       sizeof(err));
	if (t->stream)
		return;
	snprintf(t->stream_error, sizeof(t->stream_error), "%s", err);
retry:
	t->next_dial = node_now(node) + t->dial_backoff;
	t->dial_backoff *= 2;
	if (t->dial_backoff > DIAL_BACKOFF_MAX)
		t->dial_backoff = DIAL_BACKOFF_MAX;
}

static void format_time(time_t when, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void switch_to_tcp(struct node *node, const char *why)
{
	struct node_transport *t = &node->transport;

	t->using_tcp = true;
	t->since = time(NULL);
	t->stats.to_tcp++;
	snprintf(t->why, sizeof(t->why), "%s", why);
	t->next_dial = 0;
	t->dial_backoff = DIAL_BACKOFF_MIN;
	t->last_probe = node_now(node);
	log_warn("transport: TCP to rendezvous %s: %s",
		 t->rv ? t->rv->name : "?", why);
}

static void switch_to_udp(struct node *node)
{
	struct node_transport *t = &node->transport;
	ev_tstamp on_tcp = difftime(time(NULL), t->since);

	t->using_tcp = false;
	t->since = time(NULL);
	t->stats.to_udp++;
	snprintf(t->why, sizeof(t->why), "udp to rendezvous answers");
	log_info("transport: UDP to rendezvous %s answers again, back from TCP after %.0f s",
		 t->rv ? t->rv->name : "?", on_tcp);
	if (t->stream)
		tls_stream_close(t->stream, "back on UDP");
	/* Everything that went through the rendezvous may be direct again:
	 * tell it where we are, and punch now rather than at the next
	 * retry. */
	registration_renew_all(node);
	for (struct peer *p = node->peers; p; p = p->next)
		if (!p->nat.is_rendezvous && p->current &&
		    p->path.relay_channel)
			traversal_lookup(p, true);
}

/*
 * On TCP the stream is the only way to the rendezvous, and TCP itself
 * does not notice a connection that a NAT or a proxy on the way forgot
 * without a word (a rebinding, a reboot that sends no RST): it
 * retransmits into nothing for many minutes, and the node with it. So,
 * as with UDP above: once the stream has been quieter than a keepalive
 * (and a little), registrations on it ask the rendezvous to answer, and
 * when none came PROBE_TIMEOUT later the stream is closed and dialled
 * again (after DIAL_BACKOFF_MIN).
 */
static void stream_check(struct node *node, ev_tstamp now)
{
	struct node_transport *t = &node->transport;
	struct tls_stream *ts = t->stream;
	unsigned int ka = node->cfg.keepalive_interval;
	double quiet = ka ? ka + PROBE_SLACK : KEEPALIVE_OFF_QUIET;

	if (t->stream_suspect && (!ts || ts->last_rx > t->stream_suspect))
		t->stream_suspect = 0;	/* it spoke since */
	if (!ts || ts->state != TLS_STREAM_UP ||
	    (now - ts->last_rx <= quiet && !t->stream_suspect)) {
		t->stream_probe_since = 0;
		return;
	}
	if (!t->stream_probe_since)
		t->stream_probe_since = now;
	/* Without a session, its handshake's retransmissions ask. */
	if (t->rv->current && now - t->stream_last_probe >= PROBE_REPEAT) {
		t->stream_last_probe = now;
		registration_send(t->rv);
	}
	if (now - t->stream_probe_since <= PROBE_TIMEOUT)
		return;
	t->stream_probe_since = 0;
	t->stream_suspect = 0;
	t->stats.streams_silent++;
	tls_stream_close(ts, "no answer from the rendezvous on the stream");
}

/*
 * recover.c found the rendezvous silent (its ping unanswered): on TCP the
 * stream is the first suspect, and waiting until it has been quiet for a
 * keepalive interval would cost that much more. From now on
 * stream_check() probes it, and closes it unless something comes from it
 * within PROBE_TIMEOUT: a stream busy with a transfer whose ping was
 * merely late stays.
 */
void transport_rv_silent(struct peer *rv)
{
	struct node_transport *t = &rv->node->transport;

	if (t->rv == rv && t->using_tcp && t->stream &&
	    t->stream->state == TLS_STREAM_UP && !t->stream_suspect)
		t->stream_suspect = node_now(rv->node);
}

/* Node role, every second. */
static void client_tick(struct node *node, ev_tstamp now)
{
	struct node_transport *t = &node->transport;
	enum config_transport_mode mode = node->cfg.transport.mode;

	if (mode == CONFIG_TRANSPORT_UDP || node->cfg.rendezvous)
		return;
	if (!t->rv) {
		for (struct peer *p = node->peers; p; p = p->next)
			if (p->nat.is_rendezvous && rv_endpoint(p, &t->rv_ep)) {
				t->rv = p;
				break;
			}
		if (!t->rv)
			return;
		t->udp_heard = now;
		t->udp_heard_wall = time(NULL);
	}
	rv_endpoint(t->rv, &t->rv_ep);
	if (mode == CONFIG_TRANSPORT_TCP && !t->using_tcp)
		switch_to_tcp(node, "Transport = tcp");
	if (!t->using_tcp) {
		unsigned int ka = node->cfg.keepalive_interval;
		double quiet = ka ? ka + PROBE_SLACK : KEEPALIVE_OFF_QUIET;
		char when[64], why[160];

		if (!t->rv->current) {
			if (now - t->udp_heard <= FALLBACK_AFTER)
				return;
		} else {
			if (now - t->udp_heard <= quiet) {
				t->probe_since = 0;
				return;
			}
			if (now - t->last_probe >= PROBE_REPEAT) {
				t->last_probe = now;
				if (!t->probe_since)
					t->probe_since = now;
				registration_send(t->rv);
			}
			if (now - t->probe_since <= PROBE_TIMEOUT)
				return;
		}
		t->probe_since = 0;
		format_time(t->udp_heard_wall, when, sizeof(when));
		snprintf(why, sizeof(why),
			 "udp to rendezvous %s unanswered since %s",
			 t->rv->name, when);
		switch_to_tcp(node, why);
	}
	stream_check(node, now);
	if (!t->stream && now >= t->next_dial)
		dial(node);
	/* Try UDP again: a registration on it, which the rendezvous
	 * answers on UDP if UDP goes through. */
	if (mode == CONFIG_TRANSPORT_AUTO && t->rv->current &&
	    now - t->last_probe >= UDP_PROBE_EVERY) {
		t->last_probe = now;
		t->force_udp = true;
		registration_send(t->rv);
		t->force_udp = false;
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct node *node = w->data;

	(void)revents;
	client_tick(node, node_now(node));
}

int transport_open(struct node *node, char *err, size_t errlen)
{
	struct node_transport *t = &node->transport;
	const struct config_transport *ct = &node->cfg.transport;

	t->listen_fd = -1;
	t->dial_backoff = DIAL_BACKOFF_MIN;
	snprintf(t->why, sizeof(t->why), "udp");
	t->since = time(NULL);
	if (ct->listen_tcp) {
		t->server_ctx = tls_stream_context(node, false, err, errlen);
		if (!t->server_ctx || listen_open(node, err, errlen))
			return -1;
	}
	if (ct->mode != CONFIG_TRANSPORT_UDP && !node->cfg.rendezvous) {
		t->client_ctx = tls_stream_context(node, true, err, errlen);
		if (!t->client_ctx)
			return -1;
		if (node->kernel.running)
			log_warn("transport: the TCP fallback carries only what the daemon sends; with podnet.ko data records go on UDP (DataPath = tun for TCP)");
	}
	ev_timer_init(&t->timer, timer_cb, 1.0, 1.0);
	t->timer.data = node;
	ev_timer_start(node->loop, &t->timer);
	return 0;
}

void transport_reload(struct node *node)
{
	struct node_transport *t = &node->transport;
	char err[256];
	WOLFSSL_CTX *ctx;

	/* wolfSSL counts the references of a context: sessions up keep the
	 * old one alive until they end. The client's is made at its next
	 * dial. */
	if (t->client_ctx)
		wolfSSL_CTX_free(t->client_ctx);
	t->client_ctx = NULL;
	if (!t->server_ctx)
		return;
	ctx = tls_stream_context(node, false, err, sizeof(err));
	if (!ctx) {
		log_err("reload: keeping the TCP listener's certificates: %s",
			err);
		return;
	}
	wolfSSL_CTX_free(t->server_ctx);
	t->server_ctx = ctx;
}

void transport_close(struct node *node)
{
	struct node_transport *t = &node->transport;

	if (!node->loop)
		return;
	ev_timer_stop(node->loop, &t->timer);
	if (t->stream)
		tls_stream_destroy(t->stream, "shutting down");
	if (t->by_fd) {
		for (int fd = 0; fd < TRANSPORT_FD_MAX; fd++)
			if (t->by_fd[fd])
				tls_stream_destroy(t->by_fd[fd],
						   "shutting down");
		free(t->by_fd);
		t->by_fd = NULL;
		free(t->was_stream);
		t->was_stream = NULL;
	}
	if (t->listen_fd >= 0) {
		ev_io_stop(node->loop, &t->listen_watcher);
		close(t->listen_fd);
		t->listen_fd = -1;
	}
	if (t->client_ctx)
		wolfSSL_CTX_free(t->client_ctx);
	if (t->server_ctx)
		wolfSSL_CTX_free(t->server_ctx);
	t->client_ctx = t->server_ctx = NULL;
}

void transport_peer_changed(struct peer *peer, enum peer_event what)
{
	struct node_transport *t = &peer->node->transport;

	if (t->rv != peer)
		return;
	/* A handshake with the rendezvous that finished over UDP is an
	 * answer on UDP (before the session, nothing else counts). */
	if (what == PEER_SESSION_UP)
		transport_udp_heard(peer->node, &peer->path);
	if (what != PEER_REMOVED)
		return;
	if (t->stream)
		tls_stream_destroy(t->stream, "rendezvous removed");
	t->rv = NULL;
	t->using_tcp = false;
}

bool transport_send(struct node *node, const struct path *path,
		    const struct iovec *iov, size_t n)
{
	struct node_transport *t = &node->transport;
	struct tls_stream *ts = NULL;

	if (t->by_fd && path->fd >= 0 && path->fd != node->udp_fd &&
	    path->fd < TRANSPORT_FD_MAX && t->was_stream[path->fd]) {
		/* A session's path may outlive its stream, and the fd number
		 * come back as another client's stream or another socket:
		 * such a datagram goes nowhere rather than there. */
		ts = t->by_fd[path->fd];
		if (!ts || !endpoint_equal(&ts->remote, &path->ep)) {
			t->stats.tx_stale++;
			return true;
		}
	}
	if (!ts && t->using_tcp && t->stream && !t->force_udp &&
	    t->stream->state == TLS_STREAM_UP &&
	    endpoint_equal(&path->ep, &t->rv_ep))
		ts = t->stream;
	if (!ts)
		return false;
	tls_stream_send(ts, iov, n);
	if (!node->dp.tx_batching)
		tls_stream_flush(ts);
	return true;
}

/* path is one of the streams accepted here (ListenTcp). */
static bool path_is_server_stream(struct node *node, const struct path *path)
{
	struct node_transport *t = &node->transport;

	return t->by_fd && path->fd >= 0 && path->fd < TRANSPORT_FD_MAX &&
	       path->fd != node->udp_fd && t->by_fd[path->fd];
}

bool transport_path_on_tcp(struct node *node, const struct path *path)
{
	struct node_transport *t = &node->transport;

	if (path_is_server_stream(node, path))
		return true;
	return t->using_tcp && t->stream && t->stream->state == TLS_STREAM_UP &&
	       endpoint_equal(&path->ep, &t->rv_ep);
}

void transport_flush(struct node *node)
{
	tls_stream_flush_all(node);
}

void transport_udp_heard(struct node *node, const struct path *from)
{
	struct node_transport *t = &node->transport;

	if (!t->rv || from->relay_channel || t->in_client_frame ||
	    !endpoint_equal(&from->ep, &t->rv_ep) ||
	    path_is_server_stream(node, from))
		return;
	t->udp_heard = node_now(node);
	t->udp_heard_wall = time(NULL);
	if (t->using_tcp && node->cfg.transport.mode == CONFIG_TRANSPORT_AUTO)
		switch_to_udp(node);
}

void transport_status(struct node *node, FILE *f)
{
	struct node_transport *t = &node->transport;
	const struct config_transport *ct = &node->cfg.transport;

	if (ct->listen_tcp) {
		fprintf(f, "listen_tcp=%u\n", ct->listen_tcp);
		fprintf(f, "tcp_streams=%u\n", t->n_streams);
		fprintf(f, "tcp_streams_accepted=%llu\n",
			(unsigned long long)t->stats.streams_accepted);
		fprintf(f, "tcp_streams_refused=%llu\n",
			(unsigned long long)t->stats.streams_refused);
		fprintf(f, "tcp_streams_failed=%llu\n",
			(unsigned long long)t->stats.streams_failed);
		fprintf(f, "tcp_rx_malformed=%llu\n",
			(unsigned long long)t->stats.rx_malformed);
		fprintf(f, "tcp_tx_stale=%llu\n",
			(unsigned long long)t->stats.tx_stale);
	}
	if (node->cfg.rendezvous && !t->rv)
		return;
	fprintf(f, "transport=%s\n", t->using_tcp ? "tcp" : "udp");
	fprintf(f, "transport_mode=%s\n", config_transport_mode_name(ct->mode));
	fprintf(f, "transport_reason=%s\n", t->why);
	fprintf(f, "transport_since=%lld\n", (long long)t->since);
	if (t->using_tcp) {
		char buf[PROXY_HOST_MAX + 32];

		fprintf(f, "tcp_state=%s\n", !t->stream ? "down" :
			t->stream->state == TLS_STREAM_UP ? "up" :
			t->stream->state == TLS_STREAM_HANDSHAKE ? "handshake" :
			t->stream->state == TLS_STREAM_PROXY ? "proxy" :
			t->stream->state == TLS_STREAM_WS_UPGRADE ? "websocket" :
			"connecting");
		if (ct->has_proxy)
			fprintf(f, "tcp_proxy=%s\n",
				proxy_url_format(&ct->proxy, buf, sizeof(buf)));
		if (ct->has_websocket)
			fprintf(f, "tcp_websocket=%s%s\n",
				proxy_url_format(&ct->websocket, buf,
						 sizeof(buf)),
				ct->websocket_path);
		if (t->stream_error[0])
			fprintf(f, "tcp_error=%s\n", t->stream_error);
		if (t->stream) {
			fprintf(f, "tcp_tx_bytes=%llu\n",
				(unsigned long long)t->stream->stats.tx_bytes);
			fprintf(f, "tcp_rx_bytes=%llu\n",
				(unsigned long long)t->stream->stats.rx_bytes);
		}
	}
	fprintf(f, "tcp_dials=%llu\n", (unsigned long long)t->stats.dials);
	fprintf(f, "tcp_streams_silent=%llu\n",
		(unsigned long long)t->stats.streams_silent);
	fprintf(f, "tcp_tx_dropped=%llu\n", (unsigned long long)
		(t->stats.tx_dropped +
		 (t->stream ? t->stream->stats.tx_dropped : 0)));
}
