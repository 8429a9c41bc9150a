// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Reaching the rendezvous. While a rendezvous does not answer, a node
 * retries on its own timer with a backoff that doubles from
 * RVREACH_RETRY_MIN up to RVREACH_RETRY_MAX, and says once that it is
 * unreachable; its peers with a configured Endpoint never needed it.
 *
 * The cap comes from the recovery target: a restarted rendezvous knows
 * nothing of its nodes, so a node learns that it is back only from its
 * own next retry. Each retry is a fresh handshake, whose ClientHello
 * DTLS itself resends after 1 s and 2 s more; with retries at most
 * RVREACH_RETRY_MAX apart, no node stays silent towards its rendezvous for
 * more than about 2 s, and registers again well within 5 s of its return.
 */
#include "rvreach.h"

#include "log.h"
#include "node.h"
#include "peer.h"
#include "registration.h"
#include "resolve.h"
#include "session.h"
#include "traversal.h"

#define RVREACH_RETRY_MIN 1.0	/* s */
#define RVREACH_RETRY_MAX 4.0	/* s: see above */
/* No registration for this long: unreachable. A rendezvous that is up
 * answers within a round trip or two. */
#define RVREACH_WARN_AFTER 3.0	/* s */
/* A handshake younger than this may still be answered: left alone. */
#define RVREACH_HANDSHAKE_FRESH 1.0	/* s */

const char *rvreach_state_name(enum rvreach_state state)
{
	switch (state) {
	case RVREACH_REACHABLE:
		return "reachable";
	case RVREACH_UNREACHABLE:
		return "unreachable";
	default:
		return "trying";
	}
}

static void set_state(struct peer *rv, enum rvreach_state state)
{
	if (rv->nat.reach.state == state)
		return;
	rv->nat.reach.state = state;
	rv->nat.reach.since = time(NULL);
}

static void describe(const struct peer *rv, char *buf, size_t len)
{
	char ep[ADDR_STR_MAX];
	struct path path = rv->path;

	if (!path.ep.len)
		path.ep = rv->config_endpoint;
	snprintf(buf, len, "%s (%s)", rv->name,
		 path.ep.len ? path_format(&path, ep, sizeof(ep)) : "no address");
}

static void retry(struct peer *rv)
{
	struct session *hs = rv->handshake;
	ev_tstamp now = node_now(rv->node);

	if (rv->current) {
		/* A session, but no answer to the registration on it. */
		registration_send(rv);
		return;
	}
	if (hs && now - hs->created < RVREACH_HANDSHAKE_FRESH)
		return;
	/* Known by a name without an answer yet: resolve.c dials it once
	 * one comes. */
	if (resolve_waiting(rv))
		return;
	/* A fresh handshake rather than waiting out the DTLS timer of the
	 * old one, whose gaps grow to 8 s. */
	if (session_start_client(rv))
		log_warn_ratelimited("rendezvous %s: cannot start a handshake",
				     rv->name);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct peer *rv = w->data;
	struct peer_rvreach *r = &rv->nat.reach;
	ev_tstamp now = node_now(rv->node);
	char desc[CERT_NAME_MAX + ADDR_STR_MAX + 8];

	if (rv->nat.registered || !r->trying_since)
		return;
	/* A reload made it an ordinary peer: peer.c dials it now. */
	if (!rv->nat.is_rendezvous) {
		r->trying_since = 0;
		return;
	}
	if (r->state != RVREACH_UNREACHABLE &&
	    now - r->trying_since >= RVREACH_WARN_AFTER) {
		set_state(rv, RVREACH_UNREACHABLE);
		describe(rv, desc, sizeof(desc));
		log_warn("rendezvous %s unreachable; peers with known endpoints keep working (retrying every %.0f s at most)",
			 desc, RVREACH_RETRY_MAX);
	}
	retry(rv);
	/* A rendezvous known by name may have moved. */
	resolve_peer_silent(rv);
	ev_timer_set(w, r->interval, 0.);
	ev_timer_start(loop, w);
	r->interval *= 2;
	if (r->interval > RVREACH_RETRY_MAX)
		r->interval = RVREACH_RETRY_MAX;
}

static void start_trying(struct peer *rv, ev_tstamp now)
{
	struct peer_rvreach *r = &rv->nat.reach;

	r->trying_since = now;
	r->interval = RVREACH_RETRY_MIN * 2;
	ev_timer_stop(rv->node->loop, &r->retry_timer);
	ev_timer_set(&r->retry_timer, RVREACH_RETRY_MIN, 0.);
	ev_timer_start(rv->node->loop, &r->retry_timer);
}

void rvreach_housekeeping(struct peer *rv, ev_tstamp now)
{
	if (!rv->nat.registered && !rv->nat.reach.trying_since)
		start_trying(rv, now);
}

void rvreach_registered(struct peer *rv)
{
	struct peer_rvreach *r = &rv->nat.reach;
	ev_tstamp now = node_now(rv->node);
	char desc[CERT_NAME_MAX + ADDR_STR_MAX + 8];

	if (r->state == RVREACH_UNREACHABLE) {
		describe(rv, desc, sizeof(desc));
		log_info("rendezvous %s reachable again after %.0f s", desc,
			 now - r->trying_since);
	}
	set_state(rv, RVREACH_REACHABLE);
	r->trying_since = 0;
	ev_timer_stop(rv->node->loop, &r->retry_timer);
}

double rvreach_next_retry(const struct peer *rv)
{
	const struct peer_rvreach *r = &rv->nat.reach;

	if (!ev_is_active(&r->retry_timer))
		return -1;
	return ev_timer_remaining(rv->node->loop,
				  (ev_timer *)&r->retry_timer);
}

void rvreach_peer_changed(struct peer *peer, enum peer_event what)
{
	struct peer_rvreach *r = &peer->nat.reach;

	switch (what) {
	case PEER_CREATED:
		r->state = RVREACH_TRYING;
		r->since = time(NULL);
		ev_init(&r->retry_timer, retry_cb);
		r->retry_timer.data = peer;
		break;
	case PEER_REMOVED:
		ev_timer_stop(peer->node->loop, &r->retry_timer);
		break;
	case PEER_SESSION_GONE:
		/* Its registration went with the session: lookups wait for
		 * the next one, and the retries start on the next tick. */
		if (peer->nat.is_rendezvous && !peer->current) {
			peer->nat.registered = false;
			traversal_rendezvous_changed(peer->node);
		}
		break;
	default:
		break;
	}
}
