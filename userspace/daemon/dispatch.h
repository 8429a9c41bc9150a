/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * What a received datagram is, and who handles it: data records are
 * opened and their packets go to the TUN device, handshakes to the
 * sessions, punches and probes to NAT traversal, relay datagrams to the
 * rendezvous (or unwrapped), control messages to traversal/rendezvous.
 * Every datagram is untrusted until its session has opened it; every
 * drop is counted.
 */
#ifndef _PODNET_DISPATCH_H
#define _PODNET_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct path;
struct peer;
struct session;

/* A datagram of len bytes that arrived on from. */
void dispatch_datagram(struct node *node, const struct path *from,
		       const uint8_t *buf, size_t len);
/* An authenticated record's plaintext, from session s, arrived on from. */
void dispatch_plaintext(struct node *node, const struct path *from,
			struct session *s, const uint8_t *pt, size_t n);
/* A decrypted record that is not an IP packet: a control message. */
void dispatch_control_record(struct node *node, struct peer *peer,
			     const uint8_t *buf, size_t len);

#endif /* _PODNET_DISPATCH_H */
