// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * wolfSSL runs on our own I/O callbacks: the send callback only appends
 * to the stream's bounded output buffer (which always has room for what
 * tls_stream_send() let in), so wolfSSL_write() never half-completes and
 * a datagram is either sealed whole or dropped before it is sealed.
 */
#include "tls_stream.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/coding.h>

#include "datapath.h"
#include "log.h"
#include "node.h"
#include "tun.h"

/* A handshake (and a proxy's answer) must be done within this. */
#define HANDSHAKE_TIMEOUT 10.0
/* A rendezvous ends a client's stream silent for this long (a node sends
 * a keepalive every KeepaliveInterval, 15 s by default). */
#define IDLE_TIMEOUT 120.0
/* Ciphertext buffered per stream: a few hundred datagrams. */
#define OUT_CAP (512 * 1024)
/* A record's overhead beyond its plaintext (TLS 1.3: header, type, tag),
 * with margin. */
#define RECORD_SLACK 64

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void ws_upgrade_start(struct tls_stream *ts);

/* Raw bytes from the socket: n > 0, or a wolfSSL I/O error. */
static int sock_recv(struct tls_stream *ts, uint8_t *buf, size_t sz)
{
	ssize_t n = recv(ts->fd, buf, sz, 0);

	if (n > 0) {
		ts->stats.rx_bytes += (uint64_t)n;
		return (int)n;
	}
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (errno == EINTR)
		return WOLFSSL_CBIO_ERR_ISR;
	return WOLFSSL_CBIO_ERR_CONN_RST;
}

/* Up to sz bytes of src between *off and end, for wolfSSL's read. */
static int take_buffered(char *buf, int sz, const uint8_t *src, size_t *off,
			 size_t end)
{
	size_t n = end - *off;

	if ((size_t)sz < n)
		n = (size_t)sz;
	memcpy(buf, src + *off, n);
	*off += n;
	return (int)n;
}

/* A ping (from the far end, or a proxy on the way that checks the
 * connection) gets its pong (RFC 6455 5.5.2); the output goes out after
 * the read (read_records). No room: the pong is skipped, as a lost one
 * would be. */
static void ws_answer_ping(struct tls_stream *ts, const struct ws_frame *f)
{
	uint8_t mask[4];
	size_t n;

	if (ts->client && getrandom(mask, sizeof(mask), 0) != 4)
		return;
	n = ws_pong(ts->out + ts->out_len, ts->out_cap - ts->out_len,
		    f->payload, f->payload_len, ts->client ? mask : NULL);
	ts->out_len += n;
}

/* TLS bytes out of WebSocket frames: binary and continuation frames are
 * one byte stream; a ping is answered, a pong skipped, a close or
 * anything else ends it. */
static int ws_recv(struct tls_stream *ts, char *buf, int sz)
{
	for (;;) {
		struct ws_frame f;
		long used;
		int n;

		if (ts->ws_pay_off < ts->ws_pay_end)
			return take_buffered(buf, sz, ts->ws_raw, &ts->ws_pay_off,
					     ts->ws_pay_end);
		if (ts->ws_frame_end) {
			memmove(ts->ws_raw, ts->ws_raw + ts->ws_frame_end,
				ts->ws_raw_len - ts->ws_frame_end);
			ts->ws_raw_len -= ts->ws_frame_end;
			ts->ws_frame_end = ts->ws_pay_off = ts->ws_pay_end = 0;
		}
		used = ws_frame_parse(ts->ws_raw, ts->ws_raw_len, !ts->client,
				      &f);
		if (used < 0) {
			ts->rx_malformed++;
			return WOLFSSL_CBIO_ERR_CONN_RST;
		}
		if (used > 0) {
			ts->ws_frame_end = (size_t)used;
			if (f.opcode == WS_BINARY || f.opcode == WS_CONTINUATION) {
				ts->ws_pay_off = (size_t)(f.payload - ts->ws_raw);
				ts->ws_pay_end = ts->ws_pay_off + f.payload_len;
				continue;
			}
			if (f.opcode == WS_PING)
				ws_answer_ping(ts, &f);
			if (f.opcode == WS_PING || f.opcode == WS_PONG)
				continue;
			if (f.opcode != WS_CLOSE)
				ts->rx_malformed++;
			return WOLFSSL_CBIO_ERR_CONN_CLOSE;
		}
		n = sock_recv(ts, ts->ws_raw + ts->ws_raw_len,
			      sizeof(ts->ws_raw) - ts->ws_raw_len);
		if (n <= 0)
			return n;
		ts->ws_raw_len += (size_t)n;
	}
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_stream *ts = ctx;

	(void)ssl;
	if (ts->ws)
		return ws_recv(ts, buf, sz);
	/* Bytes a proxy sent right after its answer come first. */
	if (ts->pre_off < ts->pre_len)
		return take_buffered(buf, sz, ts->pre, &ts->pre_off,
				     ts->pre_len);
	return sock_recv(ts, (uint8_t *)buf, (size_t)sz);
}

