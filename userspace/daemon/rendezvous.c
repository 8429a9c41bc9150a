// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The rendezvous role: nodes register over their DTLS session with us, we
 * tell any two of them each other's candidates at the same moment so they
 * punch simultaneously, and we relay datagrams between them by channel
 * when no direct path opens. We are a member of the network but not
 * trusted with traffic: relayed datagrams are DTLS records between the two
 * nodes, which we forward without being able to open them.
 */
#include "rendezvous.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "datapath.h"
#include "log.h"
#include "lookup_hold.h"
#include "rv_state.h"
#include "node.h"
#include "peer.h"
#include "rvmsg.h"
#include "session.h"
#include "wire.h"

/* Relayed bytes a node may burst beyond its rate. */
#define RELAY_BURST_SECONDS 0.25

static void probe_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	udp_read_cb(loop, w, revents);
}

/*
 * A second UDP port answers NAT probes: a node whose mapping for this
 * port differs from its mapping for the main port is behind a NAT that
 * maps per destination (symmetric).
 */
int rendezvous_open(struct node *node, char *err, size_t errlen)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)(node->cfg.listen_port + 1)),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)(node->cfg.listen_port + 1)),
	};
	int fd, off = 0;
	WC_RNG rng;

	node->rv.probe_fd = -1;
	if (!node->cfg.rendezvous)
		return 0;
	if (routing_init(&node->rv.relay_ids)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = socket(node->udp_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (node->udp_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (node->udp_family == AF_INET6 ?
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		snprintf(err, errlen, "NAT probe port %u: %s",
			 node->cfg.listen_port + 1, strerror(errno));
		close(fd);
		return -1;
	}
	if (wc_InitRng(&rng) == 0) {
		wc_RNG_GenerateBlock(&rng, (uint8_t *)&node->rv.boot_id,
				     sizeof(node->rv.boot_id));
		wc_FreeRng(&rng);
	}
	if (!node->rv.boot_id)
		node->rv.boot_id = (uint64_t)time(NULL) << 20 | (uint64_t)getpid();
	node->rv.probe_fd = fd;
	node->rv.started = node_now(node);
	ev_io_init(&node->rv.probe_watcher, probe_cb, fd, EV_READ);
	node->rv.probe_watcher.data = node;
	ev_io_start(node->loop, &node->rv.probe_watcher);
	log_info("rendezvous: NAT probes on UDP port %u, relay limit %u Mbit/s per node",
		 node->cfg.listen_port + 1, node->cfg.relay_limit);
	return 0;
}

void rendezvous_close(struct node *node)
{
	/* The peers, and with them their channels, are gone by now. */
	rv_state_close(node);
	lookup_hold_free(node);
	if (node->rv.relay_pairs.slots)
		keymap_free(&node->rv.relay_pairs);
	if (node->rv.relay_ids.slots)
		routing_free(&node->rv.relay_ids);
	if (node->rv.probe_fd >= 0) {
		ev_io_stop(node->loop, &node->rv.probe_watcher);
		close(node->rv.probe_fd);
		node->rv.probe_fd = -1;
	}
}

void rendezvous_probe_answer(struct node *node, const struct path *from,
			     uint32_t nonce)
{
	uint8_t out[WIRE_HEADER_LEN + 20];
	size_t len;

	if (from->ep.sa.sa_family == AF_INET)
		len = wire_build_probe_answer(out, sizeof(out), nonce, AF_INET,
					      &from->ep.in.sin_addr,
					      ntohs(from->ep.in.sin_port));
	else
		len = wire_build_probe_answer(out, sizeof(out), nonce,
					      AF_INET6,
					      &from->ep.in6.sin6_addr,
					      ntohs(from->ep.in6.sin6_port));
	if (len)
		path_send(node, from, out, len, NULL, 0);
}

void rendezvous_notice(struct node *node, const struct path *from,
		       uint32_t index, enum wire_notice_kind kind, size_t len)
{
	uint8_t out[WIRE_NOTICE_LEN];
	ev_tstamp now = node_now(node);
	uint32_t h;
	size_t slot;

	/* Never more bytes than came in, never through a relay, and at
	 * most four a second to one source: a spoofed flood cannot turn
	 * us into an amplifier. */
	if (!node->cfg.rendezvous || len < WIRE_NOTICE_LEN ||
	    from->relay_channel || from->ep.sa.sa_family != AF_INET)
		return;
	h = (uint32_t)from->ep.in.sin_addr.s_addr * 2654435761u ^
	    ntohs(from->ep.in.sin_port);
	slot = (h * 2654435761u >> 26) % 64;
	if (now - node->rv.notice_sent[slot] < 0.25)
		return;
	node->rv.notice_sent[slot] = now;
	wire_build_notice(out, index, node->rv.boot_id, kind);
	path_send(node, from, out, sizeof(out), NULL, 0);
}

struct pair_key {
	const struct peer *from, *to;
};

static struct relay_channel *channel_find(struct node *node,
					  const struct peer *from,
					  const struct peer *to)
{
	struct pair_key k = { from, to };

	if (!node->rv.relay_pairs.slots)
		return NULL;
	return keymap_get(&node->rv.relay_pairs, &k);
}

/* Indexed by id and by (from, to), and on from's list; or -ENOMEM. */
static int channel_add(struct node *node, struct relay_channel *c)
{
	struct pair_key k = { c->from, c->to };
	struct in_addr key = { .s_addr = c->id };

	if (!node->rv.relay_pairs.slots &&
	    keymap_init(&node->rv.relay_pairs, sizeof(k)))
		return -ENOMEM;
	if (routing_insert(&node->rv.relay_ids, key, c))
		return -ENOMEM;
	if (keymap_put(&node->rv.relay_pairs, &k, c)) {
		routing_remove(&node->rv.relay_ids, key, c);
		return -ENOMEM;
	}
	c->next = c->from->rv.channels;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &c->from->rv.channels;
	c->from->rv.channels = c;
	return 0;
}

static void channel_del(struct node *node, struct relay_channel *c)
{
	struct pair_key k = { c->from, c->to };
	struct in_addr key = { .s_addr = c->id };

	routing_remove(&node->rv.relay_ids, key, c);
	keymap_del(&node->rv.relay_pairs, &k, c);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	free(c);
}

static uint32_t channel_new_id(struct node *node, WC_RNG *rng)
{
	for (int tries = 0; tries < 16; tries++) {
		struct in_addr key;
		uint32_t id;

		if (wc_RNG_GenerateBlock(rng, (uint8_t *)&id, sizeof(id)))
			return 0;
		key.s_addr = id;
		if (id && !routing_lookup(&node->rv.relay_ids, key))
			return id;
	}
	return 0;
}

/* Channels for both directions between a and b; returns a's. */
static struct relay_channel *channel_pair(struct node *node, struct peer *a,
					  struct peer *b, WC_RNG *rng)
{
	struct relay_channel *ab = channel_find(node, a, b);
	struct relay_channel *ba;
	struct in_addr key;

	if (ab)
		return ab;
	ab = calloc(1, sizeof(*ab));
	ba = calloc(1, sizeof(*ba));
	if (!ab || !ba)
		goto fail;
	ab->from = a;
	ab->to = b;
	ab->id = channel_new_id(node, rng);
	key.s_addr = ab->id;
	/* Reserved, so the second id differs from the first. */
	if (!ab->id || routing_insert(&node->rv.relay_ids, key, ab))
		goto fail;
	ba->id = channel_new_id(node, rng);
	routing_remove(&node->rv.relay_ids, key, ab);
	if (!ba->id)
		goto fail;
	ba->from = b;
	ba->to = a;
	ab->reverse = ba->id;
	ba->reverse = ab->id;
	if (channel_add(node, ab))
		goto fail;
	if (channel_add(node, ba)) {
		channel_del(node, ab);
		free(ba);
		return NULL;
	}
	return ab;
fail:
	free(ab);
	free(ba);
	return NULL;
}

/* The relay channels from and to a peer that is going away: its own,
 * and the reverse of each, which is the other peer's. */
static void drop_channels(struct peer *peer)
{
	struct node *node = peer->node;

	while (peer->rv.channels) {
		struct relay_channel *c = peer->rv.channels;
		struct in_addr key = { .s_addr = c->reverse };
		struct relay_channel *r = routing_lookup(&node->rv.relay_ids,
							 key);

		if (r && r->from == c->to && r->to == peer)
			channel_del(node, r);
		channel_del(node, c);
	}
}

void rendezvous_peer_changed(struct peer *peer, enum peer_event what)
{
	if (what != PEER_REMOVED)
		return;
	if (peer->node->cfg.rendezvous) {
		drop_channels(peer);
		lookup_hold_forget(peer);
		peer->node->rv.state_dirty = true;
	}
	free(peer->rv.locals);
	peer->rv.locals = NULL;
}

/* Tell `to` about `about`: reflexive candidate first, then LAN ones. */
static void send_candidates(struct peer *to, struct peer *about,
			    const uint8_t *token, uint32_t channel)
{
	struct rv_msg m = { .type = RV_CANDIDATES };

	/* Its IPv6 address first, in a message of its own: a node from
	 * before IPv6 lookups drops that one (an unknown type) and still
	 * takes the candidates, whose layout stays. */
	if (about->has_vaddr6) {
		struct rv_msg a6 = { .type = RV_ADDRESS6,
				     .vaddr6 = about->vaddr6 };

		snprintf(a6.name, sizeof(a6.name), "%s", about->name);
		session_send_control(to->current, &a6);
	}
	snprintf(m.name, sizeof(m.name), "%s", about->name);
	m.vaddr = about->vaddr;
	memcpy(m.token, token, RV_TOKEN_LEN);
	m.relay_channel = channel;
	m.nat_type = about->rv.nat_type;
	m.cands[m.n_cands++] = about->path.ep;
	for (size_t i = 0; i < about->rv.n_locals &&
	     m.n_cands < RV_MAX_CANDIDATES; i++)
		m.cands[m.n_cands++] = about->rv.locals[i];
	session_send_control(to->current, &m);
}

/* An introduction if the target is registered; else "not found", but
 * only if final (lookup_hold.h). */
static bool lookup_answer(struct peer *asker, const struct rv_msg *m,
			  bool final)
{
	struct node *node = asker->node;
	struct rv_msg nf = *m;
	struct relay_channel *c = NULL;
	uint8_t token[RV_TOKEN_LEN];
	struct peer *target;
	char addr[INET6_ADDRSTRLEN];
	WC_RNG rng;

	if (m->by_vaddr && m->v6)
		target = routing6_lookup(&node->routes6, &m->vaddr6);
	else if (m->by_vaddr)
		target = routing_lookup(&node->routes, m->vaddr);
	else
		target = peer_find_by_name(node, m->name);
	if (!target || target == asker || !target->rv.registered ||
	    !target->current) {
		if (!final)
			return false;
		if (m->by_vaddr && m->v6)
			inet_ntop(AF_INET6, &m->vaddr6, addr, sizeof(addr));
		else if (m->by_vaddr)
			inet_ntop(AF_INET, &m->vaddr, addr, sizeof(addr));
		log_debug_ratelimited("rendezvous: %s asked for %s: not registered",
				      asker->name, m->by_vaddr ? addr : m->name);
		nf.type = RV_NOT_FOUND;
		session_send_control(asker->current, &nf);
		return true;
	}
	if (wc_InitRng(&rng))
		return true;
	if (wc_RNG_GenerateBlock(&rng, token, sizeof(token))) {
		wc_FreeRng(&rng);
		return true;
	}
	if (node->cfg.relay_limit)
		c = channel_pair(node, asker, target, &rng);
	wc_FreeRng(&rng);
	/* Both at once: each side starts punching as it hears of the
	 * other, so their first probes cross in the NATs. */
	send_candidates(asker, target, token, c ? c->id : 0);
	send_candidates(target, asker, token, c ? c->reverse : 0);
	log_info_ratelimited("rendezvous: introduced %s (%s) and %s (%s)", asker->name,
			     nat_type_name(asker->rv.nat_type), target->name,
			     nat_type_name(target->rv.nat_type));
	return true;
}

static void handle_lookup(struct peer *asker, const struct rv_msg *m)
{
	/* Just restarted, we may not know the target yet: it registers
	 * again soon (lookup_hold.c). */
	if (!lookup_answer(asker, m, false) && !lookup_hold(asker, m))
		lookup_answer(asker, m, true);
}

void rendezvous_housekeeping(struct node *node, ev_tstamp now)
{
	if (!node->cfg.rendezvous)
		return;
	/* At the first tick, once everything is open. */
	rv_state_announce(node);
	rv_state_save(node, now);
	if (node->rv.n_held)
		lookup_hold_expire(node, now, lookup_answer);
}

/*
 * The LAN candidates a member registers go to every node that asks for
 * it, which then probes them: only what can be a host's unicast address,
 * and no more than fit in an introduction next to the reflexive one.
 * The member's word is all we have that they are its own; the nodes
 * check the rest (candidate.c).
 */
static void keep_candidates(struct peer *from, const struct rv_msg *m)
{
	struct node *node = from->node;
	size_t n = 0;

	for (size_t i = 0; i < m->n_cands; i++) {
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup |= endpoint_equal(&from->rv.locals[j], &m->cands[i]);
		if (dup)
			continue;
		if (n >= CANDIDATE_LAN_MAX || !candidate_sane(&m->cands[i])) {
			node->stats.rv_candidates_refused++;
			continue;
		}
		from->rv.locals[n++] = m->cands[i];
	}
	from->rv.n_locals = n;
	if (n < m->n_cands)
		log_debug_ratelimited("rendezvous: %s registered %zu candidates, %zu kept",
				      from->name, m->n_cands, n);
}

void rendezvous_message(struct peer *from, const struct rv_msg *m)
{
	struct rv_msg ack = { .type = RV_REGISTER_ACK };
	struct rv_msg boot = { .type = RV_BOOT,
			       .boot_id = from->node->rv.boot_id };
	struct rv_msg limit = { .type = RV_RELAY_LIMIT,
				.relay_limit = from->node->cfg.relay_limit };
	char ep[ADDR_STR_MAX];

	switch (m->type) {
	case RV_REGISTER:
		if (!from->rv.locals)
			from->rv.locals = calloc(RV_MAX_CANDIDATES,
						 sizeof(*from->rv.locals));
		if (!from->rv.locals)
			return;
		from->rv.registered = true;
		from->rv.nat_type = m->nat_type < __NAT_TYPE_MAX ?
				    m->nat_type : NAT_UNKNOWN;
		keep_candidates(from, m);
		ack.probe_port = (uint16_t)(from->node->cfg.listen_port + 1);
		ack.cands[0] = from->path.ep;
		ack.n_cands = 1;
		session_send_control(from->current, &ack);
		session_send_control(from->current, &boot);
		/* What the relay allows this node, for its `podnet show`.
		 * A node from before this message counts it as invalid and
		 * carries on (doc/wire.md). */
		session_send_control(from->current, &limit);
		revoke_send(from);
		log_debug("rendezvous: %s registered from %s (NAT %s, %zu LAN candidates)",
			  from->name, endpoint_format(&from->path.ep, ep,
						      sizeof(ep)),
			  nat_type_name(m->nat_type), from->rv.n_locals);
		if (from->node->rv.n_held)
			lookup_hold_registered(from->node, lookup_answer);
		rv_state_registered(from, node_now(from->node));
		break;
	case RV_LOOKUP:
		handle_lookup(from, m);
		break;
	}
}

/* Token bucket per sending node, refilled at RelayLimit. */
static bool relay_allowed(struct peer *p, size_t len)
{
	struct node *node = p->node;
	double rate = node->cfg.relay_limit * 125000.0;
	double burst = rate * RELAY_BURST_SECONDS + 65536;
	ev_tstamp now = node_now(node);

	p->rv.relay_tokens += (now - p->rv.relay_last) * rate;
	p->rv.relay_last = now;
	if (p->rv.relay_tokens > burst)
		p->rv.relay_tokens = burst;
	if (p->rv.relay_tokens < (double)len)
		return false;
	p->rv.relay_tokens -= (double)len;
	return true;
}

void rendezvous_relay(struct node *node, const struct path *from,
		      const struct wire_header *hdr)
{
	struct in_addr key = { .s_addr = hdr->receiver_index };
	struct relay_channel *c = routing_lookup(&node->rv.relay_ids, key);
	struct path out;

	/* Only the channel's owner, from where its session with us runs,
	 * may use it: nobody can spend another node's relay budget. */
	if (!c) {
		/* Perhaps a channel of our last life: say so, and the
		 * node asks for a new one. */
		node->stats.rx_relay_refused++;
		rendezvous_notice(node, from, hdr->receiver_index,
				  WIRE_NOTICE_UNKNOWN_CHANNEL,
				  WIRE_HEADER_LEN + hdr->payload_len);
		return;
	}
	if (from->relay_channel || !c->from->current ||
	    !endpoint_equal(&c->from->path.ep, &from->ep) ||
	    !c->to->current) {
		node->stats.rx_relay_refused++;
		return;
	}
	if (!relay_allowed(c->from, hdr->payload_len)) {
		c->from->rv.relay_dropped++;
		return;
	}
	out = c->to->path;
	out.relay_channel = c->reverse;
	if (!path_send(node, &out, hdr->payload, hdr->payload_len, NULL, 0))
		c->from->rv.relay_bytes += hdr->payload_len;
}
