// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Revocation and address ownership (revoke.h).
 */
#include "revoke.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "node.h"
#include "peer.h"
#include "routing.h"
#include "rvmsg.h"
#include "session.h"

static void fp_short(const uint8_t *fp, char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", fp[i]);
}

/* Revoked peers lose their sessions, their address and their subnets at
 * once; the subnets go to a peer that was refused them. */
static void apply(struct node *node)
{
	char fp[17];

	for (struct peer *p = node->peers; p; p = p->next) {
		if (!p->has_cert_fp ||
		    !revocation_contains(&node->revoke.list, p->cert_fp))
			continue;
		fp_short(p->cert_fp, fp);
		log_warn("peer %s: certificate %s... is revoked (list serial %llu); dropping its sessions",
			 p->name, fp, (unsigned long long)node->revoke.list.serial);
		/* Address first: the session events below then sync a peer
		 * without it (and without keys) into podnet.ko. */
		if (p->has_vaddr)
			routing_remove(&node->routes, p->vaddr, p);
		peer_set_has_vaddr(p, false);
		if (p->has_vaddr6)
			routing6_remove(&node->routes6, &p->vaddr6, p);
		p->has_vaddr6 = false;
		peer_forget_subnets(p);
		p->has_cert_fp = false;
		session_destroy(p->current);
		session_destroy(p->previous);
		session_destroy(p->handshake);
		session_destroy(p->pending);
	}
	peer_subnets_retry(node);
}

/* A rendezvous passes a newer list on to every node it serves. */
static void push_all(struct node *node)
{
	if (!node->cfg.rendezvous)
		return;
	for (struct peer *p = node->peers; p; p = p->next)
		if (p->rv.registered && p->current)
			revoke_send(p);
}

int revoke_load(struct node *node, char *err, size_t errlen)
{
	struct node_revoke *r = &node->revoke;
	static struct revocation rl;
	char why[256];

	r->have_ca_pub = revocation_ca_key(node->cfg.ca_path, r->ca_pub, why,
					   sizeof(why)) == 0;
	if (!node->cfg.revocation_path[0])
		return 0;
	if (!r->have_ca_pub) {
		snprintf(err, errlen,
			 "RevocationList needs an Ed25519 CA: %s", why);
		return -1;
	}
	if (access(node->cfg.revocation_path, F_OK) < 0 && errno == ENOENT) {
		log_info("%s does not exist yet; waiting for a rendezvous to hand over a revocation list",
			 node->cfg.revocation_path);
		return 0;
	}
	if (revocation_load(node->cfg.revocation_path, r->ca_pub, &rl, why,
			    sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (rl.serial < r->list.serial) {
		log_warn("%s holds revocation list serial %llu, older than the %llu in use; keeping %llu",
			 node->cfg.revocation_path,
			 (unsigned long long)rl.serial,
			 (unsigned long long)r->list.serial,
			 (unsigned long long)r->list.serial);
		return 0;
	}
	if (rl.serial == r->list.serial)
		return 0;
	r->list = rl;
	log_info("revocation list serial %llu loaded from %s (%zu certificates)",
		 (unsigned long long)rl.serial, node->cfg.revocation_path,
		 rl.count);
	apply(node);
	push_all(node);
	return 0;
}

int revoke_check(struct node *node, const struct cert_identity *id,
		 char *why, size_t whylen)
{
	char addr[INET_ADDRSTRLEN];
	struct peer *owner;

	/* A CA signs; it is never a node (F14). */
	if (id->is_ca) {
		snprintf(why, whylen, "certificate of '%s' is a CA certificate (CA:TRUE), not a node's",
			 id->name);
		return -1;
	}
	if (revocation_contains(&node->revoke.list, id->fingerprint)) {
		snprintf(why, whylen, "certificate of '%s' is revoked (list serial %llu)",
			 id->name, (unsigned long long)node->revoke.list.serial);
		return -1;
	}
	/* The first holder keeps an address; a second certificate for it
	 * gets in only once the first is revoked (apply() frees it). */
	if (id->has_vaddr) {
		owner = routing_lookup(&node->routes, id->vaddr);
		if (owner && strcmp(owner->name, id->name)) {
			inet_ntop(AF_INET, &id->vaddr, addr, sizeof(addr));
			snprintf(why, whylen, "certificate of '%s' claims %s, which peer '%s' holds",
				 id->name, addr, owner->name);
			return -1;
		}
	}
	if (id->has_vaddr6) {
		char addr6[INET6_ADDRSTRLEN];

		owner = routing6_lookup(&node->routes6, &id->vaddr6);
		if (owner && strcmp(owner->name, id->name)) {
			inet_ntop(AF_INET6, &id->vaddr6, addr6, sizeof(addr6));
			snprintf(why, whylen, "certificate of '%s' claims %s, which peer '%s' holds",
				 id->name, addr6, owner->name);
			return -1;
		}
	}
	return 0;
}

void revoke_received(struct peer *from, const struct rv_msg *m)
{
	struct node *node = from->node;
	struct node_revoke *r = &node->revoke;
	static struct revocation rl;
	char why[256];

	/* Anyone could pass a signed list on, but only a rendezvous is
	 * expected to, and checking a signature costs. */
	if (!from->nat.is_rendezvous || !r->have_ca_pub) {
		r->rx_refused++;
		return;
	}
	if (revocation_parse(m->blob, m->blob_len, r->ca_pub, &rl, why,
			     sizeof(why)) < 0) {
		r->rx_refused++;
		log_warn_ratelimited("revocation list from %s refused: %s",
				     from->name, why);
		return;
	}
	if (rl.serial <= r->list.serial) {
		if (rl.serial < r->list.serial) {
			r->rx_refused++;
			log_warn_ratelimited("revocation list serial %llu from %s refused: serial %llu is in use",
					     (unsigned long long)rl.serial,
					     from->name,
					     (unsigned long long)r->list.serial);
		}
		return;
	}
	r->list = rl;
	log_info("revocation list serial %llu from %s (%zu certificates)",
		 (unsigned long long)rl.serial, from->name, rl.count);
	/* Kept next to the config, so a restart starts from it. */
	if (node->cfg.revocation_path[0] &&
	    revocation_save(node->cfg.revocation_path, &rl, why,
			    sizeof(why)) < 0)
		log_warn("cannot keep the revocation list: %s", why);
	apply(node);
	push_all(node);
}

void revoke_send(struct peer *to)
{
	struct node *node = to->node;
	struct rv_msg m = { .type = RV_REVOCATION };
	uint8_t buf[1 + REVOCATION_LEN_MAX];
	size_t len;

	if (!node->revoke.list.serial || !to->current)
		return;
	m.blob = node->revoke.list.blob;
	m.blob_len = node->revoke.list.blob_len;
	len = rv_build(&m, buf, sizeof(buf));
	if (len)
		session_send_data(to->current, buf, len);
}
