// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * NAT traversal, the node's side: register with rendezvous nodes, learn
 * this node's NAT type, look peers up, punch holes at the moment the
 * rendezvous introduces two nodes, and fall back to its relay when no
 * direct path opens within PunchTimeout. Against a symmetric NAT the
 * birthday approach is used: the symmetric side opens many mappings (many
 * sockets) while the cone side sprays probes over many ports.
 */
#include "traversal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "control.h"
#include "datapath.h"
#include "dns.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "queue.h"
#include "registration.h"
#include "session.h"
#include "wire.h"

#define PUNCH_TICK 0.01		/* s */
#define PUNCH_ROUND_TICKS 20	/* candidates are probed every 200 ms */
#define PUNCH_SOCKET_TICKS 50	/* extra sockets re-probe every 500 ms */
#define LOOKUP_INTERVAL 2.0
#define PORT_FIRST 1024
/* How long the extra sockets stay open after a pair met. */
#define PUNCH_SOCKET_LINGER 20.0
/* A punch that won while no session runs yet: a handshake is on its way
 * over the pair that met (ours or the peer's, retransmitted), and a
 * repeated introduction must not close its socket for this long. */
#define PUNCH_WON_GRACE 5.0
/* A punched path this fresh may carry a session that came up through
 * the relay at once (peer.c); an older one waits for an in-session
 * probe, as it may be gone. */
#define PUNCH_PATH_FRESH 2.0
/* A direct path that carried something this recently needs no punch. */
#define PATH_HEARD 1.0
/* A candidate path is probed through the session at most this often; */
#define PATH_PROBE_INTERVAL 0.1
/* the first candidate that answered is tried alone this long; */
#define PATH_PROBE_FIRST 0.5
/* with podnet.ko holding the keys, by a handshake at most this often. */
#define PATH_PROBE_HANDSHAKE_MIN 2.0

struct punch_socket {
	int fd;
	ev_io watcher;
};

struct punch {
	struct peer *peer;
	ev_timer timer;
	ev_tstamp deadline;
	unsigned int tick;
	double credit;			/* probes we may send now */
	struct punch_socket *socks;	/* we are the symmetric side */
	size_t n_socks;
	uint16_t *ports;		/* we spray at a symmetric side */
	size_t n_ports, next_port;
	bool succeeded;			/* only the sockets linger on */
	ev_tstamp won_at;		/* when it succeeded */
};

static void adopt_punch_socket(struct peer *peer, int fd);

/* Punching is over: keep the socket the session runs on, if it is ours. */
static void punch_settle(struct peer *peer)
{
	adopt_punch_socket(peer, peer->current ? peer->current->path.fd : -1);
}

/* Does a session that is not yet the current one (a server's rekey that
 * waits for the client's first record) run on another socket than the
 * current one? Closing that socket would strand the new session. */
static bool new_session_elsewhere(const struct peer *peer)
{
	return peer->current && peer->pending &&
	       peer->pending->path.fd != peer->current->path.fd;
}

/* A session came up: a rendezvous hears from us at once; a punched path
 * keeps the socket its session settled on. */
static void use_new_session(struct peer *peer)
{
	if (peer->nat.is_rendezvous) {
		peer->nat.probes_sent = 0;
		registration_send(peer);
	} else if (peer->nat.punch && peer->nat.punch->succeeded &&
		   !peer->current->path.relay_channel &&
		   !new_session_elsewhere(peer)) {
		adopt_punch_socket(peer, peer->current->path.fd);
	}
}

/* Every punch socket and peer's own socket is closed through here, so a
 * receive loop draining one of them learns of it (udp_read_cb). */
static void traversal_socket_close(struct node *node, ev_io *watcher, int fd)
{
	node->socket_generation++;
	if (fd < 0)
		return;
	if (fd == node->rx_fd)
		node->rx_fd_closed = true;
	ev_io_stop(node->loop, watcher);
	close(fd);
}

static void punch_socket_close(struct node *node, struct punch_socket *ps)
{
	traversal_socket_close(node, &ps->watcher, ps->fd);
	ps->fd = -1;
}

static void punch_stop(struct peer *peer)
{
	struct punch *pu = peer->nat.punch;
	struct node *node = peer->node;

	if (!pu)
		return;
	ev_timer_stop(node->loop, &pu->timer);
	for (size_t i = 0; i < pu->n_socks; i++)
		punch_socket_close(node, &pu->socks[i]);
	free(pu->socks);
	free(pu->ports);
	free(pu);
	peer->nat.punch = NULL;
}

static void close_peer_sockets(struct peer *peer)
{
	punch_stop(peer);
	if (peer->nat.own_fd >= 0) {
		traversal_socket_close(peer->node, &peer->nat.own_watcher,
				       peer->nat.own_fd);
		peer->nat.own_fd = -1;
	}
}

