/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Which addresses a node lets others make it probe (candidate.c). A LAN
 * candidate is whatever another member says its addresses are: it must
 * not turn this node into a reflector aimed at an address of its choice.
 */
#ifndef _PODNET_CANDIDATE_H
#define _PODNET_CANDIDATE_H

#include <stdbool.h>

#include "addr.h"
#include "token_bucket.h"	/* its struct; the burst is ours */

/* LAN candidates a node keeps of one introduction. */
#define CANDIDATE_LAN_MAX 6
/* Per-address buckets: how many addresses are rate-limited at once. */
#define CANDIDATE_BUCKETS 64

/* The node's part (node->cand). */
struct node_candidates {
	struct token_bucket buckets[CANDIDATE_BUCKETS];
};

/* Could this be a host's unicast address at all? IPv4 or IPv6, a port,
 * and not unspecified, loopback, multicast, broadcast or reserved. */
bool candidate_sane(const struct endpoint *ep);
/* Could another member share a LAN with us there? A sane address in a
 * private, shared (CGN), link-local or ULA range, or in the subnet of one
 * of our own interfaces. */
bool candidate_plausible_lan(const struct endpoint *ep);
/* May an introduction make us probe ep in one more punch now? A few at
 * once, then one every few seconds per address, whoever introduces it. */
bool candidate_probe_allowed(struct node_candidates *nc,
			     const struct endpoint *ep, double now);

#endif /* _PODNET_CANDIDATE_H */
