/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The userspace data path: packets between the TUN device (tun.c) and the
 * UDP socket (udp.c), classified by dispatch.c. Its state is one struct
 * datapath embedded in the node; the files that do the work keep nothing
 * of their own. The rest of the daemon includes this header for what it
 * uses of the data path: struct path, path_send(), the UDP watcher
 * callback, control records.
 */
#ifndef _PODNET_DATAPATH_H
#define _PODNET_DATAPATH_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "dispatch.h"
#include "path.h"
#include "record.h"
#include "token_bucket.h"
#include "udp.h"
#include "wire.h"

struct datapath_buffers;
struct node;
struct tun_io;
struct udp_rx;
struct udp_tx;

/* Bound the work per wake-up so neither side starves the other. */
#define DATAPATH_BURST 64
/* The largest IP packet: a TSO or coalesced super-packet, a plaintext. */
#define DATAPATH_PACKET_MAX 65536
/* A data record of such a packet, with its podnet header. */
#define DATAPATH_SEALED_MAX \
	(WIRE_HEADER_LEN + DATAPATH_PACKET_MAX + RECORD_OVERHEAD)

/*
 * The buffers (about 1.6 MiB) are allocated once by datapath_init(), so
 * the node stays small; like the file statics they replace, their pages
 * count in the RSS only once traffic has used them.
 */
struct datapath {
	int tun_fd;			/* -1 with the kernel data path */
	bool tun_offload;		/* TSO super-packets from the TUN */
	bool tx_batching;		/* path_send() queues, the caller flushes */
	bool rx_coalescing;		/* TCP segments merge before the TUN */
	bool gso_unavailable;		/* UDP GSO failed: send singly */
	ev_io tun_watcher;
	ev_io udp_watcher;
	/* ICMP unreachables sent back into the TUN. */
	struct token_bucket icmp_limit;
	/* Requests for a fresh handshake, sent to whoever sends records
	 * under a session we do not have (dispatch.c). */
	struct token_bucket ask_limit;

	/* One allocation (datapath.c), reached through these. */
	struct datapath_buffers *buffers;
	struct udp_tx *tx;		/* datagrams waiting to be sent */
	struct udp_rx *rx;		/* a recvmmsg batch and its segments */
	struct tun_io *tun;		/* TUN reads, TSO, coalescing */
	uint8_t *plaintext;		/* a record opened outside a batch */
	uint8_t *sealed;		/* a record sealed outside a batch */
};

/* Allocates the buffers; 0, or -1 when out of memory. Leaves the rest of
 * dp alone: the node sets tun_fd before anything can fail. */
int datapath_init(struct datapath *dp);
/* Frees the buffers; after every session is gone (they seal what is
 * queued when they end). */
void datapath_free(struct datapath *dp);
/* The TUN and UDP watchers: started once the sockets are open. */
void datapath_start(struct node *node);
void datapath_stop(struct node *node);

#endif /* _PODNET_DATAPATH_H */
