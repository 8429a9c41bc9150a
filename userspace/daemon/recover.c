// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Relayed peers when their rendezvous fails. Two nodes that talk through a
 * relay keep their DTLS session whatever happens to the relay: only the
 * path has to move. How a node learns that it must move it:
 *
 *  - A restarted rendezvous has a new boot id, which it sends after every
 *    registration; a node that sees it change asks again for every peer
 *    it relayed through it, and the new introduction brings a new channel.
 *  - A node learns of the restart quickly because the rendezvous answers a
 *    datagram under a session or relay channel it does not know with a
 *    notice carrying its boot id. A notice is not authenticated, so it is
 *    only a hint: it makes the node handshake with the rendezvous (rate
 *    limited) or look a peer up again, never drop a session or a path.
 *  - A relayed peer that falls silent for a second makes the node check
 *    the rendezvous with a ping through their own session; at once it
 *    moves the peer to another rendezvous' relay when there is one, and
 *    when the ping goes unanswered the rendezvous counts as lost.
 */
#include "recover.h"

#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "transport.h"
#include "traversal.h"
#include "wire.h"

#define RECOVER_TICK 0.25		/* s */
/* Silence of a relayed peer that makes us check its relay. */
#define SILENCE_FIRST 1.0		/* s */
/* A rendezvous answers a ping within this, or counts as lost. */
#define PING_TIMEOUT 1.0		/* s */
/* Moves between relays at most this often (no flapping). */
#define SWITCH_HOLD 3.0			/* s */
/* Handshakes a notice may trigger, at most one per this. */
#define REHANDSHAKE_MIN 1.0		/* s */

/* What a peer's recovery holds when it holds nothing: a peer without
 * recovery state reads as this. */
static const struct peer_recover nothing;

/*
 * A peer's recovery state, allocated when recovery first needs it: most
 * peers of a large network never fail over, and ~280 bytes in each of
 * them showed in the RSS per idle peer. NULL only when out of memory.
 */
static struct peer_recover *state(struct peer *peer)
{
	if (!peer->nat.recover)
		peer->nat.recover = calloc(1, sizeof(*peer->nat.recover));
	return peer->nat.recover;
}

/* Read-only: the state, or `nothing`. */
static const struct peer_recover *peek(const struct peer *peer)
{
	return peer->nat.recover ? peer->nat.recover : &nothing;
}

static bool is_relayed_via(const struct path *p, const struct peer *rv)
{
	return p->relay_channel && p->ep.len &&
	       (endpoint_equal(&p->ep, &rv->path.ep) ||
		endpoint_equal(&p->ep, &rv->config_endpoint));
}

static bool usable(const struct peer *rv)
{
	return rv->current && rv->nat.registered && !peek(rv)->lost;
}

/*
 * A relay path through a working rendezvous other than `not`. Both ends
 * of a pair pick the same one when they can, the rendezvous whose name
 * sorts first: each end follows the relay the other's records come
 * through, and two different choices would swap places for ever.
 */
static const struct recover_offer *alternative(const struct peer *peer,
					       const struct peer *not)
{
	const struct peer_recover *r = peek(peer);
	const struct recover_offer *best = NULL;

	for (size_t i = 0; i < r->n_offers; i++) {
		const struct recover_offer *o = &r->offers[i];

		if (o->rv != not && o->path.relay_channel && usable(o->rv) &&
		    (!best || strcmp(o->rv->name, best->rv->name) < 0))
			best = o;
	}
	return best;
}

const struct path *recover_relay_choice(const struct peer *peer)
{
	const struct recover_offer *o = alternative(peer, NULL);

	return o ? &o->path : NULL;
}

static bool has_offer(const struct peer *peer, const struct peer *rv)
{
	const struct peer_recover *r = peek(peer);

	for (size_t i = 0; i < r->n_offers; i++) {
		if (r->offers[i].rv == rv)
			return true;
	}
	return false;
}

/* A relayed peer should have an offer from every working rendezvous, so
 * that it has a relay to fall back on when the one it uses fails. */
