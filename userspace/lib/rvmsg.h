/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Control messages that travel *inside* DTLS sessions: registration with
 * and lookups at a rendezvous node, the candidates it hands out, and the
 * tunnel ping. They share the plaintext space of a data record with IP
 * packets; an IP packet's first byte is 0x45..0x4f or 0x6x, these use
 * 0x00..0x0f. Byte layouts are in doc/wire.md.
 */
#ifndef _PODNET_RVMSG_H
#define _PODNET_RVMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "addr.h"
#include "cert.h"

enum rv_type {
	RV_KEEPALIVE = 0x00,
	RV_REGISTER = 0x01,	/* node -> rendezvous: my LAN candidates, NAT */
	RV_REGISTER_ACK = 0x02,	/* rendezvous -> node: what I see of you */
	RV_LOOKUP = 0x03,	/* node -> rendezvous: where is X? */
	RV_CANDIDATES = 0x04,	/* rendezvous -> both nodes at once */
	RV_NOT_FOUND = 0x05,	/* rendezvous -> node: X is not registered */
	RV_PING = 0x06,		/* node -> node through the tunnel */
	RV_PONG = 0x07,
	RV_BOOT = 0x08,		/* rendezvous -> node, after each register ack:
				 * its boot id, new at every start */
	RV_REVOCATION = 0x09,	/* rendezvous -> node: the CA-signed
				 * revocation list (revocation.h), as is */
	RV_ADDRESS6 = 0x0a,	/* rendezvous -> node, just before candidates:
				 * the IPv6 address of the node introduced */
	RV_RELAY_LIMIT = 0x0b,	/* rendezvous -> node, after each register
				 * ack: the RelayLimit it relays this node
				 * at (Mbit/s, 0 = no relay) */
	__RV_TYPE_MAX,
};

enum nat_type {
	NAT_UNKNOWN = 0,
	NAT_NONE = 1,		/* public address, mapping is the socket */
	NAT_CONE = 2,		/* same mapping for every destination */
	NAT_SYMMETRIC = 3,	/* a new mapping per destination */
	__NAT_TYPE_MAX,
};

#define RV_MAX_CANDIDATES 8
#define RV_TOKEN_LEN 16

struct rv_msg {
	uint8_t type;
	uint8_t nat_type;
	/* lookup / not found / candidates / address6: the node asked
	 * about, by name or (lookup, not found) by address: IPv4 (vaddr)
	 * or, with v6, IPv6 (vaddr6) */
	bool by_vaddr;
	bool v6;
	char name[CERT_NAME_MAX];
	struct in_addr vaddr;
	struct in6_addr vaddr6;		/* also address6's address */
	/* candidates */
	uint8_t token[RV_TOKEN_LEN];
	uint32_t relay_channel;		/* 0: the rendezvous offers no relay */
	/* register ack */
	uint16_t probe_port;
	/* register: LAN candidates; ack: the reflexive one; candidates:
	 * the reflexive one first, then the LAN ones */
	struct endpoint cands[RV_MAX_CANDIDATES];
	size_t n_cands;
	uint64_t ping_id;
	uint64_t boot_id;
	uint32_t relay_limit;		/* Mbit/s */
	/* revocation: points into the parsed buffer, checked by
	 * revocation_parse() against the CA key */
	const uint8_t *blob;
	size_t blob_len;
};

/* Parse untrusted plaintext; returns 0 or -1. */
int rv_parse(const uint8_t *buf, size_t len, struct rv_msg *m);
/* Returns the encoded length, or 0 if cap is too small. */
size_t rv_build(const struct rv_msg *m, uint8_t *buf, size_t cap);
const char *nat_type_name(uint8_t t);

#endif /* _PODNET_RVMSG_H */