static void punch_send(struct node *node, int fd, const struct endpoint *ep,
		       const uint8_t *token, enum wire_punch_kind kind)
{
	uint8_t buf[WIRE_PUNCH_LEN];
	struct path path = { .ep = *ep, .fd = fd };

	wire_build_punch(buf, token, kind);
	path_send(node, &path, buf, sizeof(buf), NULL, 0);
}

/* A handshake under way follows the session's path: where it was going
 * may be a relay channel that is gone, or a punched path is better. A
 * rekey of ours starts again there at once rather than after its
 * retransmission timer. */
static void handshake_follow(struct peer *peer, const struct path *path)
{
	if (peer->handshake && !path_equal(&peer->handshake->path, path)) {
		if (peer->current && peer->handshake->is_client)
			session_start_client(peer);
		else
			peer->handshake->path = *path;
	}
}

static void set_path(struct peer *peer, const struct path *path)
{
	char desc[ADDR_STR_MAX + 32];

	peer->path = *path;
	peer_index_update(peer);
	if (peer->current && !path_equal(&peer->current->path, path)) {
		peer->current->path = *path;
		/* A fresh direct path gets its grace period before relayed
		 * packets still in flight may move the session back. */
		if (!path->relay_channel)
			peer->current->last_direct_rx = node_now(peer->node);
		log_info_ratelimited("peer %s: session %08x now runs %s %s", peer->name,
				     peer->current->local_index,
				     path->relay_channel ? "through the relay at" : "directly to",
				     path_format(path, desc, sizeof(desc)));
		/* podnet.ko sends on its own copy of the path: without
		 * this it kept sending into the dead direct path until
		 * the session died (issue 11, direct -> relay). */
		peer_changed(peer, PEER_PATH_CHANGED);
	}
	handshake_follow(peer, path);
	if (!peer->current)
		peer_want_session(peer, true);
}

void traversal_use_path(struct peer *peer, const struct path *path)
{
	set_path(peer, path);
}

static void use_relay(struct peer *peer, const char *reason)
{
	struct node *node = peer->node;

	punch_stop(peer);
	snprintf(peer->nat.path_reason, sizeof(peer->nat.path_reason), "%s",
		 reason);
	peer->nat.next_punch_retry = node_now(node) + node->cfg.punch_retry;
	if (!peer->nat.relay_path.ep.len) {
		log_warn_ratelimited("peer %s: %s, and no relay offered", peer->name, reason);
		return;
	}
	log_info_ratelimited("peer %s: %s; using the relay", peer->name, reason);
	set_path(peer, &peer->nat.relay_path);
}

/* Does the session run directly, on a path that carried something from
 * the peer just now? Then it needs neither a punch nor the relay. */
static bool direct_path_heard(const struct peer *peer)
{
	return peer->current && !peer->current->path.relay_channel &&
	       node_now(peer->node) - liveness_heard(peer) < PATH_HEARD;
}

static void punch_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct punch *pu = w->data;
	struct peer *peer = pu->peer;
	struct node *node = peer->node;
	unsigned int phase = pu->tick % PUNCH_ROUND_TICKS;
	const struct endpoint *reflexive = &peer->nat.candidates[0];

	if (pu->succeeded) {
		if (node_now(node) < pu->deadline)
			return;
		if (new_session_elsewhere(peer))
			pu->deadline += 1.0;
		else
			punch_settle(peer);
		return;
	}
	if (node_now(node) >= pu->deadline) {
		/* The old direct path may have come back meanwhile. */
		if (direct_path_heard(peer))
			punch_stop(peer);
		else
			use_relay(peer, "no reply from any candidate");
		return;
	}
	/* LAN candidates first, the reflexive one a tick later: on a
	 * shared LAN the local path answers first and wins. */
	if (phase == 0) {
		for (size_t i = 1; i < peer->nat.n_candidates; i++)
			punch_send(node, node->udp_fd, &peer->nat.candidates[i],
				   peer->nat.punch_token, WIRE_PUNCH_PROBE);
	} else if (phase == 1 && peer->nat.n_candidates) {
		punch_send(node, node->udp_fd, reflexive, peer->nat.punch_token,
			   WIRE_PUNCH_PROBE);
	}
	/* Symmetric side: every socket is a fresh mapping in our NAT, each
	 * opened towards the peer's one stable mapping. */
	if (pu->n_socks && pu->tick % PUNCH_SOCKET_TICKS == 2) {
		for (size_t i = 0; i < pu->n_socks; i++) {
			if (pu->socks[i].fd >= 0)
				punch_send(node, pu->socks[i].fd, reflexive,
					   peer->nat.punch_token,
					   WIRE_PUNCH_PROBE);
		}
	}
	/* Cone side: spray the symmetric side's address at many ports, at
	 * PunchRate; one of them will be one of its fresh mappings. */
	if (pu->n_ports) {
		pu->credit += node->cfg.punch_rate * PUNCH_TICK;
		while (pu->credit >= 1.0) {
			struct endpoint ep = *reflexive;

			ep.in.sin_port = htons(pu->ports[pu->next_port]);
			punch_send(node, node->udp_fd, &ep,
				   peer->nat.punch_token, WIRE_PUNCH_PROBE);
			pu->next_port = (pu->next_port + 1) % pu->n_ports;
			pu->credit -= 1.0;
		}
	}
	pu->tick++;
}

