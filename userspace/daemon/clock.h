/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The daemon's time for ages, deadlines and rates. libev's ev_now() is
 * the wall clock, which NTP at boot, a resumed VM or `date -s` may step
 * by hours: every timestamp would then look that much older at once (all
 * peers dead, every session due for a rekey) or stop ageing (no rekey,
 * no dead peer, queued packets kept) until the clock caught up again.
 * node_now() runs on CLOCK_MONOTONIC instead, offset to read like the
 * wall clock at start, so that 0 still means "long ago". ev_timer is
 * monotonic already. Wall-clock times (certificates, `podnet show`'s
 * latest handshake) keep using time().
 */
#ifndef _PODNET_CLOCK_H
#define _PODNET_CLOCK_H

#include <ev.h>

struct node;

struct node_clock {
	ev_tstamp base;		/* wall clock minus monotonic, at start */
	ev_tstamp loop_rt;	/* ev_now() when now was read */
	ev_tstamp now;
};

/* CLOCK_MONOTONIC in seconds, read now. */
ev_tstamp clock_monotonic(void);
void node_clock_init(struct node *node);
/* The time of this event loop iteration, read once per iteration. */
ev_tstamp node_now(struct node *node);

#endif /* _PODNET_CLOCK_H */
