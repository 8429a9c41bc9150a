/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One TCP connection of the TCP/TLS transport (doc/transport.md): a
 * non-blocking socket on the libev loop, optionally through an HTTP
 * CONNECT proxy, then TLS 1.3 (wolfSSL) with both ends' node certificates,
 * carrying podnet datagrams framed by tcpframe.h. Its buffers are bounded:
 * a datagram that finds no room is dropped, as UDP would drop it.
 * transport.c owns the streams of both roles.
 */
#ifndef _PODNET_TLS_STREAM_H
#define _PODNET_TLS_STREAM_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "addr.h"
#include "proxy.h"
#include "tcpframe.h"
#include "websocket.h"

struct node;
struct tls_stream;

enum tls_stream_state {
	TLS_STREAM_CONNECTING,		/* TCP connect() under way */
	TLS_STREAM_PROXY,		/* waiting for the proxy's answer */
	TLS_STREAM_WS_UPGRADE,		/* client: waiting for the 101 */
	TLS_STREAM_SNIFF,		/* server: TLS or a WebSocket upgrade? */
	TLS_STREAM_WS_REQUEST,		/* server: reading the upgrade */
	TLS_STREAM_HANDSHAKE,		/* TLS */
	TLS_STREAM_UP,			/* carrying frames */
};

/* Plaintext frames gathered into one TLS record (below 16 KiB). */
#define TLS_STREAM_STAGE 16000
/* Decrypted bytes not yet parsed: a record and a partial frame. */
#define TLS_STREAM_RX (16384 + TCPFRAME_HEADER_LEN + TCPFRAME_MAX)
/* Proxy answer bytes (proxy.h). */
#define TLS_STREAM_PRE PROXY_RESPONSE_MAX

struct tls_stream_ops {
	/* A whole datagram arrived. */
	void (*frame)(struct tls_stream *ts, const uint8_t *buf, size_t len);
	/* The TLS handshake completed. */
	void (*up)(struct tls_stream *ts);
	/* The stream ended (why: for the log); ts is freed after. */
	void (*closed)(struct tls_stream *ts, const char *why);
};

struct tls_stream_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_bytes, tx_bytes;	/* on the TCP socket */
	uint64_t tx_dropped;		/* no room in the buffers */
};

struct tls_stream {
	struct node *node;
	const struct tls_stream_ops *ops;
	void *owner;
	int fd;
	enum tls_stream_state state;
	bool client;
	bool dead;			/* closing: nothing more in or out */
	bool dirty;			/* frames staged, on the flush list */
	struct tls_stream *next_dirty;
	char dead_why[96];
	WOLFSSL *ssl;
	struct endpoint remote;		/* the TCP peer (the proxy's, if any) */
	ev_io io;
	ev_timer timer;			/* handshake deadline, idle, close */
	ev_tstamp last_rx;
	/* Proxy: the answer so far, then what came after it. */
	uint8_t pre[TLS_STREAM_PRE];
	size_t pre_len, pre_off;
	/* Ciphertext waiting for the socket. */
	uint8_t *out;
	size_t out_len, out_cap;
	uint8_t stage[TLS_STREAM_STAGE];
	size_t stage_len;
	uint8_t rx[TLS_STREAM_RX];
	size_t rx_len;
	struct tls_stream_stats stats;
	uint64_t rx_malformed;		/* frames that were not podnet's */
	/* WebSocket: TLS travels in binary frames (websocket.h). */
	bool ws;
	char ws_host[PROXY_HOST_MAX + 8];	/* client: Host, "host:port" */
	char ws_path[128];
	char ws_key[WS_KEY_LEN + 1];
	uint8_t ws_raw[WS_FRAME_MAX + WS_HEADER_MAX];
	size_t ws_raw_len;
	size_t ws_pay_off, ws_pay_end;	/* payload of ws_raw's first frame */
	size_t ws_frame_end;		/* ... and where that frame ends */
};

/*
 * Client: connects to `to` (the rendezvous' TLS port, or the proxy with
 * target set to "host:port" for CONNECT); with ws_path, upgrades to a
 * WebSocket at ws_host ("host:port") and ws_path first. NULL with the
 * reason in err.
 */
struct tls_stream *tls_stream_connect(struct node *node, WOLFSSL_CTX *ctx,
				      const struct endpoint *to,
				      const struct proxy_url *proxy,
				      const char *target,
				      const char *ws_host, const char *ws_path,
				      const struct tls_stream_ops *ops,
				      void *owner, char *err, size_t errlen);
/* Server: takes an accepted socket. */
struct tls_stream *tls_stream_accept(struct node *node, WOLFSSL_CTX *ctx,
				     int fd, const struct endpoint *from,
				     const struct tls_stream_ops *ops,
				     void *owner);
/*
 * Queues one datagram (the pieces of iov together); it leaves with
 * tls_stream_flush(). 0, or -1 when it was dropped (not up, or no room).
 */
int tls_stream_send(struct tls_stream *ts, const struct iovec *iov,
		    size_t n);
/* Seals the staged datagrams into a record and writes what the socket
 * takes. */
void tls_stream_flush(struct tls_stream *ts);
/* Seals and writes every stream with staged datagrams. */
void tls_stream_flush_all(struct node *node);
/* Ends the stream soon (from the loop, not under the caller's feet). */
void tls_stream_close(struct tls_stream *ts, const char *why);
/* At once: for shutdown. Calls ops->closed. */
void tls_stream_destroy(struct tls_stream *ts, const char *why);

/* TLS 1.3 contexts with the node's certificate and the network's CA. */
WOLFSSL_CTX *tls_stream_context(struct node *node, bool client, char *err,
				size_t errlen);

#endif /* _PODNET_TLS_STREAM_H */
