// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The control socket: a unix stream socket, mode 0600, that answers
 * "get\n" with the node's state as key=value lines (doc/control.md), in
 * the spirit of WireGuard's cross-platform UAPI. `podnet show` renders
 * that as text or JSON. No key material is ever part of the answer.
 */
#include "control.h"
#include "control_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "dtls.h"
#include "expiry.h"
#include "kernel.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "recover.h"
#include "rvmsg.h"
#include "rvreach.h"
#include "session.h"

#define PING_TIMEOUT 2.0

/* A `podnet ping` waiting for its answer from the peer. */
struct control_client {
	struct node *node;
	struct control_client *next;
	int fd;
	char peer[CERT_NAME_MAX];
	uint64_t id;
	ev_tstamp sent;
	ev_timer timeout;
};

static const char *session_state_name(const struct peer *p)
{
	if (p->current)
		return "established";
	if (p->handshake)
		return "handshake";
	return "down";
}

/*
 * The plain counters of `get`, in the order doc/control.md lists them: a
 * new counter is one line here. Each is read at its offset in the struct
 * (struct node or struct peer) with its own width.
 */
struct counter {
	const char *key;
	size_t offset;
	size_t size;		/* sizeof(uint64_t) or of size_t */
};

#define COUNTER(type, key, member)					\
	{ key, offsetof(type, member), sizeof(((type *)0)->member) }
#define NODE_COUNTER(key, member) COUNTER(struct node, key, member)
#define PEER_COUNTER(key, member) COUNTER(struct peer, key, member)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct counter node_counters[] = {
	NODE_COUNTER("rx_malformed", stats.rx_malformed),
	NODE_COUNTER("rx_unknown_session", stats.rx_unknown_session),
	NODE_COUNTER("rx_handshake_rejected", stats.rx_handshake_rejected),
	NODE_COUNTER("tx_no_route", stats.tx_no_route),
	NODE_COUNTER("tx_bad_packet", stats.tx_bad_packet),
	NODE_COUNTER("tx_tso_super", stats.tx_tso_super),
	NODE_COUNTER("tx_gso_sends", stats.tx_gso_sends),
	NODE_COUNTER("rx_acks_superseded", stats.rx_acks_superseded),
	NODE_COUNTER("tx_link_local", stats.tx_link_local),
	NODE_COUNTER("rx_relay_refused", stats.rx_relay_refused),
	NODE_COUNTER("tx_handshake_asks", stats.tx_handshake_asks),
	NODE_COUNTER("rx_punch_refused", stats.rx_punch_refused),
	NODE_COUNTER("rx_probe_refused", stats.rx_probe_refused),
	NODE_COUNTER("rx_hints_refuted", stats.rx_hints_refuted),
	NODE_COUNTER("revocation_serial", revoke.list.serial),
	NODE_COUNTER("revocation_count", revoke.list.count),
	NODE_COUNTER("rx_revocation_refused", revoke.rx_refused),
	NODE_COUNTER("rv_candidates_refused", stats.rv_candidates_refused),
	NODE_COUNTER("rv_lookups_held", stats.rv_lookups_held),
	NODE_COUNTER("rv_restart_notices", stats.rv_restart_notices),
	NODE_COUNTER("rv_restart_notices_failed",
		     stats.rv_restart_notices_failed),
	NODE_COUNTER("candidates_refused", stats.candidates_refused),
	NODE_COUNTER("learned_peers_evicted", stats.learned_peers_evicted),
	NODE_COUNTER("learned_peers_refused", stats.learned_peers_refused),
	NODE_COUNTER("learned_peers_expired", stats.learned_peers_expired),
	NODE_COUNTER("rx_handshake_refused", stats.rx_handshake_refused),
	NODE_COUNTER("rx_handshake_wrong_source",
		     stats.rx_handshake_wrong_source),
	NODE_COUNTER("dns_answered", dns.stats.answered),
	NODE_COUNTER("dns_nxdomain", dns.stats.nxdomain),
	NODE_COUNTER("dns_refused", dns.stats.refused),
	NODE_COUNTER("dns_servfail", dns.stats.servfail),
	NODE_COUNTER("dns_malformed", dns.stats.malformed),
	NODE_COUNTER("dns_dropped", dns.stats.dropped),
};

