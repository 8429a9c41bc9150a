/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnet wire format's constants, shared by the userspace record
 * layer (userspace/lib/wire.h, record.h) and the kernel data path
 * (kernel/), so a kernel node and a userspace node agree byte for byte.
 * doc/wire.md has the byte diagrams.
 */
#ifndef _UAPI_PODNET_WIRE_H
#define _UAPI_PODNET_WIRE_H

/* The podnet header that starts every datagram:
 * type (1) | version (1) | reserved (2) | receiver index (4)
 */
#define PODNET_WIRE_VERSION 1

enum podnet_wire_type {
	PODNET_WIRE_HANDSHAKE = 1,	/* DTLS handshake/alert records */
	PODNET_WIRE_DATA = 2,		/* one DTLS application_data record */
	PODNET_WIRE_SESSION_REQUEST = 3,	/* "please start a handshake" */
	PODNET_WIRE_PUNCH = 4,		/* hole punching probe or answer */
	PODNET_WIRE_RELAY = 5,		/* a whole datagram to forward */
	PODNET_WIRE_NAT_PROBE = 6,	/* "which address:port do you see?" */
	PODNET_WIRE_NOTICE = 7,		/* a rendezvous: "I do not know that" */
	/* 8..15 reserved: counted as malformed and dropped */
	__PODNET_WIRE_TYPE_MAX,
};
#define PODNET_WIRE_TYPE_MAX (__PODNET_WIRE_TYPE_MAX - 1)

#define PODNET_WIRE_HEADER_LEN 8
/* Handshake datagrams add the sender's session index. */
#define PODNET_WIRE_HANDSHAKE_HEADER_LEN 12

/* A data record is a DTLS 1.2 application_data record:
 * content type (1) | version (2) | epoch (2) | sequence (6) | length (2)
 */
#define PODNET_RECORD_CONTENT_TYPE 23	/* application_data */
#define PODNET_RECORD_VERSION_MAJOR 0xfe	/* DTLS 1.2 */
#define PODNET_RECORD_VERSION_MINOR 0xfd
#define PODNET_RECORD_HEADER_LEN 13
#define PODNET_RECORD_EXPLICIT_NONCE_LEN 8	/* AES-GCM only */
#define PODNET_RECORD_TAG_LEN 16

/* Data sequence numbers start far above anything wolfSSL used in the
 * handshake, so no nonce repeats under one key; 48 bits on the wire.
 */
#define PODNET_SEQ_FIRST (1ULL << 40)
#define PODNET_SEQ_LAST ((1ULL << 48) - 1)

/* A plaintext whose first byte is below PODNET_CTRL_LIMIT is an
 * in-session control message, not an IP packet; the one byte
 * PODNET_CTRL_KEEPALIVE alone is a keepalive.
 */
#define PODNET_CTRL_LIMIT 0x40
#define PODNET_CTRL_KEEPALIVE 0x00

#endif /* _UAPI_PODNET_WIRE_H */