/* TLS bytes into binary frames, masked by a client (RFC 6455 5.3). */
static int ws_send(struct tls_stream *ts, const char *buf, int sz)
{
	size_t frames = (size_t)sz / WS_FRAME_MAX + 1;

	if ((size_t)sz + frames * WS_HEADER_MAX > ts->out_cap - ts->out_len)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	for (size_t off = 0; off < (size_t)sz;) {
		size_t len = (size_t)sz - off;
		uint8_t mask[4];

		if (len > WS_FRAME_MAX)
			len = WS_FRAME_MAX;
		if (ts->client && getrandom(mask, sizeof(mask), 0) != 4)
			return WOLFSSL_CBIO_ERR_GENERAL;
		ts->out_len += ws_frame_header(ts->out + ts->out_len, len,
					       ts->client ? mask : NULL);
		memcpy(ts->out + ts->out_len, buf + off, len);
		if (ts->client)
			ws_mask(ts->out + ts->out_len, len, mask);
		ts->out_len += len;
		off += len;
	}
	return sz;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_stream *ts = ctx;

	(void)ssl;
	if (ts->ws)
		return ws_send(ts, buf, sz);
	if ((size_t)sz > ts->out_cap - ts->out_len)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	memcpy(ts->out + ts->out_len, buf, (size_t)sz);
	ts->out_len += (size_t)sz;
	return sz;
}

/* What the socket takes of the output buffer; EV_WRITE while some is
 * left. */
static void write_out(struct tls_stream *ts)
{
	size_t off = 0;
	int events;

	while (off < ts->out_len) {
		ssize_t n = send(ts->fd, ts->out + off, ts->out_len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tls_stream_close(ts, strerror(errno));
			break;
		}
		ts->stats.tx_bytes += (uint64_t)n;
		off += (size_t)n;
	}
	memmove(ts->out, ts->out + off, ts->out_len - off);
	ts->out_len -= off;
	if (ts->dead)
		return;
	events = EV_READ;
	if (ts->out_len || ts->state == TLS_STREAM_CONNECTING)
		events |= EV_WRITE;
	if (ts->state == TLS_STREAM_CONNECTING)
		events = EV_WRITE;
	if ((ts->io.events & (EV_READ | EV_WRITE)) != events) {
		ev_io_stop(ts->node->loop, &ts->io);
		ev_io_set(&ts->io, ts->fd, events);
		ev_io_start(ts->node->loop, &ts->io);
	}
}

static struct tls_stream *stream_new(struct node *node, WOLFSSL_CTX *ctx,
				     int fd, const struct tls_stream_ops *ops,
				     void *owner)
{
	struct tls_stream *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return NULL;
	ts->out = malloc(OUT_CAP);
	ts->ssl = wolfSSL_new(ctx);
	if (!ts->out || !ts->ssl) {
		if (ts->ssl)
			wolfSSL_free(ts->ssl);
		free(ts->out);
		free(ts);
		return NULL;
	}
	ts->out_cap = OUT_CAP;
	ts->node = node;
	ts->ops = ops;
	ts->owner = owner;
	ts->fd = fd;
	wolfSSL_SSLSetIORecv(ts->ssl, io_recv);
	wolfSSL_SSLSetIOSend(ts->ssl, io_send);
	wolfSSL_SetIOReadCtx(ts->ssl, ts);
	wolfSSL_SetIOWriteCtx(ts->ssl, ts);
	ts->last_rx = node_now(node);
	ev_io_init(&ts->io, io_cb, fd, EV_READ);
	ts->io.data = ts;
	ev_timer_init(&ts->timer, timer_cb, HANDSHAKE_TIMEOUT, 0);
	ts->timer.data = ts;
	ev_timer_start(node->loop, &ts->timer);
	return ts;
}

