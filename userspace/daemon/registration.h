/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * This node's registration with its rendezvous nodes (registration.c).
 */
#ifndef _PODNET_REGISTRATION_H
#define _PODNET_REGISTRATION_H

#include <ev.h>
#include <stdint.h>

#include "path.h"

struct node;
struct peer;

/* Registers with the rendezvous rv over its current session. */
void registration_send(struct peer *rv);
/* Registers again with every rendezvous we have a session with: our NAT
 * may have moved us, and a relay refuses what comes from elsewhere. */
void registration_renew_all(struct node *node);
/* A NAT-type probe to rv's second port (after it told us the port). */
void registration_send_nat_probe(struct peer *rv);
/* Periodic registration and NAT-type probes, for one rendezvous. */
void registration_housekeeping(struct peer *rv, ev_tstamp now);
/* A rendezvous' answer to a NAT probe: what it saw from its second port.
 * Taken only with the nonce of the probes sent, and only once. */
void registration_probe_answer(struct node *node, const struct path *from,
			       uint32_t nonce, int family, const uint8_t *addr,
			       uint16_t port);

#endif /* _PODNET_REGISTRATION_H */
