// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Peers: who they are (name and virtual address from their certificate),
 * where they are, and which sessions carry their traffic. Either side of a
 * pair may dial: the DTLS roles belong to a session, not to the pair. One
 * side dials first (the smaller name, or a node dialling its rendezvous);
 * the other asks it with a session request and dials itself when nobody
 * answers, so two nodes starting at once rarely race two handshakes, and
 * when they do, the tie-break below keeps exactly one.
 */
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "kernel.h"
#include "link.h"
#include "log.h"
#include "namemap.h"
#include "node.h"
#include "queue.h"
#include "rendezvous.h"
#include "session.h"
#include "traversal.h"
#include "wire.h"

#define BACKOFF_MIN 1
#define BACKOFF_MAX 16
#define BACKOFF_MAX_RENDEZVOUS 4
/* A restarted peer may ask again this soon, even with a session up. */
#define URGENT_MIN_INTERVAL 2.0
/* How long the replaced session still opens late packets. */
#define PREVIOUS_SESSION_LINGER 10.0
/* A server session its client never used (it lost a race, or its client
 * died before its first record) is given up after this long. */
#define PENDING_SESSION_MAX 60.0

static void index_remove(struct peer *peer);

struct peer *peer_create(struct node *node, const char *name)
{
	struct peer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return NULL;
	peer->node = node;
	snprintf(peer->name, sizeof(peer->name), "%s", name);
	peer->attempt_backoff = BACKOFF_MIN;
	peer->last_attempt = -1e9;
	peer->created = node_now(node);
	if (namemap_put(&node->peers_by_name, peer->name, peer)) {
		free(peer);
		return NULL;
	}
	peer->next = node->peers;
	node->peers = peer;
	node->n_peers++;
	node->n_peers_no_vaddr++;
	peer_changed(peer, PEER_CREATED);
	log_debug("peer %s created", peer->name);
	return peer;
}

/* A peer we did not configure: it dialled us, or a rendezvous
 * introduced it. These are what a hostile member or rendezvous could
 * make us create by the thousand, so they are bounded and forgotten. */
static bool is_learned(const struct peer *p)
{
	return !p->configured && !p->nat.is_rendezvous;
}

/* When the peer was last of any use: created, or traffic either way. */
static ev_tstamp last_active(const struct peer *p)
{
	ev_tstamp t = p->created;

	if (p->last_rx > t)
		t = p->last_rx;
	if (p->last_tx > t)
		t = p->last_tx;
	return t;
}

/* A handshake in progress does not count: a peer that never answers is
 * dialled again and again, and must not live for ever for it. */
static bool has_session(const struct peer *p)
{
	return p->current || p->pending || p->previous;
}

struct peer *peer_create_learned(struct node *node, const char *name)
{
	unsigned int max = node->cfg.learned_peer_max;
	struct peer *idlest = NULL;
	size_t n = 0;

	if (!max)
		max = node->cfg.rendezvous ? CONFIG_DEFAULT_LEARNED_PEER_MAX_RV :
					     CONFIG_DEFAULT_LEARNED_PEER_MAX;
	/* Fewer peers than the limit, so fewer learnt ones: no need to walk
	 * them all for every handshake that brings a new one. */
	if (node->n_peers < max)
		return peer_create(node, name);

	for (struct peer *p = node->peers; p; p = p->next) {
		if (!is_learned(p))
			continue;
		n++;
		if (!has_session(p) &&
		    (!idlest || last_active(p) < last_active(idlest)))
			idlest = p;
	}
	if (n >= max) {
		if (!idlest) {
			node->stats.learned_peers_refused++;
			log_warn_ratelimited("peer %s: not added, %zu learnt peers have sessions (LearnedPeerMax)",
					     name, n);
			return NULL;
		}
		node->stats.learned_peers_evicted++;
		log_info_ratelimited("peer %s: forgotten to make room for %s (LearnedPeerMax %u)",
				     idlest->name, name, max);
		peer_destroy(idlest);
	}
	return peer_create(node, name);
}

bool peer_learned_expired(const struct peer *peer, ev_tstamp now)
{
	return is_learned(peer) && !has_session(peer) &&
	       now - last_active(peer) > peer->node->cfg.learned_peer_idle;
}

