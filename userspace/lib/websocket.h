/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * WebSocket (RFC 6455) for the TCP transport where only HTTP passes
 * (doc/transport.md): the upgrade request and its answer, and binary
 * frames that carry the TLS stream. Pure functions; tls_stream.c does
 * the I/O.
 */
#ifndef _PODNET_WEBSOCKET_H
#define _PODNET_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frames podnet sends carry one TLS write (a record, < 17 KiB); a larger
 * one is refused. */
#define WS_FRAME_MAX 32768
#define WS_HEADER_MAX 14
#define WS_KEY_LEN 24		/* base64 of 16 bytes */
#define WS_ACCEPT_LEN 28	/* base64 of a SHA-1 */

enum ws_opcode {
	WS_CONTINUATION = 0x0,
	WS_TEXT = 0x1,
	WS_BINARY = 0x2,
	WS_CLOSE = 0x8,
	WS_PING = 0x9,
	WS_PONG = 0xa,
};

struct ws_frame {
	uint8_t opcode;
	const uint8_t *payload;		/* unmasked in place */
	size_t payload_len;
};

/* Sec-WebSocket-Accept for key: 0, or -1. */
int ws_accept_for(const char *key, char out[WS_ACCEPT_LEN + 1]);
/* The client's upgrade request; its length, or -1 when it does not fit. */
int ws_request(const char *host, const char *path, const char *key,
	       char *buf, size_t len);
/*
 * Server: an upgrade request so far. The header's length with key set
 * (NUL-terminated) once whole, 0 when more is needed, -1 when it is not a
 * WebSocket upgrade (or longer than 4096 bytes).
 */
long ws_request_parse(const uint8_t *buf, size_t len,
		      char key[WS_KEY_LEN + 1]);
/* Server: the 101 answer for key; its length, or -1. */
int ws_response(const char *key, char *buf, size_t len);
/*
 * Client: the answer so far. The header's length once whole and a 101
 * with the Sec-WebSocket-Accept that key calls for, 0 when more is
 * needed, -1 otherwise (*status says what the server answered, if it
 * did in HTTP).
 */
long ws_response_parse(const uint8_t *buf, size_t len, const char *key,
		       int *status);
/*
 * One frame at the start of buf: the bytes it takes (> 0) with f set and
 * its payload unmasked in place, 0 when it is not whole yet, -1 when it
 * is not one podnet accepts (reserved bits, a length over WS_FRAME_MAX,
 * a control frame over 125 bytes, an unmasked frame when masked is
 * required: from a client).
 */
long ws_frame_parse(uint8_t *buf, size_t len, bool masked,
		    struct ws_frame *f);
/* A final binary frame's header for len bytes, masked with mask when
 * given (a client's); its length. The payload must then be masked with
 * ws_mask(). */
size_t ws_frame_header(uint8_t hdr[WS_HEADER_MAX], size_t len,
		       const uint8_t mask[4]);
void ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4]);
/* The pong that answers a ping's payload (at most 125 bytes), whole and
 * masked with mask when given, into out: its length, or 0 when it does
 * not fit or the payload is too long for a control frame. */
size_t ws_pong(uint8_t *out, size_t cap, const uint8_t *payload, size_t len,
	       const uint8_t mask[4]);

#endif /* _PODNET_WEBSOCKET_H */
