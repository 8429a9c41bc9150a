/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Who may not be a peer (revoke.c): certificates on the CA's revocation
 * list, CA certificates posing as nodes, and a second certificate for an
 * address another peer already holds. The newest list arrives from a
 * rendezvous in-session; the CA's signature and the growing serial make
 * sure the rendezvous can neither forge nor roll it back.
 */
#ifndef _PODNET_REVOKE_H
#define _PODNET_REVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "revocation.h"

struct node;
struct peer;
struct rv_msg;

struct node_revoke {
	struct revocation list;		/* serial 0: none loaded */
	uint8_t ca_pub[CERT_ED25519_PUB_LEN];
	bool have_ca_pub;		/* the CA is Ed25519 */
	uint64_t rx_refused;		/* lists not signed, not newer, bad */
};

/*
 * At start and on reload: the CA key and the list named by RevocationList
 * (a missing file is fine: a rendezvous may hand one over later). A reload
 * never goes back to a lower serial. Drops sessions with revoked peers.
 */
int revoke_load(struct node *node, char *err, size_t errlen);

/* 0 if a verified peer with this identity may be one, else -1 and why. */
int revoke_check(struct node *node, const struct cert_identity *id,
		 char *why, size_t whylen);

/* A RV_REVOCATION from a peer (only a rendezvous's is considered). */
void revoke_received(struct peer *from, const struct rv_msg *m);

/* A rendezvous hands its list to a node (after each registration). */
void revoke_send(struct peer *to);

#endif /* _PODNET_REVOKE_H */