void peer_destroy(struct peer *peer)
{
	struct node *node = peer->node;

	for (struct peer **pp = &node->peers; *pp; pp = &(*pp)->next) {
		if (*pp == peer) {
			*pp = peer->next;
			break;
		}
	}
	node->n_peers--;
	namemap_del(&node->peers_by_name, peer->name, peer);
	if (peer->has_vaddr)
		routing_remove(&node->routes, peer->vaddr, peer);
	else
		node->n_peers_no_vaddr--;
	if (peer->has_vaddr6)
		routing6_remove(&node->routes6, &peer->vaddr6, peer);
	peer_forget_subnets(peer);
	index_remove(peer);
	/* Before its sessions go: the kernel drops the peer in one step
	 * instead of key by key. */
	peer_changed(peer, PEER_REMOVED);
	session_destroy(peer->current);
	session_destroy(peer->previous);
	session_destroy(peer->handshake);
	session_destroy(peer->pending);
	log_debug("peer %s destroyed", peer->name);
	free(peer);
	/* Give the pages back at the next housekeeping: a rendezvous whose
	 * thousands of nodes left should shrink back. */
	node->heap_trim = true;
}

/*
 * The one place that knows who keeps state about peers. The kernel comes
 * first: keys are in podnet.ko before anything is sealed under them.
 */
void peer_changed(struct peer *peer, enum peer_event what)
{
	kernel_peer_changed(peer, what);
	traversal_peer_changed(peer, what);
	rendezvous_peer_changed(peer, what);
	transport_peer_changed(peer, what);
	resolve_peer_changed(peer, what);
	/* Last: what waited is sealed under keys the others have set up. */
	queue_peer_changed(peer, what);
}

struct peer *peer_find_by_name(struct node *node, const char *name)
{
	struct peer *p = namemap_get(&node->peers_by_name, name);

	return p && !strcmp(p->name, name) ? p : NULL;
}

void peer_set_has_vaddr(struct peer *peer, bool has)
{
	if (peer->has_vaddr == has)
		return;
	peer->has_vaddr = has;
	if (has)
		peer->node->n_peers_no_vaddr--;
	else
		peer->node->n_peers_no_vaddr++;
}

/* The key of a path in node->peers_by_path (the socket is not part of
 * it: a hit is checked against the whole path). */
struct path_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
	uint32_t relay_channel;
};

static void path_key_of(const struct endpoint *ep, uint32_t relay_channel,
			struct path_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)ep->sa.sa_family;
	if (ep->sa.sa_family == AF_INET) {
		k->port = ep->in.sin_port;
		memcpy(k->addr, &ep->in.sin_addr, 4);
	} else if (ep->sa.sa_family == AF_INET6) {
		k->port = ep->in6.sin6_port;
		memcpy(k->addr, &ep->in6.sin6_addr, 16);
	}
	k->relay_channel = relay_channel;
}

/* The maps exist while they hold something: nothing to free at exit. */
static void index_put(struct keymap *m, const struct endpoint *ep,
		      uint32_t relay_channel, struct peer *peer)
{
	struct path_key k;

	if (!ep->len)
		return;
	path_key_of(ep, relay_channel, &k);
	if (!m->slots && keymap_init(m, sizeof(k)))
		return;
	if (keymap_put(m, &k, peer))
		log_err("peer %s: cannot index its address", peer->name);
}

static void index_del(struct keymap *m, const struct endpoint *ep,
		      uint32_t relay_channel, struct peer *peer)
{
	struct path_key k;

	if (!ep->len || !m->slots)
		return;
	path_key_of(ep, relay_channel, &k);
	keymap_del(m, &k, peer);
	if (!m->count)
		keymap_free(m);
}

static struct peer *index_get(const struct keymap *m,
			      const struct endpoint *ep,
			      uint32_t relay_channel)
{
	struct path_key k;

	if (!m->slots)
		return NULL;
	path_key_of(ep, relay_channel, &k);
	return keymap_get(m, &k);
}

void peer_index_update(struct peer *peer)
{
	struct node *node = peer->node;

	if (!path_equal(&peer->indexed_path, &peer->path)) {
		index_del(&node->peers_by_path, &peer->indexed_path.ep,
			  peer->indexed_path.relay_channel, peer);
		index_put(&node->peers_by_path, &peer->path.ep,
			  peer->path.relay_channel, peer);
		peer->indexed_path = peer->path;
	}
	if (!endpoint_equal(&peer->indexed_config, &peer->config_endpoint)) {
		index_del(&node->peers_by_config, &peer->indexed_config, 0,
			  peer);
		index_put(&node->peers_by_config, &peer->config_endpoint, 0,
			  peer);
		peer->indexed_config = peer->config_endpoint;
	}
}