static bool offers_missing(const struct peer *peer)
{
	for (const struct peer *p = peer->node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous && usable(p) && !has_offer(peer, p))
			return true;
	}
	return false;
}

static void drop_offer(struct peer *peer, const struct peer *rv)
{
	struct peer_recover *r = peer->nat.recover;

	for (size_t i = 0; r && i < r->n_offers; i++) {
		if (r->offers[i].rv == rv) {
			r->offers[i] = r->offers[--r->n_offers];
			return;
		}
	}
}

bool recover_offer(struct peer *peer, struct peer *rv, const struct path *relay)
{
	struct peer_recover *r = state(peer);
	bool move;
	size_t i;

	if (!r)
		return false;
	r->not_found = false;
	for (i = 0; i < r->n_offers && r->offers[i].rv != rv; i++)
		;
	if (i == r->n_offers) {
		if (r->n_offers == RECOVER_OFFERS)
			i = 0;	/* more rendezvous than we keep: replace */
		else
			r->n_offers++;
	}
	r->offers[i].rv = rv;
	r->offers[i].path = *relay;
	/* Our relay path is gone, or the same rendezvous now gives another
	 * channel (it forgot the old one): move at once. */
	move = peer->path.relay_channel && relay->relay_channel &&
	       (r->stale || (is_relayed_via(&peer->path, rv) &&
			     peer->path.relay_channel != relay->relay_channel));
	if (relay->relay_channel) {
		r->stale = false;
		r->refused = false;
	}
	return move;
}

/*
 * rv restarted (its relay channels are gone) or stopped answering (it
 * relays nothing): every peer relayed through it moves to another relay,
 * or asks for a new introduction.
 */
static void rendezvous_lost(struct peer *rv, bool restarted)
{
	struct node *node = rv->node;
	char desc[ADDR_STR_MAX + 32];

	if (state(rv)) {
		rv->nat.recover->lost = !restarted;
		rv->nat.recover->ping_id = 0;
	}
	for (struct peer *p = node->peers; p; p = p->next) {
		const struct recover_offer *alt;

		if (p->nat.is_rendezvous)
			continue;
		drop_offer(p, rv);
		if (is_relayed_via(&p->nat.relay_path, rv))
			memset(&p->nat.relay_path, 0, sizeof(p->nat.relay_path));
		if (!is_relayed_via(&p->path, rv))
			continue;
		alt = alternative(p, rv);
		if (alt) {
			log_info_ratelimited("peer %s: relay moves to rendezvous %s (%s)",
					     p->name, alt->rv->name,
					     path_format(&alt->path, desc,
							 sizeof(desc)));
			if (state(p))
				p->nat.recover->last_switch = node_now(node);
			p->nat.relay_path = alt->path;
			traversal_use_path(p, &alt->path);
		} else if (state(p)) {
			p->nat.recover->stale = true;
		}
		traversal_lookup(p, true);
	}
	/* A rendezvous that does not answer has no session worth keeping:
	 * its registration starts again. */
	if (!restarted)
		transport_rv_silent(rv);
	if (!restarted && rv->current) {
		log_warn("rendezvous %s does not answer; registering with it again",
			 rv->name);
		session_destroy(rv->current);
	}
}

void recover_boot(struct peer *rv, uint64_t boot_id)
{
	struct peer_recover *r = state(rv);
	bool restarted;

	if (!r)
		return;
	restarted = r->boot_id && r->boot_id != boot_id;
	r->boot_id = boot_id;
	r->lost = false;
	if (restarted) {
		log_info("rendezvous %s restarted: asking again for the peers relayed through it",
			 rv->name);
		rendezvous_lost(rv, true);
	}
}

bool recover_pong(struct peer *rv, uint64_t id)
{
	struct peer_recover *r = rv->nat.recover;

	if (!r || !id || id != r->ping_id)
		return false;
	r->ping_id = 0;
	return true;
}

void recover_not_found(struct peer *rv, const char *name)
{
	struct peer *peer = peer_find_by_name(rv->node, name);

	if (peer && !peer->nat.is_rendezvous && state(peer))
		peer->nat.recover->not_found = true;
}

