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

/* calloc() aligns for max_align_t only; the buffers ask for 16. */
_Static_assert(_Alignof(struct udp_tx) <= _Alignof(max_align_t) &&
	       _Alignof(struct udp_rx) <= _Alignof(max_align_t) &&
	       _Alignof(struct tun_io) <= _Alignof(max_align_t),
	       "data path buffers need a stricter alignment than calloc's");

int datapath_init(struct datapath *dp)
{
	/* calloc, not malloc and memset: pages stay untouched, and so out
	 * of the RSS, until traffic uses them. */
	dp->tx = calloc(1, sizeof(*dp->tx));
	dp->rx = calloc(1, sizeof(*dp->rx));
	dp->tun = calloc(1, sizeof(*dp->tun));
	dp->plaintext = calloc(1, DATAPATH_PACKET_MAX);
	dp->sealed = calloc(1, DATAPATH_SEALED_MAX);
	if (!dp->tx || !dp->rx || !dp->tun || !dp->plaintext || !dp->sealed) {
		datapath_free(dp);
		return -1;
	}
	return 0;
}

void datapath_free(struct datapath *dp)
{
	free(dp->tx);
	free(dp->rx);
	free(dp->tun);
	free(dp->plaintext);
	free(dp->sealed);
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
