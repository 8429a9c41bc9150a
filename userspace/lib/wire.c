// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "wire.h"

#include <string.h>

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int wire_parse(const uint8_t *buf, size_t len, struct wire_header *hdr)
{
	size_t hlen = WIRE_HEADER_LEN;

	memset(hdr, 0, sizeof(*hdr));
	if (len < WIRE_HEADER_LEN)
		return WIRE_ERR_SHORT;
	if (buf[1] != WIRE_VERSION)
		return WIRE_ERR_VERSION;
	hdr->type = buf[0];
	hdr->version = buf[1];
	/* Bytes 2-3 are reserved: senders write zero, receivers ignore them
	 * so that later versions can use them as flags. */
	hdr->receiver_index = get_be32(buf + 4);
	switch (hdr->type) {
	case WIRE_TYPE_HANDSHAKE:
		hlen = WIRE_HANDSHAKE_HEADER_LEN;
		if (len < hlen)
			return WIRE_ERR_SHORT;
		hdr->sender_index = get_be32(buf + 8);
		if (len == hlen)
			return WIRE_ERR_EMPTY;
		break;
	case WIRE_TYPE_DATA:
		if (len == hlen)
			return WIRE_ERR_EMPTY;
		break;
	case WIRE_TYPE_SESSION_REQUEST:
		/* Short requests could turn a small spoofed datagram into a
		 * larger ClientHello at a victim. */
		if (len < WIRE_SESSION_REQUEST_LEN)
			return WIRE_ERR_SHORT;
		break;
	default:
		return WIRE_ERR_TYPE;
	}
	hdr->payload = buf + hlen;
	hdr->payload_len = len - hlen;
	return WIRE_OK;
}

const char *wire_parse_strerror(int err)
{
	switch (err) {
	case WIRE_OK:
		return "ok";
	case WIRE_ERR_SHORT:
		return "datagram too short";
	case WIRE_ERR_VERSION:
		return "unknown protocol version";
	case WIRE_ERR_TYPE:
		return "unknown datagram type";
	case WIRE_ERR_EMPTY:
		return "empty payload";
	}
	return "unknown error";
}

size_t wire_put_header(uint8_t *buf, enum wire_type type,
		       uint32_t receiver_index, uint32_t sender_index)
{
	buf[0] = (uint8_t)type;
	buf[1] = WIRE_VERSION;
	buf[2] = 0;
	buf[3] = 0;
	put_be32(buf + 4, receiver_index);
	if (type != WIRE_TYPE_HANDSHAKE)
		return WIRE_HEADER_LEN;
	put_be32(buf + 8, sender_index);
	return WIRE_HANDSHAKE_HEADER_LEN;
}