static int open_punch_sockets(struct punch *pu, size_t n)
{
	struct node *node = pu->peer->node;
	int off = 0;

	pu->socks = calloc(n, sizeof(*pu->socks));
	if (!pu->socks)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int fd = socket(node->udp_family,
				SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (node->udp_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
				   sizeof(off));
		pu->socks[i].fd = fd;
		ev_io_init(&pu->socks[i].watcher, udp_read_cb, fd, EV_READ);
		pu->socks[i].watcher.data = node;
		ev_io_start(node->loop, &pu->socks[i].watcher);
		pu->n_socks++;
	}
	return pu->n_socks ? 0 : -errno;
}

/* A random sample of distinct ports, Fisher-Yates over the whole range. */
static int pick_spray_ports(struct punch *pu, size_t n)
{
	size_t range = 65536 - PORT_FIRST;
	uint16_t *all;
	WC_RNG rng;

	if (n > range)
		n = range;
	all = malloc(range * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < range; i++)
		all[i] = (uint16_t)(PORT_FIRST + i);
	if (wc_InitRng(&rng)) {
		free(all);
		return -EIO;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t r;
		size_t j;
		uint16_t t;

		if (wc_RNG_GenerateBlock(&rng, (uint8_t *)&r, sizeof(r)))
			r = (uint32_t)rand();
		j = i + r % (range - i);
		t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	wc_FreeRng(&rng);
	pu->ports = realloc(all, n * sizeof(*all));
	if (!pu->ports)
		pu->ports = all;
	pu->n_ports = n;
	return 0;
}

static void punch_start(struct peer *peer)
{
	struct node *node = peer->node;
	bool we_sym = node->nat.type == NAT_SYMMETRIC;
	bool they_sym = peer->nat.type == NAT_SYMMETRIC;
	struct punch *pu;

	punch_stop(peer);
	if (!peer->nat.n_candidates)
		return;
	if (we_sym && they_sym) {
		use_relay(peer, "both sides symmetric");
		return;
	}
	pu = calloc(1, sizeof(*pu));
	if (!pu)
		return;
	pu->peer = peer;
	pu->deadline = node_now(node) + node->cfg.punch_timeout;
	/* A public peer answers whatever mapping reaches it, so the birthday
	 * approach is only needed between a symmetric NAT and a cone. */
	if (we_sym && peer->nat.type != NAT_NONE && node->cfg.punch_sockets)
		open_punch_sockets(pu, node->cfg.punch_sockets);
	if (they_sym && node->nat.type == NAT_CONE && node->cfg.punch_spray &&
	    peer->nat.candidates[0].sa.sa_family == AF_INET)
		pick_spray_ports(pu, node->cfg.punch_spray);
	ev_timer_init(&pu->timer, punch_tick, 0., PUNCH_TICK);
	pu->timer.data = pu;
	peer->nat.punch = pu;
	ev_timer_start(node->loop, &pu->timer);
	log_info_ratelimited("peer %s: punching (%zu candidates, %zu sockets, %zu spray ports; NAT here %s, there %s)",
			     peer->name, peer->nat.n_candidates, pu->n_socks, pu->n_ports,
			     nat_type_name(node->nat.type), nat_type_name(peer->nat.type));
}

/*
 * The session settled on one of the extra sockets: the peer keeps that one
 * and the others are closed. Until then all stay open, because each side
 * may have seen a different pair meet first, and the peer's handshake
 * arrives on the mapping *it* chose.
 */
static void adopt_punch_socket(struct peer *peer, int fd)
{
	struct node *node = peer->node;
	struct punch *pu = peer->nat.punch;

	for (size_t i = 0; pu && i < pu->n_socks; i++) {
		if (pu->socks[i].fd != fd)
			continue;
		ev_io_stop(node->loop, &pu->socks[i].watcher);
		pu->socks[i].fd = -1;
		close_peer_sockets(peer);
		peer->nat.own_fd = fd;
		ev_io_init(&peer->nat.own_watcher, udp_read_cb, fd, EV_READ);
		peer->nat.own_watcher.data = node;
		ev_io_start(node->loop, &peer->nat.own_watcher);
		return;
	}
	punch_stop(peer);
}

/* Punching is over: a direct path works. The extra sockets linger even
 * under a running session: the peer may have seen another pair meet
 * first and send to that one. The session follows its records there;
 * the socket it ends up on is kept when the lingering ends (punch_tick). */
static void punch_done(struct peer *peer)
{
	struct punch *pu = peer->nat.punch;

	if (pu && pu->n_socks) {
		if (!pu->succeeded) {
			/* Stop probing, keep the sockets until a session
			 * settles. */
			pu->succeeded = true;
			pu->won_at = node_now(peer->node);
			pu->deadline = pu->won_at + PUNCH_SOCKET_LINGER;
		}
	} else {
		punch_stop(peer);
	}
	peer->nat.path_reason[0] = '\0';
}

/* No session yet: the first answer is where the handshake goes. The
 * handshake authenticates both ends, so a session that comes up over
 * this path is the proof that it is the peer's. */
static void punch_succeeded(struct peer *peer, const struct path *from)
{
	struct punch *pu = peer->nat.punch;
	char desc[ADDR_STR_MAX + 32];

	/* One direct path is enough; later answers (the LAN candidate and
	 * the reflexive one both working) must not make the path flap. */
	if ((!pu || pu->succeeded) && !peer->path.relay_channel &&
	    peer->path.ep.len)
		return;
	punch_done(peer);
	log_info_ratelimited("peer %s: direct path %s", peer->name,
			     path_format(from, desc, sizeof(desc)));
	peer->nat.punched_at = node_now(peer->node);
	set_path(peer, from);
}

bool traversal_punched_path_fresh(const struct peer *peer)
{
	return peer->nat.punched_at > 0 &&
	       node_now(peer->node) - peer->nat.punched_at < PUNCH_PATH_FRESH;
}

/*
 * A session runs: a punch only names a candidate path, and the session
 * moves there only on an authenticated record (dispatch.c), as roaming
 * does. We send one, a ping under the session's keys, over the candidate:
 * the peer follows it there and its pong, coming back the same way,
 * moves our side. Somebody who merely holds the token (it travels in
 * clear) gets nothing: a punch from a host that is none of the peer's is
 * refused (traversal_punch), so the ping only ever goes to the peer's
 * own hosts, and a candidate that does not answer in-session is dropped
 * by doing nothing.
 */
static void probe_candidate(struct peer *peer, const struct path *cand)
{
	struct session *s = peer->current;
	struct rv_msg ping = { .type = RV_PING };
	ev_tstamp now = node_now(peer->node);
	struct peer_nat *nat = &peer->nat;
	struct path saved;

	/* One direct path is enough: once punching is over, later answers
	 * (the LAN candidate and the reflexive one both working) must not
	 * make the path flap; nor may they while the first one is tried. */
	if (path_equal(&s->path, cand) ||
	    (!s->path.relay_channel &&
	     (!nat->punch || nat->punch->succeeded)) ||
	    now - nat->probe_sent < PATH_PROBE_INTERVAL ||
	    (!path_equal(&nat->probe_path, cand) &&
	     now - nat->probe_sent < PATH_PROBE_FIRST))
		return;
	nat->probe_path = *cand;
	nat->probe_sent = now;
	if (s->in_kernel) {
		/* podnet.ko seals our control records and sends them on
		 * its own path: prove the candidate with a handshake over
		 * it instead (the current session's client dials). */
		if (!s->is_client || peer->handshake ||
		    now - peer->last_attempt < PATH_PROBE_HANDSHAKE_MIN)
			return;
		nat->path_probes++;
		saved = peer->path;
		peer->last_attempt = now;
		peer->path = *cand;
		if (session_start_client(peer))
			log_warn("peer %s: cannot start a handshake", peer->name);
		peer->path = saved;
		return;
	}
	nat->path_probes++;
	saved = s->path;
	s->path = *cand;
	session_send_control(s, &ping);
	s->path = saved;
}

/* The same host, port aside; an IPv4 address and its v4-mapped IPv6
 * form (a dual-stack socket) are the same. */
static bool v4_of(const struct endpoint *ep, uint32_t *addr)
{
	const uint8_t *a = ep->in6.sin6_addr.s6_addr;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (ep->sa.sa_family == AF_INET) {
		*addr = ep->in.sin_addr.s_addr;
		return true;
	}
	if (ep->sa.sa_family == AF_INET6 && !memcmp(a, mapped, 12)) {
		memcpy(addr, a + 12, 4);
		return true;
	}
	return false;
}

static bool same_host(const struct endpoint *a, const struct endpoint *b)
{
	uint32_t a4, b4;

	if (v4_of(a, &a4) && v4_of(b, &b4))
		return a4 == b4;
	return a->sa.sa_family == AF_INET6 && b->sa.sa_family == AF_INET6 &&
	       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr,
		       sizeof(a->in6.sin6_addr));
}

