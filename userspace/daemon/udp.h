/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The node's UDP socket and everything sent or received on it: datagrams
 * to a path, batches sent with UDP GSO, batches received with recvmmsg
 * and UDP GRO whose data records are opened on the crypto threads.
 */
#ifndef _PODNET_UDP_H
#define _PODNET_UDP_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "crypto_pool.h"
#include "path.h"

struct node;
struct session;

/* Datagrams queued while a burst is handled, sent in one go. */
#define UDP_TX_BATCH 64
#define UDP_TX_SLOT 1600
/* recvmmsg entries, each possibly a GRO super-datagram, whose segments
 * are handled in rounds of UDP_RX_SEGS. */
#define UDP_RX_BATCH 16
#define UDP_RX_SLOT 65536
#define UDP_RX_SEGS 64
#define UDP_RX_PLAIN 2048

/* Datagrams waiting to be sent. Data records in it are sealed in place,
 * all at once and on several threads, just before the batch goes out. */
struct udp_tx {
	size_t count;
	uint8_t data[UDP_TX_BATCH][UDP_TX_SLOT] __attribute__((aligned(16)));
	size_t len[UDP_TX_BATCH];
	struct path path[UDP_TX_BATCH];
	size_t n_jobs;
	struct crypto_job jobs[UDP_TX_BATCH];
	size_t job_slot[UDP_TX_BATCH];
};

struct udp_rx {
	uint8_t bufs[UDP_RX_BATCH][UDP_RX_SLOT] __attribute__((aligned(16)));
	struct sockaddr_storage addrs[UDP_RX_BATCH];
	struct path from[UDP_RX_BATCH];	/* addrs[i] as a path, once */
	struct iovec iovs[UDP_RX_BATCH];
	struct mmsghdr msgs[UDP_RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl[UDP_RX_BATCH];
	/* The current round. session[k]: the session segment k was opened
	 * for, NULL when it goes to dispatch_datagram(). */
	size_t n_segs;
	const uint8_t *seg[UDP_RX_SEGS];
	size_t seg_len[UDP_RX_SEGS];
	int seg_msg[UDP_RX_SEGS];
	struct session *session[UDP_RX_SEGS];
	uint32_t index[UDP_RX_SEGS];
	struct crypto_job jobs[UDP_RX_SEGS];
	size_t job_of[UDP_RX_SEGS];
	uint8_t plain[UDP_RX_SEGS][UDP_RX_PLAIN] __attribute__((aligned(16)));
};

/* How many data datagrams, each carrying a packet of up to mtu bytes,
 * one UDP GSO send holds (relayed ones, with their second header, too). */
unsigned int udp_gso_datagrams(unsigned int mtu);
/* Make room for n more datagrams in the send queue, sending what it holds
 * when they would not fit. */
void udp_tx_reserve(struct node *node, size_t n);

/* The node's socket on ListenPort: node->udp_fd and node->udp_family. */
int udp_open(struct node *node, char *err, size_t errlen);
/* Asks the kernel for UDP GRO on the node's socket (not when podnet.ko
 * took the socket over). */
void udp_enable_gro(struct node *node);
void udp_close(struct node *node);

/*
 * Sends hdr and payload as one datagram on path, wrapped for the relay
 * when the path is relayed. While a burst is handled (tx_batching) it is
 * queued and goes out with udp_flush().
 */
int path_send(struct node *node, const struct path *path,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	      size_t payload_len);
/* Queues pkt as a data record of s, sealed with the rest of the batch;
 * outside a batch it is sealed and sent at once. */
int udp_queue_record(struct node *node, struct session *s,
		     const uint8_t *pkt, size_t len);
/* Seals the queued data records (before their keys go away). */
void udp_seal_pending(struct node *node);
/* Seals and sends everything queued. */
void udp_flush(struct node *node);

/* A watcher on the node's socket, a punch socket or the probe socket. */
void udp_read_cb(struct ev_loop *loop, ev_io *w, int revents);

#endif /* _PODNET_UDP_H */
