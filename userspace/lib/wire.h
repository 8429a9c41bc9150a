/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnet header that starts every datagram. See doc/wire.md for the
 * byte diagram. All multi-byte fields are big-endian.
 */
#ifndef _PODNET_WIRE_H
#define _PODNET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <podnet_wire.h>

/* The values are the kernel module's too (netlink/uapi/podnet_wire.h). */
#define WIRE_VERSION PODNET_WIRE_VERSION

enum wire_type {
	WIRE_TYPE_HANDSHAKE = PODNET_WIRE_HANDSHAKE,
	WIRE_TYPE_DATA = PODNET_WIRE_DATA,
	WIRE_TYPE_SESSION_REQUEST = PODNET_WIRE_SESSION_REQUEST,
	WIRE_TYPE_PUNCH = PODNET_WIRE_PUNCH,
	WIRE_TYPE_RELAY = PODNET_WIRE_RELAY,
	WIRE_TYPE_NAT_PROBE = PODNET_WIRE_NAT_PROBE,
	WIRE_TYPE_NOTICE = PODNET_WIRE_NOTICE,
	__WIRE_TYPE_MAX = __PODNET_WIRE_TYPE_MAX,
};

/* Fixed header of every datagram. */
#define WIRE_HEADER_LEN PODNET_WIRE_HEADER_LEN
/* Handshake datagrams add the sender's session index. */
#define WIRE_HANDSHAKE_HEADER_LEN PODNET_WIRE_HANDSHAKE_HEADER_LEN
/* Session requests are padded so they never amplify what they trigger. */
#define WIRE_SESSION_REQUEST_LEN 256

/* Punch: token (16), kind (1), zero padding to 32 bytes of payload, so an
 * answer is never larger than what it answers. */
#define WIRE_PUNCH_TOKEN_LEN 16
#define WIRE_PUNCH_LEN (WIRE_HEADER_LEN + 32)
enum wire_punch_kind { WIRE_PUNCH_PROBE = 0, WIRE_PUNCH_ANSWER = 1 };
/* NAT probe: requests are padded to 64 bytes, answers are smaller. */
#define WIRE_NAT_PROBE_LEN 64
enum wire_probe_kind { WIRE_PROBE_REQUEST = 0, WIRE_PROBE_ANSWER = 1 };

/* Notice: the rendezvous' boot id (8), what it did not know (1), zero
 * padding to 12 bytes of payload. Sent only in answer to a datagram at
 * least as long. */
#define WIRE_NOTICE_LEN (WIRE_HEADER_LEN + 12)
enum wire_notice_kind {
	WIRE_NOTICE_UNKNOWN_SESSION = 1,	/* index: the session index */
	WIRE_NOTICE_UNKNOWN_CHANNEL = 2,	/* index: the relay channel */
};

struct wire_header {
	uint8_t type;
	uint8_t version;
	uint32_t receiver_index;	/* 0: the receiver has not told us one */
	uint32_t sender_index;		/* handshake only, else 0 */
	const uint8_t *payload;		/* bytes after the header */
	size_t payload_len;
};

enum wire_parse_error {
	WIRE_OK = 0,
	WIRE_ERR_SHORT = -1,
	WIRE_ERR_VERSION = -2,
	WIRE_ERR_TYPE = -3,
	WIRE_ERR_EMPTY = -4,
};

/*
 * Parse untrusted bytes. Never reads past len; on success the payload
 * points into buf.
 */
int wire_parse(const uint8_t *buf, size_t len, struct wire_header *hdr);
const char *wire_parse_strerror(int err);

/* Write a header for type into buf (which has room for 12 bytes);
 * returns the header length. */
size_t wire_put_header(uint8_t *buf, enum wire_type type,
		       uint32_t receiver_index, uint32_t sender_index);

/* Punch payloads (after the 8-byte header). */
void wire_build_punch(uint8_t out[WIRE_PUNCH_LEN],
		      const uint8_t token[WIRE_PUNCH_TOKEN_LEN],
		      enum wire_punch_kind kind);
int wire_parse_punch(const struct wire_header *hdr,
		     const uint8_t **token, uint8_t *kind);

/*
 * NAT probe: the request, and the answer carrying the observed address.
 * The request's receiver index is a random nonce the answer repeats: the
 * answer is not authenticated, so a node takes one only with its nonce.
 */
void wire_build_probe_request(uint8_t out[WIRE_NAT_PROBE_LEN],
			      uint32_t nonce);
size_t wire_build_probe_answer(uint8_t *out, size_t cap, uint32_t nonce,
			       int family, const void *addr, uint16_t port);
/* Returns 0 and fills family/addr/port for an answer, 1 for a request,
 * -1 for anything else. addr needs room for 16 bytes. */
int wire_parse_probe(const struct wire_header *hdr, int *family, uint8_t *addr,
		     uint16_t *port);

/* Notice: index is the receiver index or relay channel it is about. */
void wire_build_notice(uint8_t out[WIRE_NOTICE_LEN], uint32_t index,
		       uint64_t boot_id, enum wire_notice_kind kind);
/* Returns 0 and fills boot_id and kind, or -1. */
int wire_parse_notice(const struct wire_header *hdr, uint64_t *boot_id,
		      uint8_t *kind);

#endif /* _PODNET_WIRE_H */