static const struct counter peer_counters[] = {
	PEER_COUNTER("rx_bytes", stats.rx_bytes),
	PEER_COUNTER("tx_bytes", stats.tx_bytes),
	PEER_COUNTER("rx_packets", stats.rx_packets),
	PEER_COUNTER("tx_packets", stats.tx_packets),
	PEER_COUNTER("drop_bad_source", stats.drop_bad_source),
	PEER_COUNTER("drop_no_session", stats.drop_no_session),
	PEER_COUNTER("drop_invalid", stats.drop_invalid),
	PEER_COUNTER("drop_no_family", stats.drop_no_family),
	PEER_COUNTER("drop_queue_full", stats.drop_queue_full),
};

static void print_counters(FILE *f, const void *obj,
			   const struct counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *at = (const char *)obj + c[i].offset;
		uint64_t v;

		if (c[i].size == sizeof(uint64_t)) {
			memcpy(&v, at, sizeof(v));
		} else {
			size_t z;

			_Static_assert(sizeof(size_t) <= sizeof(uint64_t),
				       "counters fit 64 bits");
			memcpy(&z, at, sizeof(z));
			v = z;
		}
		fprintf(f, "%s=%" PRIu64 "\n", c[i].key, v);
	}
}

/* The interface's MTU as the kernel has it now (`ip link set pod0 mtu
 * 1200` shows), or 0 if it cannot tell. */
static unsigned int link_mtu(const struct node *node)
{
	struct ifreq ifr = { 0 };

	if (node->ifindex <= 0 ||
	    !if_indextoname((unsigned int)node->ifindex, ifr.ifr_name))
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
			 node->cfg.ifname);
	if (node->udp_fd < 0 || ioctl(node->udp_fd, SIOCGIFMTU, &ifr) < 0 ||
	    ifr.ifr_mtu <= 0)
		return 0;
	return (unsigned int)ifr.ifr_mtu;
}

/* Keys worked out at answer time: the link's MTU now, the one the config
 * asked for, and how long this node's certificate has left. */
static void dump_link_and_cert(const struct node *node, FILE *f)
{
	unsigned int mtu = link_mtu(node);
	time_t now = time(NULL);

	fprintf(f, "mtu=%u\n", mtu ? mtu : node->cfg.mtu);
	fprintf(f, "mtu_configured=%u\n", node->cfg.mtu);
	if (node->identity.not_after) {
		fprintf(f, "cert_days_left=%lld\n",
			cert_days_left(node->identity.not_after, now));
		fprintf(f, "cert_expires_soon=%s\n",
			cert_expires_soon(node->identity.not_after, now) ?
			"true" : "false");
	}
}

