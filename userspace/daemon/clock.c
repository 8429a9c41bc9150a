// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "clock.h"

#include <time.h>

#include "node.h"

ev_tstamp clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ev_tstamp)ts.tv_sec + (ev_tstamp)ts.tv_nsec * 1e-9;
}

void node_clock_init(struct node *node)
{
	node->clock.base = ev_time() - clock_monotonic();
	node->clock.loop_rt = 0;
	node->clock.now = 0;
}

ev_tstamp node_now(struct node *node)
{
	/* ev_now() changes once per loop iteration (and at
	 * ev_now_update()): the monotonic clock is read then, not for
	 * every packet. */
	ev_tstamp rt = ev_now(node->loop);

	if (rt != node->clock.loop_rt) {
		node->clock.loop_rt = rt;
		node->clock.now = node->clock.base + clock_monotonic();
	}
	return node->clock.now;
}