/*
 * Could the peer send from ep? Its candidates come from the rendezvous,
 * in-session: its reflexive address and its LAN addresses. The port may
 * differ (a symmetric NAT maps every destination to a fresh one), the
 * host may not: a token sniffed off the wire does not make a stranger's
 * own address a candidate.
 */
static bool candidate_host(const struct peer *peer, const struct endpoint *ep)
{
	for (size_t i = 0; i < peer->nat.n_candidates; i++) {
		if (same_host(&peer->nat.candidates[i], ep))
			return true;
	}
	return false;
}

/* node->nat.tokens: the map exists while it holds something. */
static void token_index(struct peer *peer, const uint8_t *token)
{
	struct keymap *m = &peer->node->nat.tokens;

	if (!m->slots && keymap_init(m, RV_TOKEN_LEN))
		return;
	keymap_put(m, token, peer);
}

static void token_unindex(struct peer *peer, const uint8_t *token)
{
	struct keymap *m = &peer->node->nat.tokens;

	if (!m->slots)
		return;
	keymap_del(m, token, peer);
	if (!m->count)
		keymap_free(m);
}

static struct peer *peer_by_token(struct node *node, const uint8_t *token)
{
	struct peer *peer;

	if (!node->nat.tokens.slots)
		return NULL;
	peer = keymap_get(&node->nat.tokens, token);
	if (peer && ((peer->nat.has_token &&
		      !memcmp(peer->nat.punch_token, token, RV_TOKEN_LEN)) ||
		     (peer->nat.has_prev_token &&
		      !memcmp(peer->nat.prev_token, token, RV_TOKEN_LEN))))
		return peer;
	return NULL;
}