/* A fresh session with rv, which may have forgotten ours. */
static void rehandshake(struct peer *rv)
{
	struct peer_recover *r = state(rv);
	ev_tstamp now = node_now(rv->node);

	if (!r || now - r->last_rehandshake < REHANDSHAKE_MIN ||
	    (rv->handshake && now - rv->handshake->created < REHANDSHAKE_MIN))
		return;
	r->last_rehandshake = now;
	log_debug("rendezvous %s may have restarted: handshaking again",
		  rv->name);
	if (session_start_client(rv))
		log_warn("rendezvous %s: cannot start a handshake", rv->name);
}

/* The peer whose relay path through rv uses channel, if any. */
static struct peer *channel_user(struct peer *rv, uint32_t channel)
{
	for (struct peer *p = rv->node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous)
			continue;
		if ((is_relayed_via(&p->path, rv) &&
		     p->path.relay_channel == channel) ||
		    (is_relayed_via(&p->nat.relay_path, rv) &&
		     p->nat.relay_path.relay_channel == channel))
			return p;
	}
	return NULL;
}

void recover_notice(struct node *node, const struct path *from,
		    uint32_t index, uint64_t boot_id, uint8_t kind)
{
	struct peer *rv = peer_find_rendezvous(node, &from->ep);
	struct peer *peer = NULL;

	/* Only about an index we use with that rendezvous: a blind spoofer
	 * would have to guess it. */
	if (rv && kind == WIRE_NOTICE_UNKNOWN_SESSION &&
	    (!rv->current || rv->current->remote_index != index))
		rv = NULL;
	if (rv && kind == WIRE_NOTICE_UNKNOWN_CHANNEL) {
		peer = channel_user(rv, index);
		if (!peer)
			rv = NULL;
	}
	if (!rv) {
		node->stats.rx_malformed++;
		return;
	}
	if (peer && state(peer))
		peer->nat.recover->refused = true;
	if (boot_id != peek(rv)->boot_id ||
	    kind == WIRE_NOTICE_UNKNOWN_SESSION) {
		/* Another life of the rendezvous: register with it again;
		 * its boot id then moves the relayed peers. */
		rehandshake(rv);
	} else if (peer) {
		/* The same life, but our channel is gone: a new one. */
		if (state(peer))
			peer->nat.recover->stale = true;
		traversal_lookup(peer, false);
	}
}

/* A liveness check of rv: a ping through our own session with it. */
static void check_rendezvous(struct peer *rv, ev_tstamp now)
{
	struct peer_recover *r = state(rv);
	struct rv_msg m = { .type = RV_PING };
	WC_RNG rng;

	if (!r || r->ping_id || r->lost)
		return;
	if (!rv->current) {
		rendezvous_lost(rv, false);
		return;
	}
	if (wc_InitRng(&rng))
		return;
	if (wc_RNG_GenerateBlock(&rng, (uint8_t *)&m.ping_id,
				 sizeof(m.ping_id)) || !m.ping_id)
		m.ping_id = 1;
	wc_FreeRng(&rng);
	if (session_send_control(rv->current, &m))
		return;
	r->ping_id = m.ping_id;
	r->ping_sent = now;
}

/* A relayed peer went silent: check its relay, and use another at once
 * when there is one (both ends follow an authenticated record). */
