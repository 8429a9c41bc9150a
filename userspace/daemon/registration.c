// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * This node's registration with its rendezvous nodes: the candidates it
 * announces, registering again when its NAT may have moved it, and the
 * NAT-type probes that ride on the registration (the rendezvous answers
 * from a second port; a different mapping seen there means symmetric).
 */
#include "registration.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

#include "datapath.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "wire.h"

#define REGISTER_INTERVAL 60.0
#define NAT_PROBES_MAX 5

/* LAN candidates: this host's IPv4 addresses, except the tunnel's own
 * and any the rendezvous would drop (candidate_sane). */
static size_t local_candidates(struct node *node, struct endpoint *out,
			       size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		struct sockaddr_in *sin = (struct sockaddr_in *)i->ifa_addr;

		if (!sin || sin->sin_family != AF_INET ||
		    (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP) ||
		    !strcmp(i->ifa_name, node->cfg.ifname))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].in.sin_family = AF_INET;
		out[n].in.sin_addr = sin->sin_addr;
		out[n].in.sin_port = htons(node->cfg.listen_port);
		out[n].len = sizeof(out[n].in);
		if (candidate_sane(&out[n]))
			n++;
	}
	freeifaddrs(ifa);
	return n;
}

void registration_send(struct peer *rv)
{
	struct node *node = rv->node;
	struct rv_msg m = { .type = RV_REGISTER, .nat_type = node->nat.type };

	/* No more than the rendezvous keeps: beyond that they are lost. */
	m.n_cands = local_candidates(node, m.cands, CANDIDATE_LAN_MAX);
	if (!session_send_control(rv->current, &m))
		rv->nat.last_register = node_now(node);
}

/* Our NAT may have moved us: the rendezvous must see where we are now,
 * or its relay refuses what we send it from there. */
void registration_renew_all(struct node *node)
{
	for (struct peer *p = node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous && p->current)
			registration_send(p);
	}
}

void registration_send_nat_probe(struct peer *rv)
{
	struct node *node = rv->node;
	uint8_t req[WIRE_NAT_PROBE_LEN];
	struct path path = { .ep = rv->path.ep, .fd = node->udp_fd };

	if (!rv->nat.probe_port)
		return;
	if (path.ep.sa.sa_family == AF_INET)
		path.ep.in.sin_port = htons(rv->nat.probe_port);
	else
		path.ep.in6.sin6_port = htons(rv->nat.probe_port);
	/* One nonce a round of probes: an answer to an earlier probe of
	 * the round is as good as one to the last. */
	if (!rv->nat.probes_sent || !rv->nat.probe_nonce) {
		WC_RNG rng;

		if (wc_InitRng(&rng))
			return;
		if (wc_RNG_GenerateBlock(&rng, (uint8_t *)&rv->nat.probe_nonce,
					 sizeof(rv->nat.probe_nonce)) ||
		    !rv->nat.probe_nonce)
			rv->nat.probe_nonce = 0;
		wc_FreeRng(&rng);
		if (!rv->nat.probe_nonce)
			return;
	}
	wire_build_probe_request(req, rv->nat.probe_nonce);
	path_send(node, &path, req, sizeof(req), NULL, 0);
	rv->nat.probes_sent++;
}

void registration_housekeeping(struct peer *rv, ev_tstamp now)
{
	if (now - rv->nat.last_register > REGISTER_INTERVAL)
		registration_send(rv);
	if (rv->nat.registered &&
	    (rv->node->nat.type == NAT_UNKNOWN || rv->node->nat.remeasure) &&
	    rv->nat.probes_sent < NAT_PROBES_MAX)
		registration_send_nat_probe(rv);
}

void registration_probe_answer(struct node *node, const struct path *from,
			       uint32_t nonce, int family, const uint8_t *addr,
			       uint16_t port)
{
	struct endpoint seen = { 0 }, local[RV_MAX_CANDIDATES], main_port;
	struct peer *rv;
	uint16_t port_from;
	uint8_t type;
	size_t n;

	/* Only a rendezvous may tell us what it sees. The answer comes from
	 * its second port, the one after its main port (rendezvous_open):
	 * one lookup by the main port finds it, where anyone's datagram
	 * must not make us walk every peer. */
	if (from->ep.sa.sa_family != AF_INET || from->relay_channel)
		goto refused;
	port_from = ntohs(from->ep.in.sin_port);
	main_port = from->ep;
	main_port.in.sin_port = htons((uint16_t)(port_from - 1));
	rv = peer_find_rendezvous(node, &main_port);
	if (!rv || rv->nat.probe_port != port_from)
		goto refused;
	/* Anyone may send from the rendezvous' address: without the nonce
	 * of our probes, a forged answer could tell a cone NAT it is
	 * symmetric (relayed from then on), or the other way round. */
	if (!nonce || nonce != rv->nat.probe_nonce) {
		node->stats.rx_probe_refused++;
		return;
	}
	rv->nat.probe_nonce = 0;
	/* Compared with what this rendezvous saw on its main port: behind
	 * a symmetric NAT each rendezvous sees another port. */
	if (family != AF_INET || !rv->nat.reflexive.len)
		return;
	node->nat.remeasure = false;
	seen.in.sin_family = AF_INET;
	memcpy(&seen.in.sin_addr, addr, 4);
	seen.in.sin_port = htons(port);
	seen.len = sizeof(seen.in);
	if (!endpoint_equal(&seen, &rv->nat.reflexive)) {
		type = NAT_SYMMETRIC;
	} else {
		type = NAT_CONE;
		n = local_candidates(node, local, RV_MAX_CANDIDATES);
		for (size_t i = 0; i < n; i++) {
			if (local[i].in.sin_addr.s_addr ==
			    seen.in.sin_addr.s_addr)
				type = NAT_NONE;
		}
	}
	if (type == node->nat.type)
		return;
	node->nat.type = type;
	log_info("NAT type: %s", nat_type_name(type));
	registration_renew_all(node);
	return;
refused:
	node->stats.rx_malformed++;
}