struct tls_stream *tls_stream_connect(struct node *node, WOLFSSL_CTX *ctx,
				      const struct endpoint *to,
				      const struct proxy_url *proxy,
				      const char *target,
				      const char *ws_host, const char *ws_path,
				      const struct tls_stream_ops *ops,
				      void *owner, char *err, size_t errlen)
{
	struct tls_stream *ts;
	int fd, one = 1;

	fd = socket(to->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	/* Datagrams are small and latency matters more than segments. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, &to->sa, to->len) < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	ts = stream_new(node, ctx, fd, ops, owner);
	if (!ts) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	ts->client = true;
	ts->remote = *to;
	ts->state = TLS_STREAM_CONNECTING;
	if (ws_path) {
		snprintf(ts->ws_host, sizeof(ts->ws_host), "%s", ws_host);
		snprintf(ts->ws_path, sizeof(ts->ws_path), "%s", ws_path);
	}
	if (proxy) {
		int n = proxy_connect_request(proxy, target, (char *)ts->out,
					      ts->out_cap);

		if (n < 0) {
			snprintf(err, errlen, "proxy request too long");
			tls_stream_destroy(ts, NULL);
			return NULL;
		}
		ts->out_len = (size_t)n;
	}
	ev_io_set(&ts->io, fd, EV_WRITE);
	ev_io_start(node->loop, &ts->io);
	return ts;
}

struct tls_stream *tls_stream_accept(struct node *node, WOLFSSL_CTX *ctx,
				     int fd, const struct endpoint *from,
				     const struct tls_stream_ops *ops,
				     void *owner)
{
	struct tls_stream *ts = stream_new(node, ctx, fd, ops, owner);
	int one = 1;

	if (!ts)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ts->remote = *from;
	/* The first byte tells a TLS ClientHello (0x16) from an HTTP
	 * request that wants a WebSocket ('G'). */
	ts->state = TLS_STREAM_SNIFF;
	ev_io_start(node->loop, &ts->io);
	return ts;
}

static void dirty_remove(struct tls_stream *ts)
{
	struct tls_stream **p = &ts->node->transport.dirty;

	if (!ts->dirty)
		return;
	for (; *p; p = &(*p)->next_dirty)
		if (*p == ts) {
			*p = ts->next_dirty;
			break;
		}
	ts->dirty = false;
}

void tls_stream_destroy(struct tls_stream *ts, const char *why)
{
	struct ev_loop *loop = ts->node->loop;

	dirty_remove(ts);
	ev_io_stop(loop, &ts->io);
	ev_timer_stop(loop, &ts->timer);
	if (ts->ops && ts->ops->closed)
		ts->ops->closed(ts, why ? why : ts->dead_why);
	wolfSSL_free(ts->ssl);
	close(ts->fd);
	free(ts->out);
	free(ts);
}

void tls_stream_close(struct tls_stream *ts, const char *why)
{
	if (ts->dead)
		return;
	ts->dead = true;
	snprintf(ts->dead_why, sizeof(ts->dead_why), "%s", why);
	ev_io_stop(ts->node->loop, &ts->io);
	ev_timer_stop(ts->node->loop, &ts->timer);
	ev_timer_set(&ts->timer, 0, 0);
	ev_timer_start(ts->node->loop, &ts->timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tls_stream *ts = w->data;

	(void)loop;
	(void)revents;
	if (ts->dead) {
		tls_stream_destroy(ts, NULL);
		return;
	}
	if (ts->state != TLS_STREAM_UP) {
		tls_stream_destroy(ts, ts->state == TLS_STREAM_PROXY ?
				   "no answer from the proxy" :
				   ts->state == TLS_STREAM_WS_UPGRADE ?
				   "no WebSocket upgrade" :
				   ts->state == TLS_STREAM_CONNECTING ?
				   "TCP connect timed out" :
				   "TLS handshake timed out");
		return;
	}
	if (node_now(ts->node) - ts->last_rx > IDLE_TIMEOUT)
		tls_stream_destroy(ts, "idle");
}

int tls_stream_send(struct tls_stream *ts, const struct iovec *iov,
		    size_t n)
{
	size_t len = 0;

	for (size_t k = 0; k < n; k++)
		len += iov[k].iov_len;
	if (ts->dead || ts->state != TLS_STREAM_UP || !len ||
	    len > TCPFRAME_MAX) {
		ts->stats.tx_dropped++;
		return -1;
	}
	if (ts->stage_len + TCPFRAME_HEADER_LEN + len > sizeof(ts->stage))
		tls_stream_flush(ts);
	/* Room for the staged record and this one's, sealed: else the
	 * peer (or the path) is slower than we send, and like a full UDP
	 * socket buffer we drop. */
	if (ts->out_len + ts->stage_len + TCPFRAME_HEADER_LEN + len +
	    2 * RECORD_SLACK > ts->out_cap) {
		write_out(ts);
		if (ts->out_len + ts->stage_len + TCPFRAME_HEADER_LEN + len +
		    2 * RECORD_SLACK > ts->out_cap) {
			ts->stats.tx_dropped++;
			return -1;
		}
	}
	tcpframe_put_header(ts->stage + ts->stage_len, len);
	ts->stage_len += TCPFRAME_HEADER_LEN;
	for (size_t k = 0; k < n; k++) {
		memcpy(ts->stage + ts->stage_len, iov[k].iov_base,
		       iov[k].iov_len);
		ts->stage_len += iov[k].iov_len;
	}
	ts->stats.tx_frames++;
	if (!ts->dirty) {
		ts->dirty = true;
		ts->next_dirty = ts->node->transport.dirty;
		ts->node->transport.dirty = ts;
	}
	return 0;
}

void tls_stream_flush(struct tls_stream *ts)
{
	int ret;

	dirty_remove(ts);
	if (!ts->stage_len || ts->dead)
		return;
	ret = wolfSSL_write(ts->ssl, ts->stage, (int)ts->stage_len);
	ts->stage_len = 0;
	if (ret <= 0) {
		tls_stream_close(ts, "TLS write failed");
		return;
	}
	write_out(ts);
}

void tls_stream_flush_all(struct node *node)
{
	while (node->transport.dirty)
		tls_stream_flush(node->transport.dirty);
}

/* The proxy's answer: once whole, the tunnel is open and TLS starts. */
static void proxy_read(struct tls_stream *ts)
{
	long hdr;
	ssize_t n;
	int status;

	n = recv(ts->fd, ts->pre + ts->pre_len, sizeof(ts->pre) - ts->pre_len,
		 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		tls_stream_close(ts, "the proxy closed the connection");
		return;
	}
	if (n < 0)
		return;
	ts->stats.rx_bytes += (uint64_t)n;
	ts->pre_len += (size_t)n;
	hdr = proxy_response_parse(ts->pre, ts->pre_len, &status);
	if (hdr < 0) {
		tls_stream_close(ts, "the proxy did not answer in HTTP");
		return;
	}
	if (!hdr)
		return;
	if (status != 200) {
		char why[64];

		snprintf(why, sizeof(why), "the proxy refused CONNECT (%d%s)",
			 status, status == 407 ? ", authentication" : "");
		tls_stream_close(ts, why);
		return;
	}
	ts->pre_off = (size_t)hdr;
	ts->state = TLS_STREAM_HANDSHAKE;
	if (ts->ws_path[0])
		ws_upgrade_start(ts);
}

/* Client: the upgrade request, once TCP (and the proxy) let us through. */
static void ws_upgrade_start(struct tls_stream *ts)
{
	uint8_t nonce[16];
	word32 klen = sizeof(ts->ws_key);
	int n;

	if (getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce) ||
	    Base64_Encode_NoNl(nonce, sizeof(nonce), (byte *)ts->ws_key,
			       &klen) || klen != WS_KEY_LEN) {
		tls_stream_close(ts, "no randomness for the WebSocket key");
		return;
	}
	ts->ws_key[WS_KEY_LEN] = '\0';
	n = ws_request(ts->ws_host, ts->ws_path, ts->ws_key,
		       (char *)ts->out + ts->out_len,
		       ts->out_cap - ts->out_len);
	if (n < 0) {
		tls_stream_close(ts, "WebSocket request too long");
		return;
	}
	ts->out_len += (size_t)n;
	ts->pre_len = ts->pre_off = 0;
	ts->state = TLS_STREAM_WS_UPGRADE;
	write_out(ts);
}

/* What followed an upgrade's header is the first of the frames. */
static void ws_begin(struct tls_stream *ts, size_t hdr)
{
	size_t rest = ts->pre_len - hdr;

	memcpy(ts->ws_raw, ts->pre + hdr, rest);
	ts->ws_raw_len = rest;
	ts->pre_len = ts->pre_off = 0;
	ts->ws = true;
	ts->state = TLS_STREAM_HANDSHAKE;
}

/* Client: the answer to the upgrade. */
static void ws_upgrade_read(struct tls_stream *ts)
{
	long hdr;
	int n, status;

	n = sock_recv(ts, ts->pre + ts->pre_len, sizeof(ts->pre) - ts->pre_len);
	if (n == WOLFSSL_CBIO_ERR_WANT_READ || n == WOLFSSL_CBIO_ERR_ISR)
		return;
	if (n <= 0) {
		tls_stream_close(ts, "closed during the WebSocket upgrade");
		return;
	}
	ts->pre_len += (size_t)n;
	hdr = ws_response_parse(ts->pre, ts->pre_len, ts->ws_key, &status);
	if (!hdr)
		return;
	if (hdr < 0) {
		char why[64];

		snprintf(why, sizeof(why), "WebSocket upgrade refused (%d)",
			 status);
		tls_stream_close(ts, why);
		return;
	}
	ws_begin(ts, (size_t)hdr);
}

/* Server: TLS, or an HTTP request for a WebSocket? */
static void sniff(struct tls_stream *ts)
{
	uint8_t c;
	ssize_t n = recv(ts->fd, &c, 1, MSG_PEEK);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		tls_stream_close(ts, "closed before a byte");
		return;
	}
	if (n < 0)
		return;
	ts->state = c == 'G' ? TLS_STREAM_WS_REQUEST : TLS_STREAM_HANDSHAKE;
}