static void index_remove(struct peer *peer)
{
	index_del(&peer->node->peers_by_path, &peer->indexed_path.ep,
		  peer->indexed_path.relay_channel, peer);
	index_del(&peer->node->peers_by_config, &peer->indexed_config, 0,
		  peer);
}

struct peer *peer_find_by_path(struct node *node, const struct path *from)
{
	struct peer *p;

	p = index_get(&node->peers_by_path, &from->ep, from->relay_channel);
	if (p && path_equal(&p->path, from))
		return p;
	if (from->relay_channel)
		return NULL;
	p = index_get(&node->peers_by_config, &from->ep, 0);
	if (p && endpoint_equal(&p->config_endpoint, &from->ep))
		return p;
	return NULL;
}

struct peer *peer_find_rendezvous(struct node *node, const struct endpoint *ep)
{
	struct peer *p;

	/* A rendezvous is reached directly: its path has no channel. */
	p = index_get(&node->peers_by_path, ep, 0);
	if (p && p->nat.is_rendezvous && endpoint_equal(&p->path.ep, ep))
		return p;
	p = index_get(&node->peers_by_config, ep, 0);
	if (p && p->nat.is_rendezvous && endpoint_equal(&p->config_endpoint, ep))
		return p;
	return NULL;
}

bool peer_is_relay(struct node *node, const struct endpoint *ep)
{
	return peer_find_rendezvous(node, ep) != NULL;
}

/* The path to use when no session has told us a better one. */
static struct path peer_initial_path(const struct peer *peer)
{
	struct path path = peer->path;

	if (!path.ep.len) {
		path.ep = peer->config_endpoint;
		path.fd = peer->node->udp_fd;
		path.relay_channel = 0;
	}
	return path;
}

bool peer_dials_first(const struct peer *peer)
{
	/* Nodes behind NAT can always reach a rendezvous, never the other
	 * way round; between two nodes the smaller name dials first. */
	if (peer->nat.is_rendezvous)
		return true;
	if (peer->node->cfg.rendezvous)
		return false;
	return strcmp(peer->node->identity.name, peer->name) < 0;
}

bool peer_is_client(const struct peer *peer)
{
	if (peer->current)
		return peer->current->is_client;
	return peer_dials_first(peer);
}

void peer_send_session_request(struct peer *peer)
{
	uint8_t req[WIRE_SESSION_REQUEST_LEN] = { 0 };
	struct path path = peer_initial_path(peer);

	wire_put_header(req, WIRE_TYPE_SESSION_REQUEST, 0, 0);
	path_send(peer->node, &path, req, sizeof(req), NULL, 0);
}

/*
 * Bring a session up if none is coming. `urgent` is for a peer that just
 * told us it lost its state: it may replace a session that looks alive.
 * `asked` is for a peer that asked us to dial: we do, whoever dials first.
 */
static void want_session(struct peer *peer, bool urgent, bool asked)
{
	struct node *node = peer->node;
	ev_tstamp now = node_now(node);
	bool first = peer_dials_first(peer);
	char ep[ADDR_STR_MAX];
	struct path path;

	/* After a (re)load of the configuration, the endpoints are new. */
	peer_index_update(peer);

	/* A rendezvous leaves it to nodes to come back to it, and so does
	 * the side that dials second of a peer that only ever dialled us. */
	if (!peer->configured && !peer->nat.has_token &&
	    (node->cfg.rendezvous || !first))
		return;
	/* A rendezvous by name is dialled once the name resolves. */
	if (resolve_waiting(peer) && peer->nat.is_rendezvous &&
	    !peer->path.ep.len)
		return;
	if (!peer->path.ep.len && !peer->config_endpoint.len) {
		peer_changed(peer, PEER_PATH_WANTED);
		return;
	}
	/* Our own dial is under way, or (as far as its address tells) the
	 * peer's: let it finish. */
	if (peer->handshake || (!first && session_dialled_by(peer)))
		return;
	if (urgent) {
		if (now - peer->last_attempt < URGENT_MIN_INTERVAL)
			return;
	} else if (peer->current ||
		   now - peer->last_attempt < peer->attempt_backoff) {
		return;
	}
	/* A rendezvous is worth asking often: everything else waits on it. */
	if (!urgent && peer->last_attempt > 0 &&
	    peer->attempt_backoff < (peer->nat.is_rendezvous ?
				     BACKOFF_MAX_RENDEZVOUS : BACKOFF_MAX))
		peer->attempt_backoff *= 2;
	/* The last dial went unanswered: a peer known by name may have
	 * moved (resolve.c rate-limits this). */
	if (peer->last_attempt > 0 && !peer->current)
		resolve_peer_silent(peer);
	peer->last_attempt = now;
	path = peer_initial_path(peer);
	path_format(&path, ep, sizeof(ep));
	/* The side that dials second asks first; when that goes unanswered
	 * (the peer does not know where we are) it dials too. A rendezvous
	 * only ever asks. */
	if (first || ((asked || peer->request_unanswered) &&
		      !node->cfg.rendezvous)) {
		log_info("peer %s: starting handshake to %s", peer->name, ep);
		if (session_start_client(peer))
			log_warn("peer %s: cannot start a handshake", peer->name);
	} else {
		log_debug("peer %s: asking %s for a handshake", peer->name, ep);
		peer_send_session_request(peer);
		peer->request_unanswered = true;
	}
}