void traversal_punch(struct node *node, const struct path *from,
		     const uint8_t *token, uint8_t kind)
{
	struct peer *peer = peer_by_token(node, token);

	if (!peer) {
		node->stats.rx_malformed++;
		return;
	}
	/* Neither answered nor used: an answer would only tell a stranger
	 * that its token is good. */
	if (!candidate_host(peer, &from->ep)) {
		node->stats.rx_punch_refused++;
		return;
	}
	/* Answer from the socket it arrived on, to wherever it came from:
	 * that source is the peer's mapping for this path, even when it is
	 * not one of the candidates (a symmetric NAT's fresh port). */
	if (kind == WIRE_PUNCH_PROBE)
		punch_send(node, from->fd, &from->ep, token, WIRE_PUNCH_ANSWER);
	if (path_equal(&peer->path, from))
		peer->nat.punched_at = node_now(node);
	if (peer->current)
		probe_candidate(peer, from);
	else if (peer->nat.punch || peer->path.relay_channel ||
		 !peer->path.ep.len)
		punch_succeeded(peer, from);
}

/* The session moved (an authenticated record came from elsewhere). */
static void path_changed(struct peer *peer)
{
	char desc[ADDR_STR_MAX + 32];

	if (peer->path.relay_channel)
		return;
	/* A direct path needs no excuse, nor any more punching. */
	peer->nat.path_reason[0] = '\0';
	if (peer->nat.punch && !peer->nat.punch->succeeded) {
		log_info_ratelimited("peer %s: direct path %s confirmed",
				     peer->name,
				     path_format(&peer->path, desc, sizeof(desc)));
		punch_done(peer);
	}
	handshake_follow(peer, &peer->path);
}

void traversal_rendezvous_changed(struct node *node)
{
	node->nat.n_registered_stale = true;
}

/* Registered rendezvous peers: walked only after a change. */
static unsigned int registered_rendezvous(struct node *node)
{
	if (node->nat.n_registered_stale) {
		node->nat.n_registered = 0;
		for (struct peer *p = node->peers; p; p = p->next)
			node->nat.n_registered += p->nat.is_rendezvous &&
						  p->nat.registered;
		node->nat.n_registered_stale = false;
	}
	return node->nat.n_registered;
}

static bool any_rendezvous(struct node *node)
{
	return registered_rendezvous(node) > 0;
}

static void send_lookup(struct node *node, const struct rv_msg *m)
{
	for (struct peer *p = node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous && p->nat.registered)
			session_send_control(p->current, m);
	}
}

static void lookup_name(struct peer *peer)
{
	struct node *node = peer->node;
	ev_tstamp now = node_now(node);
	struct rv_msg m = { .type = RV_LOOKUP };

	if (peer->nat.is_rendezvous ||
	    now - peer->nat.last_lookup < LOOKUP_INTERVAL ||
	    !any_rendezvous(node))
		return;
	peer->nat.last_lookup = now;
	snprintf(m.name, sizeof(m.name), "%s", peer->name);
	log_debug_ratelimited("peer %s: asking the rendezvous", peer->name);
	send_lookup(node, &m);
}