static void dump_state(struct node *node, FILE *f)
{
	char addr[INET6_ADDRSTRLEN], ep[ADDR_STR_MAX], why[160];

	/* With podnet.ko the per-peer counters are the kernel's. */
	kernel_stats_sync(node);
	fprintf(f, "interface=%s\n", node->cfg.ifname);
	fprintf(f, "node=%s\n", node->identity.name);
	if (node->cfg.has_address) {
		inet_ntop(AF_INET, &node->cfg.address, addr, sizeof(addr));
		fprintf(f, "address=%s/%u\n", addr, node->cfg.prefixlen);
	}
	if (node->cfg.has_address6) {
		inet_ntop(AF_INET6, &node->cfg.address6, addr, sizeof(addr));
		fprintf(f, "address6=%s/%u\n", addr, node->cfg.prefixlen6);
	}
	fprintf(f, "listen_port=%u\n", node->cfg.listen_port);
	dump_link_and_cert(node, f);
	fprintf(f, "datapath=%s\n", node->kernel.running ? "kernel" : "tun");
	fprintf(f, "wolfssl=%s\n", wolfSSL_lib_version());
	fprintf(f, "crypto_code=%s\n", dtls_crypto_code());
	if (node->crypto_running) {
		uint64_t worker_jobs;

		pthread_mutex_lock(&node->crypto.lock);
		worker_jobs = node->crypto.worker_jobs;
		pthread_mutex_unlock(&node->crypto.lock);
		fprintf(f, "crypto_threads=%u\n", node->crypto.n_threads + 1);
		fprintf(f, "crypto_batches=%" PRIu64 "\n",
			node->crypto.batches);
		fprintf(f, "crypto_parallel_batches=%" PRIu64 "\n",
			node->crypto.parallel_batches);
		fprintf(f, "crypto_worker_jobs=%" PRIu64 "\n", worker_jobs);
	}
	fprintf(f, "cert_not_after=%lld\n",
		(long long)node->identity.not_after);
	print_counters(f, node, node_counters, ARRAY_SIZE(node_counters));
	/* Where NAME.DOMAIN is answered: every address, comma-separated. */
	if (node->dns.running) {
		const char *sep = "";

		fprintf(f, "dns_domain=%s\n", node->cfg.domain);
		fprintf(f, "dns_listen=");
		if (node->dns.v4.udp_fd >= 0) {
			inet_ntop(AF_INET, &node->cfg.address, addr,
				  sizeof(addr));
			fprintf(f, "%s", addr);
			sep = ",";
		}
		if (node->dns.v6.udp_fd >= 0) {
			inet_ntop(AF_INET6, &node->cfg.address6, addr,
				  sizeof(addr));
			fprintf(f, "%s%s", sep, addr);
		}
		fprintf(f, "\ndns_resolved=%s\n",
			node->dns.resolved ? "true" : "false");
	}
	publish_dump_counters(node, f);
	fprintf(f, "rendezvous=%s\n", node->cfg.rendezvous ? "true" : "false");
	if (node->cfg.rendezvous)
		fprintf(f, "relay_limit_mbps=%u\n", node->cfg.relay_limit);
	fprintf(f, "nat_type=%s\n", nat_type_name(node->nat.type));
	if (node->nat.reflexive.len)
		fprintf(f, "reflexive=%s\n",
			endpoint_format(&node->nat.reflexive, ep, sizeof(ep)));
	transport_status(node, f);
	for (struct peer *p = node->peers; p; p = p->next) {
		fprintf(f, "peer=%s\n", p->name);
		if (p->has_vaddr) {
			inet_ntop(AF_INET, &p->vaddr, addr, sizeof(addr));
			fprintf(f, "address=%s\n", addr);
		}
		if (p->has_vaddr6) {
			inet_ntop(AF_INET6, &p->vaddr6, addr, sizeof(addr));
			fprintf(f, "address6=%s\n", addr);
		}
		/* The subnets this node routes to it, comma-separated. */
		for (size_t i = 0; i < p->nsubnets; i++) {
			char net[CERT_ROUTE_STR_MAX];

			cert_route_format(&p->subnets[i], net, sizeof(net));
			fprintf(f, "%s%s", i ? "," : "subnets=", net);
		}
		if (p->nsubnets)
			fputc('\n', f);
		if (p->path.ep.len)
			fprintf(f, "endpoint=%s\n",
				endpoint_format(&p->path.ep, ep, sizeof(ep)));
		else if (p->config_endpoint.len)
			fprintf(f, "endpoint=%s\n",
				endpoint_format(&p->config_endpoint, ep,
						sizeof(ep)));
		/* An Endpoint by name: the name, and how resolving it goes
		 * (the address in use is endpoint= above). */
		if (p->resolve) {
			fprintf(f, "endpoint_host=%s:%u\n", p->resolve->host,
				p->resolve->port);
			fprintf(f, "resolve=%s\n",
				resolve_state_name(p->resolve->state));
			if (p->resolve->error[0])
				fprintf(f, "resolve_error=%s\n",
					p->resolve->error);
		}
		fprintf(f, "state=%s\n", session_state_name(p));
		fprintf(f, "path=%s\n", !p->path.ep.len ? "none" :
			p->path.relay_channel ? "relay" : "direct");
		if (p->path.ep.len && transport_path_on_tcp(node, &p->path))
			fprintf(f, "path_transport=tcp\n");
		if (p->nat.path_reason[0] && p->path.relay_channel)
			fprintf(f, "reason=%s\n", p->nat.path_reason);
		if (p->path.relay_channel) {
			struct peer *relay = peer_find_rendezvous(node,
								  &p->path.ep);

			fprintf(f, "relay_channel=%08x\n", p->path.relay_channel);
			/* The limit this node's traffic to the peer is held to. */
			if (relay && relay->nat.has_relay_limit)
				fprintf(f, "relay_limit_mbps=%u\n",
					relay->nat.relay_limit);
		}
		if (recover_no_path(p, why, sizeof(why)))
			fprintf(f, "no_path=%s\n", why);
		if (p->nat.is_rendezvous)
			fprintf(f, "rendezvous=%s\n", p->nat.registered ?
				"registered" : "not registered");
		if (p->nat.is_rendezvous && p->nat.has_relay_limit)
			fprintf(f, "relay_limit_mbps=%u\n", p->nat.relay_limit);
		if (p->nat.is_rendezvous) {
			double retry = rvreach_next_retry(p);

			fprintf(f, "rendezvous_state=%s\n",
				rvreach_state_name(p->nat.reach.state));
			fprintf(f, "rendezvous_since=%lld\n",
				(long long)p->nat.reach.since);
			if (retry >= 0)
				fprintf(f, "rendezvous_next_retry=%lld\n",
					(long long)(retry + 0.999));
		}
		if (p->nat.type)
			fprintf(f, "nat_type=%s\n", nat_type_name(p->nat.type));
		if (node->cfg.rendezvous && p->rv.registered)
			fprintf(f, "relayed_bytes=%" PRIu64 "\n",
				p->rv.relay_bytes);
		fprintf(f, "role=%s\n", peer_is_client(p) ? "client" : "server");
		fprintf(f, "configured=%s\n", p->configured ? "true" : "false");
		if (p->current) {
			fprintf(f, "session=%08x\n", p->current->local_index);
			fprintf(f, "cipher=%s\n",
				p->current->cipher);
		}
		fprintf(f, "latest_handshake=%lld\n",
			(long long)p->latest_handshake);
		fprintf(f, "handshakes=%" PRIu64 "\n", p->stats.handshakes);
		if (p->nat.path_probes)
			fprintf(f, "path_probes=%" PRIu64 "\n",
				p->nat.path_probes);
		print_counters(f, p, peer_counters, ARRAY_SIZE(peer_counters));
		fprintf(f, "queued=%" PRIu64 "\n",
			(uint64_t)p->queue.count + p->kernel.queued);
	}
	/* After the peers: each entry is a block of its own (publish=). */
	publish_dump(node, f);
	fprintf(f, "errno=0\n\n");
}