static void relayed_silence(struct peer *peer, ev_tstamp now)
{
	struct peer_recover *r = state(peer);
	struct peer *rv = peer_find_rendezvous(peer->node, &peer->path.ep);
	const struct recover_offer *alt;
	double ka = peer->node->cfg.keepalive_interval;
	char desc[ADDR_STR_MAX + 32];

	if (!r)
		return;
	if (r->episode_rx != peer->last_rx) {
		r->episode_rx = peer->last_rx;
		r->episode_tx = peer->stats.tx_packets;
		r->next_check = SILENCE_FIRST;
	}
	if (now - peer->last_rx < r->next_check)
		return;
	r->next_check *= 2;
	if (ka > SILENCE_FIRST && r->next_check > ka)
		r->next_check = ka;
	if (!rv)
		return;
	check_rendezvous(rv, now);
	/* Only when we sent data and heard nothing: an idle pair is silent
	 * between keepalives, and must not wander between relays. */
	alt = alternative(peer, rv);
	if (alt && peer->stats.tx_packets != r->episode_tx &&
	    now - r->last_switch >= SWITCH_HOLD) {
		log_info_ratelimited("peer %s: silent for %.1f s through rendezvous %s; trying the relay of %s (%s)",
				     peer->name, now - peer->last_rx, rv->name,
				     alt->rv->name,
				     path_format(&alt->path, desc, sizeof(desc)));
		r->last_switch = now;
		peer->nat.relay_path = alt->path;
		traversal_use_path(peer, &alt->path);
	}
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct node *node = w->data;
	ev_tstamp now = node_now(node);
	bool relayed = false;

	for (struct peer *p = node->peers; p; p = p->next) {
		const struct peer_recover *r = peek(p);

		if (p->nat.is_rendezvous) {
			if (r->ping_id && now - r->ping_sent > PING_TIMEOUT)
				rendezvous_lost(p, false);
			continue;
		}
		if (!p->path.relay_channel)
			continue;
		relayed = true;
		if (p->current)
			relayed_silence(p, now);
	}
	if (relayed)
		return;
	/* Nothing relayed any more: nor any check left to finish. */
	ev_timer_stop(loop, w);
	for (struct peer *p = node->peers; p; p = p->next) {
		if (p->nat.recover)
			p->nat.recover->ping_id = 0;
	}
}

void recover_housekeeping(struct node *node, ev_tstamp now)
{
	ev_timer *t = &node->nat.recover.timer;

	for (struct peer *p = node->peers; p; p = p->next) {
		/* A direct path makes up for a lost relay, and ends the
		 * recovery: its state goes until the next one. */
		if (p->current && !p->path.relay_channel &&
		    !p->nat.is_rendezvous) {
			free(p->nat.recover);
			p->nat.recover = NULL;
		}
		/* Waiting for a new relay channel, or for a second one:
		 * keep asking (lookups go out every 2 s at most). */
		if (!p->nat.is_rendezvous &&
		    (peek(p)->stale ||
		     (p->path.relay_channel && offers_missing(p))))
			traversal_lookup(p, false);
		if (p->path.relay_channel && !ev_is_active(t)) {
			ev_timer_init(t, tick_cb, RECOVER_TICK, RECOVER_TICK);
			t->data = node;
			ev_timer_start(node->loop, t);
		}
	}
}

void recover_peer_changed(struct peer *peer, enum peer_event what)
{
	/* A check of a session that has been replaced proves nothing: the
	 * new one must not be dropped for the old one's silence. */
	if (what == PEER_SESSION_PROMOTED && peer->nat.recover)
		peer->nat.recover->ping_id = 0;
	if (what != PEER_REMOVED)
		return;
	free(peer->nat.recover);
	peer->nat.recover = NULL;
	for (struct peer *p = peer->node->peers; p; p = p->next)
		drop_offer(p, peer);
}

bool recover_no_path(const struct peer *peer, char *buf, size_t len)
{
	const struct peer_recover *r = peek(peer);
	bool any_rv = false, rv_ok = false;
	size_t n = 0;

	if (peer->nat.is_rendezvous || (peer->current && !r->stale))
		return false;
	for (const struct peer *p = peer->node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous) {
			any_rv = true;
			rv_ok |= usable(p);
		}
	}
	buf[0] = '\0';
#define REASON(s) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, \
					"%s%s", n ? ", " : "", (s)))
	if (any_rv && !rv_ok)
		REASON("rendezvous unreachable");
	if (r->not_found)
		REASON("not known to the rendezvous");
	if (!strcmp(peer->nat.path_reason, "no reply from any candidate"))
		REASON("punch failed");
	else if (peer->nat.path_reason[0])
		REASON(peer->nat.path_reason);
	if (r->refused)
		REASON("relay refused");
	else if (r->stale)
		REASON("relay lost");
	if (!n)
		REASON(peer->handshake ? "handshake under way" :
		       "no answer yet");
#undef REASON
	return true;
}