void peer_want_session(struct peer *peer, bool urgent)
{
	want_session(peer, urgent, false);
}

void peer_session_requested(struct peer *peer)
{
	/* A rendezvous never dials a node, nor asks back. */
	if (peer->node->cfg.rendezvous && !peer_dials_first(peer))
		return;
	want_session(peer, true, true);
}

/*
 * Both sides dialled at once and one handshake completed here (s) while
 * our own dial is still under way. The session whose DTLS client has the
 * smaller name survives: the names are what both sides agree on, so both
 * keep the same one. Our dial counts only once the peer has answered it
 * (its server gave us an index): a dial into the void never blocks one
 * that worked. Returns true when s lost and must go (before anything was
 * sent under it: its server's final flight is still held back).
 */
bool peer_tie_break(struct peer *peer, struct session *s)
{
	struct session *ours = peer->handshake;
	bool ours_wins;

	if (!ours || ours == s)
		return false;
	ours_wins = ours->remote_index &&
		    strcmp(peer->node->identity.name, peer->name) < 0;
	if (ours_wins) {
		log_info("peer %s: both sides dialled; keeping our handshake %08x, dropping the one %s dialled (%08x)",
			 peer->name, ours->local_index, peer->name,
			 s->local_index);
		return true;
	}
	log_info("peer %s: both sides dialled; keeping session %08x (%s), abandoning our handshake %08x",
		 peer->name, s->local_index,
		 s->is_client ? "ours" : "theirs", ours->local_index);
	session_destroy(ours);
	return false;
}

/* Make s the session we send on. The one it replaces still opens
 * packets for a while: those in flight under its index arrive too. */
void peer_session_promote(struct peer *peer, struct session *s)
{
	if (peer->previous) {
		struct session *old = peer->previous;

		peer->previous = NULL;
		session_destroy(old);
	}
	if (peer->pending == s)
		peer->pending = NULL;
	peer->previous = peer->current;
	peer->current = s;
	s->established = node_now(peer->node);
	peer_changed(peer, PEER_SESSION_PROMOTED);
}

static void send_keepalive(struct peer *peer);

static bool same_route(const struct cert_route *a, const struct cert_route *b)
{
	return cert_route_equal(a, b);
}

