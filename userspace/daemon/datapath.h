/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The userspace data path (datapath.c): where datagrams for a peer go, and
 * the watchers that carry packets between the TUN device and the UDP
 * socket.
 */
#ifndef _PODNET_DATAPATH_H
#define _PODNET_DATAPATH_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct node;
struct peer;

/*
 * Where datagrams for a peer go: an address, the socket to send from (the
 * main one, or one opened to get through a symmetric NAT), and when the
 * path is relayed, the relay channel. A session keeps its keys when its
 * path changes (roaming, relay -> direct).
 */
struct path {
	struct endpoint ep;
	int fd;
	uint32_t relay_channel;	/* 0: direct */
};

/* datapath.c */
void datapath_tun_cb(struct ev_loop *loop, ev_io *w, int revents);
void datapath_udp_cb(struct ev_loop *loop, ev_io *w, int revents);
void datapath_flush(struct node *node);
void datapath_seal_pending(struct node *node);
void datapath_control_record(struct node *node, struct peer *peer,
			     const uint8_t *buf, size_t len);
int path_send(struct node *node, const struct path *path,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	      size_t payload_len);
bool path_equal(const struct path *a, const struct path *b);
const char *path_format(const struct path *p, char *buf, size_t len);

#endif /* _PODNET_DATAPATH_H */
