// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for what the TCP transport reads before anything else
 * (doc/transport.md). The first byte picks:
 *  - even: tcpframe_next() over a stream, fed in pieces whose sizes come
 *    from the input, as TLS records would cut it. Its promises: a frame
 *    lies inside the buffer, right after its header, 1..TCPFRAME_MAX
 *    bytes; MORE only when the frame is not whole; the frames found
 *    piecewise are those found in the whole stream at once.
 *  - 1 (mod 3): proxy_response_parse() (a proxy's answer to CONNECT)
 *    and proxy_url_parse() (the Proxy key): a header length never beyond
 *    the input nor PROXY_RESPONSE_MAX, a status of three digits; a URL
 *    that parses has a port and a host without spaces.
 *  - 2 (mod 3): the WebSocket parsers: frames (masked as from a client,
 *    or not), whose payload lies inside the input and within
 *    WS_FRAME_MAX, and which re-encode to a header of the same length
 *    for binary frames, and whose pong (for a ping) parses back to the
 *    ping's payload; the server's ws_request_parse and the client's
 *    ws_response_parse, whose header never exceeds the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "tcpframe.h"
#include "websocket.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* The frames of the whole stream, as (offset, length) pairs. */
static size_t whole(const uint8_t *data, size_t size, size_t *off,
		    size_t *len, size_t max, int *end)
{
	size_t pos = 0, n = 0;

	for (;;) {
		const uint8_t *f;
		size_t flen;
		long used = tcpframe_next(data + pos, size - pos, &f, &flen);

		if (used <= 0) {
			*end = (int)used;
			CHECK(!f && !flen);
			return n;
		}
		CHECK(f == data + pos + TCPFRAME_HEADER_LEN);
		CHECK(flen >= 1 && flen <= TCPFRAME_MAX);
		CHECK((size_t)used == TCPFRAME_HEADER_LEN + flen);
		CHECK(pos + (size_t)used <= size);
		if (n < max) {
			off[n] = pos + TCPFRAME_HEADER_LEN;
			len[n] = flen;
		}
		n++;
		pos += (size_t)used;
	}
}

static void frames(const uint8_t *data, size_t size)
{
	static uint8_t buf[TCPFRAME_HEADER_LEN + TCPFRAME_MAX + 4096];
	static size_t off[8192], len[8192];
	size_t n, have = 0, got = 0, pos = 0, cut = 1;
	int end = 0;

	n = whole(data, size, off, len, 8192, &end);
	CHECK(end == TCPFRAME_MORE || end == TCPFRAME_BAD);
	/* The same stream in pieces of 1..64 bytes, parsed as it comes. */
	while (pos < size && got < n && got < 8192) {
		size_t piece = 1 + (data[pos] + cut++) % 64;
		const uint8_t *f;
		size_t flen;
		long used;

		if (piece > size - pos)
			piece = size - pos;
		if (piece > sizeof(buf) - have)
			piece = sizeof(buf) - have;
		memcpy(buf + have, data + pos, piece);
		have += piece;
		pos += piece;
		while ((used = tcpframe_next(buf, have, &f, &flen)) > 0) {
			CHECK(got < n && flen == len[got]);
			CHECK(!memcmp(f, data + off[got], flen));
			got++;
			memmove(buf, buf + used, have - (size_t)used);
			have -= (size_t)used;
		}
		if (used == TCPFRAME_BAD)
			break;
	}
}

static void proxy(const uint8_t *data, size_t size)
{
	struct proxy_url u;
	char text[600], err[128], req[2048];
	int status;
	long hdr = proxy_response_parse(data, size, &status);

	CHECK(hdr >= -1);
	if (hdr > 0) {
		CHECK((size_t)hdr <= size && hdr <= PROXY_RESPONSE_MAX);
		CHECK(status >= 0 && status <= 999);
		CHECK(!memcmp(data + hdr - 4, "\r\n\r\n", 4));
	}
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!proxy_url_parse(text, &u, err, sizeof(err))) {
		CHECK(u.port && u.host[0]);
		CHECK(!strchr(u.host, ' ') && !strchr(u.host, '\r'));
		CHECK(proxy_connect_request(&u, "198.18.0.1:443", req,
					    sizeof(req)) > 0);
	} else {
		CHECK(!u.port && !u.host[0] && !u.auth[0]);
	}
}

static void websocket(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536 + 16];
	char key[WS_KEY_LEN + 1];
	struct ws_frame f;
	int status;
	long n, hdr;
	bool masked;

	/* One more byte: frames as a client's (masked) or a server's. */
	if (!size)
		return;
	masked = data[0] & 1;
	data++;
	size--;
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	for (size_t pos = 0; pos < size;) {
		n = ws_frame_parse(buf + pos, size - pos, masked, &f);
		CHECK(n >= -1);
		if (n <= 0)
			break;
		CHECK(pos + (size_t)n <= size);
		CHECK(f.payload >= buf + pos && f.payload + f.payload_len ==
		      buf + pos + n);
		CHECK(f.payload_len <= WS_FRAME_MAX);
		CHECK(f.opcode <= 0xf);
		if (f.opcode == WS_BINARY && (buf[pos] & 0x80)) {
			uint8_t again[WS_HEADER_MAX], mask[4] = { 1, 2, 3, 4 };

			/* The shortest encoding is ours; others only grow. */
			CHECK(ws_frame_header(again, f.payload_len,
					      masked ? mask : NULL) <=
			      (size_t)(f.payload - (buf + pos)));
		}
		if (f.opcode == WS_PING) {
			uint8_t pong[WS_HEADER_MAX + 125], mask[4] = { 5, 6, 7, 8 };
			struct ws_frame p;
			size_t len = ws_pong(pong, sizeof(pong), f.payload,
					     f.payload_len, masked ? NULL : mask);

			/* Our answer goes the other way: masked from a
			 * client, and parses back to the ping's bytes. */
			CHECK(len > 0);
			CHECK(ws_frame_parse(pong, len, !masked, &p) == (long)len);
			CHECK(p.opcode == WS_PONG &&
			      p.payload_len == f.payload_len &&
			      !memcmp(p.payload, f.payload, f.payload_len));
		}
		pos += (size_t)n;
	}
	memcpy(buf, data, size);
	hdr = ws_request_parse(buf, size, key);
	CHECK(hdr >= -1 && (hdr <= 0 || (size_t)hdr <= size));
	if (hdr > 0)
		CHECK(strlen(key) == WS_KEY_LEN);
	hdr = ws_response_parse(buf, size, "dGhlIHNhbXBsZSBub25jZQ==", &status);
	CHECK(hdr >= -1 && (hdr <= 0 || (size_t)hdr <= size));
	if (hdr > 0)
		CHECK(status == 101);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		frames(data + 1, size - 1);
		break;
	case 1:
		proxy(data + 1, size - 1);
		break;
	default:
		websocket(data + 1, size - 1);
	}
	return 0;
}
