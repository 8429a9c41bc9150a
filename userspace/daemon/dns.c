// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The node's DNS server (dns.h). It listens on the virtual addresses
 * only (IPv4 and IPv6, each the node has), and answers only datagrams that came in through the podnet interface
 * (a peer, whose inner source the tunnel authenticated) or from this host
 * (loopback): a host on the LAN routing the virtual address at us gets
 * nothing. Outside the domain it answers REFUSED with the question alone,
 * no bigger than the query; queries are rate-limited on top.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "traversal.h"

_Static_assert(DNS_NAME_MAX == CERT_NAME_MAX,
	       "dns_answer.h's node name is a certificate's");

#define DNS_PORT 53
#define DNS_QUERY_RATE 1000.0	/* queries per second, all clients */
/* Names asked of the rendezvous per second: a peer making up names must
 * not turn us into a source of lookups (each may introduce us). */
#define DNS_LOOKUP_RATE 50.0
#define DNS_TCP_IDLE 5.0
#define DNS_TICK 0.1
/* s before a name the rendezvous did not know is asked for again: a node
 * that just registered resolves within it. */
#define DNS_ASK_AGAIN 1.0

struct lookup_ctx {
	struct node *node;
};

static struct dns_cached *cache_find(struct node *node, const char *name)
{
	for (size_t i = 0; i < DNS_CACHE_SIZE; i++) {
		struct dns_cached *c = &node->dns.cache[i];

		if (c->name[0] && !strcmp(c->name, name))
			return c;
	}
	return NULL;
}

static void cache_put(struct node *node, const char *name, bool found,
		      struct in_addr v4, const struct in6_addr *v6)
{
	struct dns_cached *c = cache_find(node, name), *oldest;

	if (!c) {
		oldest = &node->dns.cache[0];
		for (size_t i = 0; i < DNS_CACHE_SIZE; i++) {
			if (node->dns.cache[i].when < oldest->when)
				oldest = &node->dns.cache[i];
		}
		c = oldest;
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->found = found;
	c->has_v4 = v4.s_addr != 0;
	c->v4 = v4;
	c->has_v6 = v6 != NULL;
	if (v6)
		c->v6 = *v6;
	c->when = node_now(node);
}

/* Names are lowercase here; certificates may spell them otherwise. A
 * walk of the list, as peer_find_by_name(): queries are rate-limited. */
static struct peer *find_peer(struct node *node, const char *name)
{
	for (struct peer *p = node->peers; p; p = p->next) {
		if (!strcasecmp(p->name, name))
			return p;
	}
	return NULL;
}

static enum dns_name_result lookup(void *opaque, const char *name,
				   struct dns_addrs *out)
{
	struct node *node = ((struct lookup_ctx *)opaque)->node;
	ev_tstamp now = node_now(node);
	struct dns_cached *c;
	struct peer *p;

