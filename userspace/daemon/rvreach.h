/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Can this node reach its rendezvous nodes (rvreach.c)? Retries with a
 * bounded backoff while one does not answer, one warning when it becomes
 * unreachable, one line when it answers again, and the state for
 * `podnet show`.
 */
#ifndef _PODNET_RVREACH_H
#define _PODNET_RVREACH_H

#include <ev.h>
#include <time.h>

#include "peer_event.h"

struct peer;

enum rvreach_state {
	RVREACH_TRYING,			/* not registered yet, not for long */
	RVREACH_REACHABLE,		/* it acknowledged our registration */
	RVREACH_UNREACHABLE,		/* no answer for RVREACH_WARN_AFTER */
};

/* A rendezvous peer's part (peer->nat.reach). */
struct peer_rvreach {
	enum rvreach_state state;
	time_t since;			/* wall clock of the last change */
	ev_tstamp trying_since;		/* 0: not trying */
	ev_tstamp interval;		/* until the retry after the next */
	ev_timer retry_timer;
};

void rvreach_peer_changed(struct peer *peer, enum peer_event what);
/* Every second, for each rendezvous peer. */
void rvreach_housekeeping(struct peer *rv, ev_tstamp now);
/* It acknowledged a registration. */
void rvreach_registered(struct peer *rv);
const char *rvreach_state_name(enum rvreach_state state);
/* Seconds until the next retry; negative when none is planned. */
double rvreach_next_retry(const struct peer *rv);

#endif /* _PODNET_RVREACH_H */
