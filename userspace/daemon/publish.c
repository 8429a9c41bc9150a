// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * [Publish] entries: which go through the kernel and which through
 * podnetd, the listen sockets the latter share, and what `podnet show`
 * says of them. The connections themselves are publish_conn.c's.
 */
#include "publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "node.h"
#include "peer.h"

bool publish_target(struct node *node, const struct publish_entry *e,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	const struct config_publish *c = &e->cfg;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct peer *p;

	memset(ss, 0, sizeof(*ss));
	if (!c->target_node[0]) {
		memcpy(ss, &c->target.sa, c->target.len);
		*len = c->target.len;
		return true;
	}
	/* Our own name: a service of this very node. */
	if (!strcmp(c->target_node, node->identity.name) &&
	    node->cfg.has_address) {
		sin->sin_addr = node->cfg.address;
	} else {
		p = peer_find_by_name(node, c->target_node);
		if (!p || !p->has_vaddr)
			return false;
		sin->sin_addr = p->vaddr;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = c->target.in.sin_port;
	*len = sizeof(*sin);
	return true;
}

static void listener_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct publish_listener *l = w->data;
	struct node *node = l->node;

	/* A bounded batch: one busy port must not starve the tunnel. */
	for (int i = 0; i < 32; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			node->publish.accept_failed++;
			log_warn_ratelimited("publish: accept: %s; pausing the port for a second",
					     strerror(errno));
			/* Out of descriptors: the socket would stay readable
			 * and spin the loop; housekeeping resumes it. */
			ev_io_stop(loop, w);
			l->paused = true;
			return;
		}
		publish_conn_accept(l, fd, &ss);
	}
}

static int listener_open(struct node *node, struct publish_listener *l,
			 const struct endpoint *ep, char *err, size_t errlen)
{
	char addr[ADDR_STR_MAX];
	int one = 1;

	l->node = node;
	l->fd = socket(ep->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ep->sa.sa_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, &ep->sa, ep->len) || listen(l->fd, 512))
		goto fail;
	ev_io_init(&l->io, listener_cb, l->fd, EV_READ);
	l->io.data = l;
	ev_io_start(node->loop, &l->io);
	return 0;
fail:
	snprintf(err, errlen, "[Publish] Listen %s: %s%s",
		 endpoint_format(ep, addr, sizeof(addr)), strerror(errno),
		 errno == EADDRINUSE ? " (another program, or another [Publish] on the same port with another address?)" :
		 errno == EACCES ? " (a port below 1024 needs CAP_NET_BIND_SERVICE)" : "");
	return -1;
}

static struct publish_listener *listener_for(struct node *node,
					     struct publish_entry *e,
					     char *err, size_t errlen)
{
	struct node_publish *np = &node->publish;
	struct publish_listener *l;
	struct publish_entry **entries;

	for (size_t i = 0; i < np->n_listeners; i++) {
		l = &np->listeners[i];
		if (endpoint_equal(&l->entries[0]->cfg.listen, &e->cfg.listen))
			goto add;
	}
	/* The array is sized for every entry up front: no watcher moves. */
	l = &np->listeners[np->n_listeners];
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (listener_open(node, l, &e->cfg.listen, err, errlen)) {
		if (l->fd >= 0)
			close(l->fd);
		return NULL;
	}
	np->n_listeners++;
	l->sni = e->cfg.server_name[0] != '\0';
add:
	entries = realloc(l->entries, (l->n_entries + 1) * sizeof(*entries));
	if (!entries) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->entries = entries;
	l->entries[l->n_entries++] = e;
	return l;
}

