// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "wire.h"

#include <string.h>
#include <sys/socket.h>

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
	case WIRE_TYPE_PUNCH:
		if (len < WIRE_PUNCH_LEN)
			return WIRE_ERR_SHORT;
		break;
	case WIRE_TYPE_RELAY:
		/* The relayed datagram needs at least its own header. */
		if (len < hlen + WIRE_HEADER_LEN)
			return WIRE_ERR_SHORT;
		break;
	case WIRE_TYPE_NAT_PROBE:
		if (len == hlen)
			return WIRE_ERR_EMPTY;
		break;
	case WIRE_TYPE_NOTICE:
		if (len < WIRE_NOTICE_LEN)
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

void wire_build_punch(uint8_t out[WIRE_PUNCH_LEN],
		      const uint8_t token[WIRE_PUNCH_TOKEN_LEN],
		      enum wire_punch_kind kind)
{
	memset(out, 0, WIRE_PUNCH_LEN);
	wire_put_header(out, WIRE_TYPE_PUNCH, 0, 0);
	memcpy(out + WIRE_HEADER_LEN, token, WIRE_PUNCH_TOKEN_LEN);
	out[WIRE_HEADER_LEN + WIRE_PUNCH_TOKEN_LEN] = (uint8_t)kind;
}

int wire_parse_punch(const struct wire_header *hdr, const uint8_t **token,
		     uint8_t *kind)
{
	if (hdr->type != WIRE_TYPE_PUNCH ||
	    hdr->payload_len < WIRE_PUNCH_TOKEN_LEN + 1)
		return -1;
	*token = hdr->payload;
	*kind = hdr->payload[WIRE_PUNCH_TOKEN_LEN];
	return *kind <= WIRE_PUNCH_ANSWER ? 0 : -1;
}

void wire_build_probe_request(uint8_t out[WIRE_NAT_PROBE_LEN],
			      uint32_t nonce)
{
	memset(out, 0, WIRE_NAT_PROBE_LEN);
	wire_put_header(out, WIRE_TYPE_NAT_PROBE, nonce, 0);
	out[WIRE_HEADER_LEN] = WIRE_PROBE_REQUEST;
}

size_t wire_build_probe_answer(uint8_t *out, size_t cap, uint32_t nonce,
			       int family, const void *addr, uint16_t port)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	size_t len = WIRE_HEADER_LEN + 4 + alen;

	if (cap < len)
		return 0;
	wire_put_header(out, WIRE_TYPE_NAT_PROBE, nonce, 0);
	out[WIRE_HEADER_LEN] = WIRE_PROBE_ANSWER;
	out[WIRE_HEADER_LEN + 1] = family == AF_INET6 ? 6 : 4;
	out[WIRE_HEADER_LEN + 2] = (uint8_t)(port >> 8);
	out[WIRE_HEADER_LEN + 3] = (uint8_t)port;
	memcpy(out + WIRE_HEADER_LEN + 4, addr, alen);
	return len;
}

int wire_parse_probe(const struct wire_header *hdr, int *family, uint8_t *addr,
		     uint16_t *port)
{
	const uint8_t *p = hdr->payload;
	size_t alen;

	if (hdr->type != WIRE_TYPE_NAT_PROBE || hdr->payload_len < 1)
		return -1;
	if (p[0] == WIRE_PROBE_REQUEST)
		return hdr->payload_len + WIRE_HEADER_LEN >= WIRE_NAT_PROBE_LEN ?
		       1 : -1;
	if (p[0] != WIRE_PROBE_ANSWER || hdr->payload_len < 4)
		return -1;
	if (p[1] == 4)
		alen = 4;
	else if (p[1] == 6)
		alen = 16;
	else
		return -1;
	if (hdr->payload_len != 4 + alen)
		return -1;
	*family = alen == 4 ? AF_INET : AF_INET6;
	*port = (uint16_t)(p[2] << 8 | p[3]);
	memcpy(addr, p + 4, alen);
	return 0;
}

void wire_build_notice(uint8_t out[WIRE_NOTICE_LEN], uint32_t index,
		       uint64_t boot_id, enum wire_notice_kind kind)
{
	memset(out, 0, WIRE_NOTICE_LEN);
	wire_put_header(out, WIRE_TYPE_NOTICE, index, 0);
	put_be32(out + WIRE_HEADER_LEN, (uint32_t)(boot_id >> 32));
	put_be32(out + WIRE_HEADER_LEN + 4, (uint32_t)boot_id);
	out[WIRE_HEADER_LEN + 8] = (uint8_t)kind;
}

int wire_parse_notice(const struct wire_header *hdr, uint64_t *boot_id,
		      uint8_t *kind)
{
	const uint8_t *p = hdr->payload;

	if (hdr->type != WIRE_TYPE_NOTICE ||
	    hdr->payload_len < WIRE_NOTICE_LEN - WIRE_HEADER_LEN)
		return -1;
	*boot_id = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
	*kind = p[8];
	if (*kind != WIRE_NOTICE_UNKNOWN_SESSION &&
	    *kind != WIRE_NOTICE_UNKNOWN_CHANNEL)
		return -1;
	return 0;
}
