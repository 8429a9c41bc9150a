/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TCP/TLS transport to the rendezvous (transport.c, doc/transport.md).
 * A rendezvous with ListenTcp accepts nodes over TLS and treats each
 * stream as one more UDP source; a node whose UDP to its rendezvous goes
 * unanswered carries its datagrams for the rendezvous (and the relay) on
 * such a stream, keeps probing UDP and comes back when it answers. Both
 * hook in where datagrams leave (path_send, udp_flush): a datagram for a
 * stream is framed onto it instead of the UDP socket.
 */
#ifndef _PODNET_TRANSPORT_H
#define _PODNET_TRANSPORT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "addr.h"
#include "path.h"
#include "peer_event.h"

struct node;
struct peer;
struct tls_stream;

/* Streams a rendezvous serves at once; their fds index a table. */
#define TRANSPORT_STREAMS_MAX 512
#define TRANSPORT_FD_MAX 8192

struct transport_stats {
	uint64_t streams_accepted;
	uint64_t streams_refused;	/* over TRANSPORT_STREAMS_MAX */
	uint64_t streams_failed;	/* handshake failed or timed out */
	uint64_t rx_malformed;		/* frames that ended their stream */
	uint64_t tx_dropped;		/* no room in a stream's buffers */
	uint64_t tx_stale;		/* for a stream that has ended */
	uint64_t to_tcp, to_udp;	/* a node's switches */
	uint64_t dials;
	uint64_t streams_silent;	/* a node's, closed as dead */
};

/* The node's part (node->transport). */
struct node_transport {
	/* Node role. */
	bool using_tcp;			/* datagrams for rv go on stream */
	bool force_udp;			/* this send is a UDP probe */
	bool in_client_frame;		/* dispatching rv's stream frame */
	char why[192];			/* for `podnet show` */
	time_t since;			/* wall clock of the last switch */
	ev_tstamp udp_heard;		/* rv's last record over UDP */
	time_t udp_heard_wall;
	ev_tstamp last_probe;
	ev_tstamp probe_since;		/* UDP probes unanswered since */
	ev_tstamp stream_probe_since;	/* ... on the stream, since */
	ev_tstamp stream_last_probe;
	ev_tstamp stream_suspect;	/* rv missed a ping at, 0: no */
	ev_tstamp next_dial;
	double dial_backoff;
	struct peer *rv;		/* the rendezvous we dial */
	struct endpoint rv_ep;		/* its UDP endpoint */
	struct tls_stream *stream;	/* to rv, NULL while none */
	char stream_error[128];		/* why the last one ended */
	WOLFSSL_CTX *client_ctx;
	/* Rendezvous role. */
	int listen_fd;
	ev_io listen_watcher;
	WOLFSSL_CTX *server_ctx;
	struct tls_stream **by_fd;	/* TRANSPORT_FD_MAX */
	bool *was_stream;		/* ... fds ever used by a stream */
	unsigned int n_streams;
	/* Both: streams with staged datagrams (tls_stream.c). */
	struct tls_stream *dirty;
	ev_timer timer;
	struct transport_stats stats;
};

/* After udp_open(): the TLS contexts, the listener, the timer. */
int transport_open(struct node *node, char *err, size_t errlen);
void transport_close(struct node *node);
/* After a reload: TLS contexts with the new certificates (streams up keep
 * theirs). */
void transport_reload(struct node *node);
void transport_peer_changed(struct peer *peer, enum peer_event what);
/* The rendezvous rv missed a ping (recover.c). */
void transport_rv_silent(struct peer *rv);
/*
 * A datagram (the pieces of iov) for path: true when a stream took it
 * (or dropped it), false when it goes on UDP as usual.
 */
bool transport_send(struct node *node, const struct path *path,
		    const struct iovec *iov, size_t n);
/* Seals and sends what the streams have staged (after a batch). */
void transport_flush(struct node *node);
/*
 * A record from `from` authenticated. When that is the rendezvous and it
 * came on UDP (not on a stream), UDP to the rendezvous works. Only
 * authenticated records count: a datagram spoofed from the rendezvous'
 * address must not pull a node off TCP.
 */
void transport_udp_heard(struct node *node, const struct path *from);
/* Datagrams on path go on a TCP stream now. */
bool transport_path_on_tcp(struct node *node, const struct path *path);
/* transport=... lines of the control socket's status. */
void transport_status(struct node *node, FILE *f);

#endif /* _PODNET_TRANSPORT_H */
