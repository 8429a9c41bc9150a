// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "websocket.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha.h>

#include "proxy.h"

#define WS_HEADER_BLOCK_MAX 4096
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int ws_accept_for(const char *key, char out[WS_ACCEPT_LEN + 1])
{
	char cat[WS_KEY_LEN + sizeof(ws_guid)];
	uint8_t hash[WC_SHA_DIGEST_SIZE];
	word32 olen = WS_ACCEPT_LEN + 1;

	if (strlen(key) != WS_KEY_LEN)
		return -1;
	memcpy(cat, key, WS_KEY_LEN);
	memcpy(cat + WS_KEY_LEN, ws_guid, sizeof(ws_guid) - 1);
	if (wc_ShaHash((const byte *)cat, WS_KEY_LEN + sizeof(ws_guid) - 1,
		       hash) ||
	    Base64_Encode_NoNl(hash, sizeof(hash), (byte *)out, &olen) ||
	    olen != WS_ACCEPT_LEN)
		return -1;
	out[WS_ACCEPT_LEN] = '\0';
	return 0;
}

int ws_request(const char *host, const char *path, const char *key,
	       char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n\r\n", path, host, key);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* The blank line that ends a header block: its end, or 0. */
static size_t header_end(const uint8_t *buf, size_t len)
{
	for (size_t i = 3; i < len && i < WS_HEADER_BLOCK_MAX; i++)
		if (buf[i - 3] == '\r' && buf[i - 2] == '\n' &&
		    buf[i - 1] == '\r' && buf[i] == '\n')
			return i + 1;
	return 0;
}

/* The value of header name (without spaces around) in the block, copied
 * into out; false when absent or longer than out. */
static bool header_value(const uint8_t *buf, size_t len, const char *name,
			 char *out, size_t outlen)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i + 2 + nlen < len; i++) {
		size_t v, e;

		/* At the start of a line other than the first. */
		if (i < 2 || buf[i - 2] != '\r' || buf[i - 1] != '\n')
			continue;
		if (strncasecmp((const char *)buf + i, name, nlen) ||
		    buf[i + nlen] != ':')
			continue;
		v = i + nlen + 1;
		while (v < len && (buf[v] == ' ' || buf[v] == '\t'))
			v++;
		for (e = v; e < len && buf[e] != '\r'; e++)
			;
		while (e > v && (buf[e - 1] == ' ' || buf[e - 1] == '\t'))
			e--;
		if (e - v >= outlen)
			return false;
		memcpy(out, buf + v, e - v);
		out[e - v] = '\0';
		return true;
	}
	return false;
}

long ws_request_parse(const uint8_t *buf, size_t len,
		      char key[WS_KEY_LEN + 1])
{
	char upgrade[32];
	size_t end;

	key[0] = '\0';
	for (size_t i = 0; i < len && i < 4; i++)
		if (buf[i] != (uint8_t)"GET "[i])
			return -1;
	end = header_end(buf, len);
	if (!end)
		return len >= WS_HEADER_BLOCK_MAX ? -1 : 0;
	if (!header_value(buf, end, "Upgrade", upgrade, sizeof(upgrade)) ||
	    strcasecmp(upgrade, "websocket") ||
	    !header_value(buf, end, "Sec-WebSocket-Key", key, WS_KEY_LEN + 1) ||
	    strlen(key) != WS_KEY_LEN) {
		key[0] = '\0';
		return -1;
	}
	return (long)end;
}

int ws_response(const char *key, char *buf, size_t len)
{
	char accept[WS_ACCEPT_LEN + 1];
	int n;

	if (ws_accept_for(key, accept))
		return -1;
	n = snprintf(buf, len,
		     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		     accept);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

long ws_response_parse(const uint8_t *buf, size_t len, const char *key,
		       int *status)
{
	char want[WS_ACCEPT_LEN + 1], got[WS_ACCEPT_LEN + 2];
	long hdr = proxy_response_parse(buf, len, status);

	if (hdr <= 0)
		return hdr;
	if (*status != 101 || ws_accept_for(key, want) ||
	    !header_value(buf, (size_t)hdr, "Sec-WebSocket-Accept", got,
			  sizeof(got)) || strcmp(got, want))
		return -1;
	return hdr;
}

long ws_frame_parse(uint8_t *buf, size_t len, bool masked,
		    struct ws_frame *f)
{
	size_t hlen = 2, plen;
	uint8_t mask[4];

	memset(f, 0, sizeof(*f));
	if (len < 2)
		return 0;
	/* RSV bits: no extension was negotiated. */
	if (buf[0] & 0x70)
		return -1;
	if (!!(buf[1] & 0x80) != masked)
		return -1;
	plen = buf[1] & 0x7f;
	if (plen == 126) {
		if (len < 4)
			return 0;
		plen = (size_t)buf[2] << 8 | buf[3];
		hlen = 4;
	} else if (plen == 127) {
		if (len < 10)
			return 0;
		/* Anything beyond WS_FRAME_MAX is refused below; the high
		 * bytes must be zero for that. */
		for (int i = 2; i < 6; i++)
			if (buf[i])
				return -1;
		plen = (size_t)buf[6] << 24 | (size_t)buf[7] << 16 |
		       (size_t)buf[8] << 8 | buf[9];
		hlen = 10;
	}
	if (plen > WS_FRAME_MAX)
		return -1;
	f->opcode = buf[0] & 0x0f;
	/* Control frames are short and never fragmented (RFC 6455 5.5). */
	if ((f->opcode & 0x8) && (plen > 125 || !(buf[0] & 0x80)))
		return -1;
	if (masked) {
		if (len < hlen + 4)
			return 0;
		memcpy(mask, buf + hlen, 4);
		hlen += 4;
	}
	if (len - hlen < plen)
		return 0;
	if (masked)
		ws_mask(buf + hlen, plen, mask);
	f->payload = buf + hlen;
	f->payload_len = plen;
	return (long)(hlen + plen);
}

size_t ws_frame_header(uint8_t hdr[WS_HEADER_MAX], size_t len,
		       const uint8_t mask[4])
{
	size_t n = 2;

	hdr[0] = 0x80 | WS_BINARY;
	if (len < 126) {
		hdr[1] = (uint8_t)len;
	} else if (len <= 0xffff) {
		hdr[1] = 126;
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		n = 4;
	} else {
		hdr[1] = 127;
		memset(hdr + 2, 0, 4);
		hdr[6] = (uint8_t)(len >> 24);
		hdr[7] = (uint8_t)(len >> 16);
		hdr[8] = (uint8_t)(len >> 8);
		hdr[9] = (uint8_t)len;
		n = 10;
	}
	if (mask) {
		hdr[1] |= 0x80;
		memcpy(hdr + n, mask, 4);
		n += 4;
	}
	return n;
}

void ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4])
{
	for (size_t i = 0; i < len; i++)
		buf[i] ^= mask[i & 3];
}

size_t ws_pong(uint8_t *out, size_t cap, const uint8_t *payload, size_t len,
	       const uint8_t mask[4])
{
	uint8_t hdr[WS_HEADER_MAX];
	size_t n;

	if (len > 125)
		return 0;
	n = ws_frame_header(hdr, len, mask);
	if (cap < n + len)
		return 0;
	hdr[0] = 0x80 | WS_PONG;
	memcpy(out, hdr, n);
	if (len)	/* an empty ping may come with no buffer */
		memmove(out + n, payload, len);
	if (mask)
		ws_mask(out + n, len, mask);
	return n + len;
}
