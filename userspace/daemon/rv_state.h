/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Where a rendezvous' nodes registered from, kept across its restart
 * (rv_state.c).
 */
#ifndef _PODNET_RV_STATE_H
#define _PODNET_RV_STATE_H

#include <ev.h>

struct node;

struct peer;

/* Rewrites the file when a registration moved (housekeeping). */
void rv_state_save(struct node *node, ev_tstamp now);
/* p registered: the file follows, now or at the next housekeeping. */
void rv_state_registered(struct peer *p, ev_tstamp now);
/* Once, at start: tells every node of the file that we restarted,
 * paced (a timer, stopped by rv_state_close()). */
void rv_state_announce(struct node *node);
/* Stops telling them, and forgets the list. */
void rv_state_close(struct node *node);

#endif /* _PODNET_RV_STATE_H */