/* Each relayed connection holds up to six descriptors (two sockets, two
 * pipes): raise the soft limit to the hard one, as a server would. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int publish_open(struct node *node, char *err, size_t errlen)
{
	struct node_publish *np = &node->publish;
	const struct config *cfg = &node->cfg;
	bool any_kernel = false;
	char why[120];

	if (!cfg->n_publish)
		return 0;
	np->entries = calloc(cfg->n_publish, sizeof(*np->entries));
	np->listeners = calloc(cfg->n_publish, sizeof(*np->listeners));
	if (!np->entries || !np->listeners) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* A client gone while we write to it is an error to handle, not a
	 * reason to die. */
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	for (size_t i = 0; i < cfg->n_publish; i++) {
		struct publish_entry *e = &np->entries[i];
		const struct config_publish *c = &cfg->publish[i];

		e->cfg = *c;
		np->n_entries++;
		if (c->mode != CONFIG_PUBLISH_PROXY && !c->server_name[0] &&
		    !c->proxy_v2) {
			if (publish_nft_usable(node, c, why, sizeof(why))) {
				e->kernel = true;
				any_kernel = true;
				continue;
			}
			if (c->mode == CONFIG_PUBLISH_KERNEL) {
				snprintf(err, errlen, "%s:%u: [Publish] %s: Mode = kernel, but %s",
					 cfg->path, c->line, c->name, why);
				return -1;
			}
			snprintf(e->why_proxy, sizeof(e->why_proxy), "%s", why);
		}
		e->listener = listener_for(node, e, err, errlen);
		if (!e->listener)
			return -1;
	}
	if (any_kernel && publish_nft_sync(node, why, sizeof(why))) {
		/* Mode = auto entries are relayed instead; kernel ones fail. */
		for (size_t i = 0; i < np->n_entries; i++) {
			struct publish_entry *e = &np->entries[i];

			if (!e->kernel)
				continue;
			if (e->cfg.mode == CONFIG_PUBLISH_KERNEL) {
				snprintf(err, errlen, "%s:%u: [Publish] %s: Mode = kernel, but %s",
					 cfg->path, e->cfg.line, e->cfg.name,
					 why);
				return -1;
			}
			e->kernel = false;
			snprintf(e->why_proxy, sizeof(e->why_proxy), "%s", why);
			e->listener = listener_for(node, e, err, errlen);
			if (!e->listener)
				return -1;
		}
		publish_nft_remove(node);
	}
	for (size_t i = 0; i < np->n_entries; i++) {
		struct publish_entry *e = &np->entries[i];
		char l[ADDR_STR_MAX], t[ADDR_STR_MAX + CERT_NAME_MAX];

		if (e->cfg.target_node[0])
			snprintf(t, sizeof(t), "%s:%u", e->cfg.target_node,
				 ntohs(e->cfg.target.in.sin_port));
		else
			endpoint_format(&e->cfg.target, t, sizeof(t));
		log_info("publish %s: %s%s%s -> %s, %s%s%s%s", e->cfg.name,
			 endpoint_format(&e->cfg.listen, l, sizeof(l)),
			 e->cfg.server_name[0] ? " name " : "",
			 e->cfg.server_name, t,
			 e->kernel ? "kernel DNAT" : "relayed by podnetd",
			 e->why_proxy[0] ? " (not the kernel: " : "",
			 e->why_proxy[0] ? e->why_proxy : "",
			 e->why_proxy[0] ? ")" : "");
	}
	return 0;
}

void publish_close(struct node *node)
{
	struct node_publish *np = &node->publish;

	publish_conn_close_all(node);
	for (size_t i = 0; i < np->n_listeners; i++) {
		struct publish_listener *l = &np->listeners[i];

		if (node->loop)
			ev_io_stop(node->loop, &l->io);
		if (l->fd >= 0)
			close(l->fd);
		free(l->entries);
	}
	publish_nft_remove(node);
	free(np->listeners);
	free(np->entries);
	memset(np, 0, sizeof(*np));
}