/* Do the first len bits of a and b agree? */
static bool bits_agree(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* a and b share addresses: one holds the other. */
static bool routes_overlap(const struct cert_route *a,
			   const struct cert_route *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;

	if (a->v6 != b->v6)
		return false;
	if (a->v6)
		return bits_agree(a->net6.s6_addr, b->net6.s6_addr, len);
	return !((a->net.s_addr ^ b->net.s_addr) & routing_mask(len));
}

static void subnet_drop(struct peer *peer, size_t i)
{
	struct node *node = peer->node;

	if (peer->subnets[i].v6) {
		routing6_prefix_remove(&node->routes6, &peer->subnets[i].net6,
				       peer->subnets[i].len, peer);
		peer->nsubnets6--;
	} else {
		routing_prefix_remove(&node->routes, peer->subnets[i].net,
				      peer->subnets[i].len, peer);
	}
	if (peer->subnet_kroute[i])
		link_subnet_del(node, &peer->subnets[i]);
	peer->nsubnets--;
	peer->subnets_changed = true;
	peer->subnets[i] = peer->subnets[peer->nsubnets];
	peer->subnet_kroute[i] = peer->subnet_kroute[peer->nsubnets];
	node->subnet_freed = true;
}

static void refused_clear(struct peer *peer)
{
	free(peer->refused);
	peer->refused = NULL;
	peer->nrefused = 0;
}

/* Remember r, which another peer holds, for peer_subnets_retry(). */
static void refused_add(struct peer *peer, const struct cert_route *r)
{
	if (!peer->refused) {
		peer->refused = calloc(CERT_ROUTES_MAX, sizeof(*peer->refused));
		if (!peer->refused)
			return;	/* then it waits for the next handshake */
	}
	peer->refused[peer->nrefused++] = *r;
}

static void peer_drop_subnets(struct peer *peer)
{
	while (peer->nsubnets)
		subnet_drop(peer, peer->nsubnets - 1);
}

/*
 * Route subnet r to the peer unless another peer holds it. Returns
 * -EEXIST then, 0 when routed or refused for good (logged). A retry
 * (peer_subnets_retry) logs only its success.
 */
static int subnet_add(struct peer *peer, const struct cert_route *r,
		      bool retry)
{
	const struct cert_identity *own = &peer->node->identity;
	struct node *node = peer->node;
	char net[CERT_ROUTE_STR_MAX];
	bool ours = false;
	struct peer *owner;
	int ret;

	cert_route_format(r, net, sizeof(net));
	for (size_t k = 0; k < own->nroutes; k++)
		ours |= routes_overlap(&own->routes[k], r);
	if (ours) {
		log_warn("peer %s: subnet %s overlaps this node's own; not routing it",
			 peer->name, net);
		return 0;
	}
	/* Our packets into it need an IPv6 source a peer accepts: this
	 * node's certificate address. */
	if (r->v6 && !node->cfg.has_address6) {
		log_warn("peer %s: subnet %s is IPv6 and this node has no IPv6 Address; not routing it",
			 peer->name, net);
		return 0;
	}
	if (r->v6 && node->kernel.running) {
		log_warn("peer %s: podnet.ko does not carry IPv6 subnets yet; not routing %s",
			 peer->name, net);
		return 0;
	}
	ret = r->v6 ? routing6_prefix_insert(&node->routes6, &r->net6, r->len,
					     peer) :
		      routing_prefix_insert(&node->routes, r->net, r->len, peer);
	if (ret == -EEXIST) {
		owner = r->v6 ? routing6_prefix_owner(&node->routes6, &r->net6,
						      r->len) :
				routing_prefix_owner(&node->routes, r->net,
						     r->len);
		if (!retry)
			log_warn("peer %s: subnet %s is already routed to %s; refusing the second until %s lets it go",
				 peer->name, net, owner ? owner->name : "?",
				 owner ? owner->name : "it");
		return -EEXIST;
	}
	if (ret) {
		log_err("peer %s: cannot route subnet %s", peer->name, net);
		return 0;
	}
	peer->subnets[peer->nsubnets] = *r;
	peer->subnet_kroute[peer->nsubnets] = link_subnet_add(node, r);
	peer->nsubnets++;
	peer->nsubnets6 += r->v6;
	peer->subnets_changed = true;
	log_info("peer %s: routing subnet %s%s", peer->name, net,
		 retry ? " (another peer let it go)" : "");
	return 0;
}

/*
 * Subnets behind the peer (site-to-site): routed to it alone, longest
 * prefix first. Never one that overlaps this node's own subnets (they are
 * behind us), and never one another peer holds: the first certificate
 * keeps it, and the second gets it when the first lets it go.
 */
static void peer_set_subnets(struct peer *peer,
			     const struct cert_identity *id)
{
	for (size_t i = peer->nsubnets; i-- > 0;) {
		bool keep = false;

		for (size_t j = 0; j < id->nroutes; j++)
			keep |= same_route(&peer->subnets[i], &id->routes[j]);
		if (!keep)
			subnet_drop(peer, i);
	}
	refused_clear(peer);
	for (size_t j = 0; j < id->nroutes; j++) {
		const struct cert_route *r = &id->routes[j];
		bool have = false;

		for (size_t i = 0; i < peer->nsubnets; i++)
			have |= same_route(&peer->subnets[i], r);
		if (have || peer->nsubnets >= CERT_ROUTES_MAX)
			continue;
		if (subnet_add(peer, r, false) == -EEXIST)
			refused_add(peer, r);
	}
}

void peer_forget_subnets(struct peer *peer)
{
	peer_drop_subnets(peer);
	refused_clear(peer);
}

void peer_subnets_retry(struct node *node)
{
	if (!node->subnet_freed)
		return;
	node->subnet_freed = false;
	for (struct peer *p = node->peers; p; p = p->next) {
		size_t before = p->nsubnets;

		for (size_t i = p->nrefused; i-- > 0;) {
			if (p->nsubnets >= CERT_ROUTES_MAX ||
			    subnet_add(p, &p->refused[i], true) == -EEXIST)
				continue;
			p->refused[i] = p->refused[--p->nrefused];
		}
		if (!p->nrefused)
			refused_clear(p);
		if (p->nsubnets != before)
			peer_changed(p, PEER_SUBNETS_CHANGED);
	}
}

/* Cryptokey routing: the peer's addresses are those of its certificate,
 * one IPv4 and one IPv6 at most, each routed to it alone. */
static void peer_set_addresses(struct peer *peer,
			       const struct cert_identity *id)
{
	struct node *node = peer->node;
	char addr[INET6_ADDRSTRLEN];
	struct peer *owner;

	if (peer->has_vaddr &&
	    (!id->has_vaddr || peer->vaddr.s_addr != id->vaddr.s_addr))
		routing_remove(&node->routes, peer->vaddr, peer);
	peer_set_has_vaddr(peer, false);
	if (id->has_vaddr) {
		inet_ntop(AF_INET, &id->vaddr, addr, sizeof(addr));
		owner = routing_lookup(&node->routes, id->vaddr);
		if (owner && owner != peer) {
			log_warn("address %s moves from peer %s to %s", addr,
				 owner->name, peer->name);
			peer_set_has_vaddr(owner, false);
		}
		if (routing_insert(&node->routes, id->vaddr, peer))
			log_err("peer %s: cannot add a route for %s",
				peer->name, addr);
		peer_set_has_vaddr(peer, true);
		peer->vaddr = id->vaddr;
	}
	if (peer->has_vaddr6 &&
	    (!id->has_vaddr6 || memcmp(&peer->vaddr6, &id->vaddr6, 16)))
		routing6_remove(&node->routes6, &peer->vaddr6, peer);
	peer->has_vaddr6 = false;
	if (id->has_vaddr6) {
		inet_ntop(AF_INET6, &id->vaddr6, addr, sizeof(addr));
		owner = routing6_lookup(&node->routes6, &id->vaddr6);
		if (owner && owner != peer) {
			log_warn("address %s moves from peer %s to %s", addr,
				 owner->name, peer->name);
			owner->has_vaddr6 = false;
		}
		if (routing6_insert(&node->routes6, &id->vaddr6, peer))
			log_err("peer %s: cannot add a route for %s",
				peer->name, addr);
		peer->has_vaddr6 = true;
		peer->vaddr6 = id->vaddr6;
	}
	peer_set_subnets(peer, id);
}

void peer_session_established(struct peer *peer, struct session *s,
			      const struct cert_identity *id)
{
	struct node *node = peer->node;

	if (peer->handshake == s)
		peer->handshake = NULL;
	peer->request_unanswered = false;
	/*
	 * A rekey without loss: the server finishes first, while the
	 * client may still wait for our last flight. So the server keeps
	 * sending on the old session until the client's first record on
	 * the new one shows that it has switched; the client switches at
	 * once and sends that record right away.
	 */
	if (!s->is_client && peer->current) {
		if (peer->pending)
			session_destroy(peer->pending);
		peer->pending = s;
	} else {
		peer_session_promote(peer, s);
	}

	peer_set_addresses(peer, id);
	peer->cert_not_after = id->not_after;
	memcpy(peer->cert_fp, id->fingerprint, sizeof(peer->cert_fp));
	peer->has_cert_fp = true;
	/* A path punched meanwhile beats the one the handshake took, if
	 * the punch is fresh: an older one may lead to a socket the peer
	 * has closed since, and waits for an in-session probe. */
	if (peer->path.ep.len && !peer->path.relay_channel &&
	    s->path.relay_channel && !peer->config_endpoint.len &&
	    traversal_punched_path_fresh(peer))
		s->path = peer->path;
	else
		peer->path = s->path;
	peer_index_update(peer);
	peer->latest_handshake = time(NULL);
	peer->last_rx = node_now(node);
	peer->last_tx = peer->last_rx;
	peer->attempt_backoff = BACKOFF_MIN;
	peer->stats.handshakes++;
	/* Keys into the kernel before anything is sealed under them. */
	peer_changed(peer, PEER_SESSION_UP);
	if (s->is_client)
		send_keepalive(peer);
	peer_changed(peer, PEER_SESSION_SETTLED);
	/* What its new certificate no longer claims may go to another. */
	peer_subnets_retry(node);
}

void peer_path_changed(struct peer *peer, const struct path *path)
{
	peer->path = *path;
	peer_index_update(peer);
	peer_changed(peer, PEER_PATH_CHANGED);
}

void peer_session_gone(struct peer *peer, struct session *s)
{
	if (peer->current == s)
		peer->current = NULL;
	if (peer->previous == s)
		peer->previous = NULL;
	if (peer->handshake == s)
		peer->handshake = NULL;
	if (peer->pending == s)
		peer->pending = NULL;
	peer_changed(peer, PEER_SESSION_GONE);
}

static void send_keepalive(struct peer *peer)
{
	/* A one-byte record that is not an IP packet: it proves liveness and
	 * refreshes NAT mappings without touching the TUN. */
	static const uint8_t keepalive = 0;

	if (!session_send_data(peer->current, &keepalive, 1))
		peer->last_tx = node_now(peer->node);
}

/*
 * New keys before the old ones get old or much used: the current session's
 * client starts a fresh handshake (wolfSSL cannot renegotiate) while the
 * current session carries on; a server whose client does not, asks it to.
 */
static void rekey_if_due(struct peer *peer, ev_tstamp now)
{
	const struct config *cfg = &peer->node->cfg;
	struct session *cur = peer->current;
	double rekey_after;
	bool due;

	if (!cur || peer->handshake || peer->pending ||
	    now - peer->last_attempt < URGENT_MIN_INTERVAL)
		return;
	/* Up to 10 % (at most 10 s) later, different for every session
	 * (its index is random): a thousand sessions that came up together
	 * do not all rekey in the same second. */
	rekey_after = cfg->rekey_after +
		      (cur->local_index % 1000) / 1000.0 *
		      (cfg->rekey_after < 100 ? cfg->rekey_after / 10.0 : 10.0);
	due = now - cur->established >= rekey_after ||
	      cur->keys.tx_seq - RECORD_SEQ_FIRST >= cfg->rekey_packets ||
	      peer->kernel.key_limit;
	/* The roles are the current session's: whoever dialled it rekeys. */
	if (cur->is_client && due) {
		log_debug("peer %s: rekeying session %08x", peer->name,
			  cur->local_index);
		peer->last_attempt = now;
		if (session_start_client(peer))
			log_warn("peer %s: cannot start a rekey", peer->name);
	} else if (!cur->is_client &&
		   now - cur->established >= rekey_after + 30.0) {
		peer->last_attempt = now;
		peer_send_session_request(peer);
	}
}

void peer_housekeeping(struct peer *peer, ev_tstamp now)
{
	unsigned int ka = peer->node->cfg.keepalive_interval;

	peer_index_update(peer);
	rekey_if_due(peer, now);
	if (peer->previous && peer->current &&
	    now - peer->current->established > PREVIOUS_SESSION_LINGER)
		session_destroy(peer->previous);
	if (peer->pending &&
	    now - peer->pending->established > PENDING_SESSION_MAX) {
		log_info("peer %s: session %08x was never used by its client, dropped",
			 peer->name, peer->pending->local_index);
		session_destroy(peer->pending);
	}
	if (peer->current && ka) {
		/* Three keepalives missed: the path or the peer is gone. */
		if (now - peer->last_rx > 3.0 * ka + 1.0) {
			log_info("peer %s: no packets for %.0f s, session is dead",
				 peer->name, now - peer->last_rx);
			session_destroy(peer->current);
			resolve_peer_silent(peer);
		} else if (now - peer->last_tx >= ka) {
			send_keepalive(peer);
		}
	}
	if (!peer->current)
		peer_want_session(peer, false);
}
