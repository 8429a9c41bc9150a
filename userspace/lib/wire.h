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

#define WIRE_VERSION 1

enum wire_type {
	WIRE_TYPE_HANDSHAKE = 1,	/* DTLS handshake/alert records for wolfSSL */
	WIRE_TYPE_DATA = 2,		/* one DTLS application_data record */
	WIRE_TYPE_SESSION_REQUEST = 3,	/* "please start a handshake with me" */
	/* 4..15 reserved for rendezvous, punch and relay messages */
	__WIRE_TYPE_MAX,
};

/* Fixed header of every datagram. */
#define WIRE_HEADER_LEN 8
/* Handshake datagrams add the sender's session index. */
#define WIRE_HANDSHAKE_HEADER_LEN 12
/* Session requests are padded so they never amplify what they trigger. */
#define WIRE_SESSION_REQUEST_LEN 256

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

#endif /* _PODNET_WIRE_H */