	if (!strcasecmp(name, node->identity.name)) {
		out->has_v4 = node->cfg.has_address;
		out->v4 = node->cfg.address;
		out->has_v6 = node->cfg.has_address6;
		out->v6 = node->cfg.address6;
		return DNS_NAME_FOUND;
	}
	p = find_peer(node, name);
	/* The addresses its certificate names: A and AAAA. */
	if (p && (p->has_vaddr || p->has_vaddr6)) {
		out->has_v4 = p->has_vaddr;
		out->v4 = p->vaddr;
		out->has_v6 = p->has_vaddr6;
		out->v6 = p->vaddr6;
		return DNS_NAME_FOUND;
	}
	c = cache_find(node, name);
	if (c && c->found && now - c->when < DNS_TTL) {
		out->has_v4 = c->has_v4;
		out->v4 = c->v4;
		out->has_v6 = c->has_v6;
		out->v6 = c->v6;
		return DNS_NAME_FOUND;
	}
	if (c && !c->found && now - c->when < DNS_ASK_AGAIN)
		return DNS_NAME_NONE;
	/* A peer we have no session with yet (its certificate names its
	 * address), or a rendezvous to ask: worth waiting for. */
	if (p || traversal_can_lookup(node))
		return DNS_NAME_UNKNOWN;
	return DNS_NAME_NONE;
}

static void count(struct node *node, enum dns_outcome o)
{
	struct dns_stats *s = &node->dns.stats;

	switch (o) {
	case DNS_DROP: s->malformed++; break;
	case DNS_ANSWERED: s->answered++; break;
	case DNS_NXDOMAIN: s->nxdomain++; break;
	case DNS_REFUSED: s->refused++; break;
	case DNS_SERVFAIL: s->servfail++; break;
	case DNS_PENDING: break;
	}
}

static void tcp_close(struct dns_tcp *t)
{
	struct ev_loop *loop = t->node->loop;

	if (t->fd < 0)
		return;
	ev_io_stop(loop, &t->watcher);
	ev_timer_stop(loop, &t->idle);
	close(t->fd);
	t->fd = -1;
	t->gen++;
	t->have = 0;
}

/* One answer, over UDP to from, or on TCP connection t with its length. */
static void send_answer(struct node *node, const uint8_t *ans, size_t len,
			const struct endpoint *from, struct dns_tcp *t)
{
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = 2 },
		{ .iov_base = (void *)ans, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	if (!t) {
		sendto(from->sa.sa_family == AF_INET6 ? node->dns.v6.udp_fd :
							node->dns.v4.udp_fd,
		       ans, len, 0, &from->sa, from->len);
		return;
	}
	/* An answer is small; a client that cannot take it at once is
	 * not worth buffering for. */
	n = sendmsg(t->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n != (ssize_t)(len + 2))
		tcp_close(t);
}

/*
 * Answers a query, or parks it until the name is known. Returns false
 * when it was parked.
 */
static bool handle_query(struct node *node, const uint8_t *q, size_t len,
			 const struct endpoint *from, struct dns_tcp *t,
			 bool give_up, struct dns_pending *slot)
{
	static uint8_t ans[DNS_TCP_MAX];
	struct lookup_ctx ctx = { .node = node };
	struct dns_request req = {
		.query = q, .len = len, .tcp = t != NULL,
		.domain = node->cfg.domain, .give_up = give_up,
	};
	char name[DNS_NAME_MAX] = "";
	enum dns_outcome o;
	size_t alen = 0;
	struct peer *p;

	/* A query costs a walk of the peers: a new one takes a token
	 * first, whoever sends it (a waiting one has its token). */
	if (!slot && !token_bucket_take(&node->dns.bucket, node_now(node),
					DNS_QUERY_RATE)) {
		node->dns.stats.dropped++;
		return true;
	}
	o = dns_answer(&req, lookup, &ctx, ans, sizeof(ans), &alen, name);
	if (slot)
		snprintf(name, sizeof(name), "%s", slot->name);
	if (o == DNS_PENDING && !slot) {
		for (size_t i = 0; i < DNS_PENDING_MAX && !slot; i++) {
			if (!node->dns.pending[i].used)
				slot = &node->dns.pending[i];
		}
		if (slot && !token_bucket_take(&node->dns.lookups,
					       node_now(node),
					       DNS_LOOKUP_RATE))
			slot = NULL;
		if (!slot) {
			/* Too many waiting or asked already: fail now. */
			req.give_up = true;
			o = dns_answer(&req, lookup, &ctx, ans, sizeof(ans),
				       &alen, name);
		} else {
			memset(slot, 0, sizeof(*slot));
			slot->used = true;
			slot->deadline = node_now(node) + DNS_WAIT;
			snprintf(slot->name, sizeof(slot->name), "%s", name);
			memcpy(slot->query, q, len);
			slot->len = len;
			slot->tcp = -1;
			if (t) {
				slot->tcp = (int)(t - node->dns.tcp);
				slot->tcp_gen = t->gen;
			} else {
				slot->from = *from;
			}
			p = find_peer(node, name);
			if (p)
				peer_want_session(p, true);
			slot->asked = traversal_lookup_by_name(node, name);
			if (!ev_is_active(&node->dns.tick))
				ev_timer_again(node->loop, &node->dns.tick);
			return false;
		}
	}
	if (o == DNS_PENDING)
		return false;
	count(node, o);
	if (o == DNS_SERVFAIL)
		log_debug_ratelimited("DNS: no answer for %s", name);
	if (o == DNS_DROP)
		return true;
	send_answer(node, ans, alen, from, t);
	return true;
}

static void pending_retry(struct node *node, const char *only)
{
	ev_tstamp now = node_now(node);
	bool any = false;

	for (size_t i = 0; i < DNS_PENDING_MAX; i++) {
		struct dns_pending *pd = &node->dns.pending[i];
		struct dns_tcp *t = NULL;

		if (!pd->used || (only && strcmp(pd->name, only)))
			continue;
		if (pd->tcp >= 0) {
			t = &node->dns.tcp[pd->tcp];
			if (t->fd < 0 || t->gen != pd->tcp_gen) {
				pd->used = false;
				continue;
			}
		}
		if (handle_query(node, pd->query, pd->len, &pd->from, t,
				 now >= pd->deadline, pd))
			pd->used = false;
		else
			any = true;
	}
	if (!any && !only)
		ev_timer_stop(node->loop, &node->dns.tick);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	pending_retry(w->data, NULL);
}

void dns_name_learned(struct node *node, const char *name,
		      struct in_addr vaddr, const struct in6_addr *v6)
{
	char lower[DNS_NAME_MAX];
	size_t i;