/* Server: the upgrade request, answered with a 101. */
static void ws_request_read(struct tls_stream *ts)
{
	long hdr;
	int n;

	n = sock_recv(ts, ts->pre + ts->pre_len, sizeof(ts->pre) - ts->pre_len);
	if (n == WOLFSSL_CBIO_ERR_WANT_READ || n == WOLFSSL_CBIO_ERR_ISR)
		return;
	if (n <= 0) {
		tls_stream_close(ts, "closed during the WebSocket upgrade");
		return;
	}
	ts->pre_len += (size_t)n;
	hdr = ws_request_parse(ts->pre, ts->pre_len, ts->ws_key);
	if (!hdr)
		return;
	if (hdr < 0 || (n = ws_response(ts->ws_key, (char *)ts->out + ts->out_len,
					ts->out_cap - ts->out_len)) < 0) {
		tls_stream_close(ts, "not a WebSocket upgrade");
		return;
	}
	ts->out_len += (size_t)n;
	ws_begin(ts, (size_t)hdr);
	write_out(ts);
}

static void handshake(struct tls_stream *ts)
{
	int ret = ts->client ? wolfSSL_connect(ts->ssl) :
			       wolfSSL_accept(ts->ssl);

	if (ret != WOLFSSL_SUCCESS) {
		int e = wolfSSL_get_error(ts->ssl, ret);
		char why[96], buf[WOLFSSL_MAX_ERROR_SZ];

		if (e == WOLFSSL_ERROR_WANT_READ ||
		    e == WOLFSSL_ERROR_WANT_WRITE) {
			write_out(ts);
			return;
		}
		write_out(ts);	/* the alert, if any */
		snprintf(why, sizeof(why), "TLS handshake failed: %s",
			 wolfSSL_ERR_error_string((unsigned long)e, buf));
		tls_stream_close(ts, why);
		return;
	}
	ts->state = TLS_STREAM_UP;
	ev_timer_stop(ts->node->loop, &ts->timer);
	/* Both ends measure silence from here (a client checks its
	 * stream too: transport.c, stream_check()). */
	ts->last_rx = node_now(ts->node);
	if (!ts->client) {
		ev_timer_set(&ts->timer, IDLE_TIMEOUT / 4, IDLE_TIMEOUT / 4);
		ev_timer_start(ts->node->loop, &ts->timer);
	}
	write_out(ts);
	if (ts->ops->up)
		ts->ops->up(ts);
}