void traversal_lookup(struct peer *peer, bool now)
{
	if (now)
		peer->nat.last_lookup = 0;
	lookup_name(peer);
}

bool traversal_can_lookup(struct node *node)
{
	return any_rendezvous(node);
}

unsigned int traversal_lookup_by_name(struct node *node, const char *name)
{
	struct rv_msg m = { .type = RV_LOOKUP };
	unsigned int n = registered_rendezvous(node);

	if (n) {
		snprintf(m.name, sizeof(m.name), "%s", name);
		send_lookup(node, &m);
	}
	return n;
}

/* Asks for the holder of addr (a lookup message ready in m), at most
 * every LOOKUP_INTERVAL per address. */
static bool lookup_address(struct node *node, const struct in6_addr *addr,
			   const struct rv_msg *m)
{
	ev_tstamp now = node_now(node);
	size_t oldest = 0;

	if (!any_rendezvous(node))
		return false;
	for (size_t i = 0; i < LOOKUP_CACHE; i++) {
		if (!memcmp(&node->nat.lookups[i].addr, addr, sizeof(*addr))) {
			if (now - node->nat.lookups[i].when < LOOKUP_INTERVAL)
				return true;
			oldest = i;
			break;
		}
		if (node->nat.lookups[i].when < node->nat.lookups[oldest].when)
			oldest = i;
	}
	node->nat.lookups[oldest].addr = *addr;
	node->nat.lookups[oldest].when = now;
	send_lookup(node, m);
	return true;
}

bool traversal_lookup_vaddr(struct node *node, struct in_addr vaddr)
{
	struct rv_msg m = { .type = RV_LOOKUP, .by_vaddr = true,
			    .vaddr = vaddr };
	struct in6_addr key = { 0 };

	key.s6_addr[10] = key.s6_addr[11] = 0xff;
	memcpy(&key.s6_addr[12], &vaddr, 4);
	return lookup_address(node, &key, &m);
}

bool traversal_lookup_vaddr6(struct node *node, const struct in6_addr *vaddr)
{
	struct rv_msg m = { .type = RV_LOOKUP, .by_vaddr = true, .v6 = true,
			    .vaddr6 = *vaddr };

	return lookup_address(node, vaddr, &m);
}

/* Does the punch under way probe ep already? */
static bool punching_candidate(const struct peer *peer,
			       const struct endpoint *ep)
{
	if (!peer->nat.punch || peer->nat.punch->succeeded)
		return false;
	for (size_t i = 1; i < peer->nat.n_candidates; i++) {
		if (endpoint_equal(&peer->nat.candidates[i], ep))
			return true;
	}
	return false;
}

/*
 * The candidates of an introduction we will probe: the reflexive one,
 * and the LAN ones that could be on a LAN shared with us, bounded in
 * number and each only so often, whoever names it. Any member
 * registers what it likes as its LAN candidates: without this, a lookup
 * would make us probe addresses of its choice. A candidate the punch
 * under way already probes stays without a new token: a second
 * rendezvous' introduction must not take it from that punch.
 */
static size_t filter_candidates(struct peer *peer, const struct rv_msg *m)
{
	struct node *node = peer->node;
	ev_tstamp now = node_now(node);
	struct endpoint keep[RV_MAX_CANDIDATES];
	size_t n = 0;

	keep[n++] = m->cands[0];
	for (size_t i = 1; i < m->n_cands; i++) {
		const struct endpoint *ep = &m->cands[i];

		if (n > CANDIDATE_LAN_MAX || !candidate_plausible_lan(ep) ||
		    (!punching_candidate(peer, ep) &&
		     !candidate_probe_allowed(&node->cand, ep, now))) {
			node->stats.candidates_refused++;
			continue;
		}
		keep[n++] = *ep;
	}
	memcpy(peer->nat.candidates, keep, n * sizeof(keep[0]));
	return n;
}

/* Won, sockets lingering, no session yet, and only just. */
static bool punch_won_waiting(const struct peer *peer)
{
	const struct punch *pu = peer->nat.punch;

	return pu && pu->succeeded && !peer->current &&
	       node_now(peer->node) - pu->won_at < PUNCH_WON_GRACE;
}