	if (!node->dns.running || (!vaddr.s_addr && !v6))
		return;
	for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z') ?
			   (char)(name[i] - 'A' + 'a') : name[i];
	lower[i] = '\0';
	cache_put(node, lower, true, vaddr, v6);
	pending_retry(node, lower);
}

void dns_name_not_found(struct node *node, const char *name)
{
	struct in_addr none = { 0 };
	bool all = false;

	if (!node->dns.running)
		return;
	/* NXDOMAIN once every rendezvous we asked has said no. */
	for (size_t i = 0; i < DNS_PENDING_MAX; i++) {
		struct dns_pending *pd = &node->dns.pending[i];

		if (pd->used && !strcasecmp(pd->name, name) &&
		    ++pd->not_found >= pd->asked)
			all = true;
	}
	if (all && !find_peer(node, name)) {
		cache_put(node, name, false, none, NULL);
		pending_retry(node, name);
	}
}

void dns_rendezvous_registered(struct node *node)
{
	if (!node->dns.running)
		return;
	/* A lookup sent just before may have gone to the rendezvous'
	 * previous life (it restarted), or to none: ask again. */
	for (size_t i = 0; i < DNS_PENDING_MAX; i++) {
		struct dns_pending *pd = &node->dns.pending[i];

		if (pd->used) {
			pd->asked = traversal_lookup_by_name(node, pd->name);
			pd->not_found = 0;
		}
	}
}

/* From the podnet interface (a peer) or from this host, never from
 * elsewhere (weak host model: the LAN can route our address to us). */
static bool source_allowed(struct node *node, int ifindex)
{
	return ifindex == node->ifindex || ifindex == node->dns.lo_ifindex;
}

static void udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	uint8_t buf[DNS_QUERY_MAX + 1];
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];

	for (int i = 0; i < 64; i++) {
		struct endpoint from = { 0 };
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from.sa, .msg_namelen = sizeof(from.in6),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		int ifindex = -1;
		ssize_t n = recvmsg(w->fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		from.len = mh.msg_namelen;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			struct in_pktinfo pi;
			struct in6_pktinfo pi6;

			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = pi.ipi_ifindex;
			} else if (c->cmsg_level == IPPROTO_IPV6 &&
				   c->cmsg_type == IPV6_PKTINFO) {
				memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
				ifindex = (int)pi6.ipi6_ifindex;
			}
		}
		/* The port sits at the same place in both families. */
		if (!source_allowed(node, ifindex) || !ntohs(from.in.sin_port)) {
			node->dns.stats.dropped++;
			continue;
		}
		if ((size_t)n > DNS_QUERY_MAX) {
			node->dns.stats.malformed++;
			continue;
		}
		handle_query(node, buf, (size_t)n, &from, NULL, false, NULL);
	}
}