void publish_housekeeping(struct node *node)
{
	struct node_publish *np = &node->publish;
	char err[256];

	for (size_t i = 0; i < np->n_listeners; i++) {
		struct publish_listener *l = &np->listeners[i];

		if (l->paused) {
			l->paused = false;
			ev_io_start(node->loop, &l->io);
		}
	}
	for (size_t i = 0; i < np->n_entries; i++) {
		struct publish_entry *e = &np->entries[i];
		struct sockaddr_storage ss;
		socklen_t len;
		struct in_addr now = { 0 };

		if (!e->kernel)
			continue;
		if (publish_target(node, e, &ss, &len) &&
		    ss.ss_family == AF_INET)
			now = ((struct sockaddr_in *)&ss)->sin_addr;
		if (now.s_addr != e->kernel_target.s_addr) {
			if (publish_nft_sync(node, err, sizeof(err)))
				log_err_ratelimited("publish: %s", err);
			break;	/* the sync took every entry along */
		}
	}
}

static void dump_entry(struct node *node, struct publish_entry *e, FILE *f)
{
	const struct config_publish *c = &e->cfg;
	char ep[ADDR_STR_MAX];
	struct sockaddr_storage ss;
	struct endpoint t;
	socklen_t len;

	fprintf(f, "publish=%s\n", c->name);
	fprintf(f, "listen=%s\n", endpoint_format(&c->listen, ep, sizeof(ep)));
	if (c->target_node[0])
		fprintf(f, "target=%s:%u\n", c->target_node,
			ntohs(c->target.in.sin_port));
	else
		fprintf(f, "target=%s\n",
			endpoint_format(&c->target, ep, sizeof(ep)));
	if (publish_target(node, e, &ss, &len)) {
		endpoint_from_sockaddr(&t, (struct sockaddr *)&ss, len);
		fprintf(f, "target_address=%s\n",
			endpoint_format(&t, ep, sizeof(ep)));
	}
	if (c->server_name[0])
		fprintf(f, "server_name=%s\n", c->server_name);
	fprintf(f, "mode=%s\n", e->kernel ? "kernel" : "proxy");
	if (e->why_proxy[0])
		fprintf(f, "mode_reason=%s\n", e->why_proxy);
	if (e->kernel)
		fprintf(f, "nft_table=ip %s\n", node->publish.nft_name);
	fprintf(f, "proxy_protocol=%s\n", c->proxy_v2 ? "v2" : "off");
	fprintf(f, "max_connections=%u\n", c->max_connections);
	fprintf(f, "idle_timeout=%u\n", c->idle_timeout);
	if (e->kernel)
		return;		/* conntrack and nft count those */
	fprintf(f, "active=%u\n", e->active);
	fprintf(f, "accepted=%" PRIu64 "\n", e->stats.accepted);
	fprintf(f, "refused=%" PRIu64 "\n", e->stats.refused);
	fprintf(f, "target_failed=%" PRIu64 "\n", e->stats.target_failed);
	fprintf(f, "idle_closed=%" PRIu64 "\n", e->stats.idle_closed);
	fprintf(f, "bytes_in=%" PRIu64 "\n", e->stats.bytes_in);
	fprintf(f, "bytes_out=%" PRIu64 "\n", e->stats.bytes_out);
}

void publish_dump_counters(struct node *node, FILE *f)
{
	const struct node_publish *np = &node->publish;

	if (!np->n_entries)
		return;
	fprintf(f, "publish_hello_timeout=%" PRIu64 "\n", np->hello.timeout);
	fprintf(f, "publish_hello_malformed=%" PRIu64 "\n",
		np->hello.malformed);
	fprintf(f, "publish_hello_no_name=%" PRIu64 "\n", np->hello.no_name);
	fprintf(f, "publish_hello_unknown_name=%" PRIu64 "\n",
		np->hello.unknown_name);
	fprintf(f, "publish_pending_refused=%" PRIu64 "\n",
		np->hello.pending_refused);
	fprintf(f, "publish_accept_failed=%" PRIu64 "\n", np->accept_failed);
}

void publish_dump(struct node *node, FILE *f)
{
	for (size_t i = 0; i < node->publish.n_entries; i++)
		dump_entry(node, &node->publish.entries[i], f);
}