static void handle_candidates(struct peer *rv, const struct rv_msg *m)
{
	struct node *node = rv->node;
	const struct path *choice;
	struct peer *peer;
	bool move, has6;

	/* Its IPv6 address came just before, if it has one. */
	has6 = rv->nat.addr6_name[0] && !strcmp(rv->nat.addr6_name, m->name);
	rv->nat.addr6_name[0] = '\0';
	if (!strcmp(m->name, node->identity.name) || !m->n_cands)
		return;
	/* The reflexive candidate is what the rendezvous saw. */
	if (!candidate_sane(&m->cands[0])) {
		node->stats.candidates_refused += m->n_cands;
		return;
	}
	/* A name is an address, whether or not a peer can be made of it. */
	dns_name_learned(node, m->name, m->vaddr, has6 ? &rv->nat.addr6 : NULL);
	peer = peer_find_by_name(node, m->name);
	if (!peer)
		peer = peer_create_learned(node, m->name);
	if (!peer || peer->nat.is_rendezvous)
		return;
	/* What waited for its addresses waits for this peer now (and
	 * goes to it only if its certificate holds them: queue.c). */
	queue_lookup_answered(peer, m->vaddr);
	if (has6)
		queue_lookup_answered6(peer, &rv->nat.addr6);
	if (!peer->nat.candidates)
		peer->nat.candidates = calloc(RV_MAX_CANDIDATES,
					  sizeof(*peer->nat.candidates));
	if (!peer->nat.candidates)
		return;
	if (peer->nat.has_token &&
	    memcmp(peer->nat.punch_token, m->token, RV_TOKEN_LEN)) {
		if (peer->nat.has_prev_token)
			token_unindex(peer, peer->nat.prev_token);
		memcpy(peer->nat.prev_token, peer->nat.punch_token,
		       RV_TOKEN_LEN);
		peer->nat.has_prev_token = true;
	}
	memcpy(peer->nat.punch_token, m->token, RV_TOKEN_LEN);
	peer->nat.has_token = true;
	token_index(peer, peer->nat.punch_token);
	peer->nat.n_candidates = filter_candidates(peer, m);
	peer->nat.type = m->nat_type;
	memset(&peer->nat.relay_path, 0, sizeof(peer->nat.relay_path));
	if (m->relay_channel) {
		peer->nat.relay_path.ep = rv->path.ep;
		peer->nat.relay_path.fd = node->udp_fd;
		peer->nat.relay_path.relay_channel = m->relay_channel;
	}
	/* Of the relays offered, the one both ends choose; when ours is
	 * gone (the rendezvous restarted, or went away) it carries the
	 * running session at once. */
	move = recover_offer(peer, rv, &peer->nat.relay_path);
	choice = recover_relay_choice(peer);
	if (choice)
		peer->nat.relay_path = *choice;
	if (move)
		set_path(peer, &peer->nat.relay_path);
	/* A punch under way, a first handshake (its path may hang on a
	 * socket a new punch would close), or a punch just won that waits
	 * for the peer's handshake over that socket, or a new session
	 * that waits for its first record on another socket: a repeated
	 * introduction (the peer's housekeeping looked us up) changes
	 * nothing. */
	if ((peer->nat.punch && !peer->nat.punch->succeeded) ||
	    (peer->handshake && !peer->current) ||
	    punch_won_waiting(peer) || new_session_elsewhere(peer))
		return;
	/* The peer asked for it: its side of our path is dead (liveness.c),
	 * unless ours still hears it. */
	if (direct_path_heard(peer))
		return;
	punch_settle(peer);
	punch_start(peer);
}

void traversal_message(struct peer *from, const struct rv_msg *m)
{
	struct node *node = from->node;
	struct rv_msg pong = { .type = RV_PONG, .ping_id = m->ping_id };
	char ep[ADDR_STR_MAX];
	bool moved;

	switch (m->type) {
	case RV_PING:
		session_send_control(from->current, &pong);
		return;
	case RV_PONG:
		if (!liveness_pong(from, m->ping_id) &&
		    !recover_pong(from, m->ping_id))
			control_ping_answered(node, from, m->ping_id);
		return;
	}
	if (!from->nat.is_rendezvous) {
		from->stats.drop_invalid++;
		return;
	}
	switch (m->type) {
	case RV_REGISTER_ACK:
		moved = from->nat.reflexive.len &&
			!endpoint_equal(&from->nat.reflexive, &m->cands[0]);
		if (!from->nat.registered || moved)
			log_info("registered with rendezvous %s, seen as %s",
				 from->name, endpoint_format(&m->cands[0], ep,
							     sizeof(ep)));
		from->nat.registered = true;
		traversal_rendezvous_changed(node);
		rvreach_registered(from);
		from->nat.probe_port = m->probe_port;
		from->nat.reflexive = m->cands[0];
		node->nat.reflexive = m->cands[0];
		/* Seen elsewhere now: a rebinding, or another NAT altogether
		 * (a laptop on another network), whose kind may differ. The
		 * type measured stays until a probe says otherwise. */
		if (moved && node->nat.type != NAT_UNKNOWN &&
		    m->cands[0].sa.sa_family == AF_INET) {
			node->nat.remeasure = true;
			from->nat.probes_sent = 0;
			from->nat.probe_nonce = 0;
		}
		if (node->nat.type == NAT_UNKNOWN || node->nat.remeasure)
			registration_send_nat_probe(from);
		/* A lookup that went to a rendezvous which had forgotten us
		 * (restarted) may go again at once. */
		memset(node->nat.lookups, 0, sizeof(node->nat.lookups));
		dns_rendezvous_registered(node);
		/* Peers we only know by name can be looked up now. */
		for (struct peer *p = node->peers; p; p = p->next) {
			if (!p->current && !p->config_endpoint.len &&
			    !p->nat.is_rendezvous)
				lookup_name(p);
		}
		break;
	case RV_ADDRESS6:
		snprintf(from->nat.addr6_name, sizeof(from->nat.addr6_name),
			 "%s", m->name);
		from->nat.addr6 = m->vaddr6;
		break;
	case RV_CANDIDATES:
		handle_candidates(from, m);
		break;
	case RV_NOT_FOUND:
		log_debug_ratelimited("rendezvous %s does not know %s", from->name,
				      m->by_vaddr ? "that address" : m->name);
		if (m->by_vaddr && m->v6)
			queue_lookup_failed6(node, &m->vaddr6);
		else if (m->by_vaddr)
			queue_lookup_failed(node, m->vaddr);
		else {
			recover_not_found(from, m->name);
			dns_name_not_found(node, m->name);
		}
		break;
	case RV_BOOT:
		recover_boot(from, m->boot_id);
		break;
	case RV_RELAY_LIMIT:
		if (!from->nat.has_relay_limit ||
		    from->nat.relay_limit != m->relay_limit)
			log_info("rendezvous %s relays this node at up to %u Mbit/s%s",
				 from->name, m->relay_limit,
				 m->relay_limit ? "" : " (no relay)");
		from->nat.has_relay_limit = true;
		from->nat.relay_limit = m->relay_limit;
		break;
	}
}

