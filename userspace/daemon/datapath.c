// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The data path's state: allocated once at startup, freed at shutdown,
 * and the two watchers that drive it.
 */
#include "datapath.h"

#include <stddef.h>
#include <stdlib.h>

#include "node.h"
#include "tun.h"
#include "udp.h"

/* Every buffer in one allocation: big enough that malloc maps fresh
 * zero pages for it, which stay out of the RSS until traffic touches
 * them, as the file statics did. Several smaller ones would come from
 * the heap, and calloc would clear (touch) them. */
struct datapath_buffers {
	struct udp_tx tx;
	struct udp_rx rx;
	struct tun_io tun;
	uint8_t plaintext[DATAPATH_PACKET_MAX] __attribute__((aligned(16)));
	uint8_t sealed[DATAPATH_SEALED_MAX] __attribute__((aligned(16)));
};

/* calloc() aligns for max_align_t only; the buffers ask for 16. */
_Static_assert(_Alignof(struct datapath_buffers) <= _Alignof(max_align_t),
	       "data path buffers need a stricter alignment than calloc's");

int datapath_init(struct datapath *dp)
{
	struct datapath_buffers *b = calloc(1, sizeof(*b));

	if (!b)
		return -1;
	dp->buffers = b;
	dp->tx = &b->tx;
	dp->rx = &b->rx;
	dp->tun = &b->tun;
	dp->plaintext = b->plaintext;
	dp->sealed = b->sealed;
	return 0;
}

void datapath_free(struct datapath *dp)
{
	free(dp->buffers);
	dp->buffers = NULL;
	dp->tx = NULL;
	dp->rx = NULL;
	dp->tun = NULL;
	dp->plaintext = NULL;
	dp->sealed = NULL;
}

void datapath_start(struct node *node)
{
	struct datapath *dp = &node->dp;

	if (dp->tun_fd >= 0) {
		ev_io_init(&dp->tun_watcher, tun_read_cb, dp->tun_fd, EV_READ);
		dp->tun_watcher.data = node;
		ev_io_start(node->loop, &dp->tun_watcher);
	}
	ev_io_init(&dp->udp_watcher, udp_read_cb, node->udp_fd, EV_READ);
	dp->udp_watcher.data = node;
	ev_io_start(node->loop, &dp->udp_watcher);
}

void datapath_stop(struct node *node)
{
	ev_io_stop(node->loop, &node->dp.tun_watcher);
	ev_io_stop(node->loop, &node->dp.udp_watcher);
}