static void ping_finish(struct control_client *c, const char *answer)
{
	struct node *node = c->node;

	for (struct control_client **pp = &node->control.pending_pings; *pp;
	     pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ev_timer_stop(node->loop, &c->timeout);
	if (write(c->fd, answer, strlen(answer)) < 0)
		log_debug_ratelimited("control: %s", strerror(errno));
	close(c->fd);
	free(c);
}

static void ping_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	char answer[64];

	snprintf(answer, sizeof(answer), "errno=%d\n\n", ETIMEDOUT);
	ping_finish(w->data, answer);
}

void control_ping_answered(struct node *node, struct peer *peer, uint64_t id)
{
	char answer[256], ep[ADDR_STR_MAX + 32];

	for (struct control_client *c = node->control.pending_pings; c;
	     c = c->next) {
		if (c->id != id || strcmp(c->peer, peer->name))
			continue;
		snprintf(answer, sizeof(answer),
			 "name=%s\npath=%s\nendpoint=%s\nrtt_us=%.0f\nerrno=0\n\n",
			 peer->name,
			 peer->path.relay_channel ? "relay" : "direct",
			 endpoint_format(&peer->path.ep, ep, sizeof(ep)),
			 (clock_monotonic() - c->sent) * 1e6);
		ping_finish(c, answer);
		return;
	}
}

