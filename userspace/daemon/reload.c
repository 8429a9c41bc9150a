// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A running node takes a new configuration here, whoever asks: SIGHUP
 * (podnetd.c), `podnet syncconf`, `podnet set` and `podnet peer`
 * (control_config.c). Kept out of podnetd.c so that everything but main()
 * links into the library the fuzz targets use.
 */
#include "reload.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "dtls.h"
#include "link.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "preflight.h"
#include "resolve.h"
#include "revoke.h"
#include "rtnl.h"
#include "session.h"

/* The peer's Endpoint as configured is cp's: the same name, or the same
 * address (a name's current address is not compared). */
static bool same_endpoint(const struct config_peer *cp, const struct peer *p)
{
	if (cp->endpoint.host[0] || p->resolve)
		return p->resolve && cp->endpoint.host[0] &&
		       !strcasecmp(cp->endpoint.host, p->resolve->host) &&
		       cp->endpoint.port == p->resolve->port;
	/* No Endpoint before or after is no change either. */
	return (!cp->endpoint.ep.len && !p->config_endpoint.len) ||
	       endpoint_equal(&cp->endpoint.ep, &p->config_endpoint);
}

/* Bring the peer list in line with the config. Peers whose name and
 * endpoint did not change keep their sessions. */
void node_apply_peers(struct node *node)
{
	struct peer *p, *next;

	for (p = node->peers; p; p = next) {
		const struct config_peer *cp =
			config_find_peer(&node->cfg, p->name);
		bool changed;

		next = p->next;
		if (!cp) {
			if (p->configured) {
				log_info("peer %s removed", p->name);
				peer_destroy(p);
			}
			continue;
		}
		changed = !same_endpoint(cp, p);
		if (p->configured && changed) {
			log_info("peer %s: endpoint changed, restarting its session",
				 p->name);
			session_destroy(p->current);
			session_destroy(p->previous);
			session_destroy(p->handshake);
			session_destroy(p->pending);
			memset(&p->path, 0, sizeof(p->path));
			p->last_attempt = -1e9;
		}
		p->configured = true;
		p->nat.is_rendezvous = cp->rendezvous;
		traversal_rendezvous_changed(node);
		if (changed) {
			p->config_endpoint = cp->endpoint.ep;
			resolve_peer_set(p, &cp->endpoint);
		}
	}
	for (size_t i = 0; i < node->cfg.n_peers; i++) {
		const struct config_peer *cp = &node->cfg.peers[i];

		if (!strcmp(cp->name, node->identity.name))
			continue;
		if (peer_find_by_name(node, cp->name))
			continue;
		p = peer_create(node, cp->name);
		if (!p) {
			log_err("peer %s: out of memory", cp->name);
			continue;
		}
		p->configured = true;
		p->config_endpoint = cp->endpoint.ep;
		p->nat.is_rendezvous = cp->rendezvous;
		traversal_rendezvous_changed(node);
		resolve_peer_set(p, &cp->endpoint);
	}
	for (p = node->peers; p; p = p->next)
		peer_want_session(p, false);
}

int node_reload(struct node *node, const char *path, bool strict, char *err,
		size_t errlen)
{
	struct config cfg;
	struct cert_identity id;

	if (config_parse_file(path, &cfg, err, errlen))
		return -1;
	if (preflight_identity(&cfg, &id, err, errlen)) {
		config_free(&cfg);
		return -1;
	}
	if (strcmp(cfg.ifname, node->cfg.ifname) ||
	    cfg.listen_port != node->cfg.listen_port ||
	    cfg.address.s_addr != node->cfg.address.s_addr ||
	    cfg.prefixlen != node->cfg.prefixlen ||
	    cfg.has_address != node->cfg.has_address ||
	    cfg.has_address6 != node->cfg.has_address6 ||
	    memcmp(&cfg.address6, &node->cfg.address6,
		   sizeof(cfg.address6)) ||
	    cfg.prefixlen6 != node->cfg.prefixlen6 ||
	    strcmp(cfg.control_socket, node->cfg.control_socket)) {
		/* syncconf: nothing changes rather than half of it. */
		if (strict) {
			snprintf(err, errlen, "%s: Name, Address, ListenPort or ControlSocket differs from the running one, which only a restart changes; nothing changed",
				 path);
			config_free(&cfg);
			return -1;
		}
		log_warn("reload: Name, Address, ListenPort and ControlSocket only change on restart");
	}
	/* Keep what only a restart can change, take everything else. */
	strcpy(cfg.ifname, node->cfg.ifname);
	cfg.listen_port = node->cfg.listen_port;
	cfg.address = node->cfg.address;
	cfg.prefixlen = node->cfg.prefixlen;
	cfg.has_address = node->cfg.has_address;
	cfg.has_address6 = node->cfg.has_address6;
	cfg.address6 = node->cfg.address6;
	cfg.prefixlen6 = node->cfg.prefixlen6;
	strcpy(cfg.control_socket, node->cfg.control_socket);
	/* dns.c's sockets and systemd-resolved's routing were set up for it. */
	if (strcmp(cfg.domain, node->cfg.domain))
		log_warn("reload: Domain only changes on restart");
	strcpy(cfg.domain, node->cfg.domain);
	/* The TCP listener too (transport.c). */
	if (cfg.transport.listen_tcp != node->cfg.transport.listen_tcp)
		log_warn("reload: ListenTcp only changes on restart");
	cfg.transport.listen_tcp = node->cfg.transport.listen_tcp;
	/* publish.c serves the entries it started with (doc/publish.md);
	 * showconf goes on showing those. */
	if (!config_publish_same(cfg.publish, cfg.n_publish,
				 node->cfg.publish, node->cfg.n_publish))
		log_warn("reload: [Publish] sections only change on restart");
	free(cfg.publish);
	cfg.publish = node->cfg.publish;
	cfg.n_publish = node->cfg.n_publish;
	node->cfg.publish = NULL;
	node->cfg.n_publish = 0;
	/* SIGHUP keeps reading the file the daemon was started with. */
	strcpy(cfg.path, node->cfg.path);
	if (link_keeps_mtu(node, &cfg))
		cfg.mtu = node->cfg.mtu;
	if (cfg.mtu != node->cfg.mtu) {
		if (rtnl_link_set(node->ifindex, cfg.mtu, true, err, errlen))
			log_warn("reload: cannot set MTU %u: %s", cfg.mtu, err);
		else if (node->link.adopted)
			node->link.set_mtu = true;	/* restored on exit */
	}
	config_free(&node->cfg);
	node->cfg = cfg;
	link_fit_gso(node);
	node->identity = id;
	log_set_level(cfg.log_level);
	if (revoke_load(node, err, errlen))
		log_err("reload: keeping revocation list serial %llu: %s",
			(unsigned long long)node->revoke.list.serial, err);
	if (dtls_contexts_create(node, err, errlen))
		log_err("reload: keeping the old certificates: %s", err);
	transport_reload(node);
	/* The listener belongs to the old server context. */
	session_listener_free(node);
	node_apply_peers(node);
	log_info("configuration reloaded from %s (%zu peers)", path,
		 node->cfg.n_peers);
	return 0;
}