/* Frames out of the decrypted bytes; false once the stream is closing. */
static bool parse_frames(struct tls_stream *ts)
{
	size_t off = 0;

	while (!ts->dead) {
		const uint8_t *frame;
		size_t flen;
		long used = tcpframe_next(ts->rx + off, ts->rx_len - off,
					  &frame, &flen);

		if (used == TCPFRAME_MORE)
			break;
		if (used < 0) {
			ts->rx_malformed++;
			tls_stream_close(ts, "malformed frame");
			return false;
		}
		ts->stats.rx_frames++;
		off += (size_t)used;
		ts->ops->frame(ts, frame, flen);
	}
	memmove(ts->rx, ts->rx + off, ts->rx_len - off);
	ts->rx_len -= off;
	return !ts->dead;
}

static void read_records(struct tls_stream *ts)
{
	struct node *node = ts->node;

	/* Answers to what arrives go out together, as after a UDP batch. */
	node->dp.tx_batching = true;
	node->dp.rx_coalescing = true;
	for (int round = 0; round < DATAPATH_BURST && !ts->dead; round++) {
		int ret = wolfSSL_read(ts->ssl, ts->rx + ts->rx_len,
				       (int)(sizeof(ts->rx) - ts->rx_len));

		if (ret <= 0) {
			int e = wolfSSL_get_error(ts->ssl, ret);

			if (e != WOLFSSL_ERROR_WANT_READ &&
			    e != WOLFSSL_ERROR_WANT_WRITE)
				tls_stream_close(ts, e == WOLFSSL_ERROR_ZERO_RETURN ||
						 e == SOCKET_PEER_CLOSED_E ?
						 "closed by the other end" :
						 "TLS read failed");
			break;
		}
		ts->last_rx = node_now(node);
		ts->rx_len += (size_t)ret;
		if (!parse_frames(ts))
			break;
	}
	/* Records wolfSSL has read but we have not: the socket may not wake
	 * us for them, so come back on the next loop iteration. */
	if (!ts->dead && wolfSSL_pending(ts->ssl) > 0)
		ev_feed_event(node->loop, &ts->io, EV_READ);
	/* Pongs to pings among the frames read. */
	if (!ts->dead && ts->out_len)
		write_out(ts);
	node->dp.tx_batching = false;
	node->dp.rx_coalescing = false;
	tun_flush(node);
	udp_flush(node);
}