/* Returns true when the client now waits for the peer's answer. */
static bool ping_start(struct node *node, int fd, const char *name)
{
	struct peer *peer = peer_find_by_name(node, name);
	struct rv_msg m = { .type = RV_PING };
	struct control_client *c;
	WC_RNG rng;

	if (!peer || !peer->current)
		return false;
	c = calloc(1, sizeof(*c));
	if (!c)
		return false;
	if (wc_InitRng(&rng) ||
	    wc_RNG_GenerateBlock(&rng, (uint8_t *)&c->id, sizeof(c->id))) {
		free(c);
		return false;
	}
	wc_FreeRng(&rng);
	c->node = node;
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", name);
	m.ping_id = c->id;
	c->sent = clock_monotonic();
	if (session_send_control(peer->current, &m)) {
		free(c);
		return false;
	}
	ev_timer_init(&c->timeout, ping_timeout_cb, PING_TIMEOUT, 0.);
	c->timeout.data = c;
	ev_timer_start(node->loop, &c->timeout);
	c->next = node->control.pending_pings;
	node->control.pending_pings = c;
	return true;
}

static void control_client(struct node *node, int fd)
{
	struct timeval tv = { .tv_sec = 1 };
	char req[64];
	ssize_t n;
	FILE *f;

	/* A slow or silent client must not stall the daemon for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = read(fd, req, sizeof(req) - 1);
	if (n <= 0) {
		close(fd);
		return;
	}
	req[n] = '\0';
	if (control_config_handles(req)) {
		control_config_request(node, fd, req, (size_t)n);
		return;
	}
	if (!strncmp(req, "ping=", 5) && req[n - 1] == '\n') {
		req[n - 1] = '\0';
		if (ping_start(node, fd, req + 5))
			return;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	if (!strcmp(req, "get\n") || !strcmp(req, "get=1\n\n"))
		dump_state(node, f);
	else if (!strncmp(req, "ping=", 5))
		fprintf(f, "errno=%d\n\n", ENOTCONN);
	else
		fprintf(f, "errno=%d\n\n", EINVAL);
	fclose(f);
}

static void control_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;

	for (;;) {
		int fd = accept4(node->control.fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return;
		control_client(node, fd);
	}
}

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

int control_open(struct node *node, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = node->cfg.control_socket;
	mode_t old_umask;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: control socket path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (make_parent_dir(path)) {
		snprintf(err, errlen, "%s: cannot create its directory: %s",
			 path, strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A stale socket from a crashed daemon: only replace it if nobody
	 * answers on it, so two daemons never share one. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, errlen,
			 "%s: another podnetd is running and answers there; if this is another node, give it a socket of its own: ControlSocket = /run/podnet/NAME.sock in [Interface]",
			 path);
		close(fd);
		return -1;
	}
	unlink(path);
	old_umask = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 16) < 0) {
		umask(old_umask);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old_umask);
	node->control.fd = fd;
	ev_io_init(&node->control.watcher, control_cb, fd, EV_READ);
	node->control.watcher.data = node;
	ev_io_start(node->loop, &node->control.watcher);
	return 0;
}

void control_close(struct node *node)
{
	while (node->control.pending_pings)
		ping_finish(node->control.pending_pings, "errno=125\n\n");
	if (node->control.fd < 0)
		return;
	ev_io_stop(node->loop, &node->control.watcher);
	close(node->control.fd);
	unlink(node->cfg.control_socket);
	node->control.fd = -1;
}