void traversal_path_quiet(struct peer *peer)
{
	if (peer->path.relay_channel)
		registration_renew_all(peer->node);
}

/*
 * Our mapping, the peer's, or the path between them died (a NAT forgot
 * it): the relay carries the session while both sides punch again.
 */
void traversal_path_lost(struct peer *peer)
{
	char desc[ADDR_STR_MAX + 32];

	log_info("peer %s: no answer on %s; looking for a new path",
		 peer->name, path_format(&peer->path, desc, sizeof(desc)));
	registration_renew_all(peer->node);
	/* A punch the peer started for the same reason goes on. */
	if (peer->nat.punch && !peer->nat.punch->succeeded) {
		if (!peer->path.relay_channel && peer->nat.relay_path.ep.len)
			set_path(peer, &peer->nat.relay_path);
		return;
	}
	if (!peer->path.relay_channel && peer->nat.relay_path.ep.len)
		use_relay(peer, "direct path lost");
	else if (!peer->nat.relay_path.ep.len)
		/* Nothing to fall back on, and the silence may be the peer's:
		 * restarted, it lost the session and answers no record under
		 * it (nor asks for a new one when our records are small). A
		 * fresh handshake settles it either way; the session stays
		 * until the new one is up. */
		peer_want_session(peer, true);
	peer->nat.last_lookup = 0;
	lookup_name(peer);
}

void traversal_housekeeping(struct node *node, ev_tstamp now)
{
	recover_housekeeping(node, now);
	for (struct peer *p = node->peers; p; p = p->next) {
		if (p->nat.is_rendezvous)
			rvreach_housekeeping(p, now);
		if (p->nat.is_rendezvous && p->current) {
			registration_housekeeping(p, now);
			continue;
		}
		/* Relayed: keep trying for a direct path in the background,
		 * through a fresh introduction (both sides punch again). */
		if (p->current && p->path.relay_channel && !p->nat.punch &&
		    strcmp(p->nat.path_reason, "both sides symmetric") &&
		    now >= p->nat.next_punch_retry) {
			p->nat.next_punch_retry = now + node->cfg.punch_retry;
			p->nat.last_lookup = 0;
			lookup_name(p);
		}
	}
}

void traversal_peer_changed(struct peer *peer, enum peer_event what)
{
	rvreach_peer_changed(peer, what);
	recover_peer_changed(peer, what);
	liveness_peer_changed(peer, what);
	switch (what) {
	case PEER_CREATED:
		peer->nat.own_fd = -1;
		break;
	case PEER_REMOVED:
		traversal_rendezvous_changed(peer->node);
		if (peer->nat.has_token)
			token_unindex(peer, peer->nat.punch_token);
		if (peer->nat.has_prev_token)
			token_unindex(peer, peer->nat.prev_token);
		close_peer_sockets(peer);
		free(peer->nat.candidates);
		peer->nat.candidates = NULL;
		break;
	case PEER_SESSION_SETTLED:
		use_new_session(peer);
		break;
	case PEER_PATH_CHANGED:
		path_changed(peer);
		break;
	case PEER_PATH_WANTED:
		lookup_name(peer);
		break;
	default:
		break;
	}
}
