// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A rendezvous keeps its registrations in memory only. Just after it
 * restarts it knows nobody, and a lookup for an address whose node is
 * still up (and registers again at its next keepalive, or sooner) would
 * be answered "not found": the asker drops what it queued for the
 * address and does not ask again for LOOKUP_INTERVAL. So while it is
 * young -- for the keepalive interval and a little after its start --
 * the rendezvous keeps such a lookup instead, answers it the moment a
 * node registers that holds the address, and says "not found" when it
 * is young no more. Only lookups by address: those are packets waiting
 * in the asker's queue; a name is a DNS question or a configured peer's,
 * which want their answer now and ask again anyway. Bounded: at most
 * HOLD_SLOTS lookups, one per asker and address; a full table answers
 * at once, as before.
 */
#include "lookup_hold.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "node.h"
#include "peer.h"
#include "rvmsg.h"

/* Nodes register again at their next keepalive to us or sooner: one
 * that sends anything learns of the restart from the notice it gets. */
#define HOLD_SLACK 2.0
#define HOLD_SLOTS 256

struct held_lookup {
	struct peer *asker;
	struct rv_msg m;
	ev_tstamp until;
};

static bool same_question(const struct rv_msg *a, const struct rv_msg *b)
{
	if (a->v6 != b->v6)
		return false;
	return a->v6 ? !memcmp(&a->vaddr6, &b->vaddr6, sizeof(a->vaddr6)) :
		       a->vaddr.s_addr == b->vaddr.s_addr;
}

bool lookup_hold(struct peer *asker, const struct rv_msg *m)
{
	struct node *node = asker->node;
	struct node_rv *rv = &node->rv;
	ev_tstamp now = node_now(node);
	unsigned int keepalive = node->cfg.keepalive_interval ?
				 node->cfg.keepalive_interval :
				 CONFIG_DEFAULT_KEEPALIVE;
	ev_tstamp young_until = rv->started + keepalive + HOLD_SLACK;
	struct held_lookup *h;

	if (!m->by_vaddr || now >= young_until)
		return false;
	for (size_t i = 0; i < rv->n_held; i++) {
		h = &rv->held[i];
		/* Asked again (every LOOKUP_INTERVAL): still held. */
		if (h->asker == asker && same_question(&h->m, m))
			return true;
	}
	if (rv->n_held == HOLD_SLOTS)
		return false;
	if (!rv->held) {
		rv->held = calloc(HOLD_SLOTS, sizeof(*rv->held));
		if (!rv->held)
			return false;
	}
	h = &rv->held[rv->n_held++];
	h->asker = asker;
	h->m = *m;
	/* A lookup carries no blob; nothing points into a buffer. */
	h->m.blob = NULL;
	h->m.blob_len = 0;
	h->until = young_until;
	node->stats.rv_lookups_held++;
	return true;
}

/* Lets held lookup i go if answer() answers it. */
static bool release(struct node *node, size_t i, bool final,
		    lookup_hold_answer_fn answer)
{
	struct node_rv *rv = &node->rv;
	struct held_lookup h = rv->held[i];

	if (h.asker->current && !answer(h.asker, &h.m, final))
		return false;
	rv->held[i] = rv->held[--rv->n_held];
	return true;
}

void lookup_hold_registered(struct node *node, lookup_hold_answer_fn answer)
{
	struct node_rv *rv = &node->rv;

	/* Only while young, and the table is small: ask them all again. */
	for (size_t i = rv->n_held; i-- > 0;)
		release(node, i, false, answer);
}

void lookup_hold_expire(struct node *node, ev_tstamp now,
			lookup_hold_answer_fn answer)
{
	struct node_rv *rv = &node->rv;

	for (size_t i = rv->n_held; i-- > 0;) {
		if (now >= rv->held[i].until)
			release(node, i, true, answer);
	}
}

void lookup_hold_forget(struct peer *asker)
{
	struct node_rv *rv = &asker->node->rv;

	for (size_t i = rv->n_held; i-- > 0;) {
		if (rv->held[i].asker == asker)
			rv->held[i] = rv->held[--rv->n_held];
	}
}

void lookup_hold_free(struct node *node)
{
	free(node->rv.held);
	node->rv.held = NULL;
	node->rv.n_held = 0;
}