static void tcp_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	tcp_close(w->data);
}

static void tcp_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_tcp *t = w->data;
	struct node *node = t->node;
	ssize_t n;
	size_t want;

	n = recv(t->fd, t->buf + t->have, sizeof(t->buf) - t->have,
		 MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			tcp_close(t);
		return;
	}
	t->have += (size_t)n;
	ev_timer_again(loop, &t->idle);
	while (t->fd >= 0 && t->have >= 2) {
		want = (size_t)t->buf[0] << 8 | t->buf[1];
		if (want > DNS_QUERY_MAX || want < 12) {
			node->dns.stats.malformed++;
			tcp_close(t);
			return;
		}
		if (t->have < 2 + want)
			return;
		handle_query(node, t->buf + 2, want, NULL, t, false, NULL);
		if (t->fd < 0)
			return;
		memmove(t->buf, t->buf + 2 + want, t->have - 2 - want);
		t->have -= 2 + want;
	}
}

static void tcp_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	struct endpoint from = { 0 };
	socklen_t flen = sizeof(from.in6);
	struct dns_tcp *t = NULL;
	int fd = accept4(w->fd, &from.sa, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	bool ours;

	if (fd < 0)
		return;
	/* TCP needs a handshake, so the source is real: a peer's address
	 * (routed back through the tunnel) or our own. */
	if (from.sa.sa_family == AF_INET6)
		ours = (node->cfg.has_address6 &&
			!memcmp(&from.in6.sin6_addr, &node->cfg.address6,
				sizeof(node->cfg.address6))) ||
		       routing6_lookup(&node->routes6, &from.in6.sin6_addr);
	else
		ours = from.in.sin_addr.s_addr == node->cfg.address.s_addr ||
		       routing_lookup(&node->routes, from.in.sin_addr);
	if (!ours) {
		node->dns.stats.dropped++;
		close(fd);
		return;
	}
	for (size_t i = 0; i < DNS_TCP_CONNS && !t; i++) {
		if (node->dns.tcp[i].fd < 0)
			t = &node->dns.tcp[i];
	}
	if (!t) {
		node->dns.stats.dropped++;
		close(fd);
		return;
	}
	t->fd = fd;
	t->have = 0;
	ev_io_init(&t->watcher, tcp_read_cb, fd, EV_READ);
	t->watcher.data = t;
	ev_io_start(loop, &t->watcher);
	ev_timer_init(&t->idle, tcp_idle_cb, 0, DNS_TCP_IDLE);
	t->idle.data = t;
	ev_timer_again(loop, &t->idle);
}

static int bind_socket(int family, const void *addr, int type)
{
	struct endpoint sa = { 0 };
	int one = 1;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (family == AF_INET6) {
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons(DNS_PORT);
		memcpy(&sa.in6.sin6_addr, addr, 16);
		sa.len = sizeof(sa.in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (type == SOCK_DGRAM)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
				   sizeof(one));
	} else {
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(DNS_PORT);
		memcpy(&sa.in.sin_addr, addr, 4);
		sa.len = sizeof(sa.in);
		if (type == SOCK_DGRAM)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
				   sizeof(one));
	}
	/* The address may still be settling on the link (kernel path, or
	 * IPv6 duplicate address detection); IP_FREEBIND covers both
	 * families. */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &sa.sa, sa.len) ||
	    (type == SOCK_STREAM && listen(fd, DNS_TCP_CONNS))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Port 53 on one virtual address; false (and a warning) when taken. */