/* One step of the state the stream is in, on readable (or connected). */
static void stream_step(struct tls_stream *ts)
{
	switch (ts->state) {
	case TLS_STREAM_PROXY:
		if (!ts->out_len)	/* else the request is not out yet */
			proxy_read(ts);
		break;
	case TLS_STREAM_WS_UPGRADE:
		if (!ts->out_len)
			ws_upgrade_read(ts);
		break;
	case TLS_STREAM_SNIFF:
		sniff(ts);
		break;
	case TLS_STREAM_WS_REQUEST:
		ws_request_read(ts);
		break;
	case TLS_STREAM_HANDSHAKE:
		handshake(ts);
		break;
	case TLS_STREAM_UP:
		read_records(ts);
		break;
	default:
		break;
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tls_stream *ts = w->data;
	enum tls_stream_state before;

	(void)loop;
	if (ts->dead)
		return;
	if (ts->state == TLS_STREAM_CONNECTING) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (!(revents & EV_WRITE))
			return;
		getsockopt(ts->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr) {
			tls_stream_close(ts, strerror(soerr));
			return;
		}
		/* A proxy first: its request is in the output buffer. Then
		 * the WebSocket upgrade, if any, then TLS. */
		ts->state = ts->out_len ? TLS_STREAM_PROXY :
					  TLS_STREAM_HANDSHAKE;
		write_out(ts);
		if (ts->state == TLS_STREAM_HANDSHAKE && ts->ws_path[0] &&
		    !ts->dead)
			ws_upgrade_start(ts);
	} else {
		if (revents & EV_WRITE)
			write_out(ts);
		if (!(revents & EV_READ))
			return;
	}
	/* What one read completes may let the next stage start on bytes
	 * already here (a proxy's answer followed by TLS, a Finished
	 * followed by records): go on while the state moves. Each stage
	 * only ever leads forward, so this ends. */
	while (!ts->dead) {
		before = ts->state;
		stream_step(ts);
		if (ts->state == before)
			break;
	}
}

WOLFSSL_CTX *tls_stream_context(struct node *node, bool client, char *err,
				size_t errlen)
{
	const struct config *cfg = &node->cfg;
	WOLFSSL_CTX *ctx;

	ctx = wolfSSL_CTX_new(client ? wolfTLSv1_3_client_method() :
				       wolfTLSv1_3_server_method());
	if (!ctx) {
		snprintf(err, errlen, "wolfSSL_CTX_new (TLS 1.3) failed");
		return NULL;
	}
	if (wolfSSL_CTX_load_verify_locations(ctx, cfg->ca_path, NULL) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_certificate_file(ctx, cfg->cert_path,
					     WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_file(ctx, cfg->key_path,
					    WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load the CA, certificate or key for TLS");
		wolfSSL_CTX_free(ctx);
		return NULL;
	}
	/* Both ends are nodes of the network: each shows its certificate,
	 * and the chain must lead to the network's CA. */
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER |
			       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519);
	wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_SECP256R1);
	return ctx;
}