static bool listen_on(struct node *node, struct dns_listener *l, int family,
		      const void *addr, const char *text)
{
	l->udp_fd = bind_socket(family, addr, SOCK_DGRAM);
	if (l->udp_fd >= 0)
		l->tcp_fd = bind_socket(family, addr, SOCK_STREAM);
	if (l->tcp_fd < 0) {
		log_warn("DNS: cannot listen on %s port %d (%s); names in .%s are not answered there",
			 text, DNS_PORT, strerror(errno), node->cfg.domain);
		if (l->udp_fd >= 0)
			close(l->udp_fd);
		l->udp_fd = -1;
		return false;
	}
	ev_io_init(&l->udp_watcher, udp_cb, l->udp_fd, EV_READ);
	l->udp_watcher.data = node;
	ev_io_start(node->loop, &l->udp_watcher);
	ev_io_init(&l->tcp_watcher, tcp_accept_cb, l->tcp_fd, EV_READ);
	l->tcp_watcher.data = node;
	ev_io_start(node->loop, &l->tcp_watcher);
	return true;
}

static void listener_close(struct node *node, struct dns_listener *l)
{
	if (l->udp_fd < 0)
		return;
	ev_io_stop(node->loop, &l->udp_watcher);
	ev_io_stop(node->loop, &l->tcp_watcher);
	close(l->udp_fd);
	close(l->tcp_fd);
	l->udp_fd = l->tcp_fd = -1;
}

void dns_open(struct node *node)
{
	struct node_dns *d = &node->dns;
	char addr[INET_ADDRSTRLEN], addr6[INET6_ADDRSTRLEN], where[80];
	bool on4 = false, on6 = false;

	d->v4.udp_fd = d->v4.tcp_fd = d->v6.udp_fd = d->v6.tcp_fd = -1;
	for (size_t i = 0; i < DNS_TCP_CONNS; i++) {
		d->tcp[i].fd = -1;
		d->tcp[i].node = node;
	}
	if (!node->cfg.domain[0])
		return;
	/* Only on the virtual addresses: never port 53 on every address. */
	inet_ntop(AF_INET, &node->cfg.address, addr, sizeof(addr));
	inet_ntop(AF_INET6, &node->cfg.address6, addr6, sizeof(addr6));
	if (node->cfg.has_address)
		on4 = listen_on(node, &d->v4, AF_INET, &node->cfg.address,
				addr);
	if (node->cfg.has_address6)
		on6 = listen_on(node, &d->v6, AF_INET6, &node->cfg.address6,
				addr6);
	if (!on4 && !on6)
		return;
	d->lo_ifindex = (int)if_nametoindex("lo");
	d->bucket.tokens = DNS_QUERY_RATE;
	d->bucket.last = node_now(node);
	d->lookups.tokens = DNS_LOOKUP_RATE;
	d->lookups.last = node_now(node);
	ev_init(&d->tick, tick_cb);
	d->tick.repeat = DNS_TICK;
	d->tick.data = node;
	d->running = true;
	snprintf(where, sizeof(where), "%s%s%s", on4 ? addr : "",
		 on4 && on6 ? " and " : "", on6 ? addr6 : "");
	d->resolved = dns_resolved_register(node->cfg.ifname,
					    on4 ? addr : NULL,
					    on6 ? addr6 : NULL,
					    node->cfg.domain);
	if (!d->resolved)
		log_info("DNS: answering NAME.%s on %s; to use it, run systemd-resolved (podnetd registers the link), or send .%s to %s (e.g. 'nameserver %s' in resolv.conf)",
			 node->cfg.domain, where, node->cfg.domain,
			 on4 ? addr : addr6, on4 ? addr : addr6);
	else
		log_info("DNS: answering NAME.%s on %s, registered with systemd-resolved for %s",
			 node->cfg.domain, where, node->cfg.ifname);
}

void dns_close(struct node *node)
{
	struct node_dns *d = &node->dns;

	if (!d->running)
		return;
	if (d->resolved)
		dns_resolved_revert(node->cfg.ifname);
	for (size_t i = 0; i < DNS_TCP_CONNS; i++)
		tcp_close(&d->tcp[i]);
	listener_close(node, &d->v4);
	listener_close(node, &d->v6);
	ev_timer_stop(node->loop, &d->tick);
	d->running = false;
}
